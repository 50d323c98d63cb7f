"""Audio/video fop strings: what is accepted at submit time and what is rejected (400)."""

from __future__ import annotations

import pytest

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.fops.av.filters import FilterStep
from qiniu_emulator.fops.parse import FopsError, parse_pipeline
from qiniu_emulator.fops.catalog import default_registry

REGISTRY = default_registry()
PIECE = b64_encode("kodo://b/c2.mp4")
TWO_LINE_URL = b64_encode("https://keys.example.com/k\n/etc/passwd")

# The fops the seed's build_op calls produce, written out literally.
SEED_FOPS = [
    "avthumb/mp4/vcodec/libx264/acodec/aac/vb/2000k/ab/128k/r/30/s/1920x1080",
    "avthumb/mp4/vcodec/libx264/acodec/aac/vb/1000k/ab/96k/r/30/s/1280x720",
    "vframe/jpg/offset/10/w/320/h/240",
    "avthumb/mp3/ab/192k/ar/44100",
    "avthumb/aac/ab/128k/ar/44100",
    "avthumb/mp3/ab/192k/af/volume=1.5",
    "avthumb/mp3/ab/192k/af/afade=t=in:ss=0:d=3,afade=t=out:st=57:d=3",
]


def parse(fop: str):
    return parse_pipeline(fop, REGISTRY).ops[0]


@pytest.mark.parametrize("fop", SEED_FOPS + [
    "avthumb/m3u8/segtime/10",
    f"avthumb/m3u8/segtime/5/pattern/{b64_encode('v/seg$(count).ts')}",
    "avthumb/mp4/s/640x360/autoscale/1",
    "avthumb/flash", "avthumb/amr", "avthumb/gif/s/160x120",
    "avthumb/mp4/vf/crop=100:80:0:0,hflip/af/atempo=1.5",
    f"vsample/jpg/ss/0/t/30/interval/5/savePattern/{b64_encode('f-$(count).jpg')}",
    f"avconcat/2/format/mp4/{PIECE}",
    f"avconcat/mode/2/format/mp4/{PIECE}",
    "avinfo",
])
def test_documented_and_seed_fops_are_accepted(fop):
    assert parse(fop).name == fop.split("/")[0]


def test_seed_video_fop_is_parsed_into_typed_values():
    op = parse(SEED_FOPS[0])
    assert op.args.vb == 2_000_000 and op.args.ab == 128_000 and op.args.r == 30
    assert (op.args.s.width, op.args.s.height) == (1920, 1080)


def test_seed_fade_is_parsed_into_whitelisted_filter_steps():
    op = parse(SEED_FOPS[-1])
    assert op.args.af == (
        FilterStep("afade", (), (("t", "in"), ("ss", "0"), ("d", "3"))),
        FilterStep("afade", (), (("t", "out"), ("st", "57"), ("d", "3"))),
    )


def test_avconcat_old_mode_spelling_means_the_same():
    assert parse(f"avconcat/mode/2/format/mp4/{PIECE}").args == parse(f"avconcat/2/format/mp4/{PIECE}").args


@pytest.mark.parametrize("fop, needle", [
    ("avthumb/mp4/foo/1", "unknown parameter"),
    ("avthumb/xyz", "format"),
    ("avthumb/mp4/ab/fast", "bad ab"),
    ("avthumb/mp4/ar/12345", "bad ar"),
    ("avthumb/mp4/s/640", "bad s"),
    ("avthumb/mp4/vcodec/libfoo", "bad vcodec"),
    ("avthumb/mp3/ab/64k/aq/2", "mutually exclusive"),
    ("avthumb/mp4/segtime/10", "only to avthumb/m3u8"),
    ("avthumb/m3u8/segtime/2", "bad segtime"),
    (f"avthumb/m3u8/pattern/{b64_encode('seg.ts')}", "$(count)"),
    (f"avthumb/m3u8/pattern/{b64_encode('$(saveas.key)$(count)')}", "saveas.key"),
    ("avthumb/mp4/vcodec/copy/s/100x100", "vcodec/copy"),
    (f"avthumb/m3u8/hlsKey/{b64_encode(bytes(16))}/hlsKeyUrl/{TWO_LINE_URL}", "single line"),
    (f"avthumb/m3u8/hlsKey/{b64_encode(bytes(8))}/hlsKeyUrl/{b64_encode('https://k')}", "16 bytes"),
    ("avthumb/mp4/subtitle/eA==", "is not a kodo://, http:// or https:// URL"),
    ("avthumb/mp4/an/1/vn/1", "nothing to encode"),
    ("vframe/jpg", "offset"),
    ("vframe/gif/offset/1", "format"),
    ("vframe/jpg/offset/-1", "bad offset"),
    ("vframe/jpg/offset/1/w/0", "bad w"),
    ("vsample/jpg/interval/1", "pattern"),
    (f"vsample/jpg/interval/1/frames/3/pattern/{b64_encode('$(count)')}", "mutually exclusive"),
    ("avconcat/3/format/mp4/" + PIECE, "mode"),
    ("avconcat/2/format/mp4", "source URLs"),
    ("avconcat/2/" + PIECE, "format"),
    (f"avconcat/2/format/mp4/index/3/{PIECE}", "index"),
    (f"avconcat/1/format/mp4/s/320x240/{PIECE}", "mode 2"),
    (f"avconcat/2/format/mp4/{b64_encode('video://transition/fade/1')}", "transitions"),
    (f"avconcat/2/format/mp4/{b64_encode('/etc/passwd')}", "kodo://"),
])
def test_bad_parameters_are_rejected_at_parse_time(fop, needle):
    with pytest.raises(FopsError) as caught:
        parse(fop)
    assert caught.value.status == 400
    assert needle in str(caught.value)


@pytest.mark.parametrize("param, chain", [
    ("vf", "movie=x.mp4"),
    ("af", "amovie=x.wav"),
    ("vf", "sendcmd=f=cmds.txt"),
    ("af", "aevalsrc=0"),
    ("vf", "scale=2:2[a]"),
    ("vf", "drawtext=textfile=x"),
    ("af", "volume='1'"),
    ("af", "volume=1.5\\,x"),
    ("vf", "scale=w=iw;x"),
    ("af", "volume=1,afade=t=in,volume=2,volume=2,volume=2,volume=2,volume=2,volume=2,volume=2,"
           "volume=2,volume=2,volume=2,volume=2,volume=2,volume=2,volume=2,volume=2"),
    ("af", "scale=320:240"),
    ("vf", "volume=2"),
])
def test_filter_chains_outside_the_whitelist_are_rejected(param, chain):
    with pytest.raises(FopsError):
        parse(f"avthumb/mp4/{param}/{chain}")


def test_multi_output_ops_are_pfop_only_and_single_outputs_also_sync():
    sync = {name: REGISTRY.get(name).sync for name in ("avthumb", "vframe", "avinfo", "vsample", "avconcat")}
    assert sync == {"avthumb": True, "vframe": True, "avinfo": True, "vsample": False, "avconcat": False}
