"""yifangyun_preview on PDFs: rendering, page counts, passthrough and every clear failure."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from qiniu_emulator.fops.doc import sniff_ext
from qiniu_emulator.fops.execute import StageFailed


def assert_colour_near(actual, expected, tolerance=12):
    assert all(abs(a - e) <= tolerance for a, e in zip(actual, expected)), (actual, expected)


def open_image(path: Path) -> Image.Image:
    image = Image.open(path)
    image.load()
    return image


def test_seed_form_renders_letter_page_at_150_dpi(run_fop, three_page_pdf):
    result = run_fop("yifangyun_preview/v2/type/pdf/dpi/150/page/1/format/jpg", three_page_pdf)
    image = open_image(result.path)
    assert result.mime == "image/jpeg"
    assert image.format == "JPEG"
    assert abs(image.width - 1275) <= 1 and abs(image.height - 1650) <= 1


def test_documented_form_renders_at_the_default_150_dpi(run_fop, three_page_pdf):
    result = run_fop("yifangyun_preview/v2/ext=pdf/action=get_preview/format=jpg/page_number=1",
                     three_page_pdf)
    image = open_image(result.path)
    assert (image.format, result.mime) == ("JPEG", "image/jpeg")
    assert abs(image.width - 1275) <= 1 and abs(image.height - 1650) <= 1


@pytest.mark.parametrize("dpi, size", [(72, (612, 792)), (100, (850, 1100))])
def test_dpi_sets_the_resolution(run_fop, three_page_pdf, dpi, size):
    result = run_fop(f"yifangyun_preview/v2/type/pdf/dpi/{dpi}/page/1/format/png", three_page_pdf)
    image = open_image(result.path)
    assert (image.format, result.mime) == ("PNG", "image/png")
    assert abs(image.width - size[0]) <= 1 and abs(image.height - size[1]) <= 1


@pytest.mark.parametrize("page", [1, 2, 3])
def test_the_requested_page_is_rendered(run_fop, three_page_pdf, page_colours, page):
    result = run_fop(f"yifangyun_preview/v2/ext=pdf/format=jpg/page_number={page}",
                     three_page_pdf)
    image = open_image(result.path).convert("RGB")
    # the lower part of each page is a plain fill of that page's colour
    assert_colour_near(image.getpixel((image.width // 2, image.height * 3 // 4)),
                       page_colours[page - 1])


def test_png_keeps_the_page_colours(run_fop, three_page_pdf, page_colours):
    # the test PDF stores its pages as JPEG, hence the small tolerance even for PNG output
    result = run_fop("yifangyun_preview/v2/type/pdf/page/3/format/png/quality/85", three_page_pdf)
    image = open_image(result.path).convert("RGB")
    assert_colour_near(image.getpixel((image.width // 2, image.height * 3 // 4)), page_colours[2],
                       tolerance=3)


def test_jpeg_quality_changes_the_encoding(run_fop, three_page_pdf):
    low = run_fop("yifangyun_preview/v2/type/pdf/page/1/format/jpg/quality/10", three_page_pdf)
    high = run_fop("yifangyun_preview/v2/type/pdf/page/1/format/jpg/quality/95", three_page_pdf)
    assert low.path.stat().st_size < high.path.stat().st_size


def test_png_quality_maps_to_compression_not_pixels(run_fop, three_page_pdf):
    stored = run_fop("yifangyun_preview/v2/type/pdf/page/1/format/png/quality/5", three_page_pdf)
    packed = run_fop("yifangyun_preview/v2/type/pdf/page/1/format/png/quality/95", three_page_pdf)
    assert packed.path.stat().st_size < stored.path.stat().st_size
    assert open_image(stored.path).tobytes() == open_image(packed.path).tobytes()


def test_page_count_is_json(run_fop, three_page_pdf):
    result = run_fop("yifangyun_preview/v2/ext=pdf/action=get_page_count", three_page_pdf)
    assert result.mime == "application/json"
    assert json.loads(result.path.read_text()) == {"page_count": 3}


def test_page_count_in_the_seed_form(run_fop, two_page_pdf):
    result = run_fop("yifangyun_preview/v2/type/pdf/action/get_page_count", two_page_pdf)
    assert json.loads(result.path.read_text()) == {"page_count": 2}


@pytest.mark.parametrize("fop", ["yifangyun_preview", "yifangyun_preview/v2/ext=pdf/format=pdf"])
def test_pdf_as_pdf_comes_back_unchanged(run_fop, three_page_pdf, fop):
    result = run_fop(fop, three_page_pdf, key="docs/report.pdf")
    assert result.mime == "application/pdf"
    assert result.path != three_page_pdf
    assert result.path.read_bytes() == three_page_pdf.read_bytes()


def test_key_suffix_names_the_type(run_fop, two_page_pdf):
    result = run_fop("yifangyun_preview/v2/action=get_page_count", two_page_pdf, key="a/b/Report.PDF")
    assert json.loads(result.path.read_text()) == {"page_count": 2}


def test_content_is_sniffed_when_the_key_has_no_document_suffix(run_fop, two_page_pdf,
                                                                 page_colours):
    result = run_fop("yifangyun_preview/v2/format=jpg/page_number=2", two_page_pdf, key="upload.bin")
    image = open_image(result.path).convert("RGB")
    assert_colour_near(image.getpixel((image.width // 2, image.height * 3 // 4)), page_colours[1])


def test_explicit_ext_wins_over_the_key_suffix_and_the_content(run_fop, two_page_pdf,
                                                                tmp_path, monkeypatch):
    # with no office suite on PATH, reaching for LibreOffice shows that ext=rtf was obeyed
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(StageFailed, match="LibreOffice is not installed"):
        run_fop("yifangyun_preview/v2/ext=rtf/action=get_page_count", two_page_pdf,
                key="report.pdf")


def test_pdf_under_an_office_suffix_is_read_as_pdf(run_fop, three_page_pdf):
    # what a second stage sees after yifangyun_preview/v2/format=pdf of a .docx
    result = run_fop("yifangyun_preview/v2/format=pdf|yifangyun_preview/v2/action=get_page_count",
                     three_page_pdf, key="slides/deck.docx")
    assert json.loads(result.path.read_text()) == {"page_count": 3}


def test_unknown_type_asks_for_ext(run_fop, tmp_path):
    blob = tmp_path / "blob"
    blob.write_bytes(os.urandom(2048))
    with pytest.raises(StageFailed, match="cannot tell the document type of 'blob'.*ext="):
        run_fop("yifangyun_preview/v2/format=jpg", blob, key="blob")


def test_page_out_of_range(run_fop, two_page_pdf):
    with pytest.raises(StageFailed) as info:
        run_fop("yifangyun_preview/v2/ext=pdf/format=jpg/page_number=5", two_page_pdf)
    assert info.value.message == "page 5 is out of range: the document has 2 pages"
    assert info.value.item_error.startswith("execute fop cmd failed: page 5 is out of range")


def test_page_out_of_range_of_a_single_page(run_fop, make_pdf, page_colours):
    pdf = make_pdf("one.pdf", page_colours[:1])
    with pytest.raises(StageFailed, match="the document has 1 page$"):
        run_fop("yifangyun_preview/v2/type/pdf/page/2/format/png", pdf)


def test_empty_file(run_fop, tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(StageFailed, match="the document is empty"):
        run_fop("yifangyun_preview/v2/ext=pdf/action=get_page_count", empty)


@pytest.mark.parametrize("fop", [
    "yifangyun_preview/v2/ext=pdf/action=get_page_count",
    "yifangyun_preview/v2/ext=pdf/format=jpg",
])
def test_corrupt_pdf(run_fop, tmp_path, fop):
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
    with pytest.raises(StageFailed, match="not a valid PDF"):
        run_fop(fop, corrupt)


def test_pdf_passthrough_refuses_a_non_pdf(run_fop, tmp_path):
    text = tmp_path / "notes.pdf"
    text.write_text("just text")
    with pytest.raises(StageFailed, match="not a PDF"):
        run_fop("yifangyun_preview/v2/ext=pdf/format=pdf", text)


def test_encrypted_pdf(run_fop, encrypted_pdf):
    # the file itself is sound: with its password PDFium opens and paints it red
    with pdfium.PdfDocument(encrypted_pdf, password="secret") as document:
        assert document[0].render(scale=1).to_pil().getpixel((100, 100)) == (255, 0, 0)
    for fop in ("yifangyun_preview/v2/ext=pdf/format=jpg",
                "yifangyun_preview/v2/ext=pdf/action=get_page_count"):
        with pytest.raises(StageFailed, match="the PDF is encrypted"):
            run_fop(fop, encrypted_pdf)


def test_huge_render_is_refused(run_fop, make_pdf):
    # 200 px at 1 px/in is a 200 x 200 in page: 30000 x 30000 px at 150 dpi
    poster = make_pdf("poster.pdf", [Image.new("RGB", (200, 200), "white")], resolution=1)
    with pytest.raises(StageFailed, match=r"3000[01]x3000[01] pixels, over the 50 Mpx limit"):
        run_fop("yifangyun_preview/v2/ext=pdf/format=jpg", poster)


def test_render_then_pipe_to_another_op(run_fop, three_page_pdf):
    result = run_fop("yifangyun_preview/v2/ext=pdf/format=jpg|qhash/md5", three_page_pdf)
    assert set(json.loads(result.path.read_text())) == {"hash", "fsize"}


def test_sniffing_recognises_office_containers(tmp_path):
    import zipfile

    docx = tmp_path / "x"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    odp = tmp_path / "y"
    with zipfile.ZipFile(odp, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.presentation")
    rtf = tmp_path / "z"
    rtf.write_bytes(b"{\\rtf1\\ansi hello}")
    assert (sniff_ext(docx), sniff_ext(odp), sniff_ext(rtf)) == ("docx", "odp", "rtf")


def test_concurrent_renders_each_get_their_own_page(run_fop, three_page_pdf, page_colours):
    from concurrent.futures import ThreadPoolExecutor

    def render(page: int) -> tuple[int, tuple]:
        result = run_fop(f"yifangyun_preview/v2/ext=pdf/format=jpg/page_number={page}",
                         three_page_pdf)
        image = open_image(result.path).convert("RGB")
        return page, image.getpixel((image.width // 2, image.height * 3 // 4))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(render, [1, 2, 3, 1, 2, 3]))
    for page, colour in results:
        assert_colour_near(colour, page_colours[page - 1])
