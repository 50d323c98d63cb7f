"""Scenario rules: what they match and what they do, read from JSON or YAML data.

One rule is a mapping::

    {"endpoint": "pfop", "bucket": "videos", "key": "raw/*", "fop": "avthumb",
     "answer": {"status": 599}, "times": 1}

It matches on ``endpoint`` (a name or a family, or a list of them; see ``endpoints.py``),
``bucket``, ``key`` (a glob), ``fop`` (a prefix of one command) and ``host`` (a glob over
the Host and, with --regions, the region host's name such as ``up-z2``), and has exactly one
effect: ``answer``, ``latency``, ``hold``, ``failItem``, ``notifyFirst`` or ``censor``
(a moderation verdict, ``verdict.py``). ``times``
bounds how often it fires; ``probability`` makes it fire at random, drawn from its own
``seed`` so that a run repeats. Field names may be written camelCase or snake_case.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, ClassVar, Mapping, Union

from ..documents import load_document
from .endpoints import CENSOR_POINTS, INBOUND, JOB_ORIGINS, OUTBOUND, covered, covers, families
from .fields import RuleError, int_field, jsonable, norm_name, number_field, read_fields, shown, text_field
from .verdict import CensorVerdict

MAX_DELAY = 600.0  # seconds; a longer latency is a typo, and it would hold an HTTP thread
MAX_HOLD = 24 * 3600.0
RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
WHEN = ("before", "after")


# -- what a rule matches ---------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What a request, a job or a delivery names, for matching."""

    endpoint: str
    bucket: str | None = None
    key: str | None = None
    fops: tuple[str, ...] = ()  # the commands (``;``-separated parts) it runs or would run
    hosts: tuple[str, ...] = ()  # the Host it came in on and its region host's name (``up-z2``)


@dataclass(frozen=True)
class Match:
    endpoints: tuple[str, ...] = ()  # empty: every endpoint the effect applies to by default
    bucket: str | None = None
    key: str | None = None  # a glob: * ? [..]
    fop: str | None = None  # a prefix of one of the commands
    host: str | None = None  # a glob over the request's Host and region host name

    def matches(self, facts: Facts, default: tuple[str, ...]) -> bool:
        if not any(covers(pattern, facts.endpoint) for pattern in self.endpoints or default):
            return False
        if self.host is not None and not any(fnmatchcase(name, self.host) for name in facts.hosts):
            return False
        if self.bucket is not None and facts.bucket != self.bucket:
            return False
        if self.key is not None and (facts.key is None or not fnmatchcase(facts.key, self.key)):
            return False
        return self.fop is None or any(cmd.startswith(self.fop) for cmd in facts.fops)


# -- what a rule does -------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """Answer with ``status`` and ``body`` instead of the real work (``when: before``) or in
    place of its successful answer (``when: after``). On ``notify``/``callback`` it is the
    receiver's answer (or none, with ``timeout``), without contacting the receiver."""

    NAME: ClassVar[str] = "answer"
    ALLOWED: ClassVar[tuple[str, ...]] = INBOUND + OUTBOUND
    DEFAULT: ClassVar[tuple[str, ...]] = INBOUND

    status: int = 0
    body: Any = None  # None: {"error": <reason>, "code": status}
    headers: tuple[tuple[str, str], ...] = ()
    when: str = "before"
    timeout: bool = False

    @classmethod
    def parse(cls, value: Any, where: str) -> "Answer":
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(status=int_field(value, where, 100, 999))
        fields = read_fields(value, where, ("status", "body", "headers", "when", "timeout"))
        timeout = fields.get("timeout", (where, False))
        if not isinstance(timeout[1], bool):
            raise RuleError(f"{timeout[0]}: must be true or false, not {shown(timeout[1])}")
        if "status" not in fields and not timeout[1]:
            raise RuleError(f"{where}: needs a status (or timeout: true on notify and callback)")
        if "status" in fields and timeout[1]:
            raise RuleError(f"{where}: give a status or timeout: true, not both")
        status = int_field(fields["status"][1], fields["status"][0], 100, 999) if "status" in fields else 0
        body = fields["body"][1] if "body" in fields else None
        if "body" in fields and not jsonable(body):
            raise RuleError(f"{fields['body'][0]}: must be a JSON value")
        when = fields.get("when", (where, "before"))
        if when[1] not in WHEN:
            raise RuleError(f"{when[0]}: must be before or after, not {shown(when[1])}")
        return cls(status=status, body=body, headers=_headers(fields.get("headers")), when=when[1],
                   timeout=timeout[1])

    def check(self, endpoints: tuple[str, ...], where: str) -> None:
        outbound = [e for e in endpoints if covered(e, OUTBOUND)]
        if self.timeout and (not endpoints or len(outbound) < len(endpoints)):
            raise RuleError(f"{where}.timeout: only notify and callback deliveries can time out")
        if self.when == "after" and outbound:
            raise RuleError(f"{where}.when: notify and callback answers have no before or after")

    def json(self) -> Any:
        out: dict[str, Any] = {"timeout": True} if self.timeout else {"status": self.status}
        if self.body is not None:
            out["body"] = self.body
        if self.headers:
            out["headers"] = dict(self.headers)
        if self.when != "before":
            out["when"] = self.when
        return out


