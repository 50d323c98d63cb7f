"""Command line: ``qiniu-emulator serve`` and ``qiniu-emulator fop INPUT FOPS -o OUT``."""

from __future__ import annotations

import argparse
import json
import logging
import mimetypes
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from . import __version__
from .config import Settings, describe_settings

FOP_SETTINGS = ("url_map", "ffmpeg", "op_timeout", "op_memory_mb", "fetch", "fetch_timeout", "fetch_max_bytes")


def _typed(convert: Callable[[str], Any], flag: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            return convert(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{flag}: {exc}") from None

    return parse


def add_setting_flags(parser: argparse.ArgumentParser, names: Sequence[str] | None = None) -> None:
    """One flag per setting, with its help, default and environment variable."""
    for info in describe_settings():
        if names is not None and info.name not in names:
            continue
        d = info.describe
        help_text = f"{d.help} (default: {info.default_text()}; env {info.env})".replace("%", "%%")
        if d.switch:
            parser.add_argument(info.flag, dest=info.name, action="store_const", const=True, default=None,
                                help=help_text)
            continue
        parser.add_argument(info.flag, dest=info.name, metavar=d.metavar, default=None,
                            action="append" if d.repeat else "store", type=_typed(d.parse, info.flag),
                            help=help_text)


def settings_from_args(args: argparse.Namespace, names: Sequence[str] | None = None,
                       environ: Mapping[str, str] = os.environ) -> Settings:
    """Settings from flags, else ``QINIU_EMULATOR_<NAME>``, else the defaults."""
    values: dict[str, Any] = {}
    for info in describe_settings():
        if names is not None and info.name not in names:
            continue
        given = getattr(args, info.name, None)
        if given is not None:
            values[info.name] = info.collect(given) if info.describe.repeat else given
        elif environ.get(info.env):
            try:
                values[info.name] = info.parse_text(environ[info.env])
            except ValueError as exc:
                raise ValueError(f"{info.env}: {exc}") from None
    return Settings(**values)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qiniu-emulator", description="A local Qiniu Dora/Kodo emulator.")
    parser.add_argument("--version", action="version", version=f"qiniu-emulator {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the emulator",
                                description="Run the emulator. Every flag can also be set with the "
                                            "environment variable named in its help.")
    add_setting_flags(serve)

    fop = commands.add_parser("fop", help="apply a fop string to a local file, no server needed")
    fop.add_argument("input", type=Path)
    fop.add_argument("fops")
    fop.add_argument("-o", "--output", type=Path, help="output file (a directory for multi-output ops); "
                                                       "JSON results print to stdout when omitted")
    add_setting_flags(fop, FOP_SETTINGS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "fop":
        return run_fop(args)
    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    return run_serve(settings)


def run_serve(settings: Settings) -> int:
    """Serve until stopped; a start-up failure (port, data dir) is one line and exit 1."""
    from .errors import QiniuError
    from .server import PortInUse, serve
    from .storage.lock import DataDirInUse

    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return serve(settings)
    except QiniuError as exc:
        return _fail(exc.message)
    except (PortInUse, DataDirInUse, OSError) as exc:
        return _fail(str(exc))


def _fail(message: str, status: int = 1) -> int:
    print(f"qiniu-emulator: error: {message}", file=sys.stderr)
    return status


def run_fop(args: argparse.Namespace) -> int:
    """Run one fop pipeline on a local file and write the result."""
    from .errors import QiniuError
    from .fetch import Access, UrlFetcher
    from .fetch_policy import FetchPolicy
    from .outbound import Outbound
    from .fops.catalog import default_registry
    from .fops.context import OpContext, SourceInfo
    from .fops.execute import StageFailed, run_ops
    from .fops.parse import parse_pipeline

    if not args.input.is_file():
        print(f"error: no such file: {args.input}", file=sys.stderr)
        return 2
    registry = default_registry()
    try:
        pipeline = parse_pipeline(args.fops, registry)
    except QiniuError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    settings = settings_from_args(args, FOP_SETTINGS)
    mime = mimetypes.guess_type(args.input.name)[0] or "application/octet-stream"
    scratch = Path(tempfile.mkdtemp(prefix="qiniu-fop-"))
    try:
        source = SourceInfo(key=args.input.name, fsize=args.input.stat().st_size, mime=mime)
        ctx = OpContext(scratch=scratch, source=source,
                        fetch_url=UrlFetcher(downloads=None, url_map=settings.url_map,
                                             outbound=Outbound(settings.fetch_timeout, settings.fetch_max_bytes),
                                             policy=FetchPolicy.parse(settings.fetch)).bind(Access()),
                        ffmpeg=settings.ffmpeg_exe(), op_timeout=settings.op_timeout,
                        memory_limit=settings.op_memory_mb * 1024 * 1024,
                        log=lambda line: logging.getLogger("qiniu_emulator.fop").debug(line))
        run = run_ops(pipeline.ops, args.input, mime, ctx, registry)
    except StageFailed as exc:
        print(f"error: {exc.item_error} (stage {exc.index})", file=sys.stderr)
        shutil.rmtree(scratch, ignore_errors=True)
        return 1
    try:
        _write_outputs(run.result, args.output)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _write_outputs(result, output: Path | None) -> None:
    if output is None:
        if result.mime != "application/json":
            raise SystemExit("error: the result is binary; give -o OUTPUT")
        print(json.dumps(json.loads(result.path.read_text()), ensure_ascii=False, indent=2))
        return
    if result.extra:
        output.mkdir(parents=True, exist_ok=True)
        for extra in result.extra:
            dest = output / extra.key.replace("/", "_")
            shutil.copyfile(extra.path, dest)
            print(dest)
        if result.path not in {e.path for e in result.extra}:
            shutil.copyfile(result.path, output / "output")
        return
    shutil.copyfile(result.path, output)
    print(f"{output} ({result.mime}, {output.stat().st_size} bytes)")
