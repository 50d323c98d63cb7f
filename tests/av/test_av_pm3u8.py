"""pm3u8 (docs/fops.md §9.9) on a playlist file: which lines change and how they are signed."""

from __future__ import annotations

import time

import pytest

from qiniu_emulator.fops.context import SourceInfo
from qiniu_emulator.fops.execute import StageFailed

PLAYLIST = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:5
#EXTINF:5.000000,
movie-000000.ts
#EXTINF:5.000000,
../other/movie-000001.ts
#EXTINF:2.000000,
http://cdn.example.com/abs/movie-000002.ts
#EXT-X-ENDLIST
"""


def fake_sign(url: str, deadline: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}e={deadline}&token=AK:sig"


@pytest.fixture
def playlist(tmp_path):
    path = tmp_path / "movie.m3u8"
    path.write_text(PLAYLIST)
    return path


def signed(run_fop, fop, playlist, **ctx):
    options = dict(sign_download=fake_sign, public_url="http://emu:9000",
                   source=SourceInfo(bucket="vids", key="hls/movie.m3u8"))
    options.update(ctx)
    result = run_fop(fop, playlist, "application/x-mpegURL", **options).result
    assert result.mime == "application/x-mpegURL"
    return result.path.read_text().splitlines()


def test_relative_uris_resolve_against_the_playlist_url_and_tags_stay(run_fop, playlist):
    lines = signed(run_fop, "pm3u8/0/deadline/2000000000", playlist)
    assert [line for line in lines if line.startswith("#")] == [
        line for line in PLAYLIST.splitlines() if line.startswith("#")]
    assert [line for line in lines if not line.startswith("#")] == [
        "http://emu:9000/_io/vids/hls/movie-000000.ts?e=2000000000&token=AK:sig",
        "http://emu:9000/_io/vids/other/movie-000001.ts?e=2000000000&token=AK:sig",
        "http://cdn.example.com/abs/movie-000002.ts?e=2000000000&token=AK:sig",
    ]


def test_expires_is_relative_and_defaults_to_43200(run_fop, playlist):
    before = int(time.time())
    default = signed(run_fop, "pm3u8/0", playlist)[4]
    short = signed(run_fop, "pm3u8/0/expires/60", playlist)[4]
    after = int(time.time())
    assert before + 43200 <= int(default.split("e=")[1].split("&")[0]) <= after + 43200
    assert before + 60 <= int(short.split("e=")[1].split("&")[0]) <= after + 60


def test_deadline_wins_over_expires(run_fop, playlist):
    assert "e=1900000000&" in signed(run_fop, "pm3u8/0/expires/60/deadline/1900000000", playlist)[4]


def test_not_a_playlist_fails(run_fop, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(StageFailed, match="not a valid m3u8 playlist: it must start with #EXTM3U"):
        signed(run_fop, "pm3u8/0", text)


def test_without_the_emulator_keys_it_says_where_it_runs(run_fop, playlist):
    with pytest.raises(StageFailed, match="run it on a download URL or through pfop"):
        run_fop("pm3u8/0", playlist, "application/x-mpegURL")
