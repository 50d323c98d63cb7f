"""The rules one emulator holds: add, list, remove, and ask which fire for a request,
a job or a delivery.

Rules are consulted in the order they were added. Every consultation that matches
counts in ``matched``; one that fires (``times`` not used up, the seeded draw below
``probability``) counts in ``hits``. Answers take the first rule that fires, latencies
add up, a job takes the first hold or notifyFirst rule and, per item, the first failItem;
a moderation verdict takes, per scene, the first censor rule.
Removing a rule ends the delays it is causing and releases the jobs it holds.
"""

from __future__ import annotations

import random
import threading
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from ..errors import InjectedAnswer, NoSuchScenario, QiniuError
from .holds import Holds
from .rules import Answer, CensorVerdict, Effect, Facts, Hold, ItemFailure, Latency, NotifyFirst, RuleError, RuleSpec, parse_rules


@dataclass
class ActiveRule:
    """A rule in force, with its counters and its own random stream."""

    id: str
    spec: RuleSpec
    seed: int  # the rule's own, or one derived from its id
    hits: int = 0
    matched: int = 0
    cancelled: threading.Event = field(default_factory=threading.Event)
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @property
    def spent(self) -> bool:
        return self.spec.times is not None and self.hits >= self.spec.times


@dataclass(frozen=True)
class Fired:
    """One rule firing once: its effect, and for a latency the seconds drawn."""

    rule_id: str
    effect: Effect
    cancelled: threading.Event
    seconds: float = 0.0


@dataclass
class JobPlan:
    """What the rules do to one job, decided when it is accepted."""

    hold: Fired | None = None
    notify_first: Fired | None = None
    failures: dict[int, Fired] = field(default_factory=dict)  # item index -> its failItem


