"""Keys of multi-output results: ``pattern``/``savePattern`` magic variables and the
generated HLS segment prefix."""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path

from ...encoding import b64_encode, etag_of_stream
from ..registry import SourceInfo

_VARIABLE = re.compile(r"\$\(([A-Za-z.]+)\)|\$\{([A-Za-z.]+)\}")
SOURCE_VARIABLES = frozenset({"etag", "fsize", "mimeType", "bucket", "key", "keybase",
                              "fname", "fprefix", "ext", "endUser", "count"})


def check_pattern(pattern: str) -> str:
    """Validate a multi-output pattern at parse time: known variables, ``$(count)`` present."""
    names = [a or b for a, b in _VARIABLE.findall(pattern)]
    unknown = sorted(set(names) - SOURCE_VARIABLES)
    if unknown:
        raise ValueError(f"variable $({unknown[0]}) cannot be used in this pattern")
    if "count" not in names:
        raise ValueError("a multi-output pattern must contain $(count)")
    return pattern


def render_pattern(pattern: str, source: SourceInfo, count: int) -> str:
    """The key of output number ``count`` (``$(count)`` renders as ``%06d``)."""
    values = _source_values(source)
    values["count"] = f"{count:06d}"

    def substitute(match: re.Match) -> str:
        return values[match[1] or match[2]]

    return _VARIABLE.sub(substitute, pattern)


def _source_values(source: SourceInfo) -> dict[str, str]:
    fname = posixpath.basename(source.key)
    fprefix, ext = posixpath.splitext(fname)
    return {
        "etag": source.etag, "fsize": str(source.fsize), "mimeType": source.mime,
        "bucket": source.bucket, "key": source.key,
        "keybase": posixpath.splitext(source.key)[0],
        "fname": fname, "fprefix": fprefix, "ext": ext, "endUser": source.end_user,
    }


def generated_segment_prefix(cmd: str, source: SourceInfo, src: Path) -> str:
    """``b64u(sha1(cmd))/<source etag>/`` under which unnamed HLS segments are stored."""
    etag = source.etag
    if not etag:
        with src.open("rb") as f:
            etag = etag_of_stream(f)
    digest = b64_encode(hashlib.sha1(cmd.encode("utf-8")).digest())
    return f"{digest}/{etag}/"
