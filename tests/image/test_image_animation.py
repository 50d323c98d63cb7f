"""Animated GIF and WebP sources: frames, timing and frame-count limits (docs/fops.md §2.1, §3.2)."""

from __future__ import annotations

import pytest
from image_support import animation, open_image
from PIL import Image, ImageSequence

from qiniu_emulator.fops.execute import StageFailed

COLOURS = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]


def frames_of(path) -> list[Image.Image]:
    with Image.open(path) as image:
        return [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]


@pytest.fixture
def gif(tmp_path):
    return animation(tmp_path / "a.gif", COLOURS)


@pytest.fixture
def webp(tmp_path):
    return animation(tmp_path / "a.webp", COLOURS, fmt="WEBP")


def test_gif_resize_keeps_every_frame(fop, gif):
    result = fop("imageView2/2/w/30", gif, mime="image/gif")
    frames = frames_of(result.path)
    assert result.mime == "image/gif" and len(frames) == 3
    assert all(frame.size == (30, 20) for frame in frames)
    assert [frame.getpixel((15, 10)) for frame in frames] == COLOURS
    assert open_image(result.path).info.get("duration") == 80


def test_webp_thumbnail_keeps_animation(fop, webp):
    result = fop("imageMogr2/thumbnail/!50p", webp, mime="image/webp")
    frames = frames_of(result.path)
    assert result.mime == "image/webp" and len(frames) == 3
    assert frames[0].size == (30, 20)
    red, green, blue = frames[2].getpixel((15, 10))
    assert blue > 200 and red < 40


def test_gif_to_webp_stays_animated(fop, gif):
    frames = frames_of(fop("imageView2/2/w/30/format/webp", gif, mime="image/gif").path)
    assert len(frames) == 3


def test_gif_to_jpg_takes_first_frame(fop, gif):
    image = open_image(fop("imageView2/2/format/jpg", gif, mime="image/gif").path)
    assert image.format == "JPEG" and image.getpixel((30, 20))[0] > 200


def test_animation_rotates_only_by_right_angles(fop, gif):
    frames = frames_of(fop("imageMogr2/rotate/90", gif, mime="image/gif").path)
    assert len(frames) == 3 and frames[0].size == (40, 60)
    with pytest.raises(StageFailed, match="only be rotated by 90, 180 or 270"):
        fop("imageMogr2/rotate/45", gif, mime="image/gif")


def test_watermark_on_every_frame(fop, gif, tmp_path, resolver):
    mark = tmp_path / "w.png"
    Image.new("RGB", (10, 10), (255, 255, 255)).save(mark)
    resolver.files["http://marks.test/w.png"] = mark
    from qiniu_emulator.encoding import b64_encode

    text = f"watermark/1/image/{b64_encode('http://marks.test/w.png')}/gravity/NorthWest/dx/0/dy/0"
    frames = frames_of(fop(text, gif, mime="image/gif").path)
    assert len(frames) == 3
    assert all(frame.getpixel((5, 5)) == (255, 255, 255) for frame in frames)
    assert [frame.getpixel((40, 30)) for frame in frames] == COLOURS


def test_frame_limits_on_download_urls(fop, tmp_path):
    many = animation(tmp_path / "many.gif", [(i % 256, 0, 0) for i in range(201)], size=(4, 4))
    with pytest.raises(StageFailed, match="too many frames: 201 > 200"):
        fop("imageView2/2/w/2", many, mime="image/gif", sync=True)
    # imageMogr2 hands such an animation back unchanged (docs/fops.md §3.2).
    result = fop("imageMogr2/thumbnail/2x", many, mime="image/gif", sync=True)
    assert result.path == many and result.mime == "image/gif"
    # Persistent jobs allow up to 500 frames.
    assert len(frames_of(fop("imageView2/2/w/2", many, mime="image/gif").path)) == 201


def test_webp_frame_limit_is_50_on_download_urls(fop, tmp_path):
    # Colours far apart, so the WebP encoder cannot merge neighbouring frames.
    colours = [((i * 37) % 256, (i * 91) % 256, (i * 53) % 256) for i in range(51)]
    many = animation(tmp_path / "many.webp", colours, size=(4, 4), fmt="WEBP")
    with Image.open(many) as written:
        assert written.n_frames == 51
    with pytest.raises(StageFailed, match="too many frames: 51 > 50"):
        fop("imageView2/2/w/2", many, mime="image/webp", sync=True)
