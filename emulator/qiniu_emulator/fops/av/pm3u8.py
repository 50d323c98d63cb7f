"""pm3u8: a private bucket's playlist with every segment URL signed (docs/fops.md §9.9).

``pm3u8/0[/query/<b64u>][/expires/<s>][/deadline/<unix>]``. Each URI line becomes an
absolute URL (a relative one is resolved against the playlist's own path-style URL,
``<host>/_io/<bucket>/<key>``, on the host the request came in on, or the emulator's own
URL in a pfop job), gets ``query`` appended, and is signed like a private download link
until ``deadline`` or now + ``expires`` (43200 s by default). Tag lines are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin

from ..context import OpContext, OpFailed, OpResult
from ..declare import Op
from ..grammar import arg, b64_text, int_range, one_of

DEFAULT_EXPIRES = 43200
PLAYLIST_MIME = "application/x-mpegURL"
IO_PREFIX = "/_io/"


def query_text(text: str) -> str:
    query = b64_text(text).lstrip("?&")
    if not query or not query.isprintable() or any(c in query for c in " #"):
        raise ValueError(f"{query[:60]!r} is not a query string such as a=1&b=2")
    return query


@dataclass(frozen=True)
class Pm3u8Args:
    mode: str = arg(one_of("0"), "0: sign every segment URL", positional=True, required=True)
    query: str | None = arg(query_text, "query string added to each segment URL (url-safe base64)")
    expires: int | None = arg(int_range(1, 10 * 365 * 86400), "seconds the links stay valid (43200)")
    deadline: int | None = arg(int_range(1, 2 ** 32), "Unix time the links expire; wins over expires")


def run_pm3u8(op: Op[Pm3u8Args], src: Path, ctx: OpContext) -> OpResult:
    sign = ctx.sign_download
    if sign is None:
        raise OpFailed("pm3u8 signs with the emulator's keys: run it on a download URL or through pfop")
    lines = _playlist_lines(src)
    base = playlist_url(ctx)
    args = op.args
    deadline = args.deadline or int(ctx.now()) + (args.expires or DEFAULT_EXPIRES)
    out_lines = []
    for line in lines:
        uri = line.strip()
        if uri and not uri.startswith("#"):
            url = urljoin(base, uri)
            if url.startswith(("http://", "https://")):
                if args.query:
                    url = f"{url}{'&' if '?' in url else '?'}{args.query}"
                line = sign(url, deadline)
        out_lines.append(line)
    out = ctx.output_path(".m3u8")
    out.write_text("\n".join(out_lines) + "\n", encoding="utf-8")
    return OpResult(path=out, mime=PLAYLIST_MIME)


def _playlist_lines(src: Path) -> list[str]:
    try:
        text = src.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OpFailed("not a valid m3u8 playlist: not UTF-8 text") from exc
    lines = text.splitlines()
    if not lines or lines[0].strip() != "#EXTM3U":
        raise OpFailed("not a valid m3u8 playlist: it must start with #EXTM3U")
    return lines


def playlist_url(ctx: OpContext) -> str:
    """The playlist object's own path-style URL, against which relative URIs resolve."""
    source = ctx.source
    if not ctx.public_url or not source.bucket or not source.key:
        raise OpFailed("pm3u8 needs the playlist's bucket and key: run it on a download URL or through pfop")
    return f"{ctx.public_url}{IO_PREFIX}{quote(source.bucket)}/{quote(source.key)}"
