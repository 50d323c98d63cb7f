"""``--op-memory-mb`` is one budget for every image op of the process: an op reserves what
it will really hold (composited animation frames, intermediate copies) before decoding,
is refused when that is more than the whole budget, and waits while other ops hold it."""

from __future__ import annotations

import threading

import pytest
import qiniu
import requests
from boundary_support import PUBLIC, png
from support import wait_for

from qiniu_contracts.media import screen_gif
from qiniu_emulator.fops.budget import MemoryBudget, OverBudget

MB = 1024 * 1024


def prefop(server, job_id: str) -> dict:
    return requests.get(f"{server.url}/status/get/prefop?id={job_id}", timeout=10).json()


def ended(server, job_id: str) -> dict:
    return wait_for(lambda: (body := prefop(server, job_id))["code"] not in (1, 2) and body,
                    message="the job to end")


def test_a_tiny_gif_on_a_huge_screen_is_refused_by_what_its_frames_hold(server, sdk):
    gif = screen_gif(12000, 12000, 20)
    assert len(gif) == 499
    server.emulator.storage.put_bytes(PUBLIC, "screen.gif", gif, mime="image/gif")
    answer = requests.get(f"{server.url}/_io/{PUBLIC}/screen.gif?imageView2/2/w/100", timeout=60)
    assert answer.status_code == 400
    error = answer.json()["error"]
    # Composited: the canvas, the previous canvas and an RGBA frame, 12 bytes a pixel, not 4.
    assert "image too large to process: 12000x12000 needs about 2199 MB once decoded, over this " \
           "emulator's 1024 MB for image ops (--op-memory-mb)" in error, error
    ret, info = qiniu.PersistentFop(sdk, PUBLIC).execute("screen.gif", ["imageMogr2/thumbnail/100x"])
    assert info.status_code == 200
    job = ended(server, ret["persistentId"])
    assert job["code"] == 3 and "needs about 2199 MB" in job["items"][0]["error"], job


def test_the_same_gif_runs_within_a_budget_that_holds_it(start_emulator):
    server = start_emulator(op_memory_mb=160)
    server.emulator.storage.put_bytes(PUBLIC, "screen.gif", screen_gif(3000, 3000, 3), mime="image/gif")
    answer = requests.get(f"{server.url}/_io/{PUBLIC}/screen.gif?imageView2/2/w/100", timeout=60)
    assert answer.status_code == 200, answer.text
    assert server.emulator.jobs.processor.memory.held == 0  # given back when the op ended


def test_sync_downloads_and_jobs_draw_on_one_budget(start_emulator, sdk_for):
    server = start_emulator(op_memory_mb=64, op_timeout=1)
    sdk = sdk_for(server)
    budget = server.emulator.jobs.processor.memory
    assert server.emulator.sync_fops.processor.memory is budget
    server.emulator.storage.put_bytes(PUBLIC, "big.png", png((10, 20, 30), (2000, 2000), "RGBA"), mime="image/png")
    with budget.reserve(40 * MB, lambda: None):  # another op holds most of the budget
        answer = requests.get(f"{server.url}/_io/{PUBLIC}/big.png?imageView2/2/w/100", timeout=60)
        assert answer.status_code == 400
        assert "timed out after 1 s (op timeout), waiting for" in answer.json()["error"]
        assert "MB of the 64 MB that image ops share (--op-memory-mb)" in answer.json()["error"]
        ret, info = qiniu.PersistentFop(sdk, PUBLIC).execute("big.png", ["imageView2/2/w/100"])
        job = ended(server, ret["persistentId"])
        assert job["code"] == 3 and "that image ops share" in job["items"][0]["error"], job
    answer = requests.get(f"{server.url}/_io/{PUBLIC}/big.png?imageView2/2/w/100", timeout=60)
    assert answer.status_code == 200
    ret, info = qiniu.PersistentFop(sdk, PUBLIC).execute("big.png", ["imageView2/2/w/100"], force=1)
    assert ended(server, ret["persistentId"])["code"] == 0


def test_a_reservation_waits_for_what_others_give_back():
    budget = MemoryBudget(100)
    first = budget.reserve(60, lambda: None)
    admitted, waiting = threading.Event(), threading.Event()

    def second() -> None:
        with budget.reserve(50, waiting.set):  # a waiting op checks its deadline
            admitted.set()

    waiter = threading.Thread(target=second)
    waiter.start()
    assert waiting.wait(10), "the second reservation never waited"
    assert not admitted.is_set() and budget.held == 60  # 60 + 50 > 100: it waits
    first.release()
    waiter.join(10)
    assert admitted.is_set() and budget.held == 0 and budget.largest == 60


def test_more_than_the_whole_budget_is_refused_and_a_waiter_can_give_up():
    budget = MemoryBudget(100)
    with pytest.raises(OverBudget):
        budget.reserve(101, lambda: None)
    held = budget.reserve(100, lambda: None)

    def give_up() -> None:
        raise TimeoutError("deadline")

    with pytest.raises(TimeoutError):
        budget.reserve(1, give_up)
    held.release()
    held.release()  # a second release gives nothing back twice
    assert budget.held == 0
