"""pytest plugin: ``--qiniu-target`` and the fixtures ``qiniu_emulator``, ``qiniu_target``,
``qiniu_client``, ``contract_client``, ``qiniu_scenario``, ``qiniu_clock``, ``emulator_only``,
``contract_media``, ``qiniu_emulator_regions`` and ``region_client``.

Installed with qiniu-emulator (entry point ``pytest11``), so any project can::

    def test_thumbnail(qiniu_emulator, qiniu_client): ...

and run the contracts against any deployment with
``pytest --pyargs qiniu_contracts --qiniu-target=url:http://127.0.0.1:9000``.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .clients import OfficialSdk, OurClient, configure_discovery, configure_hosts, saved_defaults
from .clock import ClockControl
from .scenarios import ScenarioControl
from .targets import (
    EMULATOR_BUCKET, EMULATOR_OUTPUT_BUCKET, README_BUCKETS, SEED_BUCKETS, SEED_LOGO_URL, SEED_WORKFLOW,
    REGION_BUCKETS, TARGET_ENV, Target, TargetUnavailable, admin_origin, logo_fixture, parse_target, real_target,
    release, scratch_dir,
    shared_emulator_target, suite_emulator_target, workflows_file,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("qiniu", "Qiniu contract suite")
    group.addoption("--qiniu-target", default=os.environ.get(TARGET_ENV, "emulator"),
                    help="emulator (in-process, default), url:http://HOST:PORT, or qiniu (real service; "
                         "needs QINIU_ACCESS_KEY, QINIU_SECRET_KEY, QINIU_TEST_BUCKET, QINIU_TEST_DOMAIN "
                         "and QINIU_CONTRACT_ALLOW_REAL=1)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "emulator_only: needs emulator features (skipped on real Qiniu)")


_UNAVAILABLE = pytest.StashKey[str]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without credentials for the real service, leave its tests out with one reason."""
    try:
        kind, _ = parse_target(config.getoption("--qiniu-target"))
    except ValueError:
        return  # reported as a usage error by the qiniu_target fixture
    if kind != "qiniu":
        return
    try:
        real_target()
    except TargetUnavailable as exc:
        needing = [item for item in items if "qiniu_target" in getattr(item, "fixturenames", ())]
        if needing:
            config.stash[_UNAVAILABLE] = f"skipped {len(needing)} Qiniu contract(s): {exc}"
            config.hook.pytest_deselected(items=needing)
            items[:] = [item for item in items if item not in needing]


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    reason = config.stash.get(_UNAVAILABLE, "")
    if reason:
        terminalreporter.write_line(f"qiniu_contracts: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Nothing left to run because the real target is not configured is a clean skip, not an error.
    if session.config.stash.get(_UNAVAILABLE, "") and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK


class ServedEmulator:
    """The emulator ``--qiniu-target=url:...`` names, as ``qiniu_emulator`` yields it: it runs
    in another process, so only its HTTP API (``.url``) is at hand."""

    def __init__(self, url: str) -> None:
        self.url = url

    @functools.cached_property
    def admin_url(self) -> str:
        """The console and ``/_emulator/``, on a port of their own (asked of ``url`` once)."""
        return admin_origin(self.url)

    @property
    def emulator(self):
        raise AttributeError(f"the emulator under test runs in another process ({self.url}, from "
                             "--qiniu-target=url:...): it has no in-process services; use its HTTP API "
                             "at qiniu_emulator.url, or run without --qiniu-target for an in-process one")


@pytest.fixture(scope="session")
def qiniu_emulator(request: pytest.FixtureRequest):
    """The emulator under test, following ``--qiniu-target`` as every fixture does.

    By default an in-process emulator on a free loopback port (``_qiniu_in_process``):
    ``.url`` (``http://127.0.0.1:<port>``), ``.admin_url`` (the console and ``/_emulator/``,
    on a port of their own) and ``.emulator`` (its services). With ``url:http://HOST:PORT``
    the served emulator there, as a :class:`ServedEmulator` (``.url`` and ``.admin_url``); with ``qiniu`` (the real service) a test using it is skipped.
    """
    try:
        kind, url = parse_target(request.config.getoption("--qiniu-target"))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if kind == "url":
        _ready(admin_origin(url), timeout=10)
        return ServedEmulator(url)
    if kind == "qiniu":
        pytest.skip("qiniu_emulator: the target is the real service (--qiniu-target=qiniu), not an emulator")
    return request.getfixturevalue("_qiniu_in_process")


@pytest.fixture(scope="session")
def _qiniu_in_process():
    """An emulator serving on a free loopback port for the whole session.

    Its buckets are the README's ``demo-bucket`` and ``output-bucket``, the contract buckets
    and every bucket the seed examples name; its account is the documented dev pair
    (``qiniu_emulator.emulator.settings.accounts[0]``). Its state is ephemeral (``--ephemeral``):
    a temp dir without fsyncs, gone when the session ends.
    """
    from qiniu_emulator.config import Settings

    def settings(home: Path) -> Settings:
        return Settings(port=0, data=home / "data", ephemeral=True, workers=2,
                        buckets=list(dict.fromkeys([*README_BUCKETS, EMULATOR_BUCKET, EMULATOR_OUTPUT_BUCKET,
                                                    *SEED_BUCKETS])),
                        workflows=workflows_file(home),
                        url_map=[(SEED_LOGO_URL.rsplit("/images/", 1)[0] + "/", logo_fixture(home))])

    with _served(settings) as server:
        yield server


@contextmanager
def _served(settings: Callable[[Path], Any]) -> Iterator[Any]:
    """An in-process emulator with the settings made for a scratch home; stopped, and its
    home removed, when the block ends."""
    from qiniu_emulator.server import start_in_thread

    home = scratch_dir()
    server = start_in_thread(settings(home))
    try:
        _ready(server.admin_url)
        yield server
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def _ready(url: str, timeout: float = 30.0) -> None:
    """Fail loudly unless the emulator answers its health check in time (``url``: its admin origin)."""
    import time

    import requests

    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"{url}/_emulator/health", timeout=2)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}"
        except requests.RequestException as exc:
            last = type(exc).__name__
        time.sleep(0.05)
    raise RuntimeError(f"emulator at {url} not ready after {timeout}s ({last})")


