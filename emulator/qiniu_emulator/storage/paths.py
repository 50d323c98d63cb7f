"""The key -> file path mapping under a bucket directory.

A key is stored at the path spelled by the key itself when that is unambiguous and safe
(``photos/a.jpg`` -> ``photos/a.jpg``); every other key goes to a path derived from the
SHA-256 of its bytes inside a directory no readable key may enter. Which of the two a key
got is decided at write time and recorded in the database, so a key keeps its path even
if a readable spelling later becomes free or taken.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from pathlib import Path

# Readable keys may never start with this segment (compared case-folded, for
# case-insensitive filesystems), so hashed paths and readable paths cannot meet.
HASHED_DIR = ".qiniu-objects"

# NAME_MAX on the filesystems the emulator runs on.
MAX_SEGMENT_BYTES = 255


def readable_relpath(key: str) -> str | None:
    """The key as a relative path, or None when it cannot be one without ambiguity.

    Refused: the empty key, empty / ``.`` / ``..`` segments (leading, trailing or doubled
    slashes collapse in path APIs), backslashes, control characters, segments longer than
    a filename may be, and the reserved hashed directory.
    """
    if not key or "\\" in key or any(_is_control(ch) for ch in key):
        return None
    segments = key.split("/")
    for segment in segments:
        if segment in ("", ".", "..") or len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            return None
    if segments[0].casefold() == HASHED_DIR:
        return None
    return key


def hashed_relpath(key: str) -> str:
    """The fallback path of a key: deterministic and distinct for distinct keys."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{HASHED_DIR}/{digest}"


def is_inside(base: Path, candidate: Path) -> bool:
    """True when ``candidate`` resolves to a path strictly below ``base`` (symlinks followed)."""
    try:
        root = base.resolve()
        target = candidate.resolve()
    except (OSError, ValueError):  # NUL bytes, symlink loops: not a usable path at all
        return False
    return target != root and target.is_relative_to(root)


def is_free(base: Path, relpath: str) -> bool:
    """True when ``relpath`` under ``base`` can take a new file.

    The target must not exist in any form, and each existing ancestor must be a real
    directory (not a file, not a symlink) that stays inside ``base``.
    """
    target = base / relpath
    # A relpath of plain segments below real directories cannot leave ``base``: resolving
    # it (a lookup per segment of the whole path, twice) is needed only for other spellings.
    if not is_plain(relpath) and not is_inside(base, target):
        return False
    ancestor = str(base)
    for segment in relpath.split("/")[:-1]:
        ancestor = f"{ancestor}/{segment}"
        try:
            mode = os.lstat(ancestor).st_mode
        except FileNotFoundError:
            return True  # nothing below a missing directory exists either
        except (OSError, ValueError):
            return False
        if not stat.S_ISDIR(mode):  # a file, or a symlink (lstat does not follow it)
            return False
    return not os.path.lexists(target)


def is_plain(relpath: str) -> bool:
    """A relative path of named segments only: no empty, ``.`` or ``..`` segment, no NUL."""
    return bool(relpath) and "\0" not in relpath and not relpath.startswith("/") and not any(
        segment in ("", ".", "..") for segment in relpath.split("/"))


def is_child_inside(base: Path, name: str) -> bool:
    """``base / name`` is inside ``base``, for one plain segment ``name`` (a bucket's directory):
    true at once unless it is a symlink, which is resolved."""
    if "/" in name or not is_plain(name):
        return False
    child = base / name
    return not os.path.islink(child) or is_inside(base, child)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc"
