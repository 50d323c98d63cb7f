"""The emulator's structure stays as the README's Layout says: small modules, and imports
that point one way (a lower room never imports a higher one)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import qiniu_emulator

PACKAGE = Path(qiniu_emulator.__file__).parent
MAX_LINES = 500

# module (or package) -> the package's modules and packages it must never import
NEVER = {
    "routes": ("*",),  # the endpoint table imports nothing of the emulator
    "clock": ("*",),
    "regions": ("*",),  # region ids and the port layout know nothing of HTTP or storage
    "auth": ("uploads", "jobs", "api", "ui", "emulator", "storage"),
    "put_policy": ("auth", "uploads", "jobs", "api"),
    "wire": ("jobs", "api", "ui", "uploads"),
    "job_records": ("jobs", "wire", "api"),
    "scenarios": ("api", "jobs", "uploads", "ui", "emulator"),
    "storage": ("api", "jobs", "uploads", "ui", "auth", "emulator"),
    "jobs": ("api", "ui", "uploads", "emulator"),
    "censor": ("api", "ui", "jobs", "uploads", "emulator"),  # a service over storage, fetch and fops
    "fops": ("api", "ui", "jobs", "uploads", "censor", "emulator"),  # ops reach services through OpContext
}
# What a "*" room may still import: the endpoint table names the S3 door's operations from
# their own table, which imports nothing of the emulator (checked below).
LEAVES = {"routes": {"s3"}}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imported(path: Path) -> set[str]:
    """The top-level names of the package this file imports (``..jobs.models`` -> ``jobs``)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(parts[:len(parts) - node.level])
            target = base + (node.module.split(".") if node.module else [])
            if target:
                found.add(target[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("qiniu_emulator."):
            found.add(node.module.split(".")[1])
    return found


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


@pytest.mark.parametrize("room", sorted(NEVER))
def test_imports_point_one_way(room):
    files = [p for p in modules() if p.relative_to(PACKAGE).parts[0] in (room, f"{room}.py")]
    assert files
    for path in files:
        own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        names = imported(path) - {own}
        forbidden = names - LEAVES.get(room, set()) if NEVER[room] == ("*",) else names & set(NEVER[room])
        assert not forbidden, f"{path.relative_to(PACKAGE)} imports {sorted(forbidden)}"


def test_the_s3_operation_table_the_endpoint_table_reads_imports_nothing_of_the_emulator():
    assert imported(PACKAGE / "s3" / "operations.py") - {"s3"} == set()
