"""Snapshots: ``qiniu-emulator export DIR``, ``serve --import DIR``, ``--export-on-exit DIR``.

A snapshot is a directory: ``snapshot.json`` (the format version, the scenario rules in
force and the workflow templates), ``emulator.sqlite3`` (buckets, objects with their
metadata, jobs with their items and notify attempts) and ``buckets/`` (every object's
bytes, job outputs included). Uploads in progress are left out. ``snapshot.json`` is
written last: a directory without it is not a snapshot, so an interrupted export cannot be
imported by mistake.
"""

from __future__ import annotations

import json
import shutil
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterator

from . import __version__
from .jobs.workflows import WorkflowTemplate, parse_workflows
from .scenarios.rules import RuleSpec, parse_rules, spec_json
from .storage.copying import DATABASE_NAME, check_object_paths, clear_data, holds_data, restore_data
from .storage.lock import DataDirLock

if TYPE_CHECKING:
    from .emulator import Emulator

FORMAT = 1
MANIFEST = "snapshot.json"


class SnapshotError(ValueError):
    """A snapshot that cannot be written or read here; the message says why and what to do."""


@dataclass
class Restored:
    """What an import brings besides the data directory: in-memory state."""

    objects: int = 0
    scenarios: list[RuleSpec] = field(default_factory=list)
    workflows: dict[str, WorkflowTemplate] = field(default_factory=dict)


def write_snapshot(em: "Emulator", target: Path) -> int:
    """Write ``em``'s state to ``target`` (a new or empty directory, or an older snapshot,
    which is replaced); returns how many object files it holds."""
    _prepare(target)
    count = em.storage.export_files(target)
    manifest = {
        "format": FORMAT,
        "emulator": __version__,
        "created": round(em.clock.now(), 3),
        "objects": count,
        "scenarios": [{"id": rule.id, **spec_json(rule.spec)} for rule in em.scenarios.rules()],
        "workflows": [{"id": t.id, "fops": t.fops, "pipeline": t.pipeline, "notifyURL": t.notify_url}
                      for t in em.jobs.workflows.values()],
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return count


def snapshot_archive(em: "Emulator") -> "ArchiveFile":
    """A snapshot as an uncompressed tar archive (what ``GET /_emulator/snapshot`` sends),
    written to a scratch file of the data dir (object files are hard-linked there, and no
    object is held in memory), read back in chunks and removed once sent."""
    scratch = em.storage.scratch_dir("snapshot")
    try:
        root, path = scratch / "snapshot", scratch / "snapshot.tar"
        write_snapshot(em, root)
        with tarfile.open(path, mode="w") as archive:
            for member in sorted(root.rglob("*")):
                if member.is_file():
                    archive.add(member, arcname=member.relative_to(root).as_posix())
        return ArchiveFile(path, lambda: em.storage.remove_scratch(scratch))
    except BaseException:
        em.storage.remove_scratch(scratch)
        raise


class ArchiveFile:
    """A file sent in chunks (a WSGI body); ``close`` removes it, sent in full or not."""

    CHUNK = 1024 * 1024

    def __init__(self, path: Path, remove: Callable[[], None]) -> None:
        self.size = path.stat().st_size
        self._file: BinaryIO = path.open("rb")
        self._remove = remove

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self._file.read(self.CHUNK):
            yield chunk

    def close(self) -> None:
        self._file.close()
        self._remove()


def unpack_archive(stream: BinaryIO, target: Path) -> None:
    """Unpack what :func:`snapshot_archive` made, read as a stream, into ``target`` (new,
    empty, or an older snapshot)."""
    _prepare(target)
    try:
        with tarfile.open(fileobj=stream, mode="r|") as archive:
            archive.extractall(target, filter="data")  # refuses absolute paths, .. and links out
    except (tarfile.TarError, OSError) as exc:
        raise SnapshotError(f"the snapshot archive is unreadable: {exc}") from None
    read_manifest(target)


def read_manifest(snapshot: Path) -> dict[str, Any]:
    """The snapshot's manifest, checked: a clear error for what is not a snapshot, or is one
    of a newer format."""
    path = snapshot / MANIFEST
    if not path.is_file() or not (snapshot / DATABASE_NAME).is_file():
        raise SnapshotError(f"{snapshot} is not a snapshot (no {MANIFEST} and {DATABASE_NAME}); make one "
                            "with qiniu-emulator export DIR or --export-on-exit DIR")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        version = int(manifest["format"])
    except (ValueError, KeyError, TypeError):
        raise SnapshotError(f"{path} is not a readable snapshot manifest") from None
    if version > FORMAT:
        raise SnapshotError(f"{snapshot} is a format {version} snapshot, written by qiniu-emulator "
                            f"{manifest.get('emulator', 'newer')}; this qiniu-emulator ({__version__}) reads "
                            f"format {FORMAT} at most: upgrade it to import this snapshot")
    return manifest


def import_snapshot(snapshot: Path, data_dir: Path, force: bool) -> Restored:
    """Fill ``data_dir`` from ``snapshot``; a data dir that holds data is refused unless ``force``."""
    manifest = read_manifest(snapshot)
    try:
        check_object_paths(snapshot / DATABASE_NAME, data_dir)
    except ValueError as exc:
        raise SnapshotError(f"{snapshot} cannot be imported: {exc}") from None
    lock = DataDirLock(data_dir)  # a running emulator's data dir is never replaced
    data_dir.mkdir(parents=True, exist_ok=True)
    lock.acquire()
    try:
        if holds_data(data_dir):
            if not force:
                raise SnapshotError(f"--import: the data dir {data_dir} already holds buckets or objects; "
                                    "use --force to replace them, or choose an empty --data")
            clear_data(data_dir)
        objects = restore_data(snapshot, data_dir)
    finally:
        lock.release()
    try:
        return Restored(objects=objects, scenarios=parse_rules(manifest.get("scenarios") or []),
                        workflows=parse_workflows(manifest.get("workflows") or []))
    except ValueError as exc:
        raise SnapshotError(f"{snapshot / MANIFEST}: {exc}") from None


def check_target(target: Path) -> None:
    """Raise :class:`SnapshotError` unless a snapshot may be written to ``target``: a new or
    empty directory, or an older snapshot (checked at start for ``--export-on-exit``, so a
    wrong path is said before the state it would have kept is made)."""
    if target.exists() and not target.is_dir():
        raise SnapshotError(f"{target} is not a directory")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise SnapshotError(f"{target} is not empty and holds no snapshot: choose an empty or new directory")


def _prepare(target: Path) -> None:
    """Make ``target`` ready to receive a snapshot, never removing what is not one."""
    check_target(target)
    if target.is_dir() and any(target.iterdir()):
        shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)
