"""The command line as a user meets it: fop outputs where -o says, one-line errors, lint,
and serve's start-up messages (busy port, the buckets a data dir holds)."""

from __future__ import annotations

import socket
import subprocess
import sys

import av
import imageio_ffmpeg
import pytest
from PIL import Image

from qiniu_emulator.encoding import b64_encode

from support import ServeProcess, free_port

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qiniu_emulator", *args], capture_output=True, text=True,
                          timeout=180, cwd=cwd)


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("media") / "clip.mp4"
    subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=12",
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=12",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", str(path)], check=True, timeout=60)
    return path


def duration(path) -> float:
    with av.open(str(path)) as container:
        return container.duration / av.time_base


def one_line_error(done: subprocess.CompletedProcess) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr and "usage:" not in done.stderr, done.stderr
    return lines[0]


def test_hls_written_to_a_directory_plays_from_there(clip, tmp_path):
    out = tmp_path / "out"
    done = run_cli("fop", str(clip), "avthumb/m3u8/segtime/5", "-o", f"{out}/")
    assert done.returncode == 0, done.stderr
    playlist = out / "clip.m3u8"
    assert f"{playlist} (application/x-mpegURL" in done.stdout
    copied = tmp_path / "played.ts"
    played = subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-i", str(playlist), "-c", "copy",
                             str(copied)], capture_output=True, text=True, timeout=60)
    assert played.returncode == 0, played.stderr
    assert duration(copied) == pytest.approx(12, abs=0.5)


def test_a_single_output_into_an_existing_directory_is_named_after_the_input(clip, tmp_path):
    folder = tmp_path / "thumbs"
    folder.mkdir()
    done = run_cli("fop", str(clip), "vframe/jpg/offset/1/w/80", "-o", str(folder))
    assert done.returncode == 0, done.stderr
    with Image.open(folder / "clip.jpg") as frame:
        assert (frame.format, frame.width) == ("JPEG", 80)


def test_errors_are_one_line(clip, tmp_path):
    binary = run_cli("fop", str(clip), "vframe/jpg/offset/1")
    assert binary.returncode == 1 and "give -o" in one_line_error(binary)
    over = run_cli("fop", str(clip), "vframe/jpg/offset/1", "-o", str(clip))
    assert over.returncode == 1 and "refusing to overwrite the input" in one_line_error(over)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    unwritable = run_cli("fop", str(clip), "vframe/jpg/offset/1", "-o", str(blocked / "frame.jpg"))
    assert unwritable.returncode == 1 and f"cannot write {blocked / 'frame.jpg'}" in one_line_error(unwritable)
    typo = run_cli("fop", str(clip), "vframe/jpeg2/offset/1", "-o", str(tmp_path / "x.jpg"))
    assert typo.returncode == 2 and "jpeg2" in one_line_error(typo)
    bad_env = subprocess.run([sys.executable, "-m", "qiniu_emulator", "fop", str(clip), "avinfo"],
                             capture_output=True, text=True, timeout=60,
                             env={**__import__("os").environ, "QINIU_EMULATOR_OP_TIMEOUT": "soon"})
    assert bad_env.returncode == 2 and "QINIU_EMULATOR_OP_TIMEOUT" in one_line_error(bad_env)


def test_lint_tells_ops_that_are_not_emulated_from_typos():
    frames = b64_encode("frames/$(count).jpg")
    ok = run_cli("lint", f"imageView2/2/w/200|saveas/ZGVtby1idWNrZXQ6dGh1bWIuanBn;vsample/jpg/ss/0/t/3/pattern/{frames}")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.splitlines() == ["fops[0]: ok: imageView2, saved to demo-bucket:thumb.jpg",
                                      "fops[1]: ok: vsample (pfop only)"]
    missing = run_cli("lint", "avsmart/mp4")
    assert missing.returncode == 3
    assert missing.stdout.startswith("fops: not emulated: stage 0 'avsmart/mp4': 'avsmart' is a real Qiniu op")
    typo = run_cli("lint", "imageView2/2/w/200;imageViwe2/2/w/100;avsmart/mp4")
    assert typo.returncode == 1
    lines = typo.stdout.splitlines()
    assert lines[0].startswith("fops[0]: ok")
    assert lines[1].startswith("fops[1]: error:") and "did you mean imageView2?" in lines[1]
    assert lines[2].startswith("fops[2]: not emulated:")


def test_a_busy_port_is_named_in_one_line(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = run_cli("serve", "--port", str(port), "--data", str(tmp_path / "data"))
    assert done.returncode == 1
    line = one_line_error(done)
    assert f"port {port} on 127.0.0.1 is in use" in line and "--port" in line


def test_a_port_held_by_an_emulator_says_so(tmp_path):
    first = ServeProcess(tmp_path / "one").start()
    try:
        done = run_cli("serve", "--port", str(first.port), "--data", str(tmp_path / "two"))
    finally:
        first.stop()
    assert done.returncode == 1
    assert "qiniu-emulator" in one_line_error(done) and "is already serving there" in done.stderr


def banner_buckets(*args: str) -> str:
    """The banner's buckets line of ``serve`` started with ``args``, then stopped."""
    proc = subprocess.Popen([sys.executable, "-m", "qiniu_emulator", "serve", "--port", str(free_port()), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            if line.strip().startswith("buckets"):
                return line.split(":", 1)[1].strip()
        raise AssertionError("no buckets line in the banner")
    finally:
        proc.terminate()
        proc.wait(30)


def test_the_banner_lists_the_buckets_the_data_dir_holds(tmp_path):
    data = str(tmp_path / "data")
    assert banner_buckets("--data", data, "--bucket", "made-first") == "made-first"
    assert banner_buckets("--data", data, "--bucket", "made-later") == "made-first, made-later"
    assert banner_buckets("--data", data) == "made-first, made-later"
