"""Latency rules delay a request before its work: checked by ordering, never by time
(benchmarks/scenario_latency.py measures it). Removing the rule ends the wait."""

from __future__ import annotations

import threading

from scenario_support import put
from support import wait_for


def test_a_delayed_request_answers_after_a_later_one(client, target, rules):
    put(client, target, "slow.txt")
    put(client, target, "quick.txt")
    rule = rules(endpoint="rs.stat", key="slow.txt", latency=300)
    answers: list[tuple[str, int]] = []

    def slow() -> None:
        answers.append(("slow", client.stat(target.bucket, "slow.txt").status))

    thread = threading.Thread(target=slow, daemon=True)
    thread.start()
    wait_for(lambda: rule.hits == 1, message="the slow stat to reach the emulator")
    answers.append(("quick", client.stat(target.bucket, "quick.txt").status))
    assert answers == [("quick", 200)]
    rule.remove()  # ends the delay now
    thread.join(30)
    assert answers == [("quick", 200), ("slow", 200)]


def test_latencies_of_several_rules_add_up_and_spend_their_times(client, target, rules):
    put(client, target, "twice.txt")
    first = rules(endpoint="rs", latency={"uniform": [0.0, 0.01]}, times=1)
    second = rules(endpoint="rs.stat", latency=0.01, times=1)
    assert client.stat(target.bucket, "twice.txt").status == 200
    assert client.stat(target.bucket, "twice.txt").status == 200
    assert (first.hits, second.hits) == (1, 1) and (first.matched, second.matched) == (2, 2)
