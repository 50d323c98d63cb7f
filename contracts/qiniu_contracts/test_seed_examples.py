"""Every usage example of the data-processing seed, run through ``qiniu_fop``.

Each test makes the example's calls with the example's arguments; only credentials,
hosts (set by the ``qiniu_target`` fixture), bucket names, on a shared deployment key
prefixes and queue names, and on an emulator the callback URL (a receiver on this
machine) are substituted. The examples' ``while True`` polling loops
become ``PersistentFop.wait``; what an example prints is collected and checked, and
the media it produces is downloaded and probed.
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

from qiniu_fop import Auth, PersistentFop, build_op, op_save, pipe_cmd

from .clients import OurClient, configure_hosts, download
from .receiver import NotifyReceiver
from .media import (
    BACKGROUND, PDF, SEED_AUDIO, SEED_BATCH, SEED_DOCUMENT, SEED_IMAGE, SEED_INPUT, SEED_PHOTO, SEED_VIDEO,
    audio_duration, colour_distance, probe, write_seed_media,
)
from .targets import SEED_LOGO_URL, SEED_WORKFLOW, Target


@dataclass
class SeedPlace:
    """Maps the names a seed example uses onto the target under test.

    The suite's own emulator has every seed bucket and takes the seed's own keys and queue
    names; on a shared deployment (a ``url:`` emulator, real Qiniu) the buckets map to the
    run's bucket, keys get the run's prefix (so cleanup finds them) and queues become the
    configured pipeline.
    """

    target: Target
    receiver: NotifyReceiver

    def bucket(self, name: str) -> str:
        return self.target.seed_buckets[name]

    def key(self, name: str) -> str:
        return self.target.key(name) if self.target.shared else name

    def pipeline(self, name: str) -> str | None:
        return (self.target.pipeline or None) if self.target.shared else name

    def notify_url(self, url: str) -> str:
        """On an emulator, the example's callback goes to a receiver on this machine instead."""
        return self.receiver.url(urlsplit(url).path) if self.target.is_emulator else url

    def upload(self, bucket: str, key: str, path: Path) -> None:
        reply = OurClient(self.target).put_file(self.bucket(bucket), self.key(key), str(path))
        assert reply.status == 200, f"upload {key}: {reply.status} {reply.text}"

    def fetch(self, bucket: str, key: str, directory: Path) -> Path:
        """Download a produced object to ``directory`` under its seed key's file name."""
        response = download(self.target, self.bucket(bucket), self.key(key))
        assert response.status_code == 200, f"download {key}: {response.status_code} {response.text[:200]}"
        path = directory / Path(key).name
        path.write_bytes(response.content)
        return path

    def wait(self, pfop: PersistentFop, persistent_id: str) -> tuple[dict | None, object]:
        return pfop.wait(persistent_id, timeout=self.target.job_timeout, interval=self.target.poll_interval)


