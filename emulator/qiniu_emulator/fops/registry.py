"""Op registry: each op's name, typed parameters, and the function that runs it.

An op module declares its ops with :func:`Registry.op` (or builds :class:`OpSpec`
objects) and exposes ``register(registry)``. The parser looks the name up here and
asks the spec to turn the ``/``-separated segments into typed arguments, so that a bad
parameter is rejected at submit time with a message naming the segment.

The common grammar (``name/<positional>.../key/value/...`` plus bare flags) is handled
by :class:`Schema`; ops with their own grammar (imageMogr2's ordered steps, watermark/3
blocks, avconcat's trailing sources, yifangyun's ``k=v``) give a custom ``parse``.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol


class FopSyntaxError(ValueError):
    """A fop segment that cannot be accepted. ``segment`` is the offending text."""

    def __init__(self, message: str, segment: str | None = None) -> None:
        self.message = message
        self.segment = segment
        super().__init__(message if segment is None else f"{message} (at {segment!r})")


class OpFailed(Exception):
    """An op could not produce its output; becomes an item error ``execute fop cmd failed: ...``."""


# ---------------------------------------------------------------------------
# Parameter types


@dataclass(frozen=True)
class Param:
    """One typed parameter. ``convert`` turns the raw text into a value or raises ValueError."""

    name: str
    convert: Callable[[str], Any]
    help: str = ""


def int_range(lo: int | None = None, hi: int | None = None) -> Callable[[str], int]:
    def convert(text: str) -> int:
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(f"expected an integer, got {text!r}")
        value = int(text)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ValueError(f"{value} is out of range {lo}..{hi}")
        return value

    return convert


def float_range(lo: float | None = None, hi: float | None = None) -> Callable[[str], float]:
    def convert(text: str) -> float:
        if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", text):
            raise ValueError(f"expected a number, got {text!r}")
        value = float(text)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ValueError(f"{text} is out of range {lo}..{hi}")
        return value

    return convert


def one_of(*values: str) -> Callable[[str], str]:
    def convert(text: str) -> str:
        if text not in values:
            raise ValueError(f"{text!r} is not one of {', '.join(values)}")
        return text

    return convert


def pattern(regex: str, what: str) -> Callable[[str], str]:
    compiled = re.compile(regex)

    def convert(text: str) -> str:
        if not compiled.fullmatch(text):
            raise ValueError(f"{text!r} is not a valid {what}")
        return text

    return convert


def b64_text(text: str) -> str:
    """A URL-safe base64 parameter carrying UTF-8 text."""
    from ..encoding import b64_decode_text

    return b64_decode_text(text)


# ---------------------------------------------------------------------------
# Parsed op and the common schema


@dataclass
class Op:
    """One parsed op of a pipeline.

    ``args`` maps parameter names to converted values; ``order`` lists the names in the
    order they were written (imageMogr2 applies its steps in that order).
    """

    name: str
    text: str
    args: dict[str, Any] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Schema:
    """``positional`` parameters first, then ``key/value`` pairs and bare ``flags``."""

    positional: tuple[Param, ...] = ()
    pairs: tuple[Param, ...] = ()
    flags: frozenset[str] = frozenset()
    required_positional: int | None = None  # default: all positional are required

    def parse(self, segments: list[str]) -> tuple[dict[str, Any], list[str]]:
        args: dict[str, Any] = {}
        order: list[str] = []
        needed = len(self.positional) if self.required_positional is None else self.required_positional
        i = 0
        for param in self.positional:
            if i >= len(segments):
                if i < needed:
                    raise FopSyntaxError(f"missing {param.name}")
                break
            args[param.name] = _convert(param, segments[i])
            order.append(param.name)
            i += 1
        by_name = {p.name: p for p in self.pairs}
        while i < len(segments):
            name = segments[i]
            if name in self.flags:
                args[name] = True
                order.append(name)
                i += 1
                continue
            param = by_name.get(name)
            if param is None:
                raise FopSyntaxError("unknown parameter", name)
            if i + 1 >= len(segments):
                raise FopSyntaxError(f"parameter {name} needs a value", name)
            if name in args:
                raise FopSyntaxError(f"parameter {name} given twice", name)
            args[name] = _convert(param, segments[i + 1])
            order.append(name)
            i += 2
        return args, order


def _convert(param: Param, text: str) -> Any:
    if text == "":
        raise FopSyntaxError(f"empty value for {param.name}", text)
    try:
        return param.convert(text)
    except ValueError as exc:
        raise FopSyntaxError(f"bad {param.name}: {exc}", text) from exc


# ---------------------------------------------------------------------------
# Execution context and results


def default_output_prefix(cmd: str, source_etag: str) -> str:
    """``b64u(sha1(cmd))/<source etag>/``: where results without a saveas key go."""
    from ..encoding import b64_encode

    return f"{b64_encode(hashlib.sha1(cmd.encode('utf-8')).digest())}/{source_etag}/"


class UrlResolver(Protocol):
    """Fetches a resource named by a URL (``kodo://b/k``, the emulator's own URLs,
    ``--url-map`` prefixes, http(s)) to a local file; raises OpFailed on failure."""

    def __call__(self, url: str, dest_dir: Path) -> Path: ...


@dataclass
class SourceInfo:
    """The object a job processes; fills magic variables such as ``$(key)``."""

    bucket: str = ""
    key: str = ""
    etag: str = ""
    fsize: int = 0
    mime: str = "application/octet-stream"
    end_user: str = ""

    def variables(self) -> dict[str, str]:
        """Magic variables of the input object (``$(key)``, ``$(fprefix)``, ...)."""
        fname = posixpath.basename(self.key)
        fprefix, ext = posixpath.splitext(fname)
        return {
            "bucket": self.bucket, "key": self.key, "etag": self.etag, "fsize": str(self.fsize),
            "mimeType": self.mime, "endUser": self.end_user, "fname": fname, "fprefix": fprefix,
            "ext": ext, "keybase": posixpath.splitext(self.key)[0],
        }


@dataclass
class OpContext:
    """What an op may use besides its input file.

    ``scratch`` is a directory owned by this run: outputs go there and nowhere else.
    ``log`` appends a line to the job's record (commands run, progress, stderr tails).
    ``progress`` reports a fraction 0..1 for long ops.
    """

    scratch: Path
    source: SourceInfo = field(default_factory=SourceInfo)
    resolve_url: UrlResolver | None = None
    ffmpeg: str = "ffmpeg"
    op_timeout: float = 600.0
    log: Callable[[str], None] = lambda line: None
    progress: Callable[[float], None] = lambda fraction: None
    sync: bool = False  # True for a download-URL fop (no multi-output ops)

    def output_path(self, suffix: str) -> Path:
        """A fresh file path in the scratch dir for this op's output."""
        import uuid

        return self.scratch / f"out-{uuid.uuid4().hex}{suffix}"


