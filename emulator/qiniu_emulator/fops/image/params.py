"""Typed converters for image op parameters. Each raises ``ValueError`` naming the bad text,
which the parser turns into a ``FopSyntaxError`` (HTTP 400 at submit)."""

from __future__ import annotations

import re

from ..layout import GRAVITIES
from ..grammar import one_of
from .encode import FORMAT_NAMES, SizeLimit
from .geometry import CropSpec, Thumbnail

format_name = one_of(*FORMAT_NAMES)
gravity = one_of(*GRAVITIES)

MAX_THUMBNAIL_SIDE = 100_000
MAX_CROP_SIDE = 9999


def _bounded(text: str, lo: int, hi: int, what: str) -> int:
    value = int(text)
    if not lo <= value <= hi:
        raise ValueError(f"{what} {value} is out of range {lo}..{hi}")
    return value


_THUMBNAIL_SYNTAX = (
    (r"!(\d+)p", "percent"),
    (r"!(\d+)px", "percent_w"),
    (r"!x(\d+)p", "percent_h"),
    (r"(\d+)x", "width"),
    (r"x(\d+)", "height"),
    (r"(\d+)x(\d+)", "fit"),
    (r"!(\d+)x(\d+)r", "cover"),
    (r"(\d+)x(\d+)!", "exact"),
    (r"(\d+)x(\d+)>", "shrink"),
    (r"(\d+)x(\d+)<", "enlarge"),
    (r"(\d+)@", "area"),
)


def thumbnail(text: str) -> Thumbnail:
    """One of the ``thumbnail/`` syntaxes of docs/fops.md §3.3."""
    for regex, kind in _THUMBNAIL_SYNTAX:
        match = re.fullmatch(regex, text)
        if match is None:
            continue
        if kind.startswith("percent"):
            return Thumbnail(kind, _bounded(match.group(1), 1, 999, "percentage"))
        if kind == "area":
            return Thumbnail(kind, _bounded(match.group(1), 1, 10 ** 10, "area"))
        values = [_bounded(g, 1, MAX_THUMBNAIL_SIDE, "side") for g in match.groups()]
        return Thumbnail(kind, *values)
    raise ValueError(f"{text!r} is not a thumbnail geometry")


_CROP = re.compile(r"(?P<bang>!)?(?P<w>\d*)x(?P<h>\d*)"
                   r"(?:(?P<sx>[a-])(?P<dx>\d+)(?P<sy>[a-])(?P<dy>\d+))?")


def extent(text: str) -> tuple[int, int]:
    """``<w>x<h>``: the canvas size of imageMogr2 ``extent`` (docs/fops.md §3.4)."""
    match = re.fullmatch(r"(\d+)x(\d+)", text)
    if match is None:
        raise ValueError(f"{text!r} is not an extent geometry <width>x<height>")
    return (_bounded(match.group(1), 1, MAX_CROP_SIDE, "width"),
            _bounded(match.group(2), 1, MAX_CROP_SIDE, "height"))


def crop(text: str) -> CropSpec:
    """``<w>x``, ``x<h>``, ``<w>x<h>`` or ``!<w>x<h>a<dx>-<dy>`` (a = +, - = -)."""
    match = _CROP.fullmatch(text)
    if match is None or not (match["w"] or match["h"]) or bool(match["bang"]) != bool(match["sx"]):
        raise ValueError(f"{text!r} is not a crop geometry")
    width = _bounded(match["w"], 1, MAX_CROP_SIDE, "width") if match["w"] else None
    height = _bounded(match["h"], 1, MAX_CROP_SIDE, "height") if match["h"] else None
    if not match["bang"]:
        return CropSpec(width, height)
    dx = int(match["dx"]) * (1 if match["sx"] == "a" else -1)
    dy = int(match["dy"]) * (1 if match["sy"] == "a" else -1)
    if max(abs(dx), abs(dy)) > 100_000:
        raise ValueError("crop offset is out of range")
    return CropSpec(width, height, dx, dy)


def blur(text: str) -> tuple[int, float]:
    """``<radius>x<sigma>``: radius 1-200, sigma in (0, 1024]."""
    return _count_by_sigma(text, "radius", 200)


def blurfast(text: str) -> tuple[int, float]:
    """``<steps>x<sigma>``: steps 1-6, sigma in (0, 1024]."""
    return _count_by_sigma(text, "steps", 6)


def _count_by_sigma(text: str, name: str, most: int) -> tuple[int, float]:
    match = re.fullmatch(r"(\d+)x(\d+(?:\.\d+)?)", text)
    if match is None:
        raise ValueError(f"{text!r} is not <{name}>x<sigma>")
    count = _bounded(match.group(1), 1, most, name)
    sigma = float(match.group(2))
    if not 0 < sigma <= 1024:
        raise ValueError(f"sigma {sigma} is out of range (0, 1024]")
    return count, sigma


def size_limit(text: str) -> SizeLimit:
    """``<n>k``, ``<n>m`` or ``$(fsize)`` (the input's size), each with an optional ``!``."""
    force = text.endswith("!")
    body = text[:-1] if force else text
    if body in ("$(fsize)", "${fsize}"):
        return SizeLimit(None, force)
    match = re.fullmatch(r"(\d{1,7})([km])", body)
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not <n>k, <n>m or $(fsize), optionally with '!'")
    unit = 1024 if match.group(2) == "k" else 1024 * 1024
    return SizeLimit(int(match.group(1)) * unit, force)
