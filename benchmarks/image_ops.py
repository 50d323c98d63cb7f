"""Image op speed and memory, measured against plain Pillow (not run by CI).

    .venv/bin/python benchmarks/image_ops.py [--rounds 15] [--skip-memory]

``bench_op_vs_pillow`` times the emulator's op path (parse + run_ops) for
``imageView2/2/w/800/h/600`` on a 4000x3000 JPEG to WebP q75 and JPEG q85, alternating
round by round with Pillow's own draft + thumbnail + save (and pyvips when importable),
and prints medians and ratios. ``bench_memory`` thumbnails a 12000x8000 JPEG in a fresh
subprocess and prints how much the peak RSS grew. ``bench_end_to_end`` compares
submit-to-code-0 of the same job over HTTP (pfop, then ``wait()``, which long-polls the
emulator; and pfop, then prefop every 10 ms) with the op's own time, and
``bench_workers`` compares the images per second of one and two workers on batches of
40 such jobs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PIL import Image

CASES = (("webp", "WEBP", 75), ("jpg", "JPEG", 85))
BOX = (800, 600)


@dataclass
class Timing:
    name: str
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def make_jpeg(path: Path, size: tuple[int, int], quality: int = 90) -> Path:
    """A photo-like JPEG: smooth gradients with fine noise so the codecs have real work."""
    gradient = Image.linear_gradient("L")
    red = gradient.resize(size)
    green = gradient.transpose(Image.Transpose.ROTATE_90).resize(size)
    noise = Image.effect_noise((size[0] // 4, size[1] // 4), 40).resize(size)
    Image.merge("RGB", (red, green, noise)).save(path, "JPEG", quality=quality)
    return path


def emulator_path(src: Path, scratch: Path, fmt: str, quality: int) -> Callable[[], None]:
    from qiniu_emulator.fops.execute import run_ops
    from qiniu_emulator.fops.parse import parse_pipeline
    from qiniu_emulator.fops.context import OpContext
    from qiniu_emulator.fops.catalog import default_registry

    registry = default_registry()
    fop = f"imageView2/2/w/{BOX[0]}/h/{BOX[1]}/format/{fmt}/q/{quality}"

    def run() -> None:
        pipeline = parse_pipeline(fop, registry)
        result = run_ops(pipeline.ops, src, "image/jpeg", OpContext(scratch=scratch), registry).result
        result.path.unlink()

    return run


def pillow_path(src: Path, out: Path, pillow_format: str, quality: int,
                resample: Image.Resampling = Image.Resampling.BICUBIC) -> Callable[[], None]:
    def run() -> None:
        with Image.open(src) as image:
            image.draft("RGB", BOX)
            image.thumbnail(BOX, resample)
            image.save(out, pillow_format, quality=quality)

    return run


def pyvips_path(src: Path, out: Path, fmt: str, quality: int) -> Callable[[], None] | None:
    try:
        import pyvips  # type: ignore[import-not-found]
    except (ImportError, OSError):
        return None

    def run() -> None:
        pyvips.Image.thumbnail(str(src), BOX[0], height=BOX[1]).write_to_file(f"{out}[Q={quality}]")

    return run


def alternate(paths: dict[str, Callable[[], None]], rounds: int) -> list[Timing]:
    """Run each path once per round, in turn, so drift hits them all alike."""
    timings = {name: Timing(name, []) for name in paths}
    for run in paths.values():
        run()  # warm caches and imports
    for _ in range(rounds):
        for name, run in paths.items():
            started = time.perf_counter()
            run()
            timings[name].seconds.append(time.perf_counter() - started)
    return list(timings.values())


def bench_op_vs_pillow(rounds: int, workdir: Path) -> dict[str, float]:
    """Print medians and emulator/Pillow ratios; return the ratios by output format."""
    src = make_jpeg(workdir / "src-4000x3000.jpg", (4000, 3000))
    ratios = {}
    for fmt, pillow_format, quality in CASES:
        out = workdir / f"pillow.{fmt}"
        paths = {
            "emulator": emulator_path(src, workdir, fmt, quality),
            "pillow draft+thumbnail": pillow_path(src, out, pillow_format, quality),
            "pillow draft+thumbnail lanczos": pillow_path(src, out, pillow_format, quality,
                                                           Image.Resampling.LANCZOS),
        }
        vips = pyvips_path(src, workdir / f"vips.{fmt}", fmt, quality)
        if vips is not None:
            paths["pyvips thumbnail"] = vips
        timings = alternate(paths, rounds)
        emulator = timings[0].median
        best_pillow = min(t.median for t in timings[1:3])
        print(f"\n4000x3000 JPEG -> {fmt} q{quality}, box {BOX[0]}x{BOX[1]}, {rounds} rounds")
        for timing in timings:
            print(f"  {timing.name:32s} median {timing.median * 1000:7.1f} ms"
                  f"   emulator/this = {emulator / timing.median:5.2f}")
        ratios[fmt] = emulator / best_pillow
        print(f"  ratio to the best plain Pillow path: {ratios[fmt]:.2f} (target <= 1.15)")
    return ratios


MEMORY_CHILD = """
import resource, sys
from pathlib import Path
from qiniu_emulator.fops.execute import run_ops
from qiniu_emulator.fops.parse import parse_pipeline
from qiniu_emulator.fops.context import OpContext
from qiniu_emulator.fops.catalog import default_registry

def current_rss_kb():
    # Imports peak above what stays resident; measure growth from the live RSS where possible.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

