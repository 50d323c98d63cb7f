"""Held jobs are resumed exactly once: by a release, by their rule's removal, or when their
duration runs out; a job held at code 2 is resumed only once its worker has parked it."""

from __future__ import annotations

from qiniu_emulator.scenarios.holds import Holds
from qiniu_emulator.scenarios.rules import Hold
from support import wait_for


def recorder() -> tuple[list[str], object]:
    calls: list[str] = []
    return calls, calls.append


def test_a_job_held_at_1_resumes_once_on_release():
    holds, (calls, resume) = Holds(), recorder()
    holds.hold("j1", "b", "r1", Hold(code=1), resume)
    assert holds.get("j1") is not None and holds.held_by("r1") == ["j1"]
    assert holds.release("j1", "by hand") and not holds.release("j1", "again")
    assert calls == ["by hand"] and holds.get("j1") is None


def test_a_job_held_at_2_waits_for_its_worker_to_park_it():
    holds, (calls, resume) = Holds(), recorder()
    holds.hold("j2", "b", "r1", Hold(code=2, progress=0.4), None)
    assert holds.get("j2").progress() == 0.4
    assert holds.park("j2", resume)
    assert calls == [] and holds.release("j2", "by hand") and calls == ["by hand"]


def test_a_job_released_before_it_is_parked_runs_straight_through():
    holds, (calls, resume) = Holds(), recorder()
    holds.hold("j3", "b", "r1", Hold(code=2), None)
    assert holds.release("j3", "early")
    assert not holds.park("j3", resume) and calls == [] and holds.get("j3") is None


def test_a_hold_with_a_duration_ends_by_itself():
    holds, (calls, resume) = Holds(), recorder()
    holds.hold("j4", "b", "r1", Hold(code=1, seconds=0.05), resume)
    wait_for(lambda: calls, message="the hold to run out")
    assert calls == ["after 0.05 s"] and not holds.release("j4", "late")


def test_releasing_by_rule_or_bucket_picks_its_jobs():
    holds, (calls, resume) = Holds(), recorder()
    for job, bucket, rule in (("a", "x", "r1"), ("b", "y", "r1"), ("c", "x", "r2")):
        holds.hold(job, bucket, rule, Hold(code=1), resume)
    assert holds.release_where(lambda h: h.rule_id == "r1", "rule gone") == ["a", "b"]
    assert holds.release_where(lambda h: h.bucket == "x", "reset") == ["c"]
    assert calls == ["rule gone", "rule gone", "reset"]
