"""A hostile client on every door that serves object bytes (service port, bucket ports, S3,
every region host and its backup): no console, no admin act, no private bytes."""

from __future__ import annotations

import pytest
import qiniu
import requests
from support import ACCESS_KEY, SECRET_KEY

ADMIN_TRIES = (("GET", "/_emulator/ui/"), ("GET", "/_emulator/health"), ("POST", "/_emulator/reset"),
               ("GET", "/_emulator/snapshot"), ("POST", "/_emulator/clock"))
SERVICES = ("up", "io", "rs", "rsf", "api")


@pytest.fixture
def doors(start_emulator):
    server = start_emulator(regions=["z0", "z2"], buckets=["pub", "priv"])
    auth = qiniu.Auth(ACCESS_KEY, SECRET_KEY)
    for bucket in ("pub", "priv"):
        answer = requests.post(f"{server.url}/", files={"file": ("x.jpg", b"secret bytes", "image/jpeg")},
                               data={"token": auth.upload_token(bucket), "key": "x.jpg"}, timeout=10)
        assert answer.status_code == 200, answer.text
    url = f"{server.url}/private?bucket=priv&private=1"
    assert requests.post(url, headers={"Authorization": f"QBox {auth.token_of_request(url)}"},
                         timeout=10).status_code == 200
    return server


def byte_ports(server) -> list[int]:
    ports = [int(server.url.rpartition(":")[2]), int(server.s3_url.rpartition(":")[2])]
    ports += [server.emulator.bucket_ports.port_of(b) for b in ("pub", "priv")]
    for region in ("z0", "z2"):
        for service in SERVICES:
            ports += list(server.emulator.regions.ports(region, service))
    return ports


def raw_get(port: int, path: str, **headers: str) -> requests.Response:
    """``path`` sent as written: no dot-segment removal, no re-quoting."""
    prepared = requests.Request("GET", f"http://127.0.0.1:{port}/", headers=headers).prepare()
    prepared.url = f"http://127.0.0.1:{port}{path}"
    with requests.Session() as session:
        return session.send(prepared, timeout=10)


def test_no_byte_door_serves_the_console_or_acts_for_the_admin(doors):
    for port in byte_ports(doors):
        for method, path in ADMIN_TRIES:
            answer = requests.request(method, f"http://127.0.0.1:{port}{path}",
                                      headers={"X-Qiniu-Emulator": "1"}, timeout=10)
            assert answer.status_code in (401, 403, 404, 405, 421), (port, method, path, answer.status_code)
            assert b"<html" not in answer.content.lower(), (port, path)
    assert requests.get(f"{doors.url}/_io/pub/x.jpg", timeout=10).content == b"secret bytes"  # no reset happened


def test_private_bytes_stay_behind_every_door_and_path_trick(doors):
    priv = doors.emulator.bucket_ports.port_of("priv")
    pub = doors.emulator.bucket_ports.port_of("pub")
    tries = [(priv, "/x.jpg", {}), (int(doors.url.rpartition(":")[2]), "/x.jpg", {"Host": "priv.localhost"})]
    for region in ("z0", "z2"):
        for port in doors.emulator.regions.ports(region, "io"):
            tries += [(port, "/_io/priv/x.jpg", {}), (port, "/x.jpg", {"Host": "priv.localhost"})]
    for path in ("/..%2fpriv/x.jpg", "/%2e%2e/priv/x.jpg", "/../priv/x.jpg", "/_io/priv/x.jpg",
                 "/%2e%2e%2f_io%2fpriv%2fx.jpg", f"//127.0.0.1:{priv}/x.jpg"):
        tries.append((pub, path, {}))
    for port, path, headers in tries:
        answer = raw_get(port, path, **headers)
        assert answer.status_code in (400, 401, 404), (port, path, answer.status_code)
        assert b"secret bytes" not in answer.content, (port, path)
    for path in ("/priv/x.jpg", "/pub/../priv/x.jpg", "/pub/%2e%2e/priv/x.jpg", "/priv?list-type=2"):
        answer = raw_get(int(doors.s3_url.rpartition(":")[2]), path)
        assert answer.status_code == 403 and b"<Code>AccessDenied</Code>" in answer.content, path


def test_the_admin_door_serves_no_bytes_of_any_bucket(doors):
    for path in ("/_io/pub/x.jpg", "/_io/priv/x.jpg", "/x.jpg", "/pub/x.jpg"):
        answer = requests.get(f"{doors.admin_url}{path}", timeout=10)
        assert answer.status_code == 404 and b"secret bytes" not in answer.content, path
