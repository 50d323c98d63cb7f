"""Modules imported on first use.

PyAV, Pillow, pypdfium2, ffmpeg-python, trustme and ssl together take most of the
emulator's start-up time and a good part of its idle memory, while a CI run may never
touch an op family. A module that needs one of them binds a :class:`LazyModule` at import
time (and the real module under ``TYPE_CHECKING`` for mypy); the import happens at the
first attribute read, so ``serve`` becomes healthy without them.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for the module ``name``; the first attribute read or write imports it."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_module", None)

    def _load(self) -> ModuleType:
        module = self._module
        if module is None:
            module = importlib.import_module(self._name)
            object.__setattr__(self, "_module", module)
        return module

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        setattr(self._load(), attr, value)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}{' (loaded)' if self._module is not None else ''}>"


def lazy_module(name: str) -> Any:
    """A stand-in for ``import name`` that imports at first use (typed as the module by the
    caller's ``TYPE_CHECKING`` import)."""
    return LazyModule(name)
