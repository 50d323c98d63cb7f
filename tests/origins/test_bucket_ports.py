"""Each bucket's own download port: a domain that is a plain host:port, reaching only that
bucket, listed by the domain endpoints, the banner and the console, kept across restarts."""

from __future__ import annotations

import io
from urllib.parse import urljoin

import pytest
import qiniu
import requests
from PIL import Image
from support import ACCESS_KEY, SECRET_KEY, free_port, wait_for

from qiniu_emulator.encoding import b64_encode
from qiniu_emulator.server import banner


def auth() -> qiniu.Auth:
    return qiniu.Auth(ACCESS_KEY, SECRET_KEY)


def signed(server, method: str, path: str) -> requests.Response:
    url = f"{server.url}{path}"
    return requests.request(method, url, headers={"Authorization": f"QBox {auth().token_of_request(url)}"}, timeout=10)


def put(server, bucket: str, key: str, data: bytes, mime: str = "application/octet-stream") -> None:
    answer = requests.post(f"{server.url}/", files={"file": (key, data, mime)}, timeout=10,
                           data={"token": auth().upload_token(bucket), "key": key})
    assert answer.status_code == 200, answer.text


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, "PNG")
    return out.getvalue()


def own(server, bucket: str) -> str:
    port = server.emulator.bucket_ports.port_of(bucket)
    assert port, f"{bucket} has no port"
    return f"127.0.0.1:{port}"


def test_a_bucket_port_serves_that_bucket_only(server):
    put(server, "demo-bucket", "dir/a.txt", b"demo")
    put(server, "output-bucket", "dir/a.txt", b"output")
    host = own(server, "demo-bucket")
    assert requests.get(f"http://{host}/dir/a.txt", timeout=10).content == b"demo"
    assert requests.head(f"http://{host}/dir/a.txt", timeout=10).headers["Content-Length"] == "4"
    assert requests.get(f"http://{own(server, 'output-bucket')}/dir/a.txt", timeout=10).content == b"output"
    for path in ("/_io/output-bucket/dir/a.txt", "/dir/missing.txt", "/_emulator/health", "/_emulator/ui/"):
        assert requests.get(f"http://{host}{path}", timeout=10).status_code == 404, path
    for method, path in (("POST", "/"), ("POST", "/stat/eA=="), ("PUT", "/dir/a.txt"), ("DELETE", "/dir/a.txt")):
        assert requests.request(method, f"http://{host}{path}", timeout=10).status_code == 405, (method, path)
    assert requests.get(f"http://{host}/dir/a.txt", timeout=10).content == b"demo"


def test_every_domain_list_names_the_port_and_it_works_as_a_host(server):
    put(server, "demo-bucket", "photos/cat.txt", b"meow")
    host = own(server, "demo-bucket")
    v6 = signed(server, "GET", "/v6/domain/list?tbl=demo-bucket").json()
    v2 = signed(server, "GET", "/v2/domains?tbl=demo-bucket").json()
    v3 = [d["domain"] for d in signed(server, "GET", "/v3/domains?tbl=demo-bucket").json()]
    assert v6 == v2 == v3 and v6[0].endswith("/_io/demo-bucket") and v6[-1] == host
    # what clients that treat a domain as a host do: join the key onto http://<domain>/
    assert requests.get(urljoin(f"http://{host}/", "photos/cat.txt"), timeout=10).content == b"meow"
    assert signed(server, "GET", "/v6/domain/list?tbl=nope").status_code == 631
    assert requests.get(f"{server.url}/v6/domain/list?tbl=demo-bucket", timeout=10).status_code == 401


def test_private_buckets_sync_fops_and_cors_follow_the_bucket(server, sdk):
    put(server, "demo-bucket", "p.png", png(), "image/png")
    host = own(server, "demo-bucket")
    info = requests.get(f"http://{host}/p.png?imageInfo", headers={"Origin": "http://localhost:5173"}, timeout=30)
    assert info.json()["width"] == 40 and info.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Security-Policy" not in info.headers  # the bucket's own origin, as on Qiniu
    assert signed(server, "POST", "/private?bucket=demo-bucket&private=1").status_code == 200
    assert requests.get(f"http://{host}/p.png", timeout=10).status_code == 401
    url = sdk.private_download_url(f"http://{host}/p.png", expires=3600)
    assert requests.get(url, timeout=10).content == png()


