"""rs / rsf: stat, delete, copy, move, chgm, chtype, chstatus, deleteAfterDays, lifecycle, batch, list (v1 and v2)."""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from flask import Blueprint, Response

from ..encoding import b64_decode_text, decode_entry
from ..errors import QiniuError
from ..routes import RS_OPS
from ..storage import ObjectCondition
from ..storage.lifecycle import CANCEL, MOVES, LifecycleChange
from ..storage.store import MAX_LIFECYCLE_DAYS
from ..wire import list_item_json, stat_json
from . import emulator, empty_response, form_value, int_arg, json_response, params, require_management_auth
from .regions import check_same_region

bp = Blueprint("rs", __name__)

MAX_BATCH = 1000
SINGLE_OPS = RS_OPS


def _entry(encoded: str) -> tuple[str, str]:
    bucket, key = decode_entry(encoded)
    if key is None:
        raise QiniuError.invalid_entry()
    return bucket, key


def _force(rest: list[str]) -> bool:
    if not rest:
        return False
    if len(rest) != 2 or rest[0] != "force" or rest[1] not in ("true", "false"):
        raise QiniuError.bad_request("expected /force/<true|false>")
    return rest[1] == "true"


def run_op(op_path: str) -> Any:
    """Execute one rs op path such as ``/stat/<entry>``; returns the JSON data (or None)."""
    parts = op_path.strip("/").split("/")
    name, args = parts[0], parts[1:]
    if name not in SINGLE_OPS or not args:
        raise QiniuError.bad_request(f"unknown rs op {op_path[:60]!r}")
    storage = emulator().storage
    if name == "stat":
        return stat_json(storage.stat(*_entry(args[0])))
    if name == "delete":
        storage.delete(*_entry(args[0]))
        return None
    if name in ("move", "copy"):
        if len(args) < 2:
            raise QiniuError.bad_request(f"{name} needs a source and a destination entry")
        action: Callable = storage.move if name == "move" else storage.copy
        source, target = _entry(args[0]), _entry(args[1])
        check_same_region(emulator(), name, source[0], target[0])
        action(*source, *target, force=_force(args[2:]))
        return None
    return _change(name, args)


def _change(name: str, args: list[str]) -> None:
    storage = emulator().storage
    if name == "chgm":
        if len(args) != 3 or args[1] != "mime":
            raise QiniuError.bad_request("chgm needs /mime/<encoded mime>")
        try:
            mime = b64_decode_text(args[2])
        except ValueError:
            raise QiniuError.bad_request("mime is not url-safe base64") from None
        storage.change_mime(*_entry(args[0]), mime)
        return None
    if name == "chstatus":
        return _change_status(args)
    if name == "deleteAfterDays":
        if len(args) != 2 or not args[1].isdigit():
            raise QiniuError.bad_request("deleteAfterDays needs /<days> (0 cancels)")
        storage.set_delete_after_days(*_entry(args[0]), int(args[1]))
        return None
    if len(args) != 3 or args[1] != "type" or args[2] not in ("0", "1", "2", "3", "4"):
        raise QiniuError.bad_request("chtype needs /type/<0..4>")
    storage.change_type(*_entry(args[0]), int(args[2]))
    return None


def _condition(encoded: str) -> ObjectCondition:
    try:
        return ObjectCondition.parse(b64_decode_text(encoded))
    except ValueError:
        raise QiniuError.bad_request("cond is not url-safe base64") from None


def _change_status(args: list[str]) -> None:
    """``/chstatus/<entry>/status/<0|1>[/cond/<b64 "k=v&k=v">]``."""
    if len(args) not in (3, 5) or args[1] != "status" or args[2] not in ("0", "1") \
            or (len(args) == 5 and args[3] != "cond"):
        raise QiniuError.bad_request("chstatus needs /status/<0|1>[/cond/<encoded cond>]")
    cond = _condition(args[4]) if len(args) == 5 else None
    emulator().storage.change_status(*_entry(args[0]), int(args[2]), cond)


