"""The README's scenario recipes run as written: as a user's own test file, with only the
installed pytest plugin, against the plugin's in-process emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from readme_snippets import snippet

def recipes() -> str:
    return "\n\n".join(block.text for block in (snippet("recipe-retry"), snippet("recipe-timeout"),
                                                 snippet("recipe-failed-item"), snippet("recipe-lost-notify")))


@pytest.mark.timeout(300)
def test_the_readme_recipes_pass(tmp_path):
    (tmp_path / "test_recipes.py").write_text(recipes(), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QINIU_CONTRACT", "QINIU_EMULATOR"))}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_recipes.py"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=280)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"\b4 passed\b", run.stdout), run.stdout


@pytest.mark.timeout(300)
def test_the_readme_regions_recipe_passes(tmp_path):
    (tmp_path / "test_regions_recipe.py").write_text(snippet("recipe-regions").text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QINIU_CONTRACT", "QINIU_EMULATOR"))}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_regions_recipe.py"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=280)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"\b2 passed\b", run.stdout), run.stdout
