"""The README's moderation recipes run as written: as a user's own test file, with only
the installed pytest plugin, against the plugin's in-process emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from readme_snippets import snippet


@pytest.mark.timeout(300)
def test_the_readme_moderation_recipes_pass(tmp_path):
    for name, block in (("upload", snippet("recipe-censor-upload")), ("notify", snippet("recipe-censor-notify"))):
        (tmp_path / f"test_censor_{name}.py").write_text(block.text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QINIU_CONTRACT", "QINIU_EMULATOR"))}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "."],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=280)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"\b2 passed\b", run.stdout), run.stdout
