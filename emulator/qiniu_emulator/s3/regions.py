"""Kodo's region ids and the S3 region ids of the same regions (docs/s3.md §2)."""

from __future__ import annotations

import re

KODO_TO_S3 = {"z0": "cn-east-1", "cn-east-2": "cn-east-2", "z1": "cn-north-1", "z2": "cn-south-1",
              "na0": "us-north-1", "as0": "ap-southeast-1", "ap-northeast-1": "ap-northeast-1"}
S3_TO_KODO = {s3: kodo for kodo, s3 in KODO_TO_S3.items()}
DEFAULT_KODO_REGION = "z0"
_ENDPOINT = re.compile(r"(?:^|\.)s3[.-]([a-z0-9-]+)\.")


def is_s3_label(label: str) -> bool:
    """``s3`` or ``s3-<S3 region id>``: the label that makes a host name an S3 endpoint (docs/s3.md §2)."""
    return label == "s3" or (label.startswith("s3-") and label[3:] in S3_TO_KODO)


def s3_region(kodo_region: str) -> str:
    return KODO_TO_S3.get(kodo_region, kodo_region)


def kodo_region(region: str) -> str:
    """The Kodo region an S3 region id (or a Kodo id) names; the default for anything else."""
    if region in KODO_TO_S3:
        return region
    return S3_TO_KODO.get(region, DEFAULT_KODO_REGION)


def region_of_host(host: str) -> str:
    """``cn-east-1`` of ``s3-cn-east-1.qiniucs.com`` or ``s3.cn-east-1.qiniucs.com`` (or of a
    ``<bucket>.`` form); "" otherwise."""
    found = _ENDPOINT.search(host.rsplit(":", 1)[0].lower())
    return found.group(1) if found else ""
