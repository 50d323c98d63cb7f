"""One spelling for every http(s) URL an op fetches, so the fetch policy decides on what is sent.

``http://Allowed:80/ok/%2e%2e/secret.png`` and ``http://allowed/secret.png`` are the same
resource to the server that answers; a string match on the first spelling would let it pass
an ``allow=http://allowed/ok/`` rule. :func:`normal_url` gives the spelling the request
then uses: lower-case scheme and host, the host as IDNA (punycode) and IPv4 in dotted
quads, no default port, no user info (never sent), the path with ``.`` and ``..`` segments
resolved after undoing escapes of unreserved characters (RFC 3986 §6.2.2), ``\\`` read as
``/`` (as browsers and many servers do), other bytes escaped, no fragment (never sent).
An escaped ``/`` or ``\\`` in the path is refused: servers disagree on whether it separates
segments, so no single spelling is what every server would read.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = re.compile(r"%(2[dDeE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE])")
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_SEPARATOR_ESCAPE = re.compile(r"%(2[fF]|5[cC])")
_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
# Bytes a path or query may carry as they are (RFC 3986 pchar, plus "/" and "?").
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"


class BadUrl(ValueError):
    """A URL with no single spelling a request could be made from."""


@dataclass(frozen=True)
class NormalUrl:
    scheme: str
    host: str  # lower case, IDNA, dotted IPv4 or a bracketed IPv6 literal
    port: int | None  # None for the scheme's default port
    path: str  # starts with "/"
    query: str

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}" + (f":{self.port}" if self.port is not None else "")

    @property
    def target(self) -> str:
        """What goes on the request line."""
        return self.path + (f"?{self.query}" if self.query else "")

    def __str__(self) -> str:
        return self.origin + self.target


def normal_url(url: str) -> NormalUrl:
    """The one spelling of an http(s) URL; raises :class:`BadUrl` when there is none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:  # a port that is not a number, or an unclosed [ of IPv6
        raise BadUrl(f"unreadable URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise BadUrl("only http(s) URLs can be fetched")
    if port == 0:
        raise BadUrl("port 0")
    host = _host(parts.netloc.rpartition("@")[2], parts.hostname or "")
    return NormalUrl(scheme=scheme, host=host, port=None if port == DEFAULT_PORTS[scheme] else port,
                     path=_path(parts.path), query=_escape(parts.query, _QUERY_SAFE))


def _host(netloc: str, hostname: str) -> str:
    if netloc.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(hostname.split('%', 1)[0]).compressed}]"
        except ValueError as exc:
            raise BadUrl(f"not an IPv6 address: {hostname!r}") from exc
    name = unquote(hostname).rstrip(".")
    if not name:
        raise BadUrl("no host")
    numeric = _ipv4(name)
    if numeric is not None:
        return numeric
    try:
        ascii_name = name.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise BadUrl(f"host {name!r} is not a domain name") from exc
    if not all(_HOST_LABEL.fullmatch(label) for label in ascii_name.split(".")):
        raise BadUrl(f"host {name!r} is not a domain name")
    return ascii_name


def _ipv4(name: str) -> str | None:
    """Dotted quads for the forms the resolver reads as IPv4 (``2130706433``, ``0x7f.1``)."""
    if not re.fullmatch(r"[0-9a-fA-FxX.]+", name) or not name[0].isdigit():
        return None
    try:
        return socket.inet_ntoa(socket.inet_aton(name))
    except OSError:
        return None


def _path(raw: str) -> str:
    if _SEPARATOR_ESCAPE.search(raw):
        raise BadUrl("an escaped '/' or '\\' in the path")
    text = _UNRESERVED.sub(lambda m: chr(int(m.group(1), 16)), raw.replace("\\", "/"))
    return _escape(_remove_dot_segments(text or "/"), _PATH_SAFE)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4 on a path that starts with "/" (or is made to)."""
    segments = ("/" + path.lstrip("/")).split("/")[1:]
    out: list[str] = []
    for segment in segments:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    trailing = segments[-1] in (".", "..")
    return "/" + "/".join(out) + ("/" if trailing and out else "")


def _escape(text: str, safe: str) -> str:
    """Escape what may not go on a request line as it is; existing escapes in upper case."""
    try:
        escaped = quote(text, safe=safe, encoding="utf-8", errors="strict")
    except UnicodeEncodeError as exc:
        raise BadUrl("characters that are not UTF-8") from exc
    escaped = re.sub(r"%(?![0-9a-fA-F]{2})", "%25", escaped)
    return _ESCAPE.sub(lambda m: m.group(0).upper(), escaped)
