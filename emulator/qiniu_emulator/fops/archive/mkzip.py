"""mkzip: a zip of the files at some URLs (docs/fops.md §9.5).

Mode 2 names the URLs in the command (``/url/<b64u>[/alias/<b64u>]``, at most 2048 bytes
of arguments); mode 4 reads the same ``/url/...[/alias/...]`` lines from an index file,
the pfop key, one entry per line. ``encoding`` (b64u of ``gbk`` or ``utf-8``, the
default) is the charset of the entry names. One URL that cannot be fetched, or an empty
file, fails the whole item naming the URL; there is no partial archive. pfop only; without
a saveas key the archive is stored under its own hash.
"""

from __future__ import annotations

import shutil
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ...encoding import b64_decode_text
from ..context import OpContext, OpFailed, OpResult
from ..declare import Op
from ..grammar import FopSyntaxError, Param, arg, build, convert, one_of, pairs, unknown_parameter
from .names import ENCODINGS, check_name, default_name, zip_info
from .sources import b64_source_url, fetched

MODE2_MAX_ARGS_BYTES = 2048
MAX_FILES = 3000
ZIP_MIME = "application/zip"
# Members this large get zip64 headers up front (deflate can grow incompressible data a little).
ZIP64_FROM = 1 << 30
ENTRY_PARAMS = (
    Param("url", b64_source_url, "url-safe base64 URL of a file to pack (repeat)"),
    Param("alias", b64_decode_text, "url-safe base64 entry name of the url before it"),
)


def encoding_name(text: str) -> str:
    name = b64_decode_text(text).strip().lower()
    name = "utf-8" if name == "utf8" else name
    if name not in ENCODINGS:
        raise ValueError(f"{name!r} is not gbk or utf-8 (url-safe base64: Z2Jr or dXRmLTg=)")
    return name


def mode_value(text: str) -> int:
    return int(one_of("2", "4")(text))


@dataclass(frozen=True)
class Entry:
    url: str
    name: str


@dataclass(frozen=True)
class MkzipArgs:
    mode: int = arg(mode_value, "2: URLs in the command, 4: URLs in the index file (the pfop key)",
                    positional=True, required=True)
    encoding: str = arg(encoding_name, "charset of the entry names: gbk or utf-8", default="utf-8")
    entries: tuple[Entry, ...] = ()

    def check(self) -> None:
        if self.mode == 2 and not self.entries:
            raise FopSyntaxError("mkzip/2 needs at least one url/<url-safe base64 URL>")
        if self.mode == 4 and self.entries:
            raise FopSyntaxError("mkzip/4 reads its URLs from the index file (the pfop key); "
                                 "put the url/alias lines there", "url")
        if len(self.entries) > MAX_FILES:
            raise FopSyntaxError(f"mkzip packs at most {MAX_FILES} files, got {len(self.entries)}")
        duplicate = _first_duplicate(entry.name for entry in self.entries)
        if duplicate is not None:
            raise FopSyntaxError(f"two entries are named {duplicate!r}; give one an alias", "alias")


def _first_duplicate(names: Iterator[str]) -> str | None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def parse_entries(segments: list[str], encoding: str) -> list[Entry]:
    """``url/<b64u>[/alias/<b64u>]`` pairs: an alias names the url just before it."""
    entries: list[tuple[str, str | None]] = []
    for name, text in pairs(segments):
        if name == "url":
            entries.append((convert("url", b64_source_url, text), None))
        elif name == "alias":
            if not entries or entries[-1][1] is not None:
                raise FopSyntaxError("alias must follow the url it names", "alias")
            entries[-1] = (entries[-1][0], convert("alias", b64_decode_text, text))
        else:
            raise unknown_parameter(name, ("encoding", "url", "alias"))
    return [_entry(url, alias, encoding) for url, alias in entries]


def _entry(url: str, alias: str | None, encoding: str) -> Entry:
    try:
        return Entry(url, check_name(alias if alias is not None else default_name(url), encoding))
    except ValueError as exc:
        where = "alias" if alias is not None else "url"
        raise FopSyntaxError(f"{url}: {exc}" if alias is None else str(exc), where) from exc


def parse_mkzip(segments: list[str]) -> MkzipArgs:
    """``mkzip/<2|4>[/encoding/<b64u>]`` then, in mode 2, the url/alias pairs."""
    if not segments or segments[0] not in ("2", "4"):
        raise FopSyntaxError("mkzip mode must be 2 (URLs in the command) or 4 (URLs in an index file)",
                             segments[0] if segments else None)
    mode = int(segments[0])
    size = len("/".join(segments).encode("utf-8"))
    if mode == 2 and size > MODE2_MAX_ARGS_BYTES:
        raise FopSyntaxError(f"mkzip/2 arguments are {size} bytes, at most {MODE2_MAX_ARGS_BYTES}; "
                             "list the URLs in an index file and use mkzip/4")
    written = pairs(segments[1:])
    settings = [(name, text) for name, text in written if name == "encoding"]
    encoding = convert("encoding", encoding_name, settings[0][1]) if settings else "utf-8"
    others = [part for name, text in written if name != "encoding" for part in (name, text)]
    return build(MkzipArgs, settings, {"mode": mode, "entries": tuple(parse_entries(others, encoding))})


def read_index(path: Path, encoding: str) -> list[Entry]:
    """The entries of a mode-4 index file: one ``/url/...[/alias/...]`` per non-empty line."""
    entries: list[Entry] = []
    try:
        with path.open(encoding="utf-8-sig", newline=None) as index:
            for number, line in enumerate(index, start=1):
                line = line.strip()
                if not line:
                    continue
                if len(entries) == MAX_FILES:
                    raise OpFailed(f"the index file lists more than {MAX_FILES} files")
                try:
                    entries.extend(parse_entries(line.lstrip("/").split("/"), encoding))
                except FopSyntaxError as exc:
                    raise OpFailed(f"index file line {number}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise OpFailed("the index file (the pfop key) is not UTF-8 text with one /url/... per line") from exc
    if not entries:
        raise OpFailed("the index file (the pfop key) lists no /url/... line")
    duplicate = _first_duplicate(entry.name for entry in entries)
    if duplicate is not None:
        raise OpFailed(f"two entries are named {duplicate!r}; give one an alias")
    return entries


def run_mkzip(op: Op[MkzipArgs], src: Path, ctx: OpContext) -> OpResult:
    args = op.args
    entries = list(args.entries) if args.mode == 2 else read_index(src, args.encoding)
    out = ctx.output_path(".zip")
    stamp = time.localtime()[:6]
    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        for entry, (url, path) in zip(entries, fetched([entry.url for entry in entries], ctx, "mkzip-")):
            size = path.stat().st_size
            if size == 0:
                raise OpFailed(f"{url} is empty; mkzip cannot pack empty files")
            info = zip_info(entry.name, args.encoding)
            info.date_time = stamp
            with path.open("rb") as data, archive.open(info, "w", force_zip64=size > ZIP64_FROM) as member:
                shutil.copyfileobj(data, member)
    return OpResult(path=out, mime=ZIP_MIME)
