"""adapt/m3u8 (docs/fops.md §9.13): a master playlist, one variant per rendition, their segments."""

from __future__ import annotations

import shutil
import subprocess

import av
import pytest
from av_support import FFMPEG, probe

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.fops.parse import FopsError, parse_pipeline

FOP = "adapt/m3u8/envBandWidth/200000,800000/multiVb/200k,600k/multiResolution/160:120,320:240/hlstime/5"


def uris(path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line and not line.startswith("#")]


def test_master_lists_one_variant_per_bandwidth(run_fop, media):
    run = run_fop(FOP, media.long_video, output_key="hls/master.m3u8")
    lines = run.result.path.read_text().splitlines()
    assert run.result.mime == "application/x-mpegURL"
    assert lines == ["#EXTM3U", "#EXT-X-VERSION:3",
                     "#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=160x120", "master_0.m3u8",
                     "#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=320x240", "master_1.m3u8"]
    keys = [extra.key for extra in run.result.extra]
    assert keys == ["hls/master_0.m3u8", *[f"hls/master_0-{i:06d}.ts" for i in range(3)],
                    "hls/master_1.m3u8", *[f"hls/master_1-{i:06d}.ts" for i in range(3)]]
    variant = run.result.extra[0]
    assert variant.mime == "application/x-mpegURL"
    assert uris(variant.path) == [f"master_0-{i:06d}.ts" for i in range(3)]


def test_each_variant_has_its_size_and_the_master_plays_in_ffmpeg(run_fop, media, tmp_path):
    run = run_fop(FOP, media.long_video, output_key="hls/master.m3u8")
    bucket = tmp_path / "bucket"
    (bucket / "hls").mkdir(parents=True)
    shutil.copyfile(run.result.path, bucket / "hls/master.m3u8")
    for extra in run.result.extra:
        shutil.copyfile(extra.path, bucket / extra.key)
    assert (probe(bucket / "hls/master_0-000000.ts").width, probe(bucket / "hls/master_1-000000.ts").width) == (160, 320)
    out = tmp_path / "all.mkv"
    subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i",
                    str(bucket / "hls/master.m3u8"), "-map", "0:v", "-c", "copy", str(out)], check=True, timeout=60)
    with av.open(str(out)) as container:
        assert sorted(s.codec_context.width for s in container.streams.video) == [160, 320]
        assert container.duration / av.time_base == pytest.approx(12, abs=0.6)


def test_multi_prefix_names_the_variants(run_fop, media):
    prefixes = ",".join(b64_encode(p) for p in ("hls/low", "hls/high"))
    run = run_fop(f"adapt/m3u8/envBandWidth/100000,300000/multiPrefix/{prefixes}/hlstime/10", media.long_video,
                  output_key="index.m3u8")
    assert uris(run.result.path) == ["hls/low.m3u8", "hls/high.m3u8"]
    assert [e.key for e in run.result.extra if e.key.endswith(".m3u8")] == ["hls/low.m3u8", "hls/high.m3u8"]
    assert [e.key for e in run.result.extra if e.key.startswith("hls/high-")] == [
        "hls/high-000000.ts", "hls/high-000001.ts"]


def test_origin_in_a_bitrate_list_keeps_the_source_bitrate_for_that_variant():
    args = parse_pipeline("adapt/m3u8/envBandWidth/100000,300000/multiAb/32k,$(origin)/multiVb/$(origin),1m",
                          default_registry()).ops[0].args
    assert (args.rendition(0).ab, args.rendition(0).vb) == (32_000, None)
    assert (args.rendition(1).ab, args.rendition(1).vb) == (None, 1_000_000)


@pytest.mark.parametrize("fop, message", [
    ("adapt/mp4/envBandWidth/200000,800000", "'mp4' is not one of m3u8"),
    ("adapt/m3u8/multiVb/200k,600k", "missing envBandWidth"),
    ("adapt/m3u8/envBandWidth/200000", "envBandWidth takes 2 to 5 comma-separated values, got 1"),
    ("adapt/m3u8/envBandWidth/1,2,3,4,5,6", "got 6"),
    ("adapt/m3u8/envBandWidth/800000,200000", "must be in ascending order"),
    ("adapt/m3u8/envBandWidth/40000,200000", "40000 is out of range 50000..30000000"),
    ("adapt/m3u8/envBandWidth/200000,800000/multiVb/200k,600k,1m", "multiVb has 3 values but envBandWidth has 2"),
    ("adapt/m3u8/envBandWidth/200000,800000/multiVb/200k,600k/vb/300k", "multiVb and vb cannot be used together"),
    ("adapt/m3u8/envBandWidth/200000,800000/multiResolution/10:10,640:480", "outside width 20..8192"),
    ("adapt/m3u8/envBandWidth/200000,800000/MultiAb/64k,128k", "unknown parameter 'MultiAb'"),
    ("adapt/m3u8/envBandWidth/200000,800000/hlstime/2", "2 is out of range 5"),
])
def test_bad_commands_are_rejected_at_submit(fop, message):
    with pytest.raises(FopsError) as caught:
        parse_pipeline(fop, default_registry())
    assert message in caught.value.message
