"""The server process: banner, graceful SIGTERM, restarts, and the ``fop`` command."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import qiniu
import requests

from support import ACCESS_KEY, SECRET_KEY, ServeProcess, wait_for


def test_sigterm_drains_and_exits_zero(tmp_path):
    proc = ServeProcess(tmp_path / "data").start()
    proc.proc.send_signal(signal.SIGTERM)
    assert proc.proc.wait(30) == 0
    output = proc.proc.stdout.read().decode()
    assert f"listening on {proc.url}" in output
    assert ACCESS_KEY in output and "QINIU_EMULATOR_URL" in output


def test_objects_survive_kill_dash_nine(tmp_path):
    data = tmp_path / "data"
    first = ServeProcess(data).start()
    qiniu.config.set_default(default_uc_host=first.url, default_api_host=first.url,
                             default_query_region_host=first.url)
    auth = qiniu.Auth(ACCESS_KEY, SECRET_KEY)
    keys = [f"keep/{n}.txt" for n in range(20)]
    for key in keys:
        assert qiniu.put_data(auth.upload_token("demo-bucket", key), key, key.encode())[1].status_code == 200
    first.stop()  # SIGKILL: no chance to flush anything
    second = ServeProcess(data, port=first.port).start()
    try:
        for key in keys:
            response = requests.get(f"{second.url}/_io/demo-bucket/{key}")
            assert response.status_code == 200 and response.content == key.encode()
    finally:
        second.stop()


def test_env_vars_configure_serve(tmp_path):
    import os

    proc = ServeProcess(tmp_path / "data")
    proc.args = [a for a in proc.args if a not in ("--bucket", "demo-bucket", "output-bucket")]
    env = {**os.environ, "QINIU_EMULATOR_BUCKETS": "env-bucket-a,env-bucket-b", "QINIU_EMULATOR_AUTH": "lax"}
    proc.proc = subprocess.Popen(proc.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        wait_for(proc._healthy, message="env-configured emulator")
        health = requests.get(f"{proc.admin_url}/_emulator/health").json()
        assert {"env-bucket-a", "env-bucket-b"} <= set(health["buckets"])
    finally:
        proc.stop()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qiniu_emulator", *args], capture_output=True, text=True, timeout=120)


def test_fop_command_on_a_local_file(tmp_path):
    source = tmp_path / "hello.txt"
    source.write_bytes(b"hello")
    done = run_cli("fop", str(source), "qhash/md5")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"hash": "5d41402abc4b2a76b9719d911017c592", "fsize": 5}
    out = tmp_path / "out.json"
    assert run_cli("fop", str(source), "qhash/sha1", "-o", str(out)).returncode == 0
    assert json.loads(out.read_text())["fsize"] == 5


def test_fop_command_reports_bad_input(tmp_path):
    source = tmp_path / "hello.txt"
    source.write_bytes(b"hello")
    bad = run_cli("fop", str(source), "qhash/nope")
    assert bad.returncode == 2 and "nope" in bad.stderr
    missing = run_cli("fop", str(tmp_path / "absent"), "qhash/md5")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    failed = run_cli("fop", str(source), "imageInfo")
    assert failed.returncode == 1 and "execute fop cmd failed" in failed.stderr


def test_seed_dir_buckets_and_auth_off_warning(tmp_path):
    seed = tmp_path / "seed"
    (seed / "seeded-bucket" / "photos").mkdir(parents=True)
    (seed / "seeded-bucket" / "photos" / "a.txt").write_bytes(b"seeded")
    proc = ServeProcess(tmp_path / "data", "--seed-dir", str(seed), "--auth", "off").start()
    try:
        response = requests.get(f"{proc.url}/_io/seeded-bucket/photos/a.txt")
        assert response.status_code == 200 and response.content == b"seeded"
        assert response.headers["Content-Type"].startswith("text/plain")
    finally:
        proc.stop()
    assert "signatures are NOT checked" in proc.proc.stdout.read().decode()


def test_sigterm_finishes_an_upload_in_flight(tmp_path):
    import socket
    import threading

    proc = ServeProcess(tmp_path / "data").start()
    qiniu.config.set_default(default_uc_host=proc.url, default_api_host=proc.url)
    token = qiniu.Auth(ACCESS_KEY, SECRET_KEY).upload_token("demo-bucket", "slow.bin")
    release, sent = threading.Event(), threading.Event()
    chunk = b"x" * 65536

    def body():
        yield b"".join([chunk] * 4)
        sent.set()  # runs once the first half has gone out
        release.wait(20)
        yield b"".join([chunk] * 4)

    result = {}

    def upload():
        result["response"] = requests.post(f"{proc.url}/mkblk/{len(chunk) * 8}", data=body(),
                                           headers={"Authorization": f"UpToken {token}"}, timeout=30)

    sender = threading.Thread(target=upload)
    sender.start()
    assert sent.wait(20)
    # connections are accepted in order, so once this answers the upload's is open too
    assert requests.get(f"{proc.admin_url}/_emulator/health", timeout=5).status_code == 200
    proc.proc.send_signal(signal.SIGTERM)

    def refusing() -> bool:
        try:
            socket.create_connection(("127.0.0.1", proc.port), timeout=0.5).close()
            return False
        except OSError:
            return True

    wait_for(refusing, message="the listening socket to close")
    release.set()
    sender.join(30)
    assert result["response"].status_code == 200, result["response"].text
    assert result["response"].json()["offset"] == len(chunk) * 8
    assert proc.proc.wait(30) == 0
