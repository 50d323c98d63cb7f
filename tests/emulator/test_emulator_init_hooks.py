"""--init DIR: hooks seed the emulator before it reports healthy; failures are one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import qiniu
import requests
from readme_snippets import snippet
from support import ACCESS_KEY, SECRET_KEY, ServeProcess, free_port

from qiniu_emulator.init_hooks import hook_environment, hooks_in, run_hooks


def hook(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(text)
    path.chmod(0o755)
    return path


def test_the_readme_hook_seeds_a_bucket_before_the_emulator_is_healthy(tmp_path):
    init = tmp_path / "init"
    hook(init, "10-fixtures.py", snippet("init-hook").text)
    (init / "fixtures").mkdir()
    (init / "fixtures" / "hello.txt").write_bytes(b"hello")
    (init / "fixtures" / "logo.bin").write_bytes(bytes(range(256)))
    [chmod, serve] = snippet("init-serve").commands()
    assert chmod == "chmod +x init/10-fixtures.py" and serve.startswith("qiniu-emulator serve ")
    extra = serve.split()[2:]  # --ephemeral --init init --init-strict
    server = ServeProcess(tmp_path / "unused", *[str(init) if arg == "init" else arg for arg in extra]).start()
    try:
        # The first health 200 comes after the hook: the bucket and its objects are there.
        auth = qiniu.Auth(ACCESS_KEY, SECRET_KEY)
        qiniu.config.set_default(default_rs_host=server.url, default_rsf_host=server.url,
                                 default_uc_host=server.url, default_api_host=server.url)
        listed, _, info = qiniu.BucketManager(auth).list("fixtures")
        assert info.status_code == 200, info
        assert sorted(item["key"] for item in listed["items"]) == ["hello.txt", "logo.bin"]
        assert requests.get(f"{server.admin_url}/_emulator/health", timeout=5).json()["init"] == "done"
        assert requests.get(f"{server.url}/_io/fixtures/logo.bin", timeout=5).content == bytes(range(256))
    finally:
        server.stop()


def test_a_failing_hook_is_one_line_and_the_rest_still_run(tmp_path):
    hook(tmp_path, "10-bad.sh", "#!/bin/sh\necho 'no bucket named nope' >&2\nexit 3\n")
    hook(tmp_path, "20-good.sh", "#!/bin/sh\necho \"$QINIU_EMULATOR_URL $QINIU_ACCESS_KEY\" > seen.txt\n")
    (tmp_path / "README.txt").write_text("not a hook")
    env = hook_environment("http://127.0.0.1:1", ("ak", "sk"))
    [failure] = run_hooks(hooks_in(tmp_path), env, stop_at_failure=False)
    assert failure.line() == "--init hook 10-bad.sh failed: exit status 3: no bucket named nope"
    assert (tmp_path / "seen.txt").read_text() == "http://127.0.0.1:1 ak\n"


def test_init_strict_stops_the_start_with_exit_status_1(tmp_path):
    init = tmp_path / "init"
    hook(init, "10-fails.py", "import sys\nsys.exit('cannot reach the fixtures')\n")
    hook(init, "20-never.sh", "#!/bin/sh\ntouch ran.txt\n")
    done = subprocess.run([sys.executable, "-m", "qiniu_emulator", "serve", "--ephemeral", "--port",
                           str(free_port()), "--init", str(init), "--init-strict"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert ("qiniu-emulator: error: --init hook 10-fails.py failed: exit status 1: cannot reach the fixtures; "
            "stopping (--init-strict)") in done.stderr
    assert not (init / "ran.txt").exists()


def test_a_hook_that_is_not_executable_fails_the_start_in_one_line(tmp_path):
    (tmp_path / "10-seed.sh").write_text("#!/bin/sh\n")
    done = subprocess.run([sys.executable, "-m", "qiniu_emulator", "serve", "--ephemeral", "--port", "0",
                           "--init", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        f"qiniu-emulator: error: --init {tmp_path}: not executable: 10-seed.sh (chmod +x them)")


def test_an_init_dir_that_does_not_exist_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a directory"):
        hooks_in(tmp_path / "nowhere")
