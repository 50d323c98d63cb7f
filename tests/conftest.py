"""Fixtures shared by the emulator tests: real servers on loopback, real clients."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from collections.abc import Iterator
from typing import Callable

import pytest
from hypothesis import settings
from support import ACCESS_KEY, BUCKETS, SECRET_KEY, WORKFLOWS_YAML

from qiniu_emulator.config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Settings
from qiniu_emulator.server import RunningServer, start_in_thread

# CI runs the property tests with a fixed seed so a run is repeatable; locally they explore.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The files that take longest (children: servers, CLIs, pytest runs, browsers, transcodes),
# longest first. Under ``make test`` (xdist, whole files per worker, no reorder) they are
# handed out first, so no worker is left running one of them while the others are idle.
# ``pytest --durations=100`` shows when this list needs a new entry.
LONG_FILES = (
    "tests/project/test_readme_snippets.py",
    "tests/emulator/test_emulator_shared_contract_run.py",
    "tests/project/test_seed_examples_served.py",
    "tests/emulator/test_emulator_cli.py",
    "tests/boundaries/test_notify_and_shutdown.py",
    "tests/ui/test_ui_browser.py",
    "tests/scenarios/test_readme_recipes.py",
    "tests/sdk/test_regions_sdk.py",
    "tests/s3/test_s3_awscli.py",
    "tests/boundaries/test_sync_limits.py",
    "tests/s3/test_s3_readme.py",
    "tests/emulator/test_emulator_server.py",
    "tests/emulator/test_emulator_hls_playback.py",
    "contracts/qiniu_contracts/test_seed_examples.py",
    "tests/av/test_av_avthumb_params.py",
    "tests/emulator/test_emulator_dora.py",
    "tests/sdk/test_node_sdk.py",
    "tests/av/test_av_avthumb.py",
    "tests/sdk/test_tls.py",
    "contracts/qiniu_contracts/test_media_contract.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long files first, in LONG_FILES order; everything else after them as collected."""
    rank = {path: place for place, path in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(LONG_FILES)))


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


@pytest.fixture
def sdk_for() -> Callable[[RunningServer], object]:
    """Point the official qiniu SDK at a server; returns its Auth."""
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
