"""Serving the apps on every port with ``httpd``: the foreground server and an in-process one for tests."""

from __future__ import annotations

import errno
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .httpd import server as httpd
from .admin_origin import admin_url
from .app import create_admin_app, create_app
from .s3.app import create_s3_app, route_s3_hosts
from .bucket_ports import BucketOnly
from .cpu_affinity import request_cpu
from .emulator import Emulator
from .config import DEFAULT_ACCESS_KEY, Settings
from .init_hooks import hook_environment, hooks_in, run_hooks
from .region_listen import bucket_label, listen_regions, region_lines
from .regions import RegionLayout
from .tls import TLS_REFUSAL, certificate_names, ensure_certificates, server_context

log = logging.getLogger("qiniu_emulator")

DRAIN_SECONDS = 30.0
ADMIN_THREADS = 4  # requests on the admin origin at once, apart from the service ports'


class PortInUse(Exception):
    """The listen port is taken; the message names it and what answers there."""


def banner(settings: Settings, url: str, https_url: str = "", ca: str = "",
           buckets: list[str] | None = None, data_dir: Path | None = None,
           regions: RegionLayout | None = None, bucket_ports: dict[str, int] | None = None,
           s3_urls: tuple[str, str] = ("", "")) -> str:
    """What a user needs to point a client at this server; ``buckets`` are those the data dir holds."""
    access_key, secret_key = settings.accounts[0]
    names = settings.buckets if buckets is None else buckets
    buckets_line = ", ".join(names) or "(none yet: create with mkbucketv3 or --bucket)"
    lines = [
        f"qiniu-emulator listening on {url}" + (f" and {https_url}" if https_url else ""),
        f"  console  : {admin_url(settings)}/_emulator/ui/" if settings.console else "  console  : off (--console off)",
        f"  admin    : {admin_url(settings)}/_emulator/ (health, reset, scenarios; writes need the header "
        "X-Qiniu-Emulator: 1)",
        f"  data dir : {(data_dir or settings.data).resolve()}"
        + ("  (ephemeral: removed at exit, nothing fsynced)" if settings.ephemeral else ""),
        f"  auth     : {settings.auth}" + ("  (WARNING: signatures are NOT checked)" if settings.auth == "off" else ""),
        "  accounts : " + ", ".join(f"{ak}:{sk}" for ak, sk in settings.accounts)
        + ("  (documented dev credentials)" if access_key == DEFAULT_ACCESS_KEY else ""),
        f"  buckets  : {buckets_line}",
        f"  workers  : {settings.workers}",
        *region_lines(regions, url.rpartition(":")[0]),
        "",
        "Our client (qiniu_fop):",
        f"  export QINIU_EMULATOR_URL={url}",
        "Official SDK (qiniu):",
        "  import qiniu",
        f"  qiniu.config.set_default(default_api_host='{url}', default_uc_host='{url}',",
        f"                           default_query_region_host='{url}')",
        f"  auth = qiniu.Auth('{access_key}', '{secret_key}')",
        f"Download: {url}/_io/<bucket>/<key>",
    ]
    if s3_urls[0]:
        lines += [f"S3-compatible API: {s3_urls[0]}" + (f" and {s3_urls[1]}" if s3_urls[1] else "")
                  + " (SigV4 with the accounts above; any region name)"]
    if bucket_ports:
        host = url.rsplit(":", 1)[0]
        lines += ["Bucket domains (a plain host:port per bucket, for clients that want a host):",
                  *(f"  {bucket}: {host}:{port}" for bucket, port in sorted(bucket_ports.items()))]
    if https_url:
        lines += ["", f"https: {https_url}, certificate from the local CA {ca}. Trust it with:",
                  f"  Node:            NODE_EXTRA_CA_CERTS={ca}",
                  f"  Python requests: REQUESTS_CA_BUNDLE={ca} (the qiniu SDK ignores it: append the CA to "
                  "the bundle `python -m certifi` names)",
                  f"  Python ssl, Go:  SSL_CERT_FILE={ca}",
                  f"  Java:            keytool -importcert -noprompt -alias qiniu-emulator -file {ca} "
                  "-keystore emulator.jks -storepass changeit, then -Djavax.net.ssl.trustStore=emulator.jks "
                  "-Djavax.net.ssl.trustStorePassword=changeit"]
    return "\n".join(lines)


def drain(server: httpd.Server, emulator: Emulator, timeout: float) -> None:
    """Stop accepting on every port, let requests in flight finish (at most ``timeout``
    seconds), close idle connections, then end the server."""
    emulator.begin_drain()
    server.drain(timeout)


