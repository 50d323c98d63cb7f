"""The console's one service: every page and console endpoint calls one method here.

It reads and writes only through the emulator's services (storage, jobs, the request
log, the inspector), never the database, so the console shows what the API would.
"""

from __future__ import annotations

import mimetypes
import shutil
from dataclasses import dataclass
from typing import IO

from ..emulator import Emulator, public_url
from ..errors import NoSuchBucket, NoSuchKey, QiniuError
from ..fops.parse import Pipeline, parse_fops
from ..job_records import Attempt, Code, Job
from ..jobs.service import Submission
from ..regions import SERVICES
from ..requestlog import RequestFilter, RequestRecord
from ..storage import ObjectInfo
from ..storage.listing import check_limit
from .links import Links
from .views import (STATUS_CODES, STATUS_WORDS, BucketRow, ItemLog, ItemView, JobPage, JobRow, ListingPage, ObjectPage,
                    ObjectSide, Preview, ScenarioRow, clock, command_view, crumbs, split_log)

# A list page holds this many rows; older ones are a "next page" link away.
PAGE_ROWS = 50
JOBS_OF_AN_OBJECT = 20
PDF_FIRST_PAGE = "yifangyun_preview/v2/ext=pdf/action=get_preview/format=jpg/page_number=1"
COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FopCheck:
    """A fops string as pfop would judge it: its parsed commands, or pfop's message."""

    pipelines: list[Pipeline]
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


