"""Which op names exist: emulated ones, real ones the emulator lacks, and typos."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from qiniu_emulator.fops.catalog import (FAMILIES, default_registry, family_register, lazy_registry, op_table,
                                        parameter_table)
from qiniu_emulator.fops.known import NOT_EMULATED, missing_ops_table
from qiniu_emulator.fops.parse import FopsError, parse_pipeline
from qiniu_emulator.fops.registry import Registry

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block(marker: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker}:[^>]*-->\n(.*?)\n<!-- end {marker} -->", text, re.S)
    assert match, f"README lacks the {marker} markers"
    return match.group(1)


def test_no_real_op_is_both_emulated_and_listed_as_missing():
    registered = set(default_registry().names())
    assert registered.isdisjoint(op.name for op in NOT_EMULATED)


@pytest.mark.parametrize("fop, url", [
    ("avsmart/mp4", "https://developer.qiniu.com/dora/6097/perceptive-transcoding-avsmart-1"),
    ("animate/duration/10/merge/key/YQ==", "https://developer.qiniu.com/dora/5448/animate"),
    ("imageView/1/w/100", "https://github.com/qiniu/docs.qiniu.com/tree/"),
])
def test_a_real_op_that_is_not_emulated_says_so_and_links_its_page(fop, url):
    name = fop.split("/")[0]
    with pytest.raises(FopsError) as caught:
        parse_pipeline(fop, default_registry())
    assert f"'{name}' is a real Qiniu op that the emulator does not emulate yet (see {url}" in caught.value.message
    assert "unknown fop" not in caught.value.message


@pytest.mark.parametrize("fop, message", [
    ("imageview2/2/w/100", "unknown fop 'imageview2' (did you mean imageView2?)"),
    ("roundpic/radius/10", "unknown fop 'roundpic' (did you mean roundPic?)"),
    ("frobnicate/1", "unknown fop 'frobnicate' (at"),
])
def test_a_typo_is_an_unknown_fop_with_a_hint_when_one_is_close(fop, message):
    with pytest.raises(FopsError) as caught:
        parse_pipeline(fop, default_registry())
    assert message in caught.value.message
    assert "real Qiniu op" not in caught.value.message


def test_readme_lists_the_emulated_ops_from_the_registry():
    assert readme_block("op-table") == op_table()


def test_readme_lists_the_missing_real_ops_from_their_one_list():
    assert readme_block("missing-ops") == missing_ops_table()


def test_readme_lists_every_parameter_from_the_declarations():
    assert readme_block("param-table") == parameter_table()
    row = next(line for line in parameter_table().splitlines() if line.startswith("| `avthumb` |"))
    assert "`wmScale`" in row and "`hlsMethod`" in row  # emulated, then documented but not emulated


def test_ops_command_prints_each_op_with_its_parameters():
    done = subprocess.run([sys.executable, "-m", "qiniu_emulator", "ops", "avthumb", "qhash"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("avthumb  transcode audio and video")
    assert re.search(r"^  gop\s+pair\s+frames from one keyframe", done.stdout, re.M)
    assert "  not emulated: hr, refine," in done.stdout
    assert "\nqhash  hash of the input" in done.stdout and "imageView2" not in done.stdout
    wrong = subprocess.run([sys.executable, "-m", "qiniu_emulator", "ops", "avthumbs"],
                           capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2 and "no such op: avthumbs" in wrong.stderr


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_op_package_registers_the_names_the_catalog_declares_for_it(family):
    registry = Registry()
    family_register(family)(registry)
    assert registry.names() == sorted(FAMILIES[family])


def test_the_lazy_registry_knows_every_op():
    assert lazy_registry().names() == default_registry().names()
    assert [spec.name for spec in lazy_registry().specs()] == default_registry().names()


def test_the_lazy_registry_imports_an_op_package_only_when_one_of_its_ops_is_looked_up():
    code = ("import sys; from qiniu_emulator.fops.catalog import lazy_registry\n"
            "spec = lazy_registry().get('imageView2')\n"
            "print(spec.name, 'qiniu_emulator.fops.av' in sys.modules, 'qiniu_emulator.fops.image' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["imageView2", "False", "True"]
