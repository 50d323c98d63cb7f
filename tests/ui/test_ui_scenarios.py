"""The console's scenarios page: every rule with its counts and held jobs, and in a real
browser, releasing a held job and removing a rule."""

from __future__ import annotations

import html
import shutil

import pytest
import qiniu
import requests
from support import ADMIN_WRITE, wait_for
from ui_support import find_browser, start_driver

UI = "/_emulator/ui"


def add(server, rule: dict) -> dict:
    answer = requests.post(f"{server.admin_url}/_emulator/scenarios", headers=ADMIN_WRITE, json=rule, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["scenarios"][0]


def held_job(server, sdk, key: str) -> str:
    server.emulator.storage.put_bytes("demo-bucket", key, b"hello", mime="text/plain")
    qiniu.config.set_default(default_api_host=server.url)
    return qiniu.PersistentFop(sdk, "demo-bucket").execute(key, ["qhash/md5"])[0]["persistentId"]


def test_the_page_lists_rules_with_their_counts_and_held_jobs(server, sdk):
    add(server, {"id": "flaky-stat", "endpoint": "rs.stat", "answer": 599, "times": 2,
                 "description": "the first two stats fail"})
    add(server, {"id": "dice", "endpoint": "prefop", "latency": 0.01, "probability": 0.5, "seed": 4})
    add(server, {"id": "hold", "key": "held.txt", "hold": 1})
    job_id = held_job(server, sdk, "held.txt")
    requests.get(f"{server.url}/stat/ZGVtby1idWNrZXQ6aGVsZC50eHQ=", timeout=10)
    text = html.unescape(requests.get(f"{server.admin_url}{UI}/scenarios", timeout=10).text)
    assert "the first two stats fail" in text and 'answer: {"status": 599}' in text and "2 times" in text
    assert "probability 0.5, seed 4" in text and "key held.txt" in text
    assert f'href="/_emulator/ui/jobs/{job_id}"' in text
    assert f'data-release="/_emulator/jobs/{job_id}/release"' in text
    row = text.split('data-rule="flaky-stat"')[1].split("</tr>")[0]
    assert '<td class="num">1</td>' in row  # one hit so far
    fragment = requests.get(f"{server.admin_url}{UI}/scenarios", params={"fragment": 1}, timeout=10).text
    assert fragment.lstrip().startswith("<tr") and "flaky-stat" in fragment


def test_the_page_says_when_no_rule_is_in_force(server):
    assert "No rule is in force." in requests.get(f"{server.admin_url}{UI}/scenarios", timeout=10).text


@pytest.fixture
def driver():
    driver, profile = start_driver(find_browser())
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def css(driver, selector: str):
    return driver.find_elements("css selector", selector)


def test_release_and_remove_in_the_browser(server, sdk, driver):
    add(server, {"id": "hold", "key": "held.txt", "hold": 1})
    add(server, {"id": "slow", "endpoint": "prefop", "latency": 0.01})
    job_id = held_job(server, sdk, "held.txt")
    try:
        driver.get(f"{server.admin_url}{UI}/scenarios")
        wait_for(lambda: css(driver, f'button[data-release$="{job_id}/release"]'), message="the release button")
        css(driver, f'button[data-release$="{job_id}/release"]')[0].click()
        wait_for(lambda: server.emulator.jobs.get(job_id).code == 0, message="the released job to finish")
        wait_for(lambda: not css(driver, "button[data-release]"), message="the page to drop the released job")
        css(driver, 'tr[data-rule="slow"] button[data-remove-rule]')[0].click()
        wait_for(lambda: [r.id for r in server.emulator.scenarios.rules()] == ["hold"], message="the rule removed")
        wait_for(lambda: not css(driver, 'tr[data-rule="slow"]'), message="the page to drop the rule")
    finally:
        driver.get("about:blank")  # stop the page's polling before the server goes
