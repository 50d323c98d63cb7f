"""imageView2: docs/fops.md §2 geometry table and vectors 1-15, 36 of docs/fops.md §12."""

from __future__ import annotations

import io

import pytest
from image_support import mean_diff, open_image, pattern, save_jpeg, with_exif
from PIL import Image

from qiniu_emulator.fops.execute import StageFailed
from qiniu_emulator.fops.image.encode import FORMATS, can_write
from qiniu_emulator.fops.image.geometry import view_plan
from qiniu_emulator.fops.image.quality import estimate_jpeg_quality

# Spec 2.2 worked examples: (source, w, h) -> output of modes 0..5.
GEOMETRY_TABLE = [
    ((4000, 3000), 800, 600, ["800x600"] * 6),
    ((4000, 3000), 800, None, ["800x600", "800x800", "800x600", "1067x800", "1067x800", "800x800"]),
    ((4000, 3000), None, 600, ["800x600", "600x600", "800x600", "800x600", "800x600", "600x600"]),
    ((3000, 4000), 800, 600, ["600x800", "800x600", "450x600", "800x1067", "600x800", "600x800"]),
    ((3000, 4000), 800, None, ["600x800", "800x800", "800x1067", "800x1067", "800x1067", "800x800"]),
    ((3000, 4000), None, 600, ["600x800", "600x600", "450x600", "600x800", "600x800", "600x600"]),
]


@pytest.mark.parametrize("size, w, h, expected", GEOMETRY_TABLE)
def test_geometry_table_of_spec(size, w, h, expected):
    got = []
    for mode in range(6):
        plan = view_plan(mode, size, w, h)
        final = plan.crop or plan.resize
        got.append(f"{final[0]}x{final[1]}")
    assert got == expected


@pytest.mark.parametrize("text, size", [
    ("imageView2/1/w/200/h/200", (200, 200)),  # vector 1
    ("imageView2/2/w/200", (200, 133)),         # vector 2
    ("imageView2/2/h/200", (300, 200)),         # vector 3: half-up rounding, not floor
])
def test_doc_examples_on_g(fop, g_jpeg, text, size):
    result = fop(text, g_jpeg)
    image = open_image(result.path)
    assert image.size == size
    assert image.format == "JPEG" and result.mime == "image/jpeg"


@pytest.mark.parametrize("source, text, size", [
    ("L", "imageView2/0/w/800/h/600", (800, 600)),  # vector 4
    ("L", "imageView2/3/w/800", (1067, 800)),        # vector 6
    ("L", "imageView2/4/h/600", (800, 600)),         # vector 7
    ("P", "imageView2/2/w/800/h/600", (450, 600)),   # vector 8
    ("P", "imageView2/5/w/800/h/600", (600, 800)),   # vector 9
])
def test_modes_on_large_sources(fop, l_jpeg, p_jpeg, source, text, size):
    result = fop(text, l_jpeg if source == "L" else p_jpeg)
    assert open_image(result.path).size == size


def test_mode_1_crops_the_centre_of_the_cover_resize(fop, l_jpeg, l_decoded):
    assert open_image(fop("imageView2/1/w/800", l_jpeg).path).size == (800, 800)  # vector 5
    # Lossless output to compare pixels: the centre 800 columns of the 1067x800 resize.
    image = open_image(fop("imageView2/1/w/800/format/png", l_jpeg).path)
    covered = l_decoded.resize((1067, 800), Image.Resampling.LANCZOS)
    centre = mean_diff(image, covered.crop((133, 0, 933, 800)))
    assert centre < 1.5
    assert mean_diff(image, covered.crop((134, 0, 934, 800))) > 2 * centre


def test_never_enlarges(fop, media):
    small = save_jpeg(pattern((400, 300), 10), media / "400x300.jpg")
    assert open_image(fop("imageView2/2/w/800", small).path).size == (400, 300)  # vector 10


def test_mode_1_crop_box_clamped_to_small_source(fop, media):
    square = save_jpeg(pattern((256, 256), 8), media / "256.jpg")
    assert open_image(fop("imageView2/1/w/1080/h/636", square).path).size == (256, 256)  # vector 11


