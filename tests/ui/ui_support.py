"""Helpers for the console tests: small media, console writes, a real browser."""

from __future__ import annotations

import html
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from pathlib import Path

import imageio_ffmpeg
import pytest
import requests
from PIL import Image

WRITE = {"X-Qiniu-Emulator": "1"}
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,860", "--force-prefers-reduced-motion")


def jpeg(size: tuple[int, int] = (640, 480), colour: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    image.paste((30, 90, 200), (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2))
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def mp4(path: Path, size: str = "320x240", seconds: float = 1.0) -> Path:
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds}",
                    "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", str(path)], check=True, timeout=60)
    return path


def upload(url: str, bucket: str, key: str, data: bytes, mime: str = "") -> dict:
    files = {"file": (key.rsplit("/", 1)[-1], data, mime or "application/octet-stream")}
    response = requests.post(f"{url}/_emulator/objects", params={"bucket": bucket}, files=files,
                             data={"key": key}, headers=WRITE)
    assert response.status_code == 200, response.text
    return response.json()


def run_fops(url: str, bucket: str, key: str, fops: str) -> str:
    response = requests.post(f"{url}/_emulator/fops/run", json={"bucket": bucket, "key": key, "fops": fops},
                             headers=WRITE)
    assert response.status_code == 200, response.text
    return response.json()["persistentId"]


def finished_job(url: str, job_id: str) -> dict | None:
    body = requests.get(f"{url}/_emulator/jobs/{job_id}").json()
    return body if body["code"] not in (1, 2) else None


@dataclass(frozen=True)
class Browser:
    chromium: str
    chromedriver: str


def find_browser() -> Browser:
    """Debian's chromium and chromedriver, or a skip that says how to get them (a failure in CI)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return Browser(chromium, driver)
    reason = "browser tests need chromium and chromedriver (apt-get install chromium chromium-driver)"
    if os.environ.get("CI"):
        pytest.fail(reason + "; .ci/run installs them")
    pytest.skip(reason)


@contextmanager
def browser_session() -> Iterator[Any]:
    """A headless chromium driven by selenium, quit (and its profile removed) afterwards."""
    driver, profile = start_driver(find_browser())
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def start_driver(browser: Browser):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser.chromium
    for flag in BROWSER_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="console-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(browser.chromedriver), options=options)
    driver.set_page_load_timeout(30)
    return driver, profile


UI = "/_emulator/ui"


def page(server, path: str, **params) -> str:
    """A console page as its text, entities decoded; fails unless it answers 200."""
    response = requests.get(f"{server.admin_url}{UI}{path}", params=params)
    assert response.status_code == 200, response.text
    return html.unescape(response.text)
