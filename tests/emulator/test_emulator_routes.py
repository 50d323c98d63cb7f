"""Every endpoint is declared once in ``routes.py``: the request log and scenario rules
know a request by that row's name, whatever URL version it came by."""

from __future__ import annotations

import re
from pathlib import Path

import qiniu
import requests
from readme_snippets import snippet
from support import ADMIN_WRITE, ACCESS_KEY, SECRET_KEY

from qiniu_emulator.routes import TABLE, names
from qiniu_emulator.scenarios.endpoints import INBOUND


def logged(server) -> dict[str, str]:
    """The newest record's operation name for each path."""
    return {record.path: record.operation for record in reversed(server.emulator.requests.recent())}


def test_the_request_log_names_each_request_by_its_route(server, sdk_for):
    bucket = qiniu.BucketManager(sdk_for(server))
    requests.post(f"{server.url}/pfop/", data={"bucket": "demo-bucket"}, timeout=10)  # unsigned: 401
    bucket.stat("demo-bucket", "missing.txt")
    requests.get(f"{server.url}/v2/list?bucket=demo-bucket", timeout=10)
    requests.get(f"{server.url}/_io/demo-bucket/missing.txt", timeout=10)
    requests.get(f"{server.url}/_io/demo-bucket/missing.txt?imageInfo", timeout=10)
    named = logged(server)
    assert named["/pfop/"] == "pfop"
    assert [name for path, name in named.items() if path.startswith("/stat/")] == ["rs.stat"]
    assert named["/v2/list?bucket=demo-bucket"] == "rsf.list"
    assert named["/_io/demo-bucket/missing.txt"] == "io.download"
    assert named["/_io/demo-bucket/missing.txt?imageInfo"] == "io.fop"


def test_a_request_outside_the_qiniu_api_has_no_name(server):
    requests.get(f"{server.url}/nowhere", timeout=10)
    assert logged(server)["/nowhere"] == ""


def test_the_names_rules_may_write_are_the_table_s_names():
    assert INBOUND == names()
    assert len({route.endpoint for route in TABLE}) == len(TABLE)  # one row per Flask endpoint


def test_the_readme_lists_every_name():
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    paragraph = text[text.index("Endpoint names:"):]
    paragraph = paragraph[:paragraph.index("\n\n")]
    listed = set()
    for token in re.findall(r"`([A-Za-z0-9.|]+)`", paragraph):
        first, *more = token.split("|")  # upload.multipart.init|part: upload.multipart.part too
        listed.add(first)
        listed.update(f"{first.rsplit('.', 1)[0]}.{name}" for name in more)
    assert set(INBOUND) - listed == set()


def test_the_readme_s_endpoint_example_is_the_code():
    package = Path(__file__).resolve().parents[2] / "emulator" / "qiniu_emulator"
    assert snippet("add-endpoint-route").text in (package / "routes.py").read_text(encoding="utf-8")
    assert snippet("add-endpoint-handler").text in (package / "api" / "rs.py").read_text(encoding="utf-8")


def test_a_rule_matches_an_async_fetch_by_the_bucket_its_json_body_names(server):
    rule = {"endpoint": "fetch.async", "bucket": "output-bucket", "answer": 599}
    assert requests.post(f"{server.admin_url}/_emulator/scenarios", json=rule, headers=ADMIN_WRITE,
                         timeout=10).status_code == 200
    signed = qiniu.auth.QiniuMacRequestsAuth(qiniu.QiniuMacAuth(ACCESS_KEY, SECRET_KEY))

    def fetch_later(body: str) -> int:
        return requests.post(f"{server.url}/sisyphus/fetch", data=body, auth=signed, timeout=10,
                             headers={"Content-Type": "application/json"}).status_code

    assert fetch_later('{"url": "http://127.0.0.1:1/x", "bucket": "output-bucket"}') == 599
    assert fetch_later('{"url": "http://127.0.0.1:1/x", "bucket": "demo-bucket"}') == 200
    assert fetch_later("[1, 2]") == 400  # named by its endpoint alone: the rule's bucket does not match
