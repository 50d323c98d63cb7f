"""The README's moderation recipes run as written: as a user's own test file, with only
the installed pytest plugin, against the plugin's in-process emulator."""

from __future__ import annotations

import pytest
from readme_snippets import snippet
from support import run_user_tests


@pytest.mark.timeout(300)
def test_the_readme_moderation_recipes_pass(tmp_path):
    run_user_tests(tmp_path, {"test_censor_upload.py": snippet("recipe-censor-upload").text,
                              "test_censor_notify.py": snippet("recipe-censor-notify").text}, passed=2)
