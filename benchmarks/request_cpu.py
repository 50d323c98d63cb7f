"""CPU per small request inside the app, without an HTTP server (not run by CI).

    .venv/bin/python benchmarks/request_cpu.py [--trips 1000] [--profile]

The service app is called directly as a WSGI application on one thread, for the round trip
of ``startup.py``'s storage benchmark: a 1 KiB form upload, a QBox-signed ``/stat`` and a
``/_io`` download. Each request type's thread CPU time is summed, so what the server around
the app costs (and what other processes on the machine do) stays out of the figures.
Run for ``--ephemeral`` and the durable default; prints milliseconds of CPU per request.
The log is set up as ``serve`` sets it up (a line per request), written to /dev/null.
``--profile`` adds a cProfile of one more ephemeral run, sorted by cumulative time.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup import ACCESS_KEY, BUCKET, PAYLOAD, SECRET_KEY, form_body  # noqa: E402

from qiniu_fop.auth import Auth  # noqa: E402

from qiniu_emulator.app import create_app  # noqa: E402
from qiniu_emulator.cli import configure_logging  # noqa: E402
from qiniu_emulator.config import Settings  # noqa: E402
from qiniu_emulator.emulator import Emulator  # noqa: E402
from qiniu_emulator.s3.app import create_s3_app, route_s3_hosts  # noqa: E402

HOST = "127.0.0.1:25000"
WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def call(app: WsgiApp, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    """One request through the WSGI app; its body, or SystemExit on an error status."""
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "25000", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
        "wsgi.multiprocess": False, "wsgi.run_once": False, "wsgi.version": (1, 0),
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": HOST, "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in (headers or {}).items():
        if name.lower() == "content-type":
            environ["CONTENT_TYPE"] = value
        else:
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    status: list[str] = []
    out = app(environ, lambda line, _headers, _exc=None: status.append(line))
    data = b"".join(out)
    if hasattr(out, "close"):
        out.close()
    if not status[0].startswith("2"):
        raise SystemExit(f"{method} {path}: {status[0]} {data[:300]!r}")
    return data


def measure(ephemeral: bool, trips: int, profile: cProfile.Profile | None) -> dict[str, float]:
    """Milliseconds of thread CPU per request type over ``trips`` round trips."""
    home = Path(tempfile.mkdtemp(prefix="request-cpu-"))
    settings = Settings(data=home / "data", accounts=[(ACCESS_KEY, SECRET_KEY)], buckets=[BUCKET],
                        ephemeral=ephemeral)
    em = Emulator.build(settings)
    em.start()
    try:
        app = route_s3_hosts(create_app(emulator=em), create_s3_app(em))
        auth = Auth(ACCESS_KEY, SECRET_KEY)
        token = auth.upload_token(BUCKET)
        spent = {"upload": 0.0, "stat": 0.0, "download": 0.0}
        for i in range(trips):
            key = f"k{i}"
            body, content_type = form_body({"token": token, "key": key}, PAYLOAD)
            stat_path = "/stat/" + base64.urlsafe_b64encode(f"{BUCKET}:{key}".encode()).decode()
            signed = {"Authorization": f"QBox {auth.token_of_request(f'http://{HOST}{stat_path}')}"}
            requests = (("upload", "POST", "/", body, {"Content-Type": content_type}),
                        ("stat", "GET", stat_path, b"", signed),
                        ("download", "GET", f"/_io/{BUCKET}/{key}", b"", {}))
            for name, method, path, data, headers in requests:
                began = time.thread_time()
                if profile is not None:
                    profile.enable()
                answer = call(app, method, path, data, headers)
                if profile is not None:
                    profile.disable()
                spent[name] += time.thread_time() - began
                if name == "download" and answer != PAYLOAD:
                    raise SystemExit(f"download of {key} differs from the upload")
        return {name: seconds * 1000 / trips for name, seconds in spent.items()}
    finally:
        em.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trips", type=int, default=1000, help="round trips per mode")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one more ephemeral run")
    parser.add_argument("--lines", type=int, default=45, help="profile lines to print")
    args = parser.parse_args()
    # Thread CPU time, not wall time: on a shared machine a preempted call would look slow.
    profile = cProfile.Profile(time.thread_time) if args.profile else None
    configure_logging("INFO", open(os.devnull, "w"))  # noqa: SIM115 - for the whole run
    call_warm = max(20, args.trips // 20)
    print(f"CPU per request in the app (one thread, {args.trips} round trips of 1 KiB, "
          f"after {call_warm} to warm up):")
    for name, ephemeral in (("ephemeral", True), ("durable", False)):
        measure(ephemeral, call_warm, None)
        figures = measure(ephemeral, args.trips, None)
        parts = "  ".join(f"{kind} {ms:.3f} ms" for kind, ms in figures.items())
        print(f"  {name:<10} {parts}  = {sum(figures.values()):.3f} ms/trip")
    if profile is not None:  # a run of its own: the profiler slows what it watches
        measure(True, args.trips, profile)
        print("\nProfile of the ephemeral requests (thread CPU time):")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.lines)

if __name__ == "__main__":
    main()
