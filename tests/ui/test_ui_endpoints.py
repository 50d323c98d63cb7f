"""The console's JSON endpoints under /_emulator/ and the console's on/off switch."""

from __future__ import annotations

import pytest
import qiniu
import requests
from support import wait_for
from ui_support import WRITE, finished_job, run_fops, upload

from qiniu_emulator.cli import build_parser, settings_from_args
from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.jobs.service import Submission


def test_upload_list_stat_and_delete(server, photo):
    stored = upload(server.admin_url, "demo-bucket", "photos/a.jpg", photo, "image/jpeg")
    assert stored["mimeType"] == "image/jpeg" and stored["fsize"] == len(photo)
    upload(server.admin_url, "demo-bucket", "photos/b.txt", b"hi")
    listing = requests.get(f"{server.admin_url}/_emulator/objects",
                           params={"bucket": "demo-bucket", "delimiter": "/"}).json()
    assert listing["commonPrefixes"] == ["photos/"] and listing["items"] == []
    detail = requests.get(f"{server.admin_url}/_emulator/object", params={"bucket": "demo-bucket", "key": "photos/a.jpg"}).json()
    assert detail["hash"] == stored["hash"] and detail["kind"] == "image"
    assert detail["properties"]["dimensions"] == "640×480"
    assert requests.get(detail["urls"]["path-style"]).content == photo
    gone = requests.delete(f"{server.admin_url}/_emulator/object", params={"bucket": "demo-bucket", "key": "photos/a.jpg"},
                           headers=WRITE)
    assert gone.status_code == 200
    assert requests.get(f"{server.url}/_io/demo-bucket/photos/a.jpg").status_code == 404


def test_writes_without_the_console_header_are_refused(server, photo):
    response = requests.post(f"{server.admin_url}/_emulator/objects", params={"bucket": "demo-bucket"},
                             files={"file": ("a.jpg", photo)})
    assert response.status_code == 403 and "X-Qiniu-Emulator" in response.json()["error"]


def test_private_objects_get_signed_urls(server, sdk, photo):
    qiniu.BucketManager(sdk).change_bucket_permission("demo-bucket", 1)
    upload(server.admin_url, "demo-bucket", "secret.jpg", photo, "image/jpeg")
    urls = requests.get(f"{server.admin_url}/_emulator/object", params={"bucket": "demo-bucket", "key": "secret.jpg"}).json()["urls"]
    signed = urls["path-style (signed for an hour)"]
    assert "token=" in signed and requests.get(signed).content == photo
    assert requests.get(signed.split("?")[0]).status_code == 401


def test_fops_are_checked_with_pfops_own_messages(server, sdk, photo):
    upload(server.admin_url, "demo-bucket", "a.jpg", photo, "image/jpeg")
    bad = "imageView2/9/w/200"
    check = requests.get(f"{server.admin_url}/_emulator/fops/check", params={"fops": bad}).json()
    ret, info = qiniu.PersistentFop(sdk, "demo-bucket").execute("a.jpg", [bad])
    assert info.status_code == 400 and check == {"ok": False, "error": info.json()["error"]}
    entry = b64_encode("output-bucket:thumb.jpg")
    good = requests.get(f"{server.admin_url}/_emulator/fops/check", params={"fops": f"imageView2/2/w/200|saveas/{entry}"}).json()
    assert good["ok"] and good["commands"][0]["saveas"] == {"bucket": "output-bucket", "key": "thumb.jpg"}
    missing = requests.get(f"{server.admin_url}/_emulator/fops/check",
                           params={"fops": "imageInfo", "bucket": "demo-bucket", "key": "nope.jpg"}).json()
    assert not missing["ok"] and "no such file" in missing["error"]


def test_run_a_fop_and_resend_its_notification(server, receiver, photo):
    upload(server.admin_url, "demo-bucket", "a.jpg", photo, "image/jpeg")
    job_id = server.emulator.jobs.submit(Submission(bucket="demo-bucket", key="a.jpg", fops="imageInfo",
                                                    notify_url=f"{receiver.url}/hook")).id
    wait_for(lambda: finished_job(server.admin_url, job_id), message="the job")
    assert len(receiver.requests) == 1
    answer = requests.post(f"{server.admin_url}/_emulator/jobs/{job_id}/notify", headers=WRITE).json()
    assert [a["status"] for a in answer["attempts"]] == [200]
    assert len(receiver.requests) == 2 and receiver.requests[1].json()["id"] == job_id
    deliveries = requests.get(f"{server.admin_url}/_emulator/jobs/{job_id}").json()["emulator"]["deliveries"]
    assert len(deliveries) == 2
    played = run_fops(server.admin_url, "demo-bucket", "a.jpg", "imageView2/2/w/100")
    assert wait_for(lambda: finished_job(server.admin_url, played), message="the playground job")["code"] == 0


def test_a_job_without_notify_url_cannot_be_resent(server, photo):
    upload(server.admin_url, "demo-bucket", "a.jpg", photo, "image/jpeg")
    job_id = run_fops(server.admin_url, "demo-bucket", "a.jpg", "imageInfo")
    wait_for(lambda: finished_job(server.admin_url, job_id), message="the job")
    answer = requests.post(f"{server.admin_url}/_emulator/jobs/{job_id}/notify", headers=WRITE)
    assert answer.status_code == 400 and "no notifyURL" in answer.json()["error"]


def test_jobs_page_by_page(server, photo):
    upload(server.admin_url, "demo-bucket", "a.jpg", photo, "image/jpeg")
    ids = [run_fops(server.admin_url, "demo-bucket", "a.jpg", "qhash/md5") for _ in range(5)]
    first = requests.get(f"{server.admin_url}/_emulator/jobs", params={"limit": 3}).json()
    second = requests.get(f"{server.admin_url}/_emulator/jobs", params={"limit": 3, "before": first["before"]}).json()
    assert [j["id"] for j in first["jobs"] + second["jobs"]] == ids[::-1]
    assert "before" not in second


def test_browsers_opening_the_root_land_in_the_console(server):
    response = requests.get(f"{server.url}/", headers={"Accept": "text/html"}, allow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"] == f"{server.admin_url}/_emulator/ui/"
    assert requests.get(f"{server.url}/", headers={"Accept": "application/json"}).status_code == 400


def test_console_off_serves_none_of_it(start_emulator):
    server = start_emulator(console=False)
    for path in ("/_emulator/ui/", "/_emulator/requests", "/_emulator/objects?bucket=demo-bucket"):
        assert requests.get(f"{server.admin_url}{path}").status_code in (404, 405), path
    assert requests.get(f"{server.admin_url}/_emulator/health").status_code == 200


def test_the_console_switch_reads_on_and_off_from_flags_and_environment():
    assert settings_from_args(build_parser().parse_args(["serve", "--console", "off"]), environ={}).console is False
    assert settings_from_args(build_parser().parse_args(["serve"]), environ={"QINIU_EMULATOR_CONSOLE": "OFF"}).console is False
    assert settings_from_args(build_parser().parse_args(["serve"]), environ={}).console is True
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--console", "maybe"])
