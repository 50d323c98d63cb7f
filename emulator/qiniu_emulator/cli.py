"""Command line: ``qiniu-emulator serve``, ``fop INPUT FOPS [-o OUT]`` and ``lint FOPS``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import IO, Any, Callable, Mapping, Sequence

from . import __version__
from .config import Settings, describe_settings

FOP_SETTINGS = ("url_map", "ffmpeg", "op_timeout", "op_memory_mb", "fetch", "fetch_timeout", "fetch_max_bytes",
                "encode", "fidelity")
HEALTH_SETTINGS = ("host", "port", "admin_host", "admin_port", "console")
LINT_SETTINGS = ("fidelity",)
COMMAND_SETTINGS = {"fop": FOP_SETTINGS, "health": HEALTH_SETTINGS, "export": HEALTH_SETTINGS, "lint": LINT_SETTINGS}


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
    """Settings from flags, else ``QINIU_EMULATOR_<NAME>``, else the defaults (for a setting
    that ``adds``, the flags' values after the variable's)."""
    values: dict[str, Any] = {}
    for info in describe_settings():
        if names is not None and info.name not in names:
            continue
        given = getattr(args, info.name, None)
        from_env = None
        if environ.get(info.env) and (given is None or info.describe.adds):
            try:
                from_env = info.parse_text(environ[info.env])
            except ValueError as exc:
                raise ValueError(f"{info.env}: {exc}") from None
        if given is not None:
            flags = info.collect(given) if info.describe.repeat else given
            values[info.name] = info.collect(list(dict.fromkeys([*from_env, *flags]))) if from_env else flags
        elif from_env is not None:
            values[info.name] = from_env
    return Settings(**values)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qiniu-emulator", description="A local Qiniu Dora/Kodo emulator.")
    parser.add_argument("--version", action="version", version=f"qiniu-emulator {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the emulator",
                                description="Run the emulator. Every flag can also be set with the "
                                            "environment variable named in its help.")
    add_setting_flags(serve)

    fop = commands.add_parser("fop", help="apply a fop string to a local file, no server needed",
                              description="Apply a fop string to a local file, no server needed.")
    fop.add_argument("input", type=Path)
    fop.add_argument("fops")
    fop.add_argument("-o", "--output", dest="output_text", metavar="OUTPUT",
                     help="output file, or a directory (an existing one, or a path ending in /) that "
                          "gets <input name><result extension>; further outputs (HLS segments) go at "
                          "their keys next to it. JSON results print to stdout when omitted")
    add_setting_flags(fop, FOP_SETTINGS)

    ops = commands.add_parser("ops", help="list the emulated ops and their parameters")
    ops.add_argument("names", nargs="*", metavar="OP", help="only these ops")

    lint = commands.add_parser("lint", help="check a fop string: no object, no server",
                               description="Check a fops string as pfop would parse it. Exit status: 0 "
                                           "every command runs here, 1 one is wrong (typo, bad parameter), "
                                           "3 one uses a real Qiniu op the emulator does not emulate.")
    lint.add_argument("fops")
    add_setting_flags(lint, LINT_SETTINGS)

    health = commands.add_parser("health", help="exit 0 when the emulator answers its health check",
                                 description="Ask the emulator at --admin-host/--admin-port (QINIU_EMULATOR_ADMIN_HOST/_PORT, "
                                             "as serve reads them) for /_emulator/health: exit 0 when it "
                                             "answers 200, 1 otherwise. For container healthchecks.")
    add_setting_flags(health, HEALTH_SETTINGS)

    export = commands.add_parser("export", help="save a running emulator's state to a snapshot directory",
                                 description="Ask the emulator at --host/--port for a snapshot (buckets, "
                                             "objects, jobs, workflow templates, scenario rules) and write it "
                                             "to DIR (new, empty, or an older snapshot, which is replaced). "
                                             "Start from it with serve --import DIR.")
    export.add_argument("directory", type=Path, metavar="DIR")
    add_setting_flags(export, HEALTH_SETTINGS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "ops":
        return print_ops(args.names)
    try:
        settings = settings_from_args(args, COMMAND_SETTINGS.get(args.command))
    except ValueError as exc:
        return _fail(str(exc), 2)
    if args.command == "lint":
        return run_lint(args.fops, settings.fidelity)
    if args.command == "fop":
        return run_fop_command(args, settings)
    if args.command == "health":
        return run_health(settings)
    if args.command == "export":
        return run_export(args.directory, settings)
    return run_serve(settings)


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class SecondCachedFormatter(logging.Formatter):
    """The standard ``asctime`` (``2026-01-02 03:04:05,678``), with the date and time of day
    formatted once per second rather than for every line."""

    def __init__(self, fmt: str) -> None:
        super().__init__(fmt)
        self._second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        second, text = self._second
        if int(record.created) != second:
            second = int(record.created)
            text = time.strftime(self.default_time_format, self.converter(record.created))
            self._second = (second, text)
        return "%s,%03d" % (text, record.msecs)


def configure_logging(level: str, stream: IO[str] | None = None) -> None:
    """The server's log: one line per record on stderr (or ``stream``). Every request writes
    one, so a record skips what the format never shows: process, thread and
    multiprocessing names, and the caller's file and line (``_srcfile`` set to None is
    logging's own switch for that stack walk)."""
    logging.logProcesses = logging.logThreads = logging.logMultiprocessing = False
    logging._srcfile = None
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SecondCachedFormatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])


