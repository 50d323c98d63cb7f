"""The request as it was on the wire: what every signature is computed over.

Qiniu's signatures cover the raw path, the raw query and the raw body exactly as they
travelled, so a request is captured once as a :class:`RawRequest` rather than read
through Flask's decoded views.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import quote

from werkzeug.datastructures import EnvironHeaders, Headers

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"
OCTET_STREAM = "application/octet-stream"

# Characters a client leaves unescaped in a path; used only when the server gives no raw URI.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _from_wsgi(text: str) -> str:
    """Undo WSGI's latin-1 transport of raw bytes, keeping undecodable bytes reversible."""
    try:
        return text.encode("latin-1").decode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        # Not a WSGI byte string after all: the server already decoded it.
        return text


def to_bytes(text: str) -> bytes:
    """UTF-8, with raw bytes smuggled as escapes restored; other lone surrogates pass through."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class RawRequest:
    """The parts of an HTTP request that signatures cover, byte-faithful to the wire.

    ``raw_path`` and ``raw_query`` keep their percent-encoding; ``headers`` is
    normalised to werkzeug :class:`Headers`, so lookups are case-insensitive.
    """

    method: str
    raw_path: str
    raw_query: str
    host: str
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    server_port: str = ""  # the port the request arrived on, when the Host header may lack it

    def __post_init__(self) -> None:
        if not isinstance(self.headers, Headers):
            items = self.headers.items() if isinstance(self.headers, Mapping) else self.headers
            object.__setattr__(self, "headers", Headers(list(items)))

    @classmethod
    def from_environ(cls, environ: dict[str, Any], body: bytes) -> "RawRequest":
        """Capture a WSGI request; ``body`` is the raw body the caller already read."""
        raw_path, raw_query = _raw_target(environ)
        host = environ.get("HTTP_HOST") or _server_host(environ)
        return cls(
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            raw_path=raw_path,
            raw_query=raw_query,
            host=host,
            headers=EnvironHeaders(environ),  # read only: looked up in the environ, not copied
            body=body,
            server_port=str(environ.get("SERVER_PORT", "")),
        )

    @property
    def path_with_query(self) -> str:
        return f"{self.raw_path}?{self.raw_query}" if self.raw_query else self.raw_path


def _raw_target(environ: Mapping[str, Any]) -> tuple[str, str]:
    uri = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if uri:
        uri = _from_wsgi(uri)
        if "://" in uri.split("?", 1)[0]:
            # Absolute-form request target: keep only the path and query.
            after_scheme = uri.split("://", 1)[1]
            slash = after_scheme.find("/")
            uri = after_scheme[slash:] if slash >= 0 else "/"
        path, _, query = uri.partition("?")
        return path, query
    path_bytes = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1")
    return quote(path_bytes, safe=_PATH_SAFE), _from_wsgi(environ.get("QUERY_STRING", ""))


def _server_host(environ: Mapping[str, Any]) -> str:
    name, port = environ.get("SERVER_NAME", ""), str(environ.get("SERVER_PORT", ""))
    default = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
    return name if not port or port == default else f"{name}:{port}"