@dataclass
class ExtraOutput:
    """A further object of a multi-output op (vsample frames, HLS segments)."""

    key: str
    path: Path
    mime: str


@dataclass
class OpResult:
    """An op's output file and its MIME type.

    ``passthrough`` marks that the input was returned unchanged (``ignore-error/1``).
    ``extra`` lists further objects with their final keys; the status item reports them
    as ``keys``. When ``path`` is itself one of the extras (vsample frames), nothing
    else is stored.
    """

    path: Path
    mime: str
    extra: list[ExtraOutput] = field(default_factory=list)
    passthrough: bool = False


RunFn = Callable[[Op, Path, OpContext], OpResult]


@dataclass(frozen=True)
class OpSpec:
    """An op's name, how to parse its segments, and how to run it.

    ``sync`` says whether the op may run on a download URL.
    """

    name: str
    run: RunFn
    schema: Schema | None = None
    parse: Callable[[list[str]], tuple[dict[str, Any], list[str]]] | None = None
    sync: bool = True

    def parse_segments(self, segments: list[str]) -> tuple[dict[str, Any], list[str]]:
        if self.parse is not None:
            return self.parse(segments)
        return (self.schema or Schema()).parse(segments)


class Registry:
    """Op name -> :class:`OpSpec`. Names are case-sensitive, as Qiniu's are."""

    def __init__(self, specs: Iterable[OpSpec] = ()) -> None:
        self._specs: dict[str, OpSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: OpSpec) -> None:
        if spec.name in self._specs:
            raise ValueError(f"op {spec.name} registered twice")
        self._specs[spec.name] = spec

    def get(self, name: str) -> OpSpec | None:
        return self._specs.get(name)

    def names(self) -> list[str]:
        return sorted(self._specs)

    def __contains__(self, name: str) -> bool:
        return name in self._specs


def default_registry() -> Registry:
    """Every op the emulator implements."""
    from . import av, basic, doc, image

    registry = Registry()
    for module in (basic, image, av, doc):
        module.register(registry)
    return registry
