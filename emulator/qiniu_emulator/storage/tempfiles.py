"""Files being written under ``<data>/tmp``, hashed as the bytes go by."""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import zlib
from pathlib import Path
from contextlib import contextmanager
from typing import IO, Iterator

from ..encoding import EtagHasher
from ..errors import QiniuError
from .durability import DURABLE, Durability

CHUNK_SIZE = 1 << 20
HEAD_BYTES = 16  # kept for MIME sniffing, so it need not read the file again


class TempFile:
    """A file under the temp directory that computes qetag, MD5 and CRC-32 while written.

    Use as a context manager: on an exception the file is removed unless it has been
    handed over (committed); on a normal exit it is closed (flushed and fsynced).
    """

    def __init__(self, directory: Path, prefix: str = "up-", durability: Durability = DURABLE) -> None:
        path, fd = _create(directory, prefix)
        self._start(path, os.fdopen(fd, "wb"), durability)

    @classmethod
    def adopt(cls, path: Path, durability: Durability = DURABLE) -> "TempFile":
        """Wrap an existing complete file without copying it: hash it and fsync it in place."""
        self = cls.__new__(cls)
        self._start(path, None, durability)
        with path.open("rb+") as f:
            while chunk := f.read(CHUNK_SIZE):
                self._absorb(chunk)
            durability.fsync(f.fileno())
        return self

    def _start(self, path: Path, file: IO[bytes] | None, durability: Durability) -> None:
        self.path = path
        self._durability = durability
        self.size = 0
        self._file = file
        self._etag = EtagHasher()
        self._md5 = hashlib.md5()
        self._crc = 0
        self.head = b""  # the first HEAD_BYTES bytes
        self._etag_override: str | None = None
        self._etag_final: str | None = None
        self._detached = False

    # writing ---------------------------------------------------------------
    def write(self, data: bytes) -> None:
        """Append ``data``; a full disk is a 599 that says so."""
        if self._file is None:
            raise ValueError(f"temp file {self.path.name} is closed")
        with disk_full_as_error("writing a file"):
            self._file.write(data)
        self._absorb(data)

    def _absorb(self, data: bytes) -> None:
        if len(self.head) < HEAD_BYTES:
            self.head += data[:HEAD_BYTES - len(self.head)]
        self._etag_final = None
        self._etag.update(data)
        self._md5.update(data)
        self._crc = zlib.crc32(data, self._crc)
        self.size += len(data)

    def write_stream(self, stream: IO[bytes], limit: int | None = None) -> int:
        """Copy ``stream`` to its end in 1 MiB chunks; 413 once the file passes ``limit`` bytes."""
        written = 0
        while chunk := stream.read(CHUNK_SIZE):
            self.write(chunk)
            written += len(chunk)
            if limit is not None and self.size > limit:
                raise QiniuError.too_large(f"upload exceeds the size limit of {limit} bytes")
        return written

    def write_exact(self, stream: IO[bytes], length: int) -> int:
        """Copy exactly ``length`` bytes from ``stream``; 400 if it ends early."""
        remaining = length
        while remaining > 0:
            chunk = stream.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                raise QiniuError.bad_request(
                    f"request body ended after {length - remaining} of {length} bytes"
                )
            self.write(chunk)
            remaining -= len(chunk)
        return length

    def write_body(self, stream: IO[bytes], content_length: int | None, limit: int) -> int:
        """Copy a request body: ``content_length`` bytes when known, else to EOF; at most ``limit``."""
        if content_length is None:
            return self.write_stream(stream, limit)
        if content_length < 0 or content_length > limit:
            raise QiniuError.too_large(f"upload of {content_length} bytes exceeds the size limit of {limit} bytes")
        return self.write_exact(stream, content_length)

    def copy_from(self, path: Path) -> None:
        """Append the bytes of the file at ``path``."""
        with path.open("rb") as src:
            self.write_stream(src)

    # lifecycle -------------------------------------------------------------
    def close(self) -> None:
        """Flush and fsync; the hashes are final afterwards. Idempotent."""
        if self._file is None:
            return
        with disk_full_as_error("writing a file"):
            self._file.flush()
            self._durability.fsync(self._file.fileno())
        self._file.close()
        self._file = None

    def discard(self) -> None:
        """Close and delete the file. Idempotent; a no-op once handed over."""
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass  # its buffer cannot be flushed (a full disk): the file goes anyway
            self._file = None
        if not self._detached:
            self.path.unlink(missing_ok=True)

    def detach(self) -> None:
        """Mark the file as handed over: neither ``discard`` nor the context manager touch it."""
        self.close()
        self._detached = True

    @property
    def detached(self) -> bool:
        return self._detached

    def override_etag(self, etag: str) -> None:
        """Report ``etag`` instead of the file's qetag (multipart uploads hash per part)."""
        self._etag_override = etag

    # hashes ------------------------------------------------------------------
    @property
    def etag(self) -> str:
        if self._etag_override:
            return self._etag_override
        if self._etag_final is None:
            self._etag_final = self._etag.hexdigest()
        return self._etag_final

    @property
    def md5_hex(self) -> str:
        return self._md5.hexdigest()

    @property
    def crc32(self) -> int:
        return self._crc & 0xFFFFFFFF

    def __enter__(self) -> "TempFile":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.discard()
        else:
            self.close()

    def __repr__(self) -> str:
        return f"TempFile({str(self.path)!r}, size={self.size})"


def _create(directory: Path, prefix: str) -> tuple[Path, int]:
    """A new file of a random name in ``directory``, open for writing (what ``mkstemp`` does,
    without its name generator's cost on every upload)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        path = f"{directory}/{prefix}{secrets.token_hex(8)}"
        try:
            with disk_full_as_error("creating a file"):
                return Path(path), os.open(path, flags, 0o600)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temp file name in {directory}")


@contextmanager
def disk_full_as_error(what: str) -> Iterator[None]:
    """Turn "no space left" (or an exceeded quota) into a 599 that names the cause."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise QiniuError.disk_full(what) from exc
        raise

