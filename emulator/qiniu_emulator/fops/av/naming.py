"""Keys of multi-output results: ``pattern``/``savePattern`` magic variables and the
generated HLS segment prefix."""

from __future__ import annotations

import re
from pathlib import Path

from ...encoding import etag_of_stream
from ...magic import render_template
from ..context import SourceInfo, default_output_prefix

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
    return render_template(pattern, {**source.variables(), "count": f"{count:06d}"}, json_mode=False)


def generated_segment_prefix(cmd: str, source: SourceInfo, src: Path) -> str:
    """``b64u(sha1(cmd))/<source etag>/`` under which unnamed HLS segments are stored."""
    etag = source.etag
    if not etag:
        with src.open("rb") as f:
            etag = etag_of_stream(f)
    return default_output_prefix(cmd, etag)
