"""Peak memory of image ops against ``--op-memory-mb`` (not run by CI).

    .venv/bin/python benchmarks/memory_budget.py [--budget-mb 1024] [--large-budget-mb 2500] [--skip-served]

``bench_ops`` runs each case in a fresh process under one budget and prints what the op
reserved (its estimate), how much the peak RSS grew, and the growth over the budget
(target <= 1.2 for every admitted op; a refused op must grow by almost nothing). The
cases include the 499-byte GIF of 20 one-pixel frames on a 12000x12000 screen, refused
under the default budget and measured again, admitted, under ``--large-budget-mb``.
``bench_served`` sends two sync downloads and two pfops of a many-frame GIF to one served
emulator at once and prints the server's peak RSS growth over the shared budget (target
<= 1.2: the ops wait for each other instead of holding more together).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import qiniu
import requests
from PIL import Image
from qiniu_contracts.media import screen_gif
from served import ACCESS_KEY, BUCKET, SECRET_KEY, free_port, start

TARGET = 1.2
MB = 1024 * 1024

CHILD = """
import sys
from pathlib import Path
from qiniu_emulator.fops.budget import MemoryBudget
from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.fops.context import OpContext
from qiniu_emulator.fops.execute import StageFailed, run_ops
from qiniu_emulator.fops.parse import parse_pipeline
from qiniu_emulator.heap import return_large_blocks

def status_mb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise SystemExit("needs Linux /proc")

return_large_blocks()  # as the emulator does at start
registry = default_registry()
pipeline = parse_pipeline(sys.argv[2], registry)
budget = MemoryBudget(int(sys.argv[4]) * 1024 * 1024)
# The same op on a small image of the same format first: what the first run imports is not
# the op's memory.
run_ops(pipeline.ops, Path(sys.argv[6]), sys.argv[3], OpContext(scratch=Path(sys.argv[5])), registry)
Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) counts from here
before = status_mb("VmRSS")
try:
    run_ops(pipeline.ops, Path(sys.argv[1]), sys.argv[3], OpContext(scratch=Path(sys.argv[5]), memory=budget),
            registry)
    outcome = "admitted"
except StageFailed as exc:
    outcome = "refused: " + exc.message[:90]
peak = status_mb("VmHWM")
print(budget.largest / 1024 / 1024, peak - before, outcome, sep="\\t")
"""


def noise(size: tuple[int, int], mode: str, fmt: str) -> bytes:
    image = Image.effect_noise(size, 64).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": 90} if fmt == "JPEG" else {"compress_level": 1}))
    return buffer.getvalue()


def animation(size: tuple[int, int], frames: int) -> bytes:
    images = [Image.effect_noise(size, 40 + index).convert("P") for index in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=40)
    return buffer.getvalue()


CASES = (  # source, fop
    ("bomb.gif", "imageView2/2/w/100"),
    ("photo.jpg", "imageView2/2/w/800/h/600"),
    ("photo.jpg", "imageMogr2/rotate/45/format/webp"),
    ("photo.jpg", "imageMogr2/blur/20x5"),
    ("alpha.png", "imageView2/2/w/4000/format/jpg"),
    ("alpha.png", "roundPic/radius/200"),
    ("grey.png", "imageMogr2/rotate/90/format/png"),
    ("grey.png", "imageslim"),
    ("anim.gif", "imageMogr2/thumbnail/600x"),
)


def cases(workdir: Path) -> list[tuple[str, Path, str, str]]:
    sources = {
        "bomb.gif": (lambda: screen_gif(12000, 12000, 20), "image/gif"),
        "photo.jpg": (lambda: noise((8000, 6000), "RGB", "JPEG"), "image/jpeg"),
        "alpha.png": (lambda: noise((5000, 5000), "RGBA", "PNG"), "image/png"),
        "grey.png": (lambda: noise((8000, 8000), "L", "PNG"), "image/png"),
        "anim.gif": (lambda: animation((800, 800), 60), "image/gif"),
    }
    made = []
    for name, fop in CASES:
        path, mime = workdir / name, sources[name][1]
        if not path.exists():  # made once, kept for a second budget
            path.write_bytes(sources[name][0]())
            with Image.open(path) as image:
                image.crop((0, 0, 16, 16)).save(workdir / f"small-{name}")
        made.append((f"{name} {fop}", path, mime, fop))
    return made


def bench_ops(workdir: Path, budget_mb: int, only: str = "") -> float:
    """Every case (or those naming ``only``) in a fresh process under ``budget_mb``; returns
    the largest growth / budget of an admitted op."""
    print(f"\nOne op per process, --op-memory-mb {budget_mb}:")
    print(f"  {'case':<46} {'reserved':>9} {'peak growth':>12} {'/reserved':>9} {'/budget':>8}")
    worst = 0.0
    for label, path, mime, fop in cases(workdir):
        if only not in label:
            continue
        done = subprocess.run([sys.executable, "-W", "ignore", "-c", CHILD, str(path), fop, mime, str(budget_mb),
                               str(workdir), str(path.with_name(f"small-{path.name}"))],
                              check=True, capture_output=True, text=True)
        reserved, growth, outcome = done.stdout.strip().split("\t")
        reserved_mb, growth_mb = float(reserved), float(growth)
        ratio = growth_mb / budget_mb
        if outcome == "admitted":
            worst = max(worst, ratio)
        per_reserved = f"{growth_mb / reserved_mb:.2f}" if reserved_mb else "-"
        print(f"  {label[:46]:<46} {reserved_mb:>7.0f}MB {growth_mb:>10.0f}MB {per_reserved:>9} {ratio:>8.2f}"
              f"  {outcome}")
    print(f"  largest peak growth of an admitted op / budget: {worst:.2f} (target <= {TARGET})")
    return worst


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident MB of a process."""
    fields = {line.split(":")[0]: line.split()[1] for line in Path(f"/proc/{pid}/status").read_text().splitlines()
              if line.startswith(("VmRSS:", "VmHWM:"))}
    return int(fields["VmRSS"]) / 1024, int(fields["VmHWM"]) / 1024


