"""Shared keys and authenticators for the signature tests (docs/wire.md §4.7 made-up account)."""

from __future__ import annotations

from typing import Callable

import pytest

from qiniu_emulator.auth import Authenticator, AuthMode

AK = "MockAccessKey123"
SK = "MockSecretKey456"
# 2024-01-01T00:00:00Z, the X-Qiniu-Date of the worked examples.
NOW = 1704067200


@pytest.fixture
def make_auth() -> Callable[..., Authenticator]:
    def build(
        mode: AuthMode = AuthMode.STRICT,
        now: float = NOW,
        accounts: dict[str, str] | None = None,
    ) -> Authenticator:
        return Authenticator(accounts or {AK: SK}, mode=mode, clock=lambda: now)

    return build


@pytest.fixture
def auth(make_auth) -> Authenticator:
    return make_auth()
