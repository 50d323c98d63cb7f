"""avthumb's arguments: ``avthumb/<format>`` then ``key/value`` pairs, checked together.

``<format>`` may also be a device preset (``iphone_low``) and ``avthumb/m3u8`` takes a
``preset`` (``video_640k``): their values fill what the user did not write (``presets``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..grammar import FopSyntaxError, arg, b64_text, float_range, int_range, one_of, params_of, parse_args, switch
from .filters import AUDIO_FILTERS, VIDEO_FILTERS, FilterStep, parse_chain
from .formats import AUDIO_CODECS, FORMATS, VIDEO_CODECS
from .naming import check_pattern
from .presets import DEVICE_PRESETS, HLS_PRESETS, apply_preset
from .params import (
    SizeSpec,
    aspect,
    b64_aes_key,
    b64_color,
    b64_line,
    b64_url,
    bitrate,
    frame_rate,
    gravity,
    positive_seconds,
    rotate_value,
    sample_rate,
    seconds,
    size_spec,
)

UNSUPPORTED = {
    "scodec": "subtitles are not supported by the emulator",
    "subtitle": "subtitles are not supported by the emulator",
}


def _chain(allowed: frozenset[str]):
    return lambda text: parse_chain(text, allowed)


def _pattern(text: str) -> str:
    return check_pattern(b64_text(text))


@dataclass(frozen=True)
class ThumbArgs:
    """Every avthumb parameter; None (or False for switches) means "not written"."""

    format: str = arg(one_of(*FORMATS, *DEVICE_PRESETS), "output format or device preset",
                      positional=True, required=True)
    ab: int | None = arg(bitrate, "audio bitrate (128k, 1.5m)")
    aq: int | None = arg(int_range(0, 500), "audio quality (mp3 0-9, aac 10-500)")
    ar: int | None = arg(sample_rate, "audio sample rate")
    ac: int | None = arg(int_range(1, 8), "audio channels")
    acodec: str | None = arg(one_of(*sorted(AUDIO_CODECS)), "audio codec")
    audio_profile: str | None = arg(one_of("aac_low", "aac_he", "aac_he_v2"), "AAC profile",
                                    name="audioProfile")
    vcodec: str | None = arg(one_of(*sorted(VIDEO_CODECS)), "video codec")
    vb: int | None = arg(bitrate, "video bitrate")
    r: float | None = arg(frame_rate, "frame rate")
    crf: int | None = arg(int_range(0, 51), "constant rate factor")
    h264_crf: int | None = arg(int_range(0, 51), "constant rate factor (x264)", name="h264Crf")
    s: SizeSpec | None = arg(size_spec(4096, 4096), "picture size <w>x<h>")
    autoscale: bool = arg(switch, "1 = fit inside s keeping the aspect", default=False)
    aspect: str | None = arg(aspect, "display aspect ratio 16:9")
    ss: float | None = arg(seconds, "start offset in seconds")
    t: float | None = arg(positive_seconds, "duration in seconds")
    an: bool = arg(switch, "1 = drop the audio", default=False)
    vn: bool = arg(switch, "1 = drop the video", default=False)
    stripmeta: bool = arg(switch, "1 = drop the metadata", default=False)
    rotate: str | None = arg(rotate_value, "90, 180, 270 or auto")
    write_xing: bool | None = arg(switch, "0 = no Xing header in mp3", name="writeXing")
    wm_image: str | None = arg(b64_url, "URL of an image watermark", name="wmImage")
    wm_gravity: str | None = arg(gravity, "anchor of the image watermark", name="wmGravity")
    wm_offset_x: int = arg(int_range(-4096, 4096), "watermark x offset", name="wmOffsetX", default=0)
    wm_offset_y: int = arg(int_range(-4096, 4096), "watermark y offset", name="wmOffsetY", default=0)
    wm_text: str | None = arg(b64_text, "text watermark", name="wmText")
    wm_gravity_text: str | None = arg(gravity, "anchor of the text watermark", name="wmGravityText")
    wm_font: str | None = arg(b64_text, "font of the text watermark", name="wmFont")
    wm_font_color: str | None = arg(b64_color, "colour of the text watermark", name="wmFontColor")
    wm_font_size: int | None = arg(int_range(20, 20000), "text size in twips", name="wmFontSize")
    af: tuple[FilterStep, ...] = arg(_chain(AUDIO_FILTERS), "audio filters (whitelisted)", default=())
    vf: tuple[FilterStep, ...] = arg(_chain(VIDEO_FILTERS), "video filters (whitelisted)", default=())
    segtime: float | None = arg(float_range(5, 120), "HLS segment seconds")
    no_domain: bool = arg(switch, "HLS: segment URIs without a domain", name="noDomain", default=False)
    hls_key: bytes | None = arg(b64_aes_key, "HLS AES-128 key", name="hlsKey")
    hls_key_type: str | None = arg(one_of("0"), "HLS key type", name="hlsKeyType")
    hls_key_url: str | None = arg(b64_line, "HLS key URL", name="hlsKeyUrl")
    pattern: str | None = arg(_pattern, "HLS segment key pattern with $(count)")
    save_pattern: str | None = arg(_pattern, "HLS segment key pattern with $(count)", name="savePattern")
    preset: str | None = arg(one_of(*HLS_PRESETS), "HLS preset: video_640k, video_16x9_440k, audio_32k, ...")

    def check(self) -> None:
        """Cross-parameter rules; FopSyntaxError names the culprit."""
        for a, b in (("ab", "aq"), ("crf", "h264_crf"), ("pattern", "save_pattern")):
            if self._given(a) and self._given(b):
                raise FopSyntaxError(f"{WIRE[a]} and {WIRE[b]} are mutually exclusive", WIRE[b])
        if self.format != "m3u8":
            for name in HLS_ONLY:
                if self._given(name):
                    raise FopSyntaxError(f"{WIRE[name]} applies only to avthumb/m3u8", WIRE[name])
        if (self.hls_key is None) != (self.hls_key_url is None):
            culprit = "hlsKey" if self.hls_key is not None else "hlsKeyUrl"
            raise FopSyntaxError("hlsKey and hlsKeyUrl must be given together", culprit)
        for codec, names in (("vcodec", VIDEO_FILTER_PARAMS), ("acodec", AUDIO_FILTER_PARAMS)):
            if getattr(self, codec) == "copy":
                clash = next((n for n in names if self._given(n)), None)
                if clash:
                    raise FopSyntaxError(f"{WIRE[clash]} needs re-encoding and cannot be used with "
                                         f"{codec}/copy", WIRE[clash])
        if self.an and self.vn:
            raise FopSyntaxError("an/1 and vn/1 together leave nothing to encode", "vn")

    def _given(self, name: str) -> bool:
        return getattr(self, name) not in (None, False, ())

    @property
    def crf_value(self) -> int | None:
        return self.crf if self.crf is not None else self.h264_crf

    @property
    def segment_pattern(self) -> str | None:
        return self.save_pattern or self.pattern


WIRE = {attr: param.name for attr, param in params_of(ThumbArgs)}
HLS_ONLY = ("segtime", "no_domain", "hls_key", "hls_key_type", "hls_key_url", "pattern", "save_pattern",
            "preset")
VIDEO_FILTER_PARAMS = ("s", "rotate", "vf", "wm_image", "wm_text", "r", "aspect")
AUDIO_FILTER_PARAMS = ("af", "ab", "aq", "ar", "ac", "audio_profile")


def parse_avthumb(segments: list[str]) -> ThumbArgs:
    """Parse and cross-check avthumb's parameters."""
    for name in segments[1::2]:
        if name in UNSUPPORTED:
            raise FopSyntaxError(UNSUPPORTED[name], name)
    args = parse_args(ThumbArgs, segments)
    preset = DEVICE_PRESETS.get(args.format) or (HLS_PRESETS[args.preset] if args.preset else None)
    if preset is None:
        return args
    args = apply_preset(args, preset)
    args.check()
    return args