def _headers(entry: tuple[str, Any] | None) -> tuple[tuple[str, str], ...]:
    if entry is None:
        return ()
    where, value = entry
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, (str, int))
                                                 for k, v in value.items()):
        raise RuleError(f"{where}: must map header names to strings")
    for name in value:
        if not re.fullmatch(r"[A-Za-z0-9-]+", name):
            raise RuleError(f"{where}: {name!r} is not a header name")
    return tuple((name, str(text)) for name, text in value.items())


@dataclass(frozen=True)
class Latency:
    """Wait before the request is handled (or the delivery is sent): ``seconds``, or drawn
    from ``uniform: [low, high]`` or ``exponential: <mean>`` with the rule's seed."""

    NAME: ClassVar[str] = "latency"
    ALLOWED: ClassVar[tuple[str, ...]] = INBOUND + OUTBOUND
    DEFAULT: ClassVar[tuple[str, ...]] = INBOUND

    seconds: float | None = None
    uniform: tuple[float, float] | None = None
    exponential: float | None = None

    @classmethod
    def parse(cls, value: Any, where: str) -> "Latency":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return cls(seconds=number_field(value, where, 0.0, MAX_DELAY))
        fields = read_fields(value, where, ("seconds", "uniform", "exponential"))
        if len(fields) != 1:
            raise RuleError(f"{where}: give one of seconds, uniform: [low, high] or exponential: <mean>")
        name, (at, given) = next(iter(fields.items()))
        if name == "seconds":
            return cls(seconds=number_field(given, at, 0.0, MAX_DELAY))
        if name == "exponential":
            return cls(exponential=number_field(given, at, 0.0, MAX_DELAY, low_open=True))
        if not isinstance(given, list) or len(given) != 2:
            raise RuleError(f"{at}: must be a list [low, high] of seconds")
        low, high = (number_field(v, f"{at}[{i}]", 0.0, MAX_DELAY) for i, v in enumerate(given))
        if low > high:
            raise RuleError(f"{at}: low must not be above high")
        return cls(uniform=(low, high))

    def check(self, endpoints: tuple[str, ...], where: str) -> None:
        return None

    def draw(self, rng: random.Random) -> float:
        if self.uniform is not None:
            return rng.uniform(*self.uniform)
        if self.exponential is not None:
            return min(rng.expovariate(1.0 / self.exponential), MAX_DELAY)
        return self.seconds or 0.0

    def json(self) -> Any:
        if self.uniform is not None:
            return {"uniform": list(self.uniform)}
        if self.exponential is not None:
            return {"exponential": self.exponential}
        return {"seconds": self.seconds}


