"""``qiniu-emulator lint FOPS``: check a fops string without an object or a server.

Each ``;`` command is parsed as pfop would parse it. A command is ``ok`` (the emulator
runs it), ``not emulated`` (every name is a real Qiniu op, but one of them, or a
parameter Qiniu documents, is not emulated yet: the real service may well accept it), or an ``error`` (a typo, a bad
parameter, a misplaced saveas: the real service would refuse it too).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import QiniuError
from .fidelity import NotEmulated
from .fops.grammar import FopSyntaxError
from .fops.known import not_emulated
from .fops.parse import MAX_PIPELINES, Pipeline, normalise, parse_pipeline
from .fops.registry import Registry

OK, NOT_EMULATED, ERROR = "ok", "not emulated", "error"
EXIT_STATUS = {OK: 0, NOT_EMULATED: 3, ERROR: 1}


@dataclass(frozen=True)
class Finding:
    """What lint says about one command."""

    label: str  # fops, or fops[N] when there are several
    verdict: str  # OK, NOT_EMULATED or ERROR
    detail: str

    def line(self) -> str:
        return f"{self.label}: {self.verdict}: {self.detail}"


def lint(text: str, registry: Registry) -> list[Finding]:
    """One finding per command of ``text``."""
    commands = normalise(text.strip()).split(";")
    if commands == [""]:
        return [Finding("fops", ERROR, "fops is empty")]
    if len(commands) > MAX_PIPELINES:
        return [Finding("fops", ERROR, f"too many commands: {len(commands)} > {MAX_PIPELINES}")]
    return [_check(command, registry, index, len(commands)) for index, command in enumerate(commands)]


def exit_status(findings: list[Finding]) -> int:
    """1 if any command is wrong, else 3 if one uses an op that is not emulated, else 0."""
    verdicts = {finding.verdict for finding in findings}
    for verdict in (ERROR, NOT_EMULATED):
        if verdict in verdicts:
            return EXIT_STATUS[verdict]
    return EXIT_STATUS[OK]


def _check(command: str, registry: Registry, index: int, total: int) -> Finding:
    label = f"fops[{index}]" if total > 1 else "fops"
    try:
        pipeline = parse_pipeline(command, registry, index=index, total=total)
    except QiniuError as exc:
        cause = exc.__cause__
        missing = isinstance(cause, FopSyntaxError) and cause.segment and (
            not_emulated(cause.segment) or isinstance(cause.__cause__, NotEmulated))
        detail = exc.message.removeprefix(label).lstrip(": ")
        return Finding(label, NOT_EMULATED if missing else ERROR, detail)
    return Finding(label, OK, _describe(pipeline, registry))


def _describe(pipeline: Pipeline, registry: Registry) -> str:
    names = []
    for op in pipeline.ops:
        spec = registry.get(op.name)
        names.append(op.name if spec is None or spec.sync else f"{op.name} (pfop only)")
    text = " | ".join(names)
    if pipeline.saveas is not None:
        key = pipeline.saveas.key if pipeline.saveas.key is not None else "(default key)"
        text += f", saved to {pipeline.saveas.bucket}:{key}"
    return text
