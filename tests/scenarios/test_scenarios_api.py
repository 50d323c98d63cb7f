"""``/_emulator/scenarios``: list, add one or several, remove one, clear; errors name the
field; ``/_emulator/reset`` clears the rules; a rules file is in force from the start."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import qiniu
import requests
from readme_snippets import snippet
from support import ADMIN_WRITE, ACCESS_KEY, SECRET_KEY, ServeProcess

from qiniu_emulator.api.faults import ROUTES
from qiniu_emulator.app import create_admin_app, create_app
from qiniu_emulator.cli import main
from qiniu_emulator.scenarios.endpoints import INBOUND, RS_OPS


def scenarios(server) -> list[dict]:
    return requests.get(f"{server.admin_url}/_emulator/scenarios", timeout=10).json()["scenarios"]


def test_rules_are_listed_with_their_counts_and_removed(server):
    added = requests.post(f"{server.admin_url}/_emulator/scenarios", headers=ADMIN_WRITE, timeout=10, json={"scenarios": [
        {"id": "flaky", "endpoint": "rs.stat", "answer": 599, "times": 1},
        {"endpoint": "pfop", "hold": 1},
    ]}).json()["scenarios"]
    assert added == [
        {"id": "flaky", "endpoint": "rs.stat", "answer": {"status": 599}, "times": 1,
         "hits": 0, "matched": 0, "spent": False},
        {"id": "s1", "endpoint": "pfop", "hold": {"code": 1}, "hits": 0, "matched": 0, "spent": False, "held": []},
    ]
    requests.get(f"{server.url}/stat/ZGVtby1idWNrZXQ6YQ==", timeout=10)
    assert scenarios(server)[0] | {"hits": 1, "matched": 1, "spent": True} == scenarios(server)[0]
    removed = requests.delete(f"{server.admin_url}/_emulator/scenarios/flaky", headers=ADMIN_WRITE, timeout=10).json()
    assert removed["id"] == "flaky" and removed["hits"] == 1
    assert [r["id"] for r in scenarios(server)] == ["s1"]
    assert requests.get(f"{server.admin_url}/_emulator/scenarios/flaky", timeout=10).status_code == 404
    cleared = requests.delete(f"{server.admin_url}/_emulator/scenarios", headers=ADMIN_WRITE, timeout=10).json()["scenarios"]
    assert [r["id"] for r in cleared] == ["s1"] and scenarios(server) == []


@pytest.mark.parametrize("body, error", [
    ({"endpoint": "pfop", "answer": {"status": 1000}}, "answer.status: must be an integer from 100 to 999, not 1000"),
    ([{"latency": 1}, {"latency": -1}], "scenarios[1].latency: must be a number from 0 to 600, not -1"),
    ({"endpoint": "nope", "answer": 599}, "endpoint: unknown endpoint 'nope'"),
    ("599", "rule: must be a mapping"),
])
def test_a_bad_rule_is_a_400_naming_the_field(server, body, error):
    answer = requests.post(f"{server.admin_url}/_emulator/scenarios", headers=ADMIN_WRITE, json=body, timeout=10)
    assert answer.status_code == 400 and error in answer.json()["error"]
    assert scenarios(server) == []


def test_a_body_that_is_not_json_is_a_400(server):
    answer = requests.post(f"{server.admin_url}/_emulator/scenarios", data=b"{nope", timeout=10,
                           headers={**ADMIN_WRITE, "Content-Type": "application/json"})
    assert answer.status_code == 400 and "must be JSON" in answer.json()["error"]


def test_rules_come_only_as_application_json_which_another_sites_form_cannot_send(server):
    # a form whose text happens to parse as JSON, as a page elsewhere could post it
    answer = requests.post(f"{server.admin_url}/_emulator/scenarios", data=b'{"answer": 599, "id": "x="}', timeout=10,
                           headers={**ADMIN_WRITE, "Content-Type": "text/plain"})
    assert answer.status_code == 400 and "Content-Type: application/json" in answer.json()["error"]
    assert scenarios(server) == []


def test_a_reset_clears_every_rule_and_a_bucket_reset_that_buckets(server):
    requests.post(f"{server.admin_url}/_emulator/scenarios", headers=ADMIN_WRITE, timeout=10, json=[
        {"id": "demo", "bucket": "demo-bucket", "answer": 599}, {"id": "out", "bucket": "output-bucket", "answer": 599}])
    requests.post(f"{server.admin_url}/_emulator/reset?bucket=demo-bucket", headers=ADMIN_WRITE, timeout=10)
    assert [r["id"] for r in scenarios(server)] == ["out"]
    requests.post(f"{server.admin_url}/_emulator/reset", headers=ADMIN_WRITE, timeout=10)
    assert scenarios(server) == []


RULES_YAML = """\
scenarios:
  - id: pfop-down
    endpoint: pfop
    answer: {status: 599, body: {error: "service unavailable"}}
  - endpoint: rs.stat
    latency: 0.01
