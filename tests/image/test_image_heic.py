"""HEIC in and out (docs/fops.md §2.3): written and read through pillow-heif."""

from __future__ import annotations

import json

import pillow_heif
import pytest
from image_support import open_image, pattern
from PIL import Image

from qiniu_emulator.fops.execute import StageFailed

pillow_heif.register_heif_opener()


@pytest.fixture(scope="session")
def heic_photo(media):
    """A 400x300 HEIC, as an iPhone upload would be (smaller)."""
    path = media / "photo.heic"
    pattern((400, 300), 20).save(path, "HEIF", quality=80)
    return path


def test_format_heic_writes_a_heic_that_reads_back_at_the_thumbnail_size(fop, g_jpeg):
    result = fop("imageView2/2/w/320/format/heic", g_jpeg)
    image = open_image(result.path)
    assert result.mime == "image/heic"
    assert (image.format, image.size) == ("HEIF", (320, 214))


def test_heic_keeps_alpha(fop, tmp_path):
    src = tmp_path / "alpha.png"
    image = Image.new("RGBA", (64, 48), (255, 0, 0, 255))
    image.paste((0, 0, 255, 0), (0, 0, 32, 48))
    image.save(src)
    out = open_image(fop("imageMogr2/format/heic", src, mime="image/png").path)
    assert out.mode == "RGBA"
    assert out.getpixel((8, 24))[3] == 0 and out.getpixel((56, 24))[3] == 255


def test_heic_input_is_read_by_imageview2_and_imagemogr2(fop, heic_photo):
    thumb = open_image(fop("imageView2/2/w/200/format/jpg", heic_photo, mime="image/heic").path)
    assert (thumb.format, thumb.size) == ("JPEG", (200, 150))
    rotated = open_image(fop("imageMogr2/rotate/90/format/png", heic_photo, mime="image/heic").path)
    assert (rotated.format, rotated.size) == ("PNG", (300, 400))


def test_heic_source_without_format_stays_heic(fop, heic_photo):
    result = fop("imageView2/2/w/100", heic_photo, mime="image/heic")
    assert result.mime == "image/heic"
    assert open_image(result.path).size == (100, 75)


def test_image_info_reports_heic(fop, heic_photo):
    info = json.loads(fop("imageInfo", heic_photo, mime="image/heic").path.read_text())
    assert (info["format"], info["width"], info["height"]) == ("heic", 400, 300)


def test_heic_pixel_limits_differ_between_download_urls_and_jobs(fop, tmp_path):
    medium = tmp_path / "medium.png"
    Image.new("L", (2800, 2800), 90).save(medium)  # 7.84 Mpx
    with pytest.raises(StageFailed, match="heic output is limited to 7680000 pixels on a download URL"):
        fop("imageMogr2/format/heic", medium, mime="image/png", sync=True)
    large = tmp_path / "large.png"
    Image.new("L", (5600, 5600), 90).save(large)  # 31.36 Mpx
    with pytest.raises(StageFailed, match="heic output is limited to 30720000 pixels in a persistent job"):
        fop("imageMogr2/format/heic", large, mime="image/png")
