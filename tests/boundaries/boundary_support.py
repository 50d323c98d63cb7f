"""Helpers for the boundary tests: a private bucket beside the public one, media makers."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import imageio_ffmpeg
from PIL import Image

from qiniu_emulator.server import RunningServer

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
PRIVATE = "priv-bucket"
PUBLIC = "demo-bucket"


def png(colour: tuple[int, int, int], size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, "PNG")
    return buffer.getvalue()


ENCODED_SECONDS = 10  # a longer clip repeats this much, copied rather than encoded again


def video(path: Path, seconds: float, size: str = "64x48", rate: int = 10) -> Path:
    """An H.264 test pattern of ``seconds``; a long one (made for transcodes that must still
    be running when a test looks) is a 10 s piece repeated, which costs a copy, not an encode."""
    piece = path if seconds <= ENCODED_SECONDS else path.with_name(f"piece-{path.name}")
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={min(seconds, ENCODED_SECONDS)}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(piece))
    if piece != path:
        _ffmpeg("-stream_loop", "-1", "-i", str(piece), "-c", "copy", "-t", str(seconds), str(path))
        piece.unlink()
    return path


def _ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args], check=True, timeout=120)


def private_bucket(server: RunningServer) -> None:
    """A private bucket holding a red ``secret.png`` beside the public demo bucket."""
    storage = server.emulator.storage
    storage.ensure_bucket(PRIVATE, private=True)
    storage.put_bytes(PRIVATE, "secret.png", png((255, 0, 0), (16, 16)), mime="image/png")
    storage.put_bytes(PUBLIC, "base.png", png((255, 255, 255)), mime="image/png")
