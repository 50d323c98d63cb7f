"""The containment check for every filesystem path built from user input."""

from __future__ import annotations

import os
from pathlib import Path


def contained(root: Path, candidate: Path) -> bool:
    """True when ``candidate`` resolves to ``root`` itself or to a path below it.

    Resolving follows symlinks and collapses ``..``, so neither can lead outside.
    """
    root_real = os.path.realpath(root)
    candidate_real = os.path.realpath(candidate)
    return candidate_real == root_real or candidate_real.startswith(root_real + os.sep)
