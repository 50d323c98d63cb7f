"""What an error answer means for the request that got it: Qiniu's body is kept as it is,
and the request log (console and server log) says what the user got wrong."""

from __future__ import annotations

import logging

import qiniu
import requests

from qiniu_fop import Auth, BucketManager, Config, PersistentFop

from support import ACCESS_KEY, SECRET_KEY


def logged(server, status: int) -> dict:
    """The newest request answered with ``status``."""
    return requests.get(f"{server.admin_url}/_emulator/requests", params={"status": str(status)}).json()["requests"][0]


def log_line(caplog) -> str:
    [line] = [r.getMessage() for r in caplog.records if r.name == "qiniu_emulator.requests"]
    return line


def test_a_string_fops_given_to_the_official_sdk_is_explained(server, sdk, caplog):
    caplog.set_level(logging.INFO, logger="qiniu_emulator.requests")
    fops = "imageView2/2/w/200/h/200/format/webp|saveas/" + qiniu.urlsafe_base64_encode(
        "output-bucket:thumbnails/2026/12/photo-small-200x200.webp")
    assert len(fops) > 100
    ret, info = qiniu.PersistentFop(sdk, "demo-bucket").execute("photo.jpg", fops=fops)  # a str, not a list
    assert ret is None and info.status_code == 400
    assert f'"too many commands: {len(fops)} > 100"' in info.error  # Qiniu's answer, unchanged
    record = logged(server, 400)
    assert "one string split into characters" in record["note"] and "takes a list" in record["note"]
    assert "split into characters" not in record["error"]
    assert "one string split into characters" in log_line(caplog)
    page = requests.get(f"{server.admin_url}/_emulator/ui/requests").text
    assert "one string split into characters: the official SDK&#39;s `execute` takes a list" in page


def test_a_short_string_split_into_characters_is_explained_too(server, sdk):
    ret, info = qiniu.PersistentFop(sdk, "demo-bucket").execute("photo.jpg", fops="imageInfo")
    assert info.status_code == 400 and "unknown fop 'i'" in info.error
    assert "split into characters" in logged(server, 400)["note"]


def test_a_missing_bucket_is_named_in_the_log_but_not_the_answer(server, caplog):
    caplog.set_level(logging.INFO, logger="qiniu_emulator.requests")
    manager = BucketManager(Auth(ACCESS_KEY, SECRET_KEY), config=Config.for_url(server.url))
    ret, info = manager.stat("no-such-bucket-here", "photo.jpg")
    assert info.status_code == 631 and info.error == '{"error": "no such bucket", "code": 631}'
    record = logged(server, 631)
    assert "'no-such-bucket-here'" in record["note"]
    assert "no-such-bucket-here" in log_line(caplog).split("|", 1)[1]
    page = requests.get(f"{server.admin_url}/_emulator/ui/requests").text
    assert "no bucket named &#39;no-such-bucket-here&#39;" in page


def test_pfop_says_whether_the_source_or_the_saveas_bucket_is_missing(server):
    auth = Auth(ACCESS_KEY, SECRET_KEY)
    config = Config.for_url(server.url)
    fops = "imageView2/2/w/200|saveas/" + qiniu.urlsafe_base64_encode("no-output:thumb.jpg")
    ret, info = PersistentFop(auth, "demo-bucket", config=config).execute("photo.jpg", fops=fops)
    assert info.status_code == 631 and info.error == '{"error": "no such bucket", "code": 631}'
    assert "saveas bucket 'no-output'" in logged(server, 631)["note"]
    ret, info = PersistentFop(auth, "no-source", config=config).execute("photo.jpg", fops="imageInfo")
    assert info.status_code == 631
    assert "source bucket 'no-source'" in logged(server, 631)["note"]
