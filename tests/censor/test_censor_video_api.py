"""POST /v3/video/censor and GET /v3/jobs/video/<id>: cuts every interval_msecs over the
video's real duration, verdicts from the same conventions, jobs kept across a restart
(docs/censor.md §5)."""

from __future__ import annotations

import json

from censor_support import mp4, upload
from qiniu import QiniuMacAuth
from qiniu import http as qiniu_http

from support import ACCESS_KEY, SECRET_KEY, wait_for

BUCKET = "demo-bucket"
AUTH = QiniuMacAuth(ACCESS_KEY, SECRET_KEY)


def submit(server, body: dict):
    return qiniu_http._post_with_qiniu_mac_and_headers(
        f"{server.url}/v3/video/censor", json.dumps(body), AUTH, {"Content-Type": "application/json"})


def job(server, job_id: str):
    return qiniu_http._get_with_qiniu_mac(f"{server.url}/v3/jobs/video/{job_id}", None, AUTH)


def finished(server, job_id: str) -> dict:
    def poll():
        ret, info = job(server, job_id)
        assert info.status_code == 200, info
        return ret if ret["status"] in ("FINISHED", "FAILED") else None

    return wait_for(poll, message=f"video job {job_id}")


def request(uri: str, interval: int | None = None, *scenes: str) -> dict:
    params: dict = {"scenes": list(scenes) or ["pulp", "terror"]}
    if interval is not None:
        params["cut_param"] = {"interval_msecs": interval}
    return {"data": {"uri": uri, "id": "my-video-1"}, "params": params}


def test_cuts_follow_the_interval_over_the_real_duration(server, sdk, tmp_path):
    upload(sdk, BUCKET, "v/clip.mp4", mp4(tmp_path / "clip.mp4", 3.5), meta={"x-qn-meta-censor-pulp": "review"})
    ret, info = submit(server, request(f"qiniu://{BUCKET}/v/clip.mp4", 1000))
    assert info.status_code == 200, info
    status = finished(server, ret["job"])
    assert status["status"] == "FINISHED" and status["id"] == ret["job"] and status["vid"] == "my-video-1"
    assert status["request"]["params"]["cut_param"] == {"interval_msecs": 1000}
    result = status["result"]
    assert (result["code"], result["message"], result["result"]["suggestion"]) == (200, "OK", "review")
    pulp, terror = result["result"]["scenes"]["pulp"], result["result"]["scenes"]["terror"]
    assert [cut["offset"] for cut in pulp["cuts"]] == [0, 1000, 2000, 3000]
    assert pulp["suggestion"] == "review" and all(cut["suggestion"] == "review" for cut in pulp["cuts"])
    assert pulp["cuts"][0]["details"][0]["label"] == "sexy"
    assert terror["suggestion"] == "pass" and len(terror["cuts"]) == 4
    assert status["created_at"].endswith("Z") and status["updated_at"] >= status["created_at"]


def test_the_default_interval_is_five_seconds(server, sdk, tmp_path):
    upload(sdk, BUCKET, "censor-block/long.mp4", mp4(tmp_path / "long.mp4", 11))
    ret, _ = submit(server, request(f"qiniu://{BUCKET}/censor-block/long.mp4", None, "terror"))
    status = finished(server, ret["job"])
    cuts = status["result"]["result"]["scenes"]["terror"]["cuts"]
    assert [cut["offset"] for cut in cuts] == [0, 5000, 10000]
    assert status["result"]["result"]["suggestion"] == "block"


def test_a_job_that_cannot_read_its_video_fails(server, sdk):
    upload(sdk, BUCKET, "notvideo.mp4", b"this is not a video")
    first, _ = submit(server, request(f"qiniu://{BUCKET}/notvideo.mp4"))
    second, _ = submit(server, request(f"qiniu://{BUCKET}/missing.mp4"))
    third, _ = submit(server, request("http://[::1/unclosed.mp4"))
    for job_id, words in ((first["job"], "not a valid media"), (second["job"], "could not be read"),
                          (third["job"], "unreadable URL")):
        status = finished(server, job_id)
        assert status["status"] == "FAILED" and words in status["result"]["message"], status


def test_bad_submissions_and_unknown_jobs(server):
    for body, words in ((request("qiniu://b/k", 500), "interval_msecs"), (request("", 1000), "data.uri"),
                        (request("qiniu://b/k", 1000, "nudity"), "unknown scene")):
        ret, info = submit(server, body)
        assert info.status_code == 400 and words in info.text_body, (body, info.text_body)
    ret, info = job(server, "0123456789abcdef01234567")
    assert info.status_code == 404 and "no such video censor job" in info.text_body


def test_jobs_survive_a_restart(start_emulator, tmp_path, sdk_for):
    data = tmp_path / "data"
    first = start_emulator(data=data)
    upload(sdk_for(first), BUCKET, "keep.mp4", mp4(tmp_path / "keep.mp4", 1.5))
    ret, _ = submit(first, request(f"qiniu://{BUCKET}/keep.mp4", 1000))
    before = finished(first, ret["job"])
    first.stop()
    second = start_emulator(data=data)
    after = finished(second, ret["job"])
    assert after == before and [c["offset"] for c in after["result"]["result"]["scenes"]["pulp"]["cuts"]] == [0, 1000]


def test_a_job_left_waiting_at_shutdown_runs_at_the_next_start(start_emulator, tmp_path, sdk_for):
    from qiniu_emulator.censor.video_store import VideoJob, VideoJobStore
    from qiniu_emulator.storage import Storage

    data = tmp_path / "data"
    first = start_emulator(data=data)
    upload(sdk_for(first), BUCKET, "later.mp4", mp4(tmp_path / "later.mp4", 2.5))
    first.stop()
    storage = Storage(data)  # a job accepted just before the stop, not yet taken by the worker
    VideoJobStore(storage.database).insert(VideoJob(id="feedfacefeedfacefeedface", vid="", account=ACCESS_KEY,
                                                    request=request(f"qiniu://{BUCKET}/later.mp4", 2000)))
    storage.close()
    second = start_emulator(data=data)
    status = finished(second, "feedfacefeedfacefeedface")
    assert status["status"] == "FINISHED"
    assert [c["offset"] for c in status["result"]["result"]["scenes"]["terror"]["cuts"]] == [0, 2000]


def test_a_hook_url_is_refused_under_strict_and_ignored_under_loose(start_emulator, sdk_for, tmp_path):
    body = request("qiniu://demo-bucket/x.mp4", 1000)
    body["params"]["hook_url"] = "http://127.0.0.1:9/hook"
    ret, info = submit(start_emulator(), body)
    assert info.status_code == 400 and "params.hook_url is not emulated; start with --fidelity loose" in info.text_body
    loose = start_emulator(fidelity="loose")
    upload(sdk_for(loose), BUCKET, "x.mp4", mp4(tmp_path / "x.mp4", 1.2))
    ret, info = submit(loose, body)
    assert info.status_code == 200 and finished(loose, ret["job"])["status"] == "FINISHED"
