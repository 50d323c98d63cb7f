"""Settings: one dataclass whose fields describe themselves once.

Each field carries its help, how one value is parsed from text, its flag and whether it
repeats. The command line (``qiniu-emulator serve --help``), the ``QINIU_EMULATOR_<NAME>``
environment variables and the README's configuration table are all generated from
these descriptions, so they cannot drift apart.
"""

from __future__ import annotations

import os
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Iterator

from .bucket_ports import parse_port_range
from .fetch_policy import FetchPolicy
from .fidelity import MODES as FIDELITY_MODES
from .fops.profiles import profile_named
from .regions import parse_regions

# Documented development credentials: printed at start-up, never valid on the real service.
DEFAULT_ACCESS_KEY = "qiniu-emulator-ak"
DEFAULT_SECRET_KEY = "qiniu-emulator-sk"
# Qiniu reports pipelines as "<uid>.<name>"; the emulator has one made-up account uid.
ACCOUNT_UID = "1380000000"
ENV_PREFIX = "QINIU_EMULATOR_"
AUTH_MODES = ("strict", "lax", "off")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def parse_account(text: str) -> tuple[str, str]:
    access_key, sep, secret_key = text.partition(":")
    if not sep or not access_key or not secret_key:
        raise ValueError(f"account must be ACCESS_KEY:SECRET_KEY, got {text!r}")
    return access_key, secret_key


def parse_pipeline_option(text: str) -> tuple[str, int]:
    name, sep, concurrency = text.partition(":")
    if not name:
        raise ValueError(f"pipeline must be NAME[:CONCURRENCY], got {text!r}")
    if not sep:
        return name, 1
    if not concurrency.isdigit() or int(concurrency) < 1:
        raise ValueError(f"pipeline concurrency must be a positive integer, got {text!r}")
    return name, int(concurrency)


def parse_url_map(text: str) -> tuple[str, Path]:
    prefix, sep, directory = text.partition("=")
    if not sep or not prefix or not directory:
        raise ValueError(f"url map must be PREFIX=DIR, got {text!r}")
    return prefix, Path(directory)


def parse_s3_alias(text: str) -> tuple[str, str]:
    bucket, sep, alias = text.partition("=")
    if not sep or not bucket or not alias:
        raise ValueError(f"S3 alias must be BUCKET=S3NAME, got {text!r}")
    return bucket, alias


def _fetch_policy(text: str) -> str:
    FetchPolicy.parse(text)  # validated here, parsed again where it is used
    return text


def choice(*values: str, upper: bool = False) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.upper() if upper else text
        if value not in values:
            raise ValueError(f"{text!r} is not one of {', '.join(values)}")
        return value

    return parse


