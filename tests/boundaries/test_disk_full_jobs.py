"""A job whose last save finds the disk full is not stranded: it stays among the running
jobs, and ends (saved, visible to prefop) once space returns, without a restart."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest
import qiniu
import requests
from boundary_support import PUBLIC, png
from receiver import RecordingServer, Reply
from support import wait_for

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.jobs import lifecycle


@pytest.fixture(autouse=True)
def quick_save_retries(monkeypatch):
    """A save that found no room is tried again every 2 s; these tests free the space at
    once, so they try every 0.05 s instead of waiting out the 2 s between tries."""
    monkeypatch.setattr(lifecycle, "RETRY_SAVE", 0.05)


def fill(disk: Path) -> Path:
    """Write until the disk refuses another byte."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def prefop(server, job_id: str) -> dict:
    return requests.get(f"{server.url}/status/get/prefop?id={job_id}", timeout=10).json()


def health(server) -> dict:
    return requests.get(f"{server.admin_url}/_emulator/health", timeout=10).json()["jobs"]


def stuck(caplog, job_id: str) -> bool:
    """The server said something went wrong with the job (its save found no room)."""
    return any(job_id in record.getMessage() and record.levelno >= logging.WARNING for record in caplog.records)


def truncate_log(server) -> None:
    """Empty the database's write-ahead log: its next write must grow it, and so meet the full disk
    (a log with room left from earlier writes would take a few more without a byte of space)."""
    server.emulator.storage.database.conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_a_job_whose_final_save_finds_the_disk_full_ends_when_space_returns(start_emulator, small_disk, caplog):
    go = threading.Event()
    with RecordingServer() as marks:
        marks.responder = lambda req: (go.wait(60), Reply(body=png((0, 0, 255), (8, 8)),
                                                          headers={"X-Reqid": "r"}))[1]
        server = start_emulator(data=small_disk / "data", fetch="loopback")
        sdk = qiniu.Auth(*next(iter(server.emulator.settings.account_map.items())))
        qiniu.config.set_default(default_api_host=server.url)
        server.emulator.storage.put_bytes(PUBLIC, "photo.png", png((200, 100, 50), (600, 400)), mime="image/png")
        fop = f"watermark/1/image/{b64_encode(marks.url + '/mark.png')}"
        ret, info = qiniu.PersistentFop(sdk, PUBLIC).execute("photo.png", [fop])
        assert info.status_code == 200, info
        wait_for(lambda: marks.requests, message="the op to fetch its mark")  # the job is running
        truncate_log(server)
        filler = fill(small_disk)
        go.set()  # the op ends; its result and then the job's last move find no room
        wait_for(lambda: stuck(caplog, ret["persistentId"]), message="the job's save to find the disk full")
        # Not dropped: its worker holds it, waiting for space, and prefop reads it from there.
        assert health(server)["running"] == 1
        job = prefop(server, ret["persistentId"])
        assert job["code"] == 3 and "no space left" in job["items"][0]["error"], job
        assert server.emulator.jobs.store.get(ret["persistentId"]).code == 2  # the last saved move
        filler.unlink()
        wait_for(lambda: server.emulator.jobs.store.get(ret["persistentId"]).code == 3,
                 message="the job's end to be saved once space returned")
        assert health(server)["running"] == 0 and prefop(server, ret["persistentId"])["code"] == 3


def test_a_notified_job_whose_last_save_finds_the_disk_full_ends_when_space_returns(start_emulator, small_disk, caplog):
    go = threading.Event()
    with RecordingServer() as receiver:
        receiver.responder = lambda req: (go.wait(60), Reply(body={}))[1]
        server = start_emulator(data=small_disk / "data")
        sdk = qiniu.Auth(*next(iter(server.emulator.settings.account_map.items())))
        qiniu.config.set_default(default_api_host=server.url)
        server.emulator.storage.put_bytes(PUBLIC, "photo.png", png((200, 100, 50), (64, 48)), mime="image/png")
        pfop = qiniu.PersistentFop(sdk, PUBLIC, notify_url=f"{receiver.url}/notify")
        ret, info = pfop.execute("photo.png", ["imageView2/2/w/10"])
        assert info.status_code == 200, info
        wait_for(lambda: receiver.requests, message="the notification to arrive")  # the job is notifying
        truncate_log(server)
        filler = fill(small_disk)
        go.set()  # answered: the job's last move (done) finds no room
        wait_for(lambda: stuck(caplog, ret["persistentId"]), message="the job's save to find the disk full")
        assert prefop(server, ret["persistentId"])["code"] == 2
        os.unlink(filler)
        job = wait_for(lambda: (body := prefop(server, ret["persistentId"]))["code"] not in (1, 2) and body,
                       message="the job to end once space returned")
        assert job["code"] == 0 and len(receiver.requests) == 1, job


def test_a_job_submitted_to_a_full_disk_is_refused_and_never_runs(start_emulator, small_disk):
    server = start_emulator(data=small_disk / "data")
    sdk = qiniu.Auth(*next(iter(server.emulator.settings.account_map.items())))
    qiniu.config.set_default(default_api_host=server.url)
    server.emulator.storage.put_bytes(PUBLIC, "photo.png", png((200, 100, 50), (64, 48)), mime="image/png")
    truncate_log(server)
    filler = fill(small_disk)
    ret, info = qiniu.PersistentFop(sdk, PUBLIC).execute("photo.png", ["imageView2/2/w/10"])
    assert info.status_code == 599 and "no space left on the emulator's disk" in info.json()["error"], info
    filler.unlink()
    jobs = health(server)
    assert server.emulator.jobs.store.recent() == [] and jobs["queued"] == jobs["running"] == 0