"""


def test_a_yaml_rules_file_is_in_force_from_the_start(start_emulator, tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text(RULES_YAML)
    server = start_emulator(scenarios=path)
    assert [r["id"] for r in scenarios(server)] == ["pfop-down", "s1"]
    qiniu.config.set_default(default_api_host=server.url)
    ret, info = qiniu.PersistentFop(qiniu.Auth(ACCESS_KEY, SECRET_KEY), "demo-bucket").execute("a", ["qhash/md5"])
    assert info.status_code == 599 and json.loads(info.text_body) == {"error": "service unavailable"}


def test_a_json_rules_file_given_on_the_command_line(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([{"endpoint": "uc.buckets", "answer": 503}]))
    process = ServeProcess(tmp_path / "data", "--scenarios", str(path)).start()
    try:
        assert [r["endpoint"] for r in scenarios(process)] == ["uc.buckets"]
        qiniu.config.set_default(default_uc_host=process.url)
        ret, info = qiniu.BucketManager(qiniu.Auth(ACCESS_KEY, SECRET_KEY)).buckets()
        assert info.status_code == 503 and ret is None
    finally:
        process.stop()


def test_a_bad_rules_file_stops_the_start_naming_the_file_and_field(tmp_path, capsys):
    path = tmp_path / "rules.yml"
    path.write_text("- endpoint: pfop\n  answer: {status: nine}\n")
    assert main(["serve", "--scenarios", str(path), "--data", str(tmp_path / "data"), "--port", "0"]) == 1
    error = capsys.readouterr().err
    assert f"scenarios file {path}: scenarios[0].answer.status: must be an integer" in error
    assert not (tmp_path / "data").exists()  # refused before the data directory was made


def test_every_qiniu_route_has_a_scenario_name_and_every_name_a_route(tmp_path):
    from qiniu_emulator.config import Settings
    from qiniu_emulator.s3.operations import SUPPORTED as S3_OPERATIONS, scenario_name

    app = create_app(Settings(data=tmp_path / "data", port=0, workers=1))
    try:
        endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                     if not rule.rule.startswith("/_emulator/") and rule.endpoint != "static"
                     and not rule.endpoint.startswith("pointer.")}  # answers naming the admin origin
        assert endpoints == set(ROUTES) | {"rs.single", "io.path_style"}
        named = set(ROUTES.values()) | {f"rs.{op}" for op in RS_OPS} | {"io.download", "io.fop"}
        s3 = {scenario_name(op.name) for op in S3_OPERATIONS}  # the S3 door's operations (its own app)
        assert named | s3 == set(INBOUND)
    finally:
        app.extensions["qiniu_emulator"].close()


# -- the README's examples -------------------------------------------------------------


def test_the_readme_rules_file_loads_and_every_endpoint_it_lists_exists(tmp_path):
    from qiniu_emulator.config import Settings
    from qiniu_emulator.scenarios.rules import load_rules

    path = tmp_path / "rules.yml"
    path.write_text(snippet("scenario-rules").text, encoding="utf-8")
    [rule] = load_rules(path)
    assert rule.id == "pfop-flaky"
    app = create_app(Settings(data=tmp_path / "data", port=0, workers=1))
    try:
        admin = create_admin_app(app.extensions["qiniu_emulator"])
        routes = {(method, re.sub(r"<[^>]*>", "<id>", r.rule)) for r in admin.url_map.iter_rules() for method in r.methods}
    finally:
        app.extensions["qiniu_emulator"].close()
    listed = [line.split()[:2] for line in snippet("scenario-endpoints").text.splitlines() if line.strip()]
    assert len(listed) == 7
    assert [entry for entry in listed if tuple(entry) not in routes] == []


def test_the_readme_curl_adds_a_rule(server):
    command = snippet("scenario-curl").on(server.url, server.admin_url).replace("\\\n", "")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    [rule] = requests.get(f"{server.admin_url}/_emulator/scenarios", timeout=10).json()["scenarios"]
    assert rule["endpoint"] == "pfop" and rule["times"] == 1
