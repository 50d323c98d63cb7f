"""The console in a real browser (Debian's chromium, headless): upload, watch a job finish,
see its result, read a rejected request, resend a notification, try a fop.

Screenshots of the main pages are saved under tests/ui/artifacts/; with
QINIU_CONSOLE_SCREENSHOTS=<dir> small copies for the README are written there too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import qiniu
import requests
from PIL import Image
from selenium.common.exceptions import StaleElementReferenceException
from support import wait_for
from ui_support import ARTIFACTS, browser_session

from qiniu_emulator.encoding import b64_encode

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def driver():
    with browser_session() as driver:
        yield driver


@pytest.fixture
def console(server, driver):
    yield server
    driver.get("about:blank")  # stop the page's polling before the server goes


def css(driver, selector: str):
    return driver.find_elements("css selector", selector)


def shown(driver, selector: str, timeout: float = 30.0):
    """The first element matching ``selector``, once there is one."""
    return wait_for(lambda: (css(driver, selector) or [None])[0], timeout=timeout, message=selector)


def retrying(step):
    """``step()``, again if the element it used was re-rendered under it."""
    def attempt():
        try:
            value = step()
            return True if value is None else value
        except StaleElementReferenceException:
            return None
    return wait_for(attempt, message="a stable element")


def screenshot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    docs = os.environ.get("QINIU_CONSOLE_SCREENSHOTS")
    if docs:
        small = Image.open(path).convert("RGB")
        small.thumbnail((960, 960))
        small.quantize(colors=128).save(Path(docs) / f"{name}.png", optimize=True)


def upload_through_the_page(driver, server, path: Path, key: str) -> None:
    driver.get(f"{server.admin_url}/_emulator/ui/buckets/demo-bucket")
    css(driver, "form.upload input[type=file]")[0].send_keys(str(path))
    key_input = css(driver, "form.upload input[name=key]")[0]
    key_input.clear()
    key_input.send_keys(key)
    css(driver, "form.upload button[type=submit]")[0].click()
    wait_for(lambda: "/_emulator/ui/object" in driver.current_url and key in driver.page_source,
             message=f"the object page of {key}")


def loaded_image(driver, selector: str) -> int:
    return driver.execute_script(
        "const i = document.querySelector(arguments[0]); return i && i.complete ? i.naturalWidth : 0;", selector)


def video_width(driver, selector: str) -> int:
    return driver.execute_script(
        "const v = document.querySelector(arguments[0]); return v && v.readyState >= 1 ? v.videoWidth : 0;", selector)


def test_uploads_jobs_results_and_notify_in_the_browser(console, driver, sdk, receiver, photo, clip, tmp_path):
    photo_path = tmp_path / "photo.jpg"
    photo_path.write_bytes(photo)
    upload_through_the_page(driver, console, photo_path, "photos/photo.jpg")
    assert wait_for(lambda: loaded_image(driver, "figure.preview img"), message="the photo preview") == 640
    upload_through_the_page(driver, console, clip, "clips/clip.mp4")
    assert wait_for(lambda: video_width(driver, "figure.preview video"), message="the video preview") == 320
    screenshot(driver, "object")
    driver.get(f"{console.admin_url}/_emulator/ui/buckets/demo-bucket")
    shown(driver, 'a[href*="prefix=clips"]')
    screenshot(driver, "bucket")

    driver.get(f"{console.admin_url}/_emulator/ui/jobs")
    pfop = qiniu.PersistentFop(sdk, "demo-bucket", notify_url=f"{receiver.url}/notify")
    thumb = f"imageView2/2/w/200|saveas/{b64_encode('output-bucket:thumb.jpg')}"
    small = f"avthumb/mp4/s/160x120|saveas/{b64_encode('output-bucket:small.mp4')}"
    image_job = pfop.execute("photos/photo.jpg", [thumb])[0]["persistentId"]
    video_job = pfop.execute("clips/clip.mp4", [small])[0]["persistentId"]
    for job_id in (image_job, video_job):  # the list updates by itself
        shown(driver, f'tr[data-job="{job_id}"][data-status="done"]', timeout=90)
    screenshot(driver, "jobs")

    driver.get(f"{console.admin_url}/_emulator/ui/jobs/{image_job}")
    assert wait_for(lambda: loaded_image(driver, 'section[aria-label="output"] img'), message="the thumbnail") == 200
    driver.get(f"{console.admin_url}/_emulator/ui/jobs/{video_job}")
    assert wait_for(lambda: video_width(driver, 'section[aria-label="output"] video'), message="the output video") == 160
    assert "output-bucket:small.mp4" in shown(driver, "ol.ops").text
    assert "libx264" in shown(driver, "pre.cmdline").text
    driver.execute_script("document.querySelector('section.item').scrollIntoView()")
    shown(driver, "table.diff")
    differing = [th.text for th in css(driver, "table.diff tr.differs th")]
    assert "dimensions" in differing and "SAR" not in differing
    screenshot(driver, "job")

    wait_for(lambda: len(receiver.requests) == 2, message="both notifications")
    shown(driver, "button[data-resend]").click()
    wait_for(lambda: len(receiver.requests) == 3, message="the resent notification")
    assert receiver.requests[-1].json()["id"] == video_job
    wait_for(lambda: len(css(driver, "table.deliveries tbody tr.ok")) == 2, message="both deliveries listed")


def test_a_rejected_signature_in_the_request_log(console, driver):
    entry = b64_encode("demo-bucket:photo.jpg")
    requests.post(f"{console.url}/stat/{entry}", headers={"Authorization": "QBox test-access-key:wrong"})
    driver.get(f"{console.admin_url}/_emulator/ui/requests")
    driver.find_element("css selector", "select[name=status] option[value='401']").click()
    css(driver, "form.filter button")[0].click()
    # the filter reloads the page: wait for the filtered one before touching its rows
    wait_for(lambda: "status=401" in driver.current_url, message="the filtered page")
    # the live table is re-rendered while it is read (open rows stay open), so each step
    # retries on an element that was replaced
    retrying(lambda: shown(driver, 'tr[data-status="401"] summary').click())
    expected = retrying(lambda: shown(driver, "tr[data-status='401'] pre.expected").text)
    assert "QBox management token rejected for access key 'test-access-key'" in expected
    assert f"'/stat/{entry}\\n'" in expected
    screenshot(driver, "requests")


def test_the_playground_checks_as_you_type_and_shows_the_result(console, driver, photo):
    console.emulator.storage.put_bytes("demo-bucket", "photo.jpg", photo, mime="image/jpeg")
    driver.get(f"{console.admin_url}/_emulator/ui/playground?bucket=demo-bucket&key=photo.jpg")
    fops = shown(driver, "textarea[name=fops]")
    fops.send_keys("imageView2/9/w/120")
    verdict = shown(driver, "#verdict")
    wait_for(lambda: "bad mode: 9 is out of range 0..5" in verdict.text, message="pfop's message")
    fops.clear()
    fops.send_keys("imageView2/2/w/120")
    wait_for(lambda: "accept" in verdict.text, message="the fops accepted")
    css(driver, "#playground button[type=submit]")[0].click()
    assert wait_for(lambda: loaded_image(driver, '#result section[aria-label="output"] img'),
                    timeout=60, message="the result") == 120
    assert loaded_image(driver, '#result section[aria-label="input"] img') == 640
    screenshot(driver, "playground")
