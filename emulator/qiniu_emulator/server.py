"""Serving the app with waitress: the foreground server and an in-process one for tests."""

from __future__ import annotations

import errno
import logging
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable

import requests
from waitress import wasyncore
from waitress.server import create_server

from .app import create_app
from .s3.app import create_s3_app, route_s3_hosts
from .s3.channel import S3Channel
from .emulator import Emulator
from .config import DEFAULT_ACCESS_KEY, Settings
from .tls import PlainHttpChannel, TlsListener, certificate_names, ensure_certificates

log = logging.getLogger("qiniu_emulator")

DRAIN_SECONDS = 30.0
REQUEST_LOOKAHEAD = 4


class PortInUse(Exception):
    """The listen port is taken; the message names it and what answers there."""


def banner(settings: Settings, url: str, https_url: str = "", ca: str = "",
           buckets: list[str] | None = None, s3_url: str = "", s3_https_url: str = "") -> str:
    """What a user needs to point a client at this server; ``buckets`` are those the data dir holds."""
    access_key, secret_key = settings.accounts[0]
    names = settings.buckets if buckets is None else buckets
    buckets_line = ", ".join(names) or "(none yet: create with mkbucketv3 or --bucket)"
    lines = [
        f"qiniu-emulator listening on {url}" + (f" and {https_url}" if https_url else ""),
        f"  console  : {url}/_emulator/ui/" if settings.console else "  console  : off (--console off)",
        f"  data dir : {settings.data.resolve()}",
        f"  auth     : {settings.auth}" + ("  (WARNING: signatures are NOT checked)" if settings.auth == "off" else ""),
        "  accounts : " + ", ".join(f"{ak}:{sk}" for ak, sk in settings.accounts)
        + ("  (documented dev credentials)" if access_key == DEFAULT_ACCESS_KEY else ""),
        f"  buckets  : {buckets_line}",
        f"  workers  : {settings.workers}",
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
    if s3_url:
        lines += [f"S3-compatible API: {s3_url} (SigV4 with the accounts above; any region name)"
                  + (f" and {s3_https_url}" if s3_https_url else "")]
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


def _busy(server) -> bool:
    """True while a request is being received, queued, running, or still being written out."""
    dispatcher = server.task_dispatcher
    if dispatcher.active_count or dispatcher.queue:
        return True
    return any(channel.request is not None or channel.requests or channel.total_outbufs_len
               for channel in list(server.active_channels.values()))


def drain(server, emulator: Emulator, timeout: float, others: tuple = ()) -> None:
    """Stop accepting, let requests in flight finish, then end the server's loop.

    Socket changes are made on the loop's own thread (through its trigger), so the
    loop never selects on a descriptor closed under it.
    """
    emulator.begin_drain()
    for listener in (server, *others):
        _on_loop(server, lambda listener=listener: wasyncore.dispatcher.close(listener))
    deadline = time.monotonic() + timeout
    while _busy(server) and time.monotonic() < deadline:
        time.sleep(0.02)
    _on_loop(server, lambda: wasyncore.close_all(server._map))


def _on_loop(server, thunk) -> None:
    """Run ``thunk`` on the server's loop thread; a closed trigger means the loop is gone."""
    try:
        server.trigger.pull_trigger(thunk)
    except OSError:
        pass


def install_signal_handlers(on_signal: Callable[[int], None]) -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, frame: on_signal(number))


@dataclass
class Listeners:
    """The plain port (waitress) and, with --tls, the https port, over one emulator."""

    emulator: Emulator
    server: Any  # waitress's server: its type differs by the number of sockets
    url: str
    s3: Any = None  # the S3 door's listener, on the same loop and task threads as ``server``
    s3_url: str = ""
    https: TlsListener | None = None
    https_url: str = ""
    ca: str = ""
    s3_https: TlsListener | None = None  # with --tls, the S3 door over https (its port + 1)
    s3_https_url: str = ""

    def start_https(self) -> None:
        for listener in (self.https, self.s3_https):
            if listener is not None:
                listener.start()

    def stop_https(self) -> None:
        for listener in (self.https, self.s3_https):
            if listener is not None:
                listener.stop()


