"""Scenario rules on the HTTP side: which endpoint a request is, what it names, and the
answers and delays the rules inject before the real work or in place of its answer.

``app.py`` calls :func:`before` from its first request hook and :func:`after` from its
last, so the handlers know nothing of scenarios. Reading what a request names never
consumes a body a handler streams (blocks, parts): those are matched on their path and
upload token. Nothing here runs while no rule is in force.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import unquote

from flask import Response, g, request
from werkzeug.datastructures import MultiDict

from ..auth import parse_download_query, upload_token_from_authorization
from ..encoding import b64_decode, b64_decode_text, decode_entry
from ..errors import QiniuError
from ..fetch import IO_PREFIX
from ..scenarios import Facts, injected
from . import json_response, raw_request

if TYPE_CHECKING:
    from ..emulator import Emulator

# Flask endpoints and the scenario names they answer to (rs.single and io.path_style
# are named from their arguments).
ROUTES: dict[str, str] = {
    "dora.pfop": "pfop", "dora.prefop": "prefop", "dora.task_status_v3": "prefop.v3",
    "up.form_upload": "upload.form", "up.mkblk": "upload.mkblk", "up.bput": "upload.bput",
    "up.mkfile": "upload.mkfile", "up.init_multipart": "upload.multipart.init",
    "up.upload_part": "upload.multipart.part", "up.list_parts": "upload.multipart.list",
    "up.complete_multipart": "upload.multipart.complete", "up.abort_multipart": "upload.multipart.abort",
    "rs.batch": "rs.batch", "rs.list_v1": "rsf.list", "rs.list_v2": "rsf.list",
    "uc.query_v4": "uc.query", "uc.query_v3": "uc.query", "uc.query_v2": "uc.query", "uc.regions": "uc.regions",
    "uc.domains": "uc.domains", "uc.domains_v3": "uc.domains", "uc.domain_list": "uc.domains", "uc.buckets": "uc.buckets",
    "uc.buckets_v2": "uc.buckets", "uc.make_bucket": "uc.mkbucket", "uc.drop_bucket": "uc.drop",
    "uc.bucket_info": "uc.bucketInfo", "uc.set_private": "uc.private",
    "cors.set_rules": "uc.corsRules.set", "cors.get_rules": "uc.corsRules.get",
    "fetch.fetch": "fetch.sync", "fetch.fetch_later": "fetch.async", "fetch.fetch_status": "fetch.status",
}
# Endpoints whose bucket is a form or query field (or a path argument).
_BUCKET_FIELD = ("rsf.list", "uc.query", "uc.domains", "uc.mkbucket", "uc.drop", "uc.bucketInfo", "uc.private",
                 "uc.corsRules.set", "uc.corsRules.get")


def before(em: "Emulator", domain_bucket: str | None = None) -> None:
    """Apply the latency rules, then raise the first "before" answer that fires.

    ``domain_bucket`` is the bucket a ``<bucket>.<suffix>`` Host names (a download).
    """
    if not em.scenarios.active():
        return
    facts = describe(em, domain_bucket)
    if facts is None:
        return
    g.scenario_facts = facts
    em.scenarios.delay(facts)
    fired = em.scenarios.answer(facts, "before")
    if fired is not None:
        g.scenario_answered = True
        raise injected(fired)


def after(em: "Emulator", response: Response) -> Response:
    """The first "after" answer that fires replaces a successful answer (the work is done)."""
    facts = g.get("scenario_facts")
    if facts is None or g.get("scenario_answered") or response.status_code >= 400:
        return response
    fired = em.scenarios.answer(facts, "after")
    if fired is None:
        return response
    response.close()  # a download's open file
    error = injected(fired)
    return json_response(error.body(), status=error.status, headers=error.headers())


def endpoint_name(domain_bucket: str | None = None) -> str | None:
    """The scenario name of the current request; None for emulator-only endpoints."""
    if domain_bucket is not None or request.endpoint == "io.path_style":
        return "io.fop" if _download_fop() else "io.download"
    if request.endpoint == "rs.single":
        return f"rs.{(request.view_args or {}).get('name')}"
    return ROUTES.get(request.endpoint or "")


def describe(em: "Emulator", domain_bucket: str | None = None) -> Facts | None:
    """What the request names, as far as it can be read without doing its work."""
    name = endpoint_name(domain_bucket)
    if name is None:
        return None
    try:
        return _facts(em, name, domain_bucket)
    except (QiniuError, ValueError, KeyError, TypeError, AttributeError):
        return Facts(name)  # malformed: the handler will say why; match on the endpoint alone


def _facts(em: "Emulator", name: str, domain_bucket: str | None) -> Facts:
    args = request.view_args or {}
    if name == "pfop":
        form = _form()
        return Facts(name, form.get("bucket"), form.get("key"), _commands(form.get("fops", "")))
    if name.startswith("prefop"):
        job = em.jobs.get(args.get("job_id") or _form().get("id", ""))
        return Facts(name, job.bucket, job.key, tuple(item.cmd for item in job.items))
    if name.startswith("upload."):
        return _upload_facts(name, args)
    if name.startswith("rs.") and name != "rs.batch":
        bucket, key = decode_entry(str(args.get("rest", "")).split("/", 1)[0])
        return Facts(name, bucket, key)
    if name == "fetch.sync":
        bucket, key = decode_entry(str(args.get("encoded_entry", "")))
        return Facts(name, bucket, key)
    if name == "fetch.async":
        raw_request()  # cached for the handler's signature check
        body = json.loads(request.get_data() or b"{}")
        return Facts(name, body.get("bucket"), body.get("key"))
    if name in _BUCKET_FIELD:
        form = _form()
        return Facts(name, args.get("bucket") or form.get("bucket") or form.get("tbl"))
    if name.startswith("io."):
        return _download_facts(name, domain_bucket, args)
    return Facts(name)


def _form() -> MultiDict[str, str]:
    raw_request()  # caches the body first, so the handler's signature check still sees it
    return request.values


def _commands(fops: str) -> tuple[str, ...]:
    return tuple(cmd for cmd in fops.split(";") if cmd)


def _upload_facts(name: str, args: dict) -> Facts:
    if name == "upload.form":
        token, key = request.form.get("token"), request.form.get("key")
    else:
        token, key = upload_token_from_authorization(request.headers.get("Authorization")), None
    bucket, scope_key, fops = _policy(token)
    if name == "upload.mkfile":
        key = _mkfile_key(str(args.get("params", "")))
    elif name.startswith("upload.multipart."):
        bucket = args.get("bucket") or bucket
        key = None if args.get("encoded") == "~" else b64_decode_text(str(args.get("encoded", "")))
    return Facts(name, bucket, key if key is not None else scope_key, fops)


def _policy(token: str | None) -> tuple[str | None, str | None, tuple[str, ...]]:
    """Bucket, key and persistentOps an upload token names (its signature is the handler's business)."""
    parts = (token or "").strip().split(":")
    if len(parts) != 3:
        return None, None, ()
    policy = json.loads(b64_decode(parts[2]))
    bucket, _, key = str(policy.get("scope", "")).partition(":")
    return bucket or None, key or None, _commands(str(policy.get("persistentOps") or ""))


def _mkfile_key(params: str) -> str | None:
    segments = [s for s in params.split("/") if s]
    for field, value in zip(segments[::2], segments[1::2]):
        if field == "key":
            return b64_decode_text(value)
    return None


def _download_facts(name: str, domain_bucket: str | None, args: dict) -> Facts:
    raw_path = raw_request().raw_path
    if domain_bucket is not None:
        bucket, key = domain_bucket, unquote(raw_path.lstrip("/"))
    else:
        bucket = str(args.get("bucket", ""))
        key = unquote(raw_path[len(IO_PREFIX) + len(bucket) + 1:])
    fop = _download_fop()
    return Facts(name, bucket, key, (fop,) if fop else ())


def _download_fop() -> str:
    """The fop a download's query asks for ("" for a plain download or a ``?v=3`` buster)."""
    query = parse_download_query(raw_request()).fop_query
    first = query.split("&", 1)[0] if query else ""
    if not first or first.startswith("attname="):
        return ""
    name = first.split("/", 1)[0].split("|", 1)[0]
    return "" if "=" in name else unquote(first)
