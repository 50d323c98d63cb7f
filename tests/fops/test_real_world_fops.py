"""The real-world fop corpus lints ok or not emulated, never as a typo, and covers every op."""

from __future__ import annotations

import pytest
from real_world_fops import CORPUS

from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.lint import ERROR, lint


@pytest.mark.parametrize("fops, source", CORPUS, ids=[f[:60] for f, _ in CORPUS])
def test_a_real_fop_string_is_never_called_a_mistake(fops, source):
    findings = lint(fops, default_registry())
    wrong = [finding.line() for finding in findings if finding.verdict == ERROR]
    assert not wrong, f"{source}: {wrong}"
    assert all("unknown" not in finding.detail for finding in findings)


def test_every_emulated_op_has_a_real_string():
    used = {command.split("|")[0].split("/")[0] for fops, _ in CORPUS for command in fops.split(";")}
    used |= {stage.split("/")[0] for fops, _ in CORPUS for stage in fops.replace(";", "|").split("|")}
    missing = set(default_registry().names()) - used
    assert not missing, f"no real-world string for {sorted(missing)}"


def test_every_string_names_its_source():
    assert all(source.strip() for _, source in CORPUS)
    assert len({fops for fops, _ in CORPUS}) == len(CORPUS)