class Console:
    def __init__(self, emulator: Emulator) -> None:
        self.em = emulator

    def links(self, base: str) -> Links:
        return Links(base.rstrip("/"), self.em.auth, self.em.settings.domain_suffix, self.em.clock.now,
                     self.em.bucket_ports.port_of)

    # -- buckets and objects ----------------------------------------------------
    def served_regions(self) -> list[str]:
        """The regions a new bucket may be made in ([] without --regions: any)."""
        return list(self.em.regions.regions) if self.em.regions is not None else []

    def buckets(self, base: str) -> list[BucketRow]:
        links = self.links(base)
        return [BucketRow(b, clock(b.created), self._domains(links, b.name)) for b in self.em.storage.list_buckets()]

    @staticmethod
    def _domains(links: Links, bucket: str) -> tuple[str, ...]:
        own = links.own_port(bucket, "", False)
        return (links.download(bucket, "", False).rstrip("/"), *([own.rstrip("/")] if own else []))

    def listing(self, bucket: str, prefix: str = "", marker: str = "", limit: int = PAGE_ROWS) -> ListingPage:
        info = self.em.storage.get_bucket(bucket)
        page = self.em.storage.list_objects(bucket, prefix, marker, check_limit(limit), delimiter="/")
        return ListingPage(bucket=info, prefix=prefix, crumbs=crumbs(prefix), folders=page.common_prefixes,
                           objects=page.items, next_marker=page.marker, limit=limit,
                           region_hosts=self.region_hosts(info.region))

    def region_hosts(self, region: str) -> list[tuple[str, str]]:
        """Each service of a served region with its main host and backup port."""
        layout = self.em.regions
        if layout is None or not layout.serves(region):
            return []
        host = public_url(self.em.settings).rpartition(":")[0]
        return [(service, f"{host}:{ports[0]} (backup :{ports[1]})")
                for service in SERVICES for ports in [layout.ports(region, service)]]

    def object_page(self, bucket: str, key: str, base: str) -> ObjectPage:
        info = self.em.storage.get_bucket(bucket)
        side = self.side(bucket, key, base)
        if side.info is None:
            raise QiniuError.no_such_key()
        now = self.em.clock.now_ns()
        jobs = [JobRow.of(job, now) for job in self.em.jobs.touching(bucket, key, JOBS_OF_AN_OBJECT)]
        return ObjectPage(bucket=info, side=side, links=self.links(base).all(bucket, key, info.private), jobs=jobs)

    def side(self, bucket: str, key: str, base: str) -> ObjectSide:
        """An object with its properties and preview, or why it is not there."""
        try:
            private = self.em.storage.get_bucket(bucket).private
            info = self.em.storage.stat(bucket, key)
        except (NoSuchBucket, NoSuchKey) as exc:
            return ObjectSide(bucket, key, None, missing=exc.message)
        properties = self.em.inspector.properties(info)
        return ObjectSide(bucket, key, info, properties, self._preview(info, properties.kind, private, base))

    def _preview(self, info: ObjectInfo, kind: str, private: bool, base: str) -> Preview:
        links = self.links(base)
        if kind in ("image", "video", "audio"):
            return Preview(kind, links.download(info.bucket, info.key, private))
        if kind == "pdf":
            return Preview(kind, links.download(info.bucket, info.key, private, PDF_FIRST_PAGE))
        if kind in ("json", "text"):
            return Preview(kind, text=self.em.inspector.text(info))
        if kind == "zip":
            return Preview(kind, zip=self.em.inspector.zip_listing(info))
        return Preview(kind)

    def upload(self, bucket: str, key: str, stream: IO[bytes], mime: str = "") -> ObjectInfo:
        """Store ``stream`` as ``bucket``/``key`` (replacing it), like a trusted form upload."""
        if not key:
            raise QiniuError.bad_request("key is required")
        self.em.storage.get_bucket(bucket)
        mime = mime if mime and mime != "application/octet-stream" else (
            mimetypes.guess_type(key)[0] or "application/octet-stream")
        with self.em.storage.temp_file() as temp:
            shutil.copyfileobj(stream, temp, COPY_CHUNK)
            temp.close()
            return self.em.storage.commit(bucket, key, temp, mime=mime)

    def delete(self, bucket: str, key: str) -> None:
        self.em.storage.delete(bucket, key)

    # -- jobs -------------------------------------------------------------------
    def jobs(self, before: int | None = None, bucket: str | None = None, status: str = "") -> list[JobRow]:
        """A page of the jobs list; ``status`` is one of the words the list shows (done, failed...)."""
        code, now = STATUS_CODES.get(status), self.em.clock.now_ns()
        return [JobRow.of(job, now) for job in self.em.jobs.recent(PAGE_ROWS, bucket, before, code)]

    def job_page(self, job_id: str, base: str) -> JobPage:
        job = self.em.jobs.get(job_id)
        head, logs = split_log(job.log)
        source = self.side(job.bucket, job.key, base)
        items = [self._item_view(job, index, source, logs.get(index), base) for index in range(len(job.items))]
        return JobPage(row=JobRow.of(job, self.em.clock.now_ns()), job=job, source=source, items=items, log=head,
                       deliveries=list(job.deliveries))

    def _item_view(self, job: Job, index: int, source: ObjectSide, log: ItemLog | None, base: str) -> ItemView:
        item = job.items[index]
        command = command_view(item.cmd, self.em.registry)
        output = None
        if item.key is not None:
            bucket = command.saveas.split(":", 1)[0] if command.saveas else job.bucket
            output = self.side(bucket, item.key, base)
        differences = []
        if output is not None and output.properties and source.properties:
            differences = self.em.inspector.compare(source.properties, output.properties)
        return ItemView(index=index, item=item, status=STATUS_WORDS[Code(item.code)], command=command,
                        timings=[t for t in job.timings if t.item == index], log=log or ItemLog(),
                        output=output, differences=differences)

    def resend(self, job_id: str) -> list[Attempt]:
        return self.em.jobs.resend_notification(job_id)

    # -- playground -------------------------------------------------------------
    def check(self, fops: str, bucket: str = "", key: str = "") -> FopCheck:
        """The fops as pfop checks them; a named source must also exist (pfop accepts a
        missing one and the job then fails)."""
        try:
            if bucket and key:
                self.em.jobs.validate(self._submission(bucket, key, fops))
                self.em.storage.stat(bucket, key)
            pipelines = parse_fops(fops, self.em.registry)
        except QiniuError as exc:
            return FopCheck([], exc.message)
        return FopCheck(pipelines)

    def run(self, bucket: str, key: str, fops: str) -> Job:
        """Submit ``fops`` on ``bucket``/``key`` as a pfop signed by the first account."""
        return self.em.jobs.submit(self._submission(bucket, key, fops))

    def _submission(self, bucket: str, key: str, fops: str) -> Submission:
        return Submission(bucket=bucket, key=key, fops=fops, account=self.em.auth.first_account()[0],
                          force=True)

    # -- scenario rules -----------------------------------------------------------
    def scenarios(self) -> list[ScenarioRow]:
        holds = self.em.scenarios.holds
        return [ScenarioRow.of(rule, holds.held_by(rule.id)) for rule in self.em.scenarios.rules()]

    # -- requests ---------------------------------------------------------------
    def requests(self, where: RequestFilter, before: int | None = None) -> list[RequestRecord]:
        return self.em.requests.recent(PAGE_ROWS, before, where)

    def request(self, record_id: int) -> RequestRecord:
        return self.em.requests.get(record_id)
