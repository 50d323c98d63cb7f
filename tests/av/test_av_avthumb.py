"""avthumb on generated media: containers, codecs, sizes, rates, durations, failures."""

from __future__ import annotations


import av
import pytest
from av_support import DirResolver, frame_at, mean_level, probe
from PIL import Image, ImageChops

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.fops.execute import StageFailed

SOURCE_VIDEO_KBPS_CAP = 1.25  # encoders overshoot a little on 2-second clips


def test_seed_hd_transcode_scales_to_1080p_at_30_fps(run_fop, media):
    run = run_fop("avthumb/mp4/vcodec/libx264/acodec/aac/vb/2000k/ab/128k/r/30/s/1920x1080", media.video)
    out = probe(run.result.path)
    assert run.result.mime == "video/mp4"
    assert (out.video_codec, out.audio_codec) == ("h264", "aac")
    assert (out.width, out.height) == (1920, 1080)
    assert out.fps == pytest.approx(30, abs=0.5)
    assert out.duration == pytest.approx(2, abs=0.15)


def test_seed_sd_transcode_never_exceeds_the_source_bitrate(run_fop, media):
    source = probe(media.video)
    run = run_fop("avthumb/mp4/vcodec/libx264/acodec/aac/vb/1000k/ab/96k/r/30/s/1280x720", media.video)
    out = probe(run.result.path)
    assert (out.width, out.height) == (1280, 720)
    # 1000k was asked for, but the source carries far less: its bitrate is the ceiling.
    assert out.video_bit_rate <= source.video_bit_rate * SOURCE_VIDEO_KBPS_CAP
    assert out.audio_bit_rate <= source.audio_bit_rate * SOURCE_VIDEO_KBPS_CAP


def test_requested_video_bitrate_is_met_within_tolerance(run_fop, media):
    out = probe(run_fop("avthumb/mp4/vb/100k", media.video).result.path)
    assert 50_000 <= out.video_bit_rate <= 150_000


@pytest.mark.parametrize("fop, codec, rate", [
    ("avthumb/mp3/ab/192k/ar/44100", "mp3", 44100),
    ("avthumb/aac/ab/128k/ar/44100", "aac", 44100),
])
def test_seed_audio_conversions(run_fop, media, fop, codec, rate):
    out = probe(run_fop(fop, media.wav, "audio/wav").result.path)
    assert out.audio_codec.startswith(codec) and out.video_codec is None
    assert out.sample_rate == rate
    assert out.duration == pytest.approx(3, abs=0.15)
    assert out.audio_bit_rate == pytest.approx(int(fop.split("/ab/")[1].split("k")[0]) * 1000, rel=0.1)


def test_seed_volume_filter_makes_the_audio_louder(run_fop, media):
    plain = run_fop("avthumb/mp3/ab/192k", media.wav, "audio/wav").result.path
    louder = run_fop("avthumb/mp3/ab/192k/af/volume=1.5", media.wav, "audio/wav").result.path
    assert mean_level(louder, 0.5, 2.5) == pytest.approx(1.5 * mean_level(plain, 0.5, 2.5), rel=0.08)


def test_seed_fade_filter_starts_silent_and_rises(run_fop, media):
    out = run_fop("avthumb/mp3/ab/192k/af/afade=t=in:ss=0:d=3,afade=t=out:st=57:d=3",
                  media.wav, "audio/wav").result.path
    assert mean_level(out, 0.0, 0.3) < 0.3 * mean_level(out, 2.4, 2.9)


