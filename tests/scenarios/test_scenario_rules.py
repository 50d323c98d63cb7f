"""Rules are read strictly (a bad field is named), written back as read, matched on
endpoint families, bucket, key globs and fop prefixes, and fire as ``times`` and a seeded
``probability`` say."""

from __future__ import annotations

import random

import pytest

from qiniu_emulator.errors import QiniuError
from qiniu_emulator.scenarios import Facts, Scenarios
from qiniu_emulator.scenarios.rules import RuleError, parse_rule, parse_rules, spec_json

WRITTEN = [
    {"endpoint": "pfop", "answer": {"status": 599}, "times": 1},
    {"id": "slow", "endpoint": ["prefop", "rs"], "latency": {"uniform": [0.1, 0.5]}, "seed": 3},
    {"endpoint": "upload.form", "answer": {"status": 599, "body": {"error": "x"}, "when": "after"}},
    {"endpoint": "notify", "answer": {"timeout": True}, "probability": 0.5},
    {"bucket": "videos", "key": "raw/*", "hold": {"code": 2, "seconds": 30.0, "progress": 0.5}},
    {"fop": "avthumb", "failItem": {"error": "execute fop cmd failed: not a valid video", "errorIndex": 1}},
    {"endpoint": "upload", "notifyFirst": True, "description": "the race"},
    {"endpoint": "callback", "latency": {"exponential": 0.2}},
]


@pytest.mark.parametrize("rule", WRITTEN, ids=lambda r: next(k for k in r if k in (
    "answer", "latency", "hold", "failItem", "notifyFirst")))
def test_a_rule_reads_back_as_written(rule):
    assert spec_json(parse_rule(rule)) == rule


def test_shorthands_and_snake_case_read_as_the_long_form():
    assert spec_json(parse_rule({"endpoint": "pfop", "answer": 599})) == {"endpoint": "pfop", "answer": {"status": 599}}
    assert parse_rule({"latency": 2}).effect == parse_rule({"latency": {"seconds": 2}}).effect
    assert parse_rule({"hold": 2}).effect == parse_rule({"hold": {"code": 2}}).effect
    assert parse_rule({"fail_item": {"error": "boom", "error_index": 2}}).effect == \
        parse_rule({"failItem": {"error": "boom", "errorIndex": 2}}).effect
    assert parse_rule({"notify_first": True}).effect == parse_rule({"notifyFirst": True}).effect


@pytest.mark.parametrize("rule, message", [
    ({"endpoint": "pfop"}, "needs exactly one effect"),
    ({"answer": 599, "latency": 1}, "needs exactly one effect of answer, latency, hold, failItem, notifyFirst, censor (got answer, latency)"),
    ({"answer": {"status": "599"}}, "answer.status: must be an integer from 100 to 999"),
    ({"answer": {"status": 599, "when": "later"}}, "answer.when: must be before or after"),
    ({"answer": {"timeout": True}}, "answer.timeout: only notify and callback deliveries can time out"),
    ({"endpoint": "notify", "answer": {"status": 500, "when": "after"}}, "answer.when: notify and callback"),
    ({"answer": {"status": 599, "headers": {"bad name": "x"}}}, "answer.headers: 'bad name' is not a header name"),
    ({"endpoint": "pfopp", "answer": 599}, "endpoint: unknown endpoint 'pfopp' (known: pfop, prefop, prefop.v3, upload,"),
    ({"endpoint": "rs.stat", "hold": 1}, "endpoint: hold does not apply to 'rs.stat' (it applies to pfop, upload.form"),
    ({"endpoint": 7, "answer": 599}, "endpoint: must be an endpoint name or a list of them"),
    ({"latency": {"uniform": [2, 1]}}, "latency.uniform: low must not be above high"),
    ({"latency": 601}, "latency: must be a number from 0 to 600"),
    ({"latency": {"seconds": 1, "exponential": 1}}, "latency: give one of seconds"),
    ({"hold": {"code": 3}}, "hold.code: must be 1 (waiting) or 2 (running), not 3"),
    ({"hold": {"code": 1, "progress": 0.5}}, "hold.progress: only a job held at code 2 reports progress"),
    ({"hold": {"seconds": 0}}, "hold.seconds: must be a number more than 0"),
    ({"failItem": {"errorIndex": 1}}, "failItem: needs an error"),
    ({"failItem": {"error": "x", "errorIndex": -1}}, "failItem.errorIndex: must be an integer from 0 or more"),
    ({"notifyFirst": False}, "notifyFirst: must be true"),
    ({"answer": 599, "times": 0}, "times: must be an integer from 1 or more"),
    ({"answer": 599, "probability": 0}, "probability: must be a number more than 0 to 1"),
    ({"answer": 599, "id": "has space"}, "id: must be letters, digits"),
    ({"answer": 599, "colour": "red"}, "colour: unknown field (known: id, endpoint,"),
    ({"answer": 599, "Times": 1, "times": 2}, "given twice"),
])
def test_a_bad_rule_names_its_field(rule, message):
    with pytest.raises(RuleError) as caught:
        parse_rule(rule)
    assert message in str(caught.value)


