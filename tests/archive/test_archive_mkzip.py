"""mkzip (docs/fops.md §9.5): members, names in gbk and utf-8, index files, limits."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.fops.execute import StageFailed
from qiniu_emulator.fops.parse import FopsError, parse_pipeline

GBK = b64_encode("gbk")
UTF8 = b64_encode("utf-8")


def entry(url: str, alias: str | None = None) -> str:
    text = f"url/{b64_encode(url)}"
    return text + (f"/alias/{b64_encode(alias)}" if alias is not None else "")


def members(result, encoding: str | None = None) -> dict[str, bytes]:
    assert result.mime == "application/zip"
    with zipfile.ZipFile(result.path, metadata_encoding=encoding) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def raw_names(path: Path) -> list[tuple[bytes, int]]:
    """Each entry's name bytes and general-purpose flags, from the central directory."""
    data = path.read_bytes()
    out, at = [], data.find(b"PK\x01\x02")
    while at >= 0:
        flags = int.from_bytes(data[at + 8:at + 10], "little")
        length = int.from_bytes(data[at + 28:at + 30], "little")
        out.append((data[at + 46:at + 46 + length], flags))
        at = data.find(b"PK\x01\x02", at + 46 + length)
    return out


def test_mode_2_packs_each_url_under_its_file_name_or_alias(run, files):
    logo = files.add("img/php-logo.png", b"\x89PNG fake logo")
    page = files.add("docs/php%20sdk.html", b"<html>sdk</html>")
    deck = files.add("decks/q3.pptx", b"slides")
    result = run(f"mkzip/2/{entry(logo)}/{entry(page)}/{entry(deck, 'T1/a.pptx')}")
    assert members(result) == {"php-logo.png": b"\x89PNG fake logo", "php sdk.html": b"<html>sdk</html>",
                               "T1/a.pptx": b"slides"}


def test_members_are_deflated(run, files):
    text = files.add("big.txt", b"qiniu " * 10_000)
    with zipfile.ZipFile(run(f"mkzip/2/{entry(text)}").path) as archive:
        [info] = archive.infolist()
        assert info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size < info.file_size // 10


def test_the_same_url_may_be_packed_twice_under_two_aliases(run, files):
    url = files.add("a.txt", b"twice")
    assert members(run(f"mkzip/2/{entry(url, 'one.txt')}/{entry(url, 'two.txt')}")) == {
        "one.txt": b"twice", "two.txt": b"twice"}


def test_utf8_names_carry_the_utf8_flag(run, files):
    url = files.add("x.txt", b"x")
    result = run(f"mkzip/2/encoding/{UTF8}/{entry(url, '报告/七牛.txt')}")
    assert raw_names(result.path) == [("报告/七牛.txt".encode("utf-8"), 0x800)]
    assert members(result) == {"报告/七牛.txt": b"x"}


def test_gbk_names_are_gbk_bytes_without_the_utf8_flag(run, files):
    url = files.add("x.txt", b"x")
    result = run(f"mkzip/2/encoding/{GBK}/{entry(url, '报告/七牛.txt')}")
    [(name, flags)] = raw_names(result.path)
    assert name == "报告/七牛.txt".encode("gbk") and not flags & 0x800
    assert members(result, encoding="gbk") == {"报告/七牛.txt": b"x"}


UNPACKERS = {
    # bsdtar (libarchive) reads a name charset as Windows users' tools do; unzip reads the UTF-8 flag
    "gbk": ["bsdtar", "-x", "--options", "hdrcharset=GBK", "-f"],
    "utf-8": ["unzip", "-q"],
}


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_an_unzip_tool_extracts_the_chinese_names(run, files, tmp_path, encoding):
    command = UNPACKERS[encoding]
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed (apt-get install libarchive-tools unzip)")
    url = files.add("x.txt", b"content")
    result = run(f"mkzip/2/encoding/{b64_encode(encoding)}/{entry(url, '报告/七牛.txt')}")
    target = tmp_path / f"unpacked-{encoding}"
    target.mkdir()
    env = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"}
    subprocess.run([*command, str(result.path)], check=True, env=env, cwd=target)
    assert (target / "报告" / "七牛.txt").read_bytes() == b"content"


def test_mode_4_reads_the_index_file(run, files):
    a, b = files.add("a.jpg", b"AAA"), files.add("b.jpg", b"BBB")
    index = f"\ufeff/{entry(a)}\r\n\r\n/{entry(b, '相册/b.jpg')}\n".encode("utf-8")
    result = run(f"mkzip/4/encoding/{GBK}", src=index)
    assert members(result, encoding="gbk") == {"a.jpg": b"AAA", "相册/b.jpg": b"BBB"}


