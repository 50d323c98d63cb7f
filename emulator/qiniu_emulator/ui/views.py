"""What the console's pages show, as plain records built from the services' records.

Templates only format these: every decision (what a command decodes to, which log
lines belong to which item, how long a job took) is made here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import datetime

from ..encoding import decode_entry
from ..errors import QiniuError
from ..fops.parse import Pipeline, parse_pipeline
from ..fops.registry import Registry
from ..inspection import Difference, Properties, TextPreview, ZipListing
from ..job_records import DESC, HINT_PREFIX, Attempt, Code, Item, Job, StageLog
from ..jobs.service import ITEM_MARK
from ..scenarios import ActiveRule
from ..storage import BucketInfo, ObjectInfo
from .links import Link

STATUS_WORDS = {Code.SUCCESS: "done", Code.WAITING: "waiting", Code.RUNNING: "running",
                Code.FAILED: "failed", Code.CALLBACK_FAILED: "notify failed", Code.CANCELLED: "cancelled"}
STATUS_CODES = {word: int(code) for code, word in STATUS_WORDS.items()}


def clock(unix_seconds: float) -> str:
    return datetime.fromtimestamp(unix_seconds).strftime("%Y-%m-%d %H:%M:%S")


def put_time_text(put_time: int) -> str:
    """Qiniu's putTime (100 ns units) as local time."""
    return clock(put_time / 10_000_000)


@dataclass(frozen=True)
class Preview:
    """How an object is shown inline: ``src`` for media elements, else text or a listing."""

    kind: str
    src: str = ""
    text: TextPreview | None = None
    zip: ZipListing | None = None


@dataclass(frozen=True)
class ObjectSide:
    """One object on a page (an object page, or one side of a job's comparison)."""

    bucket: str
    key: str
    info: ObjectInfo | None
    properties: Properties | None = None
    preview: Preview | None = None
    missing: str = ""  # why there is no object (deleted since, never written)


@dataclass(frozen=True)
class JobRow:
    """A job as the jobs list shows it."""

    id: str
    seq: int
    bucket: str
    key: str
    code: int
    status: str
    desc: str
    pipeline: str
    progress: float | None
    created: str
    seconds: float | None
    commands: list[str]
    notify_url: str

    @property
    def finished(self) -> bool:
        return self.code not in (Code.WAITING, Code.RUNNING)

    @classmethod
    def of(cls, job: Job, now_ns: int) -> "JobRow":
        """``now_ns``: the emulated clock's time, which the job's own times follow."""
        return cls(id=job.id, seq=job.seq, bucket=job.bucket, key=job.key, code=int(job.code),
                   status=STATUS_WORDS[Code(job.code)], desc=DESC[Code(job.code)],
                   pipeline=job.pipeline or "default", progress=job.progress if job.code == Code.RUNNING else None,
                   created=clock(job.created_ns / 1e9), seconds=duration(job, now_ns),
                   commands=[readable_command(i.cmd) for i in job.items],
                   notify_url=job.notify_url)


def readable_command(text: str) -> str:
    """A command with its saveas entry decoded (``...|saveas/bucket:key``), as a list shows it;
    an entry that does not decode is shown as it was sent."""
    head, sep, tail = text.rpartition("|saveas/")
    if not sep:
        return text
    entry, _, rest = tail.partition("/")
    try:
        bucket, key = decode_entry(entry)
    except QiniuError:
        return text
    target = f"{bucket}:{key}" if key is not None else f"{bucket}: (default key)"
    return f"{head}|saveas/{target}" + (f"/{rest}" if rest else "")


def duration(job: Job, now_ns: int) -> float | None:
    """Seconds from start to finish, or so far (until ``now_ns``) while running; None before it starts."""
    if not job.started_ns:
        return None
    end = job.finished_ns or now_ns
    return round((end - job.started_ns) / 1e9, 3)


@dataclass(frozen=True)
class OpView:
    name: str
    text: str
    args: list[tuple[str, str]]


@dataclass(frozen=True)
class CommandView:
    """One ``;`` command decoded: its ops with their arguments, and where it saves."""

    text: str
    ops: list[OpView] = field(default_factory=list)
    saveas: str = ""  # "bucket:key"; "" without a saveas
    error: str = ""


def command_view(text: str, registry: Registry) -> CommandView:
    try:
        pipeline = parse_pipeline(text, registry, allow_sign=True)
    except QiniuError as exc:
        return CommandView(text, error=exc.message)
    return decoded(pipeline)


def decoded(pipeline: Pipeline) -> CommandView:
    ops = [OpView(op.name, op.text, _set_args(op.args)) for op in pipeline.ops]
    saveas = ""
    if pipeline.saveas is not None:
        key = pipeline.saveas.key
        saveas = f"{pipeline.saveas.bucket}:{key}" if key is not None else f"{pipeline.saveas.bucket}: (default key)"
    return CommandView(pipeline.text, ops, saveas)


