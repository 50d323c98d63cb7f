"""A contract run against someone's emulator (``--qiniu-target=url:``) leaves it as it was:
same buckets, same objects, no job records, and no call to anything off this machine."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from urllib.parse import urlsplit

import requests

import qiniu_fop
from qiniu_emulator.outbound import Outbound
from qiniu_fop import Auth, BucketManager, put_data

from readme_snippets import Snippet, snippet
from support import ACCESS_KEY, SECRET_KEY


def everything(server, auth: Auth) -> dict:
    """Each bucket with its objects' keys and hashes, and the jobs the emulator knows."""
    config = qiniu_fop.Config(rsf_host=server.url, uc_host=server.url)
    manager = BucketManager(auth, config=config)
    buckets, info = manager.buckets()
    assert info.ok(), info
    objects = {}
    for bucket in buckets:
        ret, _, info = manager.list(bucket, limit=1000)
        assert info.ok(), info
        objects[bucket] = sorted((item["key"], item["hash"]) for item in ret["items"])
    jobs = requests.get(f"{server.admin_url}/_emulator/jobs").json()["jobs"]
    return {"objects": objects, "jobs": [job["id"] for job in jobs]}


def test_a_url_run_leaves_a_shared_emulator_as_it_found_it(start_emulator, monkeypatch, tmp_path):
    called: list[str] = []
    send = Outbound.request
    monkeypatch.setattr(Outbound, "request", lambda self, method, url, *a, **kw: (
        called.append(url), send(self, method, url, *a, **kw))[1])
    server = start_emulator(accounts=[(ACCESS_KEY, SECRET_KEY)])
    auth = Auth(ACCESS_KEY, SECRET_KEY)
    config = qiniu_fop.Config(up_host=server.url)
    # A developer's own work, under keys the seed examples also write.
    for key in ("audio.mp3", "video-thumb.jpg", "processed-image.webp"):
        assert put_data(auth.upload_token("output-bucket", key), key, b"mine: " + key.encode(), config=config)[1].ok()
    before = everything(server, auth)

    # The README's command line for this run, pointed at this emulator.
    command = shlex.split(Snippet("contract-runs", "sh", snippet("contract-runs").on(server.url), 0).commands()[1])
    assert command[0] == ".venv/bin/pytest" and command[-1] == f"--qiniu-target=url:{server.url}"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *command[1:]],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path,
                         env={**os.environ, "QINIU_ACCESS_KEY": ACCESS_KEY, "QINIU_SECRET_KEY": SECRET_KEY})
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout

    assert everything(server, auth) == before
    assert called, "the seed's notification should have gone somewhere"
    assert {urlsplit(url).hostname for url in called} <= {"127.0.0.1", "localhost"}, called