@pytest.mark.parametrize("index, message", [
    (b"", "lists no /url/... line"),
    (b"/url/not-base64!!\n", "index file line 1: bad url"),
    (b"\xff\xfe\x00garbage", "is not UTF-8 text"),
    (f"/alias/{b64_encode('x')}\n".encode(), "index file line 1: alias must follow the url it names"),
])
def test_a_bad_index_file_fails_the_item_naming_the_problem(run, index, message):
    with pytest.raises(StageFailed, match=message):
        run("mkzip/4", src=index)


def test_index_files_are_limited_to_3000_files(run, files):
    url = files.add("a.txt", b"a")
    index = "".join(f"/{entry(url, f'{i}.txt')}\n" for i in range(3001)).encode()
    with pytest.raises(StageFailed, match="more than 3000 files"):
        run("mkzip/4", src=index)


def test_index_names_must_be_unique(run, files):
    a = files.add("x/a.txt", b"1")
    b = files.add("y/a.txt", b"2")
    with pytest.raises(StageFailed, match="two entries are named 'a.txt'; give one an alias"):
        run("mkzip/4", src=f"/{entry(a)}\n/{entry(b)}\n".encode())


def test_one_missing_url_fails_the_whole_archive_naming_it(run, files):
    ok = files.add("ok.txt", b"fine")
    with pytest.raises(StageFailed) as caught:
        run(f"mkzip/2/{entry(ok)}/{entry('http://files.example.com/gone.txt')}")
    assert caught.value.item_error == "execute fop cmd failed: failed to GET http://files.example.com/gone.txt: HTTP 404"


def test_empty_files_cannot_be_packed(run, files):
    empty = files.add("empty.txt", b"")
    with pytest.raises(StageFailed, match=f"{empty} is empty; mkzip cannot pack empty files"):
        run(f"mkzip/2/{entry(empty)}")


def test_mkzip_runs_only_through_pfop(run, files, tmp_path):
    url = files.add("a.txt", b"a")
    from qiniu_emulator.fops.context import OpContext
    from qiniu_emulator.fops.execute import run_ops

    registry = default_registry()
    pipeline = parse_pipeline(f"mkzip/2/{entry(url)}", registry)
    (tmp_path / "s").write_bytes(b"x")
    with pytest.raises(StageFailed, match="mkzip is only available through pfop"):
        run_ops(pipeline.ops, tmp_path / "s", "text/plain", OpContext(scratch=tmp_path, fetch_url=files, sync=True),
                registry)


URL = "http://files.example.com/a.txt"


@pytest.mark.parametrize("fop, message", [
    ("mkzip", "mkzip mode must be 2 (URLs in the command) or 4 (URLs in an index file)"),
    (f"mkzip/3/{entry(URL)}", "mkzip mode must be 2"),
    ("mkzip/2", "mkzip/2 needs at least one url"),
    (f"mkzip/2/alias/{b64_encode('a')}/{entry(URL)}", "alias must follow the url it names"),
    (f"mkzip/2/{entry(URL, 'a')}/alias/{b64_encode('b')}", "alias must follow the url it names"),
    (f"mkzip/4/{entry(URL)}", "mkzip/4 reads its URLs from the index file"),
    (f"mkzip/2/encoding/{b64_encode('big5')}/{entry(URL)}", "'big5' is not gbk or utf-8"),
    (f"mkzip/2/{entry('ftp://files.example.com/a.txt')}", "is not an http://, https:// or kodo:// URL"),
    (f"mkzip/2/{entry(URL)}/{entry('http://other.example.com/a.txt')}", "two entries are named 'a.txt'"),
    (f"mkzip/2/{entry(URL, '../etc/passwd')}", "must name a file inside the archive"),
    (f"mkzip/2/{entry(URL, '/abs.txt')}", "must be a relative path"),
    (f"mkzip/2/{entry('http://files.example.com/')}", "has no file name; give it an alias"),
    (f"mkzip/2/encoding/{GBK}/{entry(URL, 'smile-😀.txt')}", "cannot be written in gbk; use encoding utf-8"),
    (f"mkzip/2/{entry(URL)}/bucket/YQ==", "unknown parameter 'bucket'"),
])
def test_bad_commands_are_rejected_at_submit(fop, message):
    with pytest.raises(FopsError) as caught:
        parse_pipeline(fop, default_registry())
    assert message in caught.value.message


def test_mode_2_arguments_are_limited_to_2048_bytes():
    urls = "/".join(entry(f"http://files.example.com/{i:04d}-{'x' * 40}.txt") for i in range(30))
    with pytest.raises(FopsError, match=r"mkzip/2 arguments are \d+ bytes, at most 2048; list the URLs "
                                        r"in an index file and use mkzip/4"):
        parse_pipeline(f"mkzip/2/{urls}", default_registry())
