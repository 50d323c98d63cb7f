"""Every build_op / pipe_cmd / op_save call of the seed document, with its literal result."""

from __future__ import annotations

import pytest
from qiniu_fop import build_op, entry, op_save, pipe_cmd, urlsafe_b64encode


def test_image_processing_example() -> None:
    resize_op = build_op('imageView2', '2', w=800, h=600, format='webp')
    watermark_op = build_op('watermark', '1',
                            image='aHR0cDovL3d3dy5xaW5pdS5jb20vaW1hZ2VzL2xvZ28ucG5n',
                            dissolve=50, gravity='SouthEast', dx=10, dy=10)
    fops = op_save(pipe_cmd(resize_op, watermark_op), 'output-bucket', 'processed-image.webp')

    assert resize_op == 'imageView2/2/w/800/h/600/format/webp'
    assert watermark_op == ('watermark/1/image/aHR0cDovL3d3dy5xaW5pdS5jb20vaW1hZ2VzL2xvZ28ucG5n'
                            '/dissolve/50/gravity/SouthEast/dx/10/dy/10')
    assert fops == ('imageView2/2/w/800/h/600/format/webp|watermark/1/image/'
                    'aHR0cDovL3d3dy5xaW5pdS5jb20vaW1hZ2VzL2xvZ28ucG5n/dissolve/50/gravity/SouthEast'
                    '/dx/10/dy/10|saveas/b3V0cHV0LWJ1Y2tldDpwcm9jZXNzZWQtaW1hZ2Uud2VicA==')


def test_video_processing_example() -> None:
    hd = build_op('avthumb', 'mp4', vcodec='libx264', acodec='aac', vb='2000k', ab='128k',
                  r=30, s='1920x1080')
    sd = build_op('avthumb', 'mp4', vcodec='libx264', acodec='aac', vb='1000k', ab='96k',
                  r=30, s='1280x720')
    thumbnail = build_op('vframe', 'jpg', offset=10, w=320, h=240)

    assert hd == 'avthumb/mp4/vcodec/libx264/acodec/aac/vb/2000k/ab/128k/r/30/s/1920x1080'
    assert sd == 'avthumb/mp4/vcodec/libx264/acodec/aac/vb/1000k/ab/96k/r/30/s/1280x720'
    assert thumbnail == 'vframe/jpg/offset/10/w/320/h/240'
    assert op_save(hd, 'output-bucket', 'video-hd.mp4') == (
        hd + '|saveas/b3V0cHV0LWJ1Y2tldDp2aWRlby1oZC5tcDQ=')
    assert op_save(sd, 'output-bucket', 'video-sd.mp4') == (
        sd + '|saveas/b3V0cHV0LWJ1Y2tldDp2aWRlby1zZC5tcDQ=')
    assert op_save(thumbnail, 'output-bucket', 'video-thumb.jpg') == (
        'vframe/jpg/offset/10/w/320/h/240|saveas/b3V0cHV0LWJ1Y2tldDp2aWRlby10aHVtYi5qcGc=')


def test_audio_processing_example() -> None:
    mp3 = build_op('avthumb', 'mp3', ab='192k', ar=44100)
    aac = build_op('avthumb', 'aac', ab='128k', ar=44100)

    assert mp3 == 'avthumb/mp3/ab/192k/ar/44100'
    assert aac == 'avthumb/aac/ab/128k/ar/44100'
    assert build_op('avthumb', 'mp3', ab='192k', af='volume=1.5') == 'avthumb/mp3/ab/192k/af/volume=1.5'
    assert build_op('avthumb', 'mp3', ab='192k', af='afade=t=in:ss=0:d=3,afade=t=out:st=57:d=3') == (
        'avthumb/mp3/ab/192k/af/afade=t=in:ss=0:d=3,afade=t=out:st=57:d=3')
    assert op_save(mp3, 'output-bucket', 'audio.mp3') == (
        'avthumb/mp3/ab/192k/ar/44100|saveas/b3V0cHV0LWJ1Y2tldDphdWRpby5tcDM=')
    assert op_save(aac, 'output-bucket', 'audio.aac') == (
        'avthumb/aac/ab/128k/ar/44100|saveas/b3V0cHV0LWJ1Y2tldDphdWRpby5hYWM=')


