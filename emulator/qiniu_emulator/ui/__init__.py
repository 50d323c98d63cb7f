"""The console: buckets, objects, jobs and requests in a browser, at ``/_emulator/ui/``.

Server-rendered pages (``pages.py``, ``templates/``) with a little plain JavaScript
(``static/console.js``) that polls the live parts, and JSON endpoints under
``/_emulator/`` (``endpoints.py``). Everything goes through :class:`~.console.Console`,
which uses the emulator's services and nothing else.
"""

from __future__ import annotations

from flask import Flask

from ..emulator import Emulator
from . import endpoints, pages
from .console import Console


def install(app: Flask, emulator: Emulator) -> None:
    """Serve the console from ``app`` (``--console off`` leaves this out)."""
    app.extensions[pages.CONSOLE] = Console(emulator)
    for blueprint in (pages.bp, pages.root, endpoints.bp):
        app.register_blueprint(blueprint)