def test_exif_orientation_applied_first(fop, l_jpeg, tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6
    rotated = tmp_path / "L-orientation-6.jpg"
    rotated.write_bytes(with_exif(l_jpeg.read_bytes(), exif))
    image = open_image(fop("imageView2/2/w/800", rotated).path)  # vector 12
    assert image.size == (800, 1067)
    # The pixels are upright now, so the output must not ask viewers to rotate again.
    assert image.getexif().get(0x0112, 1) == 1


def test_transparent_png_to_jpg_is_white(fop, tmp_path):
    source = Image.new("RGBA", (48, 40), (200, 30, 30, 255))
    source.paste((0, 0, 0, 0), (0, 0, 16, 16))  # a whole JPEG block, so no red bleeds in
    path = tmp_path / "alpha.png"
    source.save(path)
    result = fop("imageView2/2/format/jpg", path, mime="image/png")  # vector 13
    image = open_image(result.path)
    assert result.mime == "image/jpeg" and image.format == "JPEG"
    assert all(channel > 235 for channel in image.getpixel((0, 0)))
    assert image.getpixel((25, 20))[0] > 150


def test_pure_format_conversion_to_webp(fop, g_jpeg):
    result = fop("imageView2/2/format/webp", g_jpeg)  # vector 14
    image = open_image(result.path)
    assert (result.mime, image.format, image.size) == ("image/webp", "WEBP", (640, 427))


def test_pipe_into_image_info(fop, g_jpeg):
    import json

    result = fop("imageView2/2/w/200|imageInfo", g_jpeg)  # vector 15
    info = json.loads(result.path.read_text())
    assert result.mime == "application/json"
    assert (info["format"], info["width"], info["height"]) == ("jpeg", 200, 133)


def test_quality_correction_from_source_quality(fop, l_jpeg):
    corrected = open_image(fop("imageView2/2/w/800/q/95", l_jpeg).path)  # vector 36
    verbatim = open_image(fop("imageView2/2/w/800/q/95!", l_jpeg).path)
    default = open_image(fop("imageView2/2/w/800", l_jpeg).path)
    assert estimate_jpeg_quality(corrected.quantization[0]) == 90
    assert estimate_jpeg_quality(verbatim.quantization[0]) == 95
    assert estimate_jpeg_quality(default.quantization[0]) == 75


def test_no_resize_keeps_quality_below_the_source(fop, media):
    source = save_jpeg(pattern((120, 80), 8), media / "q40.jpg", quality=40)
    image = open_image(fop("imageView2/2/q/90", source).path)
    # Same area: the correction caps the quality at the source's own 40.
    assert estimate_jpeg_quality(image.quantization[0]) == 40


def test_interlace_writes_progressive_jpeg(fop, g_jpeg):
    result = fop("imageView2/2/w/300/interlace/1", g_jpeg)
    data = result.path.read_bytes()
    assert b"\xff\xc2" in data  # SOF2: progressive DCT
    assert open_image(result.path).info.get("progressive")
    assert b"\xff\xc2" not in fop("imageView2/2/w/300", g_jpeg).path.read_bytes()


def test_colors_limits_gif_palette(fop, g_jpeg):
    image = open_image(fop("imageView2/2/w/200/format/gif/colors/8", g_jpeg).path)
    assert image.format == "GIF"
    assert len(image.convert("RGB").getcolors(256)) <= 8


@pytest.mark.parametrize("name", ["jpg", "png", "gif", "webp", "bmp", "tiff", "avif", "heic"])
def test_output_formats_and_mime(fop, g_jpeg, name):
    fmt = FORMATS["jpeg" if name == "jpg" else name]
    if not can_write(fmt):
        with pytest.raises(StageFailed, match=f"{fmt.name} output is not supported"):
            fop(f"imageView2/2/w/100/format/{name}", g_jpeg)
        return
    result = fop(f"imageView2/2/w/100/format/{name}", g_jpeg)
    image = open_image(result.path)
    assert result.mime == fmt.mime
    assert image.format == fmt.pillow and image.size == (100, 67)


def test_sync_output_limit(fop, media):
    wide = media / "wide.png"
    Image.new("L", (10001, 10), 128).save(wide)
    with pytest.raises(StageFailed, match="exceeds the imageView2 limit"):
        fop("imageView2/2/format/png", wide, mime="image/png", sync=True)
    assert open_image(fop("imageView2/2/format/png", wide, mime="image/png").path).size == (10001, 10)


def test_ignore_error_returns_input(fop, tmp_path):
    text = tmp_path / "notes.jpg"
    text.write_text("not an image at all")
    result = fop("imageView2/2/w/100/ignore-error/1", text)
    assert result.passthrough and result.path == text
    with pytest.raises(StageFailed, match="not a valid image"):
        fop("imageView2/2/w/100", text)


def test_grayscale_and_16bit_png(fop, tmp_path):
    deep = Image.linear_gradient("L").resize((64, 64)).convert("I").point(lambda v: v * 257).convert("I;16")
    path = tmp_path / "deep.png"
    deep.save(path)
    assert open_image(path).mode.startswith("I")
    image = open_image(fop("imageView2/2/w/32/format/jpg", path, mime="image/png").path)
    assert image.size == (32, 32) and image.mode == "L"
    # Scaled from 16 bits, not clipped: the bottom rows are white, the top rows dark.
    assert image.getpixel((16, 31)) > 200 and image.getpixel((16, 0)) < 40


def test_cmyk_jpeg_becomes_rgb(fop, tmp_path):
    path = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (80, 60), (0, 255, 255, 0)).save(path, quality=95)
    image = open_image(fop("imageView2/2/w/40/format/png", path).path)
    assert image.mode == "RGB" and image.size == (40, 30)
    red, green, blue = image.getpixel((20, 15))
    assert red > 200 and green < 60 and blue < 60


def test_palette_png_with_transparency(fop, tmp_path):
    source = Image.new("P", (40, 40), 1)
    source.putpalette([0, 0, 0, 0, 200, 0] + [0] * 762)
    source.info["transparency"] = 0
    source.paste(0, (0, 0, 16, 16))
    path = tmp_path / "palette.png"
    source.save(path, transparency=0)
    out = open_image(fop("imageView2/2/w/20/format/png", path, mime="image/png").path)
    assert out.mode == "RGBA" and out.getpixel((10, 10))[1] > 150
    flat = open_image(fop("imageView2/2/format/jpg", path, mime="image/png").path)
    assert all(c > 235 for c in flat.getpixel((0, 0)))


def test_webp_quality_follows_q(fop, g_jpeg):
    low = fop("imageView2/2/format/webp/q/10!", g_jpeg).path.stat().st_size
    high = fop("imageView2/2/format/webp/q/95!", g_jpeg).path.stat().st_size
    assert low < high


def test_output_is_readable_bytes(fop, g_jpeg):
    data = fop("imageView2/0/w/64", g_jpeg).path.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (64, 43)
