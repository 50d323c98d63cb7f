"""uc: region discovery (every service points back at this server) and bucket admin."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from ..admin_origin import public_host
from ..config import ACCOUNT_UID
from ..errors import QiniuError
from ..regions import DEFAULT_REGION, SERVICES
from ..wire import (REGION_SERVICES, bucket_info_json, bucket_v2_json, domain_v3_json, region_v3_json,
                    region_v4_json, regions_json)
from . import emulator, empty_response, form_value, int_arg, json_response, require_management_auth

bp = Blueprint("uc", __name__)

LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def this_host() -> str:
    """host[:port] as the client reached us: the answer must lead back here.

    The Java SDK sends ``Host`` without the port; the port the request came in on is
    added then, or the SDK would follow the answer to port 80.
    """
    host = request.host
    port = str(request.environ.get("SERVER_PORT", ""))
    default = "443" if request.scheme == "https" else "80"
    if ":" not in host.rpartition("]")[2] and port and port != default:
        return f"{host}:{port}"
    return host


def service_hosts() -> list[str]:
    """This host first, then other names that reach the same port (loopback aliases)."""
    host = this_host()
    name, sep, port = host.rpartition(":")
    if not sep or not port.isdigit():
        name, port = host, ""
    suffix = f":{port}" if port else ""
    others = [f"{alias}{suffix}" for alias in LOOPBACK_NAMES if name in LOOPBACK_NAMES and alias != name]
    return [host, *others]


def bucket_domains(bucket: str) -> list[str]:
    """Download domains of a bucket: path-style on this host first, then the bucket domain,
    then the bucket's own port (a plain host:port) when it has one."""
    em = emulator()
    settings = em.settings
    host = this_host()
    port = host.rpartition(":")[2] if ":" in host else ""
    named = f"{bucket}.{settings.domain_suffix}" + (f":{port}" if port else "")
    own = em.bucket_ports.port_of(bucket)
    return [f"{host}/_io/{bucket}", named] + ([f"{public_host(settings.host, request.host)}:{own}"] if own else [])


def _query_args() -> str:
    access_key, bucket = request.args.get("ak", ""), request.args.get("bucket", "")
    if not access_key or not bucket:
        raise QiniuError.bad_request("ak and bucket are required")
    em = emulator()
    if em.settings.auth != "off" and access_key not in em.settings.account_map:
        raise QiniuError.unknown_access_key()
    em.storage.get_bucket(bucket)
    return bucket


def _ttl() -> int:
    # Short by default, so SDK region caches do not outlive an emulator restarted on other ports.
    return emulator().settings.region_ttl


def _region(bucket: str) -> str:
    return emulator().storage.get_bucket(bucket).region


def region_hosts(region: str) -> dict[str, list[str]]:
    """The hosts of each service of ``region``: its own ports (main, then backup) when
    --regions serves it, else this host for everything; uc is always this host."""
    here = service_hosts()
    layout = emulator().regions
    hosts = {service: here for service in REGION_SERVICES}
    if layout is not None and layout.serves(region):
        name = this_host().rpartition(":")[0] or this_host()
        for service in SERVICES:
            hosts[service] = [f"{name}:{port}" for port in layout.ports(region, service)]
        hosts["io_src"] = hosts["io"]
    return hosts


@bp.route("/v4/query", methods=["GET"])
def query_v4() -> Response:
    region = _region(_query_args())
    return json_response({"hosts": [region_v4_json(region, region_hosts(region), _ttl())]})


@bp.route("/v3/query", methods=["GET"])
def query_v3() -> Response:
    region = _region(_query_args())
    return json_response({"hosts": [region_v3_json(region, region_hosts(region), _ttl())]})


@bp.route("/v2/query", methods=["GET"])
@bp.route("/v1/query", methods=["GET"])
def query_v2() -> Response:
    region = _region(_query_args())
    return json_response(region_v3_json(region, region_hosts(region), _ttl()))


@bp.route("/regions", methods=["GET"])
def regions() -> Response:
    require_management_auth()
    layout = emulator().regions
    if layout is not None:
        names = list(layout.regions)
    else:
        names = sorted({b.region for b in emulator().storage.list_buckets()} | {DEFAULT_REGION})
    return json_response(regions_json({name: region_hosts(name) for name in names}, _ttl()))


@bp.route("/v2/domains", methods=["GET", "POST"])
def domains() -> Response:
    require_management_auth()
    bucket = form_value("tbl") or form_value("bucket")
    emulator().storage.get_bucket(bucket)
    return json_response(bucket_domains(bucket))


@bp.route("/v6/domain/list", methods=["GET", "POST"])
def domain_list() -> Response:
    """The api host's list of a bucket's domains (docs/wire.md §9.8)."""
    require_management_auth()
    bucket = form_value("tbl")
    emulator().storage.get_bucket(bucket)
    return json_response(bucket_domains(bucket))


@bp.route("/v3/domains", methods=["GET", "POST"])
def domains_v3() -> Response:
    require_management_auth()
    info = emulator().storage.get_bucket(form_value("tbl") or form_value("bucket"))
    owner = int(ACCOUNT_UID)
    return json_response([domain_v3_json(d, info, owner) for d in bucket_domains(info.name)])


@bp.route("/buckets", methods=["GET", "POST"])
def buckets() -> Response:
    require_management_auth()
    return json_response([b.name for b in emulator().storage.list_buckets()])


@bp.route("/v2/buckets", methods=["GET", "POST"])
@bp.route("/v3/buckets", methods=["GET", "POST"])
def buckets_v2() -> Response:
    """Every bucket, or those of ``?region=`` when one is named (docs/wire.md §9.6)."""
    require_management_auth()
    region = form_value("region")
    return json_response([bucket_v2_json(b) for b in emulator().storage.list_buckets()
                          if not region or b.region == region])


@bp.route("/mkbucketv3/<bucket>/region/<region>", methods=["POST"])
@bp.route("/mkbucketv3/<bucket>", methods=["POST"])
def make_bucket(bucket: str, region: str = "") -> Response:
    require_management_auth()
    emulator().create_bucket(bucket, region)
    return empty_response()


@bp.route("/drop/<bucket>", methods=["POST"])
def drop_bucket(bucket: str) -> Response:
    require_management_auth()
    emulator().storage.drop_bucket(bucket)
    emulator().cors.forget(bucket)
    emulator().bucket_ports.close(bucket)
    return empty_response()


@bp.route("/v2/bucketInfo", methods=["GET", "POST"])
@bp.route("/bucket/<bucket>", methods=["GET", "POST"])
def bucket_info(bucket: str = "") -> Response:
    require_management_auth()
    info = emulator().storage.get_bucket(bucket or form_value("bucket"))
    return json_response(bucket_info_json(info, bucket_domains(info.name)))


@bp.route("/private", methods=["GET", "POST"])
def set_private() -> Response:
    require_management_auth()
    bucket = form_value("bucket")
    private = int_arg("private", 0)
    if private not in (0, 1):
        raise QiniuError.bad_request("private must be 0 or 1")
    emulator().storage.set_private(bucket, bool(private))
    return empty_response()
