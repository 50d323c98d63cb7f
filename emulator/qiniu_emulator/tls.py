"""https for SDKs that insist on it: a local CA, a server certificate, a second listener.

The CA is made once per data directory (``<data>/tls/ca.pem``, its key beside it, 0600)
and reused, so a client trusts it once; the server certificate is issued at every start
for the names the emulator answers to (localhost, bucket domains, loopback addresses,
the listen address and this machine's name). The https ports serve the same apps with
the ssl module; the plain ports answer a TLS handshake at once with a plain-text error.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .lazy import lazy_module

if TYPE_CHECKING:
    import ssl

    import trustme
else:  # imported when --tls is on
    ssl = lazy_module("ssl")
    trustme = lazy_module("trustme")

TLS_DIR = "tls"
# The plain ports' answer to a TLS handshake, sent at once instead of waiting for a request
# line that never comes (the client's https request would hang until its own timeout).
TLS_REFUSAL = (b"This port speaks plain HTTP, not TLS: use http://, or start the emulator "
               b"with --tls and use its https port.\n")


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


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """The https ports' TLS settings: the server certificate, the ssl module's defaults."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(files.certificate), str(files.key))
    return context
