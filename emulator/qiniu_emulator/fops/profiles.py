"""Encoder effort (``--encode``): how hard the encoders work on what the ops produce.

Outputs are checked by their properties (dimensions, codecs, durations, bitrates within
the requested limits, formats and quality settings), not by how well they compress, so
the fast profile asks every encoder for its quickest setting that keeps those properties.
``faithful`` keeps the slower settings whose file sizes are closer to a real encoder's.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class EncodeProfile:
    name: str
    x264_preset: str  # libx264 and libx265 ``-preset``
    vpx_realtime: bool  # libvpx(-vp9) ``-deadline realtime -cpu-used 8``
    webp_method: int  # Pillow's WebP ``method``, 0 (fastest) .. 6
    avif_speed: int  # Pillow's AVIF ``speed``, 0 .. 10 (fastest)


FAST = EncodeProfile("fast", x264_preset="ultrafast", vpx_realtime=True, webp_method=0, avif_speed=10)
FAITHFUL = EncodeProfile("faithful", x264_preset="veryfast", vpx_realtime=False, webp_method=4, avif_speed=6)
PROFILES = MappingProxyType({profile.name: profile for profile in (FAST, FAITHFUL)})


def profile_named(name: str) -> EncodeProfile:
    """The profile called ``name`` (``fast`` or ``faithful``)."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"encode profile must be one of {', '.join(PROFILES)}, not {name!r}") from None
