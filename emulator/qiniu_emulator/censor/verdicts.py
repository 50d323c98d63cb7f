"""What a moderation verdict is: per scene a suggestion, a label and a score, and the
overall suggestion, the most severe of the scenes' (docs/censor.md §1).

Nothing here looks at pixels: a verdict is decided by the conventions and scenario
rules of :mod:`.judge`, and is ``pass`` with the ``normal`` label by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..scenarios.verdict import SCENES, SUGGESTIONS  # suggestions in rising severity

__all__ = ["SCENES", "SUGGESTIONS", "SceneVerdict", "Verdict", "severity"]

# The label a scene reports when a convention (not a rule naming its own label) makes it
# review or block; rules may set any label (docs/censor.md §1 lists Qiniu's).
FLAGGED_LABELS: dict[str, dict[str, str]] = {
    "pulp": {"review": "sexy", "block": "pulp"},
    "terror": {"review": "bloodiness", "block": "bloodiness"},
    "politician": {"review": "politician", "block": "politician"},
    "ads": {"review": "ads", "block": "ads"},
}
DEFAULT_SCORES = {"pass": 0.99, "review": 0.6, "block": 0.99}


def severity(suggestion: str) -> int:
    return SUGGESTIONS.index(suggestion)


@dataclass(frozen=True)
class SceneVerdict:
    """One scene's outcome; ``source`` says what decided it (for the log and the console)."""

    scene: str
    suggestion: str = "pass"
    label: str = "normal"
    score: float = DEFAULT_SCORES["pass"]
    source: str = "default"

    @classmethod
    def flagged(cls, scene: str, suggestion: str, source: str) -> "SceneVerdict":
        """The verdict a convention gives: the scene's usual label for ``suggestion``."""
        if suggestion == "pass":
            return cls(scene, source=source)
        return cls(scene, suggestion, FLAGGED_LABELS[scene][suggestion], DEFAULT_SCORES[suggestion], source)

    def detail(self) -> dict[str, Any]:
        return {"suggestion": self.suggestion, "label": self.label, "score": self.score}


@dataclass(frozen=True)
class Verdict:
    """Every requested scene's outcome, in the order the scenes were asked for."""

    scenes: tuple[SceneVerdict, ...] = field(default=())

    @property
    def suggestion(self) -> str:
        return max((s.suggestion for s in self.scenes), key=severity, default="pass")

    def scenes_json(self) -> dict[str, Any]:
        """``scenes`` of the v3 image answer: per scene its suggestion and ``details``."""
        return {s.scene: {"suggestion": s.suggestion, "details": [s.detail()]} for s in self.scenes}

    def image_json(self) -> dict[str, Any]:
        """``result`` of ``POST /v3/image/censor`` (docs/censor.md §2)."""
        return {"suggestion": self.suggestion, "scenes": self.scenes_json()}

    def fop_json(self, app_id: str, entry_id: str, disable: bool) -> dict[str, Any]:
        """``items[].result`` of an ``image-censor`` command (docs/censor.md §3)."""
        scenes = {}
        for s in self.scenes:
            result: dict[str, Any] = {"label": s.label}
            if s.suggestion != "pass" or s.label != "normal":
                result["score"] = s.score
            scenes[s.scene] = {"result": result, "suggestion": s.suggestion}
        inner = {"appid": app_id, "code": 200, "disable": disable, "entry_id": entry_id,
                 "message": "OK", "scenes": scenes, "suggestion": self.suggestion}
        return {"disable": disable, "result": inner}