def boolean(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ValueError(f"{text!r} is not one of 1, true, yes, on, 0, false, no, off")
    return value in ("1", "true", "yes", "on")


def port_number(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError(f"{text!r} is not a port number")
    return value


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(f"{text!r} is not a positive integer")
    return value


def on_off(text: str) -> bool:
    value = text.strip().lower()
    if value in ("on", "true", "yes", "1"):
        return True
    if value in ("off", "false", "no", "0"):
        return False
    raise ValueError(f"{text!r} is not on or off")


def seconds(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError(f"{text!r} is not a positive number of seconds")
    return value


@dataclass(frozen=True)
class Describe:
    """How one setting appears on the command line and in the environment."""

    help: str
    parse: Callable[[str], Any] = str
    flag: str = ""  # default: --<name with dashes>
    metavar: str | None = None
    repeat: bool = False  # a repeatable flag; comma-separated in the environment
    switch: bool = False  # a flag without a value (``--tls``); 1/true/yes/on in the environment
    default_text: str = ""  # how the README shows a default that is computed
    # The flags' values add to the variable's instead of replacing them: for settings where
    # losing the variable's items silently would surprise (buckets created at start).
    adds: bool = False


def setting(default: Any, help: str, **describe: Any) -> Any:
    """A Settings field with its description; ``default`` may be a zero-argument factory."""
    meta = {"describe": Describe(help, **describe)}
    if callable(default):
        return field(default_factory=default, metadata=meta)
    return field(default=default, metadata=meta)


def _cpu_count() -> int:
    return os.cpu_count() or 2


@dataclass
class Settings:
    """Everything the emulator can be told. Defaults give a usable dev server."""

    host: str = setting("127.0.0.1", "listen address", metavar="ADDRESS")
    port: int = setting(9000, "listen port (0 picks a free one)", parse=port_number, metavar="PORT")
    data: Path = setting(Path("./.qiniu-emulator"), "data directory", parse=Path, metavar="DIR",
                         default_text="./.qiniu-emulator")
    ephemeral: bool = setting(False, "state lives only as long as the process: a fresh temp dir instead of "
                              "--data, nothing fsynced, removed at exit (same answers on the wire; for CI "
                              "and test sessions)", parse=boolean, switch=True)
    import_dir: Path | None = setting(None, "start from a snapshot (qiniu-emulator export, --export-on-exit): "
                                      "buckets, objects, jobs, workflow templates and scenario rules; a data "
                                      "dir that holds data is refused unless --force", parse=Path,
                                      flag="--import", metavar="DIR")
    force: bool = setting(False, "with --import, replace what the data dir holds", parse=boolean, switch=True)
    export_on_exit: Path | None = setting(None, "write a snapshot to DIR when the emulator stops (a new or empty "
                                          "DIR, or an older snapshot, which is replaced)", parse=Path,
                                          metavar="DIR")
    accounts: list[tuple[str, str]] = setting(
        list, "accepted credentials", parse=parse_account,
        flag="--account", metavar="AK:SK", repeat=True, default_text="the dev pair")
    buckets: list[str] = setting(list, "buckets created at start (NAME@REGION: in that region); --bucket "
                                 "flags add to the variable's buckets", flag="--bucket", metavar="NAME[@REGION]",
                                 repeat=True, adds=True, default_text="none")
    auth: str = setting("strict", "strict checks every signature; lax accepts any configured account and "
                        "logs what it expected; off checks nothing (warned at start)",
                        parse=choice(*AUTH_MODES), metavar="|".join(AUTH_MODES))
    seed_dir: Path | None = setting(None, "each top-level folder becomes a bucket, each file an object",
                                    parse=Path, metavar="DIR")
    workers: int = setting(_cpu_count, "job worker threads", parse=positive_int, metavar="N",
                           default_text="CPU cores")
    pipelines: dict[str, int] = setting(
        dict, "declare a queue and its concurrency; other pipelines are created on first use unless --strict-pipelines",
        parse=parse_pipeline_option, flag="--pipeline", metavar="NAME:CONCURRENCY", repeat=True,
        default_text="none")
    strict_pipelines: bool = setting(False, "only --pipeline queues exist, as only queues made in the console "
                                     "do; other names are answered 612", parse=boolean, switch=True)
    init: Path | None = setting(None, "run the executable *.sh and *.py files of DIR in name order once the "
                                "emulator accepts connections, with QINIU_EMULATOR_URL, QINIU_ACCESS_KEY and "
                                "QINIU_SECRET_KEY set; /_emulator/health answers 503 until they end",
                                parse=Path, metavar="DIR")
    init_strict: bool = setting(False, "a failing --init hook stops the emulator (exit 1); otherwise it is "
                                "reported in one line and the next hooks run", parse=boolean, switch=True)
    workflows: Path | None = setting(None, "workflow templates (JSON or YAML)", parse=Path, metavar="FILE")
    scenarios: Path | None = setting(None, "scenario rules in force from the start: injected answers, "
                                     "latency, held jobs, failed items and notifications (JSON or YAML)",
                                     parse=Path, metavar="FILE")
    fidelity: str = setting("strict", "strict refuses a put-policy field, form field or op parameter that the "
                            "emulator knows but does not emulate; loose ignores it and logs it once",
                            parse=choice(*FIDELITY_MODES), metavar="|".join(FIDELITY_MODES))
    url_map: list[tuple[str, Path]] = setting(
        list, "serve URLs starting with PREFIX from DIR (watermark images, avconcat pieces)",
        parse=parse_url_map, metavar="PREFIX=DIR", repeat=True, default_text="none")
    op_timeout: float = setting(600.0, "wall-clock limit per op in seconds (ffmpeg is killed)",
                                parse=seconds, metavar="SECONDS")
    notify_attempts: int = setting(3, "notify deliveries tried per job", parse=positive_int, metavar="N")
    notify_backoff: float = setting(0.5, "seconds before the second notify attempt (doubling after)",
                                    parse=float, metavar="SECONDS")
    notify_timeout: float = setting(5.0, "deadline of one notify or upload-callback exchange",
                                    parse=seconds, metavar="SECONDS")
    fetch: str = setting("public", "which URLs ops may fetch: any; public (not loopback or private "
                         "addresses); loopback; none; or allow=<prefix>,<prefix>. The emulator's own "
                         "objects and --url-map are never fetched over the network",
                         parse=_fetch_policy, metavar="POLICY")
    fetch_timeout: float = setting(5.0, "deadline of one URL fetch by an op", parse=seconds, metavar="SECONDS")
    fetch_max_bytes: int = setting(50 * 1024 * 1024, "largest resource an op may fetch",
                                   parse=positive_int, metavar="BYTES")
    ffmpeg: str | None = setting(None, "an ffmpeg binary instead of the bundled one", metavar="PATH",
                                 default_text="bundled")
    domain_suffix: str = setting("localhost", "bucket download domains are <bucket>.<suffix>",
                                 metavar="SUFFIX")
    bucket_ports: str | None = setting(None, "each bucket's own download port, a domain that is a plain "
                                       "host:port reaching only that bucket: a range START-END, auto (free "
                                       "ports) or off", parse=parse_port_range, metavar="START-END|auto|off",
                                       default_text="--port + 10 to --port + 99")
    tls: bool = setting(False, "also serve https, with a local CA made under <data>/tls at first start",
                        parse=boolean, switch=True)
    tls_port: int | None = setting(None, "the https port (0 picks a free one)", parse=port_number,
                                   metavar="PORT", default_text="--port + 1")
    regions: list[str] = setting(list, "serve these Qiniu regions (z0, cn-east-2, z1, z2, na0, as0, ...), each "
                                 "with its own up, io, rs, rsf and api hosts and a backup of each; region "
                                 "queries answer with a bucket's region; uc stays on --port",
                                 parse=parse_regions, metavar="ID,ID", default_text="off (one host for all)")
    region_ports: int | None = setting(None, "first port of the region hosts: each region takes 10 in a row "
                                       "(up, io, rs, rsf, api, then their backups); 0 picks free ones",
                                       parse=port_number, metavar="PORT", default_text="--port + 100")
    region_ttl: int = setting(60, "the ttl of region query answers: how many seconds an SDK may keep a "
                              "bucket's hosts before it asks again", parse=positive_int, metavar="SECONDS")
    s3_port: int | None = setting(None, "the S3-compatible API's port (0 picks a free one; with --tls, https "
                                  "one above); the main port also answers Host names s3-<region>.qiniucs.com "
                                  "and <bucket>.s3-<region>.qiniucs.com",
                                  parse=port_number, metavar="PORT", default_text="--port + 3")
    s3_aliases: dict[str, str] = setting(
        dict, "the S3 name of a bucket whose Kodo name is taken in S3's global namespace (Kodo assigns one); "
        "the S3 API knows the bucket only by it", parse=parse_s3_alias, flag="--s3-alias",
        metavar="BUCKET=S3NAME", repeat=True, default_text="none")
    threads: int = setting(8, "requests handled at once on the service ports", parse=positive_int, metavar="N")
    sync_workers: int = setting(2, "synchronous ?fop downloads that may run at once; more are answered "
                                "573 with Retry-After", parse=positive_int, metavar="N")
    op_memory_mb: int = setting(1024, "memory the image ops of all sync downloads and job workers may hold "
                                "together, in MB; an op needing more is refused before decoding, one needing "
                                "more than is free waits", parse=positive_int, metavar="MB")
    pin_requests: bool = setting(True, "run the threads serving requests on one CPU (Linux): Python runs one "
                                 "thread at a time, and handing that right between cores costs more than it "
                                 "gains; sync fops and streaming bodies still use every CPU",
                                 parse=on_off, metavar="on|off", default_text="on")
    console: bool = setting(True, "the browser console at /_emulator/ui/ on the admin port and its JSON "
                            "endpoints; anyone who can reach that port can use it", parse=on_off, metavar="on|off",
                            default_text="on")
    admin_host: str = setting("127.0.0.1", "listen address of the console and every /_emulator/ endpoint, an "
                              "origin of their own that serves no object bytes (loopback: they can change "
                              "everything)", metavar="ADDRESS")
    admin_port: int | None = setting(None, "port of the console and the /_emulator/ endpoints (0 picks a free one)",
                                     parse=port_number, metavar="PORT", default_text="--port + 2")
    admin_names: list[str] = setting(list, "more Host names the console and /_emulator/ endpoints answer to "
                                     "(127.0.0.1, localhost, [::1] and the listen addresses always do; any "
                                     "other is answered 421)", flag="--admin-name", metavar="NAME", repeat=True,
                                     default_text="none")
    request_log: int = setting(1000, "recent HTTP requests the console lists (the oldest are dropped)",
                               parse=positive_int, metavar="N")
    encode: str = setting("fast", "encoder effort: fast (x264 ultrafast, WebP/AVIF lowest effort; outputs keep "
                          "every requested property: size, codecs, durations, bitrate limits) or faithful "
                          "(slower presets, file sizes closer to a real encoder's)",
                          parse=choice("fast", "faithful"), metavar="fast|faithful")
    log_level: str = setting("INFO", "logging level", parse=choice(*LOG_LEVELS, upper=True),
                             metavar="|".join(LOG_LEVELS))

    def __post_init__(self) -> None:
        self.data = Path(self.data)
        if not self.accounts:
            self.accounts = [(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)]
        if self.auth not in AUTH_MODES:
            raise ValueError(f"auth must be strict, lax or off, not {self.auth!r}")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        _fetch_policy(self.fetch)
        if self.fidelity not in FIDELITY_MODES:
            raise ValueError(f"fidelity must be strict or loose, not {self.fidelity!r}")
        profile_named(self.encode)

    @property
    def account_map(self) -> dict[str, str]:
        return dict(self.accounts)

    def https_port(self) -> int:
        """Where --tls listens: --tls-port, else the next port (a free one when --port is 0)."""
        if self.tls_port is not None:
            return self.tls_port
        return self.port + 1 if self.port else 0

    def bucket_port_spec(self) -> str:
        """--bucket-ports, else 90 ports from --port + 10 (free ones when --port is 0)."""
        if self.bucket_ports is not None:
            return self.bucket_ports
        return f"{self.port + 10}-{self.port + 99}" if self.port else "auto"

    def admin_port_number(self) -> int:
        """Where the admin origin listens: --admin-port, else --port + 2 (a free one when --port is 0)."""
        if self.admin_port is not None:
            return self.admin_port
        return self.port + 2 if self.port else 0

    def region_base_port(self) -> int:
        """Where the region hosts start: --region-ports, else 100 above --port (free ones when --port is 0)."""
        if self.region_ports is not None:
            return self.region_ports
        return self.port + 100 if self.port else 0

    def s3_listen_port(self) -> int:
        """Where the S3 door listens: --s3-port, else --port + 3 (a free one when --port is 0)."""
        if self.s3_port is not None:
            return self.s3_port
        return self.port + 3 if self.port else 0

    def ffmpeg_exe(self) -> str:
        """The ffmpeg binary: the one asked for, else the imageio-ffmpeg wheel's."""
        if self.ffmpeg:
            return self.ffmpeg
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()


@dataclass(frozen=True)
class SettingInfo:
    """A setting as the command line, the environment and the README see it."""

    name: str
    flag: str
    env: str
    describe: Describe
    default: Any

    def default_text(self) -> str:
        if self.describe.default_text:
            return self.describe.default_text
        if isinstance(self.default, bool):
            return "on" if self.default else "off"
        return "none" if self.default is None else str(self.default)

    def parse_text(self, text: str) -> Any:
        """A value from text: a repeatable setting takes comma- or space-separated items."""
        if not self.describe.repeat:
            return self.describe.parse(text)
        return self.collect([self.describe.parse(part) for part in text.replace(",", " ").split() if part])

    def collect(self, values: list[Any]) -> Any:
        return dict(values) if isinstance(self.default, dict) else list(values)


def describe_settings() -> Iterator[SettingInfo]:
    """Every setting with its flag, environment variable and default, in declaration order."""
    for f in fields(Settings):
        describe: Describe = f.metadata["describe"]
        yield SettingInfo(name=f.name, flag=describe.flag or "--" + f.name.replace("_", "-"),
                          env=ENV_PREFIX + f.name.upper(), describe=describe, default=_default(f))


def _default(f: Field[Any]) -> Any:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return None


def settings_table() -> str:
    """The README's configuration table (Markdown), generated from the descriptions."""
    lines = ["| flag | env | default | meaning |", "|---|---|---|---|"]
    for info in describe_settings():
        flag = info.flag + (f" {info.describe.metavar}" if info.describe.metavar and not info.describe.switch else "")
        flag += " (repeat)" if info.describe.repeat else ""
        meaning = info.describe.help.replace("|", "\\|")
        lines.append(f"| `{flag.replace('|', chr(92) + '|')}` | `{info.env}` | `{info.default_text()}` | {meaning} |")
    return "\n".join(lines)