def install_signal_handlers(on_signal: Callable[[int], None]) -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, frame: on_signal(number))


@dataclass
class Listeners:
    """Every port of one emulator on one server: the plain port, the admin origin, the S3
    door, bucket ports, region ports and, with --tls, the https ports."""

    emulator: Emulator
    server: httpd.Server
    url: str
    admin_url: str = ""
    https_url: str = ""
    ca: str = ""
    s3_url: str = ""
    s3_https_url: str = ""


@dataclass
class RunningServer:
    """An emulator serving on background threads (port 0 picks a free port)."""

    url: str
    emulator: Emulator
    _listeners: Listeners
    admin_url: str = ""  # the console and /_emulator/ endpoints
    https_url: str = ""
    ca: str = ""
    s3_url: str = ""  # the S3 door
    s3_https_url: str = ""

    def __enter__(self) -> "RunningServer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self, timeout: float = 10.0) -> None:
        drain(self._listeners.server, self.emulator, timeout)
        self.emulator.close()


def _make_server(settings: Settings) -> Listeners:
    emulator = Emulator.build(settings)
    try:
        return _listen(settings, emulator)
    except BaseException:
        emulator.close()  # releases the data dir for the next attempt
        raise


def _listen(settings: Settings, emulator: Emulator) -> Listeners:
    s3_app = create_s3_app(emulator)
    app = route_s3_hosts(create_app(emulator=emulator), s3_app)
    server = httpd.Server(request_cpus=request_cpu() if settings.pin_requests else None)
    # The service ports share one gate of --threads requests; the admin origin has its own,
    # so health and the console answer while every service thread is busy.
    service = httpd.gate(settings.threads)
    try:
        with _port_named(settings.host, settings.port):
            main = server.listen(app, settings.host, settings.port, service, tls_refusal=TLS_REFUSAL)
        host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        listeners = Listeners(emulator=emulator, server=server, url=f"http://{host}:{main.port}")
        _listen_admin(settings, emulator, listeners)
        _listen_s3(settings, s3_app, listeners, host, service)
        _listen_buckets(settings, emulator, listeners, app, service)
        https_port = _listen_tls(settings, emulator, (app, s3_app), listeners, host) if settings.tls else None
        with _port_named(settings.host, settings.region_base_port()):
            listen_regions(server, app, settings, emulator.regions, TLS_REFUSAL)
    except BaseException:
        server.close_listeners()
        raise
    emulator.set_public_port(main.port, https_port)
    return listeners


def _listen_admin(settings: Settings, emulator: Emulator, listeners: Listeners) -> None:
    """The admin origin (console, ``/_emulator/``): its own port, loopback by default."""
    wanted = settings.admin_port_number()
    with _port_named(settings.admin_host, wanted):
        admin = listeners.server.listen(create_admin_app(emulator), settings.admin_host, wanted,
                                        httpd.gate(ADMIN_THREADS), tls_refusal=TLS_REFUSAL, pinned=False)
    settings.admin_port = admin.port
    listeners.admin_url = admin_url(settings)


def _listen_s3(settings: Settings, s3_app: Any, listeners: Listeners, host: str, service: Any) -> None:
    """The S3 door's port (``--s3-port``), sharing the service ports' gate."""
    wanted = settings.s3_listen_port()
    with _port_named(settings.host, wanted):
        s3 = listeners.server.listen(s3_app, settings.host, wanted, service, tls_refusal=TLS_REFUSAL)
    listeners.s3_url = f"http://{host}:{s3.port}"


def _listen_tls(settings: Settings, emulator: Emulator, apps: tuple[Any, Any], listeners: Listeners,
                host: str) -> int:
    """The https port, and the S3 door's https port one above its plain one (a free one when
    that is 0); returns the https port."""
    buckets = [b.name for b in emulator.storage.list_buckets()]
    names = certificate_names(settings.host, settings.domain_suffix, buckets)
    files = ensure_certificates(emulator.storage.data_dir, names)
    context = server_context(files)
    wanted = settings.https_port() if settings.tls_port is not None or settings.port else 0
    s3_wanted = settings.s3_listen_port() + 1 if settings.s3_listen_port() else 0
    server = listeners.server
    with _port_named(settings.host, wanted):
        https = server.listen(apps[0], settings.host, wanted, httpd.gate(settings.threads), scheme="https",
                              tls=context)
    with _port_named(settings.host, s3_wanted):
        s3_https = server.listen(apps[1], settings.host, s3_wanted, httpd.gate(settings.threads), scheme="https",
                                 tls=context)
    listeners.https_url, listeners.ca = f"https://{host}:{https.port}", str(files.ca)
    listeners.s3_https_url = f"https://{host}:{s3_https.port}"
    return https.port


