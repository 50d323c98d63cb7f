"""The request context: one request parsed once, kept on ``flask.g`` for every reader.

``app.py``'s first hook opens a :class:`Call` naming the request's :class:`~..routes.Route`;
the signature check, the handler, scenario rules and the request log then read the
request as signed, its upload token and what it names (bucket, key, fops) from here,
each parsed the first time it is asked for. Reading what a request names never consumes
a body a handler streams (blocks, parts): those are named by their path and upload token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable
from urllib.parse import unquote

from flask import g, request
from werkzeug.datastructures import MultiDict

from ..auth import RawRequest, parse_download_query, upload_token_from_authorization
from ..encoding import b64_decode_text, decode_entry
from ..errors import QiniuError
from ..fetch import IO_PREFIX
from ..put_policy import UploadToken
from ..routes import Reads, Route, by_endpoint
from ..scenarios import Facts

if TYPE_CHECKING:
    from ..emulator import Emulator

_ROUTES = by_endpoint()
_NOT_READ = object()


@dataclass
class Call:
    """One request: its route, the bucket a ``<bucket>.<suffix>`` Host names, and what was parsed."""

    route: Route | None
    domain_bucket: str | None = None
    _raw: RawRequest | None = None
    _token: object = _NOT_READ
    _json: object = _NOT_READ
    _facts: Facts | None = None
    body_signed: bool = True  # False: a valid signature leaves the body out
    _name: object = _NOT_READ

    @property
    def name(self) -> str | None:
        """The name rules match on and the log shows; None outside the Qiniu API."""
        if self._name is _NOT_READ:
            self._name = self._read_name()
        return self._name  # type: ignore[return-value]

    def _read_name(self) -> str | None:
        if self.route is None:
            return None
        if not self.route.variants:
            return self.route.name
        if self.route.reads is Reads.DOWNLOAD:
            return f"{self.route.name}.{'fop' if download_fop() else 'download'}"
        return f"{self.route.name}.{(request.view_args or {}).get('name')}"

    def raw(self) -> RawRequest:
        """The request as the client signed it: raw path, raw query and the body bytes."""
        if self._raw is None:
            environ = request.environ
            # Without a length or a chunked encoding HTTP sends no body: nothing to read.
            bodiless = environ.get("CONTENT_LENGTH") in (None, "", "0") and not environ.get("HTTP_TRANSFER_ENCODING")
            self._raw = RawRequest.from_environ(environ, b"" if bodiless else request.get_data(cache=True))
        return self._raw

    def target(self) -> RawRequest:
        """The request line and headers as the client sent them; a body nobody read stays unread."""
        return self._raw if self._raw is not None else RawRequest.from_environ(request.environ, b"")

    def upload_token(self) -> str | None:
        """The upload token: the form's ``token`` field for a form upload, else ``Authorization: UpToken``."""
        if self._token is _NOT_READ:
            if self.route is not None and self.route.endpoint == "up.form_upload":
                self._token = request.form.get("token")
            else:
                self._token = upload_token_from_authorization(request.headers.get("Authorization"))
        return self._token  # type: ignore[return-value]

    def json_body(self) -> object:
        """The body parsed as JSON (an empty body is ``{}``); ValueError when it is not JSON."""
        if self._json is _NOT_READ:
            try:
                self._json = json.loads(self.raw().body or b"{}")
            except (ValueError, RecursionError) as exc:
                self._json = ValueError(str(exc))
        if isinstance(self._json, ValueError):
            raise self._json
        return self._json

    def facts(self, em: "Emulator") -> Facts | None:
        """What the request names, as far as it can be read without doing its work."""
        name = self.name
        if name is None:
            return None
        if self._facts is None:
            try:
                facts = _READERS[self.route.reads](em, self, name)  # type: ignore[union-attr]
            except (QiniuError, ValueError, KeyError, TypeError, AttributeError):
                facts = Facts(name)  # malformed: the handler will say why; match on the endpoint alone
            self._facts = replace(facts, hosts=_hosts(em))
        return self._facts


def _hosts(em: "Emulator") -> tuple[str, ...]:
    """The Host the request came in on and, on a region port, that host's name (``up-z2``)."""
    port = str(request.environ.get("SERVER_PORT", ""))
    region_host = em.regions.by_port(int(port)) if em.regions is not None and port.isdigit() else None
    return (request.host,) + ((region_host.label,) if region_host is not None else ())


def begin(domain_bucket: str | None = None) -> Call:
    """Open the context of the current request (``app.py``'s first hook)."""
    route = _ROUTES.get("io.path_style") if domain_bucket is not None else _ROUTES.get(request.endpoint or "")
    g.call = Call(route, domain_bucket)
    return g.call


