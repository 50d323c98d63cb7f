"""Snapshots: an exported emulator imported into a fresh data dir answers the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import qiniu
import requests
from support import ADMIN_WRITE, wait_for

from qiniu_emulator.cli import main
from qiniu_emulator.config import Settings
from qiniu_emulator.emulator import Emulator
from qiniu_emulator.snapshot import MANIFEST, SnapshotError, read_manifest

RULE = {"id": "flaky-pfop", "endpoint": "pfop", "answer": 599, "times": 1}


def upload(server, sdk, key: str, data: bytes, **fields: str) -> None:
    form = {"token": sdk.upload_token("demo-bucket"), "key": key, **fields}
    answer = requests.post(f"{server.url}/", data=form, files={"file": ("f", data)}, timeout=10)
    assert answer.status_code == 200, answer.text


def seen(server, sdk, job_id: str) -> dict:
    """What a client sees: stat of each object, both buckets' listings, the job, rules, templates."""
    bucket = qiniu.BucketManager(sdk)
    listings = {name: bucket.list(name)[0]["items"] for name in ("demo-bucket", "output-bucket")}
    stats = {(name, item["key"]): bucket.stat(name, item["key"])[0]
             for name, items in listings.items() for item in items}
    job = requests.get(f"{server.url}/status/get/prefop", params={"id": job_id}, timeout=10).json()
    rules = requests.get(f"{server.admin_url}/_emulator/scenarios", timeout=10).json()["scenarios"]
    health = requests.get(f"{server.admin_url}/_emulator/health", timeout=10).json()
    return {"listings": listings, "stats": stats, "job": job, "rules": [rule["id"] for rule in rules],
            "workflows": health["workflows"], "bytes": requests.get(
                f"{server.url}/_io/demo-bucket/notes/a.txt", timeout=10).content}


def test_an_imported_snapshot_answers_the_same_stat_list_and_prefop(start_emulator, sdk_for, tmp_path):
    first = start_emulator(data=tmp_path / "first")
    sdk = sdk_for(first)
    upload(first, sdk, "notes/a.txt", b"alpha", **{"x-qn-meta-owner": "alice"})
    upload(first, sdk, "b.bin", bytes(range(256)))
    ret, info = qiniu.PersistentFop(sdk, "demo-bucket").execute(
        "notes/a.txt", ["qhash/md5|saveas/" + qiniu.urlsafe_base64_encode("output-bucket:a.md5.json")])
    assert info.status_code == 200, info
    job_id = ret["persistentId"]
    wait_for(lambda: requests.get(f"{first.url}/status/get/prefop", params={"id": job_id}, timeout=10)
             .json()["code"] == 0, message="the job to finish")
    assert requests.post(f"{first.admin_url}/_emulator/scenarios", json=RULE, headers=ADMIN_WRITE,
                         timeout=10).status_code == 200
    before = seen(first, sdk, job_id)
    snapshot = tmp_path / "snapshot"
    assert main(["export", str(snapshot), "--admin-port", first.admin_url.rsplit(":", 1)[1]]) == 0
    assert read_manifest(snapshot)["format"] == 1

    second = start_emulator(data=tmp_path / "second", import_dir=snapshot, workflows=None, buckets=[])
    after = seen(second, sdk_for(second), job_id)
    assert after == before
    assert before["stats"][("demo-bucket", "notes/a.txt")]["x-qn-meta"] == {"owner": "alice"}
    assert ("output-bucket", "a.md5.json") in before["stats"] and before["rules"] == ["flaky-pfop"]
    assert before["workflows"] and before["bytes"] == b"alpha"


def test_a_snapshot_of_a_newer_format_is_refused_with_what_to_do(tmp_path, capsys):
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    (snapshot / "emulator.sqlite3").write_bytes(b"")
    (snapshot / MANIFEST).write_text(json.dumps({"format": 99, "emulator": "9.0.0"}))
    assert main(["serve", "--port", "0", "--data", str(tmp_path / "data"), "--import", str(snapshot)]) == 1
    line = capsys.readouterr().err.strip()
    assert line == (f"qiniu-emulator: error: {snapshot} is a format 99 snapshot, written by qiniu-emulator 9.0.0; "
                    "this qiniu-emulator (0.1.0) reads format 1 at most: upgrade it to import this snapshot")


