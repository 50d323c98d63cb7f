"""A full disk ends work with a clear error and leaves no temp file; odd inputs at the edges
(accept, keys with newlines, seed-dir links, a second emulator, callback lists) are handled."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import qiniu
import requests
from boundary_support import PUBLIC, png
from support import ACCESS_KEY, SECRET_KEY, ServeProcess, wait_for

from qiniu_emulator.config import Settings
from qiniu_emulator.emulator import Emulator
from qiniu_emulator.storage.lock import DataDirInUse


def temp_entries(data: Path) -> list[str]:
    return sorted(p.name for p in (data / "tmp").iterdir())


def test_a_full_disk_fails_uploads_and_jobs_clearly_and_leaves_no_temp_file(start_emulator, small_disk):
    server = start_emulator(data=small_disk / "data")
    sdk = qiniu.Auth(ACCESS_KEY, SECRET_KEY)
    qiniu.config.set_default(default_api_host=server.url)
    data = small_disk / "data"
    filler = small_disk / "filler"
    storage = server.emulator.storage
    storage.put_bytes(PUBLIC, "photo.png", png((200, 100, 50), (1200, 900)), mime="image/png")
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler.write_bytes(b"\0" * max(free - 64 * 1024, 0))  # leave 64 KiB

    token = sdk.upload_token(PUBLIC, "big.bin")
    upload = requests.post(f"{server.url}/", files={"file": ("big.bin", os.urandom(512 * 1024))},
                           data={"token": token, "key": "big.bin"}, timeout=30)
    assert upload.status_code == 599 and "no space left on the emulator's disk" in upload.json()["error"]
    assert not storage.exists(PUBLIC, "big.bin")
    ret, info = qiniu.PersistentFop(sdk, PUBLIC).execute("photo.png", ["imageMogr2/format/bmp"])
    assert info.status_code == 200, info

    def ended():
        body = requests.get(f"{server.url}/status/get/prefop?id={ret['persistentId']}", timeout=10).json()
        return body if body["code"] not in (1, 2) else None

    status = wait_for(ended, message="the job to end")
    assert status["code"] == 3 and "no space left" in status["items"][0]["error"].lower()
    assert temp_entries(data) == []
    filler.unlink()


def test_accept_must_be_json_or_text_and_nothing_is_stored_otherwise(server, sdk):
    token = sdk.upload_token(PUBLIC, "a.txt")
    for bad in ("text/plain\r\nX-Evil: 1", "téxt/plain", "nonsense", "text/html", "image/svg+xml",
                "text/plain; charset=utf-8; x=<b>"):
        answer = requests.post(f"{server.url}/", files={"file": ("a.txt", b"x")},
                               data={"token": token, "key": "a.txt", "accept": bad}, timeout=10)
        assert answer.status_code == 400 and "accept must be application/json or text/plain" in answer.json()["error"]
    assert not server.emulator.storage.exists(PUBLIC, "a.txt")
    answer = requests.post(f"{server.url}/", files={"file": ("a.txt", b"x")},
                           data={"token": token, "key": "a.txt", "accept": "text/plain"}, timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/plain"


def test_a_key_with_a_newline_can_be_downloaded(server, sdk):
    token = sdk.upload_token(PUBLIC, "two\nlines.txt")
    assert qiniu.put_data(token, "two\nlines.txt", b"both")[1].status_code == 200
    answer = requests.get(f"{server.url}/_io/{PUBLIC}/two%0Alines.txt", timeout=10)
    assert answer.status_code == 200 and answer.content == b"both"


def test_seed_dir_skips_links_that_leave_the_folder(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("not for the emulator")
    seed = tmp_path / "seed" / "seeded"
    seed.mkdir(parents=True)
    (seed / "real.txt").write_text("kept")
    (seed / "leak.txt").symlink_to(outside)
    emulator = Emulator.build(Settings(data=tmp_path / "data", seed_dir=tmp_path / "seed"))
    try:
        assert emulator.storage.exists("seeded", "real.txt")
        assert not emulator.storage.exists("seeded", "leak.txt")
    finally:
        emulator.close()


def test_a_second_emulator_on_the_same_data_dir_is_refused_naming_the_first(tmp_path):
    data = tmp_path / "data"
    first = ServeProcess(data).start()
    try:
        with pytest.raises(DataDirInUse, match=rf"in use by another qiniu-emulator \(pid {first.proc.pid}.*"
                                               rf"serving http://127.0.0.1:{first.port}"):
            Emulator.build(Settings(data=data))
        second = subprocess.run([*first.args[:first.args.index("--port") + 1], "0", "--data", str(data)],
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 1 and f"pid {first.proc.pid}" in second.stderr
        assert second.stderr.strip().count("\n") == 0  # one line: no usage text, no traceback
    finally:
        first.stop()


def test_at_most_three_callback_urls(server, sdk):
    urls = ";".join(f"http://127.0.0.1:9/cb{n}" for n in range(4))
    token = sdk.upload_token(PUBLIC, "cb.txt", 3600, {"callbackUrl": urls, "callbackBody": "key=$(key)"})
    ret, info = qiniu.put_data(token, "cb.txt", b"x")
    assert info.status_code == 400 and "at most 3" in info.text_body
    assert not server.emulator.storage.exists(PUBLIC, "cb.txt")


def test_scratch_left_by_a_crash_is_swept_at_the_next_start(tmp_path):
    data = tmp_path / "data"
    Emulator.build(Settings(data=data)).close()
    (data / "tmp" / "job-left-behind").mkdir()
    (data / "tmp" / "job-left-behind" / "out.mp4").write_bytes(b"\0" * 1024)
    (data / "tmp" / "up-partial").write_bytes(b"\0" * 1024)
    emulator = Emulator.build(Settings(data=data, accounts=[(ACCESS_KEY, SECRET_KEY)]))
    try:
        assert temp_entries(data) == []
    finally:
        emulator.close()


def test_running_out_of_memory_in_an_op_is_a_clear_item_error(tmp_path):
    from qiniu_emulator.fops.context import OpContext
    from qiniu_emulator.fops.declare import OpSpec
    from qiniu_emulator.fops.execute import StageFailed, run_ops
    from qiniu_emulator.fops.parse import parse_pipeline
    from qiniu_emulator.fops.registry import Registry

    def exhausts_memory(op, src, ctx):
        return bytearray(1 << 62)  # more than any machine has: MemoryError at once

    registry = Registry([OpSpec(name="hungry", run=exhausts_memory)])
    source = tmp_path / "in.bin"
    source.write_bytes(b"x")
    with pytest.raises(StageFailed) as caught:
        run_ops(parse_pipeline("hungry", registry).ops, source, "application/octet-stream",
                OpContext(scratch=tmp_path), registry)
    assert caught.value.item_error.startswith("execute fop cmd failed: out of memory")
    assert "MemoryError" not in caught.value.item_error