def current() -> Call:
    """The current request's context (opened on first use outside the app's hooks)."""
    call = g.get("call")
    if call is None:
        call = begin()
    return call


# -- what each kind of request names ----------------------------------------------------


def _form() -> MultiDict[str, str]:
    current().raw()  # caches the body first, so the handler's signature check still sees it
    return request.values


def _commands(fops: str) -> tuple[str, ...]:
    return tuple(cmd for cmd in fops.split(";") if cmd)


def _form_facts(em: "Emulator", call: Call, name: str) -> Facts:
    form = _form()
    return Facts(name, form.get("bucket"), form.get("key"), _commands(form.get("fops", "")))


def _job_facts(em: "Emulator", call: Call, name: str) -> Facts:
    job = em.jobs.get((request.view_args or {}).get("job_id") or _form().get("id", ""))
    return Facts(name, job.bucket, job.key, tuple(item.cmd for item in job.items))


def _upload_facts(em: "Emulator", call: Call, name: str) -> Facts:
    args = request.view_args or {}
    key = request.form.get("key") if name == "upload.form" else None
    bucket, scope_key, fops = _policy(call.upload_token())
    if name in ("upload.mkfile", "upload.putb64"):
        key = _mkfile_key(str(args.get("params", "")))
    elif name.startswith("upload.multipart."):
        bucket = args.get("bucket") or bucket
        key = None if args.get("encoded") == "~" else b64_decode_text(str(args.get("encoded", "")))
    return Facts(name, bucket, key if key is not None else scope_key, fops)


def _policy(token: str | None) -> tuple[str | None, str | None, tuple[str, ...]]:
    """Bucket, key and persistentOps an upload token names (its signature is the handler's business)."""
    parts = UploadToken.split(token)
    if parts is None:
        return None, None, ()
    policy = parts.fields()
    bucket, _, key = str(policy.get("scope", "")).partition(":")
    return bucket or None, key or None, _commands(str(policy.get("persistentOps") or ""))


def _mkfile_key(params: str) -> str | None:
    segments = [s for s in params.split("/") if s]
    for name, value in zip(segments[::2], segments[1::2]):
        if name == "key":
            return b64_decode_text(value)
    return None


def _entry_facts(em: "Emulator", call: Call, name: str) -> Facts:
    args = request.view_args or {}
    encoded = args["encoded_entry"] if "encoded_entry" in args else str(args.get("rest", "")).split("/", 1)[0]
    bucket, key = decode_entry(str(encoded))
    return Facts(name, bucket, key)


def _json_facts(em: "Emulator", call: Call, name: str) -> Facts:
    body = call.json_body()
    if not isinstance(body, dict):
        return Facts(name)  # the handler says why; match on the endpoint alone
    return Facts(name, body.get("bucket"), body.get("key"))


def _bucket_facts(em: "Emulator", call: Call, name: str) -> Facts:
    form = _form()
    return Facts(name, (request.view_args or {}).get("bucket") or form.get("bucket") or form.get("tbl"))


def _download_facts(em: "Emulator", call: Call, name: str) -> Facts:
    raw_path = call.raw().raw_path
    if call.domain_bucket is not None:
        bucket, key = call.domain_bucket, unquote(raw_path.lstrip("/"))
    else:
        bucket = str((request.view_args or {}).get("bucket", ""))
        key = unquote(raw_path[len(IO_PREFIX) + len(bucket) + 1:])
    fop = download_fop()
    return Facts(name, bucket, key, (fop,) if fop else ())


def download_fop() -> str:
    """The fop a download's query asks for ("" for a plain download or a ``?v=3`` buster)."""
    raw = current().raw()
    if not raw.raw_query:
        return ""
    query = parse_download_query(raw).fop_query
    first = query.split("&", 1)[0] if query else ""
    if not first or first.startswith("attname="):
        return ""
    name = first.split("/", 1)[0].split("|", 1)[0]
    return "" if "=" in name else unquote(first)


_READERS: dict[Reads, Callable[["Emulator", Call, str], Facts]] = {
    Reads.NOTHING: lambda em, call, name: Facts(name),
    Reads.FORM: _form_facts,
    Reads.JOB: _job_facts,
    Reads.UPLOAD: _upload_facts,
    Reads.ENTRY: _entry_facts,
    Reads.JSON: _json_facts,
    Reads.BUCKET: _bucket_facts,
    Reads.DOWNLOAD: _download_facts,
}
