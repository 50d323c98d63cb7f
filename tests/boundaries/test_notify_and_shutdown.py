"""Slow receivers cannot hold job workers; a shutdown stops running work at once, kills
its children, says which jobs resume, and the next start resumes them."""

from __future__ import annotations

import os
import signal
import socket
import threading

import pytest
import qiniu
import requests
from boundary_support import PUBLIC, video
from receiver import RecordingServer, Reply
from support import ACCESS_KEY, SECRET_KEY, ServeProcess, wait_for


def status(server_url: str, persistent_id: str) -> dict:
    return requests.get(f"{server_url}/status/get/prefop?id={persistent_id}", timeout=10).json()


def submit(sdk, key: str, fops: str, notify_url: str | None = None) -> str:
    ret, info = qiniu.PersistentFop(sdk, PUBLIC, notify_url=notify_url).execute(key, [fops])
    assert info.status_code == 200, info
    return ret["persistentId"]


def test_a_receiver_that_does_not_answer_holds_no_job_worker(start_emulator, sdk):
    server = start_emulator(workers=1, notify_timeout=30.0)
    qiniu.config.set_default(default_api_host=server.url)
    server.emulator.storage.put_bytes(PUBLIC, "a.txt", b"hello", mime="text/plain")
    release = threading.Event()
    with RecordingServer() as receiver:
        receiver.responder = lambda req: release.wait(30) and Reply(body={}) or Reply(body={})
        slow = submit(sdk, "a.txt", "qhash/md5", notify_url=f"{receiver.url}/hook")
        wait_for(lambda: receiver.requests, message="the notification to be sent")
        quick = [submit(sdk, "a.txt", f"qhash/sha1|saveas/{_entry(f'q{n}.json')}") for n in range(5)]
        for persistent_id in quick:
            wait_for(lambda: status(server.url, persistent_id)["code"] == 0, message="quick jobs")
        assert status(server.url, slow)["code"] == 2  # its notification is still in flight
        release.set()
        wait_for(lambda: status(server.url, slow)["code"] == 0, message="the slow job to be notified")


def _entry(key: str) -> str:
    from qiniu_emulator.encoding import b64_encode

    return b64_encode(f"output-bucket:{key}")


def test_a_trickling_receiver_is_cut_off_and_every_attempt_is_recorded(start_emulator, sdk):
    server = start_emulator(notify_timeout=0.5, notify_attempts=2)
    qiniu.config.set_default(default_api_host=server.url)
    server.emulator.storage.put_bytes(PUBLIC, "b.txt", b"hello", mime="text/plain")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def trickle():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while not stop.wait(0.2):
                    try:
                        conn.sendall(b"X-Slow: 1\r\n")
                    except OSError:
                        break

    threading.Thread(target=trickle, daemon=True).start()
    try:
        job_id = submit(sdk, "b.txt", "qhash/md5", notify_url=f"http://127.0.0.1:{listener.getsockname()[1]}/")
        final = wait_for(lambda: (body := status(server.url, job_id))["code"] not in (1, 2) and body,
                         message="the job to end")
        assert final["code"] == 4 and final["items"][0]["code"] == 0
        record = requests.get(f"{server.admin_url}/_emulator/jobs/{job_id}", timeout=10).json()["emulator"]
        attempts = record["deliveries"]
        assert len(attempts) == 2 and all(a["status"] is None for a in attempts)
        assert all("0.5 s" in a["error"] for a in attempts)
    finally:
        stop.set()
        listener.close()


def live_children(data_dir) -> list[int]:
    """Processes whose command line names the data directory (ffmpeg reading or writing there)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if str(data_dir).encode() in f.read() and int(pid) != os.getpid():
                    found.append(int(pid))
        except OSError:
            continue
    return found


@pytest.mark.timeout(180)
def test_sigterm_stops_transcodes_together_kills_ffmpeg_and_the_jobs_resume(tmp_path):
    data = tmp_path / "data"
    first = ServeProcess(data, "--workers", "3").start()
    auth = qiniu.Auth(ACCESS_KEY, SECRET_KEY)
    clip = video(tmp_path / "long.mp4", 120, size="320x240", rate=25)
    with clip.open("rb") as f:
        upload = requests.post(f"{first.url}/", files={"file": ("long.mp4", f)}, timeout=60,
                               data={"token": auth.upload_token(PUBLIC, "long.mp4"), "key": "long.mp4"})
    assert upload.status_code == 200, upload.text
    qiniu.config.set_default(default_api_host=first.url)
    jobs = [submit(auth, "long.mp4", f"avthumb/mp4/vb/{n}00k") for n in (2, 3, 4)]
    wait_for(lambda: all(status(first.url, j)["code"] == 2 for j in jobs), timeout=60, message="transcodes")
    wait_for(lambda: len([p for p in live_children(data) if p != first.proc.pid]) == 3, message="ffmpeg")
    first.proc.send_signal(signal.SIGTERM)
    first.proc.wait(60)
    output = first.proc.stdout.read().decode()
    assert first.proc.returncode == 0, output
    assert "3 running job(s) resume at the next start" in output
    assert all(j in output for j in jobs)
    assert live_children(data) == []
    second = ServeProcess(data, port=first.port).start()
    try:
        for job_id in jobs:
            wait_for(lambda: status(second.url, job_id)["code"] == 0, timeout=120, message="resumed jobs")
    finally:
        second.stop()
