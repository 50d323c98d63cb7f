"""Who decides a moderation verdict: scenario rules first, then the no-setup conventions
of the object itself, else ``pass`` (README "Moderation", docs/censor.md §4).

Conventions, per scene, strongest first:

* object metadata ``x-qn-meta-censor-<scene>: pass|review|block``;
* object metadata ``x-qn-meta-censor: pass|review|block`` (every scene);
* a segment of the key (or of a URL's path) named ``censor-<suggestion>[-<scene>]``,
  optionally followed by ``.`` or ``_`` and anything (``u/censor-block.jpg``,
  ``censor-review-pulp/a.png``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Mapping

from ..scenarios import CensorVerdict, Facts, Scenarios
from .verdicts import SCENES, SUGGESTIONS, SceneVerdict, Verdict

META_NAME = "censor"
KEY_SEGMENT = re.compile(r"censor-(pass|review|block)(?:-(pulp|terror|politician|ads))?(?:[._].*)?")

log = logging.getLogger("qiniu_emulator.censor")


@dataclass(frozen=True)
class Subject:
    """What is being judged: where it is stored (when it is), its metadata, and the
    endpoint that asks (``censor.fop``, ``censor.image``, ``censor.video``)."""

    endpoint: str
    bucket: str | None = None
    key: str | None = None
    meta: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Judge:
    scenarios: Scenarios

    def judge(self, subject: Subject, scenes: tuple[str, ...]) -> Verdict:
        facts = Facts(subject.endpoint, subject.bucket, subject.key)
        verdicts = tuple(self._scene(facts, subject, scene) for scene in scenes)
        flagged = [f"{v.scene}={v.suggestion} ({v.source})" for v in verdicts if v.suggestion != "pass"]
        if flagged:
            log.info("%s %s/%s: %s", subject.endpoint, subject.bucket or "-", subject.key or "-", ", ".join(flagged))
        return Verdict(verdicts)

    def _scene(self, facts: Facts, subject: Subject, scene: str) -> SceneVerdict:
        fired = self.scenarios.censor(facts, scene)
        if fired is not None:
            rule = fired.effect
            assert isinstance(rule, CensorVerdict)
            base = SceneVerdict.flagged(scene, rule.suggestion, f"scenario rule {fired.rule_id}")
            return SceneVerdict(scene, base.suggestion, rule.label or base.label,
                                base.score if rule.score is None else rule.score, base.source)
        found = _from_meta(subject.meta, scene) or _from_key(subject.key or "", scene)
        if found is None:
            return SceneVerdict(scene)
        suggestion, source = found
        return SceneVerdict.flagged(scene, suggestion, source)


def _from_meta(meta: Mapping[str, str], scene: str) -> tuple[str, str] | None:
    lowered = {name.lower(): value.strip().lower() for name, value in meta.items()}
    for name in (f"{META_NAME}-{scene}", META_NAME):
        value = lowered.get(name)
        if value in SUGGESTIONS:
            return value, f"x-qn-meta-{name}"
        if value is not None:
            log.warning("x-qn-meta-%s: %r is not pass, review or block; ignored", name, value)
    return None


def _from_key(key: str, scene: str) -> tuple[str, str] | None:
    for segment in key.split("/"):
        match = KEY_SEGMENT.fullmatch(segment)
        if match and match.group(2) in (None, scene):
            return match.group(1), f"key segment {segment!r}"
    return None


def requested_scenes(names: object) -> tuple[str, ...]:
    """The scenes a request names, in its order without repeats; ValueError names a bad one."""
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ValueError(f"params.scenes must be a non-empty list of scenes ({', '.join(SCENES)})")
    unknown = [n for n in names if n not in SCENES]
    if unknown:
        raise ValueError(f"params.scenes: unknown scene {unknown[0]!r} (known: {', '.join(SCENES)})")
    return tuple(dict.fromkeys(names))