def test_import_refuses_a_data_dir_that_holds_data_unless_forced(start_emulator, sdk_for, tmp_path):
    source = start_emulator(export_on_exit=tmp_path / "snapshot")
    upload(source, sdk_for(source), "from-snapshot.txt", b"snap")
    source.stop()
    used = start_emulator(data=tmp_path / "used")
    upload(used, sdk_for(used), "mine.txt", b"mine")
    used.stop()
    settings = Settings(port=0, data=tmp_path / "used", import_dir=tmp_path / "snapshot")
    with pytest.raises(SnapshotError, match="already holds buckets or objects; use --force"):
        Emulator.build(settings)
    forced = start_emulator(data=tmp_path / "used", import_dir=tmp_path / "snapshot", force=True)
    bucket = qiniu.BucketManager(sdk_for(forced))
    assert [item["key"] for item in bucket.list("demo-bucket")[0]["items"]] == ["from-snapshot.txt"]


def test_export_never_writes_over_a_directory_that_is_not_a_snapshot(server, tmp_path, capsys):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    assert main(["export", str(target), "--admin-port", server.admin_url.rsplit(":", 1)[1]]) == 1
    assert "is not empty and holds no snapshot" in capsys.readouterr().err
    assert (target / "notes.txt").read_text() == "keep me"


def test_something_that_is_not_a_snapshot_is_named_as_such(tmp_path):
    with pytest.raises(SnapshotError, match="is not a snapshot"):
        read_manifest(Path(tmp_path))


def test_the_snapshot_download_leaves_no_scratch_behind(server, sdk):
    """The archive is sent from a scratch file of the data dir, removed once sent (in full
    or not), so repeated exports do not fill the disk."""
    import io
    import tarfile

    upload(server, sdk, "notes/a.txt", b"kept in the archive")
    scratch = server.emulator.storage.tmp_dir
    whole = requests.get(f"{server.admin_url}/_emulator/snapshot", timeout=30)
    assert whole.status_code == 200 and int(whole.headers["Content-Length"]) == len(whole.content)
    with tarfile.open(fileobj=io.BytesIO(whole.content)) as archive:
        names = archive.getnames()
        assert MANIFEST in names and "emulator.sqlite3" in names
        stored = [archive.extractfile(m).read() for m in archive.getmembers() if m.name.startswith("buckets/")]
    assert b"kept in the archive" in stored
    with requests.get(f"{server.admin_url}/_emulator/snapshot", timeout=30, stream=True) as partial:
        assert partial.status_code == 200
        partial.raw.read(100)  # the client goes away before the end
    wait_for(lambda: not list(scratch.glob("snapshot-*")), message="the snapshot scratch to be removed")


def test_a_snapshot_naming_files_outside_the_data_dir_is_refused_before_anything_changes(
        start_emulator, sdk_for, tmp_path):
    """A snapshot may come from anyone: an object row pointing outside buckets/ would let
    downloads read, and deletes remove, any file the emulator can reach."""
    import sqlite3

    source = start_emulator(export_on_exit=tmp_path / "snapshot")
    upload(source, sdk_for(source), "innocent.txt", b"snap")
    source.stop()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for download")
    with sqlite3.connect(tmp_path / "snapshot" / "emulator.sqlite3") as db:
        db.execute("UPDATE objects SET path = ?", ("buckets/../../secret.txt",))
    used = start_emulator(data=tmp_path / "used")
    upload(used, sdk_for(used), "mine.txt", b"mine")
    used.stop()
    settings = Settings(port=0, data=tmp_path / "used", import_dir=tmp_path / "snapshot", force=True)
    with pytest.raises(SnapshotError, match="cannot be imported: object path 'buckets/../../secret.txt' leaves"):
        Emulator.build(settings)
    kept = start_emulator(data=tmp_path / "used")
    assert [item["key"] for item in qiniu.BucketManager(sdk_for(kept)).list("demo-bucket")[0]["items"]] == ["mine.txt"]
    assert secret.read_text() == "not for download"


def test_an_export_on_exit_path_that_cannot_take_a_snapshot_is_refused_at_start(tmp_path, capsys):
    """Said before the emulator runs, not in a log line at exit when its state is gone."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    for target, words in ((mine, "is not empty and holds no snapshot"), (a_file, "is not a directory")):
        assert main(["serve", "--port", "0", "--data", str(tmp_path / "data"), "--export-on-exit", str(target)]) == 1
        assert capsys.readouterr().err.strip() == f"qiniu-emulator: error: --export-on-exit {target} {words}" + (
            ": choose an empty or new directory" if target == mine else "")
    assert (mine / "notes.txt").read_text() == "keep me"
