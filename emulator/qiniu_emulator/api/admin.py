"""Emulator-only endpoints under ``/_emulator``: health, reset, job inspection."""

from __future__ import annotations

import functools
import math
import platform

from flask import Blueprint, Response, request

from .. import __version__
from ..errors import QiniuError
from ..fops.catalog import parameters_json
from ..wire import job_debug_json
from . import emulator, int_arg, json_response

bp = Blueprint("admin", __name__, url_prefix="/_emulator")


@functools.lru_cache(maxsize=1)
def dependency_versions() -> dict[str, str]:
    """Installed versions of what the emulator runs on (they cannot change while it runs)."""
    from importlib.metadata import PackageNotFoundError, version

    names = ("flask", "werkzeug", "pillow", "av", "imageio-ffmpeg", "ffmpeg-python", "pypdfium2")
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "missing"
    return versions


@bp.route("/health", methods=["GET"])
def health() -> Response:
    em = emulator()
    draining = em.draining.is_set()
    initializing = em.init_status == "running"
    counts = em.jobs.counts()
    body = {
        "status": "draining" if draining else "initializing" if initializing else "ok",
        "init": em.init_status,
        "version": __version__,
        "dependencies": dict(dependency_versions()),
        "jobs": {"running": counts.running, "queued": counts.queued, "waitedOn": em.jobs.watcher.waiting()},
        "syncFops": {"running": em.sync_fops.running(), "slots": em.sync_fops.slots},
        "childProcesses": em.jobs.processor.children.count(),
        "buckets": [b.name for b in em.storage.list_buckets()],
        "ops": em.registry.names(),
        "opParameters": parameters_json(em.registry),
        "fidelity": em.settings.fidelity,
        "workflows": em.jobs.workflow_ids(),
        "urlMap": [prefix for prefix, _ in em.settings.url_map],
    }
    return json_response(body, status=503 if draining or initializing else 200)


@bp.route("/reset", methods=["POST"])
def reset() -> Response:
    bucket = request.args.get("bucket") or None
    emulator().reset(bucket)
    return json_response({"reset": bucket or "all"})


@bp.route("/jobs", methods=["GET"])
def jobs() -> Response:
    limit = int_arg("limit", 100)
    if not 1 <= limit <= 1000:
        raise QiniuError.bad_request("limit must be between 1 and 1000")
    before = int_arg("before", 0, request.args.get("before", "")) or None
    listed = emulator().jobs.recent(limit, request.args.get("bucket") or None, before)
    body: dict = {"jobs": [job_debug_json(job) for job in listed]}
    if len(listed) == limit:
        body["before"] = listed[-1].seq  # pass it back to read the next (older) page
    return json_response(body)


@bp.route("/pipelines/<name>", methods=["DELETE"])
def delete_pipeline(name: str) -> Response:
    """Delete a queue as the console does: its waiting jobs are cancelled (code 5)."""
    return json_response({"pipeline": name, "cancelled": emulator().jobs.delete_pipeline(name)})


@bp.route("/jobs/<job_id>", methods=["GET"])
def job(job_id: str) -> Response:
    """The job with per-op details; ``?wait=S`` holds the answer until the job finishes (or,
    with ``&progress=P``, until its progress is no longer P), at most S seconds."""
    wait = _number_arg("wait")
    if wait is None:
        return json_response(job_debug_json(emulator().jobs.get(job_id)))
    return json_response(job_debug_json(emulator().jobs.watch(job_id, wait, _number_arg("progress"))))


def _number_arg(name: str) -> float | None:
    text = request.args.get(name)
    if text is None or text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise QiniuError.bad_request(f"{name} must be a number, not {text!r}")
    return value
