"""yifangyun_preview: document -> PDF, PDF page -> image, and page counts.

Documented syntax (``k=v`` segments after ``v2``, any order)::

    yifangyun_preview/v2/ext=<type>/action=<get_preview|get_page_count>
                        /format=<pdf|jpg>/page_number=<n>

``action`` defaults to ``get_preview`` and ``format`` to ``pdf``; ``page_number`` (default
1) picks the page rendered for ``format=jpg``. ``get_page_count`` answers
``{"page_count": N}`` as ``application/json``. A PDF asked for as ``format=pdf`` comes
back byte for byte; an office document (doc, docx, odt, rtf, wps, ppt, pptx, odp, dps,
xls, xlsx, ods, csv, et) is converted with a headless LibreOffice first (see
:mod:`.doc_office`), then counted or rendered like a PDF.

Emulator extension: the ``key/value`` form that the seed examples build with
``build_op('yifangyun_preview', 'v2', type=..., dpi=..., page=..., format=..., quality=...)``::

    yifangyun_preview/v2/type/pdf/dpi/150/page/1/format/jpg
    yifangyun_preview/v2/type/doc/page/1/format/png/quality/85

The real service rejects this form; the emulator accepts it so those examples run, and
maps ``type`` -> ``ext``, ``page`` -> ``page_number``; ``dpi`` (1..600) sets the render
resolution, ``quality`` (1..100) the encoder quality, and ``format`` may also be ``png``.
The two forms cannot be mixed in one op.

Rendering: pages are rasterised with PDFium at :data:`DEFAULT_DPI` dpi unless ``dpi``
says otherwise (PDFium's scale 1.0 is 72 dpi, so a US-letter page at 150 dpi is
1275x1650). JPEG quality defaults to :data:`DEFAULT_JPEG_QUALITY`. PNG is lossless, so
``quality`` maps to the zlib level the way ImageMagick reads PNG quality: its tens digit
(85 -> level 8, 1..9 -> 0, 100 -> 9); without ``quality`` the level is
:data:`DEFAULT_PNG_COMPRESS_LEVEL`. A render over :data:`MAX_RENDER_PIXELS` is refused.

The document type is the explicit ``ext``/``type``, else the source key's suffix, else
sniffed from the content (PDF header, OOXML/ODF zip, RTF); PDF bytes under an office
suffix are taken as a PDF (see :func:`resolve_ext`).
"""

from __future__ import annotations

import json
import shutil
import threading
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .doc_office import OFFICE_EXTS, convert_to_pdf
from .registry import FopSyntaxError, Op, OpContext, OpFailed, OpResult, OpSpec, Registry, int_range, one_of

DEFAULT_DPI = 150
DEFAULT_JPEG_QUALITY = 90
DEFAULT_PNG_COMPRESS_LEVEL = 6
MAX_RENDER_PIXELS = 50_000_000
PDF_EXTS = frozenset({"pdf"})
SUPPORTED_EXTS = PDF_EXTS | OFFICE_EXTS

_PDF_MAGIC = b"%PDF-"
_SNIFF_BYTES = 1024  # the PDF header may sit anywhere in the first KiB
_IMAGE_MIME = {"jpg": "image/jpeg", "png": "image/png"}

# PDFium is not thread-safe and jobs run on a worker pool: one document at a time.
_PDFIUM_LOCK = threading.Lock()


# ---------------------------------------------------------------------------
# Parsing


def _ext(text: str) -> str:
    ext = text.lower().lstrip(".")
    if ext not in SUPPORTED_EXTS:
        raise ValueError(f"{text!r} is not a supported document type "
                         f"({', '.join(sorted(SUPPORTED_EXTS))})")
    return ext


_ACTION = one_of("get_preview", "get_page_count")
_POSITIVE = int_range(1, None)

# documented k=v keys: key -> (canonical argument name, converter)
_KV_PARAMS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "ext": ("ext", _ext),
    "action": ("action", _ACTION),
    "format": ("format", one_of("pdf", "jpg")),
    "page_number": ("page_number", _POSITIVE),
}

# the seed's key/value keys (emulator extension)
_PAIR_PARAMS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "type": ("ext", _ext),
    "action": ("action", _ACTION),
    "format": ("format", one_of("pdf", "jpg", "png")),
    "page": ("page_number", _POSITIVE),
    "dpi": ("dpi", int_range(1, 600)),
    "quality": ("quality", int_range(1, 100)),
}

_MIXED = "cannot mix the documented k=v form with the type/.../page/... form"


