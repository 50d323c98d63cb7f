"""imageMogr2: docs/fops.md §3 and vectors 16-35, 37, 60 of docs/fops.md §12."""

from __future__ import annotations

import pytest
from image_support import mean_diff, open_image, pattern, save_jpeg
from PIL import Image, ImageFilter, ImageStat

from qiniu_emulator.fops.execute import StageFailed
from qiniu_emulator.fops.image.quality import estimate_jpeg_quality
from qiniu_emulator.fops.parse import parse_fops


@pytest.mark.parametrize("geometry, size", [
    ("!75p", (480, 320)),        # 16
    ("!x75p", (640, 320)),       # 17
    ("700x", (700, 467)),        # 18: may enlarge
    ("x467", (700, 467)),        # 19
    ("300x300", (300, 200)),     # 20
    ("!200x200r", (300, 200)),   # 21
    ("200x300!", (200, 300)),    # 22
    ("200x300>", (200, 133)),    # 23
    ("700x600<", (700, 467)),    # 24
    ("350000@", (724, 483)),     # 25
    ("!50px", (320, 427)),       # width only, height kept (spec Q3 choice)
    ("640x427>", (640, 427)),
    ("100x100<", (640, 427)),
])
def test_thumbnail_syntaxes(fop, g_jpeg, geometry, size):
    image = open_image(fop(f"imageMogr2/thumbnail/{geometry}", g_jpeg).path)
    assert image.size == size
    if geometry == "350000@":
        assert size[0] * size[1] <= 350000


def test_shrink_only_thumbnail_on_large_source(fop, l_jpeg):
    assert open_image(fop("imageMogr2/thumbnail/800x800>", l_jpeg).path).size == (800, 600)  # 26
    assert open_image(fop("imageMogr2/thumbnail/8000x8000>", l_jpeg).path).size == (4000, 3000)


def test_oversized_thumbnail_request_only_shrinks(fop, g_jpeg):
    # 20000 px wide exceeds the 10000 px enlargement limit: the source is not enlarged.
    assert open_image(fop("imageMogr2/thumbnail/20000x", g_jpeg).path).size == (640, 427)


def png_out(fop, text, src):
    """Run with lossless output so crops can be compared pixel for pixel."""
    return open_image(fop(f"{text}/format/png", src).path)


@pytest.mark.parametrize("crop, box", [
    ("300x", (0, 0, 300, 427)),                   # 27
    ("x200", (0, 0, 640, 200)),                   # 28
    ("!300x300a30a100", (30, 100, 330, 400)),     # 29
    ("!300x300a30-100", (30, 0, 330, 200)),       # 30
    ("!300x300-30a100", (0, 100, 270, 400)),
    ("!300x300-30-100", (0, 0, 270, 200)),        # 31
])
def test_crop_regions(fop, g_jpeg, crop, box):
    jpeg = open_image(fop(f"imageMogr2/crop/{crop}", g_jpeg).path)
    assert jpeg.format == "JPEG" and jpeg.size == (box[2] - box[0], box[3] - box[1])
    source = open_image(g_jpeg).convert("RGB")
    image = png_out(fop, f"imageMogr2/crop/{crop}", g_jpeg)
    assert mean_diff(image, source.crop(box)) == 0
    shifted = (box[0] + 3, box[1] + 3, box[2] + 3, box[3] + 3)
    assert mean_diff(image, source.crop(shifted)) > 5


@pytest.mark.parametrize("text, box", [
    ("imageMogr2/gravity/Center/crop/800x600", (1600, 1200, 2400, 1800)),             # 32
    ("imageMogr2/gravity/SouthEast/crop/!800x600a10a20", (3190, 2380, 3990, 2980)),   # 33
    ("imageMogr2/gravity/North/crop/400x300", (1800, 0, 2200, 300)),
    ("imageMogr2/gravity/West/crop/!100x100a0a50", (0, 1500, 100, 1600)),
])
def test_gravity_crops_on_large_source(fop, l_jpeg, l_decoded, text, box):
    image = png_out(fop, text, l_jpeg)
    assert image.size == (box[2] - box[0], box[3] - box[1])
    assert mean_diff(image, l_decoded.crop(box)) == 0
    shifted = (box[0] - 5, box[1] - 5, box[2] - 5, box[3] - 5)
    assert mean_diff(image, l_decoded.crop(shifted)) > 5


def test_gravity_only_affects_later_crops(fop, g_jpeg):
    source = open_image(g_jpeg).convert("RGB")
    image = png_out(fop, "imageMogr2/crop/100x100/gravity/SouthEast/crop/50x50", g_jpeg)
    # First crop at NorthWest (0..100), then the SouthEast 50x50 of that.
    assert mean_diff(image, source.crop((50, 50, 100, 100))) == 0


def test_crop_outside_the_image_fails(fop, g_jpeg):
    with pytest.raises(StageFailed, match="crop region lies outside"):
        fop("imageMogr2/crop/!100x100a700a0", g_jpeg)


def test_rotate_right_angle(fop, l_jpeg):
    assert open_image(fop("imageMogr2/rotate/90", l_jpeg).path).size == (3000, 4000)  # 34


def test_rotate_clockwise_direction(fop, tmp_path):
    source = Image.new("RGB", (40, 20), (0, 0, 255))
    source.paste((255, 0, 0), (0, 0, 20, 20))  # red on the left
    path = tmp_path / "lr.png"
    source.save(path)
    image = open_image(fop("imageMogr2/rotate/90", path, mime="image/png").path)
    assert image.size == (20, 40)
    assert image.getpixel((10, 5)) == (255, 0, 0)  # clockwise: the left side is now on top