def test_an_op_reading_a_bucket_port_url_reads_the_object(server, sdk):
    put(server, "demo-bucket", "base.png", png((200, 100)), "image/png")
    put(server, "demo-bucket", "logo.png", png((20, 10)), "image/png")
    logo = f"http://{own(server, 'demo-bucket')}/logo.png"  # loopback: refused if fetched over the network
    answer = requests.get(f"{server.url}/_io/demo-bucket/base.png?watermark/1/image/{b64_encode(logo)}", timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/png"


def test_a_new_bucket_gets_a_port_and_a_dropped_one_loses_it(server):
    signer = qiniu.auth.QiniuMacRequestsAuth(qiniu.QiniuMacAuth(ACCESS_KEY, SECRET_KEY))
    assert requests.post(f"{server.url}/mkbucketv3/fresh-bucket/region/z0", auth=signer, timeout=10).ok
    put(server, "fresh-bucket", "x.txt", b"fresh")
    host = own(server, "fresh-bucket")
    assert wait_for(lambda: requests.get(f"http://{host}/x.txt", timeout=10).content == b"fresh", timeout=10)
    assert requests.post(f"{server.url}/drop/fresh-bucket", auth=signer, timeout=10).ok
    assert server.emulator.bucket_ports.port_of("fresh-bucket") is None

    def refused() -> bool:
        try:
            requests.get(f"http://{host}/x.txt", timeout=5)
        except requests.ConnectionError:
            return True
        return False

    wait_for(refused, timeout=10, message="the dropped bucket's port to close")


def test_ports_are_kept_across_restarts(start_emulator, tmp_path):
    first = start_emulator(data=tmp_path / "data")
    ports = first.emulator.bucket_ports.served()
    assert set(ports) == {"demo-bucket", "output-bucket"}
    first.stop()
    second = start_emulator(data=tmp_path / "data")
    assert second.emulator.bucket_ports.served() == ports


def test_a_remembered_port_someone_else_holds_is_replaced(start_emulator, tmp_path):
    import socket

    first = start_emulator(data=tmp_path / "data")
    taken = first.emulator.bucket_ports.port_of("demo-bucket")
    first.stop()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        second = start_emulator(data=tmp_path / "data")
        moved = second.emulator.bucket_ports.port_of("demo-bucket")
        assert moved and moved != taken
        put(second, "demo-bucket", "a.txt", b"still served")
        assert requests.get(f"http://127.0.0.1:{moved}/a.txt", timeout=10).content == b"still served"


def test_a_range_gives_ports_from_it_and_off_gives_none(start_emulator):
    start = free_port()
    ranged = start_emulator(bucket_ports=f"{start}-{start + 40}")
    assert all(start <= port <= start + 40 for port in ranged.emulator.bucket_ports.served().values())
    off = start_emulator(bucket_ports="off")
    assert off.emulator.bucket_ports.served() == {}
    assert len(signed(off, "GET", "/v6/domain/list?tbl=demo-bucket").json()) == 2


@pytest.mark.parametrize("text", ["9000", "9-8", "0-10", "a-b", "1-70000", "on"])
def test_bad_ranges_are_refused(text):
    from qiniu_emulator.bucket_ports import parse_port_range

    with pytest.raises(ValueError, match="bucket ports must be"):
        parse_port_range(text)


def test_the_banner_and_the_console_list_the_ports(server):
    ports = server.emulator.bucket_ports.served()
    text = banner(server.emulator.settings, server.url, bucket_ports=ports)
    assert f"  demo-bucket: http://127.0.0.1:{ports['demo-bucket']}" in text
    page = requests.get(f"{server.admin_url}/_emulator/ui/", timeout=10).text
    assert f"http://127.0.0.1:{ports['demo-bucket']}" in page
    put(server, "demo-bucket", "a.txt", b"a")
    urls = requests.get(f"{server.admin_url}/_emulator/object", params={"bucket": "demo-bucket", "key": "a.txt"},
                        timeout=10).json()["urls"]
    assert requests.get(urls["bucket port"], timeout=10).content == b"a"
