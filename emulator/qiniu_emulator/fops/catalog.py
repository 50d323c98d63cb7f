"""Every op the emulator implements, gathered into one registry.

The top of the ``fops`` package: it imports the op packages, and nothing inside them
imports it, so imports inside ``fops`` only ever point down.
"""

from __future__ import annotations

from . import av, basic, doc, image
from .registry import Registry


def default_registry() -> Registry:
    registry = Registry()
    for module in (basic, image, av, doc):
        module.register(registry)
    return registry
