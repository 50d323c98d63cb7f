"""The list of long test files that ``make test`` hands out first names files that exist."""

from __future__ import annotations

from pathlib import Path

from scheduling import LONG_FILES

ROOT = Path(__file__).resolve().parents[2]


def test_every_long_file_named_exists_once():
    assert [path for path in LONG_FILES if not (ROOT / path).is_file()] == []
    assert len(set(LONG_FILES)) == len(LONG_FILES)
