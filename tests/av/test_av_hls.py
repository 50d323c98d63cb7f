"""avthumb/m3u8: a playlist whose URIs are the keys of the segments it returns."""

from __future__ import annotations

import hashlib
import re

import pytest
from av_support import probe

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.fops.execute import StageFailed


def playlist_lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_twelve_seconds_at_segtime_5_make_three_segments(run_fop, media):
    run = run_fop("avthumb/m3u8/segtime/5", media.long_video)
    lines = playlist_lines(run.result.path)
    assert run.result.mime == "application/x-mpegURL"
    assert lines[:4] == ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-ALLOW-CACHE:YES"]
    assert lines[-1] == "#EXT-X-ENDLIST"
    durations = [float(line[8:].rstrip(",")) for line in lines if line.startswith("#EXTINF:")]
    assert durations == pytest.approx([5, 5, 2], abs=0.2)
    assert len(run.result.extra) == 3


def test_segment_keys_default_to_the_generated_prefix(run_fop, media):
    fop = "avthumb/m3u8/segtime/5"
    run = run_fop(fop, media.long_video)
    digest = b64_encode(hashlib.sha1(fop.encode()).digest())
    keys = [extra.key for extra in run.result.extra]
    assert keys == [f"{digest}/FsourceEtag0000/{i:06d}.ts" for i in range(3)]
    uris = [line for line in playlist_lines(run.result.path) if line and not line.startswith("#")]
    assert uris == keys


def test_segments_are_playable_transport_streams(run_fop, media):
    run = run_fop("avthumb/m3u8/segtime/5", media.long_video)
    for extra in run.result.extra:
        out = probe(extra.path)
        assert extra.mime == "video/mp2t"
        assert (out.format_name, out.video_codec, out.audio_codec) == ("mpegts", "h264", "aac")
        assert (out.width, out.height) == (160, 120)


def test_pattern_names_segments_with_count_and_source_variables(run_fop, media):
    pattern = b64_encode("hls/$(fprefix)-$(count).ts")
    run = run_fop(f"avthumb/m3u8/segtime/5/pattern/{pattern}", media.long_video)
    keys = [extra.key for extra in run.result.extra]
    assert keys == ["hls/movie-000000.ts", "hls/movie-000001.ts", "hls/movie-000002.ts"]
    assert [l for l in playlist_lines(run.result.path) if l.startswith("hls/")] == keys


def test_hls_key_encrypts_and_announces_the_key_url(run_fop, media):
    key, url = b64_encode(bytes(range(16))), b64_encode("https://keys.example.com/k1")
    run = run_fop(f"avthumb/m3u8/segtime/5/hlsKey/{key}/hlsKeyUrl/{url}", media.long_video)
    key_lines = [l for l in playlist_lines(run.result.path) if l.startswith("#EXT-X-KEY:")]
    assert key_lines and 'METHOD=AES-128,URI="https://keys.example.com/k1"' in key_lines[0]
    with open(run.result.extra[0].path, "rb") as segment:
        assert segment.read(1) != b"\x47"  # an encrypted segment no longer starts with a TS sync byte


def test_hls_is_refused_on_a_download_url(run_fop, media):
    with pytest.raises(StageFailed, match="only available through pfop"):
        run_fop("avthumb/m3u8/segtime/5", media.long_video, sync=True)


def test_audio_only_hls(run_fop, media):
    run = run_fop("avthumb/m3u8/segtime/5", media.wav, "audio/wav")
    assert len(run.result.extra) == 1
    out = probe(run.result.extra[0].path)
    assert (out.video_codec, out.audio_codec) == (None, "aac")
    assert re.fullmatch(r"[A-Za-z0-9_=-]+/FsourceEtag0000/000000\.ts", run.result.extra[0].key)


def test_segment_uris_are_relative_to_the_folder_of_the_playlist_key(run_fop, media):
    pattern = b64_encode("hls/movie-$(count).ts")
    run = run_fop(f"avthumb/m3u8/segtime/5/pattern/{pattern}", media.long_video, output_key="hls/movie.m3u8")
    assert [l for l in playlist_lines(run.result.path) if l and not l.startswith("#")] == [
        "movie-000000.ts", "movie-000001.ts", "movie-000002.ts"]
    elsewhere = run_fop(f"avthumb/m3u8/segtime/5/pattern/{pattern}", media.long_video,
                        output_key="playlists/2024/movie.m3u8")
    assert [l for l in playlist_lines(elsewhere.result.path) if l.endswith(".ts")][0] == "../../hls/movie-000000.ts"
