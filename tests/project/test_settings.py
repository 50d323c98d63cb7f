"""Settings are described once: the command line, the environment and the README agree."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from qiniu_emulator.cli import build_parser, settings_from_args
from qiniu_emulator.config import describe_settings, settings_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_configuration_table_is_the_generated_one():
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- settings-table:[^>]*-->\n(.*?)\n<!-- end settings-table -->", text, re.S)
    assert match, "README lacks the settings table markers"
    assert match.group(1) == settings_table()


def test_serve_help_describes_every_flag_with_its_environment_variable(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for info in describe_settings():
        assert info.flag in text and info.env in text
        assert " ".join(info.describe.help.split()) in text


def serve_args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["serve", *argv])


def test_environment_fills_what_the_command_line_leaves_out():
    env = {"QINIU_EMULATOR_PIPELINES": "images:2, video", "QINIU_EMULATOR_PORT": "9100",
           "QINIU_EMULATOR_BUCKETS": "a,b", "QINIU_EMULATOR_LOG_LEVEL": "debug"}
    settings = settings_from_args(serve_args("--port", "9200"), environ=env)
    assert settings.port == 9200  # the flag wins
    assert settings.pipelines == {"images": 2, "video": 1}
    assert settings.buckets == ["a", "b"] and settings.log_level == "DEBUG"


def test_repeated_flags_collect_and_defaults_apply():
    settings = settings_from_args(serve_args("--pipeline", "a:3", "--pipeline", "b", "--bucket", "x"),
                                  environ={})
    assert settings.pipelines == {"a": 3, "b": 1} and settings.buckets == ["x"]
    assert settings.auth == "strict" and settings.data == Path("./.qiniu-emulator")


def test_a_bad_environment_value_names_the_variable():
    with pytest.raises(ValueError, match="QINIU_EMULATOR_WORKERS"):
        settings_from_args(serve_args(), environ={"QINIU_EMULATOR_WORKERS": "zero"})


def test_a_bad_flag_is_a_usage_error_naming_the_flag(capsys):
    with pytest.raises(SystemExit):
        serve_args("--pipeline", "x:0")
    assert "--pipeline" in capsys.readouterr().err


def test_bucket_flags_add_to_the_environments_buckets():
    env = {"QINIU_EMULATOR_BUCKETS": "a,b", "QINIU_EMULATOR_ACCOUNTS": "ak:sk"}
    settings = settings_from_args(serve_args("--bucket", "b", "--bucket", "c", "--account", "x:y"), environ=env)
    assert settings.buckets == ["a", "b", "c"]
    assert settings.accounts == [("x", "y")]  # other repeatable flags still replace the variable
