"""Magic variables: ``$(name)`` / ``${name}`` in returnBody, callbackBody, saveKey,
savePattern and multi-output patterns, and the time variables they share."""

from __future__ import annotations

import json
import re
import time
from typing import Any, Mapping
from urllib.parse import quote


def time_variables(now: float | None = None) -> dict[str, str]:
    """``$(year)`` ... ``$(sec)`` in local time, zero-padded as Qiniu renders them."""
    t = time.localtime(now)
    return {"year": f"{t.tm_year:04d}", "mon": f"{t.tm_mon:02d}", "day": f"{t.tm_mday:02d}",
            "hour": f"{t.tm_hour:02d}", "min": f"{t.tm_min:02d}", "sec": f"{t.tm_sec:02d}"}


_VARIABLE = re.compile(r"\$\((?P<paren>[^()\s]+)\)|\$\{(?P<brace>[^{}\s]+)\}")


def render_template(
    template: str,
    variables: Mapping[str, Any],
    json_mode: bool,
    *,
    url_encode: bool = False,
) -> str:
    """Expand ``$(name)`` and ``${name}`` magic variables in ``template``.

    ``variables`` holds the values (``key``, ``etag``, ``fsize``, ``x:foo``, ``year``...);
    a dotted name such as ``imageInfo.width`` also looks inside nested mappings.

    * ``json_mode=True`` (returnBody, JSON callbackBody): each variable becomes a JSON
      value - strings quoted, numbers bare. Inside a JSON string literal of the template
      the value is spliced in JSON-escaped, without quotes. An unset variable is empty
      (docs/wire.md §8.4): ``""`` inside a string literal, ``null`` bare.
    * ``json_mode=False``: plain text (saveKey); unknown names become ``""``. With
      ``url_encode=True`` each value is percent-encoded, for form-encoded callback bodies.
    """
    out: list[str] = []
    in_string = False
    position = 0
    for match in _VARIABLE.finditer(template):
        literal = template[position:match.start()]
        out.append(literal)
        if json_mode:
            in_string = _ends_inside_json_string(literal, in_string)
        name = match.group("paren") or match.group("brace")
        found, value = _lookup(variables, name)
        out.append(_render_value(found, value, json_mode, in_string, url_encode))
        position = match.end()
    out.append(template[position:])
    return "".join(out)


def _lookup(variables: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    if name in variables:
        return True, variables[name]
    current: Any = variables
    for part in name.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return False, None
        current = current[part]
    return True, current


def _render_value(
    found: bool, value: Any, json_mode: bool, in_string: bool, url_encode: bool
) -> str:
    if json_mode:
        if not found or value is None:
            return "" if in_string else "null"
        encoded = json.dumps(value, ensure_ascii=False)
        if in_string:
            # Splicing into an existing string literal: drop the quotes json.dumps adds.
            return encoded[1:-1] if encoded.startswith('"') else encoded
        return encoded
    if not found or value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return quote(text, safe="") if url_encode else text


def _ends_inside_json_string(literal: str, in_string: bool) -> bool:
    """Track whether the template is inside a JSON string literal after ``literal``."""
    escaped = False
    for char in literal:
        if escaped:
            escaped = False
        elif char == "\\" and in_string:
            escaped = True
        elif char == '"':
            in_string = not in_string
    return in_string
