"""Op name -> :class:`OpSpec`. The registry knows no op: :mod:`.catalog` fills it."""

from __future__ import annotations

import threading
from typing import Callable, Iterable, Mapping

from ..fidelity import Fidelity
from .declare import OpSpec


class Registry:
    """Op name -> :class:`OpSpec`. Names are case-sensitive, as Qiniu's are.

    ``fidelity`` decides what parsing does with a parameter an op lists as not emulated.
    ``families`` maps the names of a family of ops to what registers them, called the first
    time one of those names is looked up: ``lint`` checks one op without importing all.
    """

    def __init__(self, specs: Iterable[OpSpec] = (), fidelity: Fidelity | None = None,
                 families: Mapping[tuple[str, ...], Callable[["Registry"], None]] | None = None) -> None:
        self.fidelity = fidelity or Fidelity()
        self._specs: dict[str, OpSpec] = {}
        self._pending = {name: register for names, register in (families or {}).items() for name in names}
        self._loading = threading.Lock()
        for spec in specs:
            self.add(spec)

    def _load(self, name: str) -> None:
        """Register the family ``name`` belongs to, when it is not yet. Its names leave
        ``_pending`` only once registered, so another thread never sees them missing."""
        if name in self._specs or name not in self._pending:
            return
        with self._loading:
            register = self._pending.get(name)
            if register is None:
                return
            register(self)
            self._pending = {other: loader for other, loader in self._pending.items() if loader is not register}

    def add(self, spec: OpSpec) -> None:
        if spec.name in self._specs:
            raise ValueError(f"op {spec.name} registered twice")
        self._specs[spec.name] = spec

    def get(self, name: str) -> OpSpec | None:
        self._load(name)
        return self._specs.get(name)

    def names(self) -> list[str]:
        return sorted({*self._specs, *self._pending})

    def specs(self) -> list[OpSpec]:
        for name in list(self._pending):
            self._load(name)
        return [self._specs[name] for name in self.names()]

    def __contains__(self, name: str) -> bool:
        return name in self._specs or name in self._pending
