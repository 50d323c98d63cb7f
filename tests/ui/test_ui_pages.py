"""The console's pages as served: what each one tells a user, and that long lists page."""

from __future__ import annotations

import html
import io
import json
import zipfile

import requests
from support import wait_for
from ui_support import UI, finished_job, page, run_fops, upload

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.job_records import Code, Item, Job


def test_a_video_object_shows_its_player_properties_and_jobs(server, clip):
    upload(server.admin_url, "demo-bucket", "clips/clip.mp4", clip.read_bytes(), "video/mp4")
    job_id = run_fops(server.admin_url, "demo-bucket", "clips/clip.mp4",
                      "avthumb/mp4/s/160x120|saveas/" + b64_encode("output-bucket:small.mp4"))
    wait_for(lambda: finished_job(server.admin_url, job_id), timeout=60, message="the transcode")
    text = page(server, "/object", bucket="demo-bucket", key="clips/clip.mp4")
    assert f'<video src="{server.url}/_io/demo-bucket/clips/clip.mp4"' in text
    assert "h264" in text and "320×240" in text and "4:3" in text
    assert job_id in text  # the job that read it
    assert job_id in page(server, "/object", bucket="output-bucket", key="small.mp4")  # and wrote this one

    job = page(server, f"/jobs/{job_id}")
    assert "output-bucket:small.mp4" in job  # the saveas entry decoded
    assert "-i " in job and "libx264" in job  # the ffmpeg command line
    differing = job.split('class="diff"')[1]
    assert '<tr class="differs"><th scope="row">dimensions</th><td>320×240</td><td>160×120' in differing
    assert '<tr ><th scope="row">SAR</th>' in differing  # unchanged rows are not highlighted


def test_documents_preview_as_text_listing_or_first_page(server):
    upload(server.admin_url, "demo-bucket", "data.json", b'{"a":[1,2]}', "application/json")
    assert '"a": [\n    1,' in page(server, "/object", bucket="demo-bucket", key="data.json")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("inside/readme.txt", "hello")
    upload(server.admin_url, "demo-bucket", "pack.zip", archive.getvalue(), "application/zip")
    assert "inside/readme.txt" in page(server, "/object", bucket="demo-bucket", key="pack.zip")
    upload(server.admin_url, "demo-bucket", "doc.pdf", b"%PDF-1.4 not really", "application/pdf")
    assert "?yifangyun_preview/v2/ext=pdf/action=get_preview/format=jpg/page_number=1" in page(
        server, "/object", bucket="demo-bucket", key="doc.pdf")


def test_a_bucket_lists_folders_and_pages_through_many_objects(server):
    for n in range(60):
        server.emulator.storage.put_bytes("demo-bucket", f"many/{n:03d}.txt", b"x", mime="text/plain")
    server.emulator.storage.put_bytes("demo-bucket", "top.txt", b"x", mime="text/plain")
    root = page(server, "/buckets/demo-bucket")
    assert "many/" in root and "top.txt" in root and "000.txt" not in root
    first = page(server, "/buckets/demo-bucket", prefix="many/")
    assert first.count("data-key=") == 50 and "049.txt" in first and "050.txt" not in first
    marker = first.split('rel="next" href="')[1].split('"')[0]
    rest = html.unescape(requests.get(f"{server.admin_url}{marker}").text)
    assert "050.txt" in rest and "059.txt" in rest and 'rel="next"' not in rest


def test_the_jobs_list_pages_by_fifty(server):
    for n in range(75):
        server.emulator.jobs.store.insert(Job(id=f"z0.seeded{n:03d}", bucket="demo-bucket", key=f"k{n}",
                                              items=[Item(cmd="qhash/md5", code=Code.SUCCESS)], code=Code.SUCCESS,
                                              created_ns=1_700_000_000_000_000_000))
    first = page(server, "/jobs")
    assert first.count("data-job=") == 50 and "z0.seeded074" in first and "z0.seeded024" not in first
    older = first.split('rel="next" href="')[1].split('"')[0]
    rest = html.unescape(requests.get(f"{server.admin_url}{older}").text)
    assert rest.count("data-job=") == 25 and "z0.seeded000" in rest and "data-poll=" not in rest


def test_a_missing_object_is_a_readable_error_page(server):
    response = requests.get(f"{server.admin_url}{UI}/object", params={"bucket": "demo-bucket", "key": "nope"})
    assert response.status_code == 612 and "no such file or directory" in response.text
    assert "<html" in response.text


def test_the_requests_page_shows_a_401_with_what_was_expected(server):
    requests.post(f"{server.url}/stat/{b64_encode('demo-bucket:x')}", headers={"Authorization": "QBox nobody:zz"})
    text = page(server, "/requests", status="401")
    assert "QBox management token rejected for access key 'nobody'" in text
    assert f"'/stat/{b64_encode('demo-bucket:x')}\\n'" in text
    assert "curl -i -X POST" in text
    assert json.loads(requests.get(f"{server.admin_url}/_emulator/requests").text)["requests"][0]["status"] == 401


def test_a_moderation_item_shows_its_verdict(server, photo):
    upload(server.admin_url, "demo-bucket", "u/censor-block-pulp.jpg", photo, "image/jpeg")
    job_id = run_fops(server.admin_url, "demo-bucket", "u/censor-block-pulp.jpg", "image-censor/v2/pulp/ads")
    wait_for(lambda: finished_job(server.admin_url, job_id), timeout=60, message="the moderation job")
    text = page(server, f"/jobs/{job_id}")
    result = text.split('<pre class="result"')[1].split("</pre>")[0]
    assert '"suggestion": "block"' in result and '"label": "pulp"' in result and '"disable": true' in result
