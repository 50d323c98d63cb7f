"""``qiniu-emulator fop INPUT FOPS [-o OUT]``: one pipeline on a local file, no server.

Where results go:

* no ``-o``: a JSON result is printed; anything else is an error asking for ``-o``;
* ``-o DIR/`` or an existing directory: the result is ``DIR/<input name without its
  extension><the result's extension>``;
* ``-o FILE``: the result is FILE.

Ops with several outputs (HLS segments, variant playlists, sampled frames) write each
further output at its key below the result's folder, exactly as a pfop would lay them out
in a bucket, so a playlist written here plays from here. Every failure is one line on
stderr: 2 for a bad command line or fop string, 1 when the op fails or cannot be written.
"""

from __future__ import annotations

import argparse
import json
import logging
import mimetypes
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .fops.budget import MemoryBudget
from .fops.context import OpContext, OpResult, SourceInfo
from .heap import return_large_blocks
from .storage.paths import is_inside


class CommandError(Exception):
    """A failure of the command, told in one line; ``status`` is the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Destination:
    """Where the result goes: ``folder/name``, the name's extension chosen after the run
    when the user named only a folder (``name`` then has none)."""

    folder: Path | None  # None: print a JSON result
    name: str
    named_by_user: bool

    @classmethod
    def of(cls, output: Path | None, raw: str | None, input_path: Path) -> "Destination":
        if output is None:
            return cls(None, input_path.stem, False)
        if output.is_dir() or (raw or "").endswith(("/", "\\")):
            return cls(output, input_path.stem, False)
        return cls(output.parent, output.name, True)

    @property
    def key(self) -> str:
        """The result's key relative to its folder, as ops see it (``ctx.output_key``)."""
        return self.name

    def main_path(self, result: OpResult) -> Path:
        assert self.folder is not None
        if self.named_by_user:
            return self.folder / self.name
        suffix = result.path.suffix or mimetypes.guess_extension(result.mime) or ""
        return self.folder / f"{self.name}{suffix}"


def run_fop(args: argparse.Namespace, settings: Settings) -> int:
    """Run the pipeline of ``args.fops`` on ``args.input`` and write what it produces."""
    from .errors import QiniuError
    from .fidelity import Fidelity
    from .fops.catalog import default_registry
    from .fops.execute import StageFailed, run_ops
    from .fops.parse import parse_pipeline

    if not args.input.is_file():
        raise CommandError(f"no such file: {args.input}", status=2)
    registry = default_registry(Fidelity(settings.fidelity))
    try:
        pipeline = parse_pipeline(args.fops, registry)
    except QiniuError as exc:
        raise CommandError(exc.message, status=2) from None
    destination = Destination.of(args.output, args.output_text, args.input)
    mime = mimetypes.guess_type(args.input.name)[0] or "application/octet-stream"
    scratch = Path(tempfile.mkdtemp(prefix="qiniu-fop-"))
    try:
        ctx = _context(args.input, mime, scratch, settings, destination.key)
        try:
            run = run_ops(pipeline.ops, args.input, mime, ctx, registry)
        except StageFailed as exc:
            hint = f"; {exc.hint}" if exc.hint else ""
            raise CommandError(f"{exc.item_error} (stage {exc.index}){hint}") from None
        for line in write_outputs(run.result, destination, args.input):
            print(line)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _context(source_path: Path, mime: str, scratch: Path, settings: Settings, output_key: str) -> OpContext:
    from .downloads import Access
    from .fetch import UrlFetcher
    from .fetch_policy import FetchPolicy
    from .fops.profiles import profile_named
    from .outbound import Outbound

    fetcher = UrlFetcher(downloads=None, url_map=settings.url_map,
                         outbound=Outbound(settings.fetch_timeout, settings.fetch_max_bytes),
                         policy=FetchPolicy.parse(settings.fetch))
    source = SourceInfo(key=source_path.name, fsize=source_path.stat().st_size, mime=mime)
    return_large_blocks()
    return OpContext(scratch=scratch, source=source, fetch_url=fetcher.bind(Access()),
                     ffmpeg=settings.ffmpeg_exe(), op_timeout=settings.op_timeout,
                     memory=MemoryBudget(settings.op_memory_mb * 1024 * 1024), output_key=output_key,
                     encode=profile_named(settings.encode),
                     log=lambda line: logging.getLogger("qiniu_emulator.fop").debug(line))


def write_outputs(result: OpResult, destination: Destination, input_path: Path) -> list[str]:
    """Copy the result (and its further outputs) into place; the lines to print."""
    if destination.folder is None:
        if result.mime != "application/json" or result.extra:
            raise CommandError(f"the result is {result.mime}, not JSON: give -o FILE or -o DIR/")
        return [json.dumps(json.loads(result.path.read_text(encoding="utf-8")), ensure_ascii=False, indent=2)]
    folder = destination.folder
    lines = []
    for extra in result.extra:
        lines.append(str(_copy(extra.path, _below(folder, extra.key), input_path)))
    if result.path not in {extra.path for extra in result.extra}:
        main = _copy(result.path, destination.main_path(result), input_path)
        lines.append(f"{main} ({result.mime}, {main.stat().st_size} bytes)")
    return lines


def _below(folder: Path, key: str) -> Path:
    path = folder / key
    if key.startswith("/") or not is_inside(folder.resolve(), path.resolve()):
        raise CommandError(f"output key {key!r} would be written outside {folder}")
    return path


def _copy(source: Path, target: Path, input_path: Path) -> Path:
    if target.resolve() == input_path.resolve():
        raise CommandError(f"refusing to overwrite the input {input_path}: name another output")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    except OSError as exc:
        raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target
