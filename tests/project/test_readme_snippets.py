"""Every code block of the README runs as written (see ``readme_snippets`` for the one
substitution, the address), and every block is claimed by a test."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import pytest
import requests
import yaml
from PIL import Image

from qiniu_emulator.config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, describe_settings
from readme_snippets import ROOT, all_blocks, snippet
from receiver import RecordingServer
from support import free_port, run_user_tests, wait_for

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
TESTS = ROOT / "tests"


def test_every_block_is_a_named_snippet_that_a_test_runs():
    blocks = all_blocks()
    unnamed = [line for line, name, _ in blocks if name is None]
    assert not unnamed, f"README code blocks without <!-- snippet: NAME --> at lines {unnamed}"
    sources = "\n".join(path.read_text(encoding="utf-8") for path in TESTS.rglob("*.py"))
    unclaimed = [name for _, name, _ in blocks if f'snippet("{name}")' not in sources]
    assert not unclaimed, f"no test runs these README snippets: {unclaimed}"


@pytest.fixture(scope="module")
def user_media(tmp_path_factory) -> Path:
    """photo.jpg and clip.mp4, made once for the module's tests (each gets its own copies)."""
    media = tmp_path_factory.mktemp("user-media")
    Image.linear_gradient("L").resize((1600, 1200)).convert("RGB").save(media / "photo.jpg", "JPEG")
    subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10:duration=12",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(media / "clip.mp4")],
                   check=True, timeout=60)
    return media


@pytest.fixture
def workdir(tmp_path, user_media):
    """A folder like the user's: photo.jpg, clip.mp4, and .venv/bin/qiniu-emulator."""
    for name in ("photo.jpg", "clip.mp4"):
        shutil.copyfile(user_media / name, tmp_path / name)
    (tmp_path / ".venv").symlink_to(sys.prefix)
    return tmp_path


def run_python(code: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stderr
    return done.stdout


def shell(command: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def clean_env() -> dict[str, str]:
    """This process's environment without a QINIU_EMULATOR_URL of its own."""
    return {k: v for k, v in os.environ.items() if k != "QINIU_EMULATOR_URL"}


# -- quick start ---------------------------------------------------------------------


def make_serve_banner(command: str, tmp_path: Path, env: dict[str, str], check=None) -> str:
    """Run ``make serve ...`` until its banner is out, call ``check(admin_port)``, then Ctrl-C it."""
    if subprocess.run(["make", "-q", ".venv/.installed-stamp"], cwd=ROOT).returncode != 0:
        pytest.skip("the .venv is not installed and up to date (make test does that first)")
    port, admin_port = free_port(), free_port()
    proc = subprocess.Popen(shlex.split(command), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True,
                            env={**clean_env(), "PORT": str(port), "DATA": str(tmp_path / "data"),
                                 "QINIU_EMULATOR_ADMIN_PORT": str(admin_port), **env})
    banner = []
    try:
        for line in proc.stdout:
            banner.append(line)
            if line.startswith("Download:"):
                break
        text = "".join(banner)
        assert f"listening on http://127.0.0.1:{port}" in text, text
        assert f"console  : http://127.0.0.1:{admin_port}/_emulator/ui/" in text, text
        if check is not None:
            check(admin_port)
        return text
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
        proc.wait(60)


def test_make_serve_starts_the_documented_emulator_and_make_test_checks_types_first(tmp_path):
    serve, test, fast = snippet("quickstart-make").commands()
    assert (serve, test, fast) == ("make serve", "make test", "make test-fast")
    text = make_serve_banner(serve, tmp_path, {}, check=lambda admin_port: requests.get(
        f"http://127.0.0.1:{admin_port}/_emulator/health", timeout=10).raise_for_status())
    assert f"{DEFAULT_ACCESS_KEY}:{DEFAULT_SECRET_KEY}" in text
    assert "buckets  : demo-bucket, output-bucket" in text
    # as a user's shell runs it: not under the variables of a make that runs this test (JOBS=0)
    plain = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "JOBS")}
    planned = subprocess.run(["make", "-n", *shlex.split(test)[1:]], cwd=ROOT, capture_output=True, text=True,
                             check=True, env=plain).stdout
    assert planned.index("-m mypy") < planned.index("-m pytest")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    workers = cores + 1  # the CPUs this process may use, as xdist's "auto" counts them, and one more
    assert f"-n {workers} --dist loadfile --no-loadscope-reorder" in planned
    quick = subprocess.run(["make", "-n", *shlex.split(fast)[1:]], cwd=ROOT, capture_output=True, text=True,
                           check=True, env=plain).stdout
    assert all(f"--ignore={path}" in quick for path in ("tests/av", "tests/sdk", "tests/ui/test_ui_browser.py"))


