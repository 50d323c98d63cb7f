"""A one-pass ``multipart/form-data`` parser for Flask requests (the form upload's body).

werkzeug's parser compiles two regular expressions for every boundary it meets, and a
client draws a new boundary for every request, so for a small upload compiling them cost
more than the rest of the parse. This parser finds delimiters with ``bytes.find`` and gives
the same ``request.form`` and ``request.files`` for bodies whose line breaks are CRLF, as
RFC 7578 requires and every client sends: the same limits (413 past the form part or
field-size limits), field values decoded the same way, file parts streamed into the same
containers. A body whose first delimiter line ends in a bare LF or CR is handed to
werkzeug's parser, which accepts those too; a malformed body yields an empty form, as
werkzeug's silent parse does.
"""

from __future__ import annotations

import re
from typing import IO, Any, cast

from flask import Request
from werkzeug.datastructures import FileStorage, Headers
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.http import parse_options_header

READ_SIZE = 64 * 1024
CRLF = b"\r\n"
HEADER_CONTINUATION = re.compile(rb"(?:\r\n|\n|\r)[ \t]")
SPACE_OR_TAB = (0x20, 0x09)
# What every client sends; anything else (escapes, RFC 2231 names, other spacing) goes to
# werkzeug's header parser, which reads these the same way.
PLAIN_DISPOSITION = re.compile(r'form-data; name="([^"\\%]*)"(?:; filename="([^"\\%]*)")?')
FIELD_CHARSETS = {"ascii", "us-ascii", "utf-8", "iso-8859-1"}


class NotCrlf(Exception):
    """The body's line breaks are not CRLF: werkzeug's parser reads it instead."""


class OnePassFormDataParser(FormDataParser):
    """werkzeug's form-data parser with its multipart step replaced by :class:`MultipartBody`."""

    def _parse_multipart(self, stream: IO[bytes], mimetype: str, content_length: int | None,
                         options: dict[str, str]) -> Any:
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        body = MultipartBody(stream, boundary, self)
        try:
            fields, files = body.parse(content_length)
        except NotCrlf:
            replay = cast(IO[bytes], _Replay(bytes(body.buffer), stream))
            return super()._parse_multipart(replay, mimetype, content_length, options)
        return stream, self.cls(fields), self.cls(files)


