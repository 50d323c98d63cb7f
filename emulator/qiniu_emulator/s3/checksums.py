"""The flexible checksums S3 clients send (``x-amz-checksum-<algorithm>``), computed as bytes go by.

boto3 >= 1.36 and the other AWS SDKs send a CRC32 by default, in a header or an aws-chunked
trailer (docs/s3.md §3). CRC32 comes from zlib; CRC32C and CRC64NVME are table-driven here
(slower, and only computed when a client asks for them).
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from typing import Callable

ALGORITHMS = ("crc32", "crc32c", "crc64nvme", "sha1", "sha256")
HEADER_PREFIX = "x-amz-checksum-"


def _reflected_table(poly: int) -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return table


class _TableCrc:
    """A reflected CRC with all-ones init and final xor (CRC32C, CRC64NVME)."""

    def __init__(self, poly: int, width: int) -> None:
        self._table = _reflected_table(poly)
        self._mask = (1 << width) - 1
        self._width = width
        self._crc = self._mask

    def update(self, data: bytes) -> None:
        crc, table = self._crc, self._table
        for byte in data:
            crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
        self._crc = crc

    def digest(self) -> bytes:
        return ((self._crc ^ self._mask) & self._mask).to_bytes(self._width // 8, "big")


class _Crc32:
    def __init__(self) -> None:
        self._crc = 0

    def update(self, data: bytes) -> None:
        self._crc = zlib.crc32(data, self._crc)

    def digest(self) -> bytes:
        return self._crc.to_bytes(4, "big")


_FACTORIES: dict[str, Callable[[], object]] = {
    "crc32": _Crc32,
    "crc32c": lambda: _TableCrc(0x82F63B78, 32),
    "crc64nvme": lambda: _TableCrc(0x9A6C9329AC4BC9B5, 64),
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
}


class Checksum:
    """One algorithm's running checksum; ``value()`` is the base64 text S3 headers carry."""

    def __init__(self, algorithm: str) -> None:
        self.algorithm = algorithm
        self._state = _FACTORIES[algorithm]()

    def update(self, data: bytes) -> None:
        self._state.update(data)  # type: ignore[attr-defined]

    def value(self) -> str:
        return base64.b64encode(self._state.digest()).decode("ascii")  # type: ignore[attr-defined]

    @property
    def header(self) -> str:
        return HEADER_PREFIX + self.algorithm


def algorithm_of(header_name: str) -> str | None:
    """``crc32`` for ``x-amz-checksum-crc32``; None for anything else."""
    name = header_name.strip().lower()
    if name.startswith(HEADER_PREFIX) and name[len(HEADER_PREFIX):] in ALGORITHMS:
        return name[len(HEADER_PREFIX):]
    return None
