"""Parse a fops string into pipelines of typed ops plus an optional saveas.

``fops = pipeline { ";" pipeline }``, ``pipeline = fop { "|" fop } [ "|" saveas ]``.
Errors name the pipeline, the stage and the segment that is wrong.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from urllib.parse import unquote

from ..encoding import b64_decode_text, decode_entry
from ..errors import BadRequest, QiniuError
from ..fidelity import NotEmulated
from ..storage.names import check_bucket_name, key_bytes
from .declare import Op
from .grammar import FopSyntaxError, int_range
from .known import not_emulated
from .registry import Registry

MAX_STAGES = 30
MAX_PIPELINES = 100


@dataclass
class SaveAs:
    """``saveas/<entry>`` with its optional trailing pairs."""

    bucket: str
    key: str | None
    delete_after_days: int | None = None
    save_pattern: str | None = None
    save_key: str | None = None
    sign: str | None = None
    text: str = ""


@dataclass
class Pipeline:
    """One ``;``-separated command: its text as submitted, its ops, and where it saves."""

    text: str
    ops: list[Op] = field(default_factory=list)
    saveas: SaveAs | None = None


class FopsError(BadRequest):
    """A fops string that cannot be accepted: always HTTP 400, with the position."""


def normalise(text: str) -> str:
    """Undo the percent-escapes some HTTP libraries put on ``| > < ! @`` and friends.

    URL-safe base64 never contains ``%``, so unquoting cannot corrupt a parameter.
    """
    return unquote(text) if "%" in text else text


def parse_fops(text: str, registry: Registry) -> list[Pipeline]:
    """Parse a whole ``fops`` / ``persistentOps`` value."""
    text = normalise(text.strip())
    if not text:
        raise FopsError("fops is empty")
    parts = text.split(";")
    try:
        if len(parts) > MAX_PIPELINES:
            raise FopsError(f"too many commands: {len(parts)} > {MAX_PIPELINES}")
        return [parse_pipeline(part, registry, index=i, total=len(parts)) for i, part in enumerate(parts)]
    except FopsError as exc:
        if split_into_characters(parts):
            raise exc.noted(SPLIT_STRING_NOTE) from None
        raise


SPLIT_STRING_NOTE = ("fops looks like one string split into characters: the official SDK's `execute` "
                     "takes a list of commands (it joins the list with ';'), so pass [fops]")


def split_into_characters(parts: list[str]) -> bool:
    """Whether ``;``-separated commands are the characters of one string, as the official
    Python SDK sends a ``str`` given where it expects a list (docs/wire.md §5.1)."""
    # A ';' of the string itself shows up as empty parts around it.
    return all(len(part) <= 1 for part in parts) and sum(len(part) for part in parts) >= 3


def parse_pipeline(text: str, registry: Registry, index: int = 0, total: int = 1,
                   allow_sign: bool = False) -> Pipeline:
    where = f"fops[{index}]" if total > 1 else "fops"
    if not text:
        raise FopsError(f"{where}: empty command (stray ';'?)")
    stages = text.split("|")
    pipeline = Pipeline(text=text)
    for stage_index, stage in enumerate(stages):
        label = f"{where} stage {stage_index} {stage[:80]!r}"
        if stage.startswith("saveas/") or stage == "saveas":
            if stage_index != len(stages) - 1:
                raise FopsError(f"{label}: saveas must be the last stage")
            if stage_index == 0:
                raise FopsError(f"{label}: saveas needs a command before it")
            pipeline.saveas = _parse_saveas(stage, label, allow_sign)
            continue
        try:
            pipeline.ops.append(parse_op(stage, registry))
        except FopSyntaxError as exc:
            raise FopsError(f"{label}: {exc}") from exc
    if len(pipeline.ops) > MAX_STAGES:
        raise FopsError(f"{where}: {len(pipeline.ops)} stages, at most {MAX_STAGES} may be piped")
    return pipeline


def parse_op(text: str, registry: Registry) -> Op:
    if not text:
        raise FopSyntaxError("empty stage (stray '|'?)")
    name, *segments = text.split("/")
    if len(segments) > 1 and segments[-1] == "":
        segments.pop()  # one trailing '/', as live image URLs write it (docs/fops.md §6.6)
    spec = registry.get(name)
    if spec is None:
        raise unknown_op(name, registry)
    try:
        segments = spec.screen(segments, registry.fidelity)
    except NotEmulated as exc:
        raise FopSyntaxError(str(exc), exc.name) from exc
    return Op(name=name, text=text, args=spec.parse_segments(segments))


def unknown_op(name: str, registry: Registry) -> FopSyntaxError:
    """A real Qiniu op the emulator lacks is worded apart from a typo (which gets a hint)."""
    known = not_emulated(name)
    if known is not None:
        return FopSyntaxError(f"{name!r} is a real Qiniu op that the emulator does not emulate yet "
                              f"(see {known.url})", name)
    by_lower = {candidate.lower(): candidate for candidate in registry.names()}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.8)
    hint = f" (did you mean {by_lower[close[0]]}?)" if close else ""
    return FopSyntaxError(f"unknown fop {name!r}{hint}", name)


_DAYS = int_range(1, 36500)


def _parse_saveas(text: str, label: str, allow_sign: bool) -> SaveAs:
    segments = text.split("/")
    if len(segments) < 2 or not segments[1]:
        raise FopsError(f"{label}: saveas needs an encoded entry")
    bucket, key = _saveas_entry(segments[1], label)
    saveas = SaveAs(bucket=bucket, key=key, text=text)
    rest = segments[2:]
    if len(rest) % 2:
        raise FopsError(f"{label}: saveas parameter {rest[-1]!r} needs a value")
    for name, value in zip(rest[::2], rest[1::2]):
        try:
            if name == "deleteAfterDays":
                saveas.delete_after_days = _DAYS(value)
            elif name == "savePattern":
                saveas.save_pattern = b64_decode_text(value)
            elif name == "saveKey":
                saveas.save_key = b64_decode_text(value)
            elif name == "sign" and allow_sign:
                saveas.sign = value
            else:
                raise FopsError(f"{label}: unknown saveas parameter {name!r}")
        except ValueError as exc:
            raise FopsError(f"{label}: bad {name}: {exc}") from exc
    if saveas.save_pattern and saveas.save_key:
        raise FopsError(f"{label}: savePattern and saveKey are mutually exclusive")
    return saveas


def _saveas_entry(encoded: str, label: str) -> tuple[str, str | None]:
    """The bucket and key of a saveas, refused here as storing them would be (docs/wire.md §3.1)."""
    try:
        bucket, key = decode_entry(encoded)
    except BadRequest as exc:
        what = "not UTF-8" if exc.message == QiniuError.key_not_utf8().message else "not url-safe base64"
        raise FopsError(f"{label}: saveas entry is {what}: it must encode <bucket>:<key>") from exc
    try:
        check_bucket_name(bucket)
        if key is not None:
            key_bytes(key)
    except BadRequest as exc:
        raise FopsError(f"{label}: saveas {exc.message}") from exc
    return bucket, key