def _listen_buckets(settings: Settings, emulator: Emulator, listeners: Listeners, app: Any, service: Any) -> None:
    """Each bucket's own download port (``bucket_ports.py``), now and for buckets made later."""
    server = listeners.server

    def open_port(bucket: str, wanted: int) -> tuple[int, Any]:
        listener = server.listen(BucketOnly(app, bucket), settings.host, wanted, service, tls_refusal=TLS_REFUSAL)
        names = {settings.host, "127.0.0.1", "localhost"} - {"0.0.0.0", "::", ""}
        emulator.fetcher.bucket_hosts.update({f"{name}:{listener.port}".lower(): bucket for name in names})
        return listener.port, listener

    emulator.bucket_ports.attach(open_port, server.remove, [b.name for b in emulator.storage.list_buckets()])


@contextmanager
def _port_named(host: str, port: int) -> Iterator[None]:
    """A bind that fails because the port is taken says which port, in one line."""
    try:
        yield
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise PortInUse(port_in_use_message(host, port)) from None


def port_in_use_message(host: str, port: int) -> str:
    """Which port is taken, whether an emulator answers there, and how to pick another."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
    import requests  # only to name what holds a taken port

    try:
        answer = requests.get(f"{url}/_emulator/health", timeout=1)
        holder = ("a qiniu-emulator is already serving there" if answer.headers.get("X-Log") == "qiniu-emulator"
                  else "another program is listening there")
    except requests.RequestException:
        holder = "another program holds it"
    return (f"port {port} on {host} is in use: {holder}. Choose another with --port PORT "
            f"(or QINIU_EMULATOR_PORT; 0 picks a free one), or stop what holds it")


def start_in_thread(settings: Settings) -> RunningServer:
    """Start an emulator in this process; returns once it accepts connections."""
    listeners = _make_server(settings)
    listeners.emulator.start()
    listeners.server.start()
    return RunningServer(url=listeners.url, emulator=listeners.emulator, _listeners=listeners,
                         admin_url=listeners.admin_url, https_url=listeners.https_url, ca=listeners.ca,
                         s3_url=listeners.s3_url, s3_https_url=listeners.s3_https_url)


def serve(settings: Settings) -> int:
    """Run in the foreground until SIGTERM/SIGINT; then drain and exit 0 (1 when an
    --init hook failed under --init-strict)."""
    hooks = hooks_in(settings.init) if settings.init else []
    listeners = _make_server(settings)
    emulator, server = listeners.emulator, listeners.server
    emulator.start()
    buckets = [bucket_label(emulator.regions, bucket.name, bucket.region) for bucket in emulator.storage.list_buckets()]
    print(banner(settings, listeners.url, listeners.https_url, listeners.ca, buckets, emulator.storage.data_dir,
                 emulator.regions, emulator.bucket_ports.served(), (listeners.s3_url, listeners.s3_https_url)),
          flush=True)
    if settings.auth == "off":
        log.warning("--auth off: every request is accepted without checking its signature")

    def on_signal(signum: int) -> None:
        if not emulator.draining.is_set():
            log.info("signal %d: no new connections, finishing requests in flight", signum)
            threading.Thread(target=drain, args=(server, emulator, DRAIN_SECONDS), daemon=True).start()

    install_signal_handlers(on_signal)
    failed = threading.Event()

    def stop_after_failure() -> None:
        failed.set()
        on_signal(signal.SIGTERM)

    if hooks:
        _start_hooks(hooks, listeners, settings, stop_after_failure)
    # Requests are answered only from here: the signal handlers are in place, and health
    # already says whether the --init hooks run.
    server.start()
    server.wait()
    emulator.close()
    log.info("stopped")
    sys.stdout.flush()
    return 1 if failed.is_set() else 0


def _start_hooks(hooks: list[Path], listeners: Listeners, settings: Settings, stop: Callable[[], None]) -> None:
    """Run the --init hooks on a thread (their requests are answered meanwhile); under
    --init-strict a failure stops the server."""
    emulator = listeners.emulator
    emulator.init_status = "running"

    def seed() -> None:
        env = hook_environment(listeners.url, settings.accounts[0])
        failures = run_hooks(hooks, env, stop_at_failure=settings.init_strict)
        emulator.init_status = "failed" if failures else "done"
        if failures and settings.init_strict:
            print(f"qiniu-emulator: error: {failures[0].line()}; stopping (--init-strict)", file=sys.stderr, flush=True)
            stop()

    threading.Thread(target=seed, name="init-hooks", daemon=True).start()