def test_rotate_any_angle_fills_background(fop, g_jpeg):
    white = open_image(fop("imageMogr2/rotate/45/format/png", g_jpeg).path)
    assert abs(white.size[0] - 755) <= 1 and abs(white.size[1] - 755) <= 1
    assert white.getpixel((2, 2)) == (255, 255, 255)
    red = open_image(fop("imageMogr2/background/cmVk/rotate/45/format/png", g_jpeg).path)
    assert red.getpixel((2, 2)) == (255, 0, 0)
    clear = open_image(fop("imageMogr2/rotate/30/background/dHJhbnNwYXJlbnQ=/format/png", g_jpeg).path)
    assert clear.mode == "RGBA" and clear.getpixel((1, 1))[3] == 0


def test_step_order_matters(fop, l_jpeg):
    first = fop("imageMogr2/thumbnail/800x/crop/400x400", l_jpeg)  # 35
    second = fop("imageMogr2/crop/400x400/thumbnail/800x", l_jpeg)
    assert open_image(first.path).size == (400, 400)
    assert open_image(second.path).size == (800, 800)


def test_auto_orient_only_when_asked(fop, l_jpeg, tmp_path):
    from image_support import with_exif

    exif = Image.Exif()
    exif[0x0112] = 8
    path = tmp_path / "o8.jpg"
    path.write_bytes(with_exif(l_jpeg.read_bytes(), exif))
    assert open_image(fop("imageMogr2/thumbnail/400x", path).path).size == (400, 300)
    assert open_image(fop("imageMogr2/auto-orient/thumbnail/400x", path).path).size == (400, 533)


def test_interlace_and_format(fop, l_jpeg):
    data = fop("imageMogr2/interlace/1/format/jpg", l_jpeg).path.read_bytes()  # 37
    assert b"\xff\xc2" in data


def test_quality_verbatim_and_corrected(fop, g_jpeg):
    corrected = open_image(fop("imageMogr2/quality/99", g_jpeg).path)
    verbatim = open_image(fop("imageMogr2/quality/99!", g_jpeg).path)
    assert estimate_jpeg_quality(corrected.quantization[0]) == 92  # capped by the source's 92
    assert estimate_jpeg_quality(verbatim.quantization[0]) == 99


def test_blur_and_sharpen_change_detail(fop, g_jpeg):
    source = open_image(g_jpeg).convert("RGB")
    blurred = png_out(fop, "imageMogr2/blur/20x4", g_jpeg)
    sharpened = png_out(fop, "imageMogr2/sharpen/1", g_jpeg)
    fast = png_out(fop, "imageMogr2/blurfast/3x4", g_jpeg)

    def detail(image):
        return ImageStat.Stat(image.convert("L").filter(ImageFilter.FIND_EDGES)).mean[0]

    assert detail(blurred) < 0.6 * detail(source)
    assert detail(fast) < 0.6 * detail(source)
    assert detail(sharpened) > detail(source)


def test_strip_removes_metadata(fop, tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    path = tmp_path / "meta.jpg"
    pattern((64, 48), 8).save(path, quality=90, exif=exif.tobytes(), icc_profile=b"\0" * 8)
    kept = open_image(fop("imageMogr2/thumbnail/32x", path).path)
    stripped = open_image(fop("imageMogr2/strip/thumbnail/32x", path).path)
    assert kept.getexif().get(0x010F) == "TestCam"
    assert not stripped.getexif() and "icc_profile" not in stripped.info


def test_size_limit_lowers_jpeg_quality(fop, g_jpeg):
    result = fop("imageMogr2/quality/90!/size-limit/20k", g_jpeg)
    assert result.path.stat().st_size <= 20 * 1024
    assert open_image(result.path).size == (640, 427)


def test_forced_size_limit_that_cannot_be_met_returns_original(fop, g_jpeg):
    result = fop("imageMogr2/format/png/size-limit/1k!", g_jpeg)
    assert result.path.read_bytes() == g_jpeg.read_bytes()
    assert result.mime == "image/jpeg"


def test_size_limit_of_the_source_size(fop, g_jpeg):
    result = fop("imageMogr2/quality/100!/size-limit/$(fsize)", g_jpeg)
    assert result.path.stat().st_size <= g_jpeg.stat().st_size


def test_percent_encoded_geometry(registry, g_jpeg, tmp_path):
    from qiniu_emulator.fops.execute import run_ops
    from qiniu_emulator.fops.context import OpContext

    [pipeline] = parse_fops("imageMogr2/thumbnail/200x300%3E", registry)
    result = run_ops(pipeline.ops, g_jpeg, "image/jpeg", OpContext(scratch=tmp_path), registry).result
    assert open_image(result.path).size == (200, 133)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_avif_side_limit_with_ignore_error(fop, media):
    big = save_jpeg(Image.new("RGB", (12000, 8000), (90, 120, 150)), media / "12000x8000.jpg", quality=50)
    result = fop("imageMogr2/format/avif/ignore-error/1", big, sync=True)  # vector 60
    assert result.passthrough and result.path.read_bytes() == big.read_bytes()
    with pytest.raises(StageFailed, match="avif output is limited to 9999 px"):
        fop("imageMogr2/format/avif", big, sync=True)


def test_small_png_stays_png(fop, tmp_path):
    path = tmp_path / "s.png"
    pattern((30, 20), 5).save(path)
    result = fop("imageMogr2/thumbnail/!200p", path, mime="image/png")
    image = open_image(result.path)
    assert (image.format, image.size, result.mime) == ("PNG", (60, 40), "image/png")
