"""Building fop strings: single commands, pipes and ``saveas`` targets."""

from __future__ import annotations

import base64
from typing import Any


def urlsafe_b64encode(data: str | bytes) -> str:
    """URL-safe base64 with the ``=`` padding kept; text is UTF-8 encoded first."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"expected str or bytes, got {type(data).__name__}")
    return base64.urlsafe_b64encode(bytes(data)).decode("ascii")


def entry(bucket: str, key: str | None = None) -> str:
    """The EncodedEntryURI of ``bucket:key``, or of the bucket alone when key is None.

    An empty-string key is a real key and keeps its colon (``bucket:``).
    """
    _require_text("bucket", bucket)
    if key is None:
        return urlsafe_b64encode(bucket)
    if not isinstance(key, str):
        raise ValueError(f"key must be a string or None, got {key!r}")
    return urlsafe_b64encode(f"{bucket}:{key}")


def build_op(cmd: str, *args: Any, **kwargs: Any) -> str:
    """Join a command, its positional arguments and ``name/value`` pairs with ``/``.

    ``build_op('imageView2', '2', w=800, h=600)`` is ``imageView2/2/w/800/h/600``.
    Keyword pairs keep call order; ``None`` values (positional or keyword) are skipped,
    so optional parameters can be passed through unconditionally.
    """
    _require_text("cmd", cmd)
    parts = [cmd]
    parts.extend(_render(arg) for arg in args if arg is not None)
    for name, value in kwargs.items():
        if value is not None:
            parts.extend((name, _render(value)))
    return "/".join(parts)


def pipe_cmd(*cmds: str) -> str:
    """Chain commands into one pipe: each stage reads the previous stage's output."""
    if not cmds:
        raise ValueError("pipe_cmd needs at least one command")
    for cmd in cmds:
        _require_text("command", cmd)
    return "|".join(cmds)


def op_save(op: str, bucket: str, key: str) -> str:
    """Append ``|saveas/<EncodedEntryURI>`` so the result is stored at ``bucket:key``."""
    _require_text("op", op)
    if key is None:
        raise ValueError("op_save needs a key: the result must be stored somewhere")
    return f"{op}|saveas/{entry(bucket, key)}"


def _render(value: Any) -> str:
    # bool first: True is an int, and fop flags are spelled 1/0 on the wire.
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _require_text(name: str, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
