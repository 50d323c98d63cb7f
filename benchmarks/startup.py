"""Start-up, idle memory and small-object speed, side by side with moto_server (not run by CI).

    .venv/bin/python -m pip install -e '.[bench]'
    .venv/bin/python benchmarks/startup.py [--starts 5] [--seconds 5]

In one run, alternating start by start so both see the same machine load:

- start-to-healthy: a fresh ``qiniu-emulator serve`` (empty data dir) until
  ``/_emulator/health`` answers 200, vs a fresh ``moto_server`` until ``/`` answers 200
  (target ratio <= 0.8);
- idle RSS of each process once healthy (target ratio <= 1.0);
- ``qiniu-emulator lint imageView2/1/w/200`` wall time (target < 0.15 s on a quiet machine);
- small-object round trips, 4 threads, raw HTTP (``http.client`` keep-alive connections): upload + stat +
  download of 1 KiB. The emulator uploads by form POST, stats with a QBox-signed
  ``/stat`` and downloads from ``/_io``; moto gets PUT, HEAD and GET. Run for ``--ephemeral``
  (target >= 3x moto's rate) and the durable default (target >= 1.5x).

Both servers run from compiled bytecode: moto's comes with its installed wheel, the
emulator's (an editable install) is compiled first, as a first run would write it, so a
``PYTHONDONTWRITEBYTECODE`` environment does not time the compiler.

Prints each median and the ratios.
"""

from __future__ import annotations

import argparse
import base64
import compileall
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from served import free_port  # noqa: E402

from qiniu_fop.auth import Auth  # noqa: E402

ACCESS_KEY, SECRET_KEY = "bench-ak", "bench-sk"
BUCKET = "bench-bucket"
PAYLOAD = os.urandom(1024)
THREADS = 4


