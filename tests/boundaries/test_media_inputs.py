"""A media input reaches nothing but its own bytes: a playlist naming local files, other
buckets or file:// URLs is not followed, by ffmpeg or by the in-process probe."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
from boundary_support import PRIVATE, PUBLIC, video
from support import wait_for

PLAYLIST = "#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3,\n{segment}\n#EXT-X-ENDLIST\n"


@pytest.fixture
def secret_clip(tmp_path) -> Path:
    """A clip outside the data directory: 3 s, 48x32, that nothing may read."""
    (tmp_path / "outside").mkdir()
    return video(tmp_path / "outside" / "secret.ts", 3, size="48x32")


def references(server, secret: Path) -> dict[str, str]:
    storage = server.emulator.storage
    storage.ensure_bucket(PRIVATE, private=True)
    other = storage.put_path(PRIVATE, "other.ts", secret, mime="video/mp2t")
    object_dir = storage.data_dir / "buckets" / PUBLIC
    return {
        "absolute": str(secret),
        "relative": os.path.relpath(secret, object_dir),
        "file-url": secret.as_uri(),
        "other-bucket": os.path.relpath(other.path, object_dir),
    }


@pytest.mark.parametrize("kind", ["absolute", "relative", "file-url", "other-bucket"])
def test_sync_avinfo_and_avthumb_do_not_follow_a_playlist(server, secret_clip, kind):
    segment = references(server, secret_clip)[kind]
    server.emulator.storage.put_bytes(PUBLIC, f"evil-{kind}.m3u8", PLAYLIST.format(segment=segment).encode(),
                                      mime="application/x-mpegURL")
    for fop in ("avinfo", "avthumb/mp4"):
        answer = requests.get(f"{server.url}/_io/{PUBLIC}/evil-{kind}.m3u8?{fop}", timeout=60)
        assert answer.status_code == 400, (fop, answer.status_code, answer.text[:200])
        assert "not a valid media" in answer.json()["error"]


def test_a_persistent_avthumb_fails_the_item_instead_of_reading_the_file(server, sdk, secret_clip):
    import qiniu

    segment = references(server, secret_clip)["absolute"]
    server.emulator.storage.put_bytes(PUBLIC, "evil.m3u8", PLAYLIST.format(segment=segment).encode(),
                                      mime="application/x-mpegURL")
    ret, info = qiniu.PersistentFop(sdk, PUBLIC).execute("evil.m3u8", ["avthumb/mp4", "avinfo"])
    assert info.status_code == 200, info

    def done():
        body = requests.get(f"{server.url}/status/get/prefop?id={ret['persistentId']}", timeout=10).json()
        return body if body["code"] not in (1, 2) else None

    status = wait_for(done, timeout=60, message="job")
    assert status["code"] == 3
    assert all(item["code"] == 3 and "not a valid media" in item["error"] for item in status["items"])


def test_a_real_video_still_plays_through_the_gate(server, tmp_path):
    clip = video(tmp_path / "fine.mp4", 1, size="64x48")
    server.emulator.storage.put_path(PUBLIC, "fine.mp4", clip, mime="video/mp4")
    info = requests.get(f"{server.url}/_io/{PUBLIC}/fine.mp4?avinfo", timeout=60).json()
    assert info["streams"][0]["width"] == 64 and info["format"]["format_name"].startswith("mov")
