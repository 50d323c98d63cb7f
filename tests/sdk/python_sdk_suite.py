"""Run the official Python SDK's own storage and processing tests against a served emulator.

    .venv/bin/python tests/sdk/python_sdk_suite.py PATH/TO/python-sdk [--hosts set_default|constants] [pytest flags]

``PATH/TO/python-sdk`` is a checkout of https://github.com/qiniu/python-sdk (the tag of
the installed ``qiniu``, e.g. ``git clone -b v7.18.2``); nothing of it is kept here. The
script serves an emulator (``qiniu-emulator serve`` on a free port) with what those tests
assume exists (their buckets, ``python-sdk.html``, ``copyfrom``, ``sintel_trailer.mp4``, the pipeline
and workflow template they name, a callback receiver that echoes its body), sets the
variables their conftest reads, and runs ``tests/cases/test_services/test_storage`` and
``test_processing`` with one plugin that points the SDK at the emulator:

* ``--hosts set_default`` (the default): ``qiniu.config.set_default(...)`` before every
  test, as a user's own conftest would (the SDK's ``set_conf_default`` fixture resets it);
* ``--hosts constants``: also the module constants (``qiniu.config.UC_HOST``,
  ``QUERY_REGION_HOST``...) that some of the tests read at import time.

It prints pytest's summary line. Not run by ``make test``: the checkout is not here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from receiver import RecordingServer, Reply  # noqa: E402
from support import ServeProcess  # noqa: E402

import imageio_ffmpeg  # noqa: E402

ACCESS_KEY, SECRET_KEY = "qiniu-emulator-ak", "qiniu-emulator-sk"
BUCKET, NO_ACC_BUCKET = "python-sdk-test", "python-sdk-no-acc"
# Names hard-coded in the SDK's pfop tests: source bucket, saveas bucket, queue, template.
PFOP_BUCKET, PFOP_OUTPUT, PIPELINE, WORKFLOW = "testres", "pythonsdk", "sdktest", "test-workflow"
SUITES = ("tests/cases/test_services/test_storage", "tests/cases/test_services/test_processing")

PLUGIN = '''
import os

import pytest
import qiniu
import qiniu.config
import qiniu.region

URL = os.environ["SDK_SUITE_EMULATOR_URL"]
HOST = URL.split("://", 1)[1]


# Imported (-p) before the SDK's conftest files, which copy some of these at import time.
if os.environ.get("SDK_SUITE_HOSTS") == "constants":
    for name in ("RS_HOST", "RSF_HOST", "API_HOST", "UC_HOST", "QUERY_REGION_HOST"):
        setattr(qiniu.config, name, URL)
    qiniu.config.UC_BACKUP_HOSTS = [HOST]
    qiniu.config.QUERY_REGION_BACKUP_HOSTS = [HOST]
    qiniu.region.UC_HOST = URL


@pytest.fixture(autouse=True)
def _emulator_hosts():
    qiniu.config.set_default(default_api_host=URL, default_uc_host=URL, default_query_region_host=URL,
                             default_rs_host=URL, default_rsf_host=URL)
'''


def prepare(home: Path) -> Path:
    """The seed folders and workflow file the emulator starts with; returns the workflows file."""
    (home / "seed" / BUCKET).mkdir(parents=True)
    (home / "seed" / BUCKET / "python-sdk.html").write_text("<html><body>python-sdk</body></html>\n")
    (home / "seed" / PFOP_BUCKET).mkdir()
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=320x240:rate=25:duration=3", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                    str(home / "seed" / PFOP_BUCKET / "sintel_trailer.mp4")], check=True)
    workflows = home / "workflows.yml"
    workflows.write_text(f"workflows:\n  - id: {WORKFLOW}\n    fops: imageInfo\n")
    return workflows


def put_source(url: str) -> None:
    """``copyfrom``, the text object the SDK's bucket manager tests copy (a seed file's MIME
    type comes from its extension, and this key has none)."""
    import qiniu_fop

    auth = qiniu_fop.Auth(ACCESS_KEY, SECRET_KEY)
    ret, info = qiniu_fop.put_data(auth.upload_token(BUCKET, "copyfrom"), "copyfrom", b"copy me\n",
                                   mime_type="text/plain", config=qiniu_fop.Config.for_url(url))
    assert info.ok(), info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sdk", type=Path, help="a checkout of github.com/qiniu/python-sdk")
    parser.add_argument("--hosts", choices=("set_default", "constants"), default="set_default")
    args, pytest_args = parser.parse_known_args()  # the rest goes to pytest (-rfE, -k ...)
    home = Path(tempfile.mkdtemp(prefix="python-sdk-suite-"))
    workflows = prepare(home)
    (home / "emulator_hosts.py").write_text(textwrap.dedent(PLUGIN))
    server = ServeProcess(home / "data", "--account", f"{ACCESS_KEY}:{SECRET_KEY}", "--bucket", BUCKET,
                          "--bucket", NO_ACC_BUCKET, "--bucket", PFOP_OUTPUT, "--seed-dir", str(home / "seed"),
                          "--workflows", str(workflows), "--fetch", "loopback")
    with RecordingServer() as callbacks:
        callbacks.responder = lambda req: Reply(body=json.loads(req.body or b"{}"))
        server.start()
        try:
            put_source(server.url)
            env = {**os.environ, "QINIU_ACCESS_KEY": ACCESS_KEY, "QINIU_SECRET_KEY": SECRET_KEY,
                   "QINIU_TEST_BUCKET": BUCKET, "QINIU_TEST_NO_ACC_BUCKET": NO_ACC_BUCKET,
                   "QINIU_TEST_DOMAIN": f"{server.url.split('://')[1]}/_io/{BUCKET}",
                   "QINIU_UPLOAD_CALLBACK_URL": callbacks.url, "QINIU_TEST_ENV": "emulator",
                   "SDK_SUITE_EMULATOR_URL": server.url, "SDK_SUITE_HOSTS": args.hosts,
                   "PYTHONPATH": str(home), "TMPDIR": str(home)}  # TMPDIR: the SDK's region cache
            command = [sys.executable, "-m", "pytest", "-p", "emulator_hosts", "-p", "no:cacheprovider",
                       "-o", "addopts=", "-q", "--timeout", "120", *SUITES, *[a for a in pytest_args if a != "--"]]
            return subprocess.run(command, cwd=args.sdk, env=env).returncode
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
