"""fetch: copy what a URL points at into a bucket, now (``/fetch``) or in the background
(``/sisyphus/fetch``).

Both read the URL as ops do (``fetch.py``): the emulator's own objects by the download
rule, ``--url-map`` fixtures, anything else only as ``--fetch`` allows. The stored object
takes the source's MIME type when it names one, else one guessed from the key. Background
tasks live in memory: ``GET /sisyphus/fetch?id=`` answers ``wait: -1`` once a task is done
(stored or failed); a restart forgets them.
"""

from __future__ import annotations

import logging
import mimetypes
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .auth import Authenticator, qbox_data
from .cpu_affinity import unpin
from .encoding import etag_of_stream
from .errors import QiniuError
from .fetch import Access, UrlFetcher
from .fops.context import OpFailed
from .outbound import Outbound, OutboundError
from .storage import ObjectInfo, Storage

OCTET_STREAM = "application/octet-stream"
log = logging.getLogger("qiniu_emulator.fetch")


@dataclass(frozen=True)
class FetchRequest:
    """What ``/sisyphus/fetch`` is asked (the fields the SDKs send)."""

    url: str
    bucket: str
    key: str | None = None
    md5: str = ""
    etag: str = ""
    callback_url: str = ""
    callback_body: str = ""
    callback_body_type: str = "application/x-www-form-urlencoded"
    file_type: int = 0
    ignore_same_key: bool = False


@dataclass
class FetchTask:
    id: str
    seq: int
    request: FetchRequest
    done: bool = False
    error: str = ""
    stored: ObjectInfo | None = None


@dataclass
class FetchService:
    storage: Storage
    fetcher: UrlFetcher
    auth: Authenticator
    outbound: Outbound
    workers: int = 2
    _tasks: dict[str, FetchTask] = field(default_factory=dict)
    _seq: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pool: ThreadPoolExecutor | None = None

    def fetch(self, url: str, bucket: str, key: str | None, access: Access, file_type: int = 0) -> ObjectInfo:
        """Store the resource at ``url`` as ``bucket``/``key`` (the content hash when no key)."""
        self.storage.get_bucket(bucket)
        scratch = self.storage.scratch_dir("fetch")
        try:
            try:
                path, mime = self.fetcher.fetch_typed(url, scratch, access)
            except OpFailed as exc:
                raise QiniuError.fetch_failed(str(exc)).noted(exc.hint) from None
            if key is None:
                with path.open("rb") as f:
                    key = etag_of_stream(f)
            return self.storage.put_path(bucket, key, path, mime=mime or _guess(key or url), move=True,
                                         type_=file_type)
        finally:
            self.storage.remove_scratch(scratch)

    def submit(self, request: FetchRequest, access: Access) -> FetchTask:
        """Queue a background fetch; 631 for an unknown bucket, 400 for a bad request."""
        self.storage.get_bucket(request.bucket)
        if request.ignore_same_key is False and request.key and self.storage.exists(request.bucket, request.key):
            raise QiniuError.file_exists()
        with self._lock:
            self._seq += 1
            task = FetchTask(id=f"fetch-{secrets.token_hex(12)}", seq=self._seq, request=request)
            self._tasks[task.id] = task
            if self._pool is None:
                # Started from a request thread, its threads would keep that thread's one CPU.
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="fetch", initializer=unpin)
            pool = self._pool
        pool.submit(self._run, task, access)
        return task

    def status(self, task_id: str) -> tuple[FetchTask, int]:
        """The task and how many tasks wait before it (-1 once it is done)."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None:
                raise QiniuError.no_such_fetch_task()
            ahead = sum(1 for t in self._tasks.values() if not t.done and t.seq < task.seq)
        return task, -1 if task.done else ahead

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, task: FetchTask, access: Access) -> None:
        request = task.request
        try:
            task.stored = self.fetch(request.url, request.bucket, request.key, access, request.file_type)
        except QiniuError as exc:
            task.error = exc.message
            log.info("background fetch %s of %s failed: %s", task.id, request.url, exc.message)
        finally:
            task.done = True
        if request.callback_url and task.stored is not None:
            self._call_back(request, access)

    def _call_back(self, request: FetchRequest, access: Access) -> None:
        body = request.callback_body.encode("utf-8")
        path = request.callback_url.split("://", 1)[-1].partition("/")[2]
        signer = access.account or self.auth.first_account()[0]
        try:
            headers = {"Content-Type": request.callback_body_type,
                       "Authorization": "QBox " + self.auth.sign(signer, qbox_data("/" + path, request.callback_body_type, body))}
            self.outbound.request("POST", request.callback_url, body, headers)
        except (OutboundError, KeyError) as exc:
            log.info("fetch callback %s failed: %s", request.callback_url, exc)


def _guess(name: str) -> str:
    return mimetypes.guess_type(name.split("?", 1)[0])[0] or OCTET_STREAM