class _Replay:
    """The bytes already read, then the rest of the stream."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head, self._stream = head, stream

    def read(self, size: int = -1) -> bytes:
        if self._head:
            chunk, self._head = self._head[:size], self._head[size:]
            return chunk
        return self._stream.read(size)


class MultipartBody:
    """One body being parsed: a buffer filled from the stream as delimiters are looked for."""

    def __init__(self, stream: IO[bytes], boundary: bytes, limits: FormDataParser) -> None:
        self.stream = stream
        self.buffer = bytearray()
        self.ended = False
        self.dash_boundary = b"--" + boundary
        self.delimiter = CRLF + self.dash_boundary
        self.limits = limits
        self.parts = 0

    def parse(self, content_length: int | None) -> tuple[list[tuple[Any, str]], list[tuple[Any, FileStorage]]]:
        fields: list[tuple[Any, str]] = []
        files: list[tuple[Any, FileStorage]] = []
        more = self._preamble()
        while more:
            headers, name, filename = self._part_headers()
            if filename is None:
                value, more = self._field_value()
                fields.append((name, value.decode(_charset(headers), "replace")))
            else:
                container = self.limits.stream_factory(
                    total_content_length=content_length, filename=filename,
                    content_type=headers.get("content-type"), content_length=_int_or_zero(headers),
                )
                more = self._copy_part(container.write)
                container.seek(0)
                files.append((name, FileStorage(container, filename, name, headers=headers)))
        while self._fill():  # the epilogue is read and ignored
            self.buffer.clear()
        return fields, files

    # reading ------------------------------------------------------------------------
    def _fill(self) -> bool:
        if self.ended:
            return False
        chunk = self.stream.read(READ_SIZE)
        if not chunk:
            self.ended = True
            return False
        limit = self.limits.max_form_memory_size
        if limit is not None and len(self.buffer) + len(chunk) > limit:
            raise RequestEntityTooLarge()
        self.buffer += chunk
        return True

    def _need(self, size: int) -> bool:
        """At least ``size`` bytes buffered, or False at the end of the body."""
        while len(self.buffer) < size:
            if not self._fill():
                return False
        return True

    def _after_delimiter(self, end: int, first: bool = False) -> int | None:
        """Where the part after a delimiter ending at ``end`` starts: -1 after the close
        delimiter, None when the bytes there do not make a delimiter line (part data)."""
        if self._need(end + 2) and self.buffer[end:end + 2] == b"--":
            return -1
        at = end
        while self._need(at + 1) and self.buffer[at] in SPACE_OR_TAB:
            at += 1
        if self._need(at + 2) and self.buffer[at:at + 2] == CRLF:
            return at + 2
        if self.buffer[at:at + 1] in (b"\n", b"\r"):
            # Only the first delimiter line decides, while every byte read is still buffered.
            if first:
                raise NotCrlf()
            raise ValueError("a multipart delimiter line ends in a bare LF or CR")
        return None

    # the parts ------------------------------------------------------------------------
    def _preamble(self) -> bool:
        """Skip to the first delimiter line; False when it is the close delimiter (no parts)."""
        start = 0
        while True:
            found = self.buffer.find(self.dash_boundary, start)
            if found < 0:
                start = max(0, len(self.buffer) - len(self.dash_boundary))
                if not self._fill():
                    raise ValueError("no multipart boundary in the body")
                continue
            after = self._after_delimiter(found + len(self.dash_boundary), first=True)
            if after is None:
                start = found + 1
                continue
            if after < 0:
                return False
            del self.buffer[:after]
            return True

    def _part_headers(self) -> tuple[Headers, Any, str | None]:
        start = 0
        while (end := self.buffer.find(CRLF + CRLF, start)) < 0:
            start = max(0, len(self.buffer) - 3)
            if not self._fill():
                raise ValueError("a multipart part's headers do not end")
        headers = _headers(bytes(self.buffer[:end]))
        del self.buffer[:end + 4]
        if "content-disposition" not in headers:
            raise ValueError("Missing Content-Disposition header")
        self.parts += 1
        if self.limits.max_form_parts is not None and self.parts > self.limits.max_form_parts:
            raise RequestEntityTooLarge()
        return (headers, *_name_and_filename(headers["content-disposition"]))

    def _field_value(self) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        limit = self.limits.max_form_memory_size

        def keep(data: bytes) -> None:
            nonlocal size
            size += len(data)
            if limit is not None and size > limit:
                raise RequestEntityTooLarge()
            chunks.append(data)

        more = self._copy_part(keep)
        return b"".join(chunks), more

    def _copy_part(self, write: Any) -> bool:
        """Hand the part's bytes to ``write`` up to the next delimiter; False after the last part."""
        start = 0
        while True:
            found = self.buffer.find(self.delimiter, start)
            if found < 0:
                # Everything but a tail that may begin a delimiter is part data.
                keep = len(self.delimiter) - 1
                if len(self.buffer) > keep:
                    write(bytes(self.buffer[:len(self.buffer) - keep]))
                    del self.buffer[:len(self.buffer) - keep]
                start = 0
                if not self._fill():
                    raise ValueError("the multipart body ends inside a part")
                continue
            after = self._after_delimiter(found + len(self.delimiter))
            if after is None:
                start = found + 1
                continue
            write(bytes(self.buffer[:found]))
            if after < 0:
                self.buffer.clear()
                return False
            del self.buffer[:after]
            return True


def _headers(block: bytes) -> Headers:
    lines = HEADER_CONTINUATION.sub(b" ", block).splitlines()
    pairs = []
    for line in lines:
        line = line.strip(b" \t")
        if line:
            name, _, value = line.decode().partition(":")
            pairs.append((name.strip(" \t"), value.strip(" \t")))
    return Headers(pairs)


def _name_and_filename(disposition: str) -> tuple[Any, str | None]:
    plain = PLAIN_DISPOSITION.fullmatch(disposition)
    if plain is not None:
        return plain.group(1), plain.group(2)
    _, extra = parse_options_header(disposition)
    return extra.get("name"), extra.get("filename")


def _charset(headers: Headers) -> str:
    content_type = headers.get("content-type")
    if content_type:
        charset = parse_options_header(content_type)[1].get("charset", "").lower()
        if charset in FIELD_CHARSETS:
            return charset
    return "utf-8"


def _int_or_zero(headers: Headers) -> int:
    value = headers.get("content-length", "")
    return int(value) if value.isascii() and value.isdigit() else 0


class FormRequest(Request):
    """Flask's request, parsing multipart bodies with :class:`OnePassFormDataParser`."""

    form_data_parser_class = OnePassFormDataParser
