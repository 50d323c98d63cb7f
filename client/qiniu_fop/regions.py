"""Following a bucket's region, as the official SDKs do: ask uc which hosts serve the bucket
(``/v4/query``), keep the answer for its ``ttl``, and try a service's hosts in turn.

Only with ``Config.follow_regions``; otherwise every bucket uses the configured hosts.
pfop and prefop never follow a region: Dora is one host for every region, and the
official Python SDK sends them to its one api host too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .config import Config
from .http import ResponseInfo, request, request_json

#: The services whose hosts depend on the bucket's region.
SERVICES = ("up", "rs", "rsf", "io")


@dataclass(frozen=True)
class BucketHosts:
    """The hosts (``scheme://host[:port]``, main first) of each service of one bucket's region."""

    region: str
    up: tuple[str, ...]
    rs: tuple[str, ...]
    rsf: tuple[str, ...]
    io: tuple[str, ...]

    def of(self, service: str) -> tuple[str, ...]:
        hosts: tuple[str, ...] = getattr(self, service)
        return hosts


def _now() -> float:
    return time.monotonic()


def service_hosts(config: Config, access_key: str, bucket: str,
                  service: str) -> tuple[tuple[str, ...] | None, ResponseInfo | None]:
    """The hosts to try for ``service`` of ``bucket``: ``(hosts, None)``, or ``(None, info)``
    when the region query failed."""
    if not config.follow_regions:
        return (getattr(config, f"{service}_host"),), None
    found, info = bucket_hosts(config, access_key, bucket)
    return (found.of(service), None) if found is not None else (None, info)


def bucket_hosts(config: Config, access_key: str, bucket: str) -> tuple[BucketHosts | None, ResponseInfo | None]:
    """The bucket's hosts from the cache, or from a fresh ``/v4/query`` once the ttl has passed."""
    cache_key = (config.uc_host, access_key, bucket)
    cached = config.region_cache.get(cache_key)
    if cached is not None and cached[1] > _now():
        return cached[0], None
    url = f"{config.uc_host}/v4/query"
    ret, info = request_json(config, "GET", url, params={"ak": access_key, "bucket": bucket})
    try:
        hosts, ttl = _parse_query(ret, urlsplit(config.uc_host).scheme)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        if ret is not None:
            info.error = f"the region query's answer is not understood ({exc}): {info.text_body!r}"
        return None, info
    config.region_cache[cache_key] = (hosts, _now() + ttl)
    return hosts, None


def _parse_query(ret: Any, scheme: str) -> tuple[BucketHosts, int]:
    # The first entry of ``hosts`` is the bucket's own region.
    entry = ret["hosts"][0]
    found = {}
    for service in SERVICES:
        domains = entry[service]["domains"]
        if not domains or not all(isinstance(d, str) and d for d in domains):
            raise ValueError(f"no {service} domains")
        found[service] = tuple(d if "://" in d else f"{scheme}://{d}" for d in domains)
    ttl = entry["ttl"]
    if isinstance(ttl, bool) or not isinstance(ttl, int):
        raise ValueError(f"ttl {ttl!r} is not an integer")
    return BucketHosts(region=str(entry["region"]), **found), ttl


def request_on(config: Config, access_key: str, bucket: str, service: str, method: str, path: str,
               **kwargs: Any) -> ResponseInfo:
    """Send ``path`` to the bucket's ``service`` host, moving to the next host while the
    answer says another attempt may help (a connection failure or a retryable 5xx)."""
    hosts, failed = service_hosts(config, access_key, bucket, service)
    if hosts is None:
        assert failed is not None
        return failed
    for host in hosts:
        info = request(config, method, host + path, **kwargs)
        if not info.need_retry():
            break
    return info
