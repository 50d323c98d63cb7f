"""Waiting for a job against the emulator: ``wait()`` long-polls, reports transcode progress,
and fails the same way as ``status()``; the long-poll never starves other requests."""

from __future__ import annotations

import subprocess
import threading

import imageio_ffmpeg
import pytest
import requests

import qiniu_fop
from qiniu_fop import Auth, PersistentFop, RequestFailed, op_save, put_data, put_file

from support import ACCESS_KEY, SECRET_KEY, JobGate, wait_for


def client_config(server) -> qiniu_fop.Config:
    return qiniu_fop.Config.for_url(server.url)


def submit(server, key: str, data: bytes, fops: str) -> tuple[PersistentFop, str]:
    auth, config = Auth(ACCESS_KEY, SECRET_KEY), client_config(server)
    ret, info = put_data(auth.upload_token("demo-bucket", key), key, data, config=config)
    assert info.ok(), info
    pfop = PersistentFop(auth, "demo-bucket", config=config)
    ret, info = pfop.execute(key, fops=fops)
    assert info.ok(), info
    return pfop, ret["persistentId"]


def test_wait_returns_when_the_job_ends_whatever_the_poll_interval(server):
    gate = JobGate(server.emulator)
    pfop, persistent_id = submit(server, "w.txt", b"wait for me", "qhash/md5")
    assert gate.running.wait(30)
    threading.Timer(0, gate.release).start()
    # An hour between polls would never end within the test: the emulator answers the wait.
    status, info = pfop.wait(persistent_id, timeout=60, interval=3600)
    assert info.ok() and status["code"] == 0
    assert status == pfop.get_status(persistent_id)[0]  # exactly the prefop answer
    # the api host named the admin origin, where the wait was held
    assert pfop.config.admin_hosts == {server.url: server.admin_url}


def test_an_unknown_id_raises_in_wait_as_in_status(server):
    pfop = PersistentFop(Auth(ACCESS_KEY, SECRET_KEY), "demo-bucket", config=client_config(server))
    with pytest.raises(RequestFailed, match="no such id in prefop") as waited:
        pfop.wait("z0.0000000000000000000000ff", timeout=10)
    with pytest.raises(RequestFailed, match="no such id in prefop") as asked:
        pfop.status("z0.0000000000000000000000ff")
    assert waited.value.info.status_code == asked.value.info.status_code == 612


def test_on_progress_receives_the_transcode_progress(server, tmp_path):
    clip, piece = tmp_path / "long.mp4", tmp_path / "piece.mp4"
    ffmpeg = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    # a minute long, so the transcode reports progress while it runs: 10 s encoded, then repeated by copying
    subprocess.run([*ffmpeg, "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=10",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(piece)],
                   check=True, timeout=120)
    subprocess.run([*ffmpeg, "-stream_loop", "-1", "-i", str(piece), "-c", "copy", "-t", "60", str(clip)],
                   check=True, timeout=120)
    auth, config = Auth(ACCESS_KEY, SECRET_KEY), client_config(server)
    assert put_file(auth.upload_token("demo-bucket", "long.mp4"), "long.mp4", clip, config=config)[1].ok()
    pfop = PersistentFop(auth, "demo-bucket", config=config)
    ret, info = pfop.execute("long.mp4", fops=op_save("avthumb/mp4/s/320x180", "output-bucket", "long-small.mp4"))
    assert info.ok(), info
    seen: list[float] = []
    status, info = pfop.wait(ret["persistentId"], timeout=240, on_progress=seen.append)
    assert status["code"] == 0, status
    assert seen and all(0 < fraction <= 1 for fraction in seen)
    assert seen == sorted(seen)


def test_the_long_poll_answers_a_finished_job_and_refuses_bad_waits(server):
    pfop, persistent_id = submit(server, "d.txt", b"done", "qhash/sha1")
    pfop.wait(persistent_id, timeout=30)
    answer = requests.get(f"{server.admin_url}/_emulator/jobs/{persistent_id}?wait=30", timeout=10)
    assert answer.status_code == 200 and answer.json()["code"] == 0
    assert "timings" in answer.json()["emulator"]
    assert requests.get(f"{server.admin_url}/_emulator/jobs/{persistent_id}?wait=soon").status_code == 400
    assert requests.get(f"{server.admin_url}/_emulator/jobs/z0.nope?wait=5", timeout=10).status_code == 612


def test_waiting_requests_leave_threads_for_everyone_else(start_emulator):
    server = start_emulator(threads=2)  # one long-poll may wait; the other thread keeps serving
    gate = JobGate(server.emulator)
    pfop, persistent_id = submit(server, "t.txt", b"held", "qhash/md5")
    assert gate.running.wait(30)
    url = f"{server.admin_url}/_emulator/jobs/{persistent_id}"
    first = threading.Thread(target=requests.get, args=(f"{url}?wait=30",), kwargs={"timeout": 60})
    first.start()
    try:
        wait_for(lambda: requests.get(f"{server.admin_url}/_emulator/health", timeout=20).json()["jobs"]["waitedOn"] == 1,
                 message="the first request waiting")
        second = requests.get(f"{url}?wait=30", timeout=20)  # no slot left: answered as it is
        assert second.status_code == 200 and second.json()["code"] == 2
        assert requests.get(f"{server.admin_url}/_emulator/health", timeout=20).status_code == 200
    finally:
        gate.release()
        first.join(60)
    assert pfop.wait(persistent_id, timeout=30)[0]["code"] == 0


def test_stopping_the_server_answers_waiting_requests(start_emulator):
    server = start_emulator()
    gate = JobGate(server.emulator)
    _, persistent_id = submit(server, "s.txt", b"stop", "qhash/md5")
    assert gate.running.wait(30)
    answers: list[int] = []
    waiting = threading.Thread(target=lambda: answers.append(
        requests.get(f"{server.admin_url}/_emulator/jobs/{persistent_id}?wait=30", timeout=60).status_code))
    waiting.start()
    try:
        wait_for(lambda: requests.get(f"{server.admin_url}/_emulator/health").json()["jobs"]["waitedOn"] == 1,
                 message="a waiting request")
        threading.Timer(0, server.stop).start()
        waiting.join(60)
    finally:
        gate.release()
    assert answers == [200]
