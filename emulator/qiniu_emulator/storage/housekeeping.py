"""Cleaning ``<data>/tmp``: leftovers of uploads and jobs a crash interrupted, swept at every
start (everything no upload session references) and periodically (what is old and unowned)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

def sweep_tmp(tmp_dir: Path, keep: set[Path], stale_after: float) -> int:
    """Remove entries of ``tmp_dir`` not in ``keep`` and older than ``stale_after`` seconds.

    Returns how many entries were removed.
    """
    cutoff = time.time() - stale_after
    removed = 0
    for entry in tmp_dir.iterdir():
        if entry in keep:
            continue
        try:
            if entry.lstat().st_mtime >= cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        except FileNotFoundError:
            continue
        removed += 1
    return removed
