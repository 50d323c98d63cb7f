"""What a region host costs next to the main port (not run by CI).

    .venv/bin/python benchmarks/region_hosts.py [--requests 60]

Starts ``qiniu-emulator serve --regions z0,z2`` in a child process with the benchmark
bucket in z2, and times ``/stat`` and form uploads through ``qiniu_fop`` side by side:
pinned to the main port, and following the bucket's region (z2's rs and up hosts, where
each request is also checked against the bucket's region). Also times start-up until
healthy with and without ``--regions`` (median of three). Prints the medians and the region/main ratios.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

import qiniu_fop
from served import ACCESS_KEY, BUCKET, SECRET_KEY, free_port, start


def timed(call: Callable[[], object], count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def start_up(*extra: str, times: int = 3) -> float:
    """Median seconds from launch until the health check answers."""
    took = []
    for _ in range(times):
        started = time.perf_counter()
        proc = start(Path(tempfile.mkdtemp(prefix="region-bench-")) / "data", free_port(), *extra)
        took.append(time.perf_counter() - started)
        proc.terminate()
        proc.wait(60)
    return statistics.median(took)


def runs(url: str, count: int) -> dict[str, list[float]]:
    auth = qiniu_fop.Auth(ACCESS_KEY, SECRET_KEY)
    configs = {"main port": qiniu_fop.Config.for_url(url),
               "region hosts": qiniu_fop.Config(uc_host=url, api_host=url, follow_regions=True)}
    found: dict[str, list[float]] = {}
    for name, config in configs.items():
        manager = qiniu_fop.BucketManager(auth, config=config)

        def stat() -> None:
            assert manager.stat(BUCKET, "probe.txt")[1].status_code == 200

        def upload() -> None:
            token = auth.upload_token(BUCKET, "probe.txt")
            assert qiniu_fop.put_data(token, "probe.txt", b"hello", config=config)[1].status_code == 200

        timed(upload, 5)  # warm the connections and the region cache
        found[f"stat, {name}"] = timed(stat, count)
        found[f"upload, {name}"] = timed(upload, count)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    port = free_port()
    proc = start(Path(tempfile.mkdtemp(prefix="region-bench-")) / "data", port, "--regions", "z0,z2",
                 "--region-ports", "0", "--bucket", f"{BUCKET}@z2")
    try:
        found = runs(f"http://127.0.0.1:{port}", args.requests)
    finally:
        proc.terminate()
        proc.wait(60)
    plain, regional = start_up(), start_up("--regions", "z0,z2", "--region-ports", "0")
    print(f"qiniu_fop, {args.requests} requests per run (medians)")
    print(f"{'run':24} {'median ms':>10}")
    for name, times in found.items():
        print(f"{name:24} {statistics.median(times) * 1000:10.2f}")
    for op in ("stat", "upload"):
        ratio = statistics.median(found[f"{op}, region hosts"]) / statistics.median(found[f"{op}, main port"])
        print(f"{op}: region hosts / main port = {ratio:.2f}")
    print(f"start-up until healthy: {plain:.2f} s plain, {regional:.2f} s with --regions z0,z2 "
          f"(ratio {regional / plain:.2f})")


if __name__ == "__main__":
    main()
