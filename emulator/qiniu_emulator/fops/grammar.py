"""The grammar toolkit every op parses with: typed parameters and the segments they read.

An op declares its arguments as a frozen dataclass whose fields are made with
:func:`arg`: the field's converter, help text and wire name are its grammar. The common
shape ``name/<positional>.../key/value/...`` plus bare flags is read by
:func:`parse_args`; ops with a grammar of their own (imageMogr2's ordered steps,
watermark/3 blocks, avconcat's trailing sources, yifangyun's ``k=v``) split their segments
themselves and still build their values through :func:`build`, :func:`convert` and
:func:`pairs`, so every op words the same mistake the same way.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Callable, Iterable, Mapping, TypeVar

A = TypeVar("A")
Convert = Callable[[str], Any]


class FopSyntaxError(ValueError):
    """A fop segment that cannot be accepted. ``segment`` is the offending text."""

    def __init__(self, message: str, segment: str | None = None) -> None:
        self.message = message
        self.segment = segment
        super().__init__(message if segment is None else f"{message} (at {segment!r})")


@dataclass(frozen=True)
class Param:
    """One parameter as written on the wire.

    ``positional`` parameters come first in field order; ``flag`` parameters are bare
    words (``strip``) that set ``True``; the others are ``name/value`` pairs.
    """

    name: str
    convert: Convert
    help: str = ""
    positional: bool = False
    flag: bool = False


def arg(convert: Convert = str, help: str = "", *, name: str | None = None, positional: bool = False,
        flag: bool = False, default: Any = None, required: bool = False) -> Any:
    """A dataclass field that is also a parameter (``name`` defaults to the field name)."""
    meta = {"param": Param(name or "", convert, help, positional, flag)}
    if required:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


def params_of(cls: type) -> list[tuple[str, Param]]:
    """``(field name, Param)`` for every parameter field of an args dataclass, in order."""
    out = []
    for f in fields(cls):
        param = f.metadata.get("param")
        if param is not None:
            out.append((f.name, Param(param.name or f.name, param.convert, param.help,
                                      param.positional, param.flag)))
    return out


def required_fields(cls: type) -> set[str]:
    return {f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING}


# ---------------------------------------------------------------------------
# Reading segments


def convert(name: str, converter: Convert, text: str) -> Any:
    """``converter(text)``, with an empty or bad value reported against ``name``."""
    if text == "":
        raise FopSyntaxError(f"empty value for {name}", text)
    try:
        return converter(text)
    except ValueError as exc:
        raise FopSyntaxError(f"bad {name}: {exc}", text) from exc


def pairs(segments: list[str]) -> list[tuple[str, str]]:
    """``k1/v1/k2/v2`` as pairs; a trailing name without a value is an error."""
    if len(segments) % 2:
        raise FopSyntaxError(f"parameter {segments[-1]} needs a value", segments[-1])
    return list(zip(segments[::2], segments[1::2]))


def store(values: dict[str, Any], name: str, value: Any, segment: str | None = None) -> None:
    """Record a value once: a parameter written twice is an error."""
    if name in values:
        raise FopSyntaxError(f"parameter {name} given twice", segment or name)
    values[name] = value


def build(cls: type[A], written: Iterable[tuple[str, str]], fixed: dict[str, Any] | None = None,
          names: Mapping[str, str] | None = None) -> A:
    """An args instance from ``(wire name, text)`` pairs plus already-converted ``fixed`` values.

    ``names`` (wire name -> field) replaces the fields' own wire names, for ops whose
    forms spell one parameter two ways. Unknown names, repeats, empty and bad values are
    :class:`FopSyntaxError`.
    """
    declared = {attr: p for attr, p in params_of(cls) if not p.positional}
    if names is None:
        names = {p.name: attr for attr, p in declared.items()}
    values: dict[str, Any] = dict(fixed or {})
    for name, text in written:
        attr = names.get(name)
        if attr is None:
            raise unknown_parameter(name, names)
        param = declared[attr]
        store(values, attr, True if param.flag else convert(name, param.convert, text), name)
    return finish(cls, values)


def unknown_parameter(name: str, known: Iterable[str]) -> FopSyntaxError:
    """The error for a parameter the op does not declare, with the closest declared name
    when one is close (a typo such as ``vcodc``), compared without case (``WmImage``)."""
    known = list(known)
    by_lower = {candidate.lower(): candidate for candidate in known}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.75)
    hint = f"did you mean {by_lower[close[0]]}? " if close else ""
    return FopSyntaxError(f"unknown parameter {name!r} ({hint}known: {', '.join(known)})")


def finish(cls: type[A], values: dict[str, Any]) -> A:
    """Instantiate ``cls``; a missing required field is reported by its wire name."""
    wire = {attr: p.name for attr, p in params_of(cls)}
    missing = sorted(required_fields(cls) - set(values))
    if missing:
        raise FopSyntaxError(f"missing {wire.get(missing[0], missing[0])}")
    instance = cls(**values)
    check = getattr(instance, "check", None)
    if check is not None:
        check()
    return instance


def parse_args(cls: type[A], segments: list[str]) -> A:
    """The common grammar: positional values, then ``name/value`` pairs and bare flags."""
    declared = params_of(cls)
    positional = [(attr, p) for attr, p in declared if p.positional]
    flags = {p.name for _, p in declared if p.flag}
    required = required_fields(cls)
    fixed: dict[str, Any] = {}
    i = 0
    for attr, param in positional:
        if i >= len(segments):
            if attr in required:
                raise FopSyntaxError(f"missing {param.name}")
            break
        fixed[attr] = convert(param.name, param.convert, segments[i])
        i += 1
    written: list[tuple[str, str]] = []
    while i < len(segments):
        name = segments[i]
        if name in flags:
            written.append((name, ""))
            i += 1
            continue
        if i + 1 >= len(segments):
            known = [p.name for _, p in declared if not p.positional]
            if name not in known:
                raise unknown_parameter(name, known)
            raise FopSyntaxError(f"parameter {name} needs a value", name)
        written.append((name, segments[i + 1]))
        i += 2
    return build(cls, written, fixed)


# ---------------------------------------------------------------------------
# Converters: each turns text into a value or raises ValueError naming the text


def _ranged(regex: str, kind: str, cast: Callable[[str], Any], lo: Any, hi: Any) -> Callable[[str], Any]:
    compiled = re.compile(regex)

    def convert_number(text: str) -> Any:
        if not compiled.fullmatch(text):
            raise ValueError(f"expected {kind}, got {text!r}")
        value = cast(text)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ValueError(f"{text} is out of range {lo}..{hi}")
        return value

    return convert_number


def int_range(lo: int | None = None, hi: int | None = None) -> Callable[[str], int]:
    return _ranged(r"-?\d+", "an integer", int, lo, hi)


def float_range(lo: float | None = None, hi: float | None = None) -> Callable[[str], float]:
    return _ranged(r"-?(\d+(\.\d*)?|\.\d+)", "a number", float, lo, hi)


def one_of(*values: str) -> Callable[[str], str]:
    def convert_choice(text: str) -> str:
        if text not in values:
            raise ValueError(f"{text!r} is not one of {', '.join(values)}")
        return text

    return convert_choice


def pattern(regex: str, what: str) -> Callable[[str], str]:
    compiled = re.compile(regex)

    def convert_pattern(text: str) -> str:
        if not compiled.fullmatch(text):
            raise ValueError(f"{text!r} is not a valid {what}")
        return text

    return convert_pattern


def switch(text: str) -> bool:
    """``0``/``1`` as a boolean (``an/1``, ``interlace/1``, ``stripmeta/0``)."""
    if text not in ("0", "1"):
        raise ValueError(f"{text!r} is not 0 or 1")
    return text == "1"


def only_one(text: str) -> bool:
    """``ignore-error/1``: the only accepted value is 1."""
    if text != "1":
        raise ValueError(f"{text!r} is not 1")
    return True


def b64_text(text: str) -> str:
    """A URL-safe base64 parameter carrying UTF-8 text."""
    from ..encoding import b64_decode_text

    return b64_decode_text(text)


def describe(cls: type) -> list[dict[str, str]]:
    """The parameters of an args class as ``{"name", "kind", "help"}`` (for help and docs)."""
    out = []
    for _, param in params_of(cls):
        kind = "positional" if param.positional else "flag" if param.flag else "pair"
        out.append({"name": param.name, "kind": kind, "help": param.help})
    return out
