"""Listing: byte order, prefix, delimiter, limit and markers."""

from __future__ import annotations

import bisect
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qiniu_emulator.encoding import b64_decode, b64_encode
from qiniu_emulator.errors import QiniuError
from qiniu_emulator.storage import Storage
from qiniu_emulator.storage.durability import EPHEMERAL
from qiniu_emulator.storage.listing import common_prefix, scan

BUCKET = "demo-bucket"


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    """Listing does not depend on fsync (test_storage_durability covers what survives), so
    these stores skip it: a thousand durable puts take seconds."""
    store = Storage(tmp_path / "data", durability=EPHEMERAL)
    store.create_bucket(BUCKET)
    yield store
    store.close()


def put_all(storage: Storage, keys: list[str]) -> None:
    for key in keys:
        storage.put_bytes(BUCKET, key, key.encode(), mime="text/plain")


def page_through(storage: Storage, **kwargs) -> tuple[list[str], list[str], int]:
    keys: list[str] = []
    prefixes: list[str] = []
    marker, pages = "", 0
    while True:
        page = storage.list_objects(BUCKET, marker=marker, **kwargs)
        pages += 1
        keys += [item.key for item in page.items]
        prefixes += page.common_prefixes
        marker = page.marker
        if not marker:
            return keys, prefixes, pages


def test_keys_come_back_in_byte_order(storage: Storage) -> None:
    keys = ["b", "a", "B", "é", "z", "a/b", "a0", "\x00", "中"]
    put_all(storage, keys)
    listed = [item.key for item in storage.list_objects(BUCKET).items]
    assert listed == sorted(keys, key=lambda k: k.encode("utf-8"))


def test_prefix_filters(storage: Storage) -> None:
    put_all(storage, ["photos/a.jpg", "photos/b.jpg", "photosx", "video/c.mp4"])
    page = storage.list_objects(BUCKET, prefix="photos/")
    assert [item.key for item in page.items] == ["photos/a.jpg", "photos/b.jpg"]
    assert page.marker == "" and page.common_prefixes == []


def test_delimiter_groups_common_prefixes(storage: Storage) -> None:
    put_all(storage, ["a/1", "a/2", "b", "c/x/1", "c/y", "d"])
    page = storage.list_objects(BUCKET, delimiter="/")
    assert [item.key for item in page.items] == ["b", "d"]
    assert page.common_prefixes == ["a/", "c/"]
    nested = storage.list_objects(BUCKET, prefix="c/", delimiter="/")
    assert [item.key for item in nested.items] == ["c/y"]
    assert nested.common_prefixes == ["c/x/"]


def test_common_prefixes_count_toward_the_limit_and_marker_skips_them(storage: Storage) -> None:
    put_all(storage, ["a/1", "a/2", "a/3", "b", "c/1", "d"])
    first = storage.list_objects(BUCKET, delimiter="/", limit=1)
    assert first.common_prefixes == ["a/"] and first.items == []
    assert first.marker
    keys, prefixes, pages = page_through(storage, delimiter="/", limit=1)
    assert keys == ["b", "d"] and prefixes == ["a/", "c/"] and pages == 4


def test_marker_is_empty_exactly_when_nothing_remains(storage: Storage) -> None:
    put_all(storage, ["1", "2", "3", "4"])
    assert storage.list_objects(BUCKET, limit=4).marker == ""
    page = storage.list_objects(BUCKET, limit=3)
    assert page.marker
    assert b64_decode(page.marker) == b'{"c":0,"k":"3"}'
    assert [i.key for i in storage.list_objects(BUCKET, limit=3, marker=page.marker).items] == ["4"]


@pytest.mark.parametrize("marker", ["!!!", b64_encode("not json"), b64_encode('{"c":0}'), b64_encode("[1]")])
def test_bad_marker_is_640(storage: Storage, marker: str) -> None:
    with pytest.raises(QiniuError) as caught:
        storage.list_objects(BUCKET, marker=marker)
    assert caught.value.status == 640


@pytest.mark.parametrize("limit", [-1, 1001, 5000])
def test_limit_out_of_range_is_400(storage: Storage, limit: int) -> None:
    with pytest.raises(QiniuError) as caught:
        storage.list_objects(BUCKET, limit=limit)
    assert caught.value.status == 400
    assert "limit" in caught.value.message


def test_limit_zero_means_1000(storage: Storage) -> None:
    put_all(storage, [f"k{i:04d}" for i in range(1001)])
    page = storage.list_objects(BUCKET, limit=0)
    assert len(page.items) == 1000 and page.marker
    assert [i.key for i in storage.list_objects(BUCKET, marker=page.marker).items] == ["k1000"]


def in_memory_fetch(keys: list[str]):
    ordered = sorted({k.encode("utf-8") for k in keys})

    def fetch(start: bytes, inclusive: bool, end: bytes | None, n: int) -> list[bytes]:
        i = bisect.bisect_left(ordered, start) if inclusive else bisect.bisect_right(ordered, start)
        return [k for k in ordered[i:] if end is None or k < end][:n]

    return fetch


key_text = st.text(alphabet=st.sampled_from("ab/é\x00-"), max_size=6)


@settings(max_examples=300)
@given(keys=st.lists(key_text, max_size=25), limit=st.integers(1, 7), prefix=st.sampled_from(["", "a", "a/", "é"]),
       delimiter=st.sampled_from(["", "/", "-"]))
def test_paging_yields_exactly_the_expected_entries(keys: list[str], limit: int, prefix: str, delimiter: str) -> None:
    fetch = in_memory_fetch(keys)
    matching = sorted({k for k in keys if k.startswith(prefix)}, key=lambda k: k.encode())
    expected_items = [k for k in matching if common_prefix(k, prefix, delimiter) is None]
    expected_groups = sorted({g for k in matching if (g := common_prefix(k, prefix, delimiter))}, key=str.encode)
    items, groups, marker = [], [], ""
    for _ in range(len(keys) + 2):
        page = scan(fetch, prefix, marker, limit, delimiter)
        assert len(page.keys) + len(page.common_prefixes) <= limit
        items += page.keys
        groups += page.common_prefixes
        marker = page.marker
        if not marker:
            break
        assert len(page.keys) + len(page.common_prefixes) == limit
    assert marker == ""
    assert items == expected_items
    assert groups == expected_groups


@settings(max_examples=15, deadline=None)
@given(keys=st.lists(key_text, max_size=12, unique=True), limit=st.integers(1, 5))
def test_paging_through_storage_yields_the_sorted_key_set(keys: list[str], limit: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        storage = Storage(Path(tmp), durability=EPHEMERAL)
        try:
            storage.create_bucket(BUCKET)
            put_all(storage, keys)
            listed, prefixes, _ = page_through(storage, limit=limit)
        finally:
            storage.close()
    assert prefixes == []
    assert listed == sorted(keys, key=lambda k: k.encode("utf-8"))
