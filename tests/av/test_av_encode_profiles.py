"""--encode fast and faithful give outputs with the same properties; only the effort differs."""

from __future__ import annotations

import pytest
from av_support import probe
from PIL import Image

from qiniu_emulator.fops.profiles import FAITHFUL, FAST


def properties(p):
    return (p.format_name, p.video_codec, (p.width, p.height), p.fps, p.audio_codec, p.sample_rate)


@pytest.mark.parametrize("fop", ["avthumb/mp4/s/160x120/vb/200k/r/15", "avthumb/webm/s/160x120/vb/150k"])
def test_transcodes_have_the_same_properties_in_both_profiles(run_fop, media, fop):
    fast, faithful = (probe(run_fop(fop, media.video, encode=profile).result.path) for profile in (FAST, FAITHFUL))
    assert properties(fast) == properties(faithful)
    assert fast.duration == pytest.approx(faithful.duration, abs=0.1)
    requested = int(fop.split("/vb/")[1].split("k")[0]) * 1000
    for out in (fast, faithful):
        assert out.video_bit_rate is None or out.video_bit_rate <= requested * 1.5


def test_the_profile_reaches_the_encoder(run_fop, media, recorder):
    run_fop("avthumb/mp4/s/160x120", media.video, encode=FAST)
    run_fop("avthumb/mp4/s/160x120", media.video, encode=FAITHFUL)
    commands = [line for line in recorder.log if line.startswith("ffmpeg: ")]
    assert "-preset ultrafast" in commands[0] and "-preset veryfast" in commands[1]


@pytest.mark.parametrize("fmt, pillow", [("webp", "WEBP"), ("avif", "AVIF")])
def test_images_have_the_same_size_and_format_in_both_profiles(run_fop, tmp_path, fmt, pillow):
    source = tmp_path / "photo.png"
    Image.radial_gradient("L").resize((640, 480)).convert("RGB").save(source)
    for profile in (FAST, FAITHFUL):
        result = run_fop(f"imageView2/2/w/200/format/{fmt}/q/80", source, "image/png", encode=profile).result
        with Image.open(result.path) as out:
            assert (out.format, out.size) == (pillow, (200, 150))
