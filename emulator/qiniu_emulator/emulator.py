"""One emulator instance: its settings and the services behind every endpoint."""

from __future__ import annotations

import logging
import mimetypes
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .auth import AuthMode, Authenticator
from .bucket_ports import BucketPorts
from .censor.judge import Judge
from .censor.service import CensorService
from .censor.sources import SourceReader
from .censor.video import VideoCensor
from .censor.video_store import VideoJobStore
from .clock import Clock
from .config import Settings
from .cors import CorsRules
from .downloads import DownloadService, DownloadSigner
from .fetch import UrlFetcher
from .fetch_policy import FetchPolicy
from .fetch_service import FetchService
from .fidelity import Fidelity
from .heap import return_large_blocks
from .fops import fonts
from .fops.budget import MemoryBudget
from .fops.catalog import default_registry
from .fops.profiles import profile_named
from .fops.registry import Registry
from .inspection import MediaInspector
from .jobs.notify import Notifier
from .outbound import Outbound
from .scenarios import Scenarios, load_rules
from .requestlog import RequestLog
from .regions import RegionLayout, home_region, split_bucket
from .jobs.process import Processor
from .jobs.service import JobService
from .jobs.store import JobStore
from .jobs.sync import SyncFops
from .jobs.workflows import WorkflowTemplate, load_workflows
from .errors import QiniuError
from .storage import BucketInfo, Storage
from .snapshot import Restored, SnapshotError, check_target, import_snapshot, write_snapshot
from .storage.durability import DURABLE, EPHEMERAL, ephemeral_parent
from .storage.paths import is_inside
from .uploads.callbacks import UploadCallbacks
from .uploads.service import UploadService


# Notify and callback receivers answer with a small JSON body at most.
NOTIFY_ANSWER_BYTES = 1024 * 1024
HOUSEKEEPING_SECONDS = 600.0


