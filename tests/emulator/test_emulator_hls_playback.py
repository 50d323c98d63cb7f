"""HLS played by ffmpeg over HTTP: a private avthumb/m3u8 through pm3u8, and adapt's master playlist."""

from __future__ import annotations

import subprocess
from urllib.parse import parse_qs, urlsplit

import av
import imageio_ffmpeg
import pytest
import qiniu
import requests

from qiniu_emulator.encoding import b64_encode

from support import wait_for

BUCKET = "private-videos"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def make_clip(path, seconds: int) -> None:
    subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", f"testsrc2=size=160x120:rate=10:duration={seconds}",
                    "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", str(path)], check=True, timeout=60)


def streams(path) -> tuple[str | None, str | None, float]:
    """Video codec, audio codec and duration in seconds of a media file."""
    with av.open(str(path)) as container:
        video = container.streams.video[0].codec_context.name if container.streams.video else None
        audio = container.streams.audio[0].codec_context.name if container.streams.audio else None
        return video, audio, container.duration / av.time_base


def play(url: str, out, *options: str) -> subprocess.CompletedProcess:
    """ffmpeg reads the playlist over HTTP and copies every segment it lists into ``out``."""
    return subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", url,
                           *options, "-c", "copy", str(out)], capture_output=True, text=True, timeout=120)


def finished(pfop, persistent_id: str) -> dict:
    return wait_for(lambda: (s := pfop.get_status(persistent_id)[0])["code"] not in (1, 2) and s,
                    timeout=90, message="hls job")


@pytest.fixture(scope="module")
def server(module_emulator):
    """One server for the module: its tests read the private HLS made once, or write keys of their own."""
    return module_emulator()


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """A 12 s clip, 160x120 H.264 with AAC."""
    path = tmp_path_factory.mktemp("hls") / "clip.mp4"
    make_clip(path, 12)
    return path


@pytest.fixture(scope="module")
def private_hls(server, sdk_for, clip):
    """The clip in a private bucket, transcoded to HLS at hls/movie.m3u8 with 5 s segments."""
    sdk = sdk_for(server)
    manager = qiniu.BucketManager(sdk)
    assert manager.mkbucketv3(BUCKET, "z0")[1].status_code == 200
    assert manager.change_bucket_permission(BUCKET, 1)[1].status_code == 200
    ret, info = qiniu.put_data(sdk.upload_token(BUCKET, "clips/movie.mp4"), "clips/movie.mp4", clip.read_bytes())
    assert info.status_code == 200, info
    pattern = b64_encode("hls/movie-$(count).ts")
    fops = f"avthumb/m3u8/segtime/5/pattern/{pattern}|saveas/{b64_encode(f'{BUCKET}:hls/movie.m3u8')}"
    pfop = qiniu.PersistentFop(sdk, BUCKET)
    ret, info = pfop.execute("clips/movie.mp4", [fops])
    assert info.status_code == 200, info
    status = finished(pfop, ret["persistentId"])
    assert status["code"] == 0, status
    return f"{server.url}/_io/{BUCKET}/hls/movie.m3u8"


def test_the_private_playlist_does_not_play_without_pm3u8(sdk, private_hls, tmp_path):
    signed_playlist = sdk.private_download_url(private_hls, expires=600)
    assert requests.get(signed_playlist).status_code == 200
    assert play(signed_playlist, tmp_path / "out.ts").returncode != 0  # its segments answer 401


def test_ffmpeg_plays_the_pm3u8_url_through(sdk, private_hls, tmp_path):
    url = sdk.private_download_url(f"{private_hls}?pm3u8/0/expires/3600", expires=600)
    result = play(url, tmp_path / "out.ts")
    assert result.returncode == 0, result.stderr
    video, audio, duration = streams(tmp_path / "out.ts")
    assert (video, audio) == ("h264", "aac")
    assert duration == pytest.approx(12, abs=0.5)


def test_pm3u8_answers_a_playlist_of_signed_absolute_segment_urls(server, sdk, private_hls):
    response = requests.get(sdk.private_download_url(f"{private_hls}?pm3u8/0/deadline/4102444800", expires=600))
    assert response.status_code == 200
    assert response.headers["Content-Type"].lower().startswith("application/x-mpegurl")
    lines = response.text.splitlines()
    assert lines[0] == "#EXTM3U" and lines[-1] == "#EXT-X-ENDLIST"
    uris = [line for line in lines if not line.startswith("#")]
    assert [uri.split("?")[0] for uri in uris] == [
        f"{server.url}/_io/{BUCKET}/hls/movie-{i:06d}.ts" for i in range(3)]
    for uri in uris:
        query = parse_qs(urlsplit(uri).query)
        assert query["e"] == ["4102444800"] and query["token"][0].startswith("test-access-key:")
        assert requests.get(uri).status_code == 200


