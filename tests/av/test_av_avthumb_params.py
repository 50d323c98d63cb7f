"""avthumb's encoder, geometry, audio, watermark and subtitle parameters, each checked by
what a user would probe in the output: GOP length, profile and level, peak bitrate,
padding, interlacing, loudness, mixed-in tones, watermark size and timing, subtitle streams."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import pytest
from av_support import (
    DirResolver,
    band_volume,
    codec_summary,
    ffmpeg,
    frame_at,
    integrated_loudness,
    interlace_counts,
    keyframe_times,
    lavfi_inputs,
    mean_level,
    probe,
)
from PIL import Image

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.fidelity import Fidelity
from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.fops.execute import StageFailed, run_ops
from qiniu_emulator.fops.parse import FopsError, parse_pipeline

H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
SUBTITLE_LINE = "Hello from the subtitle track"


@dataclass(frozen=True)
class Sources:
    blue: Path         # 320x240, 25 fps, 2 s, flat blue, with a 330 Hz tone
    interlaced: Path   # 320x240, 25 fps, 2 s, fields woven from a scrolling pattern, coded interlaced
    busy: Path         # 320x240, 25 fps, 8 s, a scrolling pattern that costs bits to encode
    red_clip: Path     # 60x40, 1 s, flat red (a video watermark)
    tone_1k: Path      # 3 s of 1000 Hz (mixed in)
    srt: Path          # one cue, 0.2 s to 1.8 s
    with_subs: Path    # the blue clip in Matroska with that cue as a subtitle stream


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Sources:
    d = tmp_path_factory.mktemp("avthumb-params")
    ffmpeg("-f", "lavfi", "-i", "color=c=blue:size=320x240:rate=25:duration=2",
           "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100:duration=2",
           *H264, "-c:a", "aac", "-shortest", str(d / "blue.mp4"))
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=50:duration=2,scroll=horizontal=0.03,"
           "tinterlace=mode=interleave_top,setfield=tff", *H264,
           "-flags", "+ilme+ildct", "-x264opts", "tff=1", str(d / "interlaced.mp4"))
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=8,scroll=horizontal=0.03", *H264,
           str(d / "busy.mp4"))
    ffmpeg("-f", "lavfi", "-i", "color=c=red:size=60x40:rate=25:duration=1", *H264, str(d / "red.mp4"))
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100:duration=3", "-c:a", "pcm_s16le",
           str(d / "tone1k.wav"))
    (d / "cue.srt").write_text(f"1\n00:00:00,200 --> 00:00:01,800\n{SUBTITLE_LINE}\n", encoding="utf-8")
    ffmpeg("-i", str(d / "blue.mp4"), "-i", str(d / "cue.srt"), "-map", "0", "-map", "1",
           "-c:v", "copy", "-c:a", "copy", "-c:s", "srt", str(d / "subs.mkv"))
    return Sources(blue=d / "blue.mp4", interlaced=d / "interlaced.mp4", busy=d / "busy.mp4", red_clip=d / "red.mp4",
                   tone_1k=d / "tone1k.wav", srt=d / "cue.srt", with_subs=d / "subs.mkv")


@pytest.fixture
def resolver(sources, tmp_path) -> DirResolver:
    Image.new("RGB", (40, 20), (255, 0, 0)).save(tmp_path / "mark.png")
    return DirResolver({"mark.png": tmp_path / "mark.png", "red.mp4": sources.red_clip,
                        "tone1k.wav": sources.tone_1k, "cue.srt": sources.srt})


def url(name: str) -> str:
    return b64_encode(f"kodo://b/{name}")


def is_red(pixel) -> bool:
    return pixel[0] > 180 and pixel[1] < 80 and pixel[2] < 80


def red_pixels(image: Image.Image) -> int:
    return sum(1 for pixel in image.getdata() if is_red(pixel))


# -- encoder ------------------------------------------------------------------------------

def test_gop_puts_a_keyframe_every_n_frames(run_fop, media):
    out = run_fop("avthumb/mp4/gop/10", media.video).result.path  # 30 fps, 2 s
    times = keyframe_times(out)
    assert len(times) == 6
    assert all(b - a == pytest.approx(10 / 30, abs=0.002) for a, b in zip(times, times[1:]))


def test_h264_profile_and_level_are_those_asked(run_fop, media):
    out = run_fop("avthumb/mp4/h264Profile/baseline/h264Level/3.1", media.video).result.path
    profile, level = codec_summary(out)
    assert "Baseline" in profile and level == 31
    high = run_fop("avthumb/mp4/h264Profile/high/h264Level/4.0", media.video).result.path
    assert codec_summary(high) == ("High", 40)


def test_ref_sets_the_reference_frames_x264_records(run_fop, media):
    out = run_fop("avthumb/mp4/ref/2", media.video).result.path
    # x264 writes its settings into the stream (an SEI message), where encoders and users read them
    assert b" ref=2 " in out.read_bytes()


def test_h264_parameters_on_another_codec_fail_clearly(run_fop, media):
    with pytest.raises(StageFailed, match="h264Profile applies to H.264 output"):
        run_fop("avthumb/webm/h264Profile/main", media.video)


def test_maxrate_caps_the_bitrate_of_a_high_quality_encode(run_fop, sources):
    capped = probe(run_fop("avthumb/mp4/crf/10/maxrate/150k", sources.busy).result.path)
    free = probe(run_fop("avthumb/mp4/crf/10", sources.busy).result.path)
    assert free.video_bit_rate > 600_000
    assert capped.video_bit_rate < 150_000 * 1.3


def test_avsmart_ignores_vb_and_follows_smt_quality(run_fop, sources):
    source = sources.interlaced  # detailed enough for quality to cost bits
    def size(fop: str) -> int:
        return run_fop(fop, source).result.path.stat().st_size
    best, worst = size("avthumb/mp4/avsmart/1/smtQuality/9"), size("avthumb/mp4/avsmart/1/smtQuality/-7")
    assert best > 1.5 * worst
    plain, with_vb = size("avthumb/mp4/avsmart/1"), size("avthumb/mp4/avsmart/1/vb/20k")
    assert with_vb == pytest.approx(plain, rel=0.1)
    assert probe(run_fop("avthumb/mp4/avsmart/1/smtType/2", source).result.path).video_codec == "h264"


# -- geometry -----------------------------------------------------------------------------

def test_pad_centres_the_video_on_a_black_canvas(run_fop, sources):
    out = run_fop("avthumb/mp4/padW/400/padH/300", sources.blue).result.path
    assert (probe(out).width, probe(out).height) == (400, 300)
    frame = frame_at(out, 1.0)
    assert max(frame.getpixel((5, 5))) < 30 and max(frame.getpixel((395, 295))) < 30
    centre = frame.getpixel((200, 150))
    assert centre[2] > 200 and centre[0] < 40


def test_pad_video_position_moves_the_video(run_fop, sources):
    frame = frame_at(run_fop("avthumb/mp4/padW/400/padH/300/padVideoX/0/padVideoY/0",
                             sources.blue).result.path, 1.0)
    assert frame.getpixel((5, 5))[2] > 200
    assert max(frame.getpixel((395, 295))) < 30


def test_pad_smaller_than_the_video_fails_clearly(run_fop, sources):
    with pytest.raises(StageFailed, match="padW 200 is smaller than the video's 320"):
        run_fop("avthumb/mp4/padW/200/padH/300", sources.blue)


def test_deinterlace_turns_combed_fields_progressive(run_fop, sources):
    assert interlace_counts(sources.interlaced)["tff"] > 20  # the source is seen as interlaced
    kept = interlace_counts(run_fop("avthumb/mp4", sources.interlaced).result.path)
    fixed = interlace_counts(run_fop("avthumb/mp4/deinterlace/1", sources.interlaced).result.path)
    assert kept["tff"] > kept["progressive"]
    assert fixed["progressive"] > 5 * max(fixed["tff"], 1)


# -- audio --------------------------------------------------------------------------------

@pytest.mark.parametrize("value, ratio", [("0.5", 0.5), ("-6dB", 0.501), ("2", 2.0)])
def test_volume_scales_the_samples(run_fop, media, value, ratio):
    plain = run_fop("avthumb/wav", media.wav, "audio/wav").result.path
    changed = run_fop(f"avthumb/wav/volume/{value}", media.wav, "audio/wav").result.path
    assert mean_level(changed, 0.5, 2.5) == pytest.approx(ratio * mean_level(plain, 0.5, 2.5), rel=0.03)


def test_loudnorm_reaches_the_integrated_loudness_asked(run_fop, media):
    default = run_fop("avthumb/wav/loudnorm/1", media.wav, "audio/wav").result.path
    louder = run_fop("avthumb/wav/loudnorm/1/loudnormI/-16/loudnormTP/-1", media.wav, "audio/wav").result.path
    assert integrated_loudness(default) == pytest.approx(-24, abs=2)
    assert integrated_loudness(louder) == pytest.approx(-16, abs=2)
    assert probe(louder).sample_rate == 44100  # loudnorm's 192 kHz does not leak out


def test_amix_mixes_the_tone_in_from_its_offset(run_fop, media, resolver):
    out = run_fop(f"avthumb/wav/amix/{url('tone1k.wav')}/amixOffset/1.5/amixDuration/1",
                  media.wav, "audio/wav", fetch_url=resolver).result.path
    before, during, after = (band_volume(out, 1000, a, b) for a, b in ((0.2, 1.3), (1.7, 2.3), (2.7, 2.95)))
    assert during > before + 20 and during > after + 20
    assert probe(out).duration == pytest.approx(3, abs=0.1)  # the output keeps the source's length
    assert band_volume(out, 330, 0.2, 1.3) > before + 20  # and the source's own tone


def test_amix_of_something_without_audio_fails_clearly(run_fop, media, resolver):
    with pytest.raises(StageFailed, match="has no audio"):
        run_fop(f"avthumb/wav/amix/{url('red.mp4')}", media.wav, "audio/wav", fetch_url=resolver)


# -- watermarks ---------------------------------------------------------------------------

@pytest.mark.parametrize("scale_type, size", [("0", (240, 120)), ("1", (160, 80))])
def test_wm_scale_sizes_the_mark_against_the_frame(run_fop, sources, resolver, scale_type, size):
    out = run_fop(f"avthumb/mp4/wmImage/{url('mark.png')}/wmGravity/NorthWest/wmScale/0.5/"
                  f"wmScaleType/{scale_type}", sources.blue, fetch_url=resolver).result.path
    assert red_pixels(frame_at(out, 1.0)) == pytest.approx(size[0] * size[1], rel=0.05)


def test_wm_alpha_blends_the_mark_with_the_picture(run_fop, sources, resolver):
    out = run_fop(f"avthumb/mp4/wmImage/{url('mark.png')}/wmGravity/NorthWest/wmAlpha/0.5",
                  sources.blue, fetch_url=resolver).result.path
    red, _, blue = frame_at(out, 1.0).getpixel((20, 10))
    assert 90 < red < 170 and 90 < blue < 170


@pytest.mark.parametrize("window, shown, hidden", [("wmPos/0/wmDuration/1", 0.5, 1.5),
                                                   ("wmPos/$(end)/wmDuration/-1", 1.5, 0.5)])
def test_wm_pos_and_duration_limit_when_the_mark_shows(run_fop, sources, resolver, window, shown, hidden):
    out = run_fop(f"avthumb/mp4/wmImage/{url('mark.png')}/wmGravity/NorthWest/{window}",
                  sources.blue, fetch_url=resolver).result.path
    assert is_red(frame_at(out, shown).getpixel((20, 10)))
    assert not is_red(frame_at(out, hidden).getpixel((20, 10)))


def test_a_mark_window_past_the_end_needs_wm_shortest(run_fop, sources, resolver):
    fop = f"avthumb/mp4/wmImage/{url('mark.png')}/wmGravity/NorthWest/wmPos/1/wmDuration/5"
    with pytest.raises(StageFailed, match="add wmShortest/1 to trim it"):
        run_fop(fop, sources.blue, fetch_url=resolver)
    out = run_fop(fop + "/wmShortest/1", sources.blue, fetch_url=resolver).result.path
    assert is_red(frame_at(out, 1.5).getpixel((20, 10)))


def test_wm_video_plays_over_the_picture_until_it_ends(run_fop, sources, resolver):
    out = run_fop(f"avthumb/mp4/wmVideo/{url('red.mp4')}/wmGravity/SouthEast", sources.blue,
                  fetch_url=resolver).result.path
    assert is_red(frame_at(out, 0.5).getpixel((320 - 30, 240 - 20)))  # the 1 s clip is playing
    assert not is_red(frame_at(out, 1.6).getpixel((320 - 30, 240 - 20)))


# -- subtitles ----------------------------------------------------------------------------

def subtitle_codecs(path: Path) -> list[str]:
    with av.open(str(path)) as container:
        return [s.codec_context.name for s in container.streams.subtitles]


def subtitle_text(path: Path, tmp_path: Path) -> str:
    ffmpeg("-i", str(path), "-map", "0:s:0", str(tmp_path / "out.srt"))
    return (tmp_path / "out.srt").read_text(encoding="utf-8")


def test_subtitle_file_becomes_a_mov_text_track(run_fop, sources, resolver, tmp_path):
    out = run_fop(f"avthumb/mp4/subtitle/{url('cue.srt')}", sources.blue, fetch_url=resolver).result.path
    assert subtitle_codecs(out) == ["mov_text"]
    assert SUBTITLE_LINE in subtitle_text(out, tmp_path)


@pytest.mark.parametrize("fop", ["avthumb/mp4/subtitle/embed", f"avthumb/mp4/subtitle/{b64_encode('embed')}",
                                 "avthumb/mp4/scodec/mov_text"])
def test_embed_and_scodec_keep_the_source_track(run_fop, sources, tmp_path, fop):
    out = run_fop(fop, sources.with_subs, "video/x-matroska").result.path
    assert subtitle_codecs(out) == ["mov_text"]
    assert SUBTITLE_LINE in subtitle_text(out, tmp_path)


def test_mkv_output_keeps_srt_and_sn_drops_the_track(run_fop, sources):
    kept = run_fop("avthumb/mkv/subtitle/embed", sources.with_subs, "video/x-matroska").result.path
    assert subtitle_codecs(kept) == ["srt"]
    dropped = run_fop("avthumb/mkv/sn/1", sources.with_subs, "video/x-matroska").result.path
    assert subtitle_codecs(dropped) == []


@pytest.mark.parametrize("fop, src, message", [
    ("avthumb/mp4/subtitle/embed", "blue", "the source has no subtitle stream"),
    ("avthumb/flv/subtitle/embed", "with_subs", "cannot carry subtitles"),
    ("avthumb/mp4/scodec/srt", "with_subs", "carries mov_text subtitles, not srt"),
])
def test_subtitle_mistakes_fail_clearly(run_fop, sources, fop, src, message):
    with pytest.raises(StageFailed, match=message):
        run_fop(fop, getattr(sources, src))


# -- parsing ------------------------------------------------------------------------------

@pytest.mark.parametrize("fop, message", [
    ("avthumb/mp4/loudnormI/-16", "loudnormI needs loudnorm"),
    ("avthumb/mp4/smtQuality/3", "smtQuality needs avsmart"),
    ("avthumb/mp4/amixOffset/1", "amixOffset needs amix"),
    ("avthumb/mp4/padVideoX/4", "padVideoX needs padW"),
    ("avthumb/mp4/padW/400", "padW and padH must be given together"),
    ("avthumb/mp4/wmScale/0.5", "wmScale needs wmImage or wmVideo"),
    ("avthumb/mp4/wmPos/1", "wmPos and wmDuration must be given together"),
    (f"avthumb/mp4/wmImage/{url('m.png')}/wmPos/$(end)/wmDuration/2", "must be negative"),
    (f"avthumb/mp4/wmImage/{url('m.png')}/wmPos/1/wmDuration/-1", "must be positive"),
    ("avthumb/mp4/avsmart/1/smtEnhance/1", "only 0 (off) is emulated"),
    ("avthumb/mp4/avsmart/1/smtType/1/vcodec/libx265", "smtType 1 encodes H.264 only"),
    ("avthumb/mp4/avsmart/1/vcodec/libvpx", "avsmart encodes H.264 or H.265"),
    ("avthumb/mp4/sn/1/subtitle/embed", "sn/1 drops subtitles"),
    ("avthumb/mp4/h264Level/3.3", "h264Level"),
    ("avthumb/mp4/volume/loud", "is not a volume"),
    ("avthumb/mp4/wmImage/" + url("m.png") + "/wmScale/1.5", "outside (0, 1]"),
    ("avthumb/mp4/vcodec/copy/gop/25", "gop needs re-encoding"),
    ("avthumb/mp4/acodec/copy/volume/2", "volume needs re-encoding"),
])
def test_bad_combinations_are_refused_at_submit(fop, message):
    with pytest.raises(FopsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_pipeline(fop, default_registry())


@pytest.mark.parametrize("name", ["hr", "flip", "cut", "stream", "hlsMethod", "stFont", "mosaic"])
def test_documented_but_not_emulated_parameters_are_refused_in_strict_mode(name):
    with pytest.raises(FopsError, match=f"{name} is not emulated; start with --fidelity loose to ignore it"):
        parse_pipeline(f"avthumb/mp4/{name}/1", default_registry())


def test_loose_mode_drops_them_and_logs_each_once(run_fop, media, make_ctx, caplog):
    registry = default_registry(Fidelity("loose"))
    with caplog.at_level("WARNING", logger="qiniu_emulator.fidelity"):
        for _ in range(2):
            pipeline = parse_pipeline("avthumb/mp4/hr/1/s/160x120/flip/1", registry)
    assert pipeline.ops[0].args.s.width == 160
    notes = [r.getMessage() for r in caplog.records if r.name == "qiniu_emulator.fidelity"]
    assert notes == ["avthumb parameter hr is not emulated and is ignored (--fidelity loose)",
                     "avthumb parameter flip is not emulated and is ignored (--fidelity loose)"]
    result = run_ops(pipeline.ops, media.video, "video/mp4", make_ctx(), registry).result
    assert (probe(result.path).width, probe(result.path).height) == (160, 120)


def test_hlstime_is_not_an_avthumb_parameter():
    with pytest.raises(FopsError, match="unknown parameter 'hlstime'"):
        parse_pipeline("avthumb/m3u8/hlstime/10", default_registry())
