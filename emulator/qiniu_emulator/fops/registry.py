"""Op name -> :class:`OpSpec`. The registry knows no op: :mod:`.catalog` fills it."""

from __future__ import annotations

from typing import Iterable

from ..fidelity import Fidelity
from .declare import OpSpec


class Registry:
    """Op name -> :class:`OpSpec`. Names are case-sensitive, as Qiniu's are.

    ``fidelity`` decides what parsing does with a parameter an op lists as not emulated.
    """

    def __init__(self, specs: Iterable[OpSpec] = (), fidelity: Fidelity | None = None) -> None:
        self.fidelity = fidelity or Fidelity()
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

    def specs(self) -> list[OpSpec]:
        return [self._specs[name] for name in self.names()]

    def __contains__(self, name: str) -> bool:
        return name in self._specs
