"""Requests on a region host for a bucket of another region fail as they do on Qiniu.

Installed by ``app.py`` only with --regions. The main port serves every region (like
Qiniu's global hosts); a region port serves its own region's buckets, and answers 400
``incorrect region`` for the others (docs/regions.md §3). Dora (api) is one service for
every region, so pfop and prefop are accepted on any region's api host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, request

from ..encoding import decode_entry
from ..errors import NoSuchBucket, QiniuError
from ..regions import RegionHost, RegionLayout
from . import faults

if TYPE_CHECKING:
    from ..emulator import Emulator

# Operations that name a second bucket: Qiniu moves and copies only within a region.
TWO_BUCKET_OPS = ("rs.move", "rs.copy")


def install(app: Flask, em: "Emulator") -> None:
    layout = em.regions
    if layout is None:
        return

    @app.before_request
    def check_region() -> None:
        port = str(request.environ.get("SERVER_PORT", ""))
        host = layout.by_port(int(port)) if port.isdigit() else None
        facts = faults.describe(em)
        if facts is None or not facts.bucket:
            return
        if host is not None and host.service != "api":
            _check_home(em, layout, host, facts.bucket)
        if facts.endpoint in TWO_BUCKET_OPS:
            _check_same_region(em, facts.bucket)


def _region_of(em: "Emulator", bucket: str) -> str | None:
    try:
        return em.storage.get_bucket(bucket).region
    except NoSuchBucket:
        return None  # the handler answers 631


def _check_home(em: "Emulator", layout: RegionLayout, host: RegionHost, bucket: str) -> None:
    region = _region_of(em, bucket)
    if region is None or region == host.region or not layout.serves(region):
        return
    name = request.host.rpartition(":")[0] or request.host
    raise QiniuError.incorrect_region(f"{name}:{layout.ports(region, host.service)[0]}", bucket)


def _check_same_region(em: "Emulator", source: str) -> None:
    """move/copy: the destination bucket must be in the source's region (docs/regions.md §4)."""
    segments = str((request.view_args or {}).get("rest", "")).split("/")
    if len(segments) < 2:
        return
    try:
        target, _ = decode_entry(segments[1])
    except (QiniuError, ValueError):
        return  # the handler says why
    source_region, target_region = _region_of(em, source), _region_of(em, target)
    if source_region and target_region and source_region != target_region:
        operation = (request.view_args or {}).get("name", "move")
        raise QiniuError.bad_request(f"cross-region {operation} is not supported: {source} is in "
                                     f"{source_region}, {target} in {target_region}")
