"""``/lifecycle``: the official SDK's ``set_object_lifecycle`` moves an object to another
storage class and deletes it when its day comes by the emulator's clock (docs/wire.md §9.7)."""

from __future__ import annotations

import pytest
import qiniu
import requests
from support import ACCESS_KEY, SECRET_KEY

from qiniu_emulator.clock import DAY
from qiniu_emulator.encoding import b64_encode


def put(auth, key: str, data: bytes = b"hello") -> None:
    ret, info = qiniu.put_data(auth.upload_token("demo-bucket", key), key, data)
    assert info.status_code == 200, info


def pass_days(server, days: float) -> None:
    """Move the emulator's clock and let housekeeping run, as its thread does every few minutes."""
    server.emulator.clock.advance(days * DAY)
    server.emulator.storage.housekeep()


def test_an_object_moves_to_ia_then_is_deleted_as_its_days_pass(server, sdk_for):
    auth = sdk_for(server)
    bucket = qiniu.BucketManager(auth)
    put(auth, "life.txt")
    ret, info = bucket.set_object_lifecycle("demo-bucket", "life.txt", to_line_after_days=10, delete_after_days=30)
    assert info.status_code == 200
    pass_days(server, 9.9)
    assert bucket.stat("demo-bucket", "life.txt")[0]["type"] == 0
    pass_days(server, 0.2)
    assert bucket.stat("demo-bucket", "life.txt")[0]["type"] == 1
    pass_days(server, 20)
    assert bucket.stat("demo-bucket", "life.txt")[1].status_code == 612
    assert requests.get(f"{server.url}/_io/demo-bucket/life.txt", timeout=10).status_code == 404


def test_minus_one_cancels_and_zero_keeps_a_rule(server, sdk_for):
    auth = sdk_for(server)
    bucket = qiniu.BucketManager(auth)
    put(auth, "kept.txt")
    bucket.set_object_lifecycle("demo-bucket", "kept.txt", to_archive_after_days=2, delete_after_days=3)
    bucket.set_object_lifecycle("demo-bucket", "kept.txt", to_deep_archive_after_days=1, delete_after_days=-1)
    pass_days(server, 1.5)
    assert bucket.stat("demo-bucket", "kept.txt")[0]["type"] == 3
    pass_days(server, 1)  # the archive move set first (0 left it in place) comes due after the deep one
    assert bucket.stat("demo-bucket", "kept.txt")[0]["type"] == 2
    pass_days(server, 10)
    assert bucket.stat("demo-bucket", "kept.txt")[1].status_code == 200  # its deletion was cancelled


def test_an_object_written_again_does_not_inherit_the_move(server, sdk_for):
    auth = sdk_for(server)
    bucket = qiniu.BucketManager(auth)
    put(auth, "again.txt")
    bucket.set_object_lifecycle("demo-bucket", "again.txt", to_line_after_days=1)
    ret, info = qiniu.put_data(auth.upload_token("demo-bucket", "again.txt"), "again.txt", b"new bytes")
    assert info.status_code == 200
    pass_days(server, 2)
    assert bucket.stat("demo-bucket", "again.txt")[0]["type"] == 0


def test_a_condition_that_does_not_hold_is_613(server, sdk_for):
    auth = sdk_for(server)
    bucket = qiniu.BucketManager(auth)
    put(auth, "cond.txt")
    ret, info = bucket.set_object_lifecycle("demo-bucket", "cond.txt", delete_after_days=1, cond={"fsize": "99"})
    assert info.status_code == 613
    ret, info = bucket.set_object_lifecycle("demo-bucket", "missing.txt", delete_after_days=1)
    assert info.status_code == 612


@pytest.mark.parametrize("tail", [
    "toIAAfterDays/soon", "toIAAfterDays/-2", "toIAAfterDays/--1", "toIAAfterDays", "toColdAfterDays/1", "deleteAfterDays/36501",
])
def test_a_malformed_rule_is_a_400(server, tail):
    entry = b64_encode("demo-bucket:bad.txt")
    answer = requests.post(f"{server.url}/lifecycle/{entry}/{tail}", timeout=10,
                           auth=qiniu.auth.QiniuMacRequestsAuth(qiniu.QiniuMacAuth(ACCESS_KEY, SECRET_KEY)))
    assert answer.status_code == 400, answer.text
