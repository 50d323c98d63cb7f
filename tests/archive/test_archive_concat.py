"""concat (docs/fops.md §9.4): the source's bytes, then each URL's, with the written MIME type."""

from __future__ import annotations

import pytest

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.fops.execute import StageFailed
from qiniu_emulator.fops.parse import FopsError, parse_pipeline

TEXT = b64_encode("text/plain")


def test_the_source_comes_first_then_the_urls_in_order(run, files):
    b = files.add("b.txt", b"second\n")
    c = files.add("c.txt", b"third\n")
    result = run(f"concat/mimeType/{TEXT}/{b64_encode(b)}/{b64_encode(c)}/{b64_encode(b)}", src=b"first\n")
    assert result.path.read_bytes() == b"first\nsecond\nthird\nsecond\n"
    assert result.mime == "text/plain"
    assert files.asked == [b, c, b]


def test_binary_parts_are_joined_byte_for_byte(run, files):
    part = files.add("part.bin", bytes(range(256)) * 4)
    result = run(f"concat/mimeType/{b64_encode('application/octet-stream')}/{b64_encode(part)}",
                 src=b"\x00\xff")
    assert result.path.read_bytes() == b"\x00\xff" + bytes(range(256)) * 4
    assert result.mime == "application/octet-stream"


def test_a_missing_part_fails_naming_its_url(run, files):
    with pytest.raises(StageFailed) as caught:
        run(f"concat/mimeType/{TEXT}/{b64_encode('http://files.example.com/nope.txt')}")
    assert caught.value.item_error == ("execute fop cmd failed: failed to GET "
                                       "http://files.example.com/nope.txt: HTTP 404")


URL = b64_encode("http://files.example.com/b.txt")


@pytest.mark.parametrize("fop, message", [
    (f"concat/{URL}", "concat starts with mimeType/<url-safe base64 MIME type>"),
    (f"concat/mimeType/{TEXT}", "concat needs at least one url-safe base64 URL"),
    (f"concat/mimeType/{b64_encode('plain text')}/{URL}", "'plain text' is not a MIME type"),
    (f"concat/mimeType/{TEXT}/{b64_encode('/etc/passwd')}", "is not an http://, https:// or kodo:// URL"),
    (f"concat/mimeType/{TEXT}/" + "/".join([URL] * 1000), "at most 1000 files counting the source, got 1001"),
])
def test_bad_commands_are_rejected_at_submit(fop, message):
    with pytest.raises(FopsError) as caught:
        parse_pipeline(fop, default_registry())
    assert message in caught.value.message


def test_999_urls_are_accepted():
    args = parse_pipeline(f"concat/mimeType/{TEXT}/" + "/".join([URL] * 999), default_registry()).ops[0].args
    assert len(args.urls) == 999
