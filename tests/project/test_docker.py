"""The container files: the ports follow QINIU_EMULATOR_PORT and _ADMIN_PORT everywhere, and
the healthcheck both files run really checks the emulator on its admin port."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from support import free_port

ROOT = Path(__file__).resolve().parents[2]


def interpolate(text: str, environ: dict[str, str]) -> str:
    """Compose's ``${NAME:-default}`` substitution, the only form the file uses."""
    return re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: environ.get(m[1]) or m[2], text)


def compose_service(environ: dict[str, str]) -> dict:
    text = interpolate((ROOT / "docker-compose.yml").read_text(encoding="utf-8"), environ)
    return yaml.safe_load(text)["services"]["qiniu-emulator"]


def dockerfile_healthcheck() -> list[str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return json.loads(re.search(r"^HEALTHCHECK .*?CMD (\[.*\])", text, re.M)[1])


def run_healthcheck(command: list[str], environ: dict[str, str]) -> int:
    assert command[0] == "qiniu-emulator"
    return subprocess.run([sys.executable, "-m", "qiniu_emulator", *command[1:]], capture_output=True,
                          timeout=30, env={**os.environ, **environ}).returncode


def test_the_port_mapping_and_the_environment_follow_the_variable():
    assert compose_service({})["ports"] == ["9000:9000", "127.0.0.1:9002:9002", "9003:9003"]
    moved = compose_service({"QINIU_EMULATOR_PORT": "9100", "QINIU_EMULATOR_ADMIN_PORT": "9102",
                             "QINIU_EMULATOR_S3_PORT": "9103"})
    assert moved["ports"] == ["9100:9100", "127.0.0.1:9102:9102", "9103:9103"]  # the console: loopback only
    assert moved["environment"]["QINIU_EMULATOR_PORT"] == "9100"
    assert moved["environment"]["QINIU_EMULATOR_ADMIN_PORT"] == "9102"
    assert moved["environment"]["QINIU_EMULATOR_S3_PORT"] == "9103"


def test_the_image_exposes_and_sets_every_port_compose_maps():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    exposed = re.search(r"^EXPOSE (.*)$", text, re.M)[1].split()
    defaults = dict(re.findall(r"(QINIU_EMULATOR_\w*PORT)=(\d+)", text))
    assert defaults == {"QINIU_EMULATOR_PORT": "9000", "QINIU_EMULATOR_ADMIN_PORT": "9002",
                        "QINIU_EMULATOR_S3_PORT": "9003"}
    assert exposed == list(defaults.values())
    environment = compose_service({})["environment"]
    assert {name: environment[name] for name in defaults} == defaults


def test_both_healthchecks_are_the_health_command():
    assert compose_service({})["healthcheck"]["test"] == ["CMD", "qiniu-emulator", "health"]
    assert dockerfile_healthcheck() == ["qiniu-emulator", "health"]


def test_the_healthcheck_passes_on_the_configured_port_only(server):
    port = server.admin_url.rsplit(":", 1)[1]
    container = {k: str(v) for k, v in compose_service({"QINIU_EMULATOR_ADMIN_PORT": port})["environment"].items()}
    command = compose_service({})["healthcheck"]["test"][1:]
    assert run_healthcheck(command, container) == 0
    elsewhere = {**container, "QINIU_EMULATOR_ADMIN_PORT": str(free_port())}
    assert run_healthcheck(command, elsewhere) == 1
