"""avthumb's legacy presets: ``avthumb/<device>`` and ``avthumb/m3u8/.../preset/<name>``.

A preset fills the parameters the user did not write; anything written wins (an ``aq``
replaces the preset's ``ab``, a written ``s`` replaces its size). Device presets come from
the 2013 avthumb reference's "视频转换预设集" (docs/fops.md §6.5, source avthumb-2013): their
size is a box the picture is shrunk to fit, never enlarged. The HLS presets come from the
segtime pages (sources seg-presets, presets-2013): the 16x9 and 4x3 ones force their
size, the others keep the source's aspect; ``audio_*`` drop the video.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .params import SizeSpec

DEVICE_SOURCE = ("https://github.com/qiniu/docs.qiniu.com/blob/e0061b870442c659dfeaa34c4787f451380c2570/"
                 "docs/v6/api/reference/fop/av/avthumb.md")
HLS_SOURCE = "https://github.com/lintianzhi/developer.qiniu.com/blob/master/docs/v6/api/reference/fop/av/segtime.md"


@dataclass(frozen=True)
class Preset:
    """Parameter values by ThumbArgs field, the container they go in, and where they are documented."""

    container: str
    values: MappingProxyType
    source: str


def _device(vb: str, ab: str, size: tuple[int, int] = (480, 320)) -> Preset:
    values: dict[str, Any] = {"vcodec": "libx264", "acodec": "libfaac", "vb": _rate(vb), "ab": _rate(ab),
                              "ar": 48000, "s": SizeSpec(size[0], size[1], ">"), "autoscale": True}
    return Preset("mp4", MappingProxyType(values), DEVICE_SOURCE)


def _hls(vb: str | None = None, size: tuple[int, int] | None = None, ab: str | None = None) -> Preset:
    values: dict[str, Any] = {}
    if vb is not None:
        values.update(vcodec="libx264", acodec="aac", vb=_rate(vb))
    if size is not None:
        values["s"] = SizeSpec(size[0], size[1])
    if ab is not None:
        values.update(acodec="aac", ab=_rate(ab), vn=True)
    return Preset("m3u8", MappingProxyType(values), HLS_SOURCE)


def _rate(text: str) -> int:
    return int(text.rstrip("k")) * 1000


# avthumb/<name>: the table of the 2013 reference (flash and webm are formats of their own).
DEVICE_PRESETS = MappingProxyType({
    "android_high": _device("700k", "128k"),
    "android_low": _device("96k", "64k"),
    "android": _device("512k", "128k"),
    "ipad_high": _device("1200k", "128k", (1024, 768)),
    "ipad_low": _device("512k", "128k", (1024, 768)),
    "ipad": _device("700k", "128k", (1024, 768)),
    "iphone_high": _device("700k", "128k"),
    "iphone_low": _device("96k", "64k"),
    "iphone": _device("512k", "128k"),
})

WIDE, STANDARD = (400, 224), (400, 300)
# avthumb/m3u8/preset/<name>: the segtime table; no audio_128k or video_16x9_1000k exists.
HLS_PRESETS = MappingProxyType({
    "audio_32k": _hls(ab="32k"), "audio_48k": _hls(ab="48k"), "audio_64k": _hls(ab="64k"),
    **{f"video_16x9_{rate}": _hls(rate, WIDE) for rate in ("150k", "240k", "440k", "640k")},
    **{f"video_4x3_{rate}": _hls(rate, STANDARD) for rate in ("150k", "240k", "440k", "640k")},
    **{f"video_{rate}": _hls(rate) for rate in ("150k", "240k", "440k", "640k", "1000k", "1500k")},
})

# A written parameter that replaces these preset values.
OVERRIDES = {"aq": ("ab",), "s": ("s", "autoscale"), "crf": ("vb",), "h264_crf": ("vb",)}
AUDIO_FIELDS = ("acodec", "ab", "ar")
VIDEO_FIELDS = ("vcodec", "vb", "s", "autoscale")


def apply_preset(args: Any, preset: Preset) -> Any:
    """``args`` (a ThumbArgs) with the preset's values where nothing was written."""
    skip: set[str] = set()
    for written, replaced in OVERRIDES.items():
        if getattr(args, written) not in (None, False):
            skip.update(replaced)
    if args.acodec == "copy" or args.an:
        skip.update(AUDIO_FIELDS)
    if args.vcodec == "copy" or args.vn:
        skip.update(VIDEO_FIELDS)
    filled = {name: value for name, value in preset.values.items()
              if name not in skip and getattr(args, name) in (None, False)}
    return dataclasses.replace(args, format=preset.container, **filled)
