"""What an op author declares: the op's name, its arguments class, and how it runs.

An op module builds :class:`OpSpec` values and exposes ``register(registry)``. The
parser looks the name up in the registry and asks the spec for typed arguments, so a
bad parameter is rejected at submit time with a message naming the segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Generic, Mapping, TypeVar

from ..fidelity import Fidelity
from .grammar import Param, describe, params_of, parse_args

if TYPE_CHECKING:
    from .context import OpContext, OpResult

A = TypeVar("A")


@dataclass(frozen=True)
class NoArgs:
    """The arguments of an op that takes none (``imageInfo``, ``avinfo``)."""


@dataclass
class Op(Generic[A]):
    """One parsed op of a pipeline: its name, its text as written and its typed arguments."""

    name: str
    text: str
    args: A

    @property
    def ignore_error(self) -> bool:
        """``ignore-error/1``: a failure hands the input on unchanged."""
        return bool(getattr(self.args, "ignore_error", False))


RunFn = Callable[[Op[Any], Path, "OpContext"], "OpResult"]


@dataclass(frozen=True)
class OpSpec:
    """An op: its name, its arguments class, how to run it, and where it may run.

    ``parse`` replaces the common grammar for ops that have their own; it must still
    return an instance of ``args``. ``extra_params`` lists parameters that are not
    fields of ``args`` (imageMogr2's repeatable steps), for help only. ``sync`` says
    whether the op may run on a download URL. ``stored_by_hash``: as the last op of a
    command without a saveas key, its result is stored under its own etag (mkzip).
    ``inline``: the op answers in the item's ``result`` and stores nothing (image-censor).
    ``not_emulated`` names the parameters Qiniu documents for this op that the emulator
    does not act on: ``--fidelity`` decides whether they are refused or dropped.
    ``inert`` maps some of them to values that ask for nothing (``wmConstant/0``): those
    are accepted and dropped in every mode.
    """

    name: str
    run: RunFn
    args: type = NoArgs
    parse: Callable[[list[str]], Any] | None = None
    sync: bool = True
    help: str = ""
    stored_by_hash: bool = False
    inline: bool = False
    extra_params: tuple[Param, ...] = field(default=())
    not_emulated: tuple[str, ...] = field(default=())
    inert: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def parse_segments(self, segments: list[str]) -> Any:
        if self.parse is not None:
            return self.parse(segments)
        return parse_args(self.args, segments)

    def parameters(self) -> list[dict[str, str]]:
        """Every parameter this op accepts, with its help (generated from the declarations)."""
        extra = [{"name": p.name, "kind": "step", "help": p.help} for p in self.extra_params]
        return describe(self.args) + extra

    def screen(self, segments: list[str], fidelity: Fidelity) -> list[str]:
        """``segments`` without the not-emulated ``name/value`` pairs (strict mode raises instead)."""
        if not self.not_emulated:
            return segments
        declared = params_of(self.args)
        lead = sum(1 for _, p in declared if p.positional)
        flags = {p.name for _, p in declared if p.flag}
        kept, i = segments[:lead], lead
        while i < len(segments):
            name = segments[i]
            if name in self.not_emulated:
                value = segments[i + 1] if i + 1 < len(segments) else None
                if value not in self.inert.get(name, ()):
                    fidelity.not_emulated(name, f"{self.name} parameter")
                i += 2
                continue
            step = 1 if name in flags else 2
            kept.extend(segments[i:i + step])
            i += step
        return kept

    def parameter_names(self) -> list[str]:
        return [p.name for _, p in params_of(self.args)] + [p.name for p in self.extra_params]
