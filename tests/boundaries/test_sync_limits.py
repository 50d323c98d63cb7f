"""Work an anonymous download starts is bounded: a few at a time (573 beyond), stopped
when its client leaves, limited by decoded memory and the op deadline; health answers."""

from __future__ import annotations

import http.client
import io
import threading

import pytest
import requests
from boundary_support import PUBLIC, png, video
from PIL import Image
from support import wait_for


def health(server) -> dict:
    answer = requests.get(f"{server.admin_url}/_emulator/health", timeout=10)
    assert answer.status_code == 200
    return answer.json()


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory):
    # long enough that a transcode is still running while the test looks at it
    return video(tmp_path_factory.mktemp("clip") / "long.mp4", 240, size="320x240", rate=25)


def start_transcode(server) -> http.client.HTTPConnection:
    """Send a slow sync avthumb and leave its answer unread."""
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.request("GET", f"/_io/{PUBLIC}/long.mp4?avthumb/mp4/vb/200k")
    return conn


def test_a_full_pool_answers_573_and_health_keeps_answering(start_emulator, long_clip):
    server = start_emulator(sync_workers=1)
    server.emulator.storage.put_path(PUBLIC, "long.mp4", long_clip, mime="video/mp4")
    first = start_transcode(server)
    try:
        wait_for(lambda: health(server)["syncFops"]["running"] == 1 and health(server)["childProcesses"] == 1,
                 message="the first transcode to run")
        second = requests.get(f"{server.url}/_io/{PUBLIC}/long.mp4?avthumb/mp4", timeout=30)
        assert second.status_code == 573 and second.headers["Retry-After"] == "1"
        assert "too many synchronous fops" in second.json()["error"]
        stat = requests.get(f"{server.url}/_io/{PUBLIC}/long.mp4", headers={"Range": "bytes=0-3"}, timeout=10)
        assert stat.status_code == 206 and len(stat.content) == 4
    finally:
        first.close()


def test_a_client_that_leaves_stops_its_transcode(start_emulator, long_clip):
    server = start_emulator(sync_workers=2)
    server.emulator.storage.put_path(PUBLIC, "long.mp4", long_clip, mime="video/mp4")
    conn = start_transcode(server)
    wait_for(lambda: health(server)["childProcesses"] == 1, message="ffmpeg to start")
    conn.close()
    wait_for(lambda: health(server)["childProcesses"] == 0 and health(server)["syncFops"]["running"] == 0,
             message="the transcode to be stopped")


def test_stopping_the_server_kills_running_transcodes(start_emulator, long_clip):
    server = start_emulator()
    server.emulator.storage.put_path(PUBLIC, "long.mp4", long_clip, mime="video/mp4")
    conn = start_transcode(server)
    try:
        wait_for(lambda: health(server)["childProcesses"] == 1, message="ffmpeg to start")
        children = server.emulator.jobs.processor.children
        stopper = threading.Thread(target=server.stop)
        stopper.start()
        stopper.join(60)
        assert not stopper.is_alive() and children.count() == 0
    finally:
        conn.close()


def test_an_image_over_the_memory_budget_is_refused_before_decoding(start_emulator):
    server = start_emulator(op_memory_mb=8)
    # 2000x2000 RGBA: 16 MB decoded plus a premultiplied copy to resize
    server.emulator.storage.put_bytes(PUBLIC, "big.png", png((10, 20, 30), (2000, 2000), "RGBA"),
                                      mime="image/png")
    answer = requests.get(f"{server.url}/_io/{PUBLIC}/big.png?imageView2/2/w/100", timeout=30)
    assert answer.status_code == 400
    assert "image too large to process: 2000x2000" in answer.json()["error"]
    assert "--op-memory-mb" in answer.json()["error"]
    small = requests.get(f"{server.url}/_io/{PUBLIC}/big.png?imageView2/2/w/100/h/100", timeout=30)
    assert small.status_code == 400  # the same input, whatever the output size


def test_the_same_image_passes_with_a_larger_budget(start_emulator):
    server = start_emulator(op_memory_mb=64)
    server.emulator.storage.put_bytes(PUBLIC, "big.png", png((10, 20, 30), (2000, 2000), "RGBA"),
                                      mime="image/png")
    answer = requests.get(f"{server.url}/_io/{PUBLIC}/big.png?imageView2/2/w/100", timeout=30)
    assert answer.status_code == 200 and Image.open(io.BytesIO(answer.content)).size == (100, 100)


def many_frame_gif(frames: int, screen: int) -> bytes:
    """Tiny frames on a huge logical screen: small on disk, each frame decodes full-screen."""
    palette = [channel for i in range(256) for channel in ((i * 37) % 256, (i * 91) % 256, (i * 13) % 256)]
    images = []
    for index in range(frames):
        image = Image.new("P", (screen, screen), index)
        image.putpalette(palette)
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], optimize=False, duration=40)
    return buffer.getvalue()


def test_the_op_timeout_bounds_an_in_process_image_op(start_emulator):
    server = start_emulator(op_timeout=0.1)
    # 60 frames: decoding them takes well past 0.1 s on any machine
    server.emulator.storage.put_bytes(PUBLIC, "slow.gif", many_frame_gif(60, 2000), mime="image/gif")
    answer = requests.get(f"{server.url}/_io/{PUBLIC}/slow.gif?imageMogr2/thumbnail/100x", timeout=120)
    assert answer.status_code == 400
    assert "timed out after 0.1 s" in answer.json()["error"]
