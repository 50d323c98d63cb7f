"""Every op the emulator implements, gathered into one registry.

The top of the ``fops`` package: it imports the op packages, and nothing inside them
imports it, so imports inside ``fops`` only ever point down.
"""

from __future__ import annotations

from . import archive, av, basic, doc, image
from .registry import Registry


def default_registry() -> Registry:
    registry = Registry()
    for module in (basic, image, av, doc, archive):
        module.register(registry)
    return registry


def op_table(registry: Registry | None = None) -> str:
    """The README's table of emulated ops (a test keeps the two equal)."""
    rows = ["| op | on a download URL | what it does |", "|---|---|---|"]
    for spec in (registry or default_registry()).specs():
        where = "yes" if spec.sync else "no, pfop only"
        rows.append(f"| `{spec.name}` | {where} | {spec.help} |")
    return "\n".join(rows)