def test_make_serve_buckets_and_the_variable_add_up(tmp_path):
    text = make_serve_banner('make serve BUCKETS="photos thumbs"', tmp_path,
                             {"QINIU_EMULATOR_BUCKETS": "from-env"})
    assert "buckets  : from-env, photos, thumbs" in text, text


def test_the_fop_command_lines(workdir):
    lines = snippet("quickstart-fop").commands()
    assert len(lines) == 5
    for line in lines[:4]:
        done = shell(line, workdir)
        assert done.returncode == 0, f"{line}: {done.stderr}"
    with Image.open(workdir / "thumb.webp") as thumb:
        assert (thumb.format, thumb.size) == ("WEBP", (800, 600))
    assert json.loads(shell(lines[1], workdir).stdout)["width"] == 200
    with Image.open(workdir / "frames" / "clip.jpg") as frame:
        assert frame.width == 320
    played = subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-i", str(workdir / "hls" / "clip.m3u8"),
                             "-c", "copy", "-f", "null", "-"], capture_output=True, text=True, timeout=60)
    assert played.returncode == 0, played.stderr
    linted = shell(lines[4], workdir)
    assert linted.returncode == 1
    assert [line.split(": ")[1] for line in linted.stdout.splitlines()] == ["ok", "not emulated", "error"]


# -- clients ---------------------------------------------------------------------------


