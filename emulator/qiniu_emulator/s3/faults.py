"""Scenario rules on the S3 door: each operation is the endpoint ``s3.<Operation>``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, g

from ..scenarios import Facts, injected
from .operations import scenario_name

if TYPE_CHECKING:
    from ..emulator import Emulator


def before(em: "Emulator", operation: str, bucket: str, key: str) -> None:
    """Apply the latency rules, then raise the first "before" answer that fires."""
    if not em.scenarios.active():
        return
    facts = Facts(scenario_name(operation), bucket or None, key or None)
    g.s3_facts = facts
    em.scenarios.delay(facts)
    fired = em.scenarios.answer(facts, "before")
    if fired is not None:
        g.s3_answered = True
        raise injected(fired)


def after(em: "Emulator", response: Response) -> Response | None:
    """The error of the first "after" answer that fires, in place of a successful answer (the work is done)."""
    facts = g.get("s3_facts")
    if facts is None or g.get("s3_answered") or response.status_code >= 400:
        return None
    fired = em.scenarios.answer(facts, "after")
    if fired is None:
        return None
    response.close()  # an object's open file
    raise injected(fired)
