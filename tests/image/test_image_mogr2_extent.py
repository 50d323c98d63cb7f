"""imageMogr2 extent: a canvas of the given size in the background colour, the picture at
the gravity in force (docs/fops.md §3.4), as in ``thumbnail/400x800>/extent/400x800``."""

from __future__ import annotations

import pytest
from image_support import open_image

RED_B64 = "I0ZGMDAwMA=="  # "#FF0000"


def test_letterbox_after_a_thumbnail(fop, g_jpeg):
    image = open_image(fop(f"imageMogr2/thumbnail/400x800>/gravity/Center/extent/400x800/background/{RED_B64}"
                           "/format/png", g_jpeg).path).convert("RGB")
    assert image.size == (400, 800)
    assert image.getpixel((200, 10)) == (255, 0, 0) and image.getpixel((200, 790)) == (255, 0, 0)
    top = (800 - 267) // 2
    assert image.getpixel((200, top + 5)) != (255, 0, 0)  # the 400x267 picture in the middle


def test_default_gravity_is_north_west_and_a_smaller_canvas_crops(fop, g_jpeg):
    image = open_image(fop(f"imageMogr2/extent/800x500/background/{RED_B64}/format/png", g_jpeg).path)
    image = image.convert("RGB")
    assert image.size == (800, 500)
    assert image.getpixel((700, 100)) == (255, 0, 0) and image.getpixel((100, 450)) == (255, 0, 0)
    assert image.getpixel((10, 10)) != (255, 0, 0)
    assert open_image(fop("imageMogr2/extent/100x50", g_jpeg).path).size == (100, 50)


@pytest.mark.parametrize("value", ["400", "0x10", "x800", "10000x10"])
def test_a_bad_extent_is_refused(fop, g_jpeg, value):
    from qiniu_emulator.errors import QiniuError

    with pytest.raises(QiniuError) as caught:
        fop(f"imageMogr2/extent/{value}", g_jpeg)
    assert "extent" in caught.value.message
