"""The official Node.js SDK (the `qiniu` npm package pinned in node/package-lock.json)
works unchanged against the emulator on a non-default port, over http and over --tls.

The test needs `node` and `npm` (it installs the pinned SDK with `npm ci` into
tests/sdk/node/node_modules); without them it skips and says why. CI sets
QINIU_REQUIRE_NODE=1, which turns that skip into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest
from readme_snippets import snippet
from support import ACCESS_KEY, SECRET_KEY, free_port, npm_install

HERE = Path(__file__).parent / "node"


def unavailable(reason: str) -> None:
    if os.environ.get("QINIU_REQUIRE_NODE") == "1":
        pytest.fail(f"the Node SDK test must run here: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def node() -> str:
    problem = npm_install(HERE, "qiniu")
    if problem:
        unavailable(problem)
    return shutil.which("node") or "node"


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("node-media") / "clip.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=1", "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)], check=True, timeout=60)
    return path


def run_steps(node: str, host: str, bucket: str, clip: Path, https: bool = False, ca: str = "") -> list[dict]:
    env = {**os.environ, "EMULATOR": host, "HTTPS": "1" if https else "0", "AK": ACCESS_KEY, "SK": SECRET_KEY,
           "BUCKET": bucket, "OUT_BUCKET": "output-bucket", "VIDEO": str(clip)}
    if ca:
        env["NODE_EXTRA_CA_CERTS"] = ca
    done = subprocess.run([node, "steps.js"], cwd=HERE, env=env, capture_output=True, text=True, timeout=600)
    steps = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert steps, f"steps.js printed nothing: {done.stderr[-2000:]}"
    return steps


def assert_all_pass(steps: list[dict]) -> None:
    failed = [f"{s['step']}: {s['detail']}" for s in steps if not s["ok"]]
    assert not failed, "\n".join(failed)
    assert len(steps) >= 26 and steps[-1]["step"] == "avinfo result"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    from qiniu_emulator.config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Settings
    from qiniu_emulator.server import start_in_thread

    port = free_port()
    accounts = [(ACCESS_KEY, SECRET_KEY), (DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)]  # the README's pair too
    # the other listeners take free ports: fixed offsets from a random port may be taken
    server = start_in_thread(Settings(port=port, tls=True, tls_port=free_port(), admin_port=0, bucket_ports="auto",
                                      data=tmp_path_factory.mktemp("data"),
                                      accounts=accounts, buckets=["output-bucket"], workers=2))
    yield server
    server.stop()


def test_the_node_sdk_over_http_on_a_non_default_port(node, emulator, clip):
    emulator.emulator.storage.ensure_bucket("node-http")
    assert_all_pass(run_steps(node, emulator.url.removeprefix("http://"), "node-http", clip))


def test_the_node_sdk_over_https(node, emulator, clip):
    emulator.emulator.storage.ensure_bucket("node-https")
    host = emulator.https_url.removeprefix("https://")
    assert_all_pass(run_steps(node, host, "node-https", clip, https=True, ca=emulator.ca))


README_CHECK = """
bucketManager.stat('demo-bucket', 'hello.txt', (err, body, info) => {
  if (err) { console.error(err); process.exit(1); }
  operations.prefop('z0.000000000000000000000000', (err2, body2, info2) => {
    console.log(JSON.stringify({ stat: info.statusCode, fsize: body.fsize, prefop: info2.statusCode }));
  });
});
"""


def test_the_readme_setup_runs_as_written(node, emulator):
    emulator.emulator.storage.ensure_bucket("demo-bucket")
    emulator.emulator.storage.put_bytes("demo-bucket", "hello.txt", b"hello", mime="text/plain")
    script = snippet("node-setup").on(emulator.url) + README_CHECK
    done = subprocess.run([node, "-e", script], cwd=HERE, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # the stat answers through the zone's rs host; prefop (of an unknown id) through its api host
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"stat": 200, "fsize": 5, "prefop": 612}