@pytest.fixture(scope="module")
def seed_media(contract_media: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("seed-media")
    write_seed_media(directory)
    shutil.copyfile(contract_media / PDF, directory / SEED_DOCUMENT)
    return directory


@pytest.fixture(scope="module")
def notify_receiver():
    receiver = NotifyReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def seed(qiniu_target: Target, notify_receiver: NotifyReceiver) -> SeedPlace:
    configure_hosts(qiniu_target)  # again: a test before this one may have pointed them elsewhere
    return SeedPlace(qiniu_target, notify_receiver)


@pytest.fixture
def credentials(qiniu_target: Target) -> tuple[str, str]:
    return qiniu_target.access_key, qiniu_target.secret_key


def assert_items_succeeded(ret: dict, keys: list[str]) -> None:
    """Every command of the job produced its object, in submission order."""
    assert [(item["code"], item.get("key")) for item in ret["items"]] == [(0, key) for key in keys], ret


def image_properties(path: Path) -> tuple[str, tuple[int, int]]:
    with Image.open(path) as picture:
        return picture.format, picture.size


def streams_of(info: dict, kind: str) -> list[dict]:
    return [stream for stream in info["streams"] if stream["type"] == kind]


def test_image_processing_example(qiniu_target, seed, credentials, seed_media, tmp_path):
    if not qiniu_target.seed_logo:
        pytest.skip(f"the target cannot fetch the seed's logo {SEED_LOGO_URL}: start the emulator with "
                    f"--url-map http://www.qiniu.com/=DIR where DIR/images/logo.png exists")
    seed.upload("source-bucket", "original-image.jpg", seed_media / SEED_IMAGE)
    access_key, secret_key = credentials
    printed: list[str] = []

    auth = Auth(access_key, secret_key)
    pfop = PersistentFop(auth, seed.bucket("source-bucket"), pipeline=seed.pipeline("image-processing"))
    resize_op = build_op('imageView2', '2', w=800, h=600, format='webp')
    watermark_op = build_op('watermark', '1',
                            image='aHR0cDovL3d3dy5xaW5pdS5jb20vaW1hZ2VzL2xvZ28ucG5n',
                            dissolve=50,
                            gravity='SouthEast',
                            dx=10, dy=10)
    fops = pipe_cmd(resize_op, watermark_op)
    fops = op_save(fops, seed.bucket("output-bucket"), seed.key("processed-image.webp"))
    ret, info = pfop.execute(seed.key("original-image.jpg"), fops=fops)
    assert info.ok(), info
    persistent_id = ret['persistentId']
    ret, info = seed.wait(pfop, persistent_id)
    assert info.ok(), info
    if ret['code'] == 0:
        printed.append("Processing completed successfully")
        for item in ret['items']:
            printed.append(f"Output: {item['key']}" if item['code'] == 0 else f"Error: {item['error']}")
    else:
        printed.append(f"Processing failed: {ret['desc']}")

    assert printed == ["Processing completed successfully", f"Output: {seed.key('processed-image.webp')}"]
    output = seed.fetch("output-bucket", "processed-image.webp", tmp_path)
    assert image_properties(output) == ("WEBP", (800, 600))
    with Image.open(output) as picture:
        # The half-transparent logo sits 10 px inside the bottom-right corner.
        assert colour_distance(picture, (700, 565, 780, 582), BACKGROUND) > 25
        assert colour_distance(picture, (0, 0, 120, 40), BACKGROUND) < 8


def test_video_processing_example(qiniu_target, seed, credentials, seed_media, tmp_path):
    seed.upload("video-bucket", "source-video.mov", seed_media / SEED_VIDEO)
    access_key, secret_key = credentials

    auth = Auth(access_key, secret_key)
    pfop = PersistentFop(auth, seed.bucket("video-bucket"),
                         pipeline=seed.pipeline("video-processing"),
                         notify_url=seed.notify_url('https://api.example.com/processing-callback'))
    hd_transcode = build_op('avthumb', 'mp4', vcodec='libx264', acodec='aac', vb='2000k', ab='128k',
                            r=30, s='1920x1080')
    sd_transcode = build_op('avthumb', 'mp4', vcodec='libx264', acodec='aac', vb='1000k', ab='96k',
                            r=30, s='1280x720')
    thumbnail = build_op('vframe', 'jpg', offset=10, w=320, h=240)
    hd_fops = op_save(hd_transcode, seed.bucket("output-bucket"), seed.key("video-hd.mp4"))
    sd_fops = op_save(sd_transcode, seed.bucket("output-bucket"), seed.key("video-sd.mp4"))
    thumb_fops = op_save(thumbnail, seed.bucket("output-bucket"), seed.key("video-thumb.jpg"))
    all_fops = f"{hd_fops};{sd_fops};{thumb_fops}"
    ret, info = pfop.execute(seed.key("source-video.mov"), fops=all_fops, force=True)
    assert info.ok(), info
    assert ret['persistentId']

    persistent_id = ret['persistentId']
    ret, info = seed.wait(pfop, persistent_id)
    assert info.ok(), info
    if qiniu_target.kind == "emulator":
        assert ret['code'] == 0, ret
        assert [body["id"] for body in seed.receiver.received if body.get("id") == persistent_id] == [persistent_id]
    else:
        # example.com (or a receiver a remote emulator cannot reach) takes no callbacks:
        # the job ends done (0) or with its callback failed (4).
        assert ret['code'] in (0, 4), ret
    assert_items_succeeded(ret, [seed.key(name) for name in ("video-hd.mp4", "video-sd.mp4", "video-thumb.jpg")])
    for name, size in (("video-hd.mp4", (1920, 1080)), ("video-sd.mp4", (1280, 720))):
        media = probe(seed.fetch("output-bucket", name, tmp_path))
        video, audio = streams_of(media, "video"), streams_of(media, "audio")
        assert [(s["codec"], (s["width"], s["height"])) for s in video] == [("h264", size)], name
        assert video[0]["rate"] == pytest.approx(30, abs=0.5), name
        assert [s["codec"] for s in audio] == ["aac"], name
        assert media["duration"] == pytest.approx(11, abs=0.5), name
    assert image_properties(seed.fetch("output-bucket", "video-thumb.jpg", tmp_path)) == ("JPEG", (320, 240))


def test_audio_processing_example(seed, credentials, seed_media, tmp_path):
    seed.upload("audio-bucket", "source-audio.wav", seed_media / SEED_AUDIO)
    access_key, secret_key = credentials

    auth = Auth(access_key, secret_key)
    pfop = PersistentFop(auth, seed.bucket("audio-bucket"))
    mp3_convert = build_op('avthumb', 'mp3', ab='192k', ar=44100)
    aac_convert = build_op('avthumb', 'aac', ab='128k', ar=44100)
    volume_adjust = build_op('avthumb', 'mp3', ab='192k', af='volume=1.5')
    fade_effect = build_op('avthumb', 'mp3', ab='192k', af='afade=t=in:ss=0:d=3,afade=t=out:st=57:d=3')
    mp3_fops = op_save(mp3_convert, seed.bucket("output-bucket"), seed.key("audio.mp3"))
    aac_fops = op_save(aac_convert, seed.bucket("output-bucket"), seed.key("audio.aac"))
    fops = f"{mp3_fops};{aac_fops}"
    ret, info = pfop.execute(seed.key("source-audio.wav"), fops=fops)
    assert info.ok(), info

    # The effect commands are only built, never submitted, in the example.
    assert volume_adjust == "avthumb/mp3/ab/192k/af/volume=1.5"
    assert fade_effect == "avthumb/mp3/ab/192k/af/afade=t=in:ss=0:d=3,afade=t=out:st=57:d=3"
    ret, info = seed.wait(pfop, ret['persistentId'])
    assert info.ok(), info
    assert ret['code'] == 0, ret
    assert_items_succeeded(ret, [seed.key("audio.mp3"), seed.key("audio.aac")])
    for name, codec in (("audio.mp3", "mp3"), ("audio.aac", "aac")):
        path = seed.fetch("output-bucket", name, tmp_path)
        media = probe(path)
        assert [s["type"] for s in media["streams"]] == ["audio"], name
        assert media["streams"][0]["codec"].startswith(codec), name
        assert media["streams"][0]["sample_rate"] == 44100, name
        assert audio_duration(path) == pytest.approx(60, abs=0.5), name


def test_document_processing_example(emulator_only, seed, credentials, seed_media, tmp_path):
    # type/dpi/page is not the documented yifangyun_preview syntax; the emulator maps it.
    seed.upload("document-bucket", "document.pdf", seed_media / SEED_DOCUMENT)
    access_key, secret_key = credentials

    auth = Auth(access_key, secret_key)
    pfop = PersistentFop(auth, seed.bucket("document-bucket"))
    pdf_to_image = build_op('yifangyun_preview', 'v2', type='pdf', dpi=150, page=1, format='jpg')
    doc_preview = build_op('yifangyun_preview', 'v2', type='doc', page=1, format='png', quality=85)
    pdf_fops = op_save(pdf_to_image, seed.bucket("output-bucket"), seed.key("document-page1.jpg"))
    ret, info = pfop.execute(seed.key("document.pdf"), fops=pdf_fops)
    assert info.ok(), info

    assert doc_preview == "yifangyun_preview/v2/type/doc/page/1/format/png/quality/85"
    ret, info = seed.wait(pfop, ret['persistentId'])
    assert info.ok(), info
    assert ret['code'] == 0, ret
    assert_items_succeeded(ret, [seed.key("document-page1.jpg")])
    page = seed.fetch("output-bucket", "document-page1.jpg", tmp_path)
    assert image_properties(page) == ("JPEG", (1275, 1650))  # US letter at 150 dpi
    with Image.open(page) as picture:
        assert colour_distance(picture, (500, 700, 700, 900), (220, 20, 20)) < 15  # page 1 is red


def test_workflow_template_example(qiniu_target, seed, credentials, seed_media, tmp_path):
    template_id = qiniu_target.workflow
    if not template_id:
        pytest.skip(f"no workflow template on this target: set QINIU_TEST_WORKFLOW (real Qiniu) or start the "
                    f"emulator with --workflows defining {SEED_WORKFLOW!r}")
    seed.upload("workflow-bucket", "input-file.jpg", seed_media / SEED_INPUT)
    access_key, secret_key = credentials

    auth = Auth(access_key, secret_key)
    pfop = PersistentFop(auth, seed.bucket("workflow-bucket"))
    ret, info = pfop.execute(
        key=seed.key("input-file.jpg"),
        workflow_template_id=template_id,
        persistent_type=2
    )
    assert info.ok(), info
    persistent_id = ret['persistentId']
    assert persistent_id

    ret, info = seed.wait(pfop, persistent_id)
    assert info.ok(), info
    assert ret['code'] == 0, ret
    assert template_id in ret['taskFrom']
    assert ret['creationDate']
    if qiniu_target.kind == "emulator":
        # The suite's own template: imageView2/2/w/400/h/300/format/webp;imageInfo
        assert [item['code'] for item in ret['items']] == [0, 0], ret
        thumbnail = download(qiniu_target, seed.bucket("workflow-bucket"), ret['items'][0]['key'])
        assert thumbnail.status_code == 200
        path = tmp_path / "workflow-thumbnail"
        path.write_bytes(thumbnail.content)
        assert image_properties(path) == ("WEBP", (400, 300))


def test_batch_processing_with_status_monitoring_example(seed, credentials, seed_media, tmp_path):
    for name in SEED_BATCH:
        seed.upload("batch-bucket", name, seed_media / name)
    access_key, secret_key = credentials
    printed: list[str] = []
    threads: list[threading.Thread] = []

    auth = Auth(access_key, secret_key)
    pfop = PersistentFop(auth, seed.bucket("batch-bucket"))

    def monitor_processing(persistent_id, file_name):
        """Wait for one job in a separate thread and record how it ended."""
        ret, info = seed.wait(pfop, persistent_id)
        if info.ok():
            if ret['code'] == 0:
                printed.append(f"✓ {file_name} processing completed")
            else:
                printed.append(f"✗ {file_name} processing failed: {ret['desc']}")
        else:
            printed.append(f"✗ {file_name} status check failed: {info.error}")

    files_to_process = [seed.key(name) for name in ('image1.jpg', 'image2.png', 'image3.gif')]
    resize_op = build_op('imageView2', '2', w=400, h=300, format='webp')
    for file_name in files_to_process:
        output_key = file_name.rsplit('.', 1)[0] + '_resized.webp'
        fops = op_save(resize_op, seed.bucket("output-bucket"), output_key)
        ret, info = pfop.execute(file_name, fops=fops)
        assert info.ok(), f"Failed to start processing {file_name}: {info.error}"
        thread = threading.Thread(target=monitor_processing, args=(ret['persistentId'], file_name))
        thread.daemon = True
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(seed.target.job_timeout + 10)

    assert sorted(printed) == sorted(f"✓ {name} processing completed" for name in files_to_process)
    for name, size in (("image1", (400, 300)), ("image2", (225, 300)), ("image3", (300, 300))):
        output = seed.fetch("output-bucket", f"{name}_resized.webp", tmp_path)
        assert image_properties(output) == ("WEBP", size), name


def test_custom_processing_pipeline_example(seed, credentials, seed_media, tmp_path):
    seed.upload("pipeline-bucket", "original-photo.jpg", seed_media / SEED_PHOTO)
    access_key, secret_key = credentials

    auth = Auth(access_key, secret_key)
    pfop = PersistentFop(auth, seed.bucket("pipeline-bucket"), pipeline=seed.pipeline("custom-pipeline"))

    def create_image_variants(source_key, base_name):
        """Create multiple image variants from source"""
        variants = [
            {'suffix': '_thumb', 'w': 150, 'h': 150, 'format': 'jpg'},
            {'suffix': '_medium', 'w': 800, 'h': 600, 'format': 'webp'},
            {'suffix': '_large', 'w': 1920, 'h': 1440, 'format': 'webp'},
            {'suffix': '_avatar', 'w': 64, 'h': 64, 'format': 'png'}
        ]
        fops_list = []
        for variant in variants:
            resize_op = build_op('imageView2', '2', w=variant['w'], h=variant['h'], format=variant['format'])
            if variant['format'] == 'webp':
                quality_op = build_op('imageMogr2', 'quality', 75)
                combined_op = pipe_cmd(resize_op, quality_op)
            else:
                combined_op = resize_op
            output_key = f"{base_name}{variant['suffix']}.{variant['format']}"
            fops = op_save(combined_op, seed.bucket("variants-bucket"), output_key)
            fops_list.append(fops)
        all_fops = ';'.join(fops_list)
        ret, info = pfop.execute(source_key, fops=all_fops)
        return ret, info

    ret, info = create_image_variants(seed.key("original-photo.jpg"), seed.key("photo"))
    assert info.ok(), info
    assert ret['persistentId']

    ret, info = seed.wait(pfop, ret['persistentId'])
    assert info.ok(), info
    assert ret['code'] == 0, ret
    names = ["photo_thumb.jpg", "photo_medium.webp", "photo_large.webp", "photo_avatar.png"]
    assert_items_succeeded(ret, [seed.key(name) for name in names])
    found = {name: image_properties(seed.fetch("variants-bucket", name, tmp_path)) for name in names}
    thumb_format, (thumb_width, thumb_height) = found.pop("photo_thumb.jpg")
    # 1600x1200 into 150x150: 150 x 112.5, rounded either way.
    assert (thumb_format, thumb_width) == ("JPEG", 150) and thumb_height in (112, 113)
    assert found == {
        "photo_medium.webp": ("WEBP", (800, 600)),
        "photo_large.webp": ("WEBP", (1600, 1200)),  # mode 2 never enlarges
        "photo_avatar.png": ("PNG", (64, 48)),
    }