@dataclass(frozen=True)
class Hold:
    """Keep matching jobs at ``code`` 1 (queued) or 2 (running, before any item runs) until
    released, or for ``seconds``; at code 2 the job reports ``progress``."""

    NAME: ClassVar[str] = "hold"
    ALLOWED: ClassVar[tuple[str, ...]] = JOB_ORIGINS
    DEFAULT: ClassVar[tuple[str, ...]] = JOB_ORIGINS

    code: int = 1
    seconds: float | None = None
    progress: float | None = None

    @classmethod
    def parse(cls, value: Any, where: str) -> "Hold":
        if isinstance(value, int) and not isinstance(value, bool):
            value = {"code": value}
        fields = read_fields(value, where, ("code", "seconds", "progress"))
        code = fields.get("code", (where, 1))
        if code[1] not in (1, 2) or isinstance(code[1], bool):
            raise RuleError(f"{code[0]}: must be 1 (waiting) or 2 (running), not {shown(code[1])}")
        seconds = number_field(fields["seconds"][1], fields["seconds"][0], 0.0, MAX_HOLD, low_open=True) \
            if "seconds" in fields else None
        progress = None
        if "progress" in fields:
            if code[1] != 2:
                raise RuleError(f"{fields['progress'][0]}: only a job held at code 2 reports progress")
            progress = number_field(fields["progress"][1], fields["progress"][0], 0.0, 1.0)
        return cls(code=code[1], seconds=seconds, progress=progress)

    def check(self, endpoints: tuple[str, ...], where: str) -> None:
        return None

    def json(self) -> Any:
        out: dict[str, Any] = {"code": self.code}
        if self.seconds is not None:
            out["seconds"] = self.seconds
        if self.progress is not None:
            out["progress"] = self.progress
        return out


@dataclass(frozen=True)
class ItemFailure:
    """Fail each matching item (``fop`` matches its command) with ``error`` and ``errorIndex``,
    without running it."""

    NAME: ClassVar[str] = "failItem"
    ALLOWED: ClassVar[tuple[str, ...]] = JOB_ORIGINS
    DEFAULT: ClassVar[tuple[str, ...]] = JOB_ORIGINS

    error: str = ""
    error_index: int = 0

    @classmethod
    def parse(cls, value: Any, where: str) -> "ItemFailure":
        if isinstance(value, str):
            value = {"error": value}
        fields = read_fields(value, where, ("error", "errorIndex"))
        if "error" not in fields:
            raise RuleError(f"{where}: needs an error (the text prefop shows)")
        index = fields.get("errorindex", (where, 0))
        return cls(error=text_field(fields["error"][1], fields["error"][0]),
                   error_index=int_field(index[1], index[0], 0))

    def check(self, endpoints: tuple[str, ...], where: str) -> None:
        return None

    def json(self) -> Any:
        return {"error": self.error, "errorIndex": self.error_index}


@dataclass(frozen=True)
class NotifyFirst:
    """Run the matching job and deliver its notification before the request that started
    it (an upload or a pfop) is answered."""

    NAME: ClassVar[str] = "notifyFirst"
    ALLOWED: ClassVar[tuple[str, ...]] = JOB_ORIGINS
    DEFAULT: ClassVar[tuple[str, ...]] = JOB_ORIGINS

    @classmethod
    def parse(cls, value: Any, where: str) -> "NotifyFirst":
        if value is not True:
            raise RuleError(f"{where}: must be true (leave the field out otherwise)")
        return cls()

    def check(self, endpoints: tuple[str, ...], where: str) -> None:
        return None

    def json(self) -> Any:
        return True


Effect = Union[Answer, Latency, Hold, ItemFailure, NotifyFirst, CensorVerdict]
EFFECTS: tuple[type[Answer] | type[Latency] | type[Hold] | type[ItemFailure] | type[NotifyFirst]
               | type[CensorVerdict], ...] = (Answer, Latency, Hold, ItemFailure, NotifyFirst, CensorVerdict)
MATCH_FIELDS = ("endpoint", "bucket", "key", "fop", "host")
RULE_FIELDS = ("id", *MATCH_FIELDS, *(e.NAME for e in EFFECTS), "times", "probability", "seed",
               "description")


# -- one rule ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    """A parsed rule: what it matches, its one effect, and how often it fires."""

    effect: Effect
    match: Match = Match()
    id: str | None = None
    times: int | None = None  # None: every time it matches
    probability: float = 1.0
    seed: int | None = None  # None: derived from the rule's id
    description: str = ""

    @property
    def endpoints(self) -> tuple[str, ...]:
        """The endpoints the rule is consulted on."""
        return self.match.endpoints or self.effect.DEFAULT


