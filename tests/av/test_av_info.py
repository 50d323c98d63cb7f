"""avinfo: ffprobe-shaped JSON with ffprobe's typing, and no local paths."""

from __future__ import annotations

import json

import pytest

from qiniu_emulator.fops.execute import StageFailed


def avinfo(run_fop, src, mime="video/mp4", **ctx):
    result = run_fop("avinfo", src, mime, **ctx).result
    assert result.mime == "application/json"
    return json.loads(result.path.read_text(encoding="utf-8"))


def test_video_streams_and_format(run_fop, media):
    info = avinfo(run_fop, media.video)
    video, audio = info["streams"]
    assert (video["index"], video["codec_type"], video["codec_name"]) == (0, "video", "h264")
    assert (video["width"], video["height"], video["pix_fmt"]) == (320, 240, "yuv420p")
    assert video["r_frame_rate"] == "30/1" and video["codec_tag_string"] == "avc1"
    assert (audio["codec_type"], audio["codec_name"], audio["sample_rate"]) == ("audio", "aac", "44100")
    fmt = info["format"]
    assert fmt["format_name"] == "mov,mp4,m4a,3gp,3g2,mj2"
    assert float(fmt["duration"]) == pytest.approx(2.0, abs=0.1)
    assert fmt["nb_streams"] == 2 and fmt["tags"]["title"] == "generated clip"


def test_numbers_and_strings_are_typed_like_ffprobe(run_fop, media):
    info = avinfo(run_fop, media.video)
    video, audio = info["streams"]
    for field in ("index", "width", "height", "has_b_frames", "level"):
        assert type(video[field]) is int, field
    for field in ("channels", "bits_per_sample"):
        assert type(audio[field]) is int, field
    for field in ("duration", "start_time", "bit_rate", "nb_frames"):
        assert isinstance(video[field], str), field
    assert isinstance(audio["sample_rate"], str)
    for field in ("duration", "start_time", "size", "bit_rate"):
        assert isinstance(info["format"][field], str), field
    assert type(info["format"]["nb_streams"]) is int


def test_filename_is_the_source_key_not_a_local_path(run_fop, media):
    info = avinfo(run_fop, media.video)
    assert info["format"]["filename"] == "clips/movie.mp4"
    assert str(media.video.parent) not in json.dumps(info)


def test_pcm_audio_reports_its_sample_size(run_fop, media):
    (audio,) = avinfo(run_fop, media.wav, "audio/wav")["streams"]
    assert (audio["codec_name"], audio["channels"], audio["bits_per_sample"]) == ("pcm_s16le", 2, 16)


@pytest.mark.parametrize("name", ["corrupt", "empty"])
def test_non_media_is_not_a_valid_media(run_fop, media, name):
    with pytest.raises(StageFailed, match="not a valid media"):
        run_fop("avinfo", getattr(media, name))


def test_avinfo_ends_a_pipe(run_fop, media):
    result = run_fop("avthumb/mp3/ab/64k|avinfo", media.video).result
    (stream,) = json.loads(result.path.read_text())["streams"]
    assert stream["codec_name"] == "mp3"
