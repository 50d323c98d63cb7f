"""Scenario control: rules that inject failures, latency and held job states on purpose,
so users can test their error paths (see "Scenarios" in the README)."""

from .rules import Answer, Facts, Hold, ItemFailure, Latency, NotifyFirst, RuleError, RuleSpec, load_rules
from .verdict import CensorVerdict
from .service import ActiveRule, Fired, JobPlan, Scenarios, injected

__all__ = ["ActiveRule", "Answer", "CensorVerdict", "Facts", "Fired", "Hold", "ItemFailure", "JobPlan", "Latency",
           "NotifyFirst", "RuleError", "RuleSpec", "Scenarios", "injected", "load_rules"]
