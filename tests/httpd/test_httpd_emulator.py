"""The emulator on the HTTP server: the admin origin answers health while every service
thread is taken, and a body the client stops sending is a clear 400 on both doors
(tests/origins/test_bucket_ports.py covers ports opened at runtime)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
import qiniu
import requests
from rawhttp import connect, read_answer
from support import ACCESS_KEY, SECRET_KEY

BUCKET = "demo-bucket"
SIZE = 200_000  # above what the server reads before the app runs: the app reads it as it comes


def test_health_answers_while_every_service_thread_is_busy(start_emulator) -> None:
    server = start_emulator(threads=1)
    port = urlsplit(server.url).port
    with connect(port) as upload:
        upload.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                       f"Content-Length: {SIZE}\r\n\r\n".encode() + b"--b\r\n" + b"x" * 1000)
        health = requests.get(f"{server.admin_url}/_emulator/health", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        upload.close()
    assert requests.get(f"{server.url}/_io/{BUCKET}/missing", timeout=10).status_code == 404


def cut_short(url: str, head: str) -> tuple[int, bytes]:
    """Send ``head`` announcing SIZE body bytes, send a few, stop sending; the answer."""
    parts = urlsplit(url)
    with connect(parts.port or 80) as sock:
        sock.sendall(head.encode() + b"x" * 1000)
        sock.shutdown(socket.SHUT_WR)
        answer = read_answer(sock.makefile("rb"))
    return answer.status, answer.body


def test_a_form_upload_cut_short_is_400(server) -> None:
    token = qiniu.Auth(ACCESS_KEY, SECRET_KEY).upload_token(BUCKET, "cut.bin")
    status, body = cut_short(server.url, f"POST /mkblk/{SIZE} HTTP/1.1\r\nHost: x\r\n"
                                         f"Authorization: UpToken {token}\r\nContent-Length: {SIZE}\r\n\r\n")
    assert status == 400 and b"internal" not in body


def test_an_s3_put_cut_short_is_incomplete_body(server) -> None:
    boto3 = pytest.importorskip("boto3", reason="boto3 is not installed: pip install -e '.[test]'")
    s3 = boto3.client("s3", endpoint_url=server.s3_url, aws_access_key_id=ACCESS_KEY,
                      aws_secret_access_key=SECRET_KEY, region_name="cn-east-1")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "cut.bin"})
    target = url.split(str(urlsplit(url).port), 1)[1]
    status, body = cut_short(server.s3_url, f"PUT {target} HTTP/1.1\r\nHost: {urlsplit(url).netloc}\r\n"
                                            f"Content-Length: {SIZE}\r\n\r\n")
    assert status == 400 and b"<Code>IncompleteBody</Code>" in body
