"""Typed converters for audio/video op parameters (each raises ValueError on bad text)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ...encoding import b64_decode, b64_decode_text
from ..layout import GRAVITIES
from ..grammar import float_range, one_of

MAX_BITRATE = 100_000_000
SAMPLE_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000)
URL_SCHEMES = ("kodo://", "http://", "https://")

rotate_value = one_of("90", "180", "270", "auto")
seconds = float_range(0, 86400 * 7)
gravity = one_of(*GRAVITIES)


def bitrate(text: str) -> int:
    """``64k``, ``1.25m``, ``5m`` or plain bits per second -> bits per second."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text)
    if not match:
        raise ValueError(f"{text!r} is not a bitrate such as 128k or 1.5m")
    value = float(match[1]) * {"": 1, "k": 1000, "m": 1_000_000}[match[2].lower()]
    if not 1000 <= value <= MAX_BITRATE:
        raise ValueError(f"{text} is outside 1k..100m")
    return int(value)


def positive_seconds(text: str) -> float:
    value = seconds(text)
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def sample_rate(text: str) -> int:
    if not text.isdigit() or int(text) not in SAMPLE_RATES:
        raise ValueError(f"{text!r} is not one of {', '.join(map(str, SAMPLE_RATES))}")
    return int(text)


def frame_rate(text: str) -> float:
    value = float_range(0, 120)(text)
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


@dataclass(frozen=True)
class SizeSpec:
    """``s/<w>x<h>`` with an optional ``>`` (only shrink) or ``<`` (only enlarge)."""

    width: int | None
    height: int | None
    only: str = ""


def size_spec(max_w: int = 3840, max_h: int = 3840, allow_missing: bool = False
              ) -> Callable[[str], SizeSpec]:
    def convert(text: str) -> SizeSpec:
        match = re.fullmatch(r"(\d*)x(\d*)([<>]?)", text)
        if not match or (not allow_missing and not (match[1] and match[2])):
            raise ValueError(f"{text!r} is not a size like 640x360")
        w, h = (int(match[1]) if match[1] else None), (int(match[2]) if match[2] else None)
        for side, limit in ((w, max_w), (h, max_h)):
            if side is not None and not 1 <= side <= limit:
                raise ValueError(f"{side} is outside 1..{limit}")
        return SizeSpec(w, h, match[3])

    return convert


def aspect(text: str) -> str:
    match = re.fullmatch(r"(\d{1,5})[:/](\d{1,5})", text)
    if not match or int(match[1]) == 0 or int(match[2]) == 0:
        raise ValueError(f"{text!r} is not an aspect ratio like 16:9")
    return f"{match[1]}:{match[2]}"


def b64_url(text: str) -> str:
    """A URL-safe base64 URL of a kind the emulator can fetch."""
    url = b64_decode_text(text)
    if not url.startswith(URL_SCHEMES):
        raise ValueError(f"{url[:60]!r} is not a kodo://, http:// or https:// URL")
    return url


def b64_line(text: str) -> str:
    """Base64 text that must be one printable line (it is written into ffmpeg's key info)."""
    line = b64_decode_text(text)
    if not line.isprintable():
        raise ValueError("must be a single line of printable text")
    return line


def b64_aes_key(text: str) -> bytes:
    key = b64_decode(text)
    if len(key) != 16:
        raise ValueError(f"an AES-128 key has 16 bytes, this one has {len(key)}")
    return key


def b64_color(text: str) -> str:
    """A colour name or ``#RRGGBB[AA]`` (as drawtext understands it), base64-encoded."""
    color = b64_decode_text(text)
    if not re.fullmatch(r"#?[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?|[A-Za-z]{3,20}", color):
        raise ValueError(f"{color!r} is not a colour like #FF0000 or red")
    return color


h264_level = one_of("3.0", "3.1", "4.0", "4.1", "4.2")
wm_scale_type = one_of("0", "1")
subtitle_codec = one_of("mov_text", "srt", "ass", "webvtt")
EMBED = "embed"
END = "$(end)"
MAX_WM_SECONDS = 180_000


def volume(text: str) -> str:
    """``1.5`` (a multiplier, 0..10) or ``-5dB`` / ``5dB`` (a change in decibels, -60..60)."""
    match = re.fullmatch(r"(-?\d+(?:\.\d+)?)(dB)?", text)
    if not match:
        raise ValueError(f"{text!r} is not a volume such as 1.5 or -5dB")
    value = float(match[1])
    if match[2]:
        if not -60 <= value <= 60:
            raise ValueError(f"{text} is outside -60dB..60dB")
        return f"{value:g}dB"
    if not 0 <= value <= 10:
        raise ValueError(f"{text} is outside 0..10")
    return f"{value:g}"


def fraction(text: str) -> float:
    """A number in (0, 1] with at most three decimals (wmScale, wmAlpha)."""
    if not re.fullmatch(r"(0|1)(\.\d{1,3})?", text):
        raise ValueError(f"{text!r} is not a number in (0, 1] with up to 3 decimals")
    value = float(text)
    if not 0 < value <= 1:
        raise ValueError(f"{text} is outside (0, 1]")
    return value


def wm_position(text: str) -> int | str:
    """When a watermark appears: whole seconds, or ``$(end)`` (then wmDuration counts back)."""
    if text == END:
        return END
    if not text.isdigit() or int(text) > MAX_WM_SECONDS:
        raise ValueError(f"{text!r} is not whole seconds 0..{MAX_WM_SECONDS} or $(end)")
    return int(text)


def subtitle_source(text: str) -> str:
    """``embed`` (the source's own subtitle stream) or the URL of an srt/ass/mkv file, base64
    encoded like every subtitle value; a bare ``embed`` is accepted too."""
    if text == EMBED or b64_decode_text(text) == EMBED:
        return EMBED
    return b64_url(text)


def smt_enhance(text: str) -> str:
    if text != "0":
        raise ValueError("only 0 (off) is emulated: the emulator does not enhance video")
    return text
