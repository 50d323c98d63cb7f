"""Build the Flask app and the services behind it. No module-level state."""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from .api import EXTENSION, admin, dora, io, json_response, rs, uc, up
from .auth import AuthMode, Authenticator
from .callback import UploadCallbacks
from .config import Settings
from .errors import REASONS, NoSuchBucket, QiniuError
from .fetch import UrlFetcher
from .fops.catalog import default_registry
from .fops.registry import Registry
from .jobs.notify import Notifier
from .jobs.process import Processor
from .jobs.service import JobService
from .jobs.store import JobStore
from .jobs.workflows import WorkflowTemplate, load_workflows
from .storage import Storage
from .uploads import UploadService

log = logging.getLogger("qiniu_emulator")


@dataclass
class Emulator:
    """The services of one emulator instance; the Flask app holds exactly one."""

    settings: Settings
    storage: Storage
    auth: Authenticator
    registry: Registry
    fetcher: UrlFetcher
    jobs: JobService
    uploads: UploadService
    draining: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def build(cls, settings: Settings) -> "Emulator":
        storage = Storage(settings.data)
        for bucket in settings.buckets:
            storage.ensure_bucket(bucket)
        if settings.seed_dir:
            seed_buckets(storage, settings.seed_dir)
        auth = Authenticator(settings.account_map, AuthMode(settings.auth))
        registry = default_registry()
        fetcher = UrlFetcher(storage=storage, url_map=list(settings.url_map),
                               own_hosts=_own_hosts(settings), domain_suffix=settings.domain_suffix,
                               timeout=settings.fetch_timeout, max_bytes=settings.fetch_max_bytes)
        processor = Processor(storage=storage, registry=registry, fetcher=fetcher,
                              ffmpeg=settings.ffmpeg_exe(), op_timeout=settings.op_timeout)
        notifier = Notifier(attempts=settings.notify_attempts, backoff=settings.notify_backoff,
                            timeout=settings.notify_timeout)
        workflows: dict[str, WorkflowTemplate] = load_workflows(settings.workflows) if settings.workflows else {}
        jobs = JobService(JobStore(storage.data_dir / "emulator.sqlite3"), storage, registry, processor,
                          notifier, workflows, settings.workers, settings.pipelines)
        return cls(settings=settings, storage=storage, auth=auth, registry=registry, fetcher=fetcher,
                   jobs=jobs, uploads=UploadService(storage, jobs, _upload_callbacks(auth, settings)))

    def start(self) -> None:
        self.jobs.start()

    def set_public_port(self, port: int) -> None:
        """Record the bound port (when started on port 0) so own URLs are recognised."""
        self.settings.port = port
        self.fetcher.own_hosts.update(_own_hosts(self.settings))

    def close(self, timeout: float = 10.0) -> None:
        self.draining.set()
        self.jobs.stop(timeout)
        self.jobs.store.close()
        self.storage.close()


def _upload_callbacks(auth: Authenticator, settings: Settings) -> UploadCallbacks:
    def sign(access_key: str, data: bytes) -> str:
        # With auth off a token may name an unknown key; sign with a configured one instead.
        try:
            return auth.sign(access_key, data)
        except KeyError:
            return auth.sign(auth.first_account()[0], data)

    return UploadCallbacks(sign=sign, timeout=settings.notify_timeout)


def _own_hosts(settings: Settings) -> set[str]:
    names = {settings.host, "127.0.0.1", "localhost"}
    return {f"{name}:{settings.port}".lower() for name in names}


def seed_buckets(storage: Storage, seed_dir: Path) -> None:
    """Each top-level folder of ``seed_dir`` becomes a bucket, each file below it an object."""
    import mimetypes

    for folder in sorted(p for p in Path(seed_dir).iterdir() if p.is_dir()):
        storage.ensure_bucket(folder.name)
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            key = path.relative_to(folder).as_posix()
            mime = mimetypes.guess_type(key)[0] or "application/octet-stream"
            storage.put_path(folder.name, key, path, mime=mime)


def create_app(settings: Settings | None = None, emulator: Emulator | None = None) -> Flask:
    """A Flask app serving every Qiniu endpoint the emulator knows.

    Given only settings, it builds the services and starts the job workers itself;
    a caller passing ``emulator`` starts it when it is ready (see ``server.py``).
    """
    if emulator is None:
        emulator = Emulator.build(settings or Settings())
        emulator.start()
    em = emulator
    app = Flask("qiniu_emulator")
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.extensions[EXTENSION] = em
    for blueprint in (admin.bp, dora.bp, up.bp, rs.bp, uc.bp, io.bp):
        app.register_blueprint(blueprint)
    _install_hooks(app, em)
    return app


def _install_hooks(app: Flask, em: Emulator) -> None:
    @app.before_request
    def start_request():
        g.reqid = secrets.token_urlsafe(12)
        bucket = _bucket_of_host(em, request.host)
        if bucket and request.method in ("GET", "HEAD"):
            return io.serve(bucket, unquote(io.raw_request().raw_path.lstrip("/")))
        return None

    @app.after_request
    def stamp(response: Response) -> Response:
        response.headers["X-Reqid"] = getattr(g, "reqid", "") or secrets.token_urlsafe(12)
        response.headers["X-Log"] = "qiniu-emulator"
        reason = REASONS.get(response.status_code)
        if reason:
            response.status = f"{response.status_code} {reason}"
        return response

    @app.errorhandler(QiniuError)
    def qiniu_error(exc: QiniuError) -> Response:
        return json_response(exc.body(), status=exc.status)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return json_response({"error": exc.description or exc.name, "code": exc.code}, status=exc.code or 400)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return json_response({"error": f"internal error: {type(exc).__name__}", "code": 599}, status=599)


def _bucket_of_host(em: Emulator, host: str) -> str | None:
    """``<bucket>.<domain suffix>[:port]`` names a bucket's download domain."""
    hostname = host.rsplit(":", 1)[0].lower() if not host.startswith("[") else host
    suffix = "." + em.settings.domain_suffix
    if not hostname.endswith(suffix):
        return None
    bucket = hostname[: -len(suffix)]
    try:
        em.storage.get_bucket(bucket)
    except NoSuchBucket:
        return None
    return bucket
