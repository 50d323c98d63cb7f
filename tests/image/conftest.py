"""Fixtures for the image op tests: the spec's sources G, L, P and a runner for fop strings.

Sources (docs/fops.md §12): ``G`` 640x427 JPEG, ``L`` 4000x3000 JPEG at quality 80, ``P`` 3000x4000.
All are generated once per session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from image_support import pattern, save_jpeg
from PIL import Image

from qiniu_emulator.fops.execute import run_ops
from qiniu_emulator.fops.parse import parse_pipeline
from qiniu_emulator.fops.context import OpContext, OpFailed, OpResult
from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.fops.registry import Registry


@pytest.fixture(scope="session")
def registry() -> Registry:
    return default_registry()


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("image-media")


@pytest.fixture(scope="session")
def g_image() -> Image.Image:
    return pattern((640, 427), 16)


@pytest.fixture(scope="session")
def g_jpeg(media, g_image) -> Path:
    return save_jpeg(g_image, media / "G.jpg", quality=92)


@pytest.fixture(scope="session")
def l_jpeg(media) -> Path:
    return save_jpeg(pattern((4000, 3000), 50), media / "L.jpg", quality=80)


@pytest.fixture(scope="session")
def l_decoded(l_jpeg) -> Image.Image:
    with Image.open(l_jpeg) as image:
        return image.convert("RGB")


@pytest.fixture(scope="session")
def p_jpeg(media) -> Path:
    return save_jpeg(pattern((3000, 4000), 50), media / "P.jpg", quality=80)


class Resolver:
    """Maps watermark URLs to files written by the tests; anything else fails like a 404."""

    def __init__(self) -> None:
        self.files: dict[str, Path] = {}

    def __call__(self, url: str, dest_dir: Path) -> Path:
        if url not in self.files:
            raise OpFailed(f"failed to GET {url}")
        return self.files[url]


@pytest.fixture
def resolver() -> Resolver:
    return Resolver()


@pytest.fixture
def fop(registry, tmp_path, resolver) -> Callable[..., OpResult]:
    """Parse and run a fop string on a file: ``fop("imageView2/2/w/200", src)``."""
    def run(text: str, src: Path, mime: str = "image/jpeg", **context) -> OpResult:
        context.setdefault("fetch_url", resolver)
        pipeline = parse_pipeline(text, registry)
        ctx = OpContext(scratch=tmp_path, **context)
        return run_ops(pipeline.ops, src, mime, ctx, registry).result

    return run
