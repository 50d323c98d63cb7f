"""The S3 door against moto_server, with the same boto3 workload (not run by CI).

    .venv/bin/pip install -e '.[bench]'      # moto[server]
    .venv/bin/python benchmarks/s3_ops.py [--rounds 3] [--small 300] [--keys 10000]

Both servers run as child processes on loopback; rounds alternate which goes first. Per round:

- small objects: PUT, HEAD and GET of ``--small`` 4 KiB objects, in ops per second
  (target: the emulator >= 1.5x moto's);
- a 64 MiB multipart upload (8 MiB parts, boto3's transfer manager), in MiB per second (>= 1x);
- ListObjectsV2 of ``--keys`` keys, 1000 a page, in keys per second (>= 1x).

The emulator verifies every signature and payload hash and fsyncs each object before it
answers; moto checks no signature and keeps objects in memory. Prints medians and ratios.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import requests
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from served import ACCESS_KEY, BUCKET, SECRET_KEY, free_port, start

SMALL = os.urandom(4096)
BIG = os.urandom(64 << 20)
PARTS = TransferConfig(multipart_threshold=8 << 20, multipart_chunksize=8 << 20, max_concurrency=4)


def client(url: str):
    return boto3.client("s3", endpoint_url=url, region_name="cn-east-1", aws_access_key_id=ACCESS_KEY,
                        aws_secret_access_key=SECRET_KEY,
                        config=Config(retries={"max_attempts": 1}, max_pool_connections=8))


def start_moto(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto_server did not start")


def timed(work: Callable[[], int]) -> float:
    """Units of work per second."""
    began = time.perf_counter()
    units = work()
    return units / (time.perf_counter() - began)


def small_objects(s3, count: int, round_no: int) -> dict[str, float]:
    keys = [f"small/{round_no}/{i:05d}" for i in range(count)]
    put = timed(lambda: [s3.put_object(Bucket=BUCKET, Key=k, Body=SMALL) for k in keys] and count)
    head = timed(lambda: [s3.head_object(Bucket=BUCKET, Key=k) for k in keys] and count)
    get = timed(lambda: [s3.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in keys] and count)
    return {"small PUT ops/s": put, "small HEAD ops/s": head, "small GET ops/s": get}


def multipart(s3, round_no: int) -> dict[str, float]:
    def upload() -> int:
        s3.upload_fileobj(io.BytesIO(BIG), BUCKET, f"big/{round_no}", Config=PARTS)
        return 64

    return {"64 MiB multipart MiB/s": timed(upload)}


def populate(s3, keys: int) -> None:
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: s3.put_object(Bucket=BUCKET, Key=f"list/{i:06d}", Body=b""), range(keys)))


def listing(s3, keys: int) -> dict[str, float]:
    def list_all() -> int:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="list/")
        found = sum(len(page.get("Contents", [])) for page in pages)
        assert found == keys, found
        return found

    return {f"ListObjectsV2 of {keys} keys/s": timed(list_all)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--small", type=int, default=300)
    parser.add_argument("--keys", type=int, default=10000)
    args = parser.parse_args()
    ports = {"emulator": free_port(), "moto": free_port()}
    s3_port = free_port()
    procs = [start(Path(tempfile.mkdtemp(prefix="s3-bench-")) / "data", ports["emulator"], "--s3-port", str(s3_port)),
             start_moto(ports["moto"])]
    try:
        clients = {"emulator": client(f"http://127.0.0.1:{s3_port}"), "moto": client(f"http://127.0.0.1:{ports['moto']}")}
        clients["moto"].create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-east-1"})
        for s3 in clients.values():
            populate(s3, args.keys)
        results: dict[str, dict[str, list[float]]] = {name: {} for name in clients}
        for round_no in range(args.rounds):
            order = list(clients) if round_no % 2 == 0 else list(clients)[::-1]
            for name in order:
                s3 = clients[name]
                for figures in (small_objects(s3, args.small, round_no), multipart(s3, round_no),
                                listing(s3, args.keys)):
                    for metric, value in figures.items():
                        results[name].setdefault(metric, []).append(value)
        report(results, args.rounds)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)


def report(results: dict[str, dict[str, list[float]]], rounds: int) -> None:
    print(f"median of {rounds} rounds; emulator / moto (higher is better for the emulator)")
    for metric in results["emulator"]:
        ours, theirs = (statistics.median(results[n][metric]) for n in ("emulator", "moto"))
        target = 1.5 if metric.startswith("small") else 1.0
        verdict = "meets" if ours / theirs >= target else "misses"
        print(f"  {metric:32s} emulator {ours:10.1f}  moto {theirs:10.1f}  ratio {ours / theirs:5.2f}"
              f"  (target >= {target}: {verdict})")


if __name__ == "__main__":
    main()
