"""The strings a ``QBox`` or ``Qiniu`` management signature may cover, every SDK's variant.

The documented rules fix most of each string; the SDKs differ on the Host line, the path
and which bodies are signed, so each builder returns every string a correct signer may
have signed, each with whether it covers the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from werkzeug.datastructures import Headers

from .raw import FORM_CONTENT_TYPE, JSON_CONTENT_TYPE, OCTET_STREAM, RawRequest, to_bytes

QINIU_HEADER_PREFIX = "x-qiniu-"


def qbox_data(path_with_query: str, content_type: str | None, body: bytes) -> bytes:
    """The QBox string to sign: ``<path>[?<query>]\\n``, plus the body when it is exactly
    form-encoded (management requests, and the callbacks the emulator signs)."""
    data = to_bytes(path_with_query + "\n")
    if body and content_type == FORM_CONTENT_TYPE:
        data += body
    return data


def qbox_string_to_sign(req: RawRequest) -> bytes:
    return qbox_data(req.path_with_query, req.headers.get("Content-Type"), req.body)


def canonical_header_name(name: str) -> str:
    """``x-qiniu-meta-foo`` -> ``X-Qiniu-Meta-Foo``, the form Qiniu signs."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def _qiniu_header_lines(headers: Headers) -> list[str]:
    pairs = [
        (canonical_header_name(name), value)
        for name, value in headers.items()
        if name.lower().startswith(QINIU_HEADER_PREFIX) and len(name) > len(QINIU_HEADER_PREFIX)
    ]
    return [f"{name}: {value}" for name, value in sorted(pairs)]


@dataclass(frozen=True)
class Signed:
    """A string a correct signer may have signed, and whether it covers the request body."""

    data: bytes
    covers_body: bool


def qbox_candidates(req: RawRequest) -> list[Signed]:
    covers = not req.body or req.headers.get("Content-Type") == FORM_CONTENT_TYPE
    return [Signed(qbox_string_to_sign(req), covers)]


def signed_hosts(req: RawRequest) -> list[str]:
    """The Host values a correct signer may have signed for the Host it sent.

    * the Host as received;
    * ``host:port:port``: the Node SDK (``qiniu`` 7.0.9 through 7.15.x; it matters from
      7.5.0, when BucketManager moved to Qiniu signatures) appends the URL's port to a host
      that already has it;
    * ``host:<port>``: the Java SDK's ``Api`` classes (7.x) send ``Host`` without the port
      but sign the URL's host and port.
    """
    hosts = [req.host]
    name, sep, port = req.host.rpartition(":")
    has_port = bool(sep) and port.isdigit() and not req.host.endswith("]")
    if has_port:
        hosts.append(f"{req.host}:{port}")
    elif req.server_port:
        hosts.append(f"{req.host}:{req.server_port}")
    return hosts


def signed_paths(req: RawRequest) -> list[str]:
    """The raw path, and the percent-decoded one the Go and Java SDKs sign."""
    decoded = unquote(req.raw_path, errors="surrogateescape")
    return list(dict.fromkeys((req.raw_path, decoded)))


def qiniu_candidates(req: RawRequest) -> list[Signed]:
    """Every string a correct ``Qiniu`` signer may have signed for ``req``.

    The method, query and headers are fixed; the SDKs differ on the Host line and the
    path (see :func:`signed_hosts`, :func:`signed_paths`) and on the body: the documented
    rule appends it for any Content-Type but octet-stream, the Go SDK only for form and
    JSON bodies.
    """
    content_type = req.headers.get("Content-Type")
    query = f"?{req.raw_query}" if req.raw_query else ""
    tail = [f"Content-Type: {content_type}"] if content_type is not None else []
    tail.extend(_qiniu_header_lines(req.headers))
    documented = bool(req.body) and content_type not in (None, OCTET_STREAM)
    go_style = bool(req.body) and content_type in (FORM_CONTENT_TYPE, JSON_CONTENT_TYPE)
    variants: dict[bytes, bool] = {}
    for path in signed_paths(req):
        for host in signed_hosts(req):
            lines = [f"{req.method.upper()} {path}{query}", f"Host: {host}", *tail]
            head = to_bytes("\n".join(lines) + "\n\n")
            for with_body in (documented, go_style):
                data = head + req.body if with_body else head
                variants[data] = variants.get(data, False) or with_body or not req.body
    return [Signed(data, covers) for data, covers in variants.items()]


def qiniu_strings_to_sign(req: RawRequest) -> list[bytes]:
    return [signed.data for signed in qiniu_candidates(req)]
