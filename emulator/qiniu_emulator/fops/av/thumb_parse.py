"""avthumb's grammar: ``avthumb/<format>`` then ``key/value`` pairs, checked together."""

from __future__ import annotations

from typing import Any

from ..registry import FopSyntaxError, Param, Schema, b64_text, float_range, int_range, one_of
from .filters import AUDIO_FILTERS, VIDEO_FILTERS, parse_chain
from .formats import AUDIO_CODECS, FORMATS, VIDEO_CODECS
from .naming import check_pattern
from .params import (
    aspect,
    b64_aes_key,
    b64_color,
    b64_line,
    b64_url,
    bitrate,
    flag01,
    frame_rate,
    gravity,
    positive_seconds,
    rotate_value,
    sample_rate,
    seconds,
    size_spec,
)

HLS_ONLY = ("segtime", "noDomain", "hlsKey", "hlsKeyType", "hlsKeyUrl", "pattern", "savePattern")
UNSUPPORTED = {
    "scodec": "subtitles are not supported by the emulator",
    "subtitle": "subtitles are not supported by the emulator",
}
VIDEO_FILTER_PARAMS = ("s", "rotate", "vf", "wmImage", "wmText", "r", "aspect")
AUDIO_FILTER_PARAMS = ("af", "ab", "aq", "ar", "ac", "audioProfile")


def _chain(allowed: frozenset[str]):
    return lambda text: parse_chain(text, allowed)


def _pattern(text: str) -> str:
    return check_pattern(b64_text(text))


SCHEMA = Schema(
    positional=(Param("format", one_of(*FORMATS)),),
    pairs=(
        Param("ab", bitrate), Param("aq", int_range(0, 500)), Param("ar", sample_rate),
        Param("ac", int_range(1, 8)), Param("acodec", one_of(*sorted(AUDIO_CODECS))),
        Param("audioProfile", one_of("aac_low", "aac_he", "aac_he_v2")),
        Param("vcodec", one_of(*sorted(VIDEO_CODECS))), Param("vb", bitrate),
        Param("r", frame_rate), Param("crf", int_range(0, 51)), Param("h264Crf", int_range(0, 51)),
        Param("s", size_spec(4096, 4096)), Param("autoscale", flag01), Param("aspect", aspect),
        Param("ss", seconds), Param("t", positive_seconds),
        Param("an", flag01), Param("vn", flag01), Param("stripmeta", flag01),
        Param("rotate", rotate_value), Param("writeXing", flag01),
        Param("wmImage", b64_url), Param("wmGravity", gravity),
        Param("wmOffsetX", int_range(-4096, 4096)), Param("wmOffsetY", int_range(-4096, 4096)),
        Param("wmText", b64_text), Param("wmGravityText", gravity), Param("wmFont", b64_text),
        Param("wmFontColor", b64_color), Param("wmFontSize", int_range(20, 20000)),
        Param("af", _chain(AUDIO_FILTERS)), Param("vf", _chain(VIDEO_FILTERS)),
        Param("segtime", float_range(5, 120)), Param("noDomain", flag01),
        Param("hlsKey", b64_aes_key), Param("hlsKeyType", one_of("0")),
        Param("hlsKeyUrl", b64_line), Param("pattern", _pattern), Param("savePattern", _pattern),
    ),
)


def parse_avthumb(segments: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Parse and cross-check avthumb's parameters; FopSyntaxError names the culprit."""
    for name in segments[1::2]:
        if name in UNSUPPORTED:
            raise FopSyntaxError(UNSUPPORTED[name], name)
    args, order = SCHEMA.parse(segments)
    _check_combinations(args)
    return args, order


def _check_combinations(args: dict[str, Any]) -> None:
    exclusive = (("ab", "aq"), ("crf", "h264Crf"), ("pattern", "savePattern"))
    for a, b in exclusive:
        if a in args and b in args:
            raise FopSyntaxError(f"{a} and {b} are mutually exclusive", b)
    if args["format"] != "m3u8":
        for name in HLS_ONLY:
            if name in args:
                raise FopSyntaxError(f"{name} applies only to avthumb/m3u8", name)
    if ("hlsKey" in args) != ("hlsKeyUrl" in args):
        raise FopSyntaxError("hlsKey and hlsKeyUrl must be given together",
                             "hlsKey" if "hlsKey" in args else "hlsKeyUrl")
    for codec, params in (("vcodec", VIDEO_FILTER_PARAMS), ("acodec", AUDIO_FILTER_PARAMS)):
        if args.get(codec) == "copy":
            clash = next((p for p in params if p in args), None)
            if clash:
                raise FopSyntaxError(f"{clash} needs re-encoding and cannot be used with {codec}/copy", clash)
    if args.get("an") == "1" and args.get("vn") == "1":
        raise FopSyntaxError("an/1 and vn/1 together leave nothing to encode", "vn")
