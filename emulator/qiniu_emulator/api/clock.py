"""``/_emulator/clock``: read and move the emulated time (see ``clock.py``)."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, Response

from ..clock import Clock
from ..errors import QiniuError
from . import emulator, emulator_json, json_response

bp = Blueprint("clock", __name__, url_prefix="/_emulator")

MOVES = ("advance", "set", "reset")
SHAPE = 'the body must be one of {"advance": SECONDS}, {"set": UNIX_SECONDS} or {"reset": true}'
# Job times are kept in nanoseconds in 64-bit integers, which end in April 2262.
LATEST = 8_800_000_000  # 2248-11-12, unix seconds


def clock_json(clock: Clock) -> dict[str, Any]:
    now = clock.now()
    return {"now": round(now, 3), "iso": datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="seconds"),
            "offset": round(clock.offset, 3), "moved": clock.offset != 0}


@bp.route("/clock", methods=["GET"])
def read_clock() -> Response:
    return json_response(clock_json(emulator().clock))


@bp.route("/clock", methods=["POST"])
def move_clock() -> Response:
    """``{"advance": SECONDS}``, ``{"set": UNIX_SECONDS}`` or ``{"reset": true}``, as JSON
    (``emulator_json``). Lifecycle deletions that the move makes due happen before the answer.
    """
    body = emulator_json("the move", SHAPE)
    if not isinstance(body, dict) or len(body) != 1 or next(iter(body)) not in MOVES:
        raise QiniuError.bad_request(SHAPE)
    em = emulator()
    (move, value), = body.items()
    if move == "reset":
        if value is not True:
            raise QiniuError.bad_request(f'reset takes true ({{"reset": true}}), not {json.dumps(value)}')
        em.clock.reset()
    else:
        target = _finite(move, value) + (em.clock.now() if move == "advance" else 0.0)
        if not 0 <= target <= LATEST:
            raise QiniuError.bad_request(f"the clock can be moved to times from 1970 to 2248 "
                                         f"(unix seconds 0 to {LATEST}), not {target:.10g}")
        em.clock.set(target)
    em.storage.housekeep()
    return json_response(clock_json(em.clock))


def _finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise QiniuError.bad_request(f"{name} must be a number of seconds, not {value!r}")
    return float(value)
