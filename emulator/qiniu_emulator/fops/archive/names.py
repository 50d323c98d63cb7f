"""Names of zip entries: the alias or the URL's file name, checked, in gbk or utf-8.

An alias may hold ``/`` to make folders (``T1/a.ppt``); names that would climb out of
the folder they are unpacked into, or that name a folder, are refused. ``gbk`` names are
written as GBK bytes without the zip UTF-8 flag, the way Windows' built-in unzip reads
them; ``utf-8`` names carry the flag, as :mod:`zipfile` writes any non-ASCII name.
"""

from __future__ import annotations

import posixpath
import zipfile
from urllib.parse import unquote, urlsplit

ENCODINGS = ("utf-8", "gbk")
_UTF8_FLAG = 0x800


def default_name(url: str) -> str:
    """The file name of a URL's path, percent-decoded (``http://h/a/b%20c.jpg`` -> ``b c.jpg``)."""
    return posixpath.basename(unquote(urlsplit(url).path))


def check_name(name: str, encoding: str) -> str:
    """``name`` when it can be an entry of an archive written in ``encoding``; else ValueError."""
    if not name:
        raise ValueError("has no file name; give it an alias")
    if name.startswith("/") or "\\" in name or not name.isprintable():
        raise ValueError(f"entry name {name!r} must be a relative path without backslashes")
    if ".." in name.split("/") or name.endswith("/"):
        raise ValueError(f"entry name {name!r} must name a file inside the archive")
    if encoding == "gbk":
        try:
            name.encode("gbk")
        except UnicodeEncodeError:
            raise ValueError(f"entry name {name!r} cannot be written in gbk; use encoding utf-8") from None
    return name


class GbkZipInfo(zipfile.ZipInfo):
    """A zip entry whose name is stored as GBK bytes, without the UTF-8 flag."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits & ~_UTF8_FLAG


def zip_info(name: str, encoding: str) -> zipfile.ZipInfo:
    info = GbkZipInfo(name) if encoding == "gbk" else zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16  # a plain readable file when unpacked on unix
    return info
