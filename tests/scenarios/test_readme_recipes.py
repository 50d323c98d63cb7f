"""The README's scenario recipes run as written: as a user's own test file, with only the
installed pytest plugin, against the plugin's in-process emulator."""

from __future__ import annotations

import pytest
from readme_snippets import snippet
from support import run_user_tests


def recipes() -> str:
    return "\n\n".join(block.text for block in (snippet("recipe-retry"), snippet("recipe-timeout"),
                                                 snippet("recipe-failed-item"), snippet("recipe-lost-notify")))


@pytest.mark.timeout(300)
def test_the_readme_recipes_pass(tmp_path):
    run_user_tests(tmp_path, {"test_recipes.py": recipes()}, passed=4)


@pytest.mark.timeout(300)
def test_the_readme_regions_recipe_passes(tmp_path):
    run_user_tests(tmp_path, {"test_regions_recipe.py": snippet("recipe-regions").text}, passed=2)
