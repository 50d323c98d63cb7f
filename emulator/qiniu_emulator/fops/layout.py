"""Gravity names and the rounding rule shared by image and video ops."""

from __future__ import annotations

import math

GRAVITIES = ("NorthWest", "North", "NorthEast", "West", "Center", "East",
             "SouthWest", "South", "SouthEast")


def round_half_up(value: float) -> int:
    """The spec's ``round``: ``floor(x + 0.5)``, never below 1 (every worked example needs it)."""
    return max(1, math.floor(value + 0.5))
