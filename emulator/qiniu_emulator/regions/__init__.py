"""Regions: which ports serve which region's services, and which region a bucket lives in.

Without ``--regions`` there is no layout and every service of every bucket is the main
port, as before. With it, each region gets its own up, io, rs, rsf and api hosts (a
primary and a backup port each); uc stays on the main port. Nothing here knows HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Qiniu's region ids (docs/regions.md §1).
KNOWN_REGIONS = ("z0", "cn-east-2", "z1", "z2", "na0", "as0", "ap-southeast-2", "ap-southeast-3")
# The per-region services, in port order; uc is global and stays on the main port.
SERVICES = ("up", "io", "rs", "rsf", "api")
PORTS_PER_REGION = 2 * len(SERVICES)
# The region a bucket is made in when no region is named (Qiniu's default, docs/regions.md §1).
DEFAULT_REGION = "z0"


def parse_regions(text: str) -> list[str]:
    """``z0,z2`` (commas or spaces) -> the region ids, each known and named once."""
    ids = [part for part in text.replace(",", " ").split() if part]
    for region in ids:
        if region not in KNOWN_REGIONS:
            raise ValueError(f"unknown region {region!r} (known: {', '.join(KNOWN_REGIONS)})")
    if len(set(ids)) != len(ids):
        raise ValueError(f"a region is named twice in {text!r}")
    return ids


def split_bucket(text: str) -> tuple[str, str | None]:
    """``name@z2`` -> (name, region); a plain name has no region."""
    name, sep, region = text.partition("@")
    if sep and region not in KNOWN_REGIONS:
        raise ValueError(f"unknown region {region!r} in {text!r} (known: {', '.join(KNOWN_REGIONS)})")
    return name, (region if sep else None)


@dataclass(frozen=True)
class RegionHost:
    """One listening port: the service of a region it serves, and whether it is the backup."""

    region: str
    service: str
    backup: bool
    port: int

    @property
    def label(self) -> str:
        """``up-z2`` or ``up-z2-backup``: the name scenario rules match (after Qiniu's host names)."""
        return f"{self.service}-{self.region}" + ("-backup" if self.backup else "")


@dataclass
class RegionLayout:
    """The configured regions and, once bound, the port of each of their hosts."""

    regions: list[str]
    hosts: list[RegionHost] = field(default_factory=list)

    @property
    def default_region(self) -> str:
        return self.regions[0]

    def wanted_ports(self, base: int) -> list[int]:
        """The ports to bind, in layout order (region by region; primaries, then backups);
        ``base`` 0 asks for free ports."""
        count = len(self.regions) * PORTS_PER_REGION
        return [0] * count if base == 0 else list(range(base, base + count))

    def bind(self, ports: list[int]) -> None:
        """Record the ports actually bound, in the order :meth:`wanted_ports` gave."""
        self.hosts = []
        for index, port in enumerate(ports):
            region = self.regions[index // PORTS_PER_REGION]
            slot = index % PORTS_PER_REGION
            self.hosts.append(RegionHost(region, SERVICES[slot % len(SERVICES)], slot >= len(SERVICES), port))

    def by_port(self, port: int) -> RegionHost | None:
        for host in self.hosts:
            if host.port == port:
                return host
        return None

    def serves(self, region: str) -> bool:
        return region in self.regions

    def ports(self, region: str, service: str) -> list[int]:
        """The primary port of a region's service, then its backup."""
        found = [h for h in self.hosts if h.region == region and h.service == service]
        return [h.port for h in sorted(found, key=lambda h: h.backup)]

    def accepts(self, region: str) -> str:
        """``region`` if buckets may be made there; ValueError naming the configured ones."""
        if region not in self.regions:
            raise ValueError(f"region {region!r} is not served (--regions {','.join(self.regions)})")
        return region


def home_region(layout: RegionLayout | None, region: str | None) -> str:
    """Where a new bucket goes: the region asked for (one served, with --regions), else the
    default; ValueError names what is wrong."""
    if layout is None:
        if region and region not in KNOWN_REGIONS:
            raise ValueError(f"unknown region {region!r} (known: {', '.join(KNOWN_REGIONS)})")
        return region or DEFAULT_REGION
    return layout.accepts(region) if region else layout.default_region
