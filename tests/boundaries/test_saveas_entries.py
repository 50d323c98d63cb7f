"""A saveas entry that could never be stored is a 400 naming the command when the fops are
accepted (pfop, persistentOps, a signed sync saveas, lint), never an item's internal error."""

from __future__ import annotations

import base64
import subprocess
import sys

import qiniu
import requests
from boundary_support import PUBLIC, png
from support import ACCESS_KEY, SECRET_KEY, wait_for

from qiniu_emulator.encoding import b64_encode
from qiniu_fop import Auth, download_url

LONG_KEY = "k" * 751  # docs/wire.md §3.1: 750 bytes at most
BAD_ENTRIES = {
    "key too long: 751 bytes": b64_encode(f"output-bucket:{LONG_KEY}"),
    "key too long: 753 bytes": b64_encode("output-bucket:" + "视" * 251),  # 251 characters, 753 bytes
    "invalid bucket name 'Bad_Bucket'": b64_encode("Bad_Bucket:x.png"),
    "saveas entry is not UTF-8": base64.urlsafe_b64encode(b"output-bucket:\xff\xfe.png").decode(),
    "saveas entry is not url-safe base64": "not*base64",
}


def photo(server) -> None:
    server.emulator.storage.put_bytes(PUBLIC, "p.png", png((10, 20, 30), (40, 20)), mime="image/png")


def prefop(server, job_id: str) -> dict:
    return requests.get(f"{server.url}/status/get/prefop?id={job_id}", timeout=10).json()


def test_pfop_refuses_each_bad_entry_naming_the_command(server, sdk):
    photo(server)
    for expected, entry in BAD_ENTRIES.items():
        fops = ["imageInfo", f"imageView2/2/w/10|saveas/{entry}"]
        ret, info = qiniu.PersistentFop(sdk, PUBLIC).execute("p.png", fops)
        assert info.status_code == 400, (expected, info)
        error = info.json()["error"]
        assert expected in error and error.startswith("fops[1] stage 1 'saveas/"), error
    assert server.emulator.jobs.store.recent() == []


def test_a_key_of_exactly_750_bytes_is_stored(server, sdk):
    photo(server)
    key = "视" * 250  # 750 bytes of UTF-8
    ret, info = qiniu.PersistentFop(sdk, PUBLIC).execute("p.png", [f"imageView2/2/w/10|saveas/{b64_encode(f'output-bucket:{key}')}"])
    assert info.status_code == 200, info
    done = wait_for(lambda: (body := prefop(server, ret["persistentId"]))["code"] not in (1, 2) and body,
                    message="the job to end")
    assert done["code"] == 0 and done["items"][0]["key"] == key, done
    assert server.emulator.storage.exists("output-bucket", key)


def test_persistent_ops_with_a_bad_entry_refuse_the_upload_and_store_nothing(server, sdk):
    token = sdk.upload_token(PUBLIC, "up.png", policy={
        "persistentOps": f"imageView2/2/w/10|saveas/{BAD_ENTRIES['key too long: 751 bytes']}"})
    ret, info = qiniu.put_data(token, "up.png", png((1, 2, 3)))
    assert info.status_code == 400 and "key too long: 751 bytes" in info.json()["error"], info
    assert not server.emulator.storage.exists(PUBLIC, "up.png")


def test_a_signed_sync_saveas_with_a_bad_entry_is_400(server):
    photo(server)
    domain = f"{server.url.split('://')[1]}/_io/{PUBLIC}"
    auth = Auth(ACCESS_KEY, SECRET_KEY)
    url = auth.sync_saveas_url(download_url(domain, "p.png"), "imageView2/2/w/10", "output-bucket", LONG_KEY)
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 400 and "saveas key too long: 751 bytes" in answer.json()["error"], answer.text
    url = auth.sync_saveas_url(download_url(domain, "p.png"), "imageView2/2/w/10", "Bad_Bucket", "x.png")
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 400 and "invalid bucket name" in answer.json()["error"], answer.text


def test_a_save_pattern_that_renders_too_long_fails_its_item_clearly(server, sdk):
    photo(server)
    pattern = b64_encode("$(key)-" + "p" * 760)
    fops = [f"imageView2/2/w/10|saveas/{b64_encode('output-bucket')}/savePattern/{pattern}"]
    ret, info = qiniu.PersistentFop(sdk, PUBLIC).execute("p.png", fops)
    assert info.status_code == 200, info
    done = wait_for(lambda: (body := prefop(server, ret["persistentId"]))["code"] not in (1, 2) and body,
                    message="the job to end")
    item = done["items"][0]
    assert done["code"] == 3 and item["error"].startswith("save failed: key too long: 766 bytes"), done


def test_lint_refuses_a_key_too_long():
    done = subprocess.run([sys.executable, "-m", "qiniu_emulator", "lint",
                           f"imageView2/2/w/10|saveas/{BAD_ENTRIES['key too long: 751 bytes']}"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "saveas key too long: 751 bytes" in done.stdout + done.stderr
