"""``af``/``vf``: a strictly whitelisted subset of ffmpeg filter chains.

Qiniu documents no raw filter parameter, but users write ``af/volume=1.5``; the
emulator accepts ``af`` and ``vf`` as an extension. Only filters that cannot read files,
open devices or create sources are allowed, and arguments are restricted to plain
``key=value`` (or positional) tokens, so the text can never reach the filtergraph
parser as anything but option values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

AUDIO_FILTERS = frozenset({
    "volume", "afade", "atempo", "aresample", "loudnorm", "highpass", "lowpass",
    "bandpass", "equalizer", "dynaudnorm", "acompressor", "atrim", "aecho",
})
VIDEO_FILTERS = frozenset({
    "scale", "crop", "fps", "transpose", "hflip", "vflip", "fade", "pad", "rotate",
    "setsar", "setdar", "boxblur", "unsharp", "eq", "hue", "negate", "trim", "format",
})

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_VALUE = re.compile(r"[A-Za-z0-9_.+\-*/()]+")
MAX_STEPS = 16


@dataclass(frozen=True)
class FilterStep:
    """One filter of a chain: name, positional values, named values."""

    name: str
    args: tuple[str, ...] = ()
    kwargs: tuple[tuple[str, str], ...] = ()


def parse_chain(text: str, allowed: frozenset[str]) -> tuple[FilterStep, ...]:
    """Parse ``name=k=v:k=v,name2`` into steps; ValueError names what is not allowed."""
    parts = text.split(",")
    if len(parts) > MAX_STEPS:
        raise ValueError(f"at most {MAX_STEPS} filters may be chained")
    return tuple(_parse_step(part, allowed) for part in parts)


def _parse_step(text: str, allowed: frozenset[str]) -> FilterStep:
    name, _, rest = text.partition("=")
    if not _NAME.fullmatch(name):
        raise ValueError(f"{text!r} is not a filter such as volume=1.5")
    if name not in allowed:
        raise ValueError(f"filter {name!r} is not allowed; use one of {', '.join(sorted(allowed))}")
    args: list[str] = []
    kwargs: list[tuple[str, str]] = []
    for token in rest.split(":") if rest else []:
        key, sep, value = token.partition("=")
        if sep:
            if not _NAME.fullmatch(key) or not _VALUE.fullmatch(value):
                raise ValueError(f"bad option {token!r} of filter {name}")
            kwargs.append((key, value))
        elif kwargs or not _VALUE.fullmatch(token):
            raise ValueError(f"bad option {token!r} of filter {name}")
        else:
            args.append(token)
    return FilterStep(name, tuple(args), tuple(kwargs))


def apply_chain(stream: Any, steps: tuple[FilterStep, ...]) -> Any:
    """Append the steps to an ffmpeg-python stream."""
    for step in steps:
        stream = stream.filter(step.name, *step.args, **dict(step.kwargs))
    return stream