def test_document_processing_example() -> None:
    pdf = build_op('yifangyun_preview', 'v2', type='pdf', dpi=150, page=1, format='jpg')
    doc = build_op('yifangyun_preview', 'v2', type='doc', page=1, format='png', quality=85)

    assert pdf == 'yifangyun_preview/v2/type/pdf/dpi/150/page/1/format/jpg'
    assert doc == 'yifangyun_preview/v2/type/doc/page/1/format/png/quality/85'
    assert op_save(pdf, 'output-bucket', 'document-page1.jpg') == (
        'yifangyun_preview/v2/type/pdf/dpi/150/page/1/format/jpg'
        '|saveas/b3V0cHV0LWJ1Y2tldDpkb2N1bWVudC1wYWdlMS5qcGc=')


def test_batch_example_resize() -> None:
    resize_op = build_op('imageView2', '2', w=400, h=300, format='webp')

    assert resize_op == 'imageView2/2/w/400/h/300/format/webp'
    assert op_save(resize_op, 'output-bucket', 'image1_resized.webp') == (
        'imageView2/2/w/400/h/300/format/webp|saveas/b3V0cHV0LWJ1Y2tldDppbWFnZTFfcmVzaXplZC53ZWJw')


def test_custom_pipeline_example() -> None:
    medium = build_op('imageView2', '2', w=800, h=600, format='webp')
    quality = build_op('imageMogr2', 'quality', 75)

    assert quality == 'imageMogr2/quality/75'
    assert pipe_cmd(medium, quality) == 'imageView2/2/w/800/h/600/format/webp|imageMogr2/quality/75'
    assert op_save(pipe_cmd(medium, quality), 'variants-bucket', 'photo_medium.webp') == (
        'imageView2/2/w/800/h/600/format/webp|imageMogr2/quality/75'
        '|saveas/dmFyaWFudHMtYnVja2V0OnBob3RvX21lZGl1bS53ZWJw')
    assert op_save(build_op('imageView2', '2', w=150, h=150, format='jpg'),
                   'variants-bucket', 'photo_thumb.jpg') == (
        'imageView2/2/w/150/h/150/format/jpg|saveas/dmFyaWFudHMtYnVja2V0OnBob3RvX3RodW1iLmpwZw==')


def test_none_values_are_skipped_and_order_kept() -> None:
    assert build_op('imageView2', '1', w=100, h=None, q=80) == 'imageView2/1/w/100/q/80'
    assert build_op('imageInfo') == 'imageInfo'
    assert build_op('avthumb', 'mp4', None, s='640x360') == 'avthumb/mp4/s/640x360'


@pytest.mark.parametrize("bucket, key, expected", [
    ("demo-bucket", "hello.txt", "ZGVtby1idWNrZXQ6aGVsbG8udHh0"),
    ("demo-bucket", "out/hello.jpg", "ZGVtby1idWNrZXQ6b3V0L2hlbGxvLmpwZw=="),
    ("demo-bucket", None, "ZGVtby1idWNrZXQ="),
    ("demo-bucket", "", "ZGVtby1idWNrZXQ6"),
    ("demo-bucket", "视频/测试 1.mp4", "ZGVtby1idWNrZXQ66KeG6aKRL-a1i-ivlSAxLm1wNA=="),
    ("demo-bucket", "a?b", "ZGVtby1idWNrZXQ6YT9i"),
])
def test_spec_encodings_match_the_official_sdk(bucket, key, expected) -> None:
    import qiniu

    assert entry(bucket, key) == expected
    assert qiniu.entry(bucket, key) == expected
    text = bucket if key is None else f"{bucket}:{key}"
    assert urlsafe_b64encode(text) == qiniu.urlsafe_base64_encode(text) == expected


def test_op_save_target_is_readable_back() -> None:
    import base64

    saved = op_save('imageInfo', 'out', 'dir/a b.json')
    encoded = saved.split('|saveas/')[1]
    assert base64.urlsafe_b64decode(encoded).decode() == 'out:dir/a b.json'


@pytest.mark.parametrize("call", [
    lambda: build_op(''),
    lambda: build_op(None),
    lambda: pipe_cmd(),
    lambda: pipe_cmd('imageInfo', ''),
    lambda: op_save('imageInfo', '', 'k'),
    lambda: op_save('imageInfo', 'b', None),
    lambda: entry('', 'k'),
])
def test_bad_input_is_a_clear_value_error(call) -> None:
    with pytest.raises(ValueError):
        call()