def run_serve(settings: Settings) -> int:
    """Serve until stopped; a start-up failure (port, data dir) is one line and exit 1."""
    from .errors import QiniuError
    from .server import PortInUse, serve
    from .storage.lock import DataDirInUse

    configure_logging(settings.log_level)
    try:
        return serve(settings)
    except QiniuError as exc:
        return _fail(exc.message)
    except (PortInUse, DataDirInUse, OSError, ValueError) as exc:  # ValueError: a bad --scenarios file
        return _fail(str(exc))


def print_ops(names: list[str]) -> int:
    from .fops.catalog import default_registry, describe_ops

    try:
        print(describe_ops(default_registry(), names))
    except ValueError as exc:
        return _fail(str(exc), 2)
    return 0


def run_fop_command(args: argparse.Namespace, settings: Settings) -> int:
    from .local_fop import CommandError, run_fop

    args.output = Path(args.output_text) if args.output_text else None
    try:
        return run_fop(args, settings)
    except CommandError as exc:
        return _fail(exc.message, exc.status)


def run_lint(fops: str, fidelity: str) -> int:
    """Under ``--fidelity loose`` a parameter that is not emulated is ignored as serve ignores
    it, and named on stderr."""
    from .fidelity import Fidelity
    from .fops.catalog import lazy_registry
    from .lint import exit_status, lint

    findings = lint(fops, lazy_registry(Fidelity(fidelity)))
    for finding in findings:
        print(finding.line())
    return exit_status(findings)


def _admin_url(settings: Settings) -> str:
    """Health and snapshots are endpoints of the admin origin (``--admin-host``/``--admin-port``)."""
    from .admin_origin import admin_url

    return admin_url(settings)


def run_export(directory: Path, settings: Settings) -> int:
    import urllib.request

    from .snapshot import SnapshotError, unpack_archive

    url = _admin_url(settings)
    try:
        with urllib.request.urlopen(f"{url}/_emulator/snapshot", timeout=600) as answer:
            unpack_archive(answer, directory)
    except SnapshotError as exc:
        return _fail(str(exc))
    except (OSError, ValueError) as exc:
        return _fail(f"no snapshot from an emulator at {url}: {exc}")
    print(f"exported {url} to {directory}")
    return 0


def run_health(settings: Settings) -> int:
    import urllib.error
    import urllib.request

    url = _admin_url(settings)
    try:
        with urllib.request.urlopen(f"{url}/_emulator/health", timeout=2) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:
        return _fail(f"no emulator answers at {url}: {exc}")
    if status != 200:
        return _fail(f"the emulator at {url} is not healthy (HTTP {status})")
    print(f"ok: {url} (console {url}/_emulator/ui/)" if settings.console else f"ok: {url}")
    return 0


def _fail(message: str, status: int = 1) -> int:
    print(f"qiniu-emulator: error: {message}", file=sys.stderr)
    return status