@pytest.fixture(scope="session")
def qiniu_target(request: pytest.FixtureRequest) -> Target:
    """The deployment ``--qiniu-target`` names, with both clients' hosts pointed at it.

    Yields a :class:`Target`: ``url``, ``access_key``, ``secret_key``, the ``bucket`` and
    ``output_bucket`` to use, their download ``domain``/``output_domain``, ``key(name)``
    (the name under this run's prefix) and ``is_emulator``. On a shared deployment (a
    ``url:`` emulator, real Qiniu) the run keeps to its own prefix (and, on an emulator,
    two buckets of its own) and removes what it wrote at the end.
    """
    try:
        kind, url = parse_target(request.config.getoption("--qiniu-target"))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    try:
        if kind == "qiniu":
            target = real_target()
        elif kind == "url":
            _ready(admin_origin(url), timeout=10)
            from qiniu_emulator.config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY

            target = shared_emulator_target(url, os.environ.get("QINIU_ACCESS_KEY", DEFAULT_ACCESS_KEY),
                                            os.environ.get("QINIU_SECRET_KEY", DEFAULT_SECRET_KEY))
        else:
            server = request.getfixturevalue("_qiniu_in_process")
            access_key, secret_key = server.emulator.settings.accounts[0]
            target = suite_emulator_target(server.url, access_key, secret_key, server.admin_url)
    except TargetUnavailable as exc:
        pytest.skip(str(exc))
    configure_hosts(target)
    yield target
    if target.kind == "qiniu":
        _cleanup(target)
    elif target.kind == "url":
        release(target)


def _cleanup(target: Target) -> None:
    """Delete everything this run wrote under its prefix on the real service."""
    client = OurClient(target)
    for bucket in {target.bucket, target.output_bucket}:
        marker = None
        while True:
            reply, eof = client.list(bucket, target.prefix, 1000, marker)
            for item in (reply.ret or {}).get("items", []):
                client.delete(bucket, item["key"])
            if eof or reply.status != 200:
                break
            marker = reply.ret.get("marker")