@dataclass
class Emulator:
    """The services of one emulator instance; the Flask app holds exactly one."""

    settings: Settings
    storage: Storage
    auth: Authenticator
    registry: Registry
    fetcher: UrlFetcher
    jobs: JobService
    scenarios: Scenarios
    uploads: UploadService
    downloads: DownloadService
    sync_fops: SyncFops
    fetches: FetchService
    requests: RequestLog
    cors: CorsRules
    bucket_ports: BucketPorts
    censor: CensorService
    clock: Clock = field(default_factory=Clock)  # the one time everything time-based follows
    init_status: str = "none"  # --init hooks: none, running, done or failed
    regions: RegionLayout | None = None  # None: one host serves every region (no --regions)
    inspector: MediaInspector = field(default_factory=MediaInspector)
    draining: threading.Event = field(default_factory=threading.Event)
    _housekeeper: threading.Thread | None = None
    _exported: bool = False  # --export-on-exit runs at the first close only

    @classmethod
    def build(cls, settings: Settings) -> "Emulator":
        scenarios = Scenarios()
        if settings.scenarios:  # read first: a bad file fails before the data directory is taken
            scenarios.install(load_rules(settings.scenarios))
        if settings.export_on_exit:
            try:
                check_target(settings.export_on_exit)
            except SnapshotError as exc:
                raise SnapshotError(f"--export-on-exit {exc}") from None
        regions = RegionLayout(list(settings.regions)) if settings.regions else None
        start_buckets = [_bucket_region(text, regions) for text in settings.buckets]
        clock = Clock()
        storage, restored = open_storage(settings, clock)
        scenarios.install(restored.scenarios)
        for name, region in start_buckets:
            storage.ensure_bucket(name, region)
        if settings.seed_dir:
            seed_buckets(storage, settings.seed_dir, regions)
        auth = Authenticator(settings.account_map, AuthMode(settings.auth), clock=clock.now,
                             client_clock=time.time)
        fidelity = Fidelity(settings.fidelity)
        registry = default_registry(fidelity)
        return_large_blocks()  # what image ops free leaves the RSS: --op-memory-mb bounds it
        downloads = DownloadService(storage, auth, registry)
        fetcher = UrlFetcher(downloads=downloads, url_map=list(settings.url_map),
                             own_hosts=own_hosts(settings), domain_suffix=settings.domain_suffix,
                             outbound=Outbound(settings.fetch_timeout, settings.fetch_max_bytes),
                             policy=FetchPolicy.parse(settings.fetch))
        processor = Processor(storage=storage, registry=registry, fetcher=fetcher,
                              ffmpeg=settings.ffmpeg_exe, op_timeout=settings.op_timeout,
                              memory=MemoryBudget(settings.op_memory_mb * 1024 * 1024),
                              public_url=lambda: public_url(settings),
                              sign_download=DownloadSigner(auth).sign, encode=profile_named(settings.encode))
        judge, sources = Judge(scenarios), SourceReader(storage, fetcher)
        video = VideoCensor(storage, judge, sources, VideoJobStore(storage.database), fidelity)
        censor = CensorService(storage, judge, sources, video)
        processor.censor = censor.fop_result
        notifier = Notifier(attempts=settings.notify_attempts, backoff=settings.notify_backoff,
                            outbound=Outbound(settings.notify_timeout, NOTIFY_ANSWER_BYTES), scenarios=scenarios,
                            now_ns=clock.now_ns)
        workflows: dict[str, WorkflowTemplate] = {
            **restored.workflows, **(load_workflows(settings.workflows) if settings.workflows else {})}
        jobs = JobService(JobStore(storage.database), storage, registry, processor, notifier, workflows,
                          settings.workers, settings.pipelines, strict_pipelines=settings.strict_pipelines,
                          scenarios=scenarios, watch_slots=watch_slots(settings))
        uploads = UploadService(storage, jobs, _upload_callbacks(auth, settings, scenarios), fidelity)
        sync_fops = SyncFops(storage, processor, logging.getLogger("qiniu_emulator.io"),
                             slots=settings.sync_workers)
        fetches = FetchService(storage, fetcher, auth, Outbound(settings.notify_timeout, NOTIFY_ANSWER_BYTES))
        return cls(settings=settings, storage=storage, auth=auth, registry=registry, fetcher=fetcher,
                   jobs=jobs, scenarios=scenarios, uploads=uploads, downloads=downloads, sync_fops=sync_fops,
                   fetches=fetches, requests=RequestLog(settings.request_log), censor=censor, clock=clock,
                   regions=regions, cors=CorsRules(storage.data_dir),
                   bucket_ports=BucketPorts(storage.data_dir, settings.bucket_port_spec()))

    def start(self) -> None:
        warning = fonts.missing_cjk_font_warning()
        if warning:
            logging.getLogger("qiniu_emulator").warning(warning)
        self.jobs.start()
        self.censor.video.start()
        self._housekeeper = threading.Thread(target=self._housekeep, name="housekeeping", daemon=True)
        self._housekeeper.start()

    def _housekeep(self) -> None:
        """Expire objects and uploads and sweep abandoned scratch, until the emulator closes."""
        while not self.draining.wait(HOUSEKEEPING_SECONDS):
            try:
                swept = self.storage.housekeep()
            except Exception:  # noqa: BLE001 - cleaning must never stop the emulator
                logging.getLogger("qiniu_emulator").exception("housekeeping failed")
                continue
            if swept:
                logging.getLogger("qiniu_emulator").info("swept %d abandoned scratch entries", swept)

    def begin_drain(self) -> None:
        """Refuse new work: sync fops and injected delays stop (their clients retry), long-polls
        answer now."""
        self.draining.set()
        self.sync_fops.stop_all()
        self.scenarios.close()
        self.jobs.watcher.close()

    def set_public_port(self, port: int, https_port: int | None = None) -> None:
        """Record the bound ports (when started on port 0) so own URLs are recognised."""
        self.settings.port = port
        self.fetcher.own_hosts.update(own_hosts(self.settings, port))
        if https_port is not None:
            self.settings.tls_port = https_port
            self.fetcher.own_hosts.update(own_hosts(self.settings, https_port))
        self.storage.lock.describe(f"http://{self.settings.host}:{port}")

    def create_bucket(self, name: str, region: str = "") -> BucketInfo:
        """A new bucket in ``region`` (default: the first served region, else z0); 400 for a
        region not served."""
        try:
            home = home_region(self.regions, region)
        except ValueError as exc:
            raise QiniuError.bad_request(str(exc)) from None
        made = self.storage.create_bucket(name, region=home)
        self.bucket_ports.open(name)  # its own download port, at once
        return made

    def reset(self, bucket: str | None = None) -> None:
        """Delete every object, job and scenario rule (of one bucket; all also empties the
        request log and forgets the video moderation jobs); buckets stay."""
        if bucket:
            self.storage.get_bucket(bucket)
        self.storage.reset(bucket)
        self.jobs.forget(bucket)
        self.scenarios.clear(bucket)
        if bucket is None:
            self.requests.clear()
            self.censor.video.forget()

    def close(self, timeout: float = 10.0) -> None:
        """Stop everything within ``timeout``: sync fops, jobs (resumed at the next start),
        notifications, and every child process still alive."""
        self.draining.set()
        self.scenarios.close()  # injected delays end now; held jobs resume at the next start
        if self._housekeeper is not None:
            self._housekeeper.join(timeout)
        self.sync_fops.stop_all()
        self.fetches.close()
        self.censor.video.close(timeout)
        self.jobs.stop(timeout)
        killed = self.jobs.processor.children.kill_all()
        if killed:
            logging.getLogger("qiniu_emulator").info("killed %d child process(es) at shutdown", killed)
        if self.settings.export_on_exit and not self._exported:
            self._exported = True
            self._export(self.settings.export_on_exit)
        self.storage.close()

    def _export(self, target: Path) -> None:
        log = logging.getLogger("qiniu_emulator")
        try:
            log.info("--export-on-exit: %d objects exported to %s", write_snapshot(self, target), target)
        except (SnapshotError, OSError) as exc:
            log.error("--export-on-exit %s failed: %s", target, exc)