def parse_preview(segments: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Parse the segments after ``yifangyun_preview`` into canonical arguments.

    Arguments: ``ext``, ``action``, ``format``, ``page_number``, ``dpi``, ``quality`` (only
    those given) and ``syntax`` (``"kv"`` or ``"pairs"``).
    """
    if not segments:
        return {"syntax": "kv"}, []
    version, *rest = segments
    if version != "v2":
        raise FopSyntaxError("yifangyun_preview supports version v2 only", version)
    if rest and "=" not in rest[0]:
        args, order = _parse_pairs(rest)
        args["syntax"] = "pairs"
    else:
        args, order = _parse_kv(rest)
        args["syntax"] = "kv"
    _check_combination(args)
    return args, order


def _parse_kv(segments: list[str]) -> tuple[dict[str, Any], list[str]]:
    args: dict[str, Any] = {}
    order: list[str] = []
    for segment in segments:
        if "=" not in segment:
            message = _MIXED if segment in _PAIR_PARAMS else "expected key=value"
            raise FopSyntaxError(message, segment)
        key, value = segment.split("=", 1)
        if key not in _KV_PARAMS:
            raise FopSyntaxError(f"unknown parameter {key!r} (known: {', '.join(_KV_PARAMS)})",
                                 segment)
        _store(args, order, key, _KV_PARAMS[key], value, segment)
    return args, order


def _parse_pairs(segments: list[str]) -> tuple[dict[str, Any], list[str]]:
    args: dict[str, Any] = {}
    order: list[str] = []
    for i in range(0, len(segments), 2):
        key = segments[i]
        if "=" in key:
            raise FopSyntaxError(_MIXED, key)
        if key not in _PAIR_PARAMS:
            raise FopSyntaxError(f"unknown parameter {key!r} (known: {', '.join(_PAIR_PARAMS)})",
                                 key)
        if i + 1 >= len(segments):
            raise FopSyntaxError(f"parameter {key} needs a value", key)
        value = segments[i + 1]
        if "=" in value:
            raise FopSyntaxError(_MIXED, value)
        _store(args, order, key, _PAIR_PARAMS[key], value, f"{key}/{value}")
    return args, order


def _store(args: dict[str, Any], order: list[str], key: str,
           param: tuple[str, Callable[[str], Any]], value: str, segment: str) -> None:
    name, convert = param
    if name in args:
        raise FopSyntaxError(f"parameter {key} given twice", segment)
    if value == "":
        raise FopSyntaxError(f"empty value for {key}", segment)
    try:
        args[name] = convert(value)
    except ValueError as exc:
        raise FopSyntaxError(f"bad {key}: {exc}", segment) from exc
    order.append(name)


def _check_combination(args: dict[str, Any]) -> None:
    """Reject parameters that the chosen action/format would silently ignore."""
    image_only = [name for name in ("page_number", "dpi", "quality") if name in args]
    if not image_only:
        return
    if args.get("action") == "get_page_count":
        raise FopSyntaxError(f"get_page_count takes no {', '.join(image_only)}")
    if args.get("format", "pdf") == "pdf":
        formats = "jpg or png" if args["syntax"] == "pairs" else "jpg"
        raise FopSyntaxError(f"{', '.join(image_only)} applies only to image output "
                             f"(format {formats})")


# ---------------------------------------------------------------------------
# The request and how to run it


@dataclass(frozen=True)
class PreviewRequest:
    """A parsed yifangyun_preview op with its defaults filled in."""

    ext: str | None = None
    action: str = "get_preview"
    format: str = "pdf"
    page_number: int = 1
    dpi: int = DEFAULT_DPI
    quality: int | None = None

    @classmethod
    def from_args(cls, args: dict[str, Any]) -> "PreviewRequest":
        known = ("ext", "action", "format", "page_number", "dpi", "quality")
        return cls(**{name: args[name] for name in known if name in args})


def run_preview(op: Op, src: Path, ctx: OpContext) -> OpResult:
    """Run yifangyun_preview on ``src`` (see the module docstring)."""
    request = PreviewRequest.from_args(op.args)
    if src.stat().st_size == 0:
        raise OpFailed("the document is empty (0 bytes)")
    ext = resolve_ext(request.ext, ctx.source.key, src)
    if ext == "pdf" and request.action == "get_preview" and request.format == "pdf":
        return _copy_pdf(src, ctx)
    pdf = src if ext == "pdf" else convert_to_pdf(src, ext, ctx)
    ctx.progress(0.5)
    if request.action == "get_page_count":
        return _write_page_count(pdf, ctx)
    if request.format == "pdf":
        return OpResult(path=pdf, mime="application/pdf")
    return _render(pdf, request, ctx)


def resolve_ext(explicit: str | None, key: str, src: Path) -> str:
    """The document type: explicit ``ext`` > the key's suffix > sniffed content.

    PDF bytes under an office suffix count as a PDF: in a pipe such as
    ``yifangyun_preview/v2/format=pdf|yifangyun_preview/v2/format=jpg`` the key still
    names the original ``.docx`` while the stage reads the converted PDF.
    """
    if explicit:
        return explicit
    suffix = PurePosixPath(key).suffix.lower().lstrip(".")
    sniffed = sniff_ext(src)
    if suffix in SUPPORTED_EXTS and sniffed != "pdf":
        return suffix
    if sniffed is None:
        raise OpFailed(f"cannot tell the document type of {key or 'the source'!r}: give the key "
                       "a document suffix or pass ext=<type> (e.g. ext=pdf, ext=docx)")
    return sniffed


def sniff_ext(src: Path) -> str | None:
    """Guess the document type from its bytes: PDF, OOXML/ODF zip or RTF; else None."""
    with src.open("rb") as f:
        head = f.read(_SNIFF_BYTES)
    if _PDF_MAGIC in head:
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(src)
    return None


def _sniff_zip(src: Path) -> str | None:
    odf = {"text": "odt", "presentation": "odp", "spreadsheet": "ods"}
    try:
        with zipfile.ZipFile(src) as archive:
            names = set(archive.namelist())
            for marker, ext in (("word/", "docx"), ("ppt/", "pptx"), ("xl/", "xlsx")):
                if any(name.startswith(marker) for name in names):
                    return ext
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return odf.get(mimetype.rsplit(".", 1)[-1])
    except (zipfile.BadZipFile, OSError):
        return None
    return None


def _copy_pdf(src: Path, ctx: OpContext) -> OpResult:
    with src.open("rb") as f:
        if _PDF_MAGIC not in f.read(_SNIFF_BYTES):
            raise OpFailed("the document is not a PDF (no %PDF- header); pass the right ext")
    out = ctx.output_path(".pdf")
    shutil.copyfile(src, out)
    return OpResult(path=out, mime="application/pdf")


def _write_page_count(pdf: Path, ctx: OpContext) -> OpResult:
    with open_pdf(pdf) as document:
        count = len(document)
    out = ctx.output_path(".json")
    out.write_text(json.dumps({"page_count": count}))
    return OpResult(path=out, mime="application/json")


def _render(pdf: Path, request: PreviewRequest, ctx: OpContext) -> OpResult:
    fmt = request.format
    out = ctx.output_path(f".{fmt}")
    ctx.log(f"yifangyun_preview: page {request.page_number} at {request.dpi} dpi as {fmt}")
    with open_pdf(pdf) as document:
        page = _page(document, request.page_number)
        try:
            _render_page(page, request, out)
        finally:
            page.close()
    return OpResult(path=out, mime=_IMAGE_MIME[fmt])


# ---------------------------------------------------------------------------
# PDFium


@contextmanager
def open_pdf(path: Path) -> Iterator[pdfium.PdfDocument]:
    """Open ``path`` with PDFium under the process-wide lock; always closes it.

    Raises OpFailed with a readable reason for encrypted, corrupt or empty PDFs.
    """
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(Path(path))
        except pdfium.PdfiumError as exc:
            raise OpFailed(_load_error(exc)) from exc
        try:
            yield document
        finally:
            document.close()


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


def _render_page(page: pdfium.PdfPage, request: PreviewRequest, out: Path) -> None:
    scale = request.dpi / 72  # PDFium renders 1 pixel per point (1/72 in) at scale 1
    width_pt, height_pt = page.get_size()
    # round, not ceil: 792 pt at 150 dpi is 1650 px, though the float product is 1650.0000000000002
    width, height = round(width_pt * scale), round(height_pt * scale)
    if width * height > MAX_RENDER_PIXELS:
        raise OpFailed(f"page {request.page_number} at {request.dpi} dpi would be {width}x{height} "
                       f"pixels, over the {MAX_RENDER_PIXELS // 1_000_000} Mpx limit: lower the dpi")
    bitmap = page.render(scale=scale)
    try:
        # encode before closing: to_pil may share the bitmap's buffer
        image = bitmap.to_pil()
        if image.size != (width, height):  # PDFium rounds its bitmap up; trim the sliver
            image = image.crop((0, 0, width, height))
        if request.format == "jpg":
            quality = request.quality or DEFAULT_JPEG_QUALITY
            image.convert("RGB").save(out, "JPEG", quality=quality)
        else:
            image.save(out, "PNG", compress_level=_png_level(request.quality))
    finally:
        bitmap.close()


def _png_level(quality: int | None) -> int:
    if quality is None:
        return DEFAULT_PNG_COMPRESS_LEVEL
    return min(9, quality // 10)


def register(registry: Registry) -> None:
    """Add yifangyun_preview to ``registry``."""
    registry.add(OpSpec(name="yifangyun_preview", run=run_preview, parse=parse_preview))
