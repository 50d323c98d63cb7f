"""``--fidelity``: what becomes of a documented feature the emulator accepts but does not emulate.

Qiniu acts on put-policy fields such as ``trafficLimit``, form fields such as
``cacheControl`` and op parameters such as avthumb's ``hr``; the emulator knows their
names but does nothing with them. ``strict`` (the default) refuses each with a 400 that
names it, so a test cannot pass on a feature that did nothing; ``loose`` ignores it and
logs each name once.
"""

from __future__ import annotations

import logging
import threading

MODES = ("strict", "loose")


class NotEmulated(ValueError):
    """A known name the emulator does not act on, met in strict mode."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"{name} is not emulated; start with --fidelity loose to ignore it")


class Fidelity:
    """The ``--fidelity`` mode and the names already logged in loose mode."""

    def __init__(self, mode: str = "strict", logger: logging.Logger | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"fidelity must be strict or loose, not {mode!r}")
        self.mode = mode
        self._logged: set[str] = set()
        self._lock = threading.Lock()
        self._log = logger or logging.getLogger("qiniu_emulator.fidelity")

    @property
    def loose(self) -> bool:
        return self.mode == "loose"

    def not_emulated(self, name: str, where: str) -> None:
        """Refuse ``name`` (strict: :class:`NotEmulated`) or let the caller drop it (loose)."""
        if not self.loose:
            raise NotEmulated(name)
        label = f"{where} {name}"
        with self._lock:
            if label in self._logged:
                return
            self._logged.add(label)
        self._log.warning("%s is not emulated and is ignored (--fidelity loose)", label)

    def screen(self, names: list[str], where: str) -> None:
        """:meth:`not_emulated` for each name present."""
        for name in names:
            self.not_emulated(name, where)
