"""The README's "How a request flows" and layout sections name code that exists."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import qiniu_emulator

README = Path(__file__).resolve().parents[2] / "README.md"


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def emulator_members() -> dict[str, object]:
    """Every class and function defined in the emulator package, by name."""
    found: dict[str, object] = {}
    for info in pkgutil.walk_packages(qiniu_emulator.__path__, "qiniu_emulator."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (inspect.isclass(value) or inspect.isfunction(value)) and value.__module__ == info.name:
                found[name] = value
        found[info.name.removeprefix("qiniu_emulator.")] = module
    return found


def test_every_name_in_the_flow_section_exists():
    members = emulator_members()
    names = [(owner, attribute) for owner, attribute in
             re.findall(r"`([A-Za-z_]+)\.([A-Za-z_]+)`", section("How a request flows")) if attribute != "py"]
    assert len(names) >= 8
    for owner, attribute in names:
        assert owner in members, f"{owner} is not a class or module of the emulator"
        assert hasattr(members[owner], attribute), f"{owner}.{attribute} does not exist"


def test_every_file_in_the_layout_exists():
    root = Path(qiniu_emulator.__file__).parent
    listed = re.findall(r"^([a-z_]+(?:\.py|/))", section("Layout").split("Inside the emulator:")[1], re.M)
    paths = [p.strip() for line in listed for p in line.split(",")]
    assert len(paths) >= 15
    for name in paths:
        assert (root / name.rstrip("/")).exists(), f"README lists {name}, which is not in the emulator"
