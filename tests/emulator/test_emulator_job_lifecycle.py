"""The job state machine (``jobs/lifecycle.py``) on a real SQLite store: every move it
allows is saved as it is made, and the moves it does not have are refused."""

from __future__ import annotations

import pytest

from qiniu_emulator.database import Database
from qiniu_emulator.job_records import Code, Item, Job, Phase
from qiniu_emulator.jobs.lifecycle import FINAL, MOVES, IllegalMove, Lifecycle
from qiniu_emulator.jobs.store import JobStore


@pytest.fixture
def store(tmp_path) -> JobStore:
    return JobStore(Database(tmp_path / "emulator.sqlite3"))


@pytest.fixture
def lifecycle(store) -> Lifecycle:
    return Lifecycle(store, changed=lambda: None)


def new_job(job_id: str = "z0.lifecycle") -> Job:
    return Job(id=job_id, bucket="b", key="k", items=[Item(cmd="imageInfo")], created_ns=1)


def walk(lifecycle: Lifecycle, job: Job, *phases: Phase) -> Job:
    for phase in phases:
        lifecycle.move(job, phase)
    return job


def test_each_move_is_saved_with_its_code(lifecycle, store):
    job = new_job()
    lifecycle.move(job, Phase.WAITING)
    assert store.get(job.id).code == Code.WAITING and store.get(job.id).phase is Phase.WAITING
    lifecycle.move(job, Phase.RUNNING)
    assert store.get(job.id).code == Code.RUNNING and store.get(job.id).started_ns > 0
    lifecycle.move(job, Phase.NOTIFYING)
    assert store.get(job.id).code == Code.RUNNING  # a restart notifies again
    lifecycle.move(job, Phase.CALLBACK_FAILED)
    saved = store.get(job.id)
    assert (saved.code, saved.phase) == (Code.CALLBACK_FAILED, Phase.CALLBACK_FAILED) and saved.finished_ns > 0


def test_a_hold_keeps_the_code_the_job_had(lifecycle, store):
    waiting = walk(lifecycle, new_job("z0.held1"), Phase.WAITING, Phase.HELD)
    assert store.get(waiting.id).code == Code.WAITING
    parked = walk(lifecycle, new_job("z0.held2"), Phase.WAITING, Phase.HELD, Phase.RUNNING, Phase.HELD)
    assert store.get(parked.id).code == Code.RUNNING
    lifecycle.move(waiting, Phase.WAITING, "released by the test")
    assert store.get(waiting.id).log == ["released by the test"]


@pytest.mark.parametrize("path, refused", [
    ((), Phase.RUNNING),  # not stored yet
    ((Phase.WAITING,), Phase.DONE),  # finished without running
    ((Phase.WAITING,), Phase.WAITING),
    ((Phase.WAITING, Phase.RUNNING, Phase.DONE), Phase.RUNNING),  # a finished job runs again
    ((Phase.WAITING, Phase.RUNNING, Phase.FAILED), Phase.DONE),
    ((Phase.WAITING, Phase.RUNNING), Phase.CALLBACK_FAILED),  # a callback failure needs a notification
    ((Phase.WAITING, Phase.CANCELLED), Phase.WAITING),
    ((Phase.WAITING, Phase.RUNNING, Phase.NOTIFYING), Phase.HELD),
])
def test_an_illegal_move_is_refused_and_nothing_is_saved(lifecycle, store, path, refused):
    job = walk(lifecycle, new_job(), *path)
    before = store.get(job.id)
    with pytest.raises(IllegalMove, match=f"cannot move from {job.phase.value} to {refused.value}"):
        lifecycle.move(job, refused)
    assert store.get(job.id) == before


def test_a_finished_phase_leads_only_to_itself():
    for phase in FINAL:
        assert MOVES[phase] == frozenset({phase})


def test_a_job_read_back_resumes_from_its_code(lifecycle, store):
    job = walk(lifecycle, new_job(), Phase.WAITING, Phase.RUNNING)
    saved = store.get(job.id)
    assert saved.phase is Phase.RUNNING
    lifecycle.move(saved, Phase.RUNNING)  # a restart runs it again
    assert [j.id for j in store.unfinished()] == [job.id]
