"""The console and every /_emulator/ endpoint live on an origin of their own: the service
port never answers them, the admin port serves no object bytes, answers only our Host
names, and takes no write a page of another site could send."""

from __future__ import annotations

import re
import subprocess

import pytest
import requests
from readme_snippets import snippet
from support import ADMIN_WRITE, ACCESS_KEY, SECRET_KEY

from qiniu_emulator.app import create_admin_app

WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")


def admin_writes(server) -> list[tuple[str, str]]:
    """Every (method, path) of the admin app that changes something, placeholders filled."""
    app = create_admin_app(server.emulator)
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(set(rule.methods or ()) & set(WRITE_METHODS)):
            found.append((method, re.sub(r"<[^>]*>", "x", rule.rule)))
    return found


def put(server, key: str, data: bytes = b"kept") -> None:
    import qiniu

    auth = qiniu.Auth(ACCESS_KEY, SECRET_KEY)
    answer = requests.post(f"{server.url}/", files={"file": (key, data)},
                           data={"token": auth.upload_token("demo-bucket"), "key": key}, timeout=10)
    assert answer.status_code == 200, answer.text


def still_there(server, key: str) -> bool:
    return requests.get(f"{server.url}/_io/demo-bucket/{key}", timeout=10).content == b"kept"


def test_the_admin_origin_is_its_own_port_and_the_service_port_points_there(server):
    assert server.admin_url != server.url
    assert requests.get(f"{server.admin_url}/_emulator/health", timeout=10).json()["status"] == "ok"
    pointer = requests.get(f"{server.url}/_emulator/health", timeout=10)
    assert pointer.status_code == 404 and pointer.headers["X-Qiniu-Emulator-Admin"] == server.admin_url
    assert "version" not in pointer.json()
    for method, path in admin_writes(server):
        answer = requests.request(method, f"{server.url}{path}", headers=ADMIN_WRITE, timeout=10)
        assert answer.status_code == 404, (method, path)
    ui = requests.get(f"{server.url}/_emulator/ui/", timeout=10)
    assert ui.status_code == 404 and "<html" not in ui.text


def test_the_admin_origin_serves_no_object_bytes(server):
    put(server, "page.html", b"<script>alert(1)</script>")
    port = server.admin_url.rsplit(":", 1)[1]
    assert requests.get(f"{server.admin_url}/_io/demo-bucket/page.html", timeout=10).status_code == 404
    by_domain = requests.get(f"http://127.0.0.1:{port}/page.html", headers={"Host": f"demo-bucket.localhost:{port}"},
                             timeout=10)
    assert by_domain.status_code == 421 and b"<script>" not in by_domain.content


@pytest.mark.parametrize("console", [True, False])
def test_cross_site_writes_to_every_admin_endpoint_are_refused(start_emulator, console):
    server = start_emulator(console=console)
    put(server, "kept.txt")
    writes = admin_writes(server)
    assert ("POST", "/_emulator/reset") in writes and ("POST", "/_emulator/jobs/x/release") in writes
    here = server.admin_url
    tries = {
        "a plain form post": {"Content-Type": "application/x-www-form-urlencoded"},
        "a fetch from another site": {**ADMIN_WRITE, "Sec-Fetch-Site": "cross-site", "Origin": "http://evil.test"},
        "a fetch from a sibling port": {**ADMIN_WRITE, "Sec-Fetch-Site": "same-site",
                                        "Origin": "http://127.0.0.1:1"},
        "an Origin that is not ours": {**ADMIN_WRITE, "Origin": "http://evil.test"},
        "an opaque origin": {**ADMIN_WRITE, "Origin": "null"},
    }
    for method, path in writes:
        for what, headers in tries.items():
            answer = requests.request(method, f"{here}{path}", headers=headers, data="bucket=demo-bucket", timeout=10)
            assert answer.status_code == 403, (method, path, what, answer.text)
            assert "Access-Control-Allow-Origin" not in answer.headers
    assert still_there(server, "kept.txt")
    done = requests.post(f"{here}/_emulator/reset", timeout=10,
                         headers={**ADMIN_WRITE, "Sec-Fetch-Site": "same-origin", "Origin": here})
    assert done.status_code == 200 and not still_there(server, "kept.txt")


def test_foreign_host_names_are_misdirected(start_emulator):
    server = start_emulator(admin_names=["emulator.internal"])
    port = server.admin_url.rsplit(":", 1)[1]
    for host in ("evil.test", f"evil.test:{port}", "rebind.example.com", "demo-bucket.localhost", "127.0.0.2"):
        for path in ("/_emulator/health", "/_emulator/ui/", "/_emulator/objects?bucket=demo-bucket"):
            answer = requests.get(f"{server.admin_url}{path}", headers={"Host": host}, timeout=10)
            assert answer.status_code == 421, (host, path)
        reset = requests.post(f"{server.admin_url}/_emulator/reset", headers={**ADMIN_WRITE, "Host": host}, timeout=10)
        assert reset.status_code == 421
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"emulator.internal:{port}"):
        assert requests.get(f"{server.admin_url}/_emulator/health", headers={"Host": host}, timeout=10).ok, host


def test_admin_answers_carry_no_cors_headers(server):
    for method in ("GET", "OPTIONS"):
        answer = requests.request(method, f"{server.admin_url}/_emulator/health", timeout=10,
                                  headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "x-qiniu-emulator"})
        assert not [name for name in answer.headers if name.lower().startswith("access-control-")]


def test_console_links_point_at_the_service_origin(server):
    put(server, "kept.txt")
    detail = requests.get(f"{server.admin_url}/_emulator/object", params={"bucket": "demo-bucket", "key": "kept.txt"},
                          timeout=10).json()
    assert detail["urls"]["path-style"].startswith(f"{server.url}/_io/")
    assert requests.get(detail["urls"]["path-style"], timeout=10).content == b"kept"


def test_the_readme_admin_curl_resets(server):
    put(server, "kept.txt")
    command = snippet("admin-curl").on(server.url, server.admin_url)
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and '"reset"' in done.stdout, done.stderr
    assert not still_there(server, "kept.txt")