@dataclass
class RunningServer:
    """An emulator serving on a background thread (port 0 picks a free port)."""

    url: str
    emulator: Emulator
    _listeners: Listeners
    _thread: threading.Thread
    https_url: str = ""
    ca: str = ""
    s3_url: str = ""
    s3_https_url: str = ""

    def stop(self, timeout: float = 10.0) -> None:
        server = self._listeners.server
        drain(server, self.emulator, timeout, (self._listeners.s3,))
        self._listeners.stop_https()
        self._thread.join(timeout)
        server.task_dispatcher.shutdown(timeout=timeout)
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
    with _port_named(settings.host, settings.port):
        # A request lookahead lets waitress notice a client that disconnects while its request
        # runs (``waitress.client_disconnected``), so a sync fop can be stopped.
        server: Any = create_server(app, host=settings.host, port=settings.port, threads=settings.threads,
                                    ident="qiniu-emulator", clear_untrusted_proxy_headers=True,
                                    channel_request_lookahead=REQUEST_LOOKAHEAD)
    server.channel_class = PlainHttpChannel
    port = int(server.effective_port)
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    listeners = Listeners(emulator=emulator, server=server, url=f"http://{host}:{port}")
    try:
        _listen_s3(settings, s3_app, listeners, host)
    except BaseException:
        server.close()
        raise
    https_port = None
    if settings.tls:
        try:
            _listen_tls(settings, emulator, (app, s3_app), listeners, host)
        except BaseException:
            server.close()
            raise
        https_port = listeners.https.port if listeners.https else None
    emulator.set_public_port(port, https_port)
    return listeners


def _listen_s3(settings: Settings, s3_app: Any, listeners: Listeners, host: str) -> None:
    """The S3 door's port, served by the main server's loop and task threads."""
    server = listeners.server
    with _port_named(settings.host, settings.s3_listen_port()):
        listeners.s3 = create_server(s3_app, map=server._map, _dispatcher=server.task_dispatcher,
                                     host=settings.host, port=settings.s3_listen_port(), threads=settings.threads,
                                     ident="qiniu-emulator", clear_untrusted_proxy_headers=True)
    listeners.s3.channel_class = S3Channel
    listeners.s3_url = f"http://{host}:{int(listeners.s3.effective_port)}"


def _listen_tls(settings: Settings, emulator: Emulator, apps: tuple[Any, Any], listeners: Listeners,
                host: str) -> None:
    """The https port, and the S3 door's https port one above its plain one (a free one when that is 0)."""
    buckets = [b.name for b in emulator.storage.list_buckets()]
    names = certificate_names(settings.host, settings.domain_suffix, buckets)
    files = ensure_certificates(emulator.storage.data_dir, names)
    wanted = settings.https_port() if settings.tls_port is not None or settings.port else 0
    s3_wanted = settings.s3_listen_port() + 1 if settings.s3_listen_port() else 0
    with _port_named(settings.host, wanted):
        listeners.https = TlsListener(apps[0], settings.host, wanted, settings.threads, files)
    try:
        with _port_named(settings.host, s3_wanted):
            listeners.s3_https = TlsListener(apps[1], settings.host, s3_wanted, settings.threads, files)
    except BaseException:
        listeners.https.stop()
        raise
    listeners.https_url, listeners.ca = f"https://{host}:{listeners.https.port}", str(files.ca)
    listeners.s3_https_url = f"https://{host}:{listeners.s3_https.port}"


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
    try:
        answer = requests.get(f"{url}/_emulator/health", timeout=1)
        holder = (f"qiniu-emulator {answer.json().get('version', '')} is already serving there"
                  if answer.headers.get("X-Log") == "qiniu-emulator" else "another program is listening there")
    except (requests.RequestException, ValueError):
        holder = "another program holds it"
    return (f"port {port} on {host} is in use: {holder}. Choose another with --port PORT "
            f"(or QINIU_EMULATOR_PORT; 0 picks a free one), or stop what holds it")


def start_in_thread(settings: Settings) -> RunningServer:
    """Start an emulator in this process; returns once it accepts connections."""
    listeners = _make_server(settings)
    listeners.emulator.start()
    listeners.start_https()
    thread = threading.Thread(target=listeners.server.run, name="qiniu-emulator-http", daemon=True)
    thread.start()
    return RunningServer(url=listeners.url, emulator=listeners.emulator, _listeners=listeners,
                         _thread=thread, https_url=listeners.https_url, ca=listeners.ca, s3_url=listeners.s3_url,
                         s3_https_url=listeners.s3_https_url)


def serve(settings: Settings) -> int:
    """Run in the foreground until SIGTERM/SIGINT; then drain and exit 0."""
    listeners = _make_server(settings)
    emulator, server = listeners.emulator, listeners.server
    emulator.start()
    listeners.start_https()
    buckets = [bucket.name for bucket in emulator.storage.list_buckets()]
    print(banner(settings, listeners.url, listeners.https_url, listeners.ca, buckets, listeners.s3_url,
                 listeners.s3_https_url), flush=True)
    if settings.auth == "off":
        log.warning("--auth off: every request is accepted without checking its signature")

    def on_signal(signum: int) -> None:
        if not emulator.draining.is_set():
            log.info("signal %d: no new connections, finishing requests in flight", signum)
            threading.Thread(target=drain, args=(server, emulator, DRAIN_SECONDS, (listeners.s3,)),
                             daemon=True).start()

    install_signal_handlers(on_signal)
    server.run()
    listeners.stop_https()
    server.task_dispatcher.shutdown(timeout=DRAIN_SECONDS)
    emulator.close()
    log.info("stopped")
    sys.stdout.flush()
    return 0
