"""qetag vectors of spec section 10, cross-checked with the official SDK's etag."""

from __future__ import annotations

import io

import pytest
from qiniu import utils as sdk_utils
from qiniu_fop import multipart_etag, qetag, qetag_file, qetag_stream, qetag_v2
from support import ramp

MIB4 = 4 * 1024 * 1024

VECTORS = [
    (b"", "Fto5o-5ea0sNMlW_75VgGJCv2AcJ"),
    (b"hello world", "FiqubDXJT8-0FdvpX0CLnOke6Ebt"),
    (b"hello retry!", "FlYu0iBR1WpvYi4whKXiBuQpyLLk"),
    (b"\0" * (1024 * 1024 - 1) + b"0", "FnlAdmDasGTQOIgrU1QIZaGDv_1D"),
    (b"\0" * MIB4 + b"0", "ljF323utglY3GI6AvLgawSJ4_dgk"),
    (ramp(MIB4 + 1), "lvZaaqqoPggoRo61yE2jdqWTRxML"),
]


@pytest.mark.parametrize("data, expected", VECTORS, ids=["empty", "hello", "retry", "1MiB", "4MiB+1", "ramp"])
def test_qetag_vectors_agree_with_official_sdk(tmp_path, data, expected) -> None:
    path = tmp_path / "blob"
    path.write_bytes(data)

    assert qetag(data) == expected
    assert qetag_stream(io.BytesIO(data)) == expected
    assert qetag_file(path) == expected
    assert sdk_utils.etag(str(path)) == expected


def test_v2_etag_of_unaligned_parts() -> None:
    parts = [qetag(b"hello"), qetag(b"world")]
    assert qetag_v2(parts) == "ns56DcSIfBFUENXjdhsJTIvl3Rcu"
    assert multipart_etag([5, 5], parts) == "ns56DcSIfBFUENXjdhsJTIvl3Rcu"
    assert qetag(b"helloworld") == "FmrfsYOkoslKL5Lata3nYqR4iaWh"


def test_block_aligned_parts_give_the_ordinary_qetag() -> None:
    data = ramp(MIB4 + 10, 251)
    parts = [data[:MIB4], data[MIB4:]]
    assert multipart_etag([len(p) for p in parts], [qetag(p) for p in parts]) == qetag(data)
    assert multipart_etag([10], [qetag(data[:10])]) == qetag(data[:10])


def test_malformed_part_etag_is_rejected() -> None:
    with pytest.raises(ValueError, match="not a qetag"):
        qetag_v2(["not-an-etag"])
