"""yifangyun_preview parameters: both syntaxes, defaults, and rejection at submit time."""

from __future__ import annotations

import pytest

from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.fops.doc.preview import PreviewArgs
from qiniu_emulator.fops.parse import FopsError, parse_pipeline


def parse_args(fop: str) -> PreviewArgs:
    return parse_pipeline(fop, default_registry()).ops[0].args


def test_documented_form_parses_every_key():
    args = parse_args("yifangyun_preview/v2/ext=docx/action=get_preview/format=jpg/page_number=3")
    assert args == PreviewArgs(ext="docx", action="get_preview", format="jpg", page_number=3, syntax="kv")


def test_seed_pdf_form_translates_to_documented_names():
    args = parse_args("yifangyun_preview/v2/type/pdf/dpi/150/page/1/format/jpg")
    assert args == PreviewArgs(ext="pdf", dpi=150, page_number=1, format="jpg", syntax="pairs")


def test_seed_doc_form_accepts_png_and_quality():
    args = parse_args("yifangyun_preview/v2/type/doc/page/1/format/png/quality/85")
    assert args == PreviewArgs(ext="doc", page_number=1, format="png", quality=85, syntax="pairs")


@pytest.mark.parametrize("fop", ["yifangyun_preview", "yifangyun_preview/v2"])
def test_bare_op_takes_the_defaults(fop):
    args = parse_args(fop)
    assert args == PreviewArgs(syntax="kv")
    assert (args.ext, args.action, args.format, args.page, args.raster().dpi) == (None, "get_preview", "pdf", 1, 150)


def test_ext_is_case_insensitive():
    assert parse_args("yifangyun_preview/v2/ext=PDF/action=get_page_count").ext == "pdf"


def test_pipeline_with_saveas_keeps_the_op():
    pipeline = parse_pipeline(
        "yifangyun_preview/v2/type/pdf/dpi/150/page/1/format/jpg|saveas/YnVja2V0OmtleS5qcGc=",
        default_registry())
    assert pipeline.ops[0].name == "yifangyun_preview"
    assert (pipeline.saveas.bucket, pipeline.saveas.key) == ("bucket", "key.jpg")


@pytest.mark.parametrize("fop", [
    "yifangyun_preview/v2/ext=pdf/page/2",
    "yifangyun_preview/v2/format=jpg/dpi/150",
    "yifangyun_preview/v2/type/pdf/page_number=2",
    "yifangyun_preview/v2/type/pdf/format/jpg/page_number=2",
    "yifangyun_preview/v2/type/ext=pdf",
])
def test_mixing_the_two_forms_is_rejected(fop):
    with pytest.raises(FopsError, match="cannot mix") as info:
        parse_pipeline(fop, default_registry())
    assert info.value.status == 400


@pytest.mark.parametrize("fop, reason", [
    ("yifangyun_preview/v2/type/pdf/dpi/0/format/jpg", "bad dpi"),
    ("yifangyun_preview/v2/type/pdf/dpi/601/format/jpg", "bad dpi"),
    ("yifangyun_preview/v2/type/pdf/dpi/abc/format/jpg", "bad dpi"),
    ("yifangyun_preview/v2/type/pdf/page/0/format/jpg", "bad page"),
    ("yifangyun_preview/v2/ext=pdf/format=jpg/page_number=0", "bad page_number"),
    ("yifangyun_preview/v2/ext=pdf/format=jpg/page_number=-1", "bad page_number"),
    ("yifangyun_preview/v2/type/pdf/format/png/quality/0", "bad quality"),
    ("yifangyun_preview/v2/type/pdf/format/png/quality/101", "bad quality"),
    ("yifangyun_preview/v2/ext=pdf/format=png", "bad format"),
    ("yifangyun_preview/v2/ext=pdf/format=gif", "bad format"),
    ("yifangyun_preview/v2/ext=exe", "not a supported document type"),
    ("yifangyun_preview/v2/action=convert", "bad action"),
    ("yifangyun_preview/v2/ext=pdf/dpi=150", "unknown parameter 'dpi'"),
    ("yifangyun_preview/v2/type/pdf/density/150", "unknown parameter 'density'"),
    ("yifangyun_preview/v2/type/pdf/format", "needs a value"),
    ("yifangyun_preview/v2/ext=", "empty value for ext"),
    ("yifangyun_preview/v2/ext=pdf/ext=docx", "given twice"),
    ("yifangyun_preview/v2/type/pdf/type/doc", "given twice"),
    ("yifangyun_preview/v3/ext=pdf", "version v2 only"),
    ("yifangyun_preview/v2/type/pdf/dpi/150", "applies only to image output"),
    ("yifangyun_preview/v2/ext=pdf/format=pdf/page_number=2", "applies only to image output"),
    ("yifangyun_preview/v2/ext=pdf/action=get_page_count/page_number=2",
     "get_page_count takes no page_number"),
])
def test_bad_parameters_are_rejected_at_submit_time(fop, reason):
    with pytest.raises(FopsError, match=reason) as info:
        parse_pipeline(fop, default_registry())
    assert info.value.status == 400
