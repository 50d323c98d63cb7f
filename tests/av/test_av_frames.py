"""vframe and vsample: frame images with the documented sizes, offsets and names."""

from __future__ import annotations

import pytest
from av_support import frame_at
from PIL import Image, ImageChops, ImageStat

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.fops.execute import StageFailed


def image_size(path) -> tuple[str, tuple[int, int]]:
    with Image.open(path) as img:
        return img.format, img.size


def test_seed_thumbnail_is_exactly_320x240_at_second_10(run_fop, media):
    result = run_fop("vframe/jpg/offset/10/w/320/h/240", media.long_video).result
    assert result.mime == "image/jpeg"
    assert image_size(result.path) == ("JPEG", (320, 240))


def test_frame_is_taken_at_the_offset(run_fop, media):
    result = run_fop("vframe/png/offset/1.5", media.video).result
    with Image.open(result.path) as img:
        shot = img.convert("RGB")
    diff = lambda t: ImageStat.Stat(ImageChops.difference(shot, frame_at(media.video, t))).mean  # noqa: E731
    # testsrc2 prints the time on every frame, so the right frame differs least.
    assert sum(diff(1.5)) < sum(diff(0.5)) and sum(diff(1.5)) < sum(diff(1.9))


@pytest.mark.parametrize("fop, expected", [
    ("vframe/png/offset/1/w/160", ("PNG", (160, 120))),
    ("vframe/png/offset/1/h/60", ("PNG", (80, 60))),
    ("vframe/jpg/offset/0/w/100/h/100", ("JPEG", (100, 100))),
    ("vframe/jpg/offset/1/w/160/rotate/90", ("JPEG", (120, 160))),
])
def test_vframe_sizes(run_fop, media, fop, expected):
    assert image_size(run_fop(fop, media.video).result.path) == expected


def test_vframe_honours_the_display_rotation_of_the_source(run_fop, media):
    assert image_size(run_fop("vframe/png/offset/1/w/120", media.rotated).result.path) == ("PNG", (120, 160))


def test_offset_beyond_the_end_fails_clearly(run_fop, media):
    with pytest.raises(StageFailed) as caught:
        run_fop("vframe/jpg/offset/7", media.video)
    assert caught.value.item_error == "execute fop cmd failed: offset 7 is beyond the duration 2.000 s of the video"


@pytest.mark.parametrize("name", ["corrupt", "empty"])
def test_vframe_of_non_media_fails_as_not_a_valid_media(run_fop, media, name):
    with pytest.raises(StageFailed) as caught:
        run_fop("vframe/jpg/offset/1", getattr(media, name))
    assert caught.value.item_error.startswith("execute fop cmd failed: not a valid media")


def test_vframe_of_audio_fails_as_not_a_valid_video(run_fop, media):
    with pytest.raises(StageFailed, match="not a valid video"):
        run_fop("vframe/jpg/offset/1", media.wav, "audio/wav")


def test_vsample_interval_gives_one_frame_per_interval(run_fop, media):
    pattern = b64_encode("f-$(count).jpg")
    run = run_fop(f"vsample/jpg/ss/0/t/12/interval/3/savePattern/{pattern}", media.long_video)
    keys = [extra.key for extra in run.result.extra]
    assert keys == ["f-000000.jpg", "f-000001.jpg", "f-000002.jpg", "f-000003.jpg"]
    assert {(image_size(e.path), e.mime) for e in run.result.extra} == {(("JPEG", (160, 120)), "image/jpeg")}
    assert run.result.path == run.result.extra[0].path


def test_vsample_frames_start_and_size(run_fop, media):
    pattern = b64_encode("$(key)/$(count).png")
    run = run_fop(f"vsample/png/ss/2/t/8/frames/5/s/x60/pattern/{pattern}", media.long_video)
    expected = [f"clips/movie.mp4/{i:06d}.png" for i in range(5)]
    assert [e.key for e in run.result.extra] == expected
    assert {image_size(e.path) for e in run.result.extra} == {("PNG", (80, 60))}


def test_vsample_frames_are_distinct_moments(run_fop, media):
    run = run_fop(f"vsample/png/interval/4/pattern/{b64_encode('$(count)')}", media.long_video)
    first, second = (Image.open(e.path).convert("RGB") for e in run.result.extra[:2])
    assert sum(ImageStat.Stat(ImageChops.difference(first, second)).mean) > 5


def test_vsample_is_refused_on_a_download_url(run_fop, media):
    with pytest.raises(StageFailed, match="only available through pfop"):
        run_fop(f"vsample/jpg/pattern/{b64_encode('$(count)')}", media.video, sync=True)
