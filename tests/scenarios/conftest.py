"""Scenario tests run against a real emulator, through both clients (ours and the official
SDK, behind the contract suite's one interface), with rules added over HTTP the way the
pytest plugin adds them to an emulator given by URL."""

from __future__ import annotations

import pytest
from support import ACCESS_KEY, SECRET_KEY

from qiniu_contracts.clients import OfficialSdk, OurClient, configure_hosts
from qiniu_contracts.scenarios import ScenarioControl
from qiniu_contracts.targets import Target, release, shared_emulator_target


@pytest.fixture
def target(server) -> Target:
    """The ``server`` fixture's emulator as a contract target in buckets of its own; both SDKs
    point at it."""
    found = shared_emulator_target(server.url, ACCESS_KEY, SECRET_KEY)
    configure_hosts(found)
    yield found
    release(found)


@pytest.fixture(params=["qiniu_fop", "qiniu"])
def client(request, target):
    return OurClient(target) if request.param == "qiniu_fop" else OfficialSdk(target)


@pytest.fixture
def rules(server) -> ScenarioControl:
    control = ScenarioControl(server.admin_url)
    yield control
    control.clear()