@pytest.fixture(scope="session")
def qiniu_client(qiniu_target: Target) -> OurClient:
    """Our client (``qiniu_fop``) signed with the target's credentials, as a small adapter:
    ``.auth`` (a ``qiniu_fop.Auth``), ``.buckets`` (a ``qiniu_fop.BucketManager``), and
    ``put_data``, ``put_file``, ``stat``, ``delete``, ``list``, ``pfop``, ``prefop``, each
    returning a ``Reply`` with ``ret`` (the decoded body or None), ``status`` and ``text``."""
    return OurClient(qiniu_target)


@pytest.fixture(params=["qiniu_fop", "qiniu"])
def contract_client(request: pytest.FixtureRequest, qiniu_target: Target):
    """Each contract once through our client and once through the official SDK."""
    configure_hosts(qiniu_target)  # again: a test before this one may have pointed them elsewhere
    return OurClient(qiniu_target) if request.param == "qiniu_fop" else OfficialSdk(qiniu_target)


@pytest.fixture
def qiniu_scenario(qiniu_target: Target):
    """Scenario rules on the emulator under test (in-process or ``url:``), removed when the
    test ends: ``with qiniu_scenario(pfop=599, times=1): ...``,
    ``held = qiniu_scenario.hold_jobs(bucket=...)``, ``held.release()``. Skips on real Qiniu."""
    if not qiniu_target.is_emulator:
        pytest.skip("scenario rules need the emulator")
    configure_hosts(qiniu_target)
    control = ScenarioControl(qiniu_target.admin_url)
    yield control
    control.clear()


@pytest.fixture
def qiniu_clock(qiniu_target: Target):
    """The emulator's clock (in-process or ``url:``), back at real time when the test ends:
    ``qiniu_clock.advance(3600)``, ``qiniu_clock.set(unix_seconds)``, ``qiniu_clock.now()``.
    Token deadlines, ``X-Qiniu-Date`` checks, lifecycle and job times follow it. Skips on
    real Qiniu."""
    if not qiniu_target.is_emulator:
        pytest.skip("moving the clock needs the emulator")
    configure_hosts(qiniu_target)
    control = ClockControl(qiniu_target.admin_url)
    yield control
    control.reset()


@pytest.fixture
def emulator_only(qiniu_target: Target) -> None:
    """Skips the test unless the target is an emulator."""
    if not qiniu_target.is_emulator:
        pytest.skip("uses emulator-only setup")


@pytest.fixture(scope="session")
def qiniu_emulator_regions(request: pytest.FixtureRequest):
    """An emulator started with ``--regions z0,z2`` for the whole session: bucket
    ``region-home`` lives in z0 and ``region-far`` in z2, each region has its own up, io,
    rs, rsf and api hosts (``.emulator.regions.ports(region, service)``: main, backup).
    Skipped unless the contracts run against the in-process emulator."""
    kind, _ = parse_target(request.config.getoption("--qiniu-target"))
    if kind != "emulator":
        pytest.skip("a second, multi-region emulator is started only for --qiniu-target=emulator")
    from qiniu_emulator.config import Settings

    def settings(home: Path) -> Settings:
        return Settings(port=0, data=home / "data", ephemeral=True, workers=2, regions=["z0", "z2"],
                        buckets=[f"{name}@{region}" for name, region in REGION_BUCKETS.items()])

    with _served(settings) as server:
        yield server


@pytest.fixture(params=["qiniu_fop", "qiniu"])
def region_client(request: pytest.FixtureRequest, qiniu_emulator_regions):
    """The contract adapter over each client, told only the multi-region emulator's uc (and
    Dora) host; both clients' defaults are put back afterwards."""
    access_key, secret_key = qiniu_emulator_regions.emulator.settings.accounts[0]
    target = Target(kind="emulator", url=qiniu_emulator_regions.url, access_key=access_key,
                    secret_key=secret_key, bucket="", output_bucket="", domain="", output_domain="")
    with saved_defaults():
        configure_discovery(qiniu_emulator_regions.url)
        yield OurClient(target, secret_key) if request.param == "qiniu_fop" else OfficialSdk(target, secret_key)


@pytest.fixture(scope="session")
def contract_media() -> Path:
    """A directory of generated media the contracts upload (small, made once per run)."""
    from .media import write_media

    directory = scratch_dir()
    write_media(directory)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


__all__ = ["SEED_WORKFLOW"]