def test_query_is_added_before_the_signature(sdk, private_hls):
    query = b64_encode("player=web")
    response = requests.get(sdk.private_download_url(f"{private_hls}?pm3u8/0/query/{query}", expires=600))
    first = next(line for line in response.text.splitlines() if not line.startswith("#"))
    assert "/hls/movie-000000.ts?player=web&e=" in first
    assert requests.get(first).status_code == 200


def test_pm3u8_on_a_private_bucket_needs_a_signed_request(private_hls):
    response = requests.get(f"{private_hls}?pm3u8/0")
    assert response.status_code == 401


def test_pm3u8_parameters_are_checked(sdk, private_hls):
    response = requests.get(sdk.private_download_url(f"{private_hls}?pm3u8/1", expires=600))
    assert response.status_code == 400 and "'1' is not one of 0" in response.json()["error"]


def test_adapt_master_playlist_plays_every_variant_over_http(server, sdk, clip, tmp_path):
    ret, info = qiniu.put_data(sdk.upload_token("demo-bucket", "talks/clip.mp4"), "talks/clip.mp4",
                               clip.read_bytes())
    assert info.status_code == 200, info
    fops = ("adapt/m3u8/envBandWidth/200000,800000/multiVb/200k,600k/multiResolution/160:120,320:240"
            f"/hlstime/5|saveas/{b64_encode('demo-bucket:talks/hls/master.m3u8')}")
    pfop = qiniu.PersistentFop(sdk, "demo-bucket")
    ret, info = pfop.execute("talks/clip.mp4", [fops])
    assert info.status_code == 200, info
    status = finished(pfop, ret["persistentId"])
    [item] = status["items"]
    assert status["code"] == 0 and item["key"] == "talks/hls/master.m3u8", status
    assert "talks/hls/master_0.m3u8" in item["keys"] and "talks/hls/master_1-000002.ts" in item["keys"]
    out = tmp_path / "all.mkv"
    result = play(f"{server.url}/_io/demo-bucket/talks/hls/master.m3u8", out, "-map", "0:v")
    assert result.returncode == 0, result.stderr
    with av.open(str(out)) as container:
        assert sorted(s.codec_context.height for s in container.streams.video) == [120, 240]
        assert container.duration / av.time_base == pytest.approx(12, abs=0.6)


def test_hls_saved_in_a_folder_plays_through_both_download_domains(server, sdk, clip, tmp_path):
    """Segments without a pattern go under the generated prefix; the playlist reaches them from its folder."""
    ret, info = qiniu.put_data(sdk.upload_token("demo-bucket", "clip.mp4"), "clip.mp4", clip.read_bytes())
    assert info.status_code == 200, info
    pfop = qiniu.PersistentFop(sdk, "demo-bucket")
    ret, info = pfop.execute("clip.mp4", [f"avthumb/m3u8/segtime/5|saveas/{b64_encode('demo-bucket:hls/clip.m3u8')}"])
    assert info.status_code == 200, info
    status = finished(pfop, ret["persistentId"])
    assert status["code"] == 0 and status["items"][0]["key"] == "hls/clip.m3u8", status
    assert not any(key.startswith("hls/") for key in status["items"][0]["keys"])  # segments elsewhere

    path_style = tmp_path / "path-style.ts"
    result = play(f"{server.url}/_io/demo-bucket/hls/clip.m3u8", path_style)
    assert result.returncode == 0, result.stderr
    assert streams(path_style)[2] == pytest.approx(12, abs=0.5)

    # The bucket domain demo-bucket.localhost:<port>, reached through the emulator's address
    # (Python and ffmpeg do not resolve *.localhost here); segments are fetched the same way.
    port = server.url.rsplit(":", 1)[1]
    bucket_domain = tmp_path / "bucket-domain.ts"
    result = subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                             "-headers", f"Host: demo-bucket.localhost:{port}\r\n",
                             "-i", f"{server.url}/hls/clip.m3u8", "-c", "copy", str(bucket_domain)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert streams(bucket_domain)[2] == pytest.approx(12, abs=0.5)
