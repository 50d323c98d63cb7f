"""--tls: https on a second port with a CA made under the data dir, and a plain port that
answers a TLS handshake at once instead of hanging."""

from __future__ import annotations

import socket
import ssl

import pytest
import requests
from support import ACCESS_KEY, SECRET_KEY, free_port

from qiniu_emulator.config import Settings
from qiniu_emulator.server import banner, start_in_thread

# The first bytes of a TLS 1.2 ClientHello record.
CLIENT_HELLO = bytes.fromhex("16030100a5010000a10303") + bytes(32) + b"\x00\x00\x02\x00\x2f\x01\x00"


@pytest.fixture
def tls_server(tmp_path):
    server = start_in_thread(Settings(port=0, tls=True, data=tmp_path / "data", buckets=["tls-bucket"],
                                      accounts=[(ACCESS_KEY, SECRET_KEY)]))
    yield server
    server.stop()


def test_https_serves_the_same_api_with_the_local_ca(tls_server):
    pointer = requests.get(f"{tls_server.https_url}/_emulator/health", verify=tls_server.ca, timeout=10)
    assert pointer.status_code == 404 and pointer.json()["admin"] == tls_server.admin_url  # never on https
    query = requests.get(f"{tls_server.https_url}/v4/query", params={"ak": ACCESS_KEY, "bucket": "tls-bucket"},
                         verify=tls_server.ca, timeout=10).json()
    https_host = tls_server.https_url.removeprefix("https://")
    assert query["hosts"][0]["up"]["domains"][0] == https_host  # answers lead back to the https port


def test_the_certificate_covers_bucket_domains_and_localhost(tls_server):
    port = int(tls_server.https_url.rsplit(":", 1)[1])
    context = ssl.create_default_context(cafile=tls_server.ca)
    for name in ("localhost", "tls-bucket.localhost"):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=name) as tls:
                assert tls.version() is not None


def test_a_tls_handshake_on_the_plain_port_is_answered_at_once(tls_server):
    host, port = tls_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(CLIENT_HELLO)
        answer = raw.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400") and b"plain HTTP, not TLS" in answer
    with pytest.raises(requests.exceptions.SSLError, match="WRONG_VERSION_NUMBER|wrong version number"):
        requests.get(f"https://{host}:{port}/_emulator/health", verify=tls_server.ca, timeout=10)


def test_the_ca_is_made_once_and_kept(tmp_path):
    first = start_in_thread(Settings(port=0, tls=True, data=tmp_path / "data"))
    ca = (tmp_path / "data" / "tls" / "ca.pem").read_bytes()
    first.stop()
    second = start_in_thread(Settings(port=0, tls=True, data=tmp_path / "data"))
    try:
        assert (tmp_path / "data" / "tls" / "ca.pem").read_bytes() == ca
        assert requests.get(f"{second.https_url}/v4/query", params={"ak": "x", "bucket": "y"}, verify=second.ca,
                            timeout=10).headers["X-Log"] == "qiniu-emulator"
    finally:
        second.stop()


def test_the_banner_says_how_to_trust_the_ca(tmp_path):
    text = banner(Settings(data=tmp_path), "http://127.0.0.1:9000", "https://127.0.0.1:9001", "/d/tls/ca.pem")
    for needle in ("NODE_EXTRA_CA_CERTS=/d/tls/ca.pem", "REQUESTS_CA_BUNDLE=/d/tls/ca.pem",
                   "SSL_CERT_FILE=/d/tls/ca.pem", "keytool -importcert"):
        assert needle in text


def test_tls_port_follows_the_plain_port_unless_given():
    assert Settings(port=9000, tls=True).https_port() == 9001
    assert Settings(port=9000, tls=True, tls_port=free_port()).https_port() != 9001
    assert Settings(port=0, tls=True).https_port() == 0
