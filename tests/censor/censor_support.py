"""Helpers of the moderation tests: small real images, uploads with metadata through the
official SDK, pfop and its status."""

from __future__ import annotations

import io

import qiniu
from PIL import Image

from support import wait_for


def jpeg(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, "JPEG")
    return out.getvalue()


def upload(auth, bucket: str, key: str, data: bytes, meta: dict[str, str] | None = None,
           policy: dict | None = None) -> dict:
    token = auth.upload_token(bucket, key, 3600, policy)
    ret, info = qiniu.put_data(token, key, data, metadata=meta)
    assert info.status_code == 200, info
    return ret


def pfop(auth, bucket: str, key: str, fops: str, notify_url: str | None = None) -> str:
    ret, info = qiniu.PersistentFop(auth, bucket, notify_url=notify_url).execute(key, [fops])
    assert info.status_code == 200, info
    return ret["persistentId"]


def finished(auth, bucket: str, job_id: str) -> dict:
    def poll():
        ret, info = qiniu.PersistentFop(auth, bucket).get_status(job_id)
        assert info.status_code == 200, info
        return ret if ret["code"] not in (1, 2) else None

    return wait_for(poll, message=f"job {job_id}")


def mp4(path, seconds: float, size: str = "160x90") -> bytes:
    """A real H.264 clip of ``seconds`` made with ffmpeg."""
    import subprocess

    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=10:duration={seconds}",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
                   check=True, timeout=120)
    return path.read_bytes()
