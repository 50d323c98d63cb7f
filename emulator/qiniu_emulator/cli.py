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
from typing import Callable, Sequence

from . import __version__
from .config import Settings, parse_account, parse_pipeline_option, parse_url_map

ENV_PREFIX = "QINIU_EMULATOR_"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(ENV_PREFIX + name, default)


def _env_list(name: str) -> list[str]:
    """A list flag's default from the environment: comma- or space-separated."""
    text = _env(name) or ""
    return [part for part in text.replace(",", " ").split() if part]


def _typed(convert: Callable, flag: str) -> Callable:
    def parse(text: str):
        try:
            return convert(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{flag}: {exc}") from None

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qiniu-emulator", description="A local Qiniu Dora/Kodo emulator.")
    parser.add_argument("--version", action="version", version=f"qiniu-emulator {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the emulator (every flag also reads QINIU_EMULATOR_<FLAG>)")
    serve.add_argument("--host", default=_env("HOST", "127.0.0.1"))
    # string defaults go through ``type``, so a bad QINIU_EMULATOR_* value is a usage error
    serve.add_argument("--port", type=int, default=_env("PORT", "9000"))
    serve.add_argument("--data", type=Path, default=Path(_env("DATA", "./.qiniu-emulator")))
    serve.add_argument("--account", dest="accounts", action="append", metavar="AK:SK",
                       type=_typed(parse_account, "--account"))
    serve.add_argument("--bucket", dest="buckets", action="append", metavar="NAME")
    serve.add_argument("--auth", choices=("strict", "lax", "off"), default=_env("AUTH", "strict"))
    serve.add_argument("--seed-dir", type=Path, default=_env("SEED_DIR"))
    serve.add_argument("--workers", type=int, default=_env("WORKERS", str(os.cpu_count() or 2)))
    serve.add_argument("--pipeline", dest="pipelines", action="append", metavar="NAME:CONCURRENCY",
                       type=_typed(parse_pipeline_option, "--pipeline"))
    serve.add_argument("--workflows", type=Path, default=_env("WORKFLOWS"))
    serve.add_argument("--url-map", dest="url_map", action="append", metavar="PREFIX=DIR",
                       type=_typed(parse_url_map, "--url-map"))
    serve.add_argument("--op-timeout", type=float, default=_env("OP_TIMEOUT", "600"))
    serve.add_argument("--ffmpeg", default=_env("FFMPEG"), help="an ffmpeg binary to use instead of the bundled one")
    serve.add_argument("--domain-suffix", default=_env("DOMAIN_SUFFIX", "localhost"))
    serve.add_argument("--threads", type=int, default=_env("THREADS", "8"))
    serve.add_argument("--log-level", type=str.upper, default=_env("LOG_LEVEL", "INFO"),
                       choices=("DEBUG", "INFO", "WARNING", "ERROR"))

    fop = commands.add_parser("fop", help="apply a fop string to a local file, no server needed")
    fop.add_argument("input", type=Path)
    fop.add_argument("fops")
    fop.add_argument("-o", "--output", type=Path, help="output file (a directory for multi-output ops); "
                                                       "JSON results print to stdout when omitted")
    fop.add_argument("--url-map", dest="url_map", action="append", metavar="PREFIX=DIR", default=[],
                     type=_typed(parse_url_map, "--url-map"))
    fop.add_argument("--ffmpeg", default=_env("FFMPEG"))
    fop.add_argument("--op-timeout", type=float, default=600.0)
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    accounts = args.accounts or [parse_account(a) for a in _env_list("ACCOUNTS")]
    pipelines = args.pipelines or [parse_pipeline_option(p) for p in _env_list("PIPELINES")]
    url_map = args.url_map or [parse_url_map(u) for u in _env_list("URL_MAP")]
    return Settings(
        host=args.host, port=args.port, data=args.data, accounts=accounts,
        buckets=args.buckets or _env_list("BUCKETS"), auth=args.auth, seed_dir=args.seed_dir,
        workers=args.workers, pipelines=dict(pipelines), workflows=args.workflows, url_map=url_map,
        op_timeout=args.op_timeout, ffmpeg=args.ffmpeg, domain_suffix=args.domain_suffix,
        threads=args.threads,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "fop":
        return run_fop(args)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from .errors import QiniuError
    from .server import serve

    try:
        return serve(settings_from_args(args))
    except QiniuError as exc:
        parser.error(exc.message)
    except (ValueError, OSError) as exc:
        parser.error(str(exc))


def run_fop(args: argparse.Namespace) -> int:
    """Run one fop pipeline on a local file and write the result."""
    from .errors import QiniuError
    from .fetch import UrlFetcher
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
    mime = mimetypes.guess_type(args.input.name)[0] or "application/octet-stream"
    scratch = Path(tempfile.mkdtemp(prefix="qiniu-fop-"))
    try:
        ctx = OpContext(scratch=scratch, source=SourceInfo(key=args.input.name, fsize=args.input.stat().st_size, mime=mime),
                        fetch_url=UrlFetcher(storage=None, url_map=args.url_map),
                        ffmpeg=Settings(ffmpeg=args.ffmpeg).ffmpeg_exe(), op_timeout=args.op_timeout,
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
