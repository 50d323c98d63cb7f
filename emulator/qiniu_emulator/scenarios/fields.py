"""Reading a rule's fields: names written camelCase or snake_case, and typed values whose
errors name the field and what it must be."""

from __future__ import annotations

import json
import math
from typing import Any, Mapping


class RuleError(ValueError):
    """A rule that cannot be used; the message names the field and what it must be."""


def norm_name(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def read_fields(value: Any, where: str, known: tuple[str, ...]) -> dict[str, tuple[str, Any]]:
    """A mapping's fields by normalised name, each with the name as written."""
    if not isinstance(value, Mapping):
        raise RuleError(f"{where or 'rule'}: must be a mapping, not {shown(value)}")
    out: dict[str, tuple[str, Any]] = {}
    wanted = {norm_name(name): name for name in known}
    for name, item in value.items():
        norm = norm_name(str(name))
        if norm not in wanted:
            raise RuleError(f"{join_path(where, str(name))}: unknown field (known: {', '.join(known)})")
        if norm in out:
            raise RuleError(f"{join_path(where, str(name))}: given twice (as {out[norm][0]!r} too)")
        out[norm] = (join_path(where, str(name)), item)
    return out


def join_path(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def shown(value: Any) -> str:
    return json.dumps(value)[:60] if jsonable(value) else type(value).__name__


def jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def int_field(value: Any, where: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        upper = f" to {high}" if high is not None else " or more"
        raise RuleError(f"{where}: must be an integer from {low}{upper}, not {shown(value)}")
    return value


def number_field(value: Any, where: str, low: float, high: float, low_open: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value > high or value < low or (low_open and value == low):
        bound = f"more than {low:g}" if low_open else f"from {low:g}"
        raise RuleError(f"{where}: must be a number {bound} to {high:g}, not {shown(value)}")
    return float(value)


def text_field(value: Any, where: str, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not value and not allow_empty):
        raise RuleError(f"{where}: must be a {'' if allow_empty else 'non-empty '}string, not {shown(value)}")
    return value