@dataclass
class Started:
    proc: subprocess.Popen[bytes]
    url: str
    seconds: float
    home: Path

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        """User + system CPU the server process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.home, ignore_errors=True)


def _wait(proc: subprocess.Popen[bytes], url: str, began: float, home: Path) -> Started:
    deadline = began + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return Started(proc, url.rsplit("/", 1)[0] if url.endswith("/") else url, time.monotonic() - began,
                               home)
        except requests.ConnectionError:
            pass
        time.sleep(0.005)
    proc.kill()
    raise SystemExit(f"{proc.args} did not become healthy")


def start_emulator(*extra: str) -> Started:
    home, port = Path(tempfile.mkdtemp(prefix="bench-start-")), free_port()
    argv = [sys.executable, "-m", "qiniu_emulator", "serve", "--port", str(port), "--data", str(home / "data"),
            "--account", f"{ACCESS_KEY}:{SECRET_KEY}", "--bucket", BUCKET, "--log-level", "WARNING",
            # bucket ports from the kernel: the fixed block above a kernel-chosen port may be
            # held by the benchmark's own client connections
            "--bucket-ports", "auto", *extra]
    began = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = _wait(proc, f"http://127.0.0.1:{port + 2}/_emulator/health", began, home)  # the admin port
    started.url = f"http://127.0.0.1:{port}"
    return started


def start_moto() -> Started:
    exe = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    if not Path(exe).exists():
        raise SystemExit("moto_server not found: pip install -e '.[bench]'")
    home, port = Path(tempfile.mkdtemp(prefix="bench-moto-")), free_port()
    began = time.monotonic()
    proc = subprocess.Popen([exe, "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=home)
    started = _wait(proc, f"http://127.0.0.1:{port}/", began, home)
    started.url = f"http://127.0.0.1:{port}"
    return started


def startup(starts: int) -> None:
    times: dict[str, list[float]] = {"emulator": [], "moto": []}
    rss: dict[str, list[float]] = {"emulator": [], "moto": []}
    for _ in range(starts):
        for name, begin in (("emulator", start_emulator), ("moto", start_moto)):
            started = begin()
            try:
                times[name].append(started.seconds)
                time.sleep(1.0)  # idle: let start-up threads settle
                rss[name].append(started.rss_mb())
            finally:
                started.stop()
    emu_t, moto_t = statistics.median(times["emulator"]), statistics.median(times["moto"])
    emu_m, moto_m = statistics.median(rss["emulator"]), statistics.median(rss["moto"])
    print(f"start-to-healthy  emulator {emu_t:.3f} s  moto {moto_t:.3f} s  ratio {emu_t / moto_t:.2f} "
          f"(target <= 0.80)  [median of {starts}]")
    print(f"idle RSS          emulator {emu_m:.1f} MB  moto {moto_m:.1f} MB  ratio {emu_m / moto_m:.2f} "
          f"(target <= 1.00)")


def lint_time(runs: int) -> None:
    argv = [str(Path(sys.executable).with_name("qiniu-emulator")), "lint", "imageView2/1/w/200"]
    walls = []
    for _ in range(runs):
        began = time.monotonic()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.monotonic() - began)
    bare = []
    for _ in range(runs):
        began = time.monotonic()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.monotonic() - began)
    print(f"lint wall         {statistics.median(walls):.3f} s  (target < 0.150; a bare interpreter "
          f"starts in {statistics.median(bare):.3f} s here)")


class Raw:
    """One keep-alive connection speaking plain ``http.client``: the client's own CPU per
    request stays small, so on a 2-core machine the rate measures the server, not the client
    (``requests`` spent about 2.8 ms of client CPU per round trip, half a core at 190 trips/s)."""

    def __init__(self, url: str) -> None:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        self.connection = http.client.HTTPConnection(host, int(port), timeout=30)

    def call(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
             ) -> tuple[int, bytes]:
        self.connection.request(method, path, body=body or None, headers=headers or {})
        answer = self.connection.getresponse()
        return answer.status, answer.read()

    def close(self) -> None:
        self.connection.close()


def checked(status_and_body: tuple[int, bytes]) -> bytes:
    status, body = status_and_body
    if status >= 300:
        raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
    return body


def form_body(fields: dict[str, str], payload: bytes) -> tuple[bytes, str]:
    """A multipart/form-data upload body (the form fields, then the file) and its content type."""
    boundary = "bench" + os.urandom(8).hex()
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + payload + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def emulator_round_trip(url: str) -> Callable[[Raw, str], None]:
    auth = Auth(ACCESS_KEY, SECRET_KEY)
    token = auth.upload_token(BUCKET)

    def one(raw: Raw, key: str) -> None:
        body, content_type = form_body({"token": token, "key": key}, PAYLOAD)
        checked(raw.call("POST", "/", body, {"Content-Type": content_type}))
        entry = base64.urlsafe_b64encode(f"{BUCKET}:{key}".encode()).decode()
        stat_path = f"/stat/{entry}"
        checked(raw.call("GET", stat_path, headers={"Authorization": f"QBox {auth.token_of_request(url + stat_path)}"}))
        if checked(raw.call("GET", f"/_io/{BUCKET}/{key}")) != PAYLOAD:
            raise RuntimeError(f"download of {key} differs from the upload")

    return one


# moto does not check signatures but reads the access key from the header (anonymous
# requests are refused), so a well-formed header with a dummy signature is enough.
MOTO_AUTH = {"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, "
                              "SignedHeaders=host, Signature=" + "0" * 64}


def moto_round_trip(url: str) -> Callable[[Raw, str], None]:
    requests.put(f"{url}/{BUCKET}", headers=MOTO_AUTH).raise_for_status()

    def one(raw: Raw, key: str) -> None:
        checked(raw.call("PUT", f"/{BUCKET}/{key}", PAYLOAD, MOTO_AUTH))
        checked(raw.call("HEAD", f"/{BUCKET}/{key}", headers=MOTO_AUTH))
        if checked(raw.call("GET", f"/{BUCKET}/{key}", headers=MOTO_AUTH)) != PAYLOAD:
            raise RuntimeError(f"download of {key} differs from the upload")

    return one


def rate(url: str, one: Callable[[Raw, str], None], seconds: float) -> tuple[float, int]:
    """Round trips per second over ``THREADS`` threads for ``seconds``, and how many were made."""
    counts = [0] * THREADS
    stop = time.monotonic() + seconds
    errors: list[BaseException] = []

    def work(slot: int) -> None:
        raw = Raw(url)
        try:
            while time.monotonic() < stop:
                one(raw, f"t{slot}/{counts[slot]}")
                counts[slot] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            raw.close()

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(THREADS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"round trip failed: {errors[0]!r}")
    return sum(counts) / (time.monotonic() - began), sum(counts)


def storage_speed(seconds: float, rounds: int) -> None:
    """Round trips per second, and the server's CPU per round trip: on a loaded machine the
    rate also measures how long each thread waits for a core, the CPU does not."""
    rates: dict[str, list[float]] = {"ephemeral": [], "durable": [], "moto": []}
    cpu: dict[str, list[float]] = {name: [] for name in rates}
    for _ in range(rounds):
        for name in rates:
            started = start_moto() if name == "moto" else start_emulator(
                *(["--ephemeral"] if name == "ephemeral" else []))
            try:
                one = (moto_round_trip if name == "moto" else emulator_round_trip)(started.url)
                before = started.cpu_seconds()
                per_second, trips = rate(started.url, one, seconds)
                rates[name].append(per_second)
                cpu[name].append((started.cpu_seconds() - before) / max(trips, 1) * 1000)
            finally:
                started.stop()
    moto, moto_cpu = statistics.median(rates["moto"]), statistics.median(cpu["moto"])
    print(f"1 KiB round trips ({THREADS} threads, upload+stat+download per trip, median of {rounds} runs "
          f"of {seconds:g} s):")
    print(f"  moto       {moto:8.1f} /s              server CPU {moto_cpu:.2f} ms/trip")
    for name, target in (("ephemeral", 3.0), ("durable", 1.5)):
        mine, mine_cpu = statistics.median(rates[name]), statistics.median(cpu[name])
        print(f"  {name:<10} {mine:8.1f} /s  ratio {mine / moto:.2f} (target >= {target:.1f})  "
              f"server CPU {mine_cpu:.2f} ms/trip, moto's / this {moto_cpu / mine_cpu:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=5, help="fresh starts of each server")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one round-trip run")
    parser.add_argument("--rounds", type=int, default=3, help="round-trip runs of each server")
    parser.add_argument("--only", choices=("startup", "lint", "storage"), action="append")
    args = parser.parse_args()
    import qiniu_emulator

    compileall.compile_dir(str(Path(qiniu_emulator.__file__).parent), quiet=1)
    parts = args.only or ["startup", "lint", "storage"]
    if "startup" in parts:
        startup(args.starts)
    if "lint" in parts:
        lint_time(args.starts)
    if "storage" in parts:
        storage_speed(args.seconds, args.rounds)


if __name__ == "__main__":
    main()
