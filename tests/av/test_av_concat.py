"""avconcat: the source plus base64 URLs, joined by remux (mode 1) or re-encode (mode 2)."""

from __future__ import annotations

import pytest
from av_support import DirResolver, probe

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.fops.execute import StageFailed


def url(name: str) -> str:
    return b64_encode(f"kodo://b/{name}")


@pytest.fixture
def resolver(media) -> DirResolver:
    return DirResolver({"c2.mp4": media.video, "c3.mp4": media.video,
                        "small.mp4": media.small_piece, "mute.mp4": media.video_only})


def test_mode_2_joins_three_same_size_clips(run_fop, media, resolver):
    run = run_fop(f"avconcat/2/format/mp4/{url('c2.mp4')}/{url('c3.mp4')}", media.video,
                  fetch_url=resolver)
    out = probe(run.result.path)
    assert run.result.mime == "video/mp4"
    assert (out.video_codec, out.audio_codec, out.width, out.height) == ("h264", "aac", 320, 240)
    assert out.duration == pytest.approx(6, abs=0.3)
    assert resolver.asked == ["kodo://b/c2.mp4", "kodo://b/c3.mp4"]


def test_mode_2_letterboxes_other_sizes_and_adds_silence(run_fop, media, resolver):
    run = run_fop(f"avconcat/mode/2/format/mp4/{url('small.mp4')}/{url('mute.mp4')}", media.video,
                  fetch_url=resolver)
    out = probe(run.result.path)
    assert (out.width, out.height, out.audio_codec) == (320, 240, "aac")
    assert out.duration == pytest.approx(2 + 1 + 1, abs=0.3)


def test_mode_2_size_and_index(run_fop, media, resolver):
    run = run_fop(f"avconcat/2/format/mkv/s/160x120/index/2/{url('small.mp4')}", media.video,
                  fetch_url=resolver)
    out = probe(run.result.path)
    assert (out.format_name, out.width, out.height) == ("matroska,webm", 160, 120)
    assert out.duration == pytest.approx(3, abs=0.3)


def test_mode_1_remuxes_without_reencoding(run_fop, media, resolver, recorder):
    run = run_fop(f"avconcat/1/format/mp4/{url('c2.mp4')}", media.video, fetch_url=resolver)
    out = probe(run.result.path)
    assert (out.video_codec, out.width) == ("h264", 320)
    assert out.duration == pytest.approx(4, abs=0.3)
    assert any("-c copy" in line for line in recorder.log)


def test_audio_format_joins_only_the_audio(run_fop, media, resolver):
    run = run_fop(f"avconcat/2/format/mp3/{url('c2.mp4')}", media.video, fetch_url=resolver)
    out = probe(run.result.path)
    assert (out.video_codec, out.audio_codec[:3]) == (None, "mp3")
    assert out.duration == pytest.approx(4, abs=0.3)


def test_a_missing_piece_fails_with_its_url(run_fop, media, resolver):
    with pytest.raises(StageFailed, match="failed to GET kodo://b/nope.mp4"):
        run_fop(f"avconcat/2/format/mp4/{url('nope.mp4')}", media.video, fetch_url=resolver)


def test_a_broken_piece_is_named(run_fop, media):
    resolver = DirResolver({"bad.mp4": media.corrupt})
    with pytest.raises(StageFailed, match="piece 2: not a valid media"):
        run_fop(f"avconcat/2/format/mp4/{url('bad.mp4')}", media.video, fetch_url=resolver)