def _set_args(args: object) -> list[tuple[str, str]]:
    """The arguments a command gave (fields left at None, False or empty are not shown)."""
    try:
        names = [f.name for f in fields(args)]  # type: ignore[arg-type]
    except TypeError:
        return []
    out = []
    for name in names:
        value = getattr(args, name)
        if value in (None, False, "", [], (), {}):
            continue
        out.append((name, _arg_text(value)))
    return out


def _arg_text(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_arg_text(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return " ".join(f"{k}={_arg_text(v)}" for k, v in _set_args(value))
    return str(value)


@dataclass(frozen=True)
class ItemLog:
    """The log lines of one item, with its ffmpeg command lines and stderr tail picked out."""

    lines: list[str] = field(default_factory=list)

    @property
    def ffmpeg(self) -> list[str]:
        return [line.removeprefix("ffmpeg: ") for line in self.lines if line.startswith("ffmpeg: ")]

    @property
    def stderr(self) -> list[str]:
        return [line.removeprefix("ffmpeg stderr: ") for line in self.lines if line.startswith("ffmpeg stderr: ")]

    @property
    def hints(self) -> list[str]:
        return [line.removeprefix(HINT_PREFIX) for line in self.lines if line.startswith(HINT_PREFIX)]

    @property
    def other(self) -> list[str]:
        return [line for line in self.lines if not line.startswith(("ffmpeg: ", "ffmpeg stderr: ", HINT_PREFIX))]


def split_log(lines: list[str]) -> tuple[list[str], dict[int, ItemLog]]:
    """Job-level lines, and each item's lines (after its start mark)."""
    head: list[str] = []
    items: dict[int, ItemLog] = {}
    current: list[str] = head
    for line in lines:
        mark = ITEM_MARK.fullmatch(line)
        if mark:
            current = items.setdefault(int(mark.group(1)), ItemLog()).lines
            continue
        current.append(line)
    return head, items


@dataclass(frozen=True)
class ItemView:
    index: int
    item: Item
    status: str
    command: CommandView
    timings: list[StageLog]
    log: ItemLog
    output: ObjectSide | None
    differences: list[Difference]


@dataclass(frozen=True)
class JobPage:
    row: JobRow
    job: Job
    source: ObjectSide
    items: list[ItemView]
    log: list[str]
    deliveries: list[Attempt]

    @property
    def deliveries_shown(self) -> list[tuple[Attempt, str]]:
        """Newest attempt first, each with its local time."""
        return [(a, clock(a.at_ns / 1e9)) for a in reversed(self.deliveries)]


@dataclass(frozen=True)
class Crumb:
    label: str
    prefix: str


@dataclass(frozen=True)
class ListingPage:
    bucket: BucketInfo
    prefix: str
    crumbs: list[Crumb]
    folders: list[str]
    objects: list[ObjectInfo]
    next_marker: str
    limit: int
    region_hosts: list[tuple[str, str]]  # (service, "host:port (backup port)"); empty without --regions


def crumbs(prefix: str) -> list[Crumb]:
    """``a/b/`` -> ``a/``, ``a/b/``: one link per folder level."""
    parts = [p for p in prefix.split("/")[:-1]]
    return [Crumb(part + "/", "/".join(parts[: i + 1]) + "/") for i, part in enumerate(parts)]


@dataclass(frozen=True)
class ObjectPage:
    bucket: BucketInfo
    side: ObjectSide
    links: list[Link]
    jobs: list[JobRow]


@dataclass(frozen=True)
class BucketRow:
    bucket: BucketInfo
    created: str
    domains: tuple[str, ...] = ()  # download domains: path-style, the bucket's own port


@dataclass(frozen=True)
class ScenarioRow:
    """A scenario rule as the scenarios page shows it."""

    id: str
    endpoints: str
    match: str
    effect: str  # the effect as written in a rules file
    limit: str
    hits: int
    matched: int
    spent: bool
    held: list[str]
    description: str

    @classmethod
    def of(cls, rule: ActiveRule, held: list[str]) -> "ScenarioRow":
        spec, match = rule.spec, rule.spec.match
        wanted = [f"{name} {value}" for name, value in (("bucket", match.bucket), ("key", match.key),
                                                        ("fop", match.fop), ("host", match.host)) if value is not None]
        limits = [f"{spec.times} time{'s' if spec.times != 1 else ''}"] if spec.times is not None else []
        if spec.probability != 1.0:
            limits.append(f"probability {spec.probability:g}, seed {rule.seed}")
        return cls(id=rule.id, endpoints=", ".join(spec.endpoints), match=", ".join(wanted) or "anything",
                   effect=f"{spec.effect.NAME}: {json.dumps(spec.effect.json(), ensure_ascii=False)}",
                   limit="; ".join(limits) or "every time", hits=rule.hits, matched=rule.matched,
                   spent=rule.spent, held=held, description=spec.description)
