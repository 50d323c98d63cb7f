"""watermark 1/2/3: docs/fops.md §4 and vectors 38-41 of docs/fops.md §12."""

from __future__ import annotations

from pathlib import Path

import pytest
from image_support import open_image
from PIL import Image, ImageChops

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.fops.execute import StageFailed
from qiniu_emulator.fops.parse import FopsError, parse_pipeline

MARK_URL = "http://marks.test/red.png"
BIG_URL = "http://marks.test/big.png"


@pytest.fixture
def white_page(tmp_path) -> Path:
    path = tmp_path / "white.png"
    Image.new("RGB", (1000, 800), "white").save(path)
    return path


@pytest.fixture
def red_mark(tmp_path, resolver) -> str:
    path = tmp_path / "red.png"
    Image.new("RGB", (100, 50), (255, 0, 0)).save(path)
    resolver.files[MARK_URL] = path
    return b64_encode(MARK_URL)


def red_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of strongly red pixels."""
    r, g, b = image.convert("RGB").split()
    redness = ImageChops.subtract(r, g)
    return redness.point(lambda v: 255 if v > 200 else 0).getbbox()


def test_mark_larger_than_source_leaves_it_unchanged(fop, tmp_path, resolver):
    small = tmp_path / "small.png"
    Image.new("RGB", (100, 100), (10, 200, 30)).save(small)
    big = tmp_path / "big.png"
    Image.new("RGB", (200, 200), (255, 0, 0)).save(big)
    resolver.files[BIG_URL] = big
    result = fop(f"watermark/1/image/{b64_encode(BIG_URL)}", small, mime="image/png")  # vector 38
    image = open_image(result.path)
    assert image.size == (100, 100)
    assert image.getcolors() == [(100 * 100, (10, 200, 30))]


def test_default_placement_is_south_east_10_10(fop, white_page, red_mark):
    result = fop(f"watermark/1/image/{red_mark}", white_page, mime="image/png")  # vector 39
    image = open_image(result.path)
    assert result.mime == "image/png" and image.size == (1000, 800)
    assert red_box(image) == (890, 740, 990, 790)  # x 890-989, y 740-789


def test_dissolve_and_north_west(fop, white_page, red_mark):
    text = f"watermark/1/image/{red_mark}/gravity/NorthWest/dx/0/dy/0/dissolve/50"  # vector 40
    image = open_image(fop(text, white_page, mime="image/png").path).convert("RGB")
    red, green, blue = image.getpixel((0, 0))
    assert red == 255 and 120 <= green <= 135 and 120 <= blue <= 135
    assert image.getpixel((100, 50)) == (255, 255, 255)


@pytest.mark.parametrize("gravity, origin", [
    ("North", (450, 10)), ("Center", (450 + 5, 375 + 5)), ("West", (10, 375 + 10)),
    ("SouthWest", (10, 740)), ("NorthEast", (890, 10)),
])
def test_gravity_anchors(fop, white_page, red_mark, gravity, origin):
    dy = 5 if gravity == "Center" else 10
    dx = 5 if gravity == "Center" else 10
    text = f"watermark/1/image/{red_mark}/gravity/{gravity}/dx/{dx}/dy/{dy}"
    image = open_image(fop(text, white_page, mime="image/png").path)
    if gravity == "North":
        origin = (450 + 10, 10)
    assert red_box(image)[:2] == origin


def test_text_mark_confined_to_bottom_right(fop, g_jpeg):
    text = ("watermark/2/text/5LiD54mb5LqR5a2Y5YKo/font/5a6L5L2T/fontsize/1000/fill/d2hpdGU="
            "/dissolve/85/gravity/SouthEast/dx/20/dy/20")  # vector 41
    result = fop(text, g_jpeg)
    image = open_image(result.path)
    assert (image.format, image.size) == ("JPEG", (640, 427))
    diff = ImageChops.difference(image.convert("L"), open_image(g_jpeg).convert("L"))
    box = diff.point(lambda v: 255 if v > 40 else 0).getbbox()
    assert box is not None
    left, top, right, bottom = box
    assert left > 320 and top > 213
    assert right <= 640 - 20 and bottom <= 427 - 20
    # 1000 twips = 50 px glyphs: the ink is tens of pixels tall.
    assert bottom - top >= 25


def test_text_defaults_are_white_south_east(fop, tmp_path):
    page = tmp_path / "black.png"
    Image.new("RGB", (400, 300), "black").save(page)
    image = open_image(fop(f"watermark/2/text/{b64_encode('Qiniu')}/fontsize/600", page,
                           mime="image/png").path)
    box = image.convert("L").point(lambda v: 255 if v > 128 else 0).getbbox()
    assert box is not None and box[2] <= 390 and box[3] <= 290 and box[0] > 200


def test_mode_3_blocks_own_their_parameters(fop, white_page, red_mark):
    text = (f"watermark/3/image/{red_mark}/gravity/NorthWest/dx/0/dy/0"
            f"/text/{b64_encode('X')}/fill/{b64_encode('#0000FF')}/fontsize/800/gravity/South"
            f"/image/{red_mark}/dissolve/100")
    image = open_image(fop(text, white_page, mime="image/png").path).convert("RGB")
    assert image.getpixel((5, 5)) == (255, 0, 0)          # first image block, NorthWest
    assert image.getpixel((900, 760)) == (255, 0, 0)      # third block uses the defaults
    blue = image.crop((400, 650, 600, 800)).getcolors(100000)
    assert any(colour[2] > 200 and colour[0] < 60 for _, colour in blue)  # the text, blue, South


def test_ws_scales_mark_to_source_short_edge(fop, white_page, red_mark):
    text = f"watermark/1/image/{red_mark}/ws/0.25/gravity/NorthWest/dx/0/dy/0"
    box = red_box(open_image(fop(text, white_page, mime="image/png").path))
    # short edge 50 -> 0.25 * 800 = 200, so the 100x50 mark becomes 400x200.
    assert box == (0, 0, 400, 200)


def test_mark_over_the_edge_is_clipped(fop, white_page, red_mark):
    text = f"watermark/1/image/{red_mark}/gravity/NorthWest/dx/-60/dy/-20"
    assert red_box(open_image(fop(text, white_page, mime="image/png").path)) == (0, 0, 40, 30)


def test_thin_mark_scaled_past_the_source_is_skipped(fop, white_page, resolver, tmp_path):
    thin = tmp_path / "thin.png"
    Image.new("RGB", (1, 400), (255, 0, 0)).save(thin)
    resolver.files["http://marks.test/thin.png"] = thin
    text = f"watermark/1/image/{b64_encode('http://marks.test/thin.png')}/ws/1"
    result = fop(text, white_page, mime="image/png")
    assert result.path == white_page  # 800x320000 after scaling: does not fit, nothing drawn


def test_format_parameter_changes_output(fop, white_page, red_mark):
    result = fop(f"watermark/1/image/{red_mark}/format/jpg", white_page, mime="image/png")
    assert result.mime == "image/jpeg" and open_image(result.path).format == "JPEG"


def test_unresolvable_url_fails_clearly(fop, white_page):
    with pytest.raises(StageFailed, match="failed to GET"):
        fop(f"watermark/1/image/{b64_encode('http://nowhere.test/x.png')}", white_page, mime="image/png")


def test_no_resolver_fails_clearly(fop, white_page, red_mark):
    with pytest.raises(StageFailed, match="cannot be resolved here"):
        fop(f"watermark/1/image/{red_mark}", white_page, mime="image/png", fetch_url=None)


def test_mark_that_is_not_an_image(fop, white_page, resolver, tmp_path):
    junk = tmp_path / "junk.png"
    junk.write_text("<html>404</html>")
    resolver.files["http://marks.test/junk.png"] = junk
    with pytest.raises(StageFailed, match="watermark image: not a valid image"):
        fop(f"watermark/1/image/{b64_encode('http://marks.test/junk.png')}", white_page, mime="image/png")
    result = fop(f"watermark/1/image/{b64_encode('http://marks.test/junk.png')}/ignore-error/1",
                 white_page, mime="image/png")
    assert result.passthrough and result.path == white_page


@pytest.mark.parametrize("text, fragment", [
    ("watermark/1/image/%%%%", "bad image"),
    ("watermark/1/image/aGk=/dissolve/0", "bad dissolve"),
    ("watermark/1/image/aGk=/dissolve/101", "bad dissolve"),
    ("watermark/1/image/aGk=/gravity/Middle", "bad gravity"),
    ("watermark/1/image/aGk=/fontsize/200", "unknown parameter"),
    ("watermark/1/dissolve/50", "needs a non-empty image"),
    ("watermark/2/text/aGk=/ws/0.5", "unknown parameter"),
    ("watermark/2/text/aGk=/fill/bm90YWNvbG91cg==", "bad fill"),
    ("watermark/3/dissolve/50/image/aGk=", "must follow an image or text block"),
    ("watermark/3", "needs at least one"),
    ("watermark/4/text/aGk=", "bad mode"),
    ("watermark", "missing mode"),
    ("watermark/1/image/aGk=/dx", "needs a value"),
    ("watermark/1/image/aGk=/dx/1/dx/2", "given twice"),
])
def test_bad_parameters_rejected_at_parse(registry, text, fragment):
    with pytest.raises(FopsError) as caught:
        parse_pipeline(text, registry)
    assert caught.value.status == 400 and fragment in caught.value.message
