"""PDF pages through PDFium: opening with readable errors, counting and rasterising."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, TYPE_CHECKING

from ...lazy import lazy_module

if TYPE_CHECKING:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c
else:
    pdfium = lazy_module("pypdfium2")
    pdfium_c = lazy_module("pypdfium2.raw")

from ..context import OpFailed

MAX_RENDER_PIXELS = 50_000_000
DEFAULT_JPEG_QUALITY = 90
DEFAULT_PNG_COMPRESS_LEVEL = 6
POINTS_PER_INCH = 72  # PDFium renders 1 pixel per point at scale 1

# PDFium keeps process-wide state and is not thread-safe, so its lock is process-wide
# too: every emulator and registry in the process shares it.
_PDFIUM_LOCK = threading.Lock()


@dataclass(frozen=True)
class Raster:
    """How to rasterise one page: resolution, image format and encoder quality."""

    dpi: int
    format: str  # "jpg" or "png"
    quality: int | None = None


@contextmanager
def open_pdf(path: Path) -> Iterator[pdfium.PdfDocument]:
    """Open ``path`` under the lock; always closes it. Raises OpFailed with a readable reason."""
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(Path(path))
        except pdfium.PdfiumError as exc:
            raise OpFailed(_load_error(exc)) from exc
        try:
            yield document
        finally:
            document.close()


def page_count(path: Path) -> int:
    with open_pdf(path) as document:
        return len(document)


def render(path: Path, number: int, raster: Raster, out: Path) -> None:
    """Write page ``number`` (1-based) of the PDF at ``path`` to ``out``."""
    with open_pdf(path) as document:
        page = _page(document, number)
        try:
            _render_page(page, number, raster, out)
        finally:
            page.close()


def _load_error(exc: pdfium.PdfiumError) -> str:
    reasons = {
        pdfium_c.FPDF_ERR_PASSWORD: "the PDF is encrypted (password protected); "
                                    "remove the password to preview it",
        pdfium_c.FPDF_ERR_SECURITY: "the PDF uses an unsupported security (encryption) scheme",
        pdfium_c.FPDF_ERR_FORMAT: "the file is not a valid PDF (corrupt or truncated)",
        pdfium_c.FPDF_ERR_FILE: "the PDF file cannot be read",
        pdfium_c.FPDF_ERR_SUCCESS: "the PDF has no pages",
    }
    return reasons.get(exc.err_code, f"cannot open the PDF: {exc}")


def _page(document: pdfium.PdfDocument, number: int) -> pdfium.PdfPage:
    count = len(document)
    if number > count:
        raise OpFailed(f"page {number} is out of range: the document has "
                       f"{count} page{'s' if count != 1 else ''}")
    try:
        return document[number - 1]
    except pdfium.PdfiumError as exc:
        raise OpFailed(f"page {number} cannot be loaded: the PDF is damaged ({exc})") from exc


def _render_page(page: pdfium.PdfPage, number: int, raster: Raster, out: Path) -> None:
    scale = raster.dpi / POINTS_PER_INCH
    width_pt, height_pt = page.get_size()
    # round, not ceil: 792 pt at 150 dpi is 1650 px, though the float product is 1650.0000000000002
    width, height = round(width_pt * scale), round(height_pt * scale)
    if width * height > MAX_RENDER_PIXELS:
        raise OpFailed(f"page {number} at {raster.dpi} dpi would be {width}x{height} "
                       f"pixels, over the {MAX_RENDER_PIXELS // 1_000_000} Mpx limit: lower the dpi")
    bitmap = page.render(scale=scale)
    try:
        # encode before closing: to_pil may share the bitmap's buffer
        image = bitmap.to_pil()
        if image.size != (width, height):  # PDFium rounds its bitmap up; trim the sliver
            image = image.crop((0, 0, width, height))
        if raster.format == "jpg":
            image.convert("RGB").save(out, "JPEG", quality=raster.quality or DEFAULT_JPEG_QUALITY)
        else:
            image.save(out, "PNG", compress_level=_png_level(raster.quality))
    finally:
        bitmap.close()


def _png_level(quality: int | None) -> int:
    """ImageMagick reads PNG quality's tens digit as the zlib level (85 -> 8, 100 -> 9)."""
    if quality is None:
        return DEFAULT_PNG_COMPRESS_LEVEL
    return min(9, quality // 10)
