"""Every JSON body the emulator sends, one function per shape, grouped by surface.

Records (objects, buckets, jobs) know nothing of the wire; the blueprints and the
notifier render them here, so a field's name and presence rule is written once.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .config import ACCOUNT_UID
from .fops.parse import Pipeline
from .inspection import Properties
from .job_records import DESC, Attempt, Code, Item, Job
from .scenarios import ActiveRule, Hold
from .scenarios.rules import spec_json
from .requestlog import RequestRecord
from .storage import BlockState, BucketInfo, ObjectInfo, PartInfo

# -- rs / rsf --------------------------------------------------------------------


def stat_json(obj: ObjectInfo) -> dict[str, Any]:
    """The body of ``/stat``: optional fields appear only when they carry a value."""
    body: dict[str, Any] = {
        "fsize": obj.fsize,
        "hash": obj.hash,
        "mimeType": obj.mime,
        "putTime": obj.put_time,
        "type": obj.type,
        "status": obj.status,
        "md5": obj.md5,
    }
    if obj.end_user:
        body["endUser"] = obj.end_user
    if obj.meta:
        body["x-qn-meta"] = dict(obj.meta)
    if obj.expiration:
        body["expiration"] = obj.expiration
    return body


def list_item_json(obj: ObjectInfo) -> dict[str, Any]:
    """One entry of ``items`` in a ``/list`` response (and ``item`` of ``/v2/list``)."""
    return {
        "key": obj.key,
        "hash": obj.hash,
        "fsize": obj.fsize,
        "mimeType": obj.mime,
        "putTime": obj.put_time,
        "type": obj.type,
        "status": obj.status,
        "md5": obj.md5,
        "endUser": obj.end_user,
    }


def fetch_json(obj: ObjectInfo) -> dict[str, Any]:
    """The answer of ``/fetch``: the stored object."""
    return {"hash": obj.hash, "key": obj.key, "fsize": obj.fsize, "mimeType": obj.mime}


# -- up ------------------------------------------------------------------------------


def block_json(state: BlockState, host: str) -> dict[str, Any]:
    """The answer to ``mkblk``/``bput``; ``host`` is where the next chunk goes."""
    return {"ctx": state.ctx, "checksum": state.checksum, "crc32": state.crc32,
            "offset": state.offset, "host": host, "expired_at": state.expired_at}


def part_json(part: PartInfo) -> dict[str, Any]:
    return {"size": part.size, "etag": part.etag, "partNumber": part.part_number, "putTime": part.put_time}


def upload_answer(hash_: str, key: str, persistent_id: str = "") -> dict[str, Any]:
    """The default upload response body (no returnBody in the policy)."""
    body = {"hash": hash_, "key": key}
    if persistent_id:
        body["persistentId"] = persistent_id
    return body


# -- uc ------------------------------------------------------------------------------

# The services of a region answer; without --regions each is the emulator itself.
REGION_SERVICES = ("up", "io", "io_src", "uc", "rs", "rsf", "api")


def region_v4_json(region: str, hosts: dict[str, list[str]], ttl: int) -> dict[str, Any]:
    """One entry of ``/v4/query`` ``hosts`` (and of ``/regions``): ``domains`` per service.

    ``hosts[service][0]`` is the main host; the rest are backups, so an SDK's backup host
    is a real second host (Go reads ``old`` as the alternative, Node and Python use every
    ``domains`` entry in turn).
    """
    entry: dict[str, Any] = {"region": region, "ttl": ttl, "s3": {"domains": [], "region_alias": region}}
    for service in REGION_SERVICES:
        listed = hosts[service]
        entry[service] = {"domains": list(listed), "old": listed[1:]}
    entry["up"]["acc_domains"] = hosts["up"][:1]
    return entry


def region_v3_json(region: str, hosts: dict[str, list[str]], ttl: int) -> dict[str, Any]:
    """One ``/v3/query`` entry (Java's AutoRegion), also the ``/v2/query`` body (older Go)."""
    entry: dict[str, Any] = {"region": region, "ttl": ttl}
    for service in REGION_SERVICES:
        main, backup = hosts[service][:1], hosts[service][1:]
        entry[service] = {"src": {"main": main, "backup": backup}, "acc": {"main": main, "backup": backup}}
    # The legacy /v2/query up entry also names old domains; Go reads them when present.
    entry["up"]["old_acc"] = {"main": [], "info": ""}
    entry["up"]["old_src"] = {"main": [], "info": ""}
    return entry


def regions_json(regions: dict[str, dict[str, list[str]]], ttl: int) -> dict[str, Any]:
    """``/regions``: each region id with its hosts (the Go SDK asks it before a pfop without a region)."""
    listed = []
    for region, hosts in regions.items():
        entry = region_v4_json(region, hosts, ttl)
        entry["id"] = entry.pop("region")
        listed.append(entry)
    return {"regions": listed}


def domain_v3_json(domain: str, bucket: BucketInfo, owner: int) -> dict[str, Any]:
    """One entry of ``/v3/domains`` with the fields the Node and Go SDKs declare."""
    return {"domain": domain, "tbl": bucket.name, "owner": owner, "uid": owner, "refresh": False,
            "ctime": bucket.created, "utime": bucket.created, "domainType": 0,
            "antileech": {"no_refer": True, "anti_leech_mode": 0, "anti_leech_used": False,
                          "source_enabled": False}}



def bucket_v2_json(bucket: BucketInfo) -> dict[str, Any]:
    """One entry of ``/v2/buckets`` and ``/v3/buckets``."""
    return {"id": bucket.name, "tbl": bucket.name, "zone": bucket.region, "region": bucket.region,
            "private": int(bucket.private), "ctime": bucket.created}


def bucket_info_json(bucket: BucketInfo, domains: list[str]) -> dict[str, Any]:
    return {"private": int(bucket.private), "protected": 0, "region": bucket.region,
            "zone": bucket.region, "domains": domains}


# -- dora: prefop, and the notify body that repeats it --------------------------------------


def item_json(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"cmd": item.cmd, "code": int(item.code), "desc": DESC[Code(item.code)]}
    if item.code == Code.FAILED:
        out["error"] = item.error
        if item.error_index is not None:
            out["errorIndex"] = item.error_index
    elif item.code == Code.SUCCESS and item.result is not None and not item.key:
        out["result"] = item.result
    elif item.code == Code.SUCCESS:
        out["hash"] = item.hash or ""
        out["key"] = item.key or ""
        if item.keys:
            out["keys"] = list(item.keys)
    out["returnOld"] = item.return_old
    return out


def pipeline_label(name: str) -> str:
    """How prefop names the queue a job used: ``<uid>.<name>``, ``<uid>.default.sys`` for none."""
    return f"{ACCOUNT_UID}.{name or 'default.sys'}"


def prefop_json(job: Job, code: int | None = None) -> dict[str, Any]:
    """The prefop answer for ``job``; ``code`` overrides the job's own (notify sends the final one)."""
    final = job.code if code is None else code
    out: dict[str, Any] = {
        "id": job.id,
        "code": int(final),
        "desc": DESC[Code(final)],
        "inputBucket": job.bucket,
        "inputKey": job.key,
        "pipeline": pipeline_label(job.pipeline),
        "reqid": job.reqid,
        "creationDate": job.creation_date(),
        "items": [item_json(item) for item in job.items],
    }
    if job.type:  # omitted for a normal task, as the service does (docs/fops.md §1.6)
        out["type"] = job.type
    if job.task_from:
        out["taskFrom"] = job.task_from
    return out


V3_DESC = {Code.SUCCESS: "successfully completed", Code.WAITING: "waiting", Code.RUNNING: "processing",
           Code.FAILED: "failed", Code.CALLBACK_FAILED: "notify failed", Code.CANCELLED: "cancelled"}


def task_v3_json(job: Job, code: int | None = None) -> dict[str, Any]:
    """``/v3/task/status/<id>`` and the notification of a workflow-template task: one op per
    command, reading the source (``__origin__``), with its output as ``kodo_file``."""
    final = job.code if code is None else code
    ops = []
    for index, item in enumerate(job.items):
        result: dict[str, Any] = {"code": int(item.code), "desc": V3_DESC[Code(item.code)],
                                  "has_output": bool(item.key)}
        if item.key:
            result["kodo_file"] = {"bucket": item.bucket or job.bucket, "key": item.key, "hash": item.hash or ""}
        if item.error:
            result["error"] = item.error
        ops.append({"id": f"node{index}", "fop": {"cmd": item.cmd, "input_from": "__origin__", "result": result}})
    return {
        "version": "v3", "id": job.id, "reqid": job.reqid, "pipeline": pipeline_label(job.pipeline),
        "created_at": job.created_ns // 1_000_000,
        "input": {"kodo_file": {"bucket": job.bucket, "key": job.key}},
        "code": int(final), "desc": V3_DESC[Code(final)], "ops": ops,
    }


def job_debug_json(job: Job) -> dict[str, Any]:
    """``/_emulator/jobs/<id>``: the prefop answer plus what the emulator knows beyond it."""
    out = prefop_json(job)
    out["emulator"] = {
        "seq": job.seq,
        "startedNs": job.started_ns,
        "finishedNs": job.finished_ns,
        "force": job.force,
        "notifyURL": job.notify_url,
        "notifyError": job.notify_error,
        "deliveries": [asdict(attempt) for attempt in job.deliveries],
        "progress": job.progress,
        "timings": [asdict(t) for t in job.timings],
        "log": list(job.log),
    }
    return out


# -- emulator-only: scenario rules ------------------------------------------------------


def scenario_json(rule: ActiveRule, held: list[str]) -> dict[str, Any]:
    """A rule of ``/_emulator/scenarios``: as written, plus how often it matched and fired."""
    out: dict[str, Any] = {"id": rule.id, **spec_json(rule.spec)}
    out.update(hits=rule.hits, matched=rule.matched, spent=rule.spent)
    if isinstance(rule.spec.effect, Hold):
        out["held"] = list(held)
    return out
# -- the console's endpoints under /_emulator/ --------------------------------------


def request_json(record: RequestRecord) -> dict[str, Any]:
    """One entry of ``/_emulator/requests``: tokens and signatures are never included."""
    return {"id": record.id, "time": record.at, "method": record.method, "host": record.host,
            "path": record.path, "scheme": record.scheme, "accessKey": record.account,
            "status": record.status, "reqid": record.reqid, "seconds": record.seconds,
            "error": record.error, "expected": record.expected, "note": record.note,
            "curl": record.curl()}


def properties_json(properties: Properties) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": properties.kind, "properties": {r.name: r.value for r in properties.rows}}
    if properties.error:
        out["error"] = properties.error
    return out


def console_object_json(obj: ObjectInfo, private: bool, properties: Properties, urls: dict[str, str],
                        job_ids: list[str]) -> dict[str, Any]:
    """``/_emulator/object``: the stat body plus what the console's object page shows."""
    return {"bucket": obj.bucket, "key": obj.key, "private": private, **stat_json(obj),
            **properties_json(properties), "urls": urls, "jobs": job_ids}


def listing_json(items: list[ObjectInfo], prefixes: list[str], marker: str) -> dict[str, Any]:
    """``/_emulator/objects``: a page of a bucket, shaped like ``/list``."""
    return {"items": [list_item_json(obj) for obj in items], "commonPrefixes": prefixes, "marker": marker}


def attempt_json(attempt: Attempt) -> dict[str, Any]:
    return asdict(attempt)


def fop_check_json(pipelines: list[Pipeline], error: str) -> dict[str, Any]:
    """``/_emulator/fops/check``: pfop's verdict on a fops string, and what it decodes to."""
    if error:
        return {"ok": False, "error": error}
    commands = []
    for pipeline in pipelines:
        command: dict[str, Any] = {"cmd": pipeline.text, "ops": [{"name": op.name, "text": op.text}
                                                               for op in pipeline.ops]}
        if pipeline.saveas is not None:
            command["saveas"] = {"bucket": pipeline.saveas.bucket, "key": pipeline.saveas.key}
        commands.append(command)
    return {"ok": True, "commands": commands}
