"""imageInfo, exif, imageAve: docs/fops.md §5 and vectors 42-44 of docs/fops.md §12."""

from __future__ import annotations

import json
import re

import pytest
from image_support import animation, save_jpeg, with_exif
from PIL import Image, TiffImagePlugin

from qiniu_emulator.fops.execute import StageFailed


def as_json(result) -> dict:
    assert result.mime == "application/json"
    return json.loads(result.path.read_text())


def test_image_info_of_jpeg(fop, g_jpeg):
    info = as_json(fop("imageInfo", g_jpeg))  # vector 42
    assert set(info) == {"size", "format", "width", "height", "colorModel"}
    assert (info["format"], info["width"], info["height"]) == ("jpeg", 640, 427)
    assert info["size"] == g_jpeg.stat().st_size
    assert info["colorModel"] == "ycbcr"


@pytest.mark.parametrize("mode, fmt, model", [
    ("RGB", "PNG", "rgb"), ("RGBA", "PNG", "nrgba"), ("L", "PNG", "gray"),
    ("L", "JPEG", "gray"), ("CMYK", "JPEG", "cmyk"), ("RGB", "BMP", "rgb"),
    ("RGB", "WEBP", "rgb"), ("RGBA", "WEBP", "nrgba"), ("I;16", "PNG", "gray16"),
])
def test_color_models(fop, tmp_path, mode, fmt, model):
    path = tmp_path / f"m.{fmt.lower()}"
    Image.new(mode, (20, 10)).save(path, fmt)
    info = as_json(fop("imageInfo", path))
    assert info["colorModel"] == model
    assert info["format"] == fmt.lower()


def test_palette_png_and_gif_frames(fop, tmp_path):
    path = tmp_path / "p.png"
    Image.new("RGB", (20, 10), "red").convert("P", palette=Image.Palette.ADAPTIVE, colors=16).save(path)
    assert as_json(fop("imageInfo", path))["colorModel"].startswith("palette")
    gif = animation(tmp_path / "a.gif", [(255, 0, 0), (0, 255, 0), (0, 0, 255)])
    info = as_json(fop("imageInfo", gif))
    assert info["format"] == "gif" and info["frameNumber"] == 3
    assert "frameNumber" not in as_json(fop("imageInfo", path))


def test_orientation_reported_when_present(fop, g_jpeg, tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "o6.jpg"
    path.write_bytes(with_exif(g_jpeg.read_bytes(), exif))
    info = as_json(fop("imageInfo", path))
    assert info["orientation"] == "Right-top"
    assert (info["width"], info["height"]) == (640, 427)  # stored size, not rotated


def test_image_ave_format(fop, g_jpeg):
    ave = as_json(fop("imageAve", g_jpeg))  # vector 43
    assert set(ave) == {"RGB"} and re.fullmatch(r"0x[0-9a-f]{6}", ave["RGB"])


def test_image_ave_value(fop, tmp_path):
    path = tmp_path / "halves.png"
    image = Image.new("RGB", (100, 100), (255, 0, 0))
    image.paste((0, 0, 255), (50, 0, 100, 100))
    image.save(path)
    assert as_json(fop("imageAve", path)) == {"RGB": "0x800080"}
    clear = tmp_path / "clear.png"
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(clear)
    assert as_json(fop("imageAve", clear)) == {"RGB": "0xffffff"}  # alpha over white


def test_image_ave_of_large_jpeg_uses_the_whole_picture(fop, tmp_path):
    path = tmp_path / "ave.jpg"
    image = Image.new("RGB", (2000, 1000), (0, 0, 0))
    image.paste((200, 200, 200), (1000, 0, 2000, 1000))
    save_jpeg(image, path, quality=95)
    value = int(as_json(fop("imageAve", path))["RGB"][2:4], 16)
    assert abs(value - 100) <= 2


def test_exif_missing(fop, tmp_path):
    path = tmp_path / "plain.png"
    Image.new("RGB", (10, 10)).save(path)
    with pytest.raises(StageFailed) as caught:  # vector 44
        fop("exif", path, mime="image/png")
    assert caught.value.message == "no exif data"


def test_exif_tags_with_types(fop, g_jpeg, tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "QiniuCam"                      # Make, ASCII
    exif[0x0112] = 1                               # Orientation, SHORT
    sub = exif.get_ifd(0x8769)
    sub[0x829A] = TiffImagePlugin.IFDRational(1, 50)   # ExposureTime
    sub[0x829D] = TiffImagePlugin.IFDRational(28, 10)  # FNumber
    sub[0x8827] = 3200                                 # ISOSpeedRatings
    path = tmp_path / "camera.jpg"
    path.write_bytes(with_exif(g_jpeg.read_bytes(), exif))
    tags = as_json(fop("exif", path))
    assert tags["Make"] == {"type": 2, "val": "QiniuCam"}
    assert tags["Orientation"] == {"type": 3, "val": "1"}
    assert tags["ExposureTime"] == {"type": 5, "val": "1/50 sec."}
    assert tags["FNumber"]["val"] == "f/2.8"
    assert tags["ISOSpeedRatings"] == {"type": 3, "val": "3200"}


def test_info_ops_on_non_images_fail_clearly(fop, tmp_path):
    path = tmp_path / "x.jpg"
    path.write_text("hello")
    for name in ("imageInfo", "exif", "imageAve"):
        with pytest.raises(StageFailed, match="not a valid image"):
            fop(name, path)
