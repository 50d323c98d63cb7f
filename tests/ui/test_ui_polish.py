"""Console details a new user trips on: long commands wrap, stages count from 1, save
targets read as bucket:key, jobs filter by status, PDFs show their page count, folders
have an icon every browser draws, and a misspelled parameter gets a suggestion."""

from __future__ import annotations

import io
import re
import shutil

import pytest
import requests
from PIL import Image
from support import wait_for
from ui_support import UI, finished_job, find_browser, jpeg, page, run_fops, start_driver, upload

from qiniu_emulator.encoding import b64_encode


def finished(server, job_id: str) -> dict:
    return wait_for(lambda: finished_job(server.admin_url, job_id), timeout=60, message=job_id)


def test_an_error_names_its_stage_counting_from_one_like_the_op_list(server):
    upload(server.admin_url, "demo-bucket", "photo.jpg", jpeg())
    job_id = run_fops(server.admin_url, "demo-bucket", "photo.jpg", "imageInfo|imageView2/2/w/100")
    assert finished(server, job_id)["items"][0]["code"] == 3
    text = page(server, f"/jobs/{job_id}")
    assert re.search(r"<ol class=\"ops\">\s*<li><strong>imageInfo</strong>", text)
    assert "Error at stage 2:" in text and "Error at stage 1:" not in text
    assert "Command 1 (prefop items[0])" in re.sub(r"<[^>]+>", "", text)


def test_job_lists_decode_save_targets_and_filter_by_status(server):
    upload(server.admin_url, "demo-bucket", "photo.jpg", jpeg())
    entry = b64_encode("output-bucket:thumbs/photo.jpg")
    good = run_fops(server.admin_url, "demo-bucket", "photo.jpg", f"imageView2/2/w/100|saveas/{entry}")
    bad = run_fops(server.admin_url, "demo-bucket", "photo.jpg", "imageInfo|imageView2/2/w/100")
    finished(server, good), finished(server, bad)
    listing = page(server, "/jobs")
    assert "imageView2/2/w/100|saveas/output-bucket:thumbs/photo.jpg" in listing
    assert entry not in listing
    failed = page(server, "/jobs", status="failed")
    assert bad in failed and good not in failed
    done = page(server, "/jobs", status="done")
    assert good in done and bad not in done
    assert '<option selected>failed</option>' in failed


def test_a_pdf_object_shows_its_page_count(server):
    pages = [Image.new("RGB", (200, 300), colour) for colour in ("red", "green", "blue")]
    pdf = io.BytesIO()
    pages[0].save(pdf, "PDF", save_all=True, append_images=pages[1:])
    upload(server.admin_url, "demo-bucket", "three.pdf", pdf.getvalue(), "application/pdf")
    text = page(server, "/object", bucket="demo-bucket", key="three.pdf")
    assert re.search(r"<dt>pages</dt><dd>3</dd>", text), text


def test_the_folder_icon_is_drawn_by_the_page_itself(server):
    upload(server.admin_url, "demo-bucket", "photos/a.jpg", jpeg())
    text = page(server, "/buckets/demo-bucket")
    assert re.search(r'<tr class="folder">.*<svg class="folder-icon"[^>]*>.*</svg> photos/', text)
    assert "\U0001F4C1" not in text


@pytest.mark.parametrize("fops, suggestion", [
    ("avthumb/mp4/vcodc/libx264", "did you mean vcodec?"),
    ("imageMogr2/thumbnal/200x", "did you mean thumbnail?"),
    ("imageView2/2/W/200", "did you mean w?"),
    ("yifangyun_preview/v2/ext=pdf/pagenumber=1", "did you mean page_number?"),
])
def test_a_misspelled_parameter_gets_a_suggestion(server, fops, suggestion):
    answer = requests.get(f"{server.admin_url}{UI.replace('/ui', '')}/fops/check", params={"fops": fops}).json()
    assert answer["ok"] is False and suggestion in answer["error"], answer


@pytest.mark.timeout(240)
def test_a_long_command_wraps_instead_of_scrolling_sideways(server):
    upload(server.admin_url, "demo-bucket", "photo.jpg", jpeg())
    long_key = "thumbs/" + "a-very-long-folder-name/" * 12 + "photo.jpg"
    job_id = run_fops(server.admin_url, "demo-bucket", "photo.jpg",
                      f"imageView2/2/w/100/h/100/format/webp|saveas/{b64_encode('output-bucket:' + long_key)}")
    finished(server, job_id)
    browser = find_browser()
    driver, profile = start_driver(browser)
    try:
        driver.set_window_size(1024, 800)
        for path in (f"{UI}/jobs/{job_id}", f"{UI}/jobs"):
            driver.get(f"{server.admin_url}{path}")
            wait_for(lambda: driver.find_elements("css selector", "table, .job-body"), message=path)
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow} px"
        driver.get("about:blank")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
