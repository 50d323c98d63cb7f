"""image-censor in pfop and persistentOps: verdicts decided by x-qn-meta-censor, key
segments and scenario rules, in the shape of a real notify (docs/censor.md §3)."""

from __future__ import annotations

import qiniu
import requests
from censor_support import finished, jpeg, pfop, upload

from qiniu_contracts.scenarios import ScenarioControl

BUCKET = "demo-bucket"
APP = "c3RyZWFtX2FwcA=="


def censor(sdk, key: str, cmd: str) -> dict:
    status = finished(sdk, BUCKET, pfop(sdk, BUCKET, key, cmd))
    assert status["code"] == 0, status
    [item] = status["items"]
    assert item["cmd"] == cmd and item["code"] == 0 and "key" not in item
    return item["result"]


def test_default_is_pass_with_normal_labels(server, sdk):
    upload(sdk, BUCKET, "ok.jpg", jpeg())
    result = censor(sdk, "ok.jpg", "image-censor/v2/pulp/terror/politician/ads")
    assert result["disable"] is False
    inner = result["result"]
    assert (inner["code"], inner["message"], inner["suggestion"]) == (200, "OK", "pass")
    assert set(inner["scenes"]) == {"pulp", "terror", "politician", "ads"}
    for scene in inner["scenes"].values():
        assert scene == {"suggestion": "pass", "result": {"label": "normal"}}
    assert "appid" not in inner or inner["appid"] == ""


def test_metadata_blocks_every_scene_and_disables_the_object(server, sdk):
    upload(sdk, BUCKET, "bad.jpg", jpeg(), meta={"x-qn-meta-censor": "block"})
    result = censor(sdk, "bad.jpg", f"image-censor/v2/pulp/politician/app/{APP}")
    inner = result["result"]
    assert result["disable"] is True and inner["disable"] is True
    assert inner["suggestion"] == "block" and inner["appid"] == f"_kodo_{APP}"
    assert inner["scenes"]["pulp"]["suggestion"] == "block"
    assert inner["scenes"]["pulp"]["result"]["label"] == "pulp"
    assert 0 < inner["scenes"]["pulp"]["result"]["score"] <= 1
    assert len(inner["entry_id"]) == 32
    stat, info = qiniu.BucketManager(sdk).stat(BUCKET, "bad.jpg")
    assert stat["status"] == 1  # disabled: a public download is refused
    assert requests.get(f"{server.url}/_io/{BUCKET}/bad.jpg").status_code != 200


def test_per_scene_metadata_and_key_segment(server, sdk):
    upload(sdk, BUCKET, "u/one.jpg", jpeg(), meta={"x-qn-meta-censor-terror": "review"})
    upload(sdk, BUCKET, "u/censor-review-pulp.jpg", jpeg())
    first = censor(sdk, "u/one.jpg", "image-censor/v2/pulp/terror")["result"]
    assert first["suggestion"] == "review" and first["scenes"]["pulp"]["suggestion"] == "pass"
    assert first["scenes"]["terror"]["suggestion"] == "review"
    second = censor(sdk, "u/censor-review-pulp.jpg", "image-censor/v2/pulp/terror")
    assert second["disable"] is False and second["result"]["suggestion"] == "review"
    assert second["result"]["scenes"]["pulp"]["result"]["label"] == "sexy"
    assert second["result"]["scenes"]["terror"]["suggestion"] == "pass"


def test_a_scenario_rule_sets_label_score_and_suggestion(server, sdk):
    upload(sdk, BUCKET, "nsfw/a.jpg", jpeg())
    upload(sdk, BUCKET, "sfw/a.jpg", jpeg())
    control = ScenarioControl(server.url)
    rule = control(key="nsfw/*", censor={"scene": "politician", "suggestion": "review",
                                          "label": "face", "score": 0.71})
    flagged = censor(sdk, "nsfw/a.jpg", "image-censor/v2/pulp/politician")["result"]
    assert flagged["suggestion"] == "review"
    assert flagged["scenes"]["politician"] == {"suggestion": "review", "result": {"label": "face", "score": 0.71}}
    assert flagged["scenes"]["pulp"]["suggestion"] == "pass"
    assert censor(sdk, "sfw/a.jpg", "image-censor/v2/politician")["result"]["suggestion"] == "pass"
    assert rule.hits == 1


def test_persistent_ops_of_an_upload(server, sdk):
    policy = {"persistentOps": "image-censor/v2/pulp"}
    ret = upload(sdk, BUCKET, "up.jpg", jpeg(), meta={"x-qn-meta-censor": "block"}, policy=policy)
    status = finished(sdk, BUCKET, ret["persistentId"])
    assert status["items"][0]["result"]["result"]["suggestion"] == "block"


def test_bad_commands_are_refused_at_submit(server, sdk):
    upload(sdk, BUCKET, "x.jpg", jpeg())
    for cmd, words in (("image-censor/v1/pulp", "v2"), ("image-censor/v2", "at least one scene"),
                       ("image-censor/v2/porn", "unknown scene"), ("image-censor/v2/pulp/app/%%%", "base64")):
        ret, info = qiniu.PersistentFop(sdk, BUCKET).execute("x.jpg", [cmd])
        assert info.status_code == 400, (cmd, info)
        assert words in info.text_body, (cmd, info.text_body)
