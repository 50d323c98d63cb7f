"""Contracts on the media a persistent job produces: sizes, formats, codecs, durations.

Every job saves its result with ``saveas`` into the output bucket; the test downloads the
object and inspects its properties (never its bytes), once through each client.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from qiniu_fop import Auth, download_url, entry, urlsafe_b64encode

from .clients import OurClient, configure_hosts, download, wait_job
from .media import AUDIO, BACKGROUND, IMAGE, LOGO, PORTRAIT, VIDEO, colour_distance, draw_picture, make_logo, probe
from .targets import Target

FLAT = "flat.jpg"  # 640x427 with flat blue corners, for watermark placement checks


@pytest.fixture(scope="module")
def sources(qiniu_target: Target, contract_media: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Keys of the uploaded source objects in the target's bucket, by media file name."""
    extra = tmp_path_factory.mktemp("media-contract")
    draw_picture((640, 427)).save(extra / FLAT, quality=90)
    make_logo(extra / LOGO)
    files = [contract_media / name for name in (IMAGE, PORTRAIT, VIDEO, AUDIO)] + [extra / FLAT, extra / LOGO]
    configure_hosts(qiniu_target)  # a test before this module may have pointed the defaults elsewhere
    client = OurClient(qiniu_target)
    keys = {}
    for path in files:
        key = qiniu_target.key(f"media/{path.name}")
        reply = client.put_file(qiniu_target.bucket, key, str(path))
        assert reply.status == 200, f"upload {path.name}: {reply.status} {reply.text}"
        keys[path.name] = key
    return keys


def produce(client, target: Target, source_key: str, fop: str, name: str, directory: Path) -> Path:
    """Run ``fop`` on the source, save the result in the output bucket, download it."""
    key = target.key(f"media/out/{client.name}/{name}")
    fops = f"{fop}|saveas/{entry(target.output_bucket, key)}"
    reply = client.pfop(target.bucket, source_key, fops, pipeline=target.pipeline or None)
    assert reply.status == 200, f"pfop {fops}: {reply.status} {reply.text}"
    status = wait_job(client, reply.ret["persistentId"], target)
    item = status["items"][0]
    assert (status["code"], item["code"]) == (0, 0), f"{fop}: {status}"
    assert item["key"] == key
    response = download(target, target.output_bucket, key)
    assert response.status_code == 200, f"download {key}: {response.status_code} {response.text[:200]}"
    path = directory / name
    path.write_bytes(response.content)
    return path


@dataclass(frozen=True)
class ImageCase:
    source: str
    fop: str
    format: str  # Pillow's name for the output format
    size: tuple[int, int]


IMAGE_CASES = {
    # imageView2 on the documentation's 640x427 example (docs/fops.md §12, vectors 1-3, 14)
    "view2-mode1-crop-box": ImageCase(IMAGE, "imageView2/1/w/200/h/200", "JPEG", (200, 200)),
    "view2-mode2-width": ImageCase(IMAGE, "imageView2/2/w/200", "JPEG", (200, 133)),
    "view2-mode2-height": ImageCase(IMAGE, "imageView2/2/h/200", "JPEG", (300, 200)),
    "view2-never-enlarges": ImageCase(IMAGE, "imageView2/2/w/1280/h/1280", "JPEG", (640, 427)),
    "view2-webp": ImageCase(IMAGE, "imageView2/2/w/200/format/webp", "WEBP", (200, 133)),
    "view2-png": ImageCase(IMAGE, "imageView2/2/w/200/format/png", "PNG", (200, 133)),
    "view2-jpg-from-png": ImageCase(PORTRAIT, "imageView2/2/w/150/format/jpg", "JPEG", (150, 200)),
    # imageMogr2 (vectors 16, 20, 27, 29, 34)
    "mogr2-thumbnail-50p": ImageCase(IMAGE, "imageMogr2/thumbnail/!50p", "JPEG", (320, 214)),
    "mogr2-thumbnail-75p": ImageCase(IMAGE, "imageMogr2/thumbnail/!75p", "JPEG", (480, 320)),
    "mogr2-thumbnail-fit": ImageCase(IMAGE, "imageMogr2/thumbnail/300x300/format/png", "PNG", (300, 200)),
    "mogr2-crop-width": ImageCase(IMAGE, "imageMogr2/crop/300x", "JPEG", (300, 427)),
    "mogr2-crop-offset": ImageCase(IMAGE, "imageMogr2/crop/!300x300a30a100", "JPEG", (300, 300)),
    "mogr2-rotate-90": ImageCase(IMAGE, "imageMogr2/rotate/90", "JPEG", (427, 640)),
}


