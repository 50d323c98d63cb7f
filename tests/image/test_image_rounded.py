"""roundPic (docs/fops.md §9.11): transparent corners, opaque centre, always PNG."""

from __future__ import annotations

import re

import pytest
from image_support import open_image, save_jpeg
from PIL import Image

from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.fops.execute import StageFailed
from qiniu_emulator.fops.parse import FopsError, parse_pipeline


@pytest.fixture(scope="session")
def red_jpeg(media):
    return save_jpeg(Image.new("RGB", (200, 100), (220, 30, 30)), media / "red.jpg")


def alpha(result) -> Image.Image:
    image = open_image(result.path)
    assert image.format == "PNG" and result.mime == "image/png"
    return image.getchannel("A")


CORNERS = ((0, 0), (199, 0), (0, 99), (199, 99))


def test_radius_in_pixels_clears_the_corners_and_keeps_the_rest(fop, red_jpeg):
    a = alpha(fop("roundPic/radius/20", red_jpeg))
    assert a.size == (200, 100)
    assert [a.getpixel(p) for p in CORNERS] == [0, 0, 0, 0]
    assert [a.getpixel(p) for p in ((3, 3), (196, 96))] == [0, 0]  # 24 px from the arc's centre
    for inside in ((100, 50), (100, 0), (0, 50), (20, 20), (179, 79), (199, 50)):
        assert a.getpixel(inside) == 255, inside
    assert open_image(fop("roundPic/radius/20", red_jpeg).path).getpixel((100, 50))[:3] == \
        pytest.approx((220, 30, 30), abs=3)


def test_the_arc_is_anti_aliased(fop, red_jpeg):
    a = alpha(fop("roundPic/radius/40", red_jpeg))
    partial = [a.getpixel((x, y)) for x in range(40) for y in range(40) if 0 < a.getpixel((x, y)) < 255]
    assert partial, "the edge of the corner arc has no intermediate alpha"


def test_half_percent_makes_an_ellipse(fop, red_jpeg):
    a = alpha(fop("roundPic/radiusx/!50p/radiusy/!50p", red_jpeg))
    assert a.getpixel((10, 10)) == 0 and a.getpixel((190, 90)) == 0   # outside the ellipse
    assert a.getpixel((100, 50)) == 255 and a.getpixel((30, 50)) == 255 and a.getpixel((100, 5)) == 255


def test_radii_are_clamped_to_half_the_side(fop, red_jpeg):
    ellipse = alpha(fop("roundPic/radius/!50p", red_jpeg)).tobytes()
    assert alpha(fop("roundPic/radius/500", red_jpeg)).tobytes() == ellipse
    assert alpha(fop("roundPic/radius/!80p", red_jpeg)).tobytes() == ellipse


def test_separate_radii_differ_per_axis(fop, red_jpeg):
    a = alpha(fop("roundPic/radiusx/60/radiusy/10", red_jpeg))
    assert a.getpixel((10, 2)) == 0      # within the wide arc horizontally
    assert a.getpixel((2, 30)) == 255    # but the vertical radius is only 10
    assert a.getpixel((70, 0)) == 255


def test_existing_transparency_is_kept(fop, tmp_path):
    src = tmp_path / "holes.png"
    image = Image.new("RGBA", (100, 100), (0, 128, 0, 255))
    image.putpixel((50, 50), (0, 128, 0, 0))
    image.save(src)
    a = alpha(fop("roundPic/radius/10", src, mime="image/png"))
    assert (a.getpixel((50, 50)), a.getpixel((40, 40)), a.getpixel((0, 0))) == (0, 255, 0)


def test_grey_png_stays_grey_with_alpha(fop, tmp_path):
    src = tmp_path / "grey.png"
    Image.new("L", (60, 60), 77).save(src)
    image = open_image(fop("roundPic/radius/10", src, mime="image/png").path)
    assert image.mode == "LA" and image.getpixel((30, 30)) == (77, 255) and image.getpixel((0, 0))[1] == 0


def test_output_is_png_after_a_jpeg_thumbnail(fop, red_jpeg):
    result = fop("imageView2/1/w/80/h/80/format/jpg|roundPic/radius/!50p", red_jpeg)
    a = alpha(result)
    assert a.size == (80, 80) and a.getpixel((0, 0)) == 0 and a.getpixel((40, 40)) == 255


def test_other_formats_are_refused_with_the_conversion_to_use(fop, tmp_path):
    src = tmp_path / "pic.webp"
    Image.new("RGB", (40, 40), "blue").save(src, "WEBP")
    with pytest.raises(StageFailed, match=r"roundPic takes jpeg and png images, not webp; convert it first"):
        fop("roundPic/radius/5", src, mime="image/webp")
    converted = fop("imageMogr2/format/png|roundPic/radius/5", src, mime="image/webp")
    assert alpha(converted).getpixel((0, 0)) == 0


def test_download_urls_take_images_up_to_20_mb(fop, tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + bytes(20 * 1024 * 1024))
    with pytest.raises(StageFailed, match="up to 20 MB; use pfop"):
        fop("roundPic/radius/5", big, mime="image/png", sync=True)


@pytest.mark.parametrize("fop_text, message", [
    ("roundPic", "give radius, or radiusx and radiusy"),
    ("roundPic/radius/10/radiusx/5/radiusy/5", "use radius, or radiusx with radiusy, not both"),
    ("roundPic/radiusx/5", "radiusx and radiusy go together, add radiusy"),
    ("roundPic/radius/-5", "not a radius in pixels (20) or a percentage (!25p)"),
    ("roundPic/radius/!25", "not a radius"),
    ("roundPic/radius/25p", "not a radius"),
    ("roundPic/rad/5", "unknown parameter 'rad'"),
])
def test_bad_parameters_are_rejected_at_parse_time(fop_text, message):
    with pytest.raises(FopsError, match=re.escape(message)):
        parse_pipeline(fop_text, default_registry())


def test_decimal_percentages_are_accepted():
    args = parse_pipeline("roundPic/radius/!25.5p", default_registry()).ops[0].args
    assert args.radii()[0].pixels(200) == pytest.approx(51.0)
