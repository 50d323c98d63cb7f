"""concat: the source's bytes followed by each listed URL's, in order (docs/fops.md §9.4).

``concat/mimeType/<b64u(mime)>/<b64u(url)>/...``: at most 1000 files counting the
source; the result's MIME type is the one written. pfop only.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ...encoding import b64_decode_text
from ..context import OpContext, OpResult
from ..declare import Op
from ..grammar import FopSyntaxError, arg, convert
from .sources import b64_source_url, fetched

MAX_FILES = 1000  # the source included


def mime_type(text: str) -> str:
    value = b64_decode_text(text)
    if not re.fullmatch(r"[\w.+-]+/[\w.+-]+(\s*;.*)?", value):
        raise ValueError(f"{value[:60]!r} is not a MIME type such as text/plain")
    return value


@dataclass(frozen=True)
class ConcatArgs:
    mime_type: str = arg(mime_type, "MIME type of the result (url-safe base64)", name="mimeType",
                         required=True)
    urls: tuple[str, ...] = ()


def parse_concat(segments: list[str]) -> ConcatArgs:
    """``mimeType/<b64>`` first, then one or more base64 URLs."""
    if len(segments) < 2 or segments[0] != "mimeType":
        raise FopSyntaxError("concat starts with mimeType/<url-safe base64 MIME type>",
                             segments[0] if segments else None)
    mime = convert("mimeType", mime_type, segments[1])
    urls = tuple(convert("url", b64_source_url, text) for text in segments[2:])
    if not urls:
        raise FopSyntaxError("concat needs at least one url-safe base64 URL after the mimeType")
    if len(urls) + 1 > MAX_FILES:
        raise FopSyntaxError(f"concat joins at most {MAX_FILES} files counting the source, got {len(urls) + 1}")
    return ConcatArgs(mime_type=mime, urls=urls)


def run_concat(op: Op[ConcatArgs], src: Path, ctx: OpContext) -> OpResult:
    out = ctx.output_path("")
    with out.open("wb") as sink:
        with src.open("rb") as first:
            shutil.copyfileobj(first, sink)
        for _, path in fetched(list(op.args.urls), ctx, "concat-"):
            with path.open("rb") as part:
                shutil.copyfileobj(part, sink)
    return OpResult(path=out, mime=op.args.mime_type)
