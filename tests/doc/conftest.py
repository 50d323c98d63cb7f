"""Fixtures for yifangyun_preview: generated PDFs and a runner over the real parser/executor."""

from __future__ import annotations

import hashlib
import struct
import uuid
from pathlib import Path
from typing import Callable

import pytest
from PIL import Image, ImageDraw

from qiniu_emulator.fops.execute import run_ops
from qiniu_emulator.fops.parse import parse_pipeline
from qiniu_emulator.fops.context import OpContext, OpResult, SourceInfo
from qiniu_emulator.fops.catalog import default_registry

LETTER_PX_AT_72 = (612, 792)  # 8.5 x 11 in
PAGE_COLOURS = [(220, 30, 30), (30, 180, 60), (40, 60, 220)]


def draw_page(colour: tuple[int, int, int], label: str, size=LETTER_PX_AT_72) -> Image.Image:
    """A page filled with ``colour`` and some lines and text, so encoders have detail to keep."""
    page = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(page)
    for y in range(20, size[1] // 3, 12):
        draw.line([(20, y), (size[0] - 20, y)], fill=(255, 255, 255), width=2)
    draw.text((40, size[1] - 60), label, fill=(0, 0, 0))
    return page


def write_pdf(path: Path, pages: list[Image.Image], resolution: float = 72) -> Path:
    first, *rest = pages
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=resolution)
    return path


@pytest.fixture
def page_colours() -> list[tuple[int, int, int]]:
    """The fill colour of each page of ``three_page_pdf`` (and of ``two_page_pdf``)."""
    return list(PAGE_COLOURS)


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    """``make_pdf(name, pages, resolution=72)``: write Pillow images as a PDF in tmp_path.

    ``pages`` items are images or RGB colours (drawn as labelled letter pages).
    """

    def make(name: str, pages: list, resolution: float = 72) -> Path:
        images = [p if isinstance(p, Image.Image) else draw_page(p, f"page {i + 1}")
                  for i, p in enumerate(pages)]
        return write_pdf(tmp_path / name, images, resolution)

    return make


@pytest.fixture
def three_page_pdf(tmp_path: Path) -> Path:
    """US-letter pages coloured red, green, blue."""
    pages = [draw_page(c, f"page {i + 1}") for i, c in enumerate(PAGE_COLOURS)]
    return write_pdf(tmp_path / "three.pdf", pages)


@pytest.fixture
def two_page_pdf(tmp_path: Path) -> Path:
    pages = [draw_page(c, f"page {i + 1}") for i, c in enumerate(PAGE_COLOURS[:2])]
    return write_pdf(tmp_path / "two.pdf", pages)


@pytest.fixture
def run_fop(tmp_path: Path) -> Callable[..., OpResult]:
    """Parse ``fop`` as a pfop pipeline and run it on ``src``; StageFailed propagates."""
    registry = default_registry()

    def run(fop: str, src: Path, key: str = "", op_timeout: float = 120.0) -> OpResult:
        pipeline = parse_pipeline(fop, registry)
        scratch = tmp_path / f"scratch-{uuid.uuid4().hex}"
        scratch.mkdir()
        ctx = OpContext(scratch=scratch, source=SourceInfo(key=key), op_timeout=op_timeout)
        return run_ops(pipeline.ops, src, "application/octet-stream", ctx, registry).result

    return run


# ---------------------------------------------------------------------------
# An RC4 (standard security handler, revision 2) encrypted PDF, built by hand


_PASSWORD_PAD = bytes.fromhex(
    "28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def _padded(password: str) -> bytes:
    return (password.encode("latin-1") + _PASSWORD_PAD)[:32]


def encrypted_pdf_bytes(user_password: str, owner_password: str) -> bytes:
    """A one-page 200x200 pt PDF filled red, encrypted with 40-bit RC4 (PDF 1.7 §7.6.3)."""
    doc_id = hashlib.md5(b"qiniu-emulator test document").digest()
    permissions = struct.pack("<i", -4)
    owner_key = hashlib.md5(_padded(owner_password)).digest()[:5]
    o_entry = _rc4(owner_key, _padded(user_password))
    file_key = hashlib.md5(_padded(user_password) + o_entry + permissions + doc_id).digest()[:5]
    u_entry = _rc4(file_key, _PASSWORD_PAD)

    def object_key(number: int) -> bytes:
        return hashlib.md5(file_key + struct.pack("<i", number)[:3] + b"\0\0").digest()[:10]

    content = _rc4(object_key(4), b"1 0 0 rg 0 0 200 200 re f\n")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>"
        % (o_entry.hex().encode(), u_entry.hex().encode()),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 5 0 R /ID [<%s> <%s>] >>\n"
            % (len(objects) + 1, doc_id.hex().encode(), doc_id.hex().encode()))
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


@pytest.fixture
def encrypted_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypted_pdf_bytes("secret", "owner"))
    return path