@pytest.mark.parametrize("fmt, container, vcodec, acodec, mime", [
    ("flv", "flv", "h264", "aac", "video/x-flv"),
    ("mov", "mov,mp4,m4a,3gp,3g2,mj2", "h264", "aac", "video/quicktime"),
    ("mkv", "matroska,webm", "h264", "aac", "video/x-matroska"),
    ("webm/t/0.5", "matroska,webm", "vp8", "vorbis", "video/webm"),
    ("gif/s/80x60", "gif", "gif", None, "image/gif"),
    ("m4a", "mov,mp4,m4a,3gp,3g2,mj2", None, "aac", "audio/mp4"),
    ("ogg", "ogg", None, "vorbis", "audio/ogg"),
    ("opus", "ogg", None, "opus", "audio/opus"),
    ("wav", "wav", None, "pcm_s16le", "audio/wav"),
    ("flac", "flac", None, "flac", "audio/flac"),
    ("amr", "amr", None, "amrnb", "audio/amr"),
])
def test_output_formats(run_fop, media, fmt, container, vcodec, acodec, mime):
    result = run_fop(f"avthumb/{fmt}", media.video).result
    out = probe(result.path)
    assert result.mime == mime
    assert (out.format_name, out.video_codec, out.audio_codec) == (container, vcodec, acodec)


def test_amr_uses_its_preset_rate_and_mono(run_fop, media):
    out = probe(run_fop("avthumb/amr", media.wav, "audio/wav").result.path)
    assert (out.sample_rate, out.channels) == (8000, 1)


def test_flash_preset_uses_sorenson_video_and_mp3(run_fop, media):
    out = probe(run_fop("avthumb/flash", media.video).result.path)
    assert (out.video_codec, out.sample_rate) == ("flv", 44100)
    assert out.audio_codec.startswith("mp3")


def test_autoscale_keeps_the_aspect_inside_the_box(run_fop, media):
    out = probe(run_fop("avthumb/mp4/s/640x360/autoscale/1", media.wide).result.path)
    assert (out.width, out.height) == (450, 360)


def test_without_autoscale_the_frame_is_stretched_to_even_sides(run_fop, media):
    out = probe(run_fop("avthumb/mp4/s/161x91", media.video).result.path)
    assert (out.width, out.height) == (162, 92)


def test_frame_rate_start_and_duration(run_fop, media):
    out = probe(run_fop("avthumb/mp4/r/15/ss/0.5/t/1", media.video).result.path)
    assert out.fps == pytest.approx(15, abs=0.5)
    assert out.duration == pytest.approx(1, abs=0.15)


def test_an_drops_audio_and_vn_drops_video(run_fop, media):
    silent = probe(run_fop("avthumb/mp4/an/1", media.video).result.path)
    blind = probe(run_fop("avthumb/mp4/vn/1", media.video).result.path)
    assert (silent.video_codec, silent.audio_codec) == ("h264", None)
    assert (blind.video_codec, blind.audio_codec) == (None, "aac")


def test_stripmeta_removes_the_title(run_fop, media):
    kept = probe(run_fop("avthumb/mp4", media.video).result.path)
    stripped = probe(run_fop("avthumb/mp4/stripmeta/1", media.video).result.path)
    assert kept.metadata.get("title") == "generated clip"
    assert "title" not in stripped.metadata


def test_rotate_turns_the_picture_clockwise(run_fop, media):
    out = run_fop("avthumb/mp4/rotate/90", media.video).result.path
    assert (probe(out).width, probe(out).height) == (240, 320)
    # testsrc2's top-left area is dark: after a clockwise turn it lands top-right.
    original, turned = frame_at(media.video, 1.0), frame_at(out, 1.0)
    assert turned.getpixel((235, 5)) == pytest.approx(original.getpixel((5, 5)), abs=40)


def test_vcodec_copy_keeps_the_source_stream(run_fop, media):
    out = probe(run_fop("avthumb/mkv/vcodec/copy/acodec/copy", media.video).result.path)
    source = probe(media.video)
    assert (out.format_name, out.video_codec, out.width) == ("matroska,webm", "h264", source.width)


def test_image_watermark_lands_in_the_requested_corner(run_fop, media, tmp_path):
    mark = tmp_path / "mark.png"
    Image.new("RGB", (40, 30), (255, 0, 0)).save(mark)
    resolver = DirResolver({"mark.png": mark})
    url = b64_encode("kodo://b/mark.png")
    out = run_fop(f"avthumb/mp4/wmImage/{url}/wmGravity/SouthEast/wmOffsetX/-10/wmOffsetY/-10",
                  media.video, fetch_url=resolver).result.path
    frame = frame_at(out, 1.0)
    red = frame.getpixel((320 - 10 - 20, 240 - 10 - 15))
    assert red[0] > 200 and red[1] < 60 and red[2] < 60
    assert resolver.asked == ["kodo://b/mark.png"]


