"""Reading a request head with plain bytes operations into a :class:`Head` and a WSGI environ."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote_to_bytes

# A token's characters (RFC 9110 §5.6.2): method and header names are made of these.
_TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# X-Forwarded-* and Forwarded name a proxy the emulator never trusts: they are dropped.
_PROXY_HEADERS = frozenset({"HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST",
                            "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_BY"})
_RENAMED = {"HTTP_CONTENT_TYPE": "CONTENT_TYPE", "HTTP_CONTENT_LENGTH": "CONTENT_LENGTH"}
_CONTROL = re.compile(rb"[\x00-\x20\x7f]")


class HttpError(Exception):
    """A request the server answers itself, with ``status`` and a one-line reason; the
    connection is closed after it."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


BAD_REQUEST = "400 Bad Request"


@dataclass
class Head:
    """A parsed request head; ``environ`` holds the CGI-style keys of the request itself."""

    method: str
    version: str  # "1.0" or "1.1"
    environ: dict[str, object] = field(default_factory=dict)
    keep_alive: bool = True
    chunked: bool = False
    content_length: int = 0
    expect_continue: bool = False


def parse_head(head: bytes) -> Head:
    """Parse the bytes before the blank line; :class:`HttpError` for anything malformed."""
    line, _, rest = head.partition(b"\r\n")
    method, target, version = _request_line(line)
    environ = _target_environ(target)
    environ["REQUEST_METHOD"] = method
    environ["SERVER_PROTOCOL"] = "HTTP/" + version
    _header_environ(rest, environ)
    parsed = Head(method=method, version=version, environ=environ)
    _framing(parsed)
    return parsed


def _request_line(line: bytes) -> tuple[str, bytes, str]:
    parts = line.split(b" ")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise HttpError(BAD_REQUEST, "malformed request line")
    method, target, protocol = parts
    if not _TOKEN.issuperset(method) or method != method.upper():
        raise HttpError(BAD_REQUEST, "malformed request method")
    if protocol not in (b"HTTP/1.1", b"HTTP/1.0"):
        if protocol[:5] == b"HTTP/" and protocol[5:6].isdigit():
            raise HttpError("505 HTTP Version Not Supported", "only HTTP/1.0 and HTTP/1.1 are served")
        raise HttpError(BAD_REQUEST, "malformed request line")
    if _CONTROL.search(target):
        raise HttpError(BAD_REQUEST, "control characters in the request target")
    return method.decode("ascii"), target, protocol[5:].decode("ascii")


def _target_environ(target: bytes) -> dict[str, object]:
    """PATH_INFO (percent-decoded, as latin-1), QUERY_STRING and the raw REQUEST_URI."""
    raw = target.partition(b"#")[0]
    path, _, query = raw.partition(b"?")
    if path[:1] != b"/" and b"://" in path:  # absolute form: keep only the path
        after = path.partition(b"://")[2]
        slash = after.find(b"/")
        path = after[slash:] if slash >= 0 else b"/"
    if path[:2] == b"//":  # a path of leading slashes is one slash, as every WSGI server has it
        path = b"/" + path.lstrip(b"/")
    if b"%" in path:
        path = unquote_to_bytes(path)
    return {"PATH_INFO": path.decode("latin-1"), "QUERY_STRING": query.decode("latin-1"),
            "REQUEST_URI": target.decode("latin-1"), "SCRIPT_NAME": ""}


def _header_environ(block: bytes, environ: dict[str, object]) -> None:
    """Each header as ``HTTP_NAME``; repeated headers joined with ", "; names with an
    underscore dropped (they would collide with the dashed name's key)."""
    previous = ""
    # The usual block has no bare CR or LF: then no line needs looking at for one.
    joined = block.replace(b"\r\n", b"")
    bare = b"\r" in joined or b"\n" in joined
    for raw in block.split(b"\r\n"):
        if bare and (b"\r" in raw or b"\n" in raw):
            raise HttpError(BAD_REQUEST, "bare CR or LF in a header line")
        if raw[:1] in (b" ", b"\t"):  # an obsolete folded line continues the previous header
            if not previous:
                raise HttpError(BAD_REQUEST, "malformed header line")
            folded = raw.strip(b" \t").decode("latin-1")
            environ[previous] = f"{environ[previous]} {folded}"
            continue
        name, colon, value = raw.partition(b":")
        if not colon:
            raise HttpError(BAD_REQUEST, "malformed header line")
        key = _environ_key(name)
        if key is None:
            previous = ""
            continue
        text = value.strip(b" \t").decode("latin-1")
        environ[key] = f"{environ[key]}, {text}" if key in environ else text
        previous = key
    for key in _PROXY_HEADERS.intersection(environ):
        del environ[key]


@lru_cache(maxsize=512)
def _environ_key(name: bytes) -> str | None:
    """``HTTP_NAME`` (or CONTENT_TYPE, CONTENT_LENGTH) for a header name; None for a name
    with an underscore; HttpError for one that is not a token. Clients send the same few
    names on every request, so each is worked out once."""
    if not name or not _TOKEN.issuperset(name):
        raise HttpError(BAD_REQUEST, "malformed header line")
    if b"_" in name:
        return None
    key = "HTTP_" + name.decode("ascii").upper().replace("-", "_")
    return _RENAMED.get(key, key)


def _framing(head: Head) -> None:
    """How the body is framed and whether the connection stays open (RFC 9112 §6, §9.3)."""
    environ = head.environ
    connection = str(environ.get("HTTP_CONNECTION", "")).lower()
    encodings = [e.strip(" \t").lower() for e in str(environ.pop("HTTP_TRANSFER_ENCODING", "")).split(",")
                 if e.strip(" \t")]
    # Framing a proxy in front could read another way is refused, not guessed (request
    # smuggling): Transfer-Encoding beside Content-Length, or on HTTP/1.0 (RFC 9112 §6.1).
    if encodings and ("CONTENT_LENGTH" in environ or head.version == "1.0"):
        raise HttpError(BAD_REQUEST, "Transfer-Encoding with Content-Length, or on HTTP/1.0, is refused")
    if head.version == "1.0":
        head.keep_alive = connection == "keep-alive"
    else:
        head.keep_alive = "close" not in [token.strip() for token in connection.split(",")]
        if encodings and encodings != ["chunked"]:
            raise HttpError("501 Not Implemented", "only the chunked transfer coding is accepted")
        head.chunked = bool(encodings)
        head.expect_continue = str(environ.get("HTTP_EXPECT", "")).lower() == "100-continue"
    if head.chunked:
        environ.pop("CONTENT_LENGTH", None)
        return
    length = str(environ.get("CONTENT_LENGTH", "0"))
    if not length.isdigit() or not length.isascii():
        raise HttpError(BAD_REQUEST, "Content-Length is invalid")
    head.content_length = int(length)
