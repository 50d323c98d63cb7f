"""The key -> path mapping: hostile keys stay inside the bucket, ordinary keys stay readable."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qiniu_emulator.errors import QiniuError
from qiniu_emulator.storage import Storage
from qiniu_emulator.storage.paths import HASHED_DIR, hashed_relpath, readable_relpath

BUCKET = "demo-bucket"

HOSTILE_KEYS = [
    "",
    ".",
    "..",
    "../escape",
    "../../../../etc/passwd",
    "a/../../b",
    "a/./b",
    "./a",
    "/abs",
    "/etc/passwd",
    "/",
    "//",
    "double//slash",
    "trailing/",
    "a\\..\\b",
    "..\\..\\windows",
    "%2e%2e",
    "%2e%2e/%2e%2e/x",
    "%2f..%2f",
    "nul\x00byte",
    "\x00",
    "ctrl\x01\x1f\x7f",
    "tab\tkey",
    "new\nline",
    "c1\x85control",
    "k" * 750,
    "é" * 375,
    "s" * 256,
    "dir/" + "s" * 300 + "/x",
    "~",
    "~/x",
    "$HOME/x",
    "a:b",
    "c:\\windows\\system32",
    " ",
    "emoji 😀/文件 1.mp4",
    HASHED_DIR,
    f"{HASHED_DIR}/x",
    f"{HASHED_DIR.upper()}/x",
    f"{HASHED_DIR}/{hashlib.sha256(b'').hexdigest()}",
]


def test_hostile_keys_are_stored_inside_the_bucket_and_read_back(storage: Storage, bucket_dir: Path) -> None:
    paths: dict[Path, str] = {}
    for index, key in enumerate(HOSTILE_KEYS):
        data = f"{index}:{key!r}".encode()
        info = storage.put_bytes(BUCKET, key, data, mime="text/plain")
        assert info.path.resolve().is_relative_to(bucket_dir.resolve()), key
        assert info.path.resolve() != bucket_dir.resolve()
        assert info.path.read_bytes() == data
        assert paths.setdefault(info.path, key) == key, f"{key!r} shares a file with {paths[info.path]!r}"
    for index, key in enumerate(HOSTILE_KEYS):
        info = storage.stat(BUCKET, key)
        assert info.key == key
        assert info.path.read_bytes() == f"{index}:{key!r}".encode()
    listed = []
    marker = ""
    while True:
        page = storage.list_objects(BUCKET, marker=marker, limit=7)
        listed += [item.key for item in page.items]
        marker = page.marker
        if not marker:
            break
    assert listed == sorted(HOSTILE_KEYS, key=lambda k: k.encode())


def test_nothing_is_written_outside_the_bucket_directory(storage: Storage) -> None:
    for key in HOSTILE_KEYS:
        storage.put_bytes(BUCKET, key, b"x", mime="text/plain")
    top_level = sorted(p.name for p in storage.data_dir.iterdir())
    assert "etc" not in top_level and "escape" not in top_level
    assert sorted(p.name for p in (storage.data_dir / "buckets").iterdir()) == [BUCKET]


@pytest.mark.parametrize("key", ["photos/a.jpg", "a", "视频/测试 1.mp4", "deep/er/path/file.txt", "%2e%2e", "a b", ".hidden"])
def test_ordinary_keys_get_readable_paths(storage: Storage, bucket_dir: Path, key: str) -> None:
    info = storage.put_bytes(BUCKET, key, b"readable", mime="text/plain")
    assert info.path == bucket_dir / key
    assert (bucket_dir / key).read_bytes() == b"readable"


@pytest.mark.parametrize("order", [["a", "a/b"], ["a/b", "a"], ["a/b/c", "a/b", "a"], ["a", "a/b", "a/b/c"]])
def test_a_key_and_its_extension_coexist_in_any_order(storage: Storage, order: list[str]) -> None:
    for key in order:
        storage.put_bytes(BUCKET, key, key.encode(), mime="text/plain")
    for key in order:
        info = storage.stat(BUCKET, key)
        assert info.path.read_bytes() == key.encode()
    assert len({storage.stat(BUCKET, k).path for k in order}) == len(order)


def test_overwriting_a_key_keeps_one_file(storage: Storage) -> None:
    first = storage.put_bytes(BUCKET, "x/y", b"one", mime="text/plain")
    second = storage.put_bytes(BUCKET, "x/y", b"two", mime="text/plain")
    assert second.path == first.path
    assert second.path.read_bytes() == b"two"
    assert storage.stat(BUCKET, "x/y").fsize == 3


def test_deleting_frees_the_readable_path(storage: Storage, bucket_dir: Path) -> None:
    storage.put_bytes(BUCKET, "a/b", b"1", mime="text/plain")
    storage.delete(BUCKET, "a/b")
    assert not (bucket_dir / "a").exists()
    info = storage.put_bytes(BUCKET, "a", b"2", mime="text/plain")
    assert info.path == bucket_dir / "a"


def test_a_file_left_on_disk_without_a_row_is_not_overwritten(storage: Storage, bucket_dir: Path) -> None:
    (bucket_dir / "stray.txt").write_bytes(b"not an object")
    info = storage.put_bytes(BUCKET, "stray.txt", b"object", mime="text/plain")
    assert (bucket_dir / "stray.txt").read_bytes() == b"not an object"
    assert info.path.read_bytes() == b"object"


def test_a_symlink_in_the_bucket_is_not_followed_out(storage: Storage, bucket_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (bucket_dir / "link").symlink_to(outside, target_is_directory=True)
    info = storage.put_bytes(BUCKET, "link/file", b"data", mime="text/plain")
    assert info.path.resolve().is_relative_to(bucket_dir.resolve())
    assert list(outside.iterdir()) == []


def test_keys_over_750_bytes_are_refused(storage: Storage) -> None:
    with pytest.raises(QiniuError) as caught:
        storage.put_bytes(BUCKET, "k" * 751, b"x", mime="text/plain")
    assert caught.value.status == 400
    assert "751 bytes" in caught.value.message and "750" in caught.value.message
    with pytest.raises(QiniuError) as caught:
        storage.put_bytes(BUCKET, "é" * 376, b"x", mime="text/plain")
    assert caught.value.status == 400


def test_keys_that_are_not_utf8_are_refused(storage: Storage) -> None:
    with pytest.raises(QiniuError) as caught:
        storage.put_bytes(BUCKET, "bad\udcff", b"x", mime="text/plain")
    assert caught.value.status == 400
    assert caught.value.message == "key must be utf8 encoding"


@pytest.mark.parametrize("name", ["ab", "a" * 64, "Upper", "under_score", "-start", "end-", "dot.name", "../x", "", "a/b"])
def test_invalid_bucket_names_are_refused(storage: Storage, name: str) -> None:
    with pytest.raises(QiniuError) as caught:
        storage.create_bucket(name)
    assert caught.value.status == 400
    assert "bucket name" in caught.value.message


@given(st.text(alphabet=st.sampled_from("ab./\\\x00%é:~ \n"), max_size=12))
def test_readable_paths_are_the_key_itself_or_refused(key: str) -> None:
    relpath = readable_relpath(key)
    if relpath is None:
        return
    assert relpath == key  # identity: distinct keys can never share a readable path
    parts = Path(relpath).parts
    assert "/".join(parts) == key  # no segment collapses or vanishes in path handling
    assert ".." not in parts and not Path(relpath).is_absolute()
    assert parts[0].casefold() != HASHED_DIR


@settings(max_examples=50)
@given(st.text(max_size=30))
def test_hashed_paths_are_distinct_and_contained(key: str) -> None:
    base = Path("/data/buckets/b")
    path = base / hashed_relpath(key)
    assert path.parent == base / HASHED_DIR
    assert hashed_relpath(key) != hashed_relpath(key + "x")


@pytest.mark.parametrize("key", ["deep/link/file", "deep/link/more/file", "deep/leaf"])
def test_a_symlink_below_a_real_directory_is_not_followed_out(storage: Storage, bucket_dir: Path, tmp_path: Path,
                                                              key: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (bucket_dir / "deep").mkdir()
    (bucket_dir / "deep" / "link").symlink_to(outside, target_is_directory=True)
    (bucket_dir / "deep" / "leaf").symlink_to(outside / "leaf")  # a dangling link as the last segment
    info = storage.put_bytes(BUCKET, key, b"data", mime="text/plain")
    assert info.path.resolve().is_relative_to(bucket_dir.resolve())
    assert list(outside.iterdir()) == []
    assert info.path.read_bytes() == b"data"


def test_a_bucket_made_again_where_a_symlink_now_stands_is_not_followed_out(storage: Storage, bucket_dir: Path,
                                                                           tmp_path: Path) -> None:
    storage.put_bytes(BUCKET, "first", b"data", mime="text/plain")  # its directory is now known
    storage.drop_bucket(BUCKET)
    outside = tmp_path / "outside"
    outside.mkdir()
    bucket_dir.symlink_to(outside, target_is_directory=True)
    try:
        storage.create_bucket(BUCKET)
        storage.put_bytes(BUCKET, "second", b"data", mime="text/plain")
    except QiniuError as exc:
        assert exc.status == 400
    assert list(outside.iterdir()) == []
