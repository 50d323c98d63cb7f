"""A clock you can move: tokens, X-Qiniu-Date, lifecycle and job times follow /_emulator/clock."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timezone

import qiniu
import pytest
import requests
from support import ADMIN_WRITE, ACCESS_KEY, SECRET_KEY, wait_for

from qiniu_fop.auth import Auth

DAY = 86400


def move(server, **body) -> dict:
    answer = requests.post(f"{server.admin_url}/_emulator/clock", json=body, headers=ADMIN_WRITE, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_token_valid_now_is_out_of_date_once_the_clock_passes_its_deadline(server, sdk):
    token = sdk.upload_token("demo-bucket", expires=600)
    _, info = qiniu.put_data(token, "before.txt", b"in time")
    assert info.status_code == 200, info
    moved = move(server, advance=601)
    assert moved["moved"] and 600 < moved["offset"] < 602
    _, info = qiniu.put_data(token, "after.txt", b"too late")
    assert info.status_code == 401 and json.loads(info.text_body) == {"error": "expired token", "code": 401}
    move(server, reset=True)
    _, info = qiniu.put_data(token, "again.txt", b"in time again")
    assert info.status_code == 200, info


def test_private_download_links_expire_on_the_emulated_clock(server, sdk):
    _, info = qiniu.BucketManager(sdk).change_bucket_permission("demo-bucket", 1)
    assert info.status_code == 200, info
    _, info = qiniu.put_data(sdk.upload_token("demo-bucket"), "secret.txt", b"secret")
    assert info.status_code == 200
    url = sdk.private_download_url(f"{server.url}/_io/demo-bucket/secret.txt", expires=60)
    assert requests.get(url, timeout=10).content == b"secret"
    move(server, advance=3600)
    expired = requests.get(url, timeout=10)
    assert expired.status_code == 401 and expired.json()["error"] == "token out of date"


def test_x_qiniu_date_is_checked_against_the_emulated_time(server):
    auth = Auth(ACCESS_KEY, SECRET_KEY)
    later = move(server, advance=2 * DAY)["now"]

    def stat_signed_at(when: float) -> requests.Response:
        url = f"{server.url}/stat/{qiniu.urlsafe_base64_encode('demo-bucket:none')}"
        date = datetime.fromtimestamp(when, timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        headers = {"X-Qiniu-Date": date, "Content-Type": "application/x-www-form-urlencoded"}
        headers["Authorization"] = "Qiniu " + auth.token_of_request_v2("GET", url, headers)
        return requests.get(url, headers=headers, timeout=10)

    assert stat_signed_at(later).status_code == 612  # fresh by the emulated clock: the key is missing
    assert stat_signed_at(time.time()).status_code == 612  # fresh by the client's own (real) clock
    assert stat_signed_at(later + DAY).status_code == 403  # fresh by neither
    assert stat_signed_at(time.time() - DAY).status_code == 403


def test_delete_after_days_runs_out_when_the_clock_moves(server, sdk):
    bucket = qiniu.BucketManager(sdk)
    _, info = qiniu.put_data(sdk.upload_token("demo-bucket"), "short-lived.txt", b"bye")
    assert info.status_code == 200
    _, info = bucket.delete_after_days("demo-bucket", "short-lived.txt", "1")
    assert info.status_code == 200, info
    move(server, advance=DAY - 60)
    assert bucket.stat("demo-bucket", "short-lived.txt")[1].status_code == 200
    move(server, advance=120)
    assert bucket.stat("demo-bucket", "short-lived.txt")[1].status_code == 612


def test_job_timestamps_follow_the_clock(server, sdk):
    _, info = qiniu.put_data(sdk.upload_token("demo-bucket"), "hash-me.txt", b"hash me")
    assert info.status_code == 200
    year_2100 = 4102444800
    move(server, set=year_2100)
    ret, info = qiniu.PersistentFop(sdk, "demo-bucket").execute("hash-me.txt", ["qhash/md5"])
    assert info.status_code == 200, info
    job = wait_for(lambda: _finished(server, ret["persistentId"]), message="the job to finish")
    assert job["creationDate"].startswith("2100-01-01")


def test_a_running_job_is_timed_by_the_emulated_clock(server, sdk):
    """A job started in 2100 has run for seconds, not minus 74 years, on the console."""
    _, info = qiniu.put_data(sdk.upload_token("demo-bucket"), "held.txt", b"hold me")
    assert info.status_code == 200
    move(server, set=4102444800)
    requests.post(f"{server.admin_url}/_emulator/scenarios", json={"key": "held.txt", "hold": {"code": 2}},
                  headers=ADMIN_WRITE, timeout=10).raise_for_status()
    ret, info = qiniu.PersistentFop(sdk, "demo-bucket").execute("held.txt", ["qhash/md5"])
    assert info.status_code == 200, info
    job_id = ret["persistentId"]
    wait_for(lambda: requests.get(f"{server.url}/status/get/prefop", params={"id": job_id},
                                  timeout=10).json()["code"] == 2, message="the held job to start")
    page = requests.get(f"{server.admin_url}/_emulator/ui/jobs/{job_id}", timeout=10).text
    shown = re.search(r"<dt>duration</dt><dd>(-?[0-9.]+) s</dd>", page)
    assert shown is not None and 0 <= float(shown.group(1)) < 3600, page
    requests.post(f"{server.admin_url}/_emulator/jobs/{job_id}/release", headers=ADMIN_WRITE,
                  timeout=10).raise_for_status()


def _finished(server, job_id: str) -> dict | None:
    job = requests.get(f"{server.url}/status/get/prefop", params={"id": job_id}, timeout=10).json()
    return job if job["code"] in (0, 3) else None


def test_the_clock_refuses_what_it_cannot_read(server):
    url = f"{server.admin_url}/_emulator/clock"
    assert requests.post(url, data="advance=60", headers=ADMIN_WRITE, timeout=10).status_code == 400  # a form: not JSON
    assert requests.post(url, json={"advance": 3600}, headers=ADMIN_WRITE, timeout=10).json()["moved"] is True
    for body in ({"advance": "soon"}, {"advance": 1, "set": 2}, {"jump": 1}, [], {"set": -5},
                 {"set": 32503680000}, {"advance": 1e300}, {"advance": True}, {"reset": False}, {"reset": 5}):
        answer = requests.post(url, json=body, headers=ADMIN_WRITE, timeout=10)
        assert answer.status_code == 400, body
        assert "error" in answer.json()
    assert requests.get(url, timeout=10).json()["offset"] == pytest.approx(3600, abs=1)  # nothing moved it


def test_the_qiniu_clock_fixture_moves_the_session_emulator(qiniu_clock, qiniu_target):
    import qiniu_fop

    auth = qiniu_fop.Auth(qiniu_target.access_key, qiniu_target.secret_key)
    before = qiniu_clock.now()
    assert abs(before - time.time()) < 5
    qiniu_clock.advance(3 * DAY)
    assert qiniu_clock.now() - before >= 3 * DAY
    # A client mints deadlines by its own clock: one an hour past the emulated now is valid.
    token = auth.upload_token(qiniu_target.bucket, expires=3 * DAY + 3600)
    config = qiniu_fop.Config(up_host=qiniu_target.url)
    assert qiniu_fop.put_data(token, qiniu_target.key("clock.txt"), b"x", config=config)[1].ok()


def test_the_console_shows_the_emulated_time(server):
    page = requests.get(f"{server.admin_url}/_emulator/ui/", timeout=10).text
    assert 'class="clock"' in page and "emulated time" not in page
    move(server, set=4102444800)
    page = requests.get(f"{server.admin_url}/_emulator/ui/jobs", timeout=10).text
    shown = datetime.fromtimestamp(4102444800).strftime("%Y-%m-%d")
    assert 'class="clock moved"' in page and "emulated time" in page and shown in page


def test_the_readme_curl_moves_the_clock(server):
    import subprocess

    from readme_snippets import snippet

    command = snippet("clock-curl").on(server.url, server.admin_url).replace("\\\n", "")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["moved"] is True and 3600 < answer["offset"] < 3602
