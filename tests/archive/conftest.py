"""Fixtures for mkzip and concat: files served at made-up URLs and a fop runner."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.fops.context import OpContext, OpFailed, OpResult
from qiniu_emulator.fops.execute import run_ops
from qiniu_emulator.fops.parse import parse_pipeline

BASE = "http://files.example.com/"


class Files:
    """Serves ``BASE + name`` from a dict of contents; anything else fails like a 404."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.by_url: dict[str, Path] = {}
        self.asked: list[str] = []

    def add(self, name: str, data: bytes) -> str:
        path = self.root / f"file-{len(self.by_url)}"
        path.write_bytes(data)
        self.by_url[BASE + name] = path
        return BASE + name

    def __call__(self, url: str, dest_dir: Path) -> Path:
        self.asked.append(url)
        if url not in self.by_url:
            raise OpFailed(f"failed to GET {url}: HTTP 404")
        dest = dest_dir / f"fetched-{len(self.asked)}"
        shutil.copyfile(self.by_url[url], dest)
        return dest


@pytest.fixture
def files(tmp_path) -> Files:
    root = tmp_path / "served"
    root.mkdir()
    return Files(root)


@pytest.fixture
def run(tmp_path, files) -> Callable[..., OpResult]:
    """Parse ``fop`` and run it on ``src`` (bytes written to a file first)."""
    registry = default_registry()

    def go(fop: str, src: bytes = b"ignored", mime: str = "text/plain") -> OpResult:
        source = tmp_path / "source"
        source.write_bytes(src)
        scratch = tmp_path / "scratch"
        scratch.mkdir(exist_ok=True)
        ctx = OpContext(scratch=scratch, fetch_url=files)
        pipeline = parse_pipeline(fop, registry)
        return run_ops(pipeline.ops, source, mime, ctx, registry).result

    return go
