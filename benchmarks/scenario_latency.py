"""What latency rules add to a request, and what rules cost when they do not match
(not run by CI).

    .venv/bin/python benchmarks/scenario_latency.py [--requests 40] [--seconds 0.2]

Starts ``qiniu-emulator serve`` in a child process and times ``/stat`` requests through
the official SDK, side by side: with no rule; with ten rules in force that match other
keys (the cost of naming each request); with ``latency: <seconds>``; and with
``latency: {uniform: [0, 2 * seconds]}`` (the same mean). Prints the medians, what each
latency rule added over the baseline, and that added time as a ratio of the asked one
(1.00 is exact).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import qiniu
import requests
from served import ACCESS_KEY, ADMIN_WRITE, BUCKET, SECRET_KEY, admin_url, free_port, start


def stat_times(manager: qiniu.BucketManager, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        ret, info = manager.stat(BUCKET, "probe.txt")
        times.append(time.perf_counter() - started)
        assert info.status_code == 200, info
    return times


def with_rules(admin: str, rules: list[dict], manager: qiniu.BucketManager, count: int) -> list[float]:
    requests.post(f"{admin}/_emulator/scenarios", json=rules, headers=ADMIN_WRITE, timeout=10).raise_for_status()
    try:
        return stat_times(manager, count)
    finally:
        requests.delete(f"{admin}/_emulator/scenarios", headers=ADMIN_WRITE, timeout=10).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=0.2)
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start(Path(tempfile.mkdtemp(prefix="scenario-bench-")) / "data", port)
    try:
        qiniu.config.set_default(default_rs_host=url, default_uc_host=url, default_query_region_host=url)
        auth = qiniu.Auth(ACCESS_KEY, SECRET_KEY)
        qiniu.put_data(auth.upload_token(BUCKET, "probe.txt"), "probe.txt", b"hello")
        manager = qiniu.BucketManager(auth)
        stat_times(manager, 5)  # warm the connection and the region cache
        runs = {
            "no rule": stat_times(manager, args.requests),
            "10 other rules": with_rules(admin_url(port), [{"endpoint": "rs.stat", "key": f"other-{n}", "answer": 599}
                                               for n in range(10)], manager, args.requests),
            f"latency {args.seconds:g} s": with_rules(admin_url(port), [{"endpoint": "rs.stat", "latency": args.seconds}],
                                                      manager, args.requests),
            f"uniform 0-{2 * args.seconds:g} s": with_rules(
                admin_url(port), [{"endpoint": "rs.stat", "latency": {"uniform": [0, 2 * args.seconds]}, "seed": 1}],
                manager, args.requests),
        }
    finally:
        proc.terminate()
        proc.wait(60)
    base = statistics.median(runs["no rule"])
    print(f"/stat through the official SDK, {args.requests} requests per run (medians)")
    print(f"{'run':22} {'median ms':>10} {'added ms':>10} {'vs asked':>9}")
    for name, times in runs.items():
        median = statistics.median(times)
        asked = args.seconds if name.startswith(("latency", "uniform")) else 0.0
        ratio = f"{(median - base) / asked:9.2f}" if asked else f"{median / base:8.2f}x"
        print(f"{name:22} {median * 1000:10.1f} {(median - base) * 1000:10.1f} {ratio}")


if __name__ == "__main__":
    main()