@pytest.mark.parametrize("case_id", list(IMAGE_CASES))
def test_image_op_output_has_documented_size_and_format(case_id, contract_client, qiniu_target, sources, tmp_path):
    case = IMAGE_CASES[case_id]
    path = produce(contract_client, qiniu_target, sources[case.source], case.fop, f"{case_id}.out", tmp_path)
    with Image.open(path) as picture:
        assert (picture.format, picture.size) == (case.format, case.size)


def test_transparency_becomes_white_in_jpeg(contract_client, qiniu_target, sources, tmp_path):
    # portrait.png has a fully transparent 50x50 top-left corner; halved it is 25x25.
    path = produce(contract_client, qiniu_target, sources[PORTRAIT], "imageView2/2/w/150/format/jpg",
                   "transparent.jpg", tmp_path)
    with Image.open(path) as picture:
        assert picture.format == "JPEG"
        assert colour_distance(picture, (0, 0, 20, 20), (255, 255, 255)) < 12
        assert colour_distance(picture, (60, 100, 140, 180), (255, 255, 255)) > 60


def test_image_watermark_marks_bottom_right_only(contract_client, qiniu_target, sources, tmp_path):
    logo_url = download_url(qiniu_target.domain, sources[LOGO], private=qiniu_target.kind == "qiniu",
                            auth=Auth(qiniu_target.access_key, qiniu_target.secret_key))
    fop = f"watermark/1/image/{urlsafe_b64encode(logo_url)}"
    path = produce(contract_client, qiniu_target, sources[FLAT], fop, "watermarked.jpg", tmp_path)
    with Image.open(path) as picture:
        assert (picture.format, picture.size) == ("JPEG", (640, 427))
        # Defaults: SouthEast, 10 px margins, full opacity; the 120x40 mark covers
        # x 510-629, y 377-416. Boxes sit well inside the mark and the untouched corner.
        assert colour_distance(picture, (530, 385, 610, 410), BACKGROUND) > 60
        assert colour_distance(picture, (0, 0, 120, 40), BACKGROUND) < 8


def test_avthumb_mp4_scales_video(contract_client, qiniu_target, sources, tmp_path):
    path = produce(contract_client, qiniu_target, sources[VIDEO], "avthumb/mp4/s/160x120", "small.mp4", tmp_path)
    info = probe(path)
    video = [s for s in info["streams"] if s["type"] == "video"]
    assert [(s["codec"], s["width"], s["height"]) for s in video] == [("h264", 160, 120)]
    assert any(s["type"] == "audio" for s in info["streams"])
    assert info["duration"] == pytest.approx(4.0, abs=0.5)


def test_avthumb_mp3_from_wav_is_audio_only(contract_client, qiniu_target, sources, tmp_path):
    path = produce(contract_client, qiniu_target, sources[AUDIO], "avthumb/mp3", "tone.mp3", tmp_path)
    info = probe(path)
    assert [s["type"] for s in info["streams"]] == ["audio"]
    assert info["streams"][0]["codec"].startswith("mp3")
    assert info["duration"] == pytest.approx(4.0, abs=0.5)


def test_vframe_jpg_has_requested_size(contract_client, qiniu_target, sources, tmp_path):
    path = produce(contract_client, qiniu_target, sources[VIDEO], "vframe/jpg/offset/1/w/160/h/120",
                   "frame.jpg", tmp_path)
    with Image.open(path) as picture:
        assert (picture.format, picture.size) == ("JPEG", (160, 120))


def test_avinfo_saved_as_ffprobe_json(contract_client, qiniu_target, sources, tmp_path):
    path = produce(contract_client, qiniu_target, sources[VIDEO], "avinfo", "avinfo.json", tmp_path)
    info = json.loads(path.read_text())
    assert info["streams"][0]["codec_type"] == "video"
    assert {s["codec_type"] for s in info["streams"]} == {"video", "audio"}
    duration = info["format"]["duration"]
    assert isinstance(duration, str)
    assert float(duration) == pytest.approx(4.0, abs=0.5)
