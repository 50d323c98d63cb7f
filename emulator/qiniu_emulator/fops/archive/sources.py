"""The URLs that mkzip and concat gather: decoded from the fop, fetched through the context.

Every URL goes through :meth:`~..context.OpContext.fetch`, which decides whether it may
be read (a private bucket's URL needs its token) and names the URL when it fails, as
Qiniu's ``failed to GET <url>`` does.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Iterator

from ...encoding import b64_decode_text
from ..context import OpContext

URL_SCHEMES = ("http://", "https://", "kodo://")


def b64_source_url(text: str) -> str:
    """A URL-safe base64 URL of a kind the emulator can fetch."""
    url = b64_decode_text(text)
    if not url.startswith(URL_SCHEMES):
        raise ValueError(f"{url[:80]!r} is not an http://, https:// or kodo:// URL")
    return url


def fetched(urls: Iterator[str] | list[str], ctx: OpContext, prefix: str) -> Iterator[tuple[str, Path]]:
    """Each URL with its fetched file, one at a time; a file is deleted once the caller moves on."""
    workdir = Path(tempfile.mkdtemp(dir=ctx.scratch, prefix=prefix))
    for url in urls:
        path = ctx.fetch(url, workdir)
        try:
            yield url, path
        finally:
            if path.is_relative_to(workdir):
                path.unlink(missing_ok=True)
