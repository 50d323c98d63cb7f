"""The ``fop`` command runs the new ops on local files: mkzip through --url-map, roundPic, pm3u8's limits."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from PIL import Image

from qiniu_emulator.encoding import b64_encode


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qiniu_emulator", *args], capture_output=True, text=True,
                          timeout=120)


def test_mkzip_modes_2_and_4_with_url_map(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    (served / "a.txt").write_bytes(b"AAA")
    (served / "b.txt").write_bytes(b"BBB")
    url = "http://fixtures.example.com/"
    urls = f"url/{b64_encode(url + 'a.txt')}/url/{b64_encode(url + 'b.txt')}/alias/{b64_encode('文件/b.txt')}"
    source = tmp_path / "ignored.txt"
    source.write_bytes(b"ignored")
    out = tmp_path / "two.zip"
    done = run_cli("fop", str(source), f"mkzip/2/{urls}", "-o", str(out), "--url-map", f"{url}={served}")
    assert done.returncode == 0, done.stderr
    assert {n: zipfile.ZipFile(out).read(n) for n in zipfile.ZipFile(out).namelist()} == {
        "a.txt": b"AAA", "文件/b.txt": b"BBB"}
    index = tmp_path / "index.txt"
    index.write_text(f"/url/{b64_encode(url + 'a.txt')}\n")
    four = tmp_path / "four.zip"
    done = run_cli("fop", str(index), "mkzip/4", "-o", str(four), "--url-map", f"{url}={served}")
    assert done.returncode == 0, done.stderr
    assert zipfile.ZipFile(four).read("a.txt") == b"AAA"


def test_round_pic_and_pm3u8(tmp_path):
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (100, 80), "navy").save(photo)
    out = tmp_path / "round.png"
    done = run_cli("fop", str(photo), "roundPic/radius/!50p", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert Image.open(out).getchannel("A").getpixel((0, 0)) == 0
    playlist = tmp_path / "movie.m3u8"
    playlist.write_text("#EXTM3U\n#EXTINF:5,\nmovie-000000.ts\n#EXT-X-ENDLIST\n")
    refused = run_cli("fop", str(playlist), "pm3u8/0", "-o", str(tmp_path / "signed.m3u8"))
    assert refused.returncode == 1 and "run it on a download URL or through pfop" in refused.stderr
