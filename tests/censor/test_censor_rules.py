"""The censor effect of scenario rules: what it accepts, how a bad one is worded, how it
reads back, and the verdict order of docs/censor.md §4."""

from __future__ import annotations

import pytest
import requests
from support import ADMIN_WRITE

from qiniu_emulator.censor.judge import Judge, Subject
from qiniu_emulator.scenarios import CensorVerdict, RuleError, Scenarios
from qiniu_emulator.scenarios.rules import parse_rule, spec_json

SCENES = ("pulp", "terror", "politician", "ads")


@pytest.mark.parametrize("rule", [
    {"censor": "block"},
    {"key": "nsfw/*", "censor": {"scene": "pulp", "suggestion": "review", "label": "sexy", "score": 0.7}},
    {"endpoint": "censor.fop", "bucket": "b", "censor": {"scene": ["terror", "ads"], "suggestion": "pass"}},
])
def test_a_rule_reads_back_as_written(rule):
    spec = parse_rule(rule)
    assert isinstance(spec.effect, CensorVerdict)
    assert parse_rule(spec_json(spec)) == spec


@pytest.mark.parametrize("rule, words", [
    ({"censor": "deny"}, "censor.suggestion: must be pass, review or block"),
    ({"censor": {"scene": "porn", "suggestion": "block"}}, "censor.scene: must be a scene"),
    ({"censor": {"suggestion": "block", "score": 1.5}}, "censor.score: must be a number from 0 to 1"),
    ({"censor": {"label": "x"}}, "censor: needs a suggestion"),
    ({"censor": {"suggestion": "block", "colour": "red"}}, "censor.colour: unknown field"),
    ({"endpoint": "pfop", "censor": "block"}, "censor does not apply to 'pfop'"),
    ({"endpoint": "censor.fop", "answer": 599}, "answer does not apply to 'censor.fop'"),
])
def test_a_bad_rule_names_its_field(rule, words):
    with pytest.raises(RuleError) as caught:
        parse_rule(rule)
    assert words in str(caught.value)


def test_rules_then_scene_metadata_then_metadata_then_key_then_pass():
    scenarios = Scenarios()
    judge = Judge(scenarios)
    subject = Subject("censor.image", "b", "u/censor-review.jpg", {"Censor": "BLOCK",
                                                                      "censor-terror": "pass"})
    verdict = judge.judge(subject, SCENES)
    assert [(s.scene, s.suggestion) for s in verdict.scenes] == [
        ("pulp", "block"), ("terror", "pass"), ("politician", "block"), ("ads", "block")]
    scenarios.add({"key": "u/*", "censor": {"scene": "ads", "suggestion": "review", "label": "qr_code"}})
    ads = judge.judge(subject, ("ads",)).scenes[0]
    assert (ads.suggestion, ads.label, ads.score) == ("review", "qr_code", 0.6)
    plain = judge.judge(Subject("censor.image", "b", "u/censor-review.jpg"), ("pulp", "terror"))
    assert [(s.suggestion, s.label) for s in plain.scenes] == [("review", "sexy"), ("review", "bloodiness")]
    assert judge.judge(Subject("censor.image", key="u/censor-blocked.jpg"), ("pulp",)).suggestion == "pass"
    assert judge.judge(Subject("censor.image", meta={"censor": "maybe"}), ("pulp",)).suggestion == "pass"


def test_reset_forgets_the_video_jobs(server):
    from qiniu_emulator.censor.video_store import VideoJob

    em = server.emulator
    em.censor.video.store.insert(VideoJob(id="0" * 24, vid="", request={}, status="FINISHED"))
    assert em.censor.video.store.get("0" * 24) is not None
    assert requests.post(f"{server.admin_url}/_emulator/reset", headers=ADMIN_WRITE).status_code == 200
    assert em.censor.video.store.get("0" * 24) is None