def bench_served(workdir: Path, budget_mb: int) -> float:
    """Two sync downloads and two pfops of a many-frame GIF at once on one served emulator."""
    port = free_port()
    proc = start(workdir / "data", port, "--op-memory-mb", str(budget_mb), "--workers", "2")
    url = f"http://127.0.0.1:{port}"
    try:
        auth = qiniu.Auth(ACCESS_KEY, SECRET_KEY)
        qiniu.config.set_default(default_api_host=url)
        requests.post(f"{url}/", files={"file": ("screen.gif", screen_gif(4500, 4500, 20))},
                      data={"token": auth.upload_token(BUCKET, "screen.gif"), "key": "screen.gif"},
                      timeout=60).raise_for_status()
        requests.get(f"{url}/_io/{BUCKET}/screen.gif?imageInfo", timeout=30)  # warm up the image code
        before, _ = peak_rss_mb(proc.pid)
        answers: list[int] = []

        def sync() -> None:
            for _ in range(30):  # a sync slot may be busy: 573 with Retry-After, as the SDKs retry
                code = requests.get(f"{url}/_io/{BUCKET}/screen.gif?imageView2/2/w/100", timeout=300).status_code
                if code != 573:
                    break
                time.sleep(1)
            answers.append(code)

        started = time.monotonic()
        threads = [threading.Thread(target=sync) for _ in range(2)]
        for thread in threads:
            thread.start()
        ids = [qiniu.PersistentFop(auth, BUCKET).execute("screen.gif", ["imageMogr2/thumbnail/100x"])[0]["persistentId"]
               for _ in range(2)]
        for thread in threads:
            thread.join()
        for job_id in ids:
            while requests.get(f"{url}/status/get/prefop?id={job_id}", timeout=10).json()["code"] in (1, 2):
                time.sleep(0.2)
        after, peak = peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(30)
    growth = peak - before
    print(f"\nServed, --op-memory-mb {budget_mb}: 2 sync downloads ({answers}) and 2 pfops of a 4500x4500 "
          f"20-frame GIF in {time.monotonic() - started:.1f} s:\n  peak RSS growth {growth:.0f} MB, "
          f"{growth / budget_mb:.2f}x the budget (target <= {TARGET}); {after - before:.0f} MB more than before "
          "the ops stays resident after them")
    return growth / budget_mb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-mb", type=int, default=1024)
    parser.add_argument("--large-budget-mb", type=int, default=2500,
                        help="a budget the 12000x12000 GIF fits in, to measure it admitted (0 skips it)")
    parser.add_argument("--skip-served", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp:
        worst = bench_ops(Path(tmp), args.budget_mb)
        if args.large_budget_mb:
            worst = max(worst, bench_ops(Path(tmp), args.large_budget_mb, only="bomb.gif"))
        if not args.skip_served:
            worst = max(worst, bench_served(Path(tmp), 512))
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
