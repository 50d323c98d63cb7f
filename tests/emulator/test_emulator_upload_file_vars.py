"""$(imageInfo...), $(exif...) and $(avinfo...) in returnBody and callbackBody hold the
uploaded file's own values with their JSON types (docs/wire.md §8.4), through the official
SDK; unset ones are empty."""

from __future__ import annotations

import io
import json
import subprocess

import imageio_ffmpeg
import qiniu
from PIL import Image

from receiver import RecordingServer, Reply

BUCKET = "demo-bucket"


def jpeg_with_exif(width: int = 640, height: int = 427) -> bytes:
    image = Image.new("RGB", (width, height), (30, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "Emulator Cam"  # Model
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def put(sdk, key: str, data: bytes, policy: dict) -> dict:
    ret, info = qiniu.put_data(sdk.upload_token(BUCKET, key, 3600, policy), key, data)
    assert info.status_code == 200, info
    return ret


def test_image_info_and_exif_in_return_body(server, sdk):
    body = ('{"w":$(imageInfo.width),"h":$(imageInfo.height),"fmt":$(imageInfo.format),'
            '"model":$(exif.Model.val),"text":"$(imageInfo.width)x$(imageInfo.height)","info":$(imageInfo)}')
    ret = put(sdk, "photo.jpg", jpeg_with_exif(), {"returnBody": body})
    assert ret["w"] == 640 and ret["h"] == 427 and isinstance(ret["w"], int)
    assert ret["fmt"] == "jpeg" and ret["model"] == "Emulator Cam" and ret["text"] == "640x427"
    assert ret["info"]["colorModel"] == "ycbcr"


def test_a_file_the_variable_does_not_describe_leaves_it_empty(server, sdk):
    body = '{"w":$(imageInfo.width),"quoted":"$(imageInfo.width)","custom":"$(x:notsent)","bare":$(x:notsent)}'
    ret = put(sdk, "notes.txt", b"plain text", {"returnBody": body})
    assert ret == {"w": None, "quoted": "", "custom": "", "bare": None}


def test_avinfo_of_a_video_in_a_callback_body(server, sdk, tmp_path):
    clip = tmp_path / "clip.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10:duration=2",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(clip)],
                   check=True, timeout=120)
    with RecordingServer() as receiver:
        receiver.responder = lambda req: Reply(body={"ok": True})
        policy = {"callbackUrl": f"{receiver.url}/cb", "callbackBodyType": "application/json",
                  "callbackBody": '{"width":$(avinfo.video.width),"fmt":"$(avinfo.format.format_name)",'
                                  '"codec":$(avinfo.video.codec_name),"audio":$(avinfo.audio),"iw":$(imageInfo.width)}'}
        ret = put(sdk, "clip.mp4", clip.read_bytes(), policy)
        assert ret == {"ok": True}
        sent = json.loads(receiver.requests[0].body)
    assert sent["width"] == 320 and sent["codec"] == "h264" and "mp4" in sent["fmt"]
    assert sent["audio"] is None and sent["iw"] is None  # no audio stream; not an image
