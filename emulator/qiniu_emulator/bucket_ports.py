"""Each bucket's own download port: a domain that is a plain ``host:port`` and reaches only
that bucket, for clients that treat a download domain as a host name (joining URLs onto
it, or refusing a path in it). Ports come from ``--bucket-ports`` and are remembered in
``<data>/bucket-ports.json``, so a bucket keeps its port across restarts when it is free.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

PORTS_FILE = "bucket-ports.json"
# Set by the bucket's listener on every request it passes on: the bucket it serves.
BUCKET_ENVIRON = "qiniu_emulator.bucket"

log = logging.getLogger("qiniu_emulator")

Opener = Callable[[str, int], tuple[int, Any]]  # (bucket, wanted port) -> (bound port, handle)
Closer = Callable[[Any], None]


def parse_port_range(text: str) -> str:
    """``off``, ``auto`` (free ports) or ``START-END``; checked here, read by :class:`BucketPorts`."""
    value = text.strip().lower()
    if value in ("off", "auto"):
        return value
    start, sep, end = value.partition("-")
    if not sep or not start.isdigit() or not end.isdigit() or not 1 <= int(start) <= int(end) <= 65535:
        raise ValueError(f"bucket ports must be off, auto or START-END (1-65535), got {text!r}")
    return value


@dataclass
class BucketPorts:
    """Which port serves which bucket; listeners are opened through the server's ``opener``."""

    data_dir: Path
    spec: str  # off, auto or START-END
    _opener: Opener | None = None
    _closer: Closer | None = None
    _ports: dict[str, int] = field(default_factory=dict)
    _handles: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, opener: Opener, closer: Closer, buckets: list[str]) -> None:
        """Called once the server listens: open a port for every bucket there is."""
        self._opener, self._closer = opener, closer
        for bucket in buckets:
            self.open(bucket)

    def port_of(self, bucket: str) -> int | None:
        with self._lock:
            return self._ports.get(bucket)

    def served(self) -> dict[str, int]:
        with self._lock:
            return dict(self._ports)

    def open(self, bucket: str) -> int | None:
        """Give ``bucket`` its port (the remembered one when free); None when off or none is free."""
        if self.spec == "off" or self._opener is None:
            return None
        with self._lock:
            if bucket in self._ports:
                return self._ports[bucket]
            remembered = self._remembered()
            for wanted in self._candidates(bucket, remembered):
                try:
                    port, handle = self._opener(bucket, wanted)
                except OSError:
                    continue
                self._ports[bucket], self._handles[bucket] = port, handle
                self._remember({**remembered, bucket: port})
                return port
        log.warning("no free port for bucket %s in --bucket-ports %s: use its path-style domain", bucket, self.spec)
        return None

    def close(self, bucket: str) -> None:
        """A dropped bucket's port stops answering (and is forgotten)."""
        with self._lock:
            handle = self._handles.pop(bucket, None)
            self._ports.pop(bucket, None)
            remembered = self._remembered()
            remembered.pop(bucket, None)
            self._remember(remembered)
        if handle is not None and self._closer is not None:
            self._closer(handle)

    def _candidates(self, bucket: str, remembered: dict[str, int]) -> list[int]:
        previous = remembered.get(bucket)
        if self.spec == "auto":
            return [previous, 0] if previous else [0]
        start, _, end = self.spec.partition("-")
        taken = {port for name, port in remembered.items() if name != bucket} | set(self._ports.values())
        span = [p for p in range(int(start), int(end) + 1) if p not in taken]
        return ([previous] if previous in span else []) + [p for p in span if p != previous]

    def _remembered(self) -> dict[str, int]:
        path = self.data_dir / PORTS_FILE
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, int)} if isinstance(data, dict) else {}

    def _remember(self, ports: dict[str, int]) -> None:
        path = self.data_dir / PORTS_FILE
        scratch = path.with_suffix(".tmp")
        scratch.write_text(json.dumps(ports, sort_keys=True), "utf-8")
        os.replace(scratch, path)


class BucketOnly:
    """The WSGI app of a bucket's port: the service app, told which bucket this port serves."""

    def __init__(self, app: Any, bucket: str) -> None:
        self.app, self.bucket = app, bucket

    def __call__(self, environ: dict, start_response: Any) -> Any:
        environ[BUCKET_ENVIRON] = self.bucket
        return self.app(environ, start_response)