def test_text_watermark_changes_only_its_corner(run_fop, media):
    text = b64_encode("Qiniu: 'emulator', [1,2]; 100%")
    out = run_fop(f"avthumb/mp4/wmText/{text}/wmGravityText/NorthWest/wmFontColor/{b64_encode('white')}",
                  media.video).result.path
    plain = run_fop("avthumb/mp4", media.video).result.path
    diff = ImageChops.difference(frame_at(out, 1.0).convert("L"), frame_at(plain, 1.0).convert("L"))

    def changed_pixels(box: tuple[int, int, int, int]) -> int:
        return sum(diff.crop(box).histogram()[80:])

    assert changed_pixels((0, 0, 160, 30)) > 100
    assert changed_pixels((160, 30, 320, 240)) < 10


def test_vf_filters_apply_and_sides_stay_even(run_fop, media):
    out = probe(run_fop("avthumb/mp4/vf/crop=101:77:0:0,hflip", media.video).result.path)
    assert (out.width, out.height) == (100, 76)


def test_progress_rises_to_one_and_the_command_is_logged(run_fop, media, recorder):
    run_fop("avthumb/mp4/s/160x120", media.video)
    assert recorder.progress and recorder.progress[-1] == 1.0
    assert recorder.progress == sorted(recorder.progress)
    command = next(line for line in recorder.log if line.startswith("ffmpeg: "))
    assert "-nostdin" in command and "-protocol_whitelist file " in command and "-format_whitelist mov," in command


@pytest.mark.parametrize("name", ["corrupt", "empty"])
def test_non_media_input_fails_with_not_a_valid_media(run_fop, media, name):
    with pytest.raises(StageFailed) as caught:
        run_fop("avthumb/mp4", getattr(media, name))
    assert caught.value.index == 0
    assert caught.value.item_error.startswith("execute fop cmd failed: not a valid media")


def test_a_video_format_from_audio_only_gif_fails_clearly(run_fop, media):
    with pytest.raises(StageFailed, match="not a valid media: nothing to put in gif"):
        run_fop("avthumb/gif", media.aac, "audio/aac")


def test_he_aac_without_libfdk_fails_clearly(run_fop, media):
    with pytest.raises(StageFailed, match="libfdk_aac"):
        run_fop("avthumb/m4a/audioProfile/aac_he", media.wav, "audio/wav")


def test_slow_transcode_is_stopped_at_the_op_timeout(run_fop, media, recorder):
    with pytest.raises(StageFailed, match="timed out after 0.3 s"):
        run_fop("avthumb/webm/s/1920x1080", media.video, op_timeout=0.3)


def test_vector_57_audio_then_vsample_fails_at_stage_1(run_fop, media):
    with pytest.raises(StageFailed) as caught:
        run_fop("avthumb/aac/ab/64k|vsample/png/interval/3/pattern/" + b64_encode("f$(count).png"),
                media.aac, "audio/aac")
    assert caught.value.index == 1
    assert caught.value.item_error.startswith("execute fop cmd failed:")
    assert "not a valid video" in caught.value.item_error


def test_autoscale_uses_the_displayed_size_of_a_rotated_source(run_fop, media):
    out = probe(run_fop("avthumb/mp4/s/120x80/autoscale/1", media.rotated).result.path)
    assert (out.width, out.height) == (60, 80)


def test_aq_selects_variable_bitrate_mp3(run_fop, media):
    out = probe(run_fop("avthumb/mp3/aq/2", media.wav, "audio/wav").result.path)
    assert out.audio_codec.startswith("mp3") and out.duration == pytest.approx(3, abs=0.15)


def test_aq_outside_the_mp3_scale_fails_clearly(run_fop, media):
    with pytest.raises(StageFailed, match="aq 20 is out of range 0..9 for mp3"):
        run_fop("avthumb/mp3/aq/20", media.wav, "audio/wav")
