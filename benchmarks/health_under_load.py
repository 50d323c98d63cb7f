"""Health latency while anonymous clients hammer sync transcodes (not run by CI).

    .venv/bin/python benchmarks/health_under_load.py [--clients 8] [--seconds 20]

Starts ``qiniu-emulator serve`` in a child process, uploads a generated 240 s clip, then
measures ``GET /_emulator/health`` latency twice, side by side: idle, and while
``--clients`` unauthenticated clients each loop on ``<clip>?avthumb/mp4`` (a client that
gets 573 waits its ``Retry-After`` and tries again, as the SDKs do). Prints the latency
percentiles of both runs, their ratios, and how the load's requests were answered.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import imageio_ffmpeg
import qiniu
import requests
from served import ACCESS_KEY, BUCKET, SECRET_KEY, admin_url, free_port, start


def make_clip(path: Path) -> Path:
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=240",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def health_latencies(url: str, seconds: float) -> list[float]:
    latencies = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        answer = requests.get(f"{url}/_emulator/health", timeout=60)
        latencies.append(time.perf_counter() - started)
        assert answer.status_code == 200
        time.sleep(0.05)
    return latencies


def load(url: str, stop: threading.Event, answers: Counter[int]) -> None:
    session = requests.Session()
    while not stop.is_set():
        try:
            answer = session.get(f"{url}/_io/{BUCKET}/clip.mp4?avthumb/mp4", timeout=120, stream=True)
            answers[answer.status_code] += 1
            if answer.status_code == 573:
                stop.wait(float(answer.headers.get("Retry-After", "1")))
            else:
                for _ in answer.iter_content(1 << 16):
                    if stop.is_set():
                        break
            answer.close()
        except requests.RequestException:
            answers[0] += 1


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": statistics.median(ordered), "p90": pick(0.9), "p99": pick(0.99), "max": ordered[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="health-bench-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start(work / "data", port)
    try:
        clip = make_clip(work / "clip.mp4")
        token = qiniu.Auth(ACCESS_KEY, SECRET_KEY).upload_token(BUCKET, "clip.mp4")
        with clip.open("rb") as f:
            requests.post(f"{url}/", files={"file": ("clip.mp4", f)}, data={"token": token, "key": "clip.mp4"},
                          timeout=120).raise_for_status()
        idle = health_latencies(admin_url(port), args.seconds)
        stop, answers = threading.Event(), Counter[int]()
        clients = [threading.Thread(target=load, args=(url, stop, answers), daemon=True)
                   for _ in range(args.clients)]
        for client in clients:
            client.start()
        time.sleep(2)  # let the transcodes start
        loaded = health_latencies(admin_url(port), args.seconds)
        running = requests.get(f"{admin_url(port)}/_emulator/health", timeout=60).json()
        stop.set()
        for client in clients:
            client.join(130)
    finally:
        proc.terminate()
        proc.wait(60)
    a, b = percentiles(idle), percentiles(loaded)
    print(f"health latency, idle vs {args.clients} clients looping on sync avthumb ({os.cpu_count()} cores)")
    print(f"{'':6} {'idle ms':>10} {'loaded ms':>10} {'ratio':>7}")
    for name in ("p50", "p90", "p99", "max"):
        print(f"{name:6} {a[name] * 1000:10.1f} {b[name] * 1000:10.1f} {b[name] / a[name]:7.2f}")
    print(f"health requests: {len(idle)} idle, {len(loaded)} loaded, all answered 200")
    print(f"sync fops while loaded: {running['syncFops']}, child processes {running['childProcesses']}")
    print("load answers: " + ", ".join(f"{code or 'error'}: {n}" for code, n in sorted(answers.items())))


if __name__ == "__main__":
    main()