def open_storage(settings: Settings, clock: Clock) -> tuple[Storage, Restored]:
    """The data directory, or with --ephemeral a fresh temp dir without fsyncs, removed at
    close; with --import, filled from the snapshot first."""
    data_dir = Path(tempfile.mkdtemp(prefix="qiniu-emulator-", dir=ephemeral_parent(os.environ))) \
        if settings.ephemeral else settings.data
    try:
        restored = import_snapshot(settings.import_dir, data_dir, settings.force) if settings.import_dir \
            else Restored()
    except BaseException:
        if settings.ephemeral:
            shutil.rmtree(data_dir, ignore_errors=True)
        raise
    storage = Storage(data_dir, clock, EPHEMERAL if settings.ephemeral else DURABLE,
                      remove_on_close=settings.ephemeral)
    return storage, restored


def watch_slots(settings: Settings) -> int:
    """Long-polls that may wait at once: half the HTTP threads, so the rest keep serving."""
    return max(1, settings.threads // 2)


def _upload_callbacks(auth: Authenticator, settings: Settings, scenarios: Scenarios) -> UploadCallbacks:
    def sign(access_key: str, data: bytes) -> str:
        # With auth off a token may name an unknown key; sign with a configured one instead.
        try:
            return auth.sign(access_key, data)
        except KeyError:
            return auth.sign(auth.first_account()[0], data)

    return UploadCallbacks(sign=sign, outbound=Outbound(settings.notify_timeout, NOTIFY_ANSWER_BYTES),
                           scenarios=scenarios)


def public_url(settings: Settings) -> str:
    """The emulator's own base URL for links written by pfop jobs (a wildcard address reads as loopback)."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "", "::") else settings.host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.port}"


def own_hosts(settings: Settings, port: int | None = None) -> set[str]:
    names = {settings.host, "127.0.0.1", "localhost"}
    return {f"{name}:{port if port is not None else settings.port}".lower() for name in names}


def _bucket_region(text: str, regions: RegionLayout | None) -> tuple[str, str]:
    """``name[@region]`` -> (name, region); with --regions the region must be one served."""
    name, region = split_bucket(text)
    return name, home_region(regions, region)


def seed_buckets(storage: Storage, seed_dir: Path, regions: RegionLayout | None = None) -> None:
    """Each top-level folder of ``seed_dir`` becomes a bucket (``name@z2``: in region z2), each
    file below it an object."""
    root = Path(seed_dir).resolve()
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        bucket, region = _bucket_region(folder.name, regions)
        storage.ensure_bucket(bucket, region)
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if not is_inside(folder, path.resolve()):
                logging.getLogger("qiniu_emulator").warning(
                    "--seed-dir: skipping %s, a link to a file outside %s", path, folder)
                continue
            key = path.relative_to(folder).as_posix()
            mime = mimetypes.guess_type(key)[0] or "application/octet-stream"
            storage.put_path(bucket, key, path, mime=mime)
