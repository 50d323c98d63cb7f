"""The plugin's fixtures follow --qiniu-target: the README's example test, run against an
emulator served in another process, talks to that emulator only."""

from __future__ import annotations

import pytest
import requests
from readme_snippets import ROOT
from support import ServeProcess, run_user_tests

from qiniu_contracts.plugin import ServedEmulator
from qiniu_emulator.config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY

EXAMPLE = ROOT / "docs" / "examples" / "test_thumbnailer.py"


@pytest.fixture
def served(tmp_path):
    """``make serve`` as a user runs it: the dev pair, demo-bucket and output-bucket."""
    server = ServeProcess(tmp_path / "data", "--account", f"{DEFAULT_ACCESS_KEY}:{DEFAULT_SECRET_KEY}").start()
    yield server
    server.stop()


def test_the_readme_example_runs_against_a_served_emulator(served, tmp_path):
    run_user_tests(tmp_path, {EXAMPLE.name: EXAMPLE.read_text(encoding="utf-8")}, 1,
                   f"--qiniu-target=url:{served.url}", drop_env=("QINIU_",), timeout=300)
    # The thumbnail is on the served emulator: the test made and read it there.
    thumb = requests.get(f"{served.url}/_io/output-bucket/thumbs/photo.jpg", timeout=10)
    assert thumb.status_code == 200


def test_a_served_emulator_says_it_has_no_in_process_services():
    served = ServedEmulator("http://127.0.0.1:9000")
    assert served.url == "http://127.0.0.1:9000"
    with pytest.raises(AttributeError, match="runs in another process"):
        served.emulator