registry = default_registry()
pipeline = parse_pipeline(sys.argv[2], registry)
before = current_rss_kb()
run_ops(pipeline.ops, Path(sys.argv[1]), "image/jpeg", OpContext(scratch=Path(sys.argv[3])), registry)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before / 1024, after / 1024)
"""


def bench_memory(workdir: Path, fop: str = "imageView2/2/w/800/h/600") -> float:
    """Peak RSS growth (MB) of one op on a 12000x8000 JPEG, measured in a fresh process."""
    src = workdir / "src-12000x8000.jpg"
    # Generating the source takes ~300 MB; do it in another process than the measurement.
    subprocess.run([sys.executable, "-c",
                    f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r});"
                    f"from image_ops import make_jpeg; from pathlib import Path;"
                    f"make_jpeg(Path({str(src)!r}), (12000, 8000))"], check=True)
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", MEMORY_CHILD, str(src), fop, str(workdir)],
                          check=True, capture_output=True, text=True)
    before, after = map(float, done.stdout.split()[-2:])
    growth = after - before
    print(f"\n12000x8000 JPEG, {fop}: RSS {before:.1f} MB before, peak {after:.1f} MB after,"
          f" grew by {growth:.1f} MB (target < 150 MB)")
    return growth


FOP = f"imageView2/2/w/{BOX[0]}/h/{BOX[1]}/format/webp/q/75"


def _emulator(workdir: Path, workers: int):
    """An in-process emulator with one uploaded 4000x3000 JPEG, and a client for it."""
    import qiniu_fop
    from qiniu_emulator.config import Settings
    from qiniu_emulator.server import start_in_thread

    server = start_in_thread(Settings(port=0, data=workdir / f"data-{workers}-{time.monotonic_ns()}",
                                      buckets=["bench"], workers=workers))
    access_key, secret_key = server.emulator.settings.accounts[0]
    config = qiniu_fop.Config.for_url(server.url)
    auth = qiniu_fop.Auth(access_key, secret_key)
    src = workdir / "src-4000x3000.jpg"
    if not src.exists():
        make_jpeg(src, (4000, 3000))
    qiniu_fop.put_file(auth.upload_token("bench", "src.jpg"), "src.jpg", src, config=config)
    return server, qiniu_fop.PersistentFop(auth, "bench", config=config)


def _run_jobs(pfop, count: int, poll: float | None = None) -> float:
    """Submit ``count`` jobs and wait until all reach code 0; returns the wall time.

    Waits with ``PersistentFop.wait`` (the emulator's long-poll), or, given ``poll``, by
    asking prefop every ``poll`` seconds as a hand-written loop does.
    """
    from qiniu_fop import op_save

    started = time.perf_counter()
    ids = []
    for n in range(count):
        ret, info = pfop.execute("src.jpg", fops=op_save(FOP, "bench", f"out/{n}.webp"), force=True)
        assert info.ok(), info
        ids.append(ret["persistentId"])
    for persistent_id in ids:
        if poll is None:
            ret, _ = pfop.wait(persistent_id, timeout=120)
        else:
            while (ret := pfop.get_status(persistent_id)[0])["code"] in (1, 2):
                time.sleep(poll)
        assert ret["code"] == 0, ret
    return time.perf_counter() - started


def bench_end_to_end(rounds: int, workdir: Path) -> float:
    """Median submit-to-code-0 over HTTP divided by the median of the op alone, rounds alternating."""
    server, pfop = _emulator(workdir, workers=1)
    try:
        op = emulator_path(workdir / "src-4000x3000.jpg", workdir, "webp", 75)
        timings = alternate({"op alone (parse + run)": op,
                             "pfop + wait() (long-poll)": lambda: _run_jobs(pfop, 1),
                             "pfop + prefop every 10 ms": lambda: _run_jobs(pfop, 1, poll=0.01)}, rounds)
    finally:
        server.stop()
    alone = timings[0].median
    print(f"\nend to end ({FOP}, {rounds} rounds, 1 worker)")
    for timing in timings:
        print(f"  {timing.name:28s} median {timing.median * 1000:7.1f} ms   x{timing.median / alone:5.2f} the op")
    ratio = timings[1].median / alone
    print(f"  ratio submit-to-done (wait) / op alone: {ratio:.2f} (target <= 1.10)")
    return ratio


def bench_workers(rounds: int, workdir: Path, batch: int = 40) -> float:
    """Images per second of two workers over one worker, batches alternating."""
    servers = {workers: _emulator(workdir, workers) for workers in (1, 2)}
    rates: dict[int, list[float]] = {1: [], 2: []}
    try:
        for _ in range(rounds):
            for workers, (_, pfop) in servers.items():
                rates[workers].append(batch / _run_jobs(pfop, batch))
    finally:
        for server, _ in servers.values():
            server.stop()
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    print(f"\nworkers ({batch} jobs x {rounds} rounds): 1 worker {one:.1f} img/s, 2 workers {two:.1f} img/s,"
          f" ratio {two / one:.2f} (target >= 1.8)")
    return two / one


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-http", action="store_true", help="skip the end-to-end and worker benchmarks")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="image-bench-") as tmp:
        workdir = Path(tmp)
        if not args.skip_speed:
            bench_op_vs_pillow(args.rounds, workdir)
        if not args.skip_http:
            bench_end_to_end(args.rounds, workdir)
            bench_workers(max(2, args.rounds // 5), workdir)
        if not args.skip_memory:
            bench_memory(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
