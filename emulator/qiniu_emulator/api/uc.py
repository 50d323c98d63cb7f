"""uc: region discovery (every service points back at this server) and bucket admin."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from ..errors import QiniuError
from ..wire import bucket_info_json, bucket_v2_json
from . import emulator, empty_response, form_value, int_arg, json_response, require_management_auth

bp = Blueprint("uc", __name__)

SERVICES = ("up", "io", "io_src", "uc", "rs", "rsf", "api")
# Short, so that SDK region caches do not outlive an emulator restarted on another port.
REGION_TTL = 60


def this_host() -> str:
    """host[:port] as the client reached us: the answer must lead back here."""
    return request.host


def bucket_domains(bucket: str) -> list[str]:
    """Download domains of a bucket: path-style on this host first, then the bucket domain."""
    settings = emulator().settings
    host = this_host()
    port = host.rpartition(":")[2] if ":" in host else ""
    named = f"{bucket}.{settings.domain_suffix}" + (f":{port}" if port else "")
    return [f"{host}/_io/{bucket}", named]


def _query_args() -> str:
    access_key, bucket = request.args.get("ak", ""), request.args.get("bucket", "")
    if not access_key or not bucket:
        raise QiniuError.bad_request("ak and bucket are required")
    em = emulator()
    if em.settings.auth != "off" and access_key not in em.settings.account_map:
        raise QiniuError.unknown_access_key()
    em.storage.get_bucket(bucket)
    return bucket


def _region(bucket: str) -> str:
    return emulator().storage.get_bucket(bucket).region


@bp.route("/v4/query", methods=["GET"])
def query_v4() -> Response:
    bucket = _query_args()
    host = this_host()
    entry: dict[str, Any] = {"region": _region(bucket), "ttl": REGION_TTL,
             "s3": {"domains": [], "region_alias": _region(bucket)}}
    for service in SERVICES:
        entry[service] = {"domains": [host]}
    entry["up"].update({"old": [], "acc_domains": []})
    return json_response({"hosts": [entry]})


def _v3_entry(bucket: str) -> dict:
    host = this_host()
    entry: dict = {"region": _region(bucket), "ttl": REGION_TTL}
    for service in SERVICES:
        entry[service] = {"src": {"main": [host], "backup": []}}
    entry["up"]["acc"] = {"main": [host], "backup": []}
    return entry


@bp.route("/v3/query", methods=["GET"])
def query_v3() -> Response:
    return json_response({"hosts": [_v3_entry(_query_args())]})


@bp.route("/v2/query", methods=["GET"])
@bp.route("/v1/query", methods=["GET"])
def query_v2() -> Response:
    return json_response(_v3_entry(_query_args()))


@bp.route("/v2/domains", methods=["GET", "POST"])
@bp.route("/v3/domains", methods=["GET", "POST"])
def domains() -> Response:
    require_management_auth()
    bucket = form_value("tbl") or form_value("bucket")
    emulator().storage.get_bucket(bucket)
    return json_response(bucket_domains(bucket))


@bp.route("/buckets", methods=["GET", "POST"])
def buckets() -> Response:
    require_management_auth()
    return json_response([b.name for b in emulator().storage.list_buckets()])


@bp.route("/v2/buckets", methods=["GET", "POST"])
@bp.route("/v3/buckets", methods=["GET", "POST"])
def buckets_v2() -> Response:
    require_management_auth()
    return json_response([bucket_v2_json(b) for b in emulator().storage.list_buckets()])


@bp.route("/mkbucketv3/<bucket>/region/<region>", methods=["POST"])
@bp.route("/mkbucketv3/<bucket>", methods=["POST"])
def make_bucket(bucket: str, region: str = "z0") -> Response:
    require_management_auth()
    emulator().storage.create_bucket(bucket, region=region)
    return empty_response()


@bp.route("/drop/<bucket>", methods=["POST"])
def drop_bucket(bucket: str) -> Response:
    require_management_auth()
    emulator().storage.drop_bucket(bucket)
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
