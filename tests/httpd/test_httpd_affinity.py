"""Connection threads on one CPU (``cpu_affinity.py``): requests see that CPU, a body still
streaming in and a sync fop see every CPU, and so do the children they start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import Any

import pytest

from qiniu_emulator.config import Settings
from qiniu_emulator.cpu_affinity import every_cpu, pin, request_cpu
from qiniu_emulator.server import start_in_thread

from rawhttp import connect, read_answer

EVERY = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
pytestmark = pytest.mark.skipif(len(EVERY) < 2, reason="needs Linux and at least 2 CPUs to pin a thread to one")


def cpus_seen(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Answers the CPUs the serving thread may run on, after reading the whole body."""
    body = environ["wsgi.input"].read()
    answer = json.dumps({"cpus": sorted(os.sched_getaffinity(0)), "read": len(body)}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))])
    return [answer]


def ask(port: int, body: bytes = b"") -> dict[str, Any]:
    with connect(port) as sock:
        sock.sendall(b"POST /cpus HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        return json.loads(read_answer(sock.makefile("rb")).body)


def test_a_short_request_runs_on_the_request_cpu(serve) -> None:
    one = frozenset({EVERY[-1]})
    _, port = serve(cpus_seen, request_cpus=one)
    assert ask(port, b"small")["cpus"] == [EVERY[-1]]


def test_a_body_still_streaming_in_is_read_on_every_cpu(serve) -> None:
    _, port = serve(cpus_seen, request_cpus=frozenset({EVERY[0]}))
    seen = ask(port, b"x" * (1 << 20))  # past the 64 KiB read before the app runs
    assert seen == {"cpus": EVERY, "read": 1 << 20}


def test_without_request_cpus_connection_threads_run_anywhere(serve) -> None:
    _, port = serve(cpus_seen)
    assert ask(port, b"small")["cpus"] == EVERY


def test_every_cpu_lets_a_pinned_thread_and_its_children_use_every_cpu_then_pins_it_again() -> None:
    seen: dict[str, Any] = {}

    def pinned() -> None:
        pin(frozenset({EVERY[0]}))
        with every_cpu():
            seen["inside"] = sorted(os.sched_getaffinity(0))
            child = subprocess.run([sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
                                   capture_output=True, text=True, check=True)
            seen["child"] = json.loads(child.stdout)
        seen["after"] = sorted(os.sched_getaffinity(0))

    thread = threading.Thread(target=pinned)
    thread.start()
    thread.join(30)
    assert seen == {"inside": EVERY, "child": EVERY, "after": [EVERY[0]]}


def test_request_cpu_is_one_of_the_process_cpus() -> None:
    chosen = request_cpu()
    assert chosen is not None and len(chosen) == 1 and set(chosen) <= set(EVERY)


@pytest.mark.parametrize("pin_requests, pinned", [(True, True), (False, False)])
def test_the_emulator_pins_its_connection_threads_unless_told_not_to(tmp_path, pin_requests, pinned) -> None:
    import requests

    settings = Settings(data=tmp_path / "data", port=0, admin_port=0, s3_port=0, bucket_ports="off",
                        ephemeral=True, pin_requests=pin_requests)
    earlier = set(threading.enumerate())  # another test's server may still be ending its threads
    with start_in_thread(settings) as server:
        assert requests.get(server.url + "/_io/none/none", timeout=10).status_code in (401, 404, 612, 631)
        threads = [t for t in set(threading.enumerate()) - earlier if t.name == "qiniu-emulator-conn"]
        assert threads
        widths = {len(os.sched_getaffinity(t.native_id)) for t in threads}  # type: ignore[arg-type]
    assert widths == ({1} if pinned else {len(EVERY)})


def test_an_unpinned_port_such_as_the_admin_origin_serves_on_every_cpu(serve) -> None:
    _, port = serve(cpus_seen, request_cpus=frozenset({EVERY[0]}), pinned=False)
    assert ask(port, b"small")["cpus"] == EVERY


def test_a_pool_a_pinned_thread_starts_runs_on_every_cpu_through_unpin() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from qiniu_emulator.cpu_affinity import unpin

    seen: dict[str, Any] = {}

    def pinned() -> None:
        pin(frozenset({EVERY[0]}))
        for name, initializer in (("plain", None), ("unpinned", unpin)):
            with ThreadPoolExecutor(1, initializer=initializer) as pool:
                seen[name] = pool.submit(lambda: sorted(os.sched_getaffinity(0))).result(30)

    thread = threading.Thread(target=pinned)
    thread.start()
    thread.join(30)
    assert seen == {"plain": [EVERY[0]], "unpinned": EVERY}
