"""Settings: one dataclass, filled from command-line flags and ``QINIU_EMULATOR_*``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# Documented development credentials: printed at start-up, never valid on the real service.
DEFAULT_ACCESS_KEY = "qiniu-emulator-ak"
DEFAULT_SECRET_KEY = "qiniu-emulator-sk"
# Qiniu reports pipelines as "<uid>.<name>"; the emulator has one made-up account uid.
ACCOUNT_UID = "1380000000"


@dataclass
class Settings:
    """Everything the emulator can be told. Defaults give a usable dev server."""

    host: str = "127.0.0.1"
    port: int = 9000
    data: Path = Path("./.qiniu-emulator")
    accounts: list[tuple[str, str]] = field(default_factory=list)
    buckets: list[str] = field(default_factory=list)
    auth: str = "strict"
    seed_dir: Path | None = None
    workers: int = field(default_factory=lambda: os.cpu_count() or 2)
    pipelines: dict[str, int] = field(default_factory=dict)
    workflows: Path | None = None
    url_map: list[tuple[str, Path]] = field(default_factory=list)
    op_timeout: float = 600.0
    notify_attempts: int = 3
    notify_backoff: float = 0.5
    notify_timeout: float = 5.0
    fetch_timeout: float = 5.0
    fetch_max_bytes: int = 50 * 1024 * 1024
    ffmpeg: str | None = None
    domain_suffix: str = "localhost"
    threads: int = 8

    def __post_init__(self) -> None:
        self.data = Path(self.data)
        if not self.accounts:
            self.accounts = [(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)]
        if self.auth not in ("strict", "lax", "off"):
            raise ValueError(f"auth must be strict, lax or off, not {self.auth!r}")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")

    @property
    def account_map(self) -> dict[str, str]:
        return dict(self.accounts)

    def ffmpeg_exe(self) -> str:
        """The ffmpeg binary: the one asked for, else the imageio-ffmpeg wheel's."""
        if self.ffmpeg:
            return self.ffmpeg
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()


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