@bp.route(f"/<any({', '.join(RS_OPS)}):name>/<path:rest>", methods=["GET", "POST"])
def single(name: str, rest: str) -> Response:
    require_management_auth()
    data = run_op(f"/{name}/{rest}")
    return empty_response() if data is None else json_response(data)


@bp.route("/batch", methods=["POST", "GET"])
def batch() -> Response:
    require_management_auth()
    ops = params().getlist("op")
    if not ops:
        raise QiniuError.bad_request("batch needs at least one op")
    if len(ops) > MAX_BATCH:
        raise QiniuError.bad_request(f"at most {MAX_BATCH} ops per batch")
    results = []
    for op_path in ops:
        try:
            data = run_op(op_path)
            results.append({"code": 200} if data is None else {"code": 200, "data": data})
        except QiniuError as exc:
            results.append({"code": exc.status, "data": {"error": exc.message}})
    all_ok = all(r["code"] == 200 for r in results)
    return json_response(results, status=200 if all_ok else 298)


def _list_args() -> dict:
    bucket = form_value("bucket")
    if not bucket:
        raise QiniuError.bad_request("bucket is required")
    limit = int_arg("limit", 1000)
    if not 0 <= limit <= 1000:
        raise QiniuError.bad_request("limit must be between 1 and 1000")
    return {"bucket": bucket, "prefix": form_value("prefix"), "marker": form_value("marker"),
            "limit": limit or 1000, "delimiter": form_value("delimiter")}


@bp.route("/list", methods=["GET", "POST"])
def list_v1() -> Response:
    require_management_auth()
    page = emulator().storage.list_objects(**_list_args())
    body: dict[str, Any] = {"items": [list_item_json(o) for o in page.items]}
    if page.marker:
        body["marker"] = page.marker
    if page.common_prefixes:
        body["commonPrefixes"] = page.common_prefixes
    return json_response(body)


@bp.route("/v2/list", methods=["GET", "POST"])
def list_v2() -> Response:
    """Newline-separated JSON objects: one per item or common prefix."""
    require_management_auth()
    page = emulator().storage.list_objects(**_list_args())
    lines: list[dict[str, Any]] = [{"item": list_item_json(o), "marker": page.marker, "dir": ""} for o in page.items]
    lines += [{"item": None, "marker": page.marker, "dir": p} for p in page.common_prefixes]
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    return Response(body, status=200, mimetype="application/json")


@bp.route("/lifecycle/<path:rest>", methods=["GET", "POST"])
def lifecycle(rest: str) -> Response:
    """``/lifecycle/<entry>/<rule>/<days>/...[/cond/<encoded>]`` (docs/wire.md §9.7)."""
    require_management_auth()
    encoded, *args = rest.split("/")
    change, cond = _lifecycle_change(args)
    emulator().storage.set_lifecycle(*_entry(encoded), change, cond)
    return empty_response()


def _lifecycle_change(args: list[str]) -> tuple[LifecycleChange, ObjectCondition | None]:
    if len(args) % 2:
        raise QiniuError.bad_request(f"lifecycle rule {args[-1]!r} has no value")
    moves: dict[int, int] = {}
    delete, cond = 0, None
    for name, value in zip(args[::2], args[1::2]):
        if name == "cond":
            cond = _condition(value)
            continue
        if name not in MOVES and name != "deleteAfterDays":
            raise QiniuError.bad_request(f"unknown lifecycle rule {name!r}: use {', '.join(MOVES)}, deleteAfterDays")
        days = int(value) if re.fullmatch(r"-?[0-9]{1,6}", value) else None
        if days is None or not CANCEL <= days <= MAX_LIFECYCLE_DAYS:
            raise QiniuError.bad_request(f"{name} must be -1 (cancel), 0 (keep) or days up to {MAX_LIFECYCLE_DAYS}")
        if name == "deleteAfterDays":
            delete = days
        else:
            moves[MOVES[name]] = days
    return LifecycleChange(moves, delete), cond
