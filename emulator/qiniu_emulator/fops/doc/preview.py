"""yifangyun_preview: document -> PDF, PDF page -> image, and page counts.

Documented syntax (``k=v`` segments after ``v2``, any order)::

    yifangyun_preview/v2/ext=<type>/action=<get_preview|get_page_count>
                        /format=<pdf|jpg>/page_number=<n>

``action`` defaults to ``get_preview`` and ``format`` to ``pdf``; ``page_number`` (default
1) picks the page rendered for ``format=jpg``. ``get_page_count`` answers
``{"page_count": N}`` as ``application/json``. A PDF asked for as ``format=pdf`` comes
back byte for byte; an office document (doc, docx, odt, rtf, wps, ppt, pptx, odp, dps,
xls, xlsx, ods, csv, et) is converted with a headless LibreOffice first (see
:mod:`.office`), then counted or rendered like a PDF.

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
1275x1650). JPEG quality defaults to :data:`.pdf.DEFAULT_JPEG_QUALITY`. PNG is lossless, so
``quality`` maps to the zlib level the way ImageMagick reads PNG quality: its tens digit
(85 -> level 8, 1..9 -> 0, 100 -> 9); without ``quality`` the level is
:data:`.pdf.DEFAULT_PNG_COMPRESS_LEVEL`. A render over :data:`.pdf.MAX_RENDER_PIXELS` is refused.

The document type is the explicit ``ext``/``type``, else the source key's suffix, else
sniffed from the content (PDF header, OOXML/ODF zip, RTF); PDF bytes under an office
suffix are taken as a PDF (see :func:`resolve_ext`).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..context import OpContext, OpFailed, OpResult
from ..declare import Op
from ..grammar import FopSyntaxError, arg, build, int_range, one_of, unknown_parameter
from .office import OFFICE_EXTS, convert_to_pdf
from .pdf import Raster, page_count, render

DEFAULT_DPI = 150
PDF_EXTS = frozenset({"pdf"})
SUPPORTED_EXTS = PDF_EXTS | OFFICE_EXTS

_PDF_MAGIC = b"%PDF-"
_SNIFF_BYTES = 1024  # the PDF header may sit anywhere in the first KiB
_IMAGE_MIME = {"jpg": "image/jpeg", "png": "image/png"}


def _ext(text: str) -> str:
    ext = text.lower().lstrip(".")
    if ext not in SUPPORTED_EXTS:
        raise ValueError(f"{text!r} is not a supported document type "
                         f"({', '.join(sorted(SUPPORTED_EXTS))})")
    return ext


@dataclass(frozen=True)
class PreviewArgs:
    """The op's arguments in either form; None means "not written" (defaults: see the properties)."""

    ext: str | None = arg(_ext, "document type (default: the key's suffix, else sniffed)")
    action: str = arg(one_of("get_preview", "get_page_count"), "what to produce", default="get_preview")
    format: str = arg(one_of("pdf", "jpg", "png"), "pdf, jpg (png: extension form only)", default="pdf")
    page_number: int | None = arg(int_range(1, None), "page to render (default 1)")
    dpi: int | None = arg(int_range(1, 600), "render resolution (extension form only)")
    quality: int | None = arg(int_range(1, 100), "encoder quality (extension form only)")
    syntax: str = "kv"

    def check(self) -> None:
        """Reject parameters that the chosen action/format would silently ignore."""
        if self.syntax == "kv" and self.format == "png":
            raise FopSyntaxError("bad format: 'png' is not one of pdf, jpg", "format=png")
        image_only = [name for name in ("page_number", "dpi", "quality") if getattr(self, name) is not None]
        if not image_only:
            return
        if self.action == "get_page_count":
            raise FopSyntaxError(f"get_page_count takes no {', '.join(image_only)}")
        if self.format == "pdf":
            formats = "jpg or png" if self.syntax == "pairs" else "jpg"
            raise FopSyntaxError(f"{', '.join(image_only)} applies only to image output "
                                 f"(format {formats})")

    @property
    def page(self) -> int:
        return self.page_number or 1

    def raster(self) -> Raster:
        return Raster(dpi=self.dpi or DEFAULT_DPI, format=self.format, quality=self.quality)


# Wire names of each form -> fields.
KV_NAMES = {"ext": "ext", "action": "action", "format": "format", "page_number": "page_number"}
PAIR_NAMES = {"type": "ext", "action": "action", "format": "format", "page": "page_number",
              "dpi": "dpi", "quality": "quality"}
_MIXED = "cannot mix the documented k=v form with the type/.../page/... form"


def parse_preview(segments: list[str]) -> PreviewArgs:
    """``v2`` then either ``k=v`` segments or ``key/value`` pairs (never both)."""
    if not segments:
        return PreviewArgs()
    version, *rest = segments
    if version != "v2":
        raise FopSyntaxError("yifangyun_preview supports version v2 only", version)
    if rest and "=" not in rest[0]:
        written = _pair_segments(rest)
        return build(PreviewArgs, written, {"syntax": "pairs"}, names=PAIR_NAMES)
    return build(PreviewArgs, _kv_segments(rest), {"syntax": "kv"}, names=KV_NAMES)


def _kv_segments(segments: list[str]) -> list[tuple[str, str]]:
    written = []
    for segment in segments:
        if "=" not in segment:
            raise FopSyntaxError(_MIXED if segment in PAIR_NAMES else "expected key=value", segment)
        key, value = segment.split("=", 1)
        written.append((key, value))
    return written


def _pair_segments(segments: list[str]) -> list[tuple[str, str]]:
    written = []
    for i in range(0, len(segments), 2):
        key = segments[i]
        if "=" in key:
            raise FopSyntaxError(_MIXED, key)
        if i + 1 >= len(segments):
            if key not in PAIR_NAMES:
                raise unknown_parameter(key, PAIR_NAMES)
            raise FopSyntaxError(f"parameter {key} needs a value", key)
        if "=" in segments[i + 1]:
            raise FopSyntaxError(_MIXED, segments[i + 1])
        written.append((key, segments[i + 1]))
    return written


def run_preview(op: Op[PreviewArgs], src: Path, ctx: OpContext) -> OpResult:
    """Run yifangyun_preview on ``src`` (see the module docstring)."""
    args = op.args
    if src.stat().st_size == 0:
        raise OpFailed("the document is empty (0 bytes)")
    ext = resolve_ext(args.ext, ctx.source.key, src)
    if ext == "pdf" and args.action == "get_preview" and args.format == "pdf":
        return _copy_pdf(src, ctx)
    pdf = src if ext == "pdf" else convert_to_pdf(src, ext, ctx)
    ctx.progress(0.5)
    if args.action == "get_page_count":
        out = ctx.output_path(".json")
        out.write_text(json.dumps({"page_count": page_count(pdf)}))
        return OpResult(path=out, mime="application/json")
    if args.format == "pdf":
        return OpResult(path=pdf, mime="application/pdf")
    raster = args.raster()
    out = ctx.output_path(f".{raster.format}")
    ctx.log(f"yifangyun_preview: page {args.page} at {raster.dpi} dpi as {raster.format}")
    render(pdf, args.page, raster, out)
    return OpResult(path=out, mime=_IMAGE_MIME[raster.format])


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
