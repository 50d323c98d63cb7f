"""Serving the app with waitress: the foreground server and an in-process one for tests."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from waitress import wasyncore
from waitress.server import create_server

from .app import create_app
from .emulator import Emulator
from .config import DEFAULT_ACCESS_KEY, Settings

log = logging.getLogger("qiniu_emulator")

DRAIN_SECONDS = 30.0
REQUEST_LOOKAHEAD = 4


def banner(settings: Settings, url: str) -> str:
    """What a user needs to point a client at this server."""
    access_key, secret_key = settings.accounts[0]
    buckets = ", ".join(settings.buckets) or "(none yet: create with mkbucketv3 or --bucket)"
    lines = [
        f"qiniu-emulator listening on {url}",
        f"  console  : {url}/_emulator/ui/" if settings.console else "  console  : off (--console off)",
        f"  data dir : {settings.data.resolve()}",
        f"  auth     : {settings.auth}" + ("  (WARNING: signatures are NOT checked)" if settings.auth == "off" else ""),
        "  accounts : " + ", ".join(f"{ak}:{sk}" for ak, sk in settings.accounts)
        + ("  (documented dev credentials)" if access_key == DEFAULT_ACCESS_KEY else ""),
        f"  buckets  : {buckets}",
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
    return "\n".join(lines)


def _busy(server) -> bool:
    """True while a request is being received, queued, running, or still being written out."""
    dispatcher = server.task_dispatcher
    if dispatcher.active_count or dispatcher.queue:
        return True
    return any(channel.request is not None or channel.requests or channel.total_outbufs_len
               for channel in list(server.active_channels.values()))


def drain(server, emulator: Emulator, timeout: float) -> None:
    """Stop accepting, let requests in flight finish, then end the server's loop.

    Socket changes are made on the loop's own thread (through its trigger), so the
    loop never selects on a descriptor closed under it.
    """
    emulator.draining.set()
    emulator.sync_fops.stop_all()  # sync fops are stopped, not waited for: their clients retry
    _on_loop(server, lambda: wasyncore.dispatcher.close(server))
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
class RunningServer:
    """An emulator serving on a background thread (port 0 picks a free port)."""

    url: str
    emulator: Emulator
    _server: Any  # waitress's server: its type differs by the number of sockets
    _thread: threading.Thread

    def stop(self, timeout: float = 10.0) -> None:
        drain(self._server, self.emulator, timeout)
        self._thread.join(timeout)
        self._server.task_dispatcher.shutdown(timeout=timeout)
        self.emulator.close()


def _make_server(settings: Settings) -> tuple[Emulator, Any, str]:
    emulator = Emulator.build(settings)
    app = create_app(emulator=emulator)
    # One listening socket: a TcpWSGIServer, whose effective_port the stubs do not declare.
    # A request lookahead lets waitress notice a client that disconnects while its request
    # runs (``waitress.client_disconnected``), so a sync fop can be stopped.
    server: Any = create_server(app, host=settings.host, port=settings.port, threads=settings.threads,
                                ident="qiniu-emulator", clear_untrusted_proxy_headers=True,
                                channel_request_lookahead=REQUEST_LOOKAHEAD)
    port = int(server.effective_port)
    emulator.set_public_port(port)
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    return emulator, server, f"http://{host}:{port}"


def start_in_thread(settings: Settings) -> RunningServer:
    """Start an emulator in this process; returns once it accepts connections."""
    emulator, server, url = _make_server(settings)
    emulator.start()
    thread = threading.Thread(target=server.run, name="qiniu-emulator-http", daemon=True)
    thread.start()
    return RunningServer(url=url, emulator=emulator, _server=server, _thread=thread)


def serve(settings: Settings) -> int:
    """Run in the foreground until SIGTERM/SIGINT; then drain and exit 0."""
    emulator, server, url = _make_server(settings)
    emulator.start()
    print(banner(settings, url), flush=True)
    if settings.auth == "off":
        log.warning("--auth off: every request is accepted without checking its signature")

    def on_signal(signum: int) -> None:
        if not emulator.draining.is_set():
            log.info("signal %d: no new connections, finishing requests in flight", signum)
            threading.Thread(target=drain, args=(server, emulator, DRAIN_SECONDS), daemon=True).start()

    install_signal_handlers(on_signal)
    server.run()
    server.task_dispatcher.shutdown(timeout=DRAIN_SECONDS)
    emulator.close()
    log.info("stopped")
    sys.stdout.flush()
    return 0
