"""Emulator-only scenario control: ``/_emulator/scenarios`` (list, add, clear, one rule,
release its jobs) and ``/_emulator/jobs/<id>/release``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ..wire import scenario_json
from . import emulator, emulator_json, json_response

bp = Blueprint("scenarios", __name__, url_prefix="/_emulator")


def _rules_json(rules: list) -> dict[str, Any]:
    holds = emulator().scenarios.holds
    return {"scenarios": [scenario_json(rule, holds.held_by(rule.id)) for rule in rules]}


@bp.route("/scenarios", methods=["GET"])
def list_rules() -> Response:
    return json_response(_rules_json(emulator().scenarios.rules()))


@bp.route("/scenarios", methods=["POST"])
def add_rules() -> Response:
    """One rule, a list, or ``{"scenarios": [...]}``, as JSON (``emulator_json``); all are
    added or none."""
    data = emulator_json("the rules", 'the body must be JSON: a rule, a list of rules or {"scenarios": [...]}')
    return json_response(_rules_json(emulator().scenarios.add(data)))


@bp.route("/scenarios", methods=["DELETE"])
def clear_rules() -> Response:
    """Remove every rule (their held jobs are released); answers with their final counts."""
    return json_response(_rules_json(emulator().scenarios.clear()))


@bp.route("/scenarios/<rule_id>", methods=["GET"])
def one_rule(rule_id: str) -> Response:
    return json_response(_rules_json([emulator().scenarios.get(rule_id)])["scenarios"][0])


@bp.route("/scenarios/<rule_id>", methods=["DELETE"])
def remove_rule(rule_id: str) -> Response:
    return json_response(_rules_json([emulator().scenarios.remove(rule_id)])["scenarios"][0])


@bp.route("/scenarios/<rule_id>/release", methods=["POST"])
def release_rule(rule_id: str) -> Response:
    """Release the jobs a hold rule keeps now; the rule goes on holding new ones."""
    return json_response({"released": emulator().scenarios.release(rule_id)})


@bp.route("/jobs/<job_id>/release", methods=["POST"])
def release_job(job_id: str) -> Response:
    job = emulator().jobs.release(job_id)
    return json_response({"released": [job.id]})
