"""A request body as S3 promises it: a signed SHA-256, aws-chunked with chunk signatures or
trailers, a Content-MD5, a flexible checksum. Each promise is checked when the body ends, so
nothing is stored from a body that broke one (docs/s3.md §3).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import string
from typing import IO

from werkzeug.datastructures import Headers

from .checksums import Checksum, algorithm_of
from ..s3_errors import S3Error
from ..auth.sigv4 import (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER, UNSIGNED, Signed)

MAX_CHUNK_LINE = 4096
LINE_READ = 256  # small: what a line read takes past the line is copied out of the buffer again
MAX_TRAILER_BYTES = 16 * 1024
HEX_DIGITS = frozenset(string.hexdigits)
STREAMING = (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER)


class Payload:
    """A readable body (``read(n)``) that raises an :class:`S3Error` at its end if a promise broke."""

    def __init__(self, stream: IO[bytes], signed: Signed, headers: Headers) -> None:
        self._signed = signed
        self._headers = headers
        self._sha256 = hashlib.sha256() if _is_digest(signed.payload) and signed.checked else None
        self._md5 = hashlib.md5() if headers.get("Content-MD5") else None
        self._checksum = _header_checksum(headers)
        self._size = 0
        self._done = False
        self._chunks = _Chunks(stream, signed, headers) if signed.payload in STREAMING else None
        self._stream = stream
        if self._chunks is not None and self._checksum is None:
            self._checksum = self._chunks.trailer_checksum

    def checksum_headers(self) -> dict[str, str]:
        """The checksum the answer echoes, as S3 does."""
        return {self._checksum.header: self._checksum.value()} if self._checksum is not None else {}

    def read(self, size: int = -1) -> bytes:
        if self._done:
            return b""
        data = self._chunks.read(size) if self._chunks is not None else self._stream.read(size)
        if data:
            self._absorb(data)
        else:
            self._done = True
            self._finish()
        return data

    def read_all(self, limit: int) -> bytes:
        """The whole body of a small request (an XML document); 400 past ``limit`` bytes."""
        out = bytearray()
        while chunk := self.read(64 * 1024):
            out += chunk
            if len(out) > limit:
                raise S3Error.invalid_request(f"The request body exceeds {limit} bytes")
        return bytes(out)

    def _absorb(self, data: bytes) -> None:
        self._size += len(data)
        for state in (self._sha256, self._md5, self._checksum):
            if state is not None:
                state.update(data)

    def _finish(self) -> None:
        if self._sha256 is not None and self._sha256.hexdigest() != self._signed.payload:
            raise S3Error.content_sha256_mismatch(self._signed.payload, self._sha256.hexdigest())
        if self._md5 is not None:
            _check_md5(self._headers.get("Content-MD5", ""), self._md5.digest())
        if self._chunks is not None:
            self._chunks.finish(self._size)
        if self._checksum is not None:
            claimed = self._claimed_checksum()
            if claimed is not None and claimed != self._checksum.value():
                raise S3Error.bad_digest(self._checksum.algorithm.upper())

    def _claimed_checksum(self) -> str | None:
        assert self._checksum is not None
        if self._chunks is not None and self._chunks.trailers.get(self._checksum.header) is not None:
            return self._chunks.trailers[self._checksum.header]
        return self._headers.get(self._checksum.header)


def _is_digest(payload: str) -> bool:
    return payload != UNSIGNED and payload not in STREAMING


def _header_checksum(headers: Headers) -> Checksum | None:
    for name in headers.keys():
        algorithm = algorithm_of(name)
        if algorithm is not None and name.lower() != "x-amz-checksum-type":
            return Checksum(algorithm)
    return None


def _check_md5(given: str, actual: bytes) -> None:
    try:
        claimed = base64.b64decode(given.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise S3Error.invalid_digest("Content-MD5") from None
    if len(claimed) != 16:
        raise S3Error.invalid_digest("Content-MD5")
    if claimed != actual:
        raise S3Error.bad_digest("Content-MD5")


class _Chunks:
    """The decoded bytes of an aws-chunked body: ``<hex size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n``...,
    a zero-size chunk, then the trailers (``name:value`` lines) and an empty line."""

    def __init__(self, stream: IO[bytes], signed: Signed, headers: Headers) -> None:
        self._stream = stream
        self._signed = signed
        self._signed_chunks = signed.payload in (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER) and signed.checked
        self._previous = signed.signature
        self._left = 0  # bytes of the current chunk still to hand out
        self._ended = False
        self._chunk_sha: "hashlib._Hash | None" = None
        self._pending_signature = ""
        self.trailers: dict[str, str] = {}
        declared = [n.strip().lower() for n in headers.get("X-Amz-Trailer", "").split(",") if n.strip()]
        self.trailer_checksum = next((Checksum(a) for a in map(algorithm_of, declared) if a), None)
        decoded = headers.get("X-Amz-Decoded-Content-Length", "")
        self._decoded_length = int(decoded) if decoded.isdigit() else None
        # Lines are cut from a buffer filled by read(): read() is what every WSGI server's
        # input offers, and a line may span two reads.
        self._buffer = b""

    def read(self, size: int) -> bytes:
        while self._left == 0 and not self._ended:
            self._next_chunk()
        if self._ended:
            return b""
        want = self._left if size is None or size < 0 else min(size, self._left)
        data = self._take(want)
        if not data:
            raise S3Error.incomplete_body("The aws-chunked body ended inside a chunk")
        self._left -= len(data)
        if self._chunk_sha is not None:
            self._chunk_sha.update(data)
        if self._left == 0:
            if self._take(1) + self._take(1) != b"\r\n":
                raise S3Error.incomplete_body("An aws-chunked chunk's data is not followed by CRLF")
            self._check_chunk()
        return data

    def _take(self, size: int) -> bytes:
        """Up to ``size`` bytes: the buffer's first, else the stream's."""
        if self._buffer:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
            return data
        return self._stream.read(size)

    def finish(self, size: int) -> None:
        if self._decoded_length is not None and size != self._decoded_length:
            raise S3Error.incomplete_body(f"x-amz-decoded-content-length says {self._decoded_length} bytes; "
                                          f"the chunks held {size}")

    def _next_chunk(self) -> None:
        line = self._line()
        size_text, _, extension = line.partition(";")
        # Hex digits only: int(..., 16) would also take a sign, "0x" and underscores.
        digits = size_text.strip()
        if not digits or not all(c in HEX_DIGITS for c in digits):
            raise S3Error.incomplete_body(f"Malformed aws-chunked chunk header {line[:80]!r}")
        size = int(digits, 16)
        self._pending_signature = extension.partition("chunk-signature=")[2].strip()
        self._chunk_sha = hashlib.sha256() if self._signed_chunks else None
        self._left = size
        if size == 0:
            self._check_chunk()
            self._read_trailers()
            self._ended = True

    def _check_chunk(self) -> None:
        """A signed chunk's signature chains from the previous one (the seed: the request's)."""
        if self._chunk_sha is None:
            return
        digest = self._chunk_sha.hexdigest()
        expected = self._signed.chunk_signature(self._previous, digest)
        if expected != self._pending_signature:
            raise S3Error.signature_mismatch(
                self._signed.access_key,
                f"AWS4-HMAC-SHA256-PAYLOAD after {self._previous}, chunk sha256 {digest}: "
                f"expected chunk-signature {expected}", "(aws-chunked chunk)")
        self._previous = self._pending_signature
        self._chunk_sha = None

    def _read_trailers(self) -> None:
        raw = bytearray()
        while True:
            line = self._line()
            if not line:
                break
            raw += line.encode("latin-1") + b"\n"
            if len(raw) > MAX_TRAILER_BYTES:
                raise S3Error.incomplete_body("The aws-chunked trailer is too long")
            name, _, value = line.partition(":")
            self.trailers[name.strip().lower()] = value.strip()
        signature = self.trailers.pop("x-amz-trailer-signature", None)
        if self._signed.payload == STREAMING_SIGNED_TRAILER and self._signed.checked:
            body = b"".join(f"{n}:{v}\n".encode("latin-1") for n, v in self.trailers.items())
            if signature != self._signed.trailer_signature(self._previous, body):
                raise S3Error.signature_mismatch(self._signed.access_key, "AWS4-HMAC-SHA256-TRAILER", body.decode())

    def _line(self) -> str:
        while b"\n" not in self._buffer:
            if len(self._buffer) > MAX_CHUNK_LINE:
                raise S3Error.incomplete_body("Malformed aws-chunked body: a line without CRLF")
            more = self._stream.read(LINE_READ)
            if not more:
                if self._buffer:
                    raise S3Error.incomplete_body("Malformed aws-chunked body: a line without CRLF")
                return ""
            self._buffer += more
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.rstrip(b"\r").decode("latin-1")