def parse_rule(data: Any, where: str = "") -> RuleSpec:
    fields = read_fields(data, where, RULE_FIELDS)
    effects = [(cls, fields[norm_name(cls.NAME)]) for cls in EFFECTS if norm_name(cls.NAME) in fields]
    if len(effects) != 1:
        names = ", ".join(cls.NAME for cls in EFFECTS)
        given = ", ".join(cls.NAME for cls, _ in effects)
        raise RuleError(f"{where or 'rule'}: needs exactly one effect of {names}"
                        + (f" (got {given})" if given else ""))
    cls, (at, value) = effects[0]
    effect: Effect = cls.parse(value, at)
    endpoints = _endpoints(fields.get("endpoint"), cls.ALLOWED, cls.NAME)
    effect.check(endpoints, at)
    return RuleSpec(effect=effect, match=_match(fields, endpoints), id=_rule_id(fields.get("id")),
                    times=int_field(fields["times"][1], fields["times"][0], 1) if "times" in fields else None,
                    probability=number_field(fields["probability"][1], fields["probability"][0], 0.0, 1.0,
                                        low_open=True) if "probability" in fields else 1.0,
                    seed=int_field(fields["seed"][1], fields["seed"][0], 0) if "seed" in fields else None,
                    description=text_field(fields["description"][1], fields["description"][0], True)
                    if "description" in fields else "")


def _endpoints(entry: tuple[str, Any] | None, allowed: tuple[str, ...], effect: str) -> tuple[str, ...]:
    if entry is None:
        return ()
    where, value = entry
    patterns = [value] if isinstance(value, str) else value
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) for p in patterns):
        raise RuleError(f"{where}: must be an endpoint name or a list of them")
    for pattern in patterns:
        if covered(pattern, allowed):
            continue
        if covered(pattern, INBOUND + OUTBOUND + CENSOR_POINTS):
            raise RuleError(f"{where}: {effect} does not apply to {pattern!r} "
                            f"(it applies to {', '.join(allowed)})")
        raise RuleError(f"{where}: unknown endpoint {pattern!r} "
                        f"(known: {', '.join(families(INBOUND + OUTBOUND + CENSOR_POINTS))})")
    return tuple(patterns)


def _match(fields: dict[str, tuple[str, Any]], endpoints: tuple[str, ...]) -> Match:
    def text(name: str) -> str | None:
        return text_field(fields[name][1], fields[name][0]) if name in fields else None

    return Match(endpoints=endpoints, bucket=text("bucket"), key=text("key"), fop=text("fop"), host=text("host"))


def _rule_id(entry: tuple[str, Any] | None) -> str | None:
    if entry is None:
        return None
    where, value = entry
    if not isinstance(value, str) or not RULE_ID.fullmatch(value):
        raise RuleError(f"{where}: must be letters, digits, '.', '_' or '-' (at most 64), "
                        f"not {shown(value)}")
    return value


def spec_json(spec: RuleSpec) -> dict[str, Any]:
    """The rule as it is written (``parse_rule`` reads it back to the same rule)."""
    out: dict[str, Any] = {}
    if spec.id is not None:
        out["id"] = spec.id
    match = spec.match
    if match.endpoints:
        out["endpoint"] = match.endpoints[0] if len(match.endpoints) == 1 else list(match.endpoints)
    for name in ("bucket", "key", "fop", "host"):
        if getattr(match, name) is not None:
            out[name] = getattr(match, name)
    out[spec.effect.NAME] = spec.effect.json()
    if spec.times is not None:
        out["times"] = spec.times
    if spec.probability != 1.0:
        out["probability"] = spec.probability
    if spec.seed is not None:
        out["seed"] = spec.seed
    if spec.description:
        out["description"] = spec.description
    return out


# -- several rules, a file --------------------------------------------------------------


def parse_rules(data: Any) -> list[RuleSpec]:
    """One rule, a list of rules, or ``{"scenarios": [...]}``."""
    if isinstance(data, Mapping) and any(norm_name(str(k)) == "scenarios" for k in data):
        if len(data) != 1:
            raise RuleError("give either one rule or {\"scenarios\": [...]}, not both")
        data = next(iter(data.values()))
        if not isinstance(data, list):
            raise RuleError("scenarios: must be a list of rules")
    if isinstance(data, list):
        return [parse_rule(rule, f"scenarios[{index}]") for index, rule in enumerate(data)]
    return [parse_rule(data)]


def load_rules(path: Path) -> list[RuleSpec]:
    """The rules of a JSON or YAML file; :class:`RuleError` names the file and the field."""
    data = load_document(path, "scenarios", RuleError)
    try:
        return parse_rules(data if data is not None else [])
    except RuleError as exc:
        raise RuleError(f"scenarios file {path}: {exc}") from None
