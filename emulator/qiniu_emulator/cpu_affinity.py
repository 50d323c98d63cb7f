"""The threads that serve requests share one CPU (Linux).

Python runs one thread at a time. Request threads on different cores hand that right to each
other at every socket read, SQLite step and file call, and each hand-off wakes a thread on
another core; on one core it is a plain switch. Measured on 2 cores with 4 clients of 1 KiB
upload + stat + download round trips: 429 -> 588 trips/s, and 2.32 -> 1.70 ms of server
CPU per trip. Work that does run in parallel (a sync fop's Pillow and ffmpeg, a body still
streaming in and being hashed) leaves that CPU while it runs, and children started
meanwhile get every CPU, as do the threads of pools a request starts (``unpin``). Job
workers are never pinned, nor are the admin port's threads: health should answer at once
while ops load every core, and it asks for no throughput.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator


def request_cpu() -> frozenset[int] | None:
    """The CPU for request threads: one this process may use, chosen by process id so that
    emulators sharing a machine spread over its CPUs; None off Linux or with a single CPU."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    return frozenset({allowed[os.getpid() % len(allowed)]})


def pin(cpus: frozenset[int] | None) -> None:
    """Keep the calling thread on ``cpus`` (None leaves it as it is)."""
    if cpus:
        try:
            os.sched_setaffinity(0, cpus)
        except OSError:  # a sandbox may forbid it: the thread runs anywhere, as unpinned
            pass


def unpin() -> None:
    """Let the calling thread run on every CPU of the process (a pool's thread initializer:
    a thread starts with the CPUs of the thread that started it)."""
    if hasattr(os, "sched_getaffinity"):
        pin(frozenset(os.sched_getaffinity(os.getpid())))


@contextmanager
def every_cpu() -> Iterator[None]:
    """Let the calling thread, and the children it starts, use every CPU of the process for
    the block; then put the thread back where it was."""
    if not hasattr(os, "sched_getaffinity"):
        yield
        return
    mine = os.sched_getaffinity(0)
    every = os.sched_getaffinity(os.getpid())  # the main thread's: it never serves requests
    if mine == every:
        yield
        return
    pin(frozenset(every))
    try:
        yield
    finally:
        pin(frozenset(mine))
