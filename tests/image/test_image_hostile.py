"""Hostile inputs: bombs, broken files, non-images, and parameters that must be refused."""

from __future__ import annotations

import pytest
from image_support import png_header_only

from qiniu_emulator.fops.execute import StageFailed
from qiniu_emulator.fops.parse import FopsError, parse_pipeline

OPS = ("imageView2/2/w/100", "imageMogr2/thumbnail/100x", "imageInfo", "imageAve", "exif")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("width, height, reason", [
    (40000, 100, "sides are limited to 30000 px"),
    (13000, 12000, "pixels > 150000000"),
    (29000, 29000, "image too large"),  # beyond Pillow's own bomb guard too
])
def test_decompression_bombs_refused_before_decoding(fop, tmp_path, width, height, reason):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(width, height))
    with pytest.raises(StageFailed, match=reason):
        fop("imageView2/2/w/100", path, mime="image/png")


@pytest.mark.parametrize("text", ["imageView2/2/w/100", "imageMogr2/thumbnail/100x", "imageAve",
                                  "watermark/2/text/aGk="])
def test_truncated_jpeg(fop, g_jpeg, tmp_path, text):
    path = tmp_path / "cut.jpg"
    path.write_bytes(g_jpeg.read_bytes()[: g_jpeg.stat().st_size // 2])
    with pytest.raises(StageFailed, match="not a valid image: truncated or corrupt"):
        fop(text, path)


@pytest.mark.parametrize("text", OPS)
def test_text_file_named_jpg(fop, tmp_path, text):
    path = tmp_path / "readme.jpg"
    path.write_text("this is plain text, not a picture\n" * 20)
    with pytest.raises(StageFailed, match="not a valid image"):
        fop(text, path)


def test_empty_file(fop, tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(StageFailed, match="source data is empty"):
        fop("imageView2/2/w/100", path)


def test_image_info_of_truncated_file_still_reads_header(fop, g_jpeg, tmp_path):
    import json

    path = tmp_path / "cut.jpg"
    path.write_bytes(g_jpeg.read_bytes()[:2000])
    info = json.loads(fop("imageInfo", path).path.read_text())
    assert (info["width"], info["height"]) == (640, 427)


@pytest.mark.parametrize("text", [
    "imageView2/2/w/0",
    "imageView2/2/w/0/h/0",
    "imageView2/2/w/-5",
    "imageView2/2/w/100000",
    "imageView2/6/w/100",
    "imageView2",
    "imageView2/2/w/abc",
    "imageView2/2/x/5",
    "imageView2/2/q/0",
    "imageView2/2/q/101",
    "imageView2/2/q/75!!",
    "imageView2/2/format/psd",
    "imageView2/2/interlace/2",
    "imageView2/2/ignore-error/2",
    "imageView2/2/w/",
    "imageMogr2/thumbnail/0x0",
    "imageMogr2/thumbnail/!0p",
    "imageMogr2/thumbnail/!1000p",
    "imageMogr2/thumbnail/-5x",
    "imageMogr2/thumbnail/abc",
    "imageMogr2/crop/0x0",
    "imageMogr2/crop/x",
    "imageMogr2/crop/!100x100",
    "imageMogr2/crop/100x100a1a1",
    "imageMogr2/crop/10000x10",
    "imageMogr2/rotate/-90",
    "imageMogr2/rotate/361",
    "imageMogr2/blur/0x1",
    "imageMogr2/blur/201x1",
    "imageMogr2/blur/5x0",
    "imageMogr2/blur/5x1/blurfast/2x1",
    "imageMogr2/blurfast/7x1",
    "imageMogr2/quality/0",
    "imageMogr2/size-limit/0k",
    "imageMogr2/size-limit/12g",
    "imageMogr2/background/!!!!",
    "imageMogr2/background/bm90YWNvbG91cg==",
    "imageMogr2/gravity/Middle/crop/10x10",
    "imageMogr2/extent/0x100",
    "imageMogr2/format/jpg/format/png",
    "imageMogr2/thumbnail",
    "imageMogr2/sharpen/5",
    "imageInfo/foo",
    "imageAve/1",
    "exif/x/y",
])
def test_bad_parameters_are_400_at_parse(registry, text):
    with pytest.raises(FopsError) as caught:
        parse_pipeline(text, registry)
    assert caught.value.status == 400
    assert "fops stage 0" in caught.value.message


def test_parse_error_names_the_segment(registry):
    with pytest.raises(FopsError) as caught:
        parse_pipeline("imageView2/2/w/200/colour/8", registry)
    assert "unknown parameter" in caught.value.message and "'colour'" in caught.value.message
