"""yifangyun_preview on office documents, converted by a headless LibreOffice."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from qiniu_emulator.fops.doc.office import find_office
from qiniu_emulator.fops.execute import StageFailed

needs_office = pytest.mark.skipif(
    find_office() is None,
    reason="LibreOffice (soffice) is not installed; apt-get install libreoffice-core "
           "libreoffice-writer to run the office conversion tests")

# Two US-letter pages; the second starts after an explicit page break.
TWO_PAGE_RTF = (b"{\\rtf1\\ansi\\paperw12240\\paperh15840\\margl1440\\margr1440"
                b"{\\pard\\fs48 First page of the report\\par}\\page"
                b"{\\pard\\fs48 Second page, different words\\par}}")


@pytest.fixture
def rtf(tmp_path: Path) -> Path:
    path = tmp_path / "letter.rtf"
    path.write_bytes(TWO_PAGE_RTF)
    return path


@pytest.fixture(scope="module")
def word_files(tmp_path_factory) -> dict[str, Path]:
    """The RTF saved by LibreOffice as a real .doc and .docx."""
    office = find_office()
    if office is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    work = tmp_path_factory.mktemp("word")
    source = work / "letter.rtf"
    source.write_bytes(TWO_PAGE_RTF)
    files = {}
    for ext in ("doc", "docx"):
        subprocess.run([office, f"-env:UserInstallation={(work / 'profile').as_uri()}",
                        "--headless", "--convert-to", ext, "--outdir", str(work), str(source)],
                       check=True, capture_output=True, timeout=120)
        files[ext] = work / f"letter.{ext}"
    return files


def test_without_libreoffice_the_error_says_how_to_install_it(run_fop, rtf, tmp_path,
                                                                monkeypatch):
    empty_bin = tmp_path / "empty-bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    with pytest.raises(StageFailed) as info:
        run_fop("yifangyun_preview/v2/ext=docx/format=pdf", rtf)
    assert "LibreOffice is not installed" in info.value.message
    assert "apt-get install libreoffice-core" in info.value.message
    assert "soffice on PATH" in info.value.message


@needs_office
def test_office_document_becomes_a_pdf(run_fop, rtf):
    result = run_fop("yifangyun_preview/v2/format=pdf", rtf, key="docs/letter.rtf")
    assert result.mime == "application/pdf"
    assert result.path.read_bytes().startswith(b"%PDF-")


@needs_office
def test_office_page_count(run_fop, rtf):
    result = run_fop("yifangyun_preview/v2/action=get_page_count", rtf, key="letter.rtf")
    assert result.mime == "application/json"
    assert json.loads(result.path.read_text()) == {"page_count": 2}


@needs_office
def test_office_pages_render_at_the_page_size(run_fop, rtf):
    first = run_fop("yifangyun_preview/v2/ext=rtf/format=jpg/page_number=1", rtf)
    second = run_fop("yifangyun_preview/v2/ext=rtf/format=jpg/page_number=2", rtf)
    images = []
    for result in (first, second):
        with Image.open(result.path) as image:
            images.append(image.convert("RGB"))
    for image in images:
        assert abs(image.width - 1275) <= 1 and abs(image.height - 1650) <= 1
    assert ImageChops.difference(*images).getbbox() is not None  # different text


@needs_office
def test_office_page_out_of_range(run_fop, rtf):
    with pytest.raises(StageFailed, match="page 3 is out of range: the document has 2 pages"):
        run_fop("yifangyun_preview/v2/ext=rtf/format=jpg/page_number=3", rtf)


@needs_office
def test_seed_doc_example_gives_a_png(run_fop, word_files):
    result = run_fop("yifangyun_preview/v2/type/doc/page/1/format/png/quality/85",
                     word_files["doc"], key="document.doc")
    with Image.open(result.path) as image:
        assert (image.format, result.mime) == ("PNG", "image/png")
        size = image.size
    assert abs(size[0] - 1275) <= 1 and abs(size[1] - 1650) <= 1


@needs_office
def test_docx_without_suffix_is_sniffed(run_fop, word_files):
    result = run_fop("yifangyun_preview/v2/action=get_page_count", word_files["docx"],
                     key="uploads/8f3a2c")
    assert json.loads(result.path.read_text()) == {"page_count": 2}


@needs_office
def test_conversion_timeout_kills_libreoffice(run_fop, rtf, tmp_path):
    with pytest.raises(StageFailed, match="did not finish the conversion within 0.05 s"):
        run_fop("yifangyun_preview/v2/ext=rtf/format=pdf", rtf, op_timeout=0.05)
    deadline = time.monotonic() + 10
    while _processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_mentioning(str(tmp_path)) == []


def _processes_mentioning(text: str) -> list[int]:
    """Live (non-zombie) processes whose command line contains ``text``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(proc.name))
    return found