def test_the_seed_api_through_the_environment_variable(readme_server, workdir):
    [export] = snippet("client-env").on(readme_server.url).splitlines()
    code = snippet("client-seed-api").on(readme_server.url)
    done = shell(f"{export.split('#')[0]}; {shlex.quote(sys.executable)} -c {shlex.quote(code)}", workdir,
                 clean_env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "photo.webp"


def test_the_seed_api_through_set_default(readme_server, workdir):
    code = snippet("client-set-default").on(readme_server.url) + snippet("client-seed-api").on(readme_server.url)
    assert run_python(code, workdir, clean_env()).strip() == "photo.webp"


def test_the_official_sdk_settings(readme_server, workdir):
    check = ('ret, info = qiniu.BucketManager(auth).buckets()\n'
             'assert info.status_code == 200 and "demo-bucket" in ret, info\n')
    run_python(snippet("sdk-config").on(readme_server.url) + check, workdir)


def test_the_in_process_start_outside_pytest(tmp_path):
    code = snippet("in-process").text
    assert run_python(code, tmp_path, clean_env()).strip() == "0"


def test_downloads_and_a_signed_sync_saveas(readme_server, workdir):
    upload = snippet("client-set-default").on(readme_server.url) + snippet("client-seed-api").on(readme_server.url)
    run_python(upload, workdir, clean_env())
    assert run_python(snippet("downloads").on(readme_server.url), workdir).strip() == "thumbs/photo.jpg"
    thumb = requests.get(f"{readme_server.url}/_io/output-bucket/thumbs/photo.jpg")
    assert thumb.status_code == 200 and Image.open(__import__("io").BytesIO(thumb.content)).width == 200


# -- configuration ---------------------------------------------------------------------


def test_the_workflow_file(start_emulator, tmp_path):
    with RecordingServer() as hook:
        workflows = tmp_path / "workflows.yml"
        workflows.write_text(snippet("workflows").text.replace("127.0.0.1:8000", hook.url.split("://")[1]))
        server = start_emulator(accounts=[(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)], workflows=workflows)
        import qiniu_fop

        config = qiniu_fop.Config(**{name: server.url for name in ("api_host", "up_host", "rs_host")})
        auth = qiniu_fop.Auth(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
        photo = tmp_path / "in.jpg"
        Image.new("RGB", (800, 600), "teal").save(photo)
        assert qiniu_fop.put_file(auth.upload_token("demo-bucket", "in.jpg"), "in.jpg", photo, config=config)[1].ok()
        pfop = qiniu_fop.PersistentFop(auth, "demo-bucket", config=config)
        ret, info = pfop.execute("in.jpg", workflow_template_id="thumbs")
        assert info.ok(), info
        status, _ = pfop.wait(ret["persistentId"], timeout=60)
        assert status["code"] == 0 and status["taskFrom"] == "workflow: thumbs", status
        assert status["items"][0]["key"] == "thumb.jpg" and status["pipeline"].endswith(".images")
        wait_for(lambda: [r for r in hook.requests if r.path == "/hook"], message="the template's notifyURL")


# -- docker ------------------------------------------------------------------------------


def test_docker_compose_up(tmp_path):
    [command] = snippet("docker-compose").commands()
    assert command == "docker compose up --wait"
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("Compose v2 is not installed here (tests/project/test_docker.py checks the compose file)")
    if os.environ.get("QINIU_TEST_DOCKER") != "1":
        pytest.skip("set QINIU_TEST_DOCKER=1 to build and start the container")
    port, admin_port = str(free_port()), str(free_port())
    env = {"QINIU_EMULATOR_PORT": port, "QINIU_EMULATOR_ADMIN_PORT": admin_port,
           "COMPOSE_PROJECT_NAME": f"qiniu-readme-{port}"}
    try:
        done = shell(command, ROOT, env)
        assert done.returncode == 0, done.stderr
        assert requests.get(f"http://127.0.0.1:{admin_port}/_emulator/health", timeout=10).status_code == 200
    finally:
        shell("docker compose down -v", ROOT, env)


def test_the_github_actions_service(readme_server):
    job = yaml.safe_load(snippet("github-actions").text)["jobs"]["test"]
    service = job["services"]["qiniu"]
    assert service["ports"] == ["9000:9000"] and job["env"]["QINIU_EMULATOR_URL"] == "http://127.0.0.1:9000"
    buckets = next(info for info in describe_settings() if info.name == "buckets")
    assert buckets.parse_text(service["env"][buckets.env]) == ["demo-bucket", "output-bucket"]
    options = shlex.split(service["options"])
    health = shlex.split(options[options.index("--health-cmd") + 1])
    assert health[0] == "qiniu-emulator"
    admin_port = readme_server.admin_url.rsplit(":", 1)[1]  # the image sets it; here the test server's
    done = subprocess.run([sys.executable, "-m", "qiniu_emulator", *health[1:]], capture_output=True, text=True,
                          timeout=30, env={**os.environ, "QINIU_EMULATOR_ADMIN_PORT": admin_port})
    assert done.returncode == 0, done.stderr


# -- the contract suite ----------------------------------------------------------------


def test_the_in_process_and_real_contract_runs(tmp_path):
    in_process, _, real = snippet("contract-runs").commands()
    collected = shell(in_process.replace(".venv/bin/pytest", f"{shlex.quote(sys.executable)} -m pytest")
                      + " --collect-only -q -p no:cacheprovider", tmp_path)
    assert collected.returncode == 0, collected.stdout[-2000:]
    assert re.search(r"\d+ tests? collected", collected.stdout)
    # Without credentials the real-service run skips in one line (the placeholders are not tried).
    command = " ".join(word for word in shlex.split(real) if "=" not in word or word.startswith("--"))
    skipped = shell(command.replace(".venv/bin/pytest", f"{shlex.quote(sys.executable)} -m pytest")
                    + " -p no:cacheprovider", tmp_path,
                    {k: v for k, v in os.environ.items() if not k.startswith(("QINIU_", "PYTEST_ADDOPTS"))})
    assert skipped.returncode == 0, skipped.stdout[-2000:]
    assert "qiniu_contracts: skipped" in skipped.stdout and "real Qiniu target needs QINIU_ACCESS_KEY" in skipped.stdout


def test_the_plugin_example_is_the_file_and_passes(tmp_path):
    example = ROOT / "docs" / "examples" / "test_thumbnailer.py"
    assert snippet("plugin-example").text == example.read_text(encoding="utf-8")
    run_user_tests(tmp_path, {example.name: example.read_text(encoding="utf-8")}, 1, drop_env=("QINIU_",), timeout=300)


# -- layouts -----------------------------------------------------------------------------


def test_the_data_layout(readme_server, tmp_path):
    import qiniu_fop

    auth = qiniu_fop.Auth(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    config = qiniu_fop.Config(up_host=readme_server.url)
    assert qiniu_fop.put_data(auth.upload_token("demo-bucket", "photos/a.txt"), "photos/a.txt", b"a",
                              config=config)[1].ok()
    data = readme_server.emulator.storage.data_dir
    for line in snippet("data-layout").text.splitlines():
        path = line.split()[0].replace("<data>", str(data)).replace("<bucket>", "demo-bucket")
        assert Path(path.replace("<key>", "photos/a.txt")).exists(), line


def test_the_repository_layout():
    for line in snippet("layout").text.splitlines():
        assert (ROOT / line.split()[0]).exists(), line


def test_the_emulator_layout():
    import qiniu_emulator

    package = Path(qiniu_emulator.__file__).parent
    names = [name.strip() for line in snippet("emulator-layout").text.splitlines() if not line.startswith(" ")
             for name in line.split("  ")[0].split(",")]
    assert len(names) >= 15
    for name in names:
        assert (package / name.rstrip("/")).exists(), name
