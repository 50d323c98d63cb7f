"""Every op the emulator implements, gathered into one registry.

The top of the ``fops`` package: it imports the op packages, and nothing inside them
imports it, so imports inside ``fops`` only ever point down.
"""

from __future__ import annotations

import importlib
from typing import Callable

from ..fidelity import Fidelity
from .registry import Registry

# Each op package and the ops it registers (a test keeps the two equal), so a registry can
# import a package only when one of its ops is looked up.
FAMILIES: dict[str, tuple[str, ...]] = {
    "basic": ("qhash",),
    "image": ("exif", "imageAve", "imageInfo", "imageMogr2", "imageView2", "imageslim", "roundPic", "watermark"),
    "av": ("adapt", "avconcat", "avinfo", "avthumb", "pm3u8", "vframe", "vsample"),
    "doc": ("yifangyun_preview",),
    "archive": ("concat", "mkzip"),
    "censor": ("image-censor",),
}


def family_register(family: str) -> Callable[[Registry], None]:
    """What adds the op package ``family``'s ops to a registry (importing the package then)."""
    def register(registry: Registry) -> None:
        importlib.import_module(f"{__package__}.{family}").register(registry)

    return register


def default_registry(fidelity: Fidelity | None = None) -> Registry:
    """Every op, registered now (the server's registry)."""
    registry = Registry(fidelity=fidelity)
    for family in FAMILIES:
        family_register(family)(registry)
    return registry


def lazy_registry(fidelity: Fidelity | None = None) -> Registry:
    """Every op, each package imported when one of its ops is first looked up (``lint``)."""
    return Registry(fidelity=fidelity, families={names: family_register(family) for family, names in FAMILIES.items()})


def op_table(registry: Registry | None = None) -> str:
    """The README's table of emulated ops (a test keeps the two equal)."""
    rows = ["| op | on a download URL | what it does |", "|---|---|---|"]
    for spec in (registry or default_registry()).specs():
        where = "yes" if spec.sync else "no, pfop only"
        rows.append(f"| `{spec.name}` | {where} | {spec.help} |")
    return "\n".join(rows)


def parameter_table(registry: Registry | None = None) -> str:
    """The README's table of every op's parameters (a test keeps the two equal)."""
    rows = ["| op | parameters | documented by Qiniu, not emulated (see --fidelity) |", "|---|---|---|"]
    for spec in (registry or default_registry()).specs():
        names = ", ".join(f"`{name}`" for name in spec.parameter_names()) or "none"
        missing = ", ".join(f"`{name}`" for name in spec.not_emulated) or "none"
        rows.append(f"| `{spec.name}` | {names} | {missing} |")
    return "\n".join(rows)


def parameters_json(registry: Registry) -> dict[str, dict[str, list[str]]]:
    """Every op's parameter names and its not-emulated ones, for ``/_emulator/health``."""
    return {spec.name: {"parameters": spec.parameter_names(), "notEmulated": list(spec.not_emulated)}
            for spec in registry.specs()}


def describe_ops(registry: Registry, names: list[str] | None = None) -> str:
    """``qiniu-emulator ops``: each op with its parameters and their help."""
    unknown = [name for name in names or () if name not in registry]
    if unknown:
        raise ValueError(f"no such op: {', '.join(unknown)} (known: {', '.join(registry.names())})")
    blocks = []
    for spec in registry.specs():
        if names and spec.name not in names:
            continue
        lines = [f"{spec.name}  {spec.help}" + ("" if spec.sync else " (pfop only)")]
        for param in spec.parameters():
            lines.append(f"  {param['name']:<20} {param['kind']:<10} {param['help']}")
        if spec.not_emulated:
            lines.append("  not emulated: " + ", ".join(spec.not_emulated))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