class Scenarios:
    def __init__(self) -> None:
        self._rules: list[ActiveRule] = []
        self._lock = threading.Lock()
        self._issued = 0
        self.holds = Holds()

    # -- rules ----------------------------------------------------------------------
    def add(self, data: Any) -> list[ActiveRule]:
        """Add one rule or several (all or none); a bad one is a 400 naming its field."""
        try:
            specs = parse_rules(data)
        except RuleError as exc:
            raise QiniuError.bad_request(str(exc)) from None
        return self.install(specs)

    def install(self, specs: Sequence[RuleSpec]) -> list[ActiveRule]:
        with self._lock:
            taken = {rule.id for rule in self._rules}
            for spec in specs:
                if spec.id is not None and spec.id in taken:
                    raise QiniuError.bad_request(f"id: a scenario rule {spec.id!r} exists already")
                if spec.id is not None:
                    taken.add(spec.id)
            added = []
            for spec in specs:
                rule_id = spec.id or self._new_id(taken)
                seed = spec.seed if spec.seed is not None else zlib.crc32(rule_id.encode())
                added.append(ActiveRule(rule_id, spec, seed))
            self._rules.extend(added)
        return added

    def _new_id(self, taken: set[str]) -> str:
        while True:
            self._issued += 1
            rule_id = f"s{self._issued}"
            if rule_id not in taken:
                taken.add(rule_id)
                return rule_id

    def rules(self) -> list[ActiveRule]:
        with self._lock:
            return list(self._rules)

    def get(self, rule_id: str) -> ActiveRule:
        with self._lock:
            for rule in self._rules:
                if rule.id == rule_id:
                    return rule
        raise NoSuchScenario(f"no such scenario rule: {rule_id!r}")

    def active(self) -> bool:
        return bool(self._rules)

    def remove(self, rule_id: str) -> ActiveRule:
        rule = self.get(rule_id)
        self._drop([rule])
        return rule

    def clear(self, bucket: str | None = None) -> list[ActiveRule]:
        """Remove every rule (or those naming ``bucket``, and release that bucket's jobs)."""
        with self._lock:
            removed = [r for r in self._rules if bucket is None or r.spec.match.bucket == bucket]
        self._drop(removed)
        if bucket is not None:
            self.holds.release_where(lambda held: held.bucket == bucket, f"when bucket {bucket} was reset")
        return removed

    def release(self, rule_id: str) -> list[str]:
        """Release every job ``rule_id`` holds now; the rule stays."""
        self.get(rule_id)
        return self.holds.release_where(lambda held: held.rule_id == rule_id,
                                        f"by POST /_emulator/scenarios/{rule_id}/release")

    def close(self) -> None:
        """End every delay at once (shutdown); held jobs stay unfinished for the next start."""
        with self._lock:
            for rule in self._rules:
                rule.cancelled.set()
        self.holds.close()

    def _drop(self, rules: list[ActiveRule]) -> None:
        gone = {rule.id for rule in rules}
        with self._lock:
            self._rules = [r for r in self._rules if r.id not in gone]
        for rule in rules:
            rule.cancelled.set()
        self.holds.release_where(lambda held: held.rule_id in gone, "when its scenario rule was removed")

    # -- what fires -------------------------------------------------------------------
    def delay(self, facts: Facts) -> float:
        """Wait as long as the latency rules that fire say; returns the seconds drawn."""
        fired = self._fire(facts, Latency, first=False)
        for one in fired:
            one.cancelled.wait(one.seconds)
        return sum(one.seconds for one in fired)

    def answer(self, facts: Facts, when: str = "before") -> Fired | None:
        """The first answer rule for ``when`` that fires."""
        fired = self._fire(facts, Answer, first=True, wanted=lambda e: isinstance(e, Answer) and e.when == when)
        return fired[0] if fired else None

    def plan_job(self, origin: str, bucket: str, key: str, cmds: Sequence[str]) -> JobPlan:
        """What happens to a job ``origin`` (pfop, an upload kind) just accepted."""
        if not self._rules:
            return JobPlan()
        plan = JobPlan()
        for one in self._fire(Facts(origin, bucket, key, tuple(cmds)), (Hold, NotifyFirst), first=True):
            if isinstance(one.effect, Hold):
                plan.hold = one
            else:
                plan.notify_first = one
        for index, cmd in enumerate(cmds):
            failed = self._fire(Facts(origin, bucket, key, (cmd,)), ItemFailure, first=True)
            if failed:
                plan.failures[index] = failed[0]
        return plan

    def censor(self, facts: Facts, scene: str) -> Fired | None:
        """The first ``censor`` rule for ``scene`` that fires (None: no rule decides it)."""
        fired = self._fire(facts, CensorVerdict, first=True,
                           wanted=lambda e: isinstance(e, CensorVerdict) and e.applies_to(scene))
        return fired[0] if fired else None

    def _fire(self, facts: Facts, kind: type | tuple[type, ...], first: bool,
              wanted: Callable[[Effect], bool] | None = None) -> list[Fired]:
        fired: list[Fired] = []
        if not self._rules:
            return fired
        with self._lock:
            for rule in self._rules:
                effect = rule.spec.effect
                if not isinstance(effect, kind) or (wanted is not None and not wanted(effect)):
                    continue
                if not rule.spec.match.matches(facts, effect.DEFAULT):
                    continue
                rule.matched += 1
                if rule.spent or (rule.spec.probability < 1.0 and rule.rng.random() >= rule.spec.probability):
                    continue
                rule.hits += 1
                seconds = effect.draw(rule.rng) if isinstance(effect, Latency) else 0.0
                fired.append(Fired(rule.id, effect, rule.cancelled, seconds))
                if first:
                    break
        return fired


def injected(fired: Fired) -> InjectedAnswer:
    """The error a fired answer rule sends to the client."""
    assert isinstance(fired.effect, Answer)
    answer = fired.effect
    return InjectedAnswer(answer.status, fired.rule_id, answer.body, dict(answer.headers))
