"""The region hosts: one waitress server listening on every region port, over the same app.

Which region and service a request reached is read from the port it came in on
(``RegionLayout.by_port``), so one app serves them all.
"""

from __future__ import annotations

import threading
from typing import Any

from waitress import wasyncore
from waitress.server import BaseWSGIServer

from .config import Settings
from .regions import SERVICES, RegionLayout
from .tls import plain_http_server


class RegionListener:
    """The bound region ports and the thread serving them."""

    def __init__(self, app: Any, settings: Settings, layout: RegionLayout, lookahead: int) -> None:
        ports = layout.wanted_ports(settings.region_base_port())
        listen = " ".join(f"{_bracketed(settings.host)}:{port}" for port in ports)
        # A MultiSocketServer: ten or more sockets, one loop.
        self._server = plain_http_server(app, settings.threads, lookahead, listen=listen)
        self._sockets: list[Any] = [d for d in self._server.map.values() if isinstance(d, BaseWSGIServer)]
        layout.bind([int(port) for _, port in self._server.effective_listen])
        self._thread = threading.Thread(target=self._server.run, name="qiniu-emulator-regions", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Close every region socket on the loop's own thread, then let requests in flight end."""
        if self._thread.is_alive():
            self._sockets[0].trigger.pull_trigger(lambda: wasyncore.close_all(self._server.map))
            self._thread.join(timeout)
        else:
            wasyncore.close_all(self._server.map)
        self._server.task_dispatcher.shutdown(timeout=timeout)


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def listen_regions(app: Any, settings: Settings, layout: RegionLayout | None, lookahead: int) -> RegionListener | None:
    """Bind the region ports when regions are configured (an OSError when one is taken)."""
    return None if layout is None else RegionListener(app, settings, layout, lookahead)


def region_lines(layout: RegionLayout | None, host: str) -> list[str]:
    """The banner's line per region: each service's main host, its backup port in brackets."""
    if layout is None:
        return []
    lines = []
    for region in layout.regions:
        hosts = [f"{service} {host}:{ports[0]} [{ports[1]}]"
                 for service in SERVICES for ports in [layout.ports(region, service)]]
        lines.append(f"  {region:<9}: " + ", ".join(hosts))
    return lines


def bucket_label(layout: RegionLayout | None, name: str, region: str) -> str:
    """How the banner lists a bucket: ``name@region`` once regions are served."""
    return f"{name}@{region}" if layout is not None else name
