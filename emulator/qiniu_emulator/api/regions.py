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
from .context import current

if TYPE_CHECKING:
    from ..emulator import Emulator

# The endpoint families a region host serves for its own buckets only; uc is global and
# Dora (pfop, prefop) one service for every region.
REGIONAL = ("upload.", "rs.", "rsf.", "fetch.", "io.")


def install(app: Flask, em: "Emulator") -> None:
    layout = em.regions
    if layout is None:
        return

    @app.before_request
    def check_region() -> None:
        port = str(request.environ.get("SERVER_PORT", ""))
        host = layout.by_port(int(port)) if port.isdigit() else None
        if host is None or host.service == "api":
            return  # the main port serves every region; Dora every region too
        facts = current().facts(em)
        if facts is None or not facts.endpoint.startswith(REGIONAL):
            return
        buckets = _batch_buckets() if facts.endpoint == "rs.batch" else [facts.bucket] if facts.bucket else []
        for bucket in buckets:
            _check_home(em, layout, host, bucket)


def _batch_buckets() -> list[str]:
    """The buckets of a batch's operations (``op=/stat/<entry>...``), as far as they decode."""
    found: list[str] = []
    current().raw()  # cached first, so the handler's signature check still sees the body
    for op in request.values.getlist("op"):
        segments = op.split("/")
        try:
            bucket, _ = decode_entry(segments[2]) if len(segments) > 2 else ("", None)
        except (QiniuError, ValueError):
            continue  # the handler answers that operation's error
        if bucket and bucket not in found:
            found.append(bucket)
    return found


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


def check_same_region(em: "Emulator", operation: str, source: str, target: str) -> None:
    """move/copy: with --regions, both buckets must be in one region (docs/regions.md §4)."""
    if em.regions is None:
        return
    source_region, target_region = _region_of(em, source), _region_of(em, target)
    if source_region and target_region and source_region != target_region:
        raise QiniuError.bad_request(f"cross-region {operation} is not supported: {source} is in "
                                     f"{source_region}, {target} in {target_region}")
