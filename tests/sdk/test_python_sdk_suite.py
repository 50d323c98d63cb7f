"""The README's count of the official Python SDK's own tests that pass against the
emulator says what was run and how; the script it names runs them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from readme_snippets import README

SCRIPT = Path(__file__).resolve().parent / "python_sdk_suite.py"
CHECKOUT = "QINIU_PYTHON_SDK_CHECKOUT"


def test_the_readme_states_the_measurement_and_its_command():
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "`.venv/bin/python tests/sdk/python_sdk_suite.py PATH/TO/python-sdk [--hosts constants]`" in text
    assert "python-sdk v7.18.2, 87 tests" in text
    assert "**67 of 87** pass" in text and "(`--hosts constants`), **80 of 87** pass" in text
    done = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--hosts {set_default,constants}" in done.stdout, done.stderr


@pytest.mark.timeout(900)
@pytest.mark.parametrize("hosts, passed", [("set_default", 67), ("constants", 80)])
def test_the_sdk_suite_passes_as_the_readme_says(hosts, passed):
    checkout = os.environ.get(CHECKOUT)
    if not checkout:
        pytest.skip(f"set {CHECKOUT} to a checkout of github.com/qiniu/python-sdk at v7.18.2 "
                    "(git clone -b v7.18.2 https://github.com/qiniu/python-sdk) to run its tests here")
    done = subprocess.run([sys.executable, str(SCRIPT), checkout, "--hosts", hosts], capture_output=True,
                          text=True, timeout=880)
    summary = done.stdout.strip().splitlines()[-1]
    assert re.search(rf"\b{passed} passed\b", summary), summary