def test_rules_in_a_list_are_named_by_position():
    with pytest.raises(RuleError, match=r"^scenarios\[1\]\.hold\.code: "):
        parse_rules({"scenarios": [{"answer": 599}, {"hold": {"code": 9}}]})
    assert len(parse_rules([{"answer": 599}, {"latency": 1}])) == 2


def test_a_bad_rule_among_several_adds_none():
    scenarios = Scenarios()
    with pytest.raises(QiniuError) as caught:
        scenarios.add([{"answer": 599}, {"hold": 7}])
    assert caught.value.status == 400 and scenarios.rules() == []
    scenarios.add({"id": "one", "answer": 599})
    with pytest.raises(QiniuError, match="exists already"):
        scenarios.add({"id": "one", "answer": 500})


@pytest.mark.parametrize("facts, fires", [
    (Facts("upload.form", "videos", "raw/a.mp4"), True),
    (Facts("upload.mkblk", "videos", None), False),  # no key: a key pattern cannot match
    (Facts("upload.multipart.complete", "videos", "raw/b.mp4"), True),
    (Facts("upload.form", "videos", "cooked/a.mp4"), False),
    (Facts("upload.form", "photos", "raw/a.mp4"), False),
    (Facts("pfop", "videos", "raw/a.mp4"), False),
])
def test_a_family_bucket_and_key_glob_match(facts, fires):
    scenarios = Scenarios()
    scenarios.add({"endpoint": "upload", "bucket": "videos", "key": "raw/*", "answer": 599})
    assert (scenarios.answer(facts) is not None) == fires


def test_fop_is_a_prefix_of_any_command():
    scenarios = Scenarios()
    scenarios.add({"endpoint": "pfop", "fop": "avthumb/mp4", "answer": 599})
    assert scenarios.answer(Facts("pfop", "b", "k", ("vframe/jpg", "avthumb/mp4/vb/1m"))) is not None
    assert scenarios.answer(Facts("pfop", "b", "k", ("vframe/jpg|avthumb/mp4",))) is None


def test_an_answer_rule_without_endpoint_covers_requests_but_not_deliveries():
    scenarios = Scenarios()
    scenarios.add({"answer": 503})
    assert scenarios.answer(Facts("rs.stat")) is not None
    assert scenarios.answer(Facts("notify")) is None


def test_times_bounds_the_hits_and_matches_keep_counting():
    scenarios = Scenarios()
    [rule] = scenarios.add({"endpoint": "pfop", "answer": 599, "times": 2})
    fired = [scenarios.answer(Facts("pfop")) is not None for _ in range(4)]
    assert fired == [True, True, False, False]
    assert (rule.hits, rule.matched, rule.spent) == (2, 4, True)


def test_the_first_rule_that_fires_answers():
    scenarios = Scenarios()
    scenarios.add([{"id": "first", "endpoint": "pfop", "answer": 599, "times": 1},
                   {"id": "second", "endpoint": "pfop", "answer": 612}])
    assert [scenarios.answer(Facts("pfop")).rule_id for _ in range(2)] == ["first", "second"]


def draws(seed: int, probability: float, count: int = 40) -> list[bool]:
    scenarios = Scenarios()
    scenarios.add({"endpoint": "rs.stat", "answer": 599, "probability": probability, "seed": seed})
    return [scenarios.answer(Facts("rs.stat")) is not None for _ in range(count)]


def test_a_probability_is_drawn_from_the_rules_seed_so_runs_repeat():
    first = draws(7, 0.3)
    assert first == draws(7, 0.3)
    expected = random.Random(7)
    assert first == [expected.random() < 0.3 for _ in range(40)]
    assert 0 < sum(first) < 40 and first != draws(8, 0.3)


def test_latencies_are_drawn_from_the_seed():
    def drawn() -> list[float]:
        scenarios = Scenarios()
        scenarios.add({"endpoint": "prefop", "latency": {"uniform": [0.0, 0.001]}, "seed": 5})
        return [scenarios.delay(Facts("prefop")) for _ in range(5)]

    assert drawn() == drawn() and len(set(drawn())) == 5


def test_job_plans_take_a_hold_and_per_item_failures():
    scenarios = Scenarios()
    scenarios.add([{"endpoint": "upload", "hold": 2},
                   {"fop": "qhash/sha1", "failItem": {"error": "boom", "errorIndex": 0}}])
    plan = scenarios.plan_job("upload.form", "b", "k", ["qhash/md5", "qhash/sha1"])
    assert plan.hold is not None and plan.notify_first is None
    assert list(plan.failures) == [1]
    assert scenarios.plan_job("pfop", "b", "k", ["qhash/md5"]).hold is None
