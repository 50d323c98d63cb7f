"""The per-parameter decisions of docs/fops.md §6.6 for fop strings real apps send."""

from __future__ import annotations

import pytest

from qiniu_emulator.fidelity import Fidelity
from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.fops.parse import FopsError, parse_pipeline
from qiniu_emulator.lint import NOT_EMULATED, OK, exit_status, lint


def args(text: str, mode: str = "strict"):
    return parse_pipeline(text, default_registry(Fidelity(mode))).ops[0].args


def test_the_positional_hls_preset_is_the_preset_parameter():
    assert args("avthumb/m3u8/segtime/15/video_240k") == args("avthumb/m3u8/segtime/15/preset/video_240k")
    assert args("avthumb/m3u8/video_16x9_440k/segtime/10") == args("avthumb/m3u8/segtime/10/preset/video_16x9_440k")
    assert args("avthumb/m3u8/segtime/15/video_240k").vb == 240_000


def test_a_preset_name_outside_hls_is_still_refused():
    with pytest.raises(FopsError) as caught:
        args("avthumb/mp4/video_240k")
    assert "video_240k" in caught.value.message


def test_wm_constant_zero_asks_for_nothing_and_one_is_not_emulated():
    assert args("avthumb/mp4/wmConstant/0") == args("avthumb/mp4")
    with pytest.raises(FopsError) as caught:
        args("avthumb/mp4/wmConstant/1")
    assert "wmConstant is not emulated; start with --fidelity loose" in caught.value.message
    assert args("avthumb/mp4/wmConstant/1", "loose") == args("avthumb/mp4")


def test_hls_method_lints_as_not_emulated_and_loose_drops_it():
    keyed = "avthumb/m3u8/noDomain/1/hlsKey/MTIzNDU2Nzg5MDEyMzQ1Ng==/hlsKeyUrl/d3d3Lmdvb2JpcmQuY29t"
    text = keyed + "/hlsMethod/qiniu-protection-10"
    findings = lint(text, default_registry())
    assert [f.verdict for f in findings] == [NOT_EMULATED] and exit_status(findings) == 3
    assert "hlsMethod" in findings[0].detail
    assert args(text, "loose") == args(keyed)


@pytest.mark.parametrize("text", ["video-censor/v3/pulp/bucket/temp", "avwatermarks/mp4/wmGravity/NorthWest"])
def test_real_ops_seen_in_user_code_are_not_emulated_not_unknown(text):
    [finding] = lint(text, default_registry())
    assert finding.verdict == NOT_EMULATED and "real Qiniu op" in finding.detail


def test_a_real_string_with_image_censor_lints_ok():
    [finding] = lint("image-censor/v2/pulp/politician/app/c3RyZWFtX2FpY29kZV9haS1zZXJ2ZXIvX2ltYWdl",
                     default_registry())
    assert finding.verdict == OK and "pfop only" in finding.detail


def test_one_trailing_slash_is_dropped_and_two_are_refused():
    assert args("imageView2/1/w/250/h/141/") == args("imageView2/1/w/250/h/141")
    with pytest.raises(FopsError) as caught:
        args("imageView2/1/w/250/h/141//")
    assert "unknown parameter ''" in caught.value.message
