"""The console with --regions: each bucket's region and hosts, and a new bucket made in a region."""

from __future__ import annotations

import shutil

import pytest
import requests
from support import wait_for
from ui_support import find_browser, start_driver

HEADERS = {"X-Qiniu-Emulator": "1"}


@pytest.fixture
def regional(start_emulator):
    return start_emulator(regions=["z0", "z2"], buckets=["home-bucket", "far-bucket@z2"])


def test_the_buckets_page_shows_each_region_and_offers_the_served_ones(regional):
    page = requests.get(f"{regional.admin_url}/_emulator/ui/").text
    assert "<td>z2</td>" in page and "<td>z0</td>" in page
    assert '<option value="z0">z0</option><option value="z2">z2</option>' in page


def test_a_bucket_page_names_its_region_hosts(regional):
    page = requests.get(f"{regional.admin_url}/_emulator/ui/buckets/far-bucket").text
    up_main, up_backup = regional.emulator.regions.ports("z2", "up")
    assert "Region <strong>z2</strong>" in page
    assert f"up <code>http://127.0.0.1:{up_main} (backup :{up_backup})</code>" in page


def test_a_new_bucket_is_made_in_the_region_asked_for(regional):
    made = requests.post(f"{regional.admin_url}/_emulator/buckets", data={"name": "new-far", "region": "z2"},
                         headers=HEADERS)
    assert made.status_code == 200 and made.json() == {"name": "new-far", "region": "z2"}
    assert regional.emulator.storage.get_bucket("new-far").region == "z2"
    refused = requests.post(f"{regional.admin_url}/_emulator/buckets", data={"name": "new-na", "region": "na0"},
                            headers=HEADERS)
    assert refused.status_code == 400 and "na0" in refused.json()["error"]
    unsent = requests.post(f"{regional.admin_url}/_emulator/buckets", data={"name": "new-x"})
    assert unsent.status_code == 403


def test_without_regions_a_new_bucket_goes_to_z0(server):
    made = requests.post(f"{server.admin_url}/_emulator/buckets", data={"name": "plain-new"}, headers=HEADERS)
    assert made.json() == {"name": "plain-new", "region": "z0"}
    assert 'name="region" placeholder="z0"' in requests.get(f"{server.admin_url}/_emulator/ui/").text


@pytest.mark.timeout(240)
def test_the_new_bucket_form_in_the_browser(regional):
    driver, profile = start_driver(find_browser())
    try:
        driver.get(f"{regional.admin_url}/_emulator/ui/")
        driver.find_element("css selector", "form.new-bucket input[name=name]").send_keys("browser-far")
        driver.find_element("css selector", "form.new-bucket select[name=region] option[value=z2]").click()
        driver.find_element("css selector", "form.new-bucket button[type=submit]").click()
        wait_for(lambda: "browser-far" in driver.page_source, message="the new bucket in the list")
        assert regional.emulator.storage.get_bucket("browser-far").region == "z2"
    finally:
        driver.get("about:blank")
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
