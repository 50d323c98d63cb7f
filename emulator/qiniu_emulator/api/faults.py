"""Scenario rules on the HTTP side: the answers and delays the rules inject before the
real work or in place of its answer.

``app.py`` calls :func:`before` from its first request hook and :func:`after` from its
last, so the handlers know nothing of scenarios. What a request names comes from its
context (``api/context.py``), read once. Nothing here runs while no rule is in force.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, g

from ..routes import TABLE
from ..errors import InjectedAnswer
from ..scenarios import Facts, injected
from . import json_response
from .context import current

if TYPE_CHECKING:
    from ..emulator import Emulator

# Flask endpoints and the scenario names they answer to (those with variants, rs.single
# and io.path_style, are named from their arguments).
ROUTES: dict[str, str] = {route.endpoint: route.name for route in TABLE if not route.variants}


def before(em: "Emulator") -> None:
    """Apply the latency rules, then raise the first "before" answer that fires."""
    if not em.scenarios.active():
        return
    facts = current().facts(em)
    if facts is not None:
        apply_before(em, facts)


def apply_before(em: "Emulator", facts: Facts) -> None:
    """Wait what the latency rules draw for ``facts``, then raise the first "before" answer that fires."""
    g.scenario_facts = facts
    em.scenarios.delay(facts)
    fired = em.scenarios.answer(facts, "before")
    if fired is not None:
        g.scenario_answered = True
        raise injected(fired)


def after(em: "Emulator", response: Response) -> Response:
    """The first "after" answer that fires replaces a successful answer (the work is done)."""
    error = after_answer(em, response)
    if error is None:
        return response
    return json_response(error.body(), status=error.status, headers=error.headers())


def after_answer(em: "Emulator", response: Response) -> InjectedAnswer | None:
    """The "after" answer that fires for a successful ``response`` (which is then closed), if any."""
    facts = g.get("scenario_facts")
    if facts is None or g.get("scenario_answered") or response.status_code >= 400:
        return None
    fired = em.scenarios.answer(facts, "after")
    if fired is None:
        return None
    response.close()  # a download's open file
    return injected(fired)
