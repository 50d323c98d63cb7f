"""BucketManager's bucket calls, named and sent as the official Python SDK names and sends
them: recorded on the wire, then against a real emulator."""

from __future__ import annotations

from client_recording_server import Reply
from support import ACCESS_KEY, SECRET_KEY

from qiniu_fop import Auth, BucketManager, Config


def test_bucket_calls_go_to_the_uc_host_as_the_sdk_sends_them(server, auth) -> None:
    server.responder = lambda req: Reply(body={})
    manager = BucketManager(auth, config=server.config())
    manager.mkbucketv3("new-bucket", "z0")
    manager.list_bucket("z0")
    manager.bucket_info("new-bucket")
    manager.change_bucket_permission("new-bucket", 1)
    manager.list_domains("new-bucket")
    manager.bucket_domain("new-bucket")
    manager.drop_bucket("new-bucket")
    manager.mkbucketv3("../rs/x", "z0")  # a name cannot reach another path
    assert [(r.method, r.path) for r in server.requests] == [
        ("POST", "/mkbucketv3/new-bucket/region/z0"), ("POST", "/v3/buckets?region=z0"),
        ("POST", "/v2/bucketInfo?bucket=new-bucket"), ("POST", "/private?bucket=new-bucket&private=1"),
        ("POST", "/v2/domains?tbl=new-bucket"), ("POST", "/v2/domains?tbl=new-bucket"),
        ("POST", "/drop/new-bucket"), ("POST", "/mkbucketv3/..%2Frs%2Fx/region/z0")]
    assert all(r.headers["Authorization"].startswith("Qiniu ") for r in server.requests)


def test_a_bucket_is_made_listed_changed_and_dropped_on_the_emulator(start_emulator) -> None:
    emulator = start_emulator()
    manager = BucketManager(Auth(ACCESS_KEY, SECRET_KEY), config=Config.for_url(emulator.url))
    ret, info = manager.mkbucketv3("first-day", "z0")
    assert info.ok() and ret == {}, info
    names, info = manager.buckets()
    assert "first-day" in names
    assert "first-day" in [b["tbl"] for b in manager.list_bucket("z0")[0]]
    assert manager.list_bucket("z2")[0] == []  # only the region named
    assert "first-day" in [b["tbl"] for b in manager.list_bucket("")[0]]
    domains, _ = manager.list_domains("first-day")
    assert domains[0] == f"{emulator.url.split('://')[1]}/_io/first-day"
    assert manager.change_bucket_permission("first-day", 1)[1].ok()
    info_ret, _ = manager.bucket_info("first-day")
    assert info_ret["private"] == 1 and info_ret["region"] == "z0"
    again, info = manager.mkbucketv3("first-day", "z0")
    assert again is None and info.status_code == 614
    assert manager.drop_bucket("first-day")[1].ok()
    assert "first-day" not in manager.buckets()[0]
    missing, info = manager.bucket_info("first-day")
    assert missing is None and info.status_code == 631
