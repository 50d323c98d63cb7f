"""Colour values of the image ops: named colours and ``#RRGGBB`` / ``#RRGGBBAA``."""

from __future__ import annotations

import re

RGBA = tuple[int, int, int, int]

# The names docs/fops.md §3.6 lists for imageMogr2 background; watermark fill accepts the same.
NAMED_COLOURS: dict[str, RGBA] = {
    "transparent": (0, 0, 0, 0),
    "none": (0, 0, 0, 0),
    "white": (255, 255, 255, 255),
    "black": (0, 0, 0, 255),
    "red": (255, 0, 0, 255),
    "orange": (255, 165, 0, 255),
    "yellow": (255, 255, 0, 255),
    "green": (0, 128, 0, 255),
    "blue": (0, 0, 255, 255),
    "purple": (128, 0, 128, 255),
    "gray": (126, 126, 126, 255),
    "grey": (126, 126, 126, 255),
    "pink": (255, 192, 203, 255),
}

_HEX = re.compile(r"#?([0-9a-fA-F]{6})([0-9a-fA-F]{2})?")


def parse_colour(text: str) -> RGBA:
    """A colour name or hex value; ``ValueError`` names the bad text."""
    named = NAMED_COLOURS.get(text.strip().lower())
    if named is not None:
        return named
    match = _HEX.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a colour name or #RRGGBB")
    rgb, alpha = match.group(1), match.group(2) or "ff"
    return int(rgb[0:2], 16), int(rgb[2:4], 16), int(rgb[4:6], 16), int(alpha, 16)


def b64_colour(text: str) -> RGBA:
    """A URL-safe base64 parameter carrying a colour (imageMogr2 background, watermark fill)."""
    from ...encoding import b64_decode_text

    return parse_colour(b64_decode_text(text))
