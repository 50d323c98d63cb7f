"""The form upload's multipart parser gives what werkzeug's gives, however the body is read."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from qiniu_emulator.api.form_parser import OnePassFormDataParser

BOUNDARY = "b0undary-Xy"
PAYLOAD = bytes(range(256)) * 8 + b"\r\n--" + BOUNDARY.encode() + b"X tail\r\n"


class Trickle(io.RawIOBase):
    """A stream that answers each read with at most ``step`` bytes, so delimiters and
    line breaks fall across reads."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data, self._step, self._at = data, step, 0

    def read(self, size: int = -1) -> bytes:
        size = self._step if size < 0 else min(size, self._step)
        chunk = self._data[self._at:self._at + size]
        self._at += len(chunk)
        return chunk


def body(*parts: bytes, close: bytes = b"--", preamble: bytes = b"", epilogue: bytes = b"\r\n") -> bytes:
    delimiter = b"--" + BOUNDARY.encode()
    out = preamble
    for part in parts:
        out += delimiter + b"\r\n" + part + b"\r\n"
    return out + delimiter + close + epilogue


def field(name: str, value: bytes, extra: bytes = b"") -> bytes:
    return b'Content-Disposition: form-data; name="' + name.encode() + b'"\r\n' + extra + b"\r\n" + value


def file_part(name: str, filename: str, data: bytes, mime: bytes = b"application/octet-stream") -> bytes:
    return (b'Content-Disposition: form-data; name="' + name.encode() + b'"; filename="' + filename.encode()
            + b'"\r\nContent-Type: ' + mime + b"\r\n\r\n" + data)


def parsed(parser_class: type[FormDataParser], data: bytes, step: int, **limits: int) -> object:
    parser = parser_class(silent=True, **limits)  # type: ignore[arg-type]
    try:
        _, form, files = parser.parse(Trickle(data, step), "multipart/form-data", len(data),  # type: ignore[arg-type]
                                      {"boundary": BOUNDARY})
    except RequestEntityTooLarge:
        return "413"
    assert isinstance(form, MultiDict)
    return (list(form.items(multi=True)),
            [(name, f.filename, f.mimetype, f.headers.get("Content-Length"), f.read())
             for name, f in files.items(multi=True)])


BODIES = {
    "token, key and file": body(field("token", b"ak:sig:policy"), field("key", b"dir/a b.txt"),
                                file_part("file", "a.bin", PAYLOAD)),
    "CRLF and a near-boundary inside values": body(
        field("x:note", b"line one\r\nline two\r\n--" + BOUNDARY.encode() + b"Z\r\n"),
        file_part("file", "f", b"\r\n\r\n--" + BOUNDARY.encode() + b" x\r\n")),
    "empty value and empty file": body(field("x:empty", b""), file_part("file", "", b"")),
    "no file part": body(field("token", b"t"), field("key", b"k")),
    "no parts at all": b"--" + BOUNDARY.encode() + b"--\r\n",
    "preamble and epilogue": body(field("key", b"k"), preamble=b"ignored preamble\r\n",
                                  epilogue=b"\r\nignored epilogue"),
    "whitespace after delimiters": body(field("key", b"k")).replace(BOUNDARY.encode() + b"\r\n",
                                                                    BOUNDARY.encode() + b" \t\r\n"),
    "folded header and charset": body(
        b'Content-Disposition: form-data;\r\n name="x:latin"\r\nContent-Type: text/plain; charset=iso-8859-1'
        b"\r\n\r\n\xe9t\xe9"),
    "undecodable utf-8 value": body(field("x:bad", b"\xff\xfe ok")),
    "repeated names": body(field("x:a", b"1"), field("x:a", b"2"), file_part("file", "1", b"a"),
                           file_part("file", "2", b"b")),
    "part content-length header": body(file_part("file", "f", b"abc", b"text/plain\r\nContent-Length: 3")),
    "bare LF line breaks": body(field("key", b"k"), file_part("file", "f", b"data")).replace(b"\r\n", b"\n"),
    "missing Content-Disposition": body(b"Content-Type: text/plain\r\n\r\nvalue"),
    "no closing delimiter": body(field("key", b"k"))[:-len(b"--\r\n") - len(BOUNDARY) - 4],
    "no boundary anywhere": b"just some bytes\r\n",
    "truncated headers": b"--" + BOUNDARY.encode() + b'\r\nContent-Disposition: form-data; name="k"',
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_the_same_form_and_files_as_werkzeug(name: str) -> None:
    data = BODIES[name]
    assert parsed(OnePassFormDataParser, data, 64 * 1024) == parsed(FormDataParser, data, 64 * 1024)


@pytest.mark.parametrize("step", [1, 2, 3, 7, 13])
@pytest.mark.parametrize("name", sorted(BODIES))
def test_delimiters_split_across_reads_change_nothing(name: str, step: int) -> None:
    data = BODIES[name]
    assert parsed(OnePassFormDataParser, data, step) == parsed(OnePassFormDataParser, data, 64 * 1024)


def test_a_well_formed_upload_gives_its_fields_and_file() -> None:
    fields, files = parsed(OnePassFormDataParser, BODIES["token, key and file"], 5)  # type: ignore[misc]
    assert fields == [("token", "ak:sig:policy"), ("key", "dir/a b.txt")]
    assert files == [("file", "a.bin", "application/octet-stream", None, PAYLOAD)]


@pytest.mark.parametrize("limits, data", [
    ({"max_form_memory_size": 1000}, body(field("x:big", b"v" * 5000))),
    ({"max_form_parts": 3}, body(*[field(f"x:{n}", b"v") for n in range(5)])),
])
def test_huge_fields_and_too_many_parts_are_refused_with_413(limits: dict[str, int], data: bytes) -> None:
    assert parsed(OnePassFormDataParser, data, 4096, **limits) == "413"
    assert parsed(FormDataParser, data, 4096, **limits) == "413"


def test_a_file_larger_than_the_field_limit_is_accepted() -> None:
    data = body(file_part("file", "f", b"z" * 300_000), field("key", b"k"))
    got = parsed(OnePassFormDataParser, data, 64 * 1024, max_form_memory_size=100_000)
    assert got == parsed(FormDataParser, data, 64 * 1024, max_form_memory_size=100_000)
    assert got[1][0][4] == b"z" * 300_000  # type: ignore[index]


@pytest.mark.parametrize("disposition", [
    'form-data; name="file"; filename="f"', 'form-data; name="token"', "form-data; name=token",
    'form-data; name="a\\"b"', "form-data; name=\"x\"; filename*=UTF-8''%e2%82%ac", 'Form-Data; NAME="x"',
    'form-data; name="x%20y"', 'form-data; name="é"', 'form-data; name="x"; filename=""',
    'form-data; name="a;b"; filename="c; d.txt"', 'form-data;name="x"', 'form-data; name="x" ; filename="y"',
    'form-data; filename="y"; name="x"', 'form-data; name=""',
])
def test_content_disposition_names_read_as_werkzeug_reads_them(disposition: str) -> None:
    data = body(b"Content-Disposition: " + disposition.encode() + b"\r\n\r\nvalue")
    assert parsed(OnePassFormDataParser, data, 64 * 1024) == parsed(FormDataParser, data, 64 * 1024)
