"""The data-processing seed's examples (docs/examples/seed/) run as scripts against the
emulator `make serve-seed` starts, with only QINIU_EMULATOR_URL set."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from PIL import Image
from readme_snippets import ROOT, snippet
from support import free_port, wait_for

from qiniu_contracts.targets import admin_origin

EXAMPLES = ROOT / "docs" / "examples" / "seed"
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def seed_server(tmp_path_factory):
    """What `make serve-seed` runs (its command line, read from the Makefile)."""
    home = tmp_path_factory.mktemp("seed")
    port, admin_port = free_port(), free_port()
    recipe = (ROOT / "Makefile").read_text().split("serve-seed: $(STAMP)\n\t", 1)[1].split("\n", 1)[0]
    # The video example's notifyURL is on example.com: the emulator answers it itself
    # (a scenario rule), so the test sends nothing off this machine.
    (home / "no-outside-calls.yml").write_text("scenarios:\n  - endpoint: notify\n    answer: 503\n")
    command = (recipe.replace("$(PY)", sys.executable).replace("$(DATA)", str(home / "data"))
               .replace("$(HOST)", "127.0.0.1").replace("$(PORT)", str(port))
               + f" --scenarios {home / 'no-outside-calls.yml'} --admin-port {admin_port}")
    proc = subprocess.Popen(command, shell=True, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"serve-seed exited: {proc.stdout.read().decode()}")
        try:
            answer = requests.get(f"http://127.0.0.1:{admin_port}/_emulator/health", timeout=1)
        except requests.ConnectionError:
            return False
        # Ours, not another emulator that took the port first (serve-seed then exits).
        return answer.status_code == 200 and "workflow-template-123" in answer.json().get("workflows", [])

    try:
        wait_for(healthy, timeout=180, message="make serve-seed")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(60)


def run_example(name: str, url: str) -> list[str]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("QINIU_")}, "QINIU_EMULATOR_URL": url}
    done = subprocess.run([sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=400,
                          env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def picture(url: str, bucket: str, key: str) -> Image.Image:
    answer = requests.get(f"{url}/_io/{bucket}/{key}", timeout=30)
    assert answer.status_code == 200, f"{bucket}:{key}: {answer.status_code}"
    return Image.open(io.BytesIO(answer.content))


def test_every_seed_example_is_a_file_here():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(
        ["image_processing.py", "video_processing.py", "audio_processing.py", "document_processing.py",
         "workflow_template.py", "batch_processing.py", "custom_pipeline.py"])
    assert "make serve-seed" in snippet("seed-examples").text


def test_image_example(seed_server):
    lines = run_example("image_processing.py", seed_server)
    assert lines[1:] == ["Processing completed successfully", "Output: processed-image.webp"], lines
    assert picture(seed_server, "output-bucket", "processed-image.webp").size == (800, 600)


def test_audio_document_workflow_batch_and_variant_examples(seed_server):
    assert run_example("audio_processing.py", seed_server) == ["Output: audio.mp3", "Output: audio.aac"]
    assert run_example("document_processing.py", seed_server) == ["Output: document-page1.jpg"]
    assert picture(seed_server, "output-bucket", "document-page1.jpg").size == (1275, 1650)
    assert run_example("workflow_template.py", seed_server)[1] == "workflow: workflow-template-123: code 0"
    batch = "\n".join(run_example("batch_processing.py", seed_server))  # its threads' lines may interleave
    for name in ("image1.jpg", "image2.png", "image3.gif"):
        assert batch.count(f"✓ {name} processing completed") == 1, batch
    assert "✗" not in batch
    variants = run_example("custom_pipeline.py", seed_server)
    assert variants[1:] == [f"Output: photo_{v}" for v in ("thumb.jpg", "medium.webp", "large.webp", "avatar.png")]
    assert picture(seed_server, "variants-bucket", "photo_avatar.png").size == (64, 48)


def test_video_example(seed_server):
    lines = run_example("video_processing.py", seed_server)
    jobs = requests.get(f"{admin_origin(seed_server)}/_emulator/jobs", params={"bucket": "video-bucket"},
                        timeout=10).json()
    assert [job["code"] for job in jobs["jobs"]] == [4]  # done, the notification refused
    assert lines[1:] == ["Output: video-hd.mp4", "Output: video-sd.mp4", "Output: video-thumb.jpg"]
    assert picture(seed_server, "output-bucket", "video-thumb.jpg").size == (320, 240)
