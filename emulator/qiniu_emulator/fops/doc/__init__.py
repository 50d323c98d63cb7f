"""Document ops: yifangyun_preview (PDFium, with LibreOffice for office documents)."""

from __future__ import annotations

from ..declare import OpSpec
from ..registry import Registry
from .preview import PreviewArgs, parse_preview, run_preview, sniff_ext

__all__ = ["register", "sniff_ext"]


def register(registry: Registry) -> None:
    """Add yifangyun_preview to ``registry``."""
    registry.add(OpSpec(name="yifangyun_preview", run=run_preview, args=PreviewArgs, parse=parse_preview,
                        help="document preview: PDF, page images, page counts"))
