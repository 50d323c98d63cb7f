"""A URL an op could not fetch points the user at --url-map, in the job's log, on the
console's job page and in the request log; the README lists the texts the answers use."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import requests
from boundary_support import PUBLIC, png
from support import ACCESS_KEY, SECRET_KEY, free_port

from qiniu_emulator.encoding import b64_encode
from qiniu_fop import Auth, Config, PersistentFop

README = Path(__file__).resolve().parents[2] / "README.md"


def closed_url() -> str:
    return f"http://127.0.0.1:{free_port()}/images/logo.png"


def test_a_pfop_whose_watermark_cannot_be_fetched_points_to_url_map(start_emulator):
    server = start_emulator(fetch="loopback")
    server.emulator.storage.put_bytes(PUBLIC, "base.png", png((255, 255, 255)), mime="image/png")
    url = closed_url()
    pfop = PersistentFop(Auth(ACCESS_KEY, SECRET_KEY), PUBLIC, config=Config.for_url(server.url))
    ret, info = pfop.execute("base.png", fops=f"watermark/1/image/{b64_encode(url)}")
    assert info.ok(), info
    status, _ = pfop.wait(ret["persistentId"], timeout=60)
    assert status["code"] == 3
    assert status["items"][0]["error"] == f"execute fop cmd failed: failed to GET {url}: could not be fetched"
    origin = url.split("/images/")[0]
    job = requests.get(f"{server.admin_url}/_emulator/jobs/{ret['persistentId']}").json()
    assert any(f"--url-map {origin}/=DIR" in line for line in job["emulator"]["log"]), job["emulator"]["log"]
    page = requests.get(f"{server.admin_url}/_emulator/ui/jobs/{ret['persistentId']}").text
    assert re.search(r'<p class="hint">[^<]*--url-map ' + re.escape(origin) + r"/=DIR", page)


def test_a_download_fop_refused_by_the_policy_points_to_url_map_in_the_request_log(server):
    server.emulator.storage.put_bytes(PUBLIC, "base.png", png((255, 255, 255)), mime="image/png")
    url = closed_url()
    answer = requests.get(f"{server.url}/_io/{PUBLIC}/base.png?watermark/1/image/{b64_encode(url)}")
    assert answer.status_code == 400
    assert answer.json()["error"] == f"failed to GET {url}: not allowed by the fetch policy"
    [record] = requests.get(f"{server.admin_url}/_emulator/requests", params={"status": "400"}).json()["requests"]
    assert "--url-map http://127.0.0.1:" in record["note"] and "--fetch" in record["note"]


def test_a_censor_or_fetch_request_refused_by_the_policy_points_to_url_map_in_the_request_log(server):
    import json

    import qiniu

    url = closed_url()
    mac = qiniu.QiniuMacAuth(ACCESS_KEY, SECRET_KEY)
    body = json.dumps({"data": {"uri": url}, "params": {"scenes": ["pulp"]}})
    _, info = qiniu.http._post_with_qiniu_mac_and_headers(f"{server.url}/v3/image/censor", body, mac,
                                                         {"Content-Type": "application/json"})
    assert info.status_code == 400 and "not allowed by the fetch policy" in info.text_body
    fetch = f"{server.url}/fetch/{b64_encode(url)}/to/{b64_encode(PUBLIC + ':fetched.png')}"
    token = qiniu.Auth(ACCESS_KEY, SECRET_KEY).token_of_request(fetch)
    assert requests.post(fetch, headers={"Authorization": f"QBox {token}"}).status_code == 478
    records = requests.get(f"{server.admin_url}/_emulator/requests").json()["requests"]
    noted = {r["path"].split("/")[1]: r["note"] for r in records if r["status"] in (400, 478)}
    for path in ("v3", "fetch"):
        assert "--url-map http://127.0.0.1:" in noted[path] and "--fetch" in noted[path], records


def test_the_readme_names_every_fetch_failure_text():
    source = (Path(__file__).resolve().parents[2] / "emulator/qiniu_emulator/fetch.py").read_text()
    fetching = README.read_text().split("* **Fetching.**")[1].split("\n* **")[0]
    for reason in ("not allowed by the fetch policy", "could not be fetched"):
        assert reason in source
        assert f"failed to GET <url>: {reason}" in fetching
    assert "--url-map" in fetching


def lint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qiniu_emulator", "lint", *args], capture_output=True,
                          text=True, timeout=60)


def test_lint_accepts_the_fidelity_flag_its_hint_suggests():
    strict = lint("avthumb/mp4/hr/1")
    # a real parameter that is not emulated: lint's "not emulated" status (3), with the flag
    assert strict.returncode == 3 and "start with --fidelity loose" in strict.stdout
    loose = lint("--fidelity", "loose", "avthumb/mp4/hr/1")
    assert loose.returncode == 0, loose.stdout + loose.stderr
    assert loose.stdout.strip() == "fops: ok: avthumb"
    assert "hr is not emulated and is ignored" in loose.stderr
