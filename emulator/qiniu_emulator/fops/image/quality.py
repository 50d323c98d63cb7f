"""Output quality: the ``q``/``quality`` parameter, defaults, and docs/fops.md §3.7's correction.

For a JPEG source without ``!`` the requested quality is capped by a "correction" that
grows with the shrink factor: ``corr = Qsrc * sqrt(Asrc / Adst)``, itself capped at 90
when ``Qsrc <= 90``. ``Qsrc`` is estimated by matching the source's luminance
quantisation table against the IJG reference table scaled for each quality 1..100.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

DEFAULT_QUALITY = 75
FORMAT_DEFAULT_QUALITY = {"heic": 35, "avif": 50}

# IJG (libjpeg) reference luminance table, natural (row-major) order: Pillow's order too.
_IJG_LUMINANCE = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)


@dataclass(frozen=True)
class Quality:
    """A requested quality; ``exact`` is the ``!`` suffix (use verbatim)."""

    value: int
    exact: bool = False


def parse_quality(text: str) -> Quality:
    """``75`` or ``75!``, 1..100; ``ValueError`` otherwise."""
    match = re.fullmatch(r"(\d{1,3})(!?)", text)
    if match is None or not 1 <= int(match.group(1)) <= 100:
        raise ValueError(f"{text!r} is not a quality 1-100 with an optional '!'")
    return Quality(int(match.group(1)), bool(match.group(2)))


def ijg_table(quality: int) -> list[int]:
    """The reference luminance table as libjpeg scales it for ``quality`` (baseline clamp)."""
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return [min(255, max(1, (base * scale + 50) // 100)) for base in _IJG_LUMINANCE]


def estimate_jpeg_quality(luminance: Sequence[int]) -> int:
    """The IJG quality whose table is closest to ``luminance`` (64 values, natural order)."""
    # The table's overall scale gives the quality almost exactly; search its neighbourhood.
    # Low qualities clamp entries at 255, which hides part of the scale: search all of them.
    scale = 100 * sum(luminance) / sum(_IJG_LUMINANCE)
    guess = round(5000 / scale) if scale > 100 else round((200 - scale) / 2)
    low = 1 if guess <= 20 else guess - 3
    nearby = range(low, min(100, guess + 3) + 1)

    def distance(quality: int) -> int:
        return sum(abs(a - b) for a, b in zip(ijg_table(quality), luminance))

    return min(nearby, key=lambda q: (distance(q), -q))


def effective_quality(fmt: str, requested: Quality | None, source_quality: int | None,
                      source_area: int, output_area: int) -> int:
    """The quality to encode with, after defaults and the JPEG-source correction."""
    base = requested.value if requested else FORMAT_DEFAULT_QUALITY.get(fmt, DEFAULT_QUALITY)
    if (requested and requested.exact) or source_quality is None:
        return base
    correction = source_quality * math.sqrt(source_area / max(1, output_area))
    if source_quality <= 90:
        correction = min(90.0, correction)
    return max(1, min(base, int(correction + 0.5)))
