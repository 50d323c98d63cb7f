"""The region hosts: one more listener per region port on the emulator's server, over the
same app and a gate of their own.

Which region and service a request reached is read from the port it came in on
(``RegionLayout.by_port``), so one app serves them all.
"""

from __future__ import annotations

from typing import Any

from .config import Settings
from .httpd.server import Server, gate
from .regions import SERVICES, RegionLayout


def listen_regions(server: Server, app: Any, settings: Settings, layout: RegionLayout | None,
                   tls_refusal: bytes) -> None:
    """Bind the region ports when regions are configured (an OSError when one is taken)."""
    if layout is None:
        return
    shared = gate(settings.threads)
    ports = [server.listen(app, settings.host, wanted, shared, tls_refusal=tls_refusal).port
             for wanted in layout.wanted_ports(settings.region_base_port())]
    layout.bind(ports)


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
