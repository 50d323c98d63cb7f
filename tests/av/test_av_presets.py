"""avthumb presets (docs/fops.md §6.5): device presets and HLS presets fill what is not written."""

from __future__ import annotations

import pytest
from av_support import probe

from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.fops.parse import FopsError, parse_pipeline


def args_of(fop: str):
    return parse_pipeline(fop, default_registry()).ops[0].args


@pytest.mark.parametrize("preset, vb, ab, box", [
    ("iphone_low", 96_000, 64_000, (480, 320)),
    ("iphone", 512_000, 128_000, (480, 320)),
    ("iphone_high", 700_000, 128_000, (480, 320)),
    ("android", 512_000, 128_000, (480, 320)),
    ("ipad_high", 1_200_000, 128_000, (1024, 768)),
])
def test_device_presets_map_to_the_documented_parameters(preset, vb, ab, box):
    args = args_of(f"avthumb/{preset}")
    assert (args.format, args.vcodec, args.acodec, args.vb, args.ab, args.ar) == ("mp4", "libx264", "libfaac",
                                                                                   vb, ab, 48000)
    assert (args.s.width, args.s.height, args.autoscale) == (*box, True)


def test_written_parameters_win_over_the_preset():
    args = args_of("avthumb/ipad_high/vb/300k/s/320x240/aq/100")
    assert (args.vb, args.s.width, args.s.height, args.autoscale, args.ab, args.aq) == (
        300_000, 320, 240, False, None, 100)


def test_iphone_low_plays_as_mp4_and_never_enlarges(run_fop, media):
    out = probe(run_fop("avthumb/iphone_low", media.video).result.path)
    assert (out.video_codec, out.audio_codec, out.sample_rate) == ("h264", "aac", 48000)
    assert (out.width, out.height) == (320, 240)


def test_a_device_preset_shrinks_into_its_box(run_fop, media):
    out = probe(run_fop("avthumb/iphone", media.wide).result.path)
    assert (out.width, out.height) == (400, 320)


@pytest.mark.parametrize("preset, vb, size", [
    ("video_640k", 640_000, None),
    ("video_240k", 240_000, None),
    ("video_16x9_440k", 440_000, (400, 224)),
    ("video_4x3_150k", 150_000, (400, 300)),
])
def test_hls_video_presets(preset, vb, size):
    args = args_of(f"avthumb/m3u8/segtime/10/preset/{preset}")
    assert (args.format, args.vcodec, args.vb, args.segtime) == ("m3u8", "libx264", vb, 10)
    assert (None if args.s is None else (args.s.width, args.s.height)) == size


def test_the_16x9_preset_gives_400x224_segments(run_fop, media):
    run = run_fop("avthumb/m3u8/segtime/5/preset/video_16x9_240k", media.long_video)
    segment = probe(run.result.extra[0].path)
    assert (segment.video_codec, segment.width, segment.height) == ("h264", 400, 224)


def test_audio_32k_drops_the_video(run_fop, media):
    run = run_fop("avthumb/m3u8/segtime/5/preset/audio_32k", media.long_video)
    segment = probe(run.result.extra[0].path)
    assert (segment.video_codec, segment.audio_codec) == (None, "aac")
    assert args_of("avthumb/m3u8/preset/audio_32k").ab == 32_000


@pytest.mark.parametrize("fop, message", [
    ("avthumb/m3u8/preset/audio_128k", "'audio_128k' is not one of audio_32k"),
    ("avthumb/m3u8/preset/video_16x9_1000k", "'video_16x9_1000k' is not one of"),
    ("avthumb/mp4/preset/video_640k", "preset applies only to avthumb/m3u8"),
    ("avthumb/iphone_lo", "'iphone_lo' is not one of mp4"),
])
def test_unknown_or_misplaced_presets_are_rejected(fop, message):
    with pytest.raises(FopsError) as caught:
        parse_pipeline(fop, default_registry())
    assert message in caught.value.message
