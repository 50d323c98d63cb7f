"""imageslim (docs/fops.md §9.12): smaller, same format and size, never larger."""

from __future__ import annotations

import pytest
from image_support import mean_diff, open_image, pattern, save_jpeg
from PIL import Image, ImageFilter

from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.fops.parse import FopsError, parse_pipeline


@pytest.fixture(scope="session")
def photo(media):
    return save_jpeg(pattern((800, 600), 8), media / "slim.jpg", quality=95)


@pytest.fixture(scope="session")
def screenshot(media):
    path = media / "slim.png"
    pattern((400, 300), 8).filter(ImageFilter.GaussianBlur(2)).save(path, "PNG")  # many colours
    return path


def test_a_jpeg_gets_smaller_and_keeps_its_size_and_look(fop, photo):
    result = fop("imageslim", photo)
    image = open_image(result.path)
    assert result.mime == "image/jpeg" and not result.passthrough
    assert (image.format, image.size) == ("JPEG", (800, 600))
    assert result.path.stat().st_size < 0.8 * photo.stat().st_size
    assert mean_diff(image, open_image(photo)) < 6


def test_zlevel_trades_quality_for_size(fop, photo):
    gentle = fop("imageslim/zlevel/0", photo).path.stat().st_size
    default = fop("imageslim", photo).path.stat().st_size
    hard = fop("imageslim/zlevel/10", photo).path.stat().st_size
    assert gentle > default > hard


def test_exif_orientation_survives(fop, tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6
    src = save_jpeg(pattern((300, 200), 8), tmp_path / "turned.jpg", quality=95, exif=exif.tobytes())
    slimmed = open_image(fop("imageslim", src).path)
    assert slimmed.getexif().get(0x0112) == 6 and slimmed.size == (300, 200)


def test_a_png_gets_smaller_and_stays_png(fop, screenshot):
    result = fop("imageslim", screenshot, mime="image/png")
    image = open_image(result.path)
    assert result.mime == "image/png"
    assert (image.format, image.size) == ("PNG", (400, 300))
    assert result.path.stat().st_size < screenshot.stat().st_size


def test_zlevel_0_keeps_png_pixels_exactly(fop, tmp_path):
    src = tmp_path / "plain.png"
    image = pattern((200, 150), 10)
    image.save(src, "PNG", compress_level=0)
    result = fop("imageslim/zlevel/0", src, mime="image/png")
    assert result.path.stat().st_size < src.stat().st_size
    assert open_image(result.path).convert("RGB").tobytes() == image.tobytes()


def test_an_image_that_cannot_get_smaller_comes_back_unchanged(fop, tmp_path):
    src = tmp_path / "tiny.png"
    Image.new("P", (1, 1)).save(src, "PNG", optimize=True)
    result = fop("imageslim", src, mime="image/png")
    assert result.passthrough and result.path.read_bytes() == src.read_bytes()


@pytest.mark.parametrize("name, write", [
    ("anim.gif", lambda p: Image.new("RGB", (20, 20), "red").save(p, "GIF")),
    ("pic.webp", lambda p: Image.new("RGB", (20, 20), "red").save(p, "WEBP")),
    ("notes.txt", lambda p: p.write_text("not an image")),
])
def test_other_inputs_pass_through(fop, tmp_path, name, write):
    src = tmp_path / name
    write(src)
    result = fop("imageslim", src, mime="application/octet-stream")
    assert result.passthrough and result.path.read_bytes() == src.read_bytes()


def test_zlevel_is_checked_at_parse_time():
    with pytest.raises(FopsError, match=r"bad zlevel: 11 is out of range 0\.\.10"):
        parse_pipeline("imageslim/zlevel/11", default_registry())
