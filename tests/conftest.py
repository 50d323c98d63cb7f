"""Fixtures shared by the emulator tests: real servers on loopback, real clients."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import settings
from scheduling import longest_first
from support import ACCESS_KEY, BUCKETS, SECRET_KEY, WORKFLOWS_YAML

from qiniu_contracts.media import CACHE_ENV
from qiniu_emulator.config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Settings
from qiniu_emulator.server import RunningServer, start_in_thread

# CI runs the property tests with a fixed seed so a run is repeatable; locally they explore.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first (tests/scheduling.py), so xdist hands them out first."""
    longest_first(items)


MADE_MEDIA_CACHE = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    """The contracts' generated media are made once per run: every xdist worker (they start
    with this process's environment), and every contract run or ``serve-seed`` a test
    starts, copies them from one folder (``qiniu_contracts.media``)."""
    if CACHE_ENV not in os.environ:
        config.stash[MADE_MEDIA_CACHE] = Path(tempfile.mkdtemp(prefix="qiniu-contract-media-"))
        os.environ[CACHE_ENV] = str(config.stash[MADE_MEDIA_CACHE])


def pytest_unconfigure(config: pytest.Config) -> None:
    made = config.stash.get(MADE_MEDIA_CACHE, None)
    if made is not None:
        del os.environ[CACHE_ENV]
        shutil.rmtree(made, ignore_errors=True)


@pytest.fixture
def start_emulator(tmp_path_factory) -> Iterator[Callable[..., RunningServer]]:
    """Start in-process emulators with test credentials; all are stopped afterwards.

    State is ephemeral unless the test names its ``data`` dir (to restart on it, or to
    look at what was written there)."""
    yield from _emulators(tmp_path_factory)


@pytest.fixture(scope="module")
def module_emulator(tmp_path_factory) -> Iterator[Callable[..., RunningServer]]:
    """``start_emulator`` for servers that a module's tests share, stopped after its last test:
    for tests that need no fresh state (each writes its own keys, none changes settings)."""
    yield from _emulators(tmp_path_factory)


def _emulators(tmp_path_factory) -> Iterator[Callable[..., RunningServer]]:
    servers: list[RunningServer] = []

    def start(**overrides) -> RunningServer:
        workflows = tmp_path_factory.mktemp("conf") / "workflows.yml"
        workflows.write_text(WORKFLOWS_YAML)
        options = dict(port=0, data=tmp_path_factory.mktemp("data"), accounts=[(ACCESS_KEY, SECRET_KEY)],
                       buckets=list(BUCKETS), workers=2, workflows=workflows,
                       notify_backoff=0.05, notify_timeout=2.0)
        options.update(overrides)
        options.setdefault("ephemeral", "data" not in overrides)
        server = start_in_thread(Settings(**options))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def readme_server(start_emulator):
    """The emulator as ``make serve`` starts it: the dev account, demo-bucket and output-bucket."""
    return start_emulator(accounts=[(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)],
                          buckets=["demo-bucket", "output-bucket"])


@pytest.fixture
def server(start_emulator) -> RunningServer:
    return start_emulator()


@pytest.fixture(scope="session")
def sdk_for() -> Callable[[RunningServer], object]:
    """Point the official qiniu SDK at a server; returns its Auth (module fixtures may use it)."""
    import qiniu

    def point(server: RunningServer):
        qiniu.config.set_default(default_api_host=server.url, default_uc_host=server.url,
                                 default_query_region_host=server.url, default_rs_host=server.url,
                                 default_rsf_host=server.url, connection_retries=1)
        return qiniu.Auth(ACCESS_KEY, SECRET_KEY)

    return point


@pytest.fixture
def sdk(server, sdk_for):
    """The official qiniu SDK pointed at ``server``, and its Auth."""
    return sdk_for(server)


@pytest.fixture
def fop_defaults():
    """Lets a test change qiniu_fop's process-wide defaults; they are put back afterwards."""
    import qiniu_fop

    defaults = qiniu_fop.defaults()
    saved = {name: getattr(defaults, name) for name in
             ("api_host", "up_host", "rs_host", "rsf_host", "uc_host", "io_host", "dora_host",
              "connection_timeout", "connection_retries", "connection_pool")}
    yield defaults
    defaults.update(**saved)


def can_mount() -> bool:
    return os.geteuid() == 0 and Path("/proc/filesystems").read_text().find("tmpfs") >= 0


@pytest.fixture
def small_disk(tmp_path):
    """A 12 MB tmpfs to hold the data directory (needs root to mount)."""
    if not can_mount():
        pytest.skip("needs root to mount a small tmpfs; run as root (CI does) to test a full disk")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)
