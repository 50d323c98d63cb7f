"""https for SDKs that insist on it: a local CA, a server certificate, a second listener.

The CA is made once per data directory (``<data>/tls/ca.pem``, its key beside it, 0600)
and reused, so a client trusts it once; the server certificate is issued at every start
for the names the emulator answers to (localhost, bucket domains, loopback addresses,
the listen address and this machine's name). The https port serves the same Flask app
through cheroot, whose TLS support waitress lacks; the plain port answers a TLS
handshake at once with a plain-text error instead of waiting for a request line.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from .lazy import lazy_module
from .sending import OneSendChannel

if TYPE_CHECKING:
    import trustme
    from cheroot import wsgi
    from cheroot.ssl import builtin as cheroot_ssl
else:  # imported when --tls is on
    trustme = lazy_module("trustme")
    wsgi = lazy_module("cheroot.wsgi")
    cheroot_ssl = lazy_module("cheroot.ssl.builtin")

TLS_DIR = "tls"
TLS_HANDSHAKE = 0x16  # the first byte of a TLS record that opens a handshake


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    certificate: Path
    key: Path


def ensure_certificates(data_dir: Path, names: list[str]) -> TlsFiles:
    """The data directory's CA (made on first use) and a fresh certificate for ``names``."""
    directory = data_dir / TLS_DIR
    directory.mkdir(mode=0o700, exist_ok=True)
    ca_pem, ca_key = directory / "ca.pem", directory / "ca-key.pem"
    if ca_pem.is_file() and ca_key.is_file():
        ca = trustme.CA.from_pem(ca_pem.read_bytes(), ca_key.read_bytes())
    else:
        ca = trustme.CA(organization_name="qiniu-emulator", organization_unit_name="local CA")
        _write_private(ca_key, ca.private_key_pem.bytes())
        ca_pem.write_bytes(ca.cert_pem.bytes())
    leaf = ca.issue_cert(*dict.fromkeys(names))
    certificate, key = directory / "server.pem", directory / "server-key.pem"
    certificate.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    _write_private(key, leaf.private_key_pem.bytes())
    return TlsFiles(ca=ca_pem, certificate=certificate, key=key)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def certificate_names(host: str, domain_suffix: str, buckets: list[str]) -> list[str]:
    """Names for the server certificate. TLS clients refuse a wildcard over a single label
    (``*.localhost``), so every bucket known at start gets its own domain name too."""
    names = ["localhost", f"*.{domain_suffix}", domain_suffix, "127.0.0.1", "::1", socket.gethostname()]
    names += [f"{bucket}.{domain_suffix}" for bucket in buckets]
    if host not in ("", "0.0.0.0", "::"):
        names.append(host)
    return names


class TlsListener:
    """The https port: the app behind cheroot's TLS, on a thread of its own."""

    def __init__(self, app: Any, host: str, port: int, threads: int, files: TlsFiles) -> None:
        self._server = wsgi.Server((host, port), app, numthreads=threads, server_name="qiniu-emulator")
        self._server.ssl_adapter = cheroot_ssl.BuiltinSSLAdapter(str(files.certificate), str(files.key))
        self._server.prepare()
        self.port = int(self._server.bind_addr[1])
        self._thread = threading.Thread(target=self._server.serve, name="qiniu-emulator-https", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.stop()
        if self._thread.is_alive():  # a listener whose sibling failed to bind was never started
            self._thread.join(10)


class PlainHttpChannel(OneSendChannel):
    """A waitress channel that answers a TLS handshake on the plain port at once.

    Otherwise waitress waits for a request line that never comes, and the client's
    https request hangs until its own timeout.
    """

    answered_tls = False
    seen_data = False

    def received(self, data: bytes) -> bool:
        if not self.seen_data and data:
            self.seen_data = True
            if data[0] == TLS_HANDSHAKE:
                self._refuse_tls()
                return False
        return bool(super().received(data))

    def _refuse_tls(self) -> None:
        body = (b"This port speaks plain HTTP, not TLS: use http://, or start the emulator "
                b"with --tls and use its https port.\n")
        answer = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        with self.outbuf_lock:
            self.outbufs[-1].append(answer)
            self.current_outbuf_count += len(answer)
            self.total_outbufs_len += len(answer)
        self.answered_tls = True
        self.close_when_flushed = True


def plain_http_server(app: Any, threads: int, lookahead: int, **where: Any) -> Any:
    """A waitress server over ``app`` at ``host``/``port``, or on every address of ``listen``
    (one loop for them all), whose sockets answer a TLS handshake at once (:class:`PlainHttpChannel`)."""
    server: Any = create_server(app, threads=threads, ident="qiniu-emulator", clear_untrusted_proxy_headers=True,
                                channel_request_lookahead=lookahead, **where)
    sockets: list[Any] = ([d for d in (server.map or {}).values() if isinstance(d, BaseWSGIServer)]
                          if isinstance(server, MultiSocketServer) else [server])
    for socket_server in sockets:
        socket_server.channel_class = PlainHttpChannel
    return server
