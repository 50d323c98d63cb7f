"""A test page's own origin: a directory served on a loopback port of its own."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Any

from support import free_port, wait_for


class PageServer:
    """Serves the page, qiniu-js and the photo from a directory, on its own loopback port."""

    def __init__(self, directory: Path) -> None:
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
        handler.log_message = lambda *args: None  # type: ignore[method-assign]
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        self.origin = f"http://localhost:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "PageServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_page(driver: Any, page: PageServer, timeout: float) -> Any:
    """Open the page's ``index.html`` from its origin, wait for it to set ``window.done`` and
    return its ``window.results``; the browser leaves the page either way."""
    try:
        driver.get(f"{page.origin}/index.html")
        wait_for(lambda: driver.execute_script("return window.done === true"), timeout=timeout,
                 message="the page's steps")
        return driver.execute_script("return window.results")
    finally:
        driver.get("about:blank")
