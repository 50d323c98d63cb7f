"""The ``censor`` effect: the moderation verdict a matching image or video gets
(README "Moderation"), instead of the default ``pass``.

``{"key": "nsfw/*", "censor": {"scene": "pulp", "suggestion": "block", "label": "pulp",
"score": 0.98}}``; ``censor: block`` is the short form for every scene.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .endpoints import CENSOR_POINTS
from .fields import RuleError, number_field, read_fields, shown, text_field

SCENES = ("pulp", "terror", "politician", "ads")
SUGGESTIONS = ("pass", "review", "block")


@dataclass(frozen=True)
class CensorVerdict:
    """Give the matching scenes ``suggestion``, with ``label`` and ``score`` when set (else
    the scene's usual label for that suggestion)."""

    NAME: ClassVar[str] = "censor"
    ALLOWED: ClassVar[tuple[str, ...]] = CENSOR_POINTS
    DEFAULT: ClassVar[tuple[str, ...]] = CENSOR_POINTS

    suggestion: str = "block"
    scenes: tuple[str, ...] = ()  # empty: every scene
    label: str | None = None
    score: float | None = None

    @classmethod
    def parse(cls, value: Any, where: str) -> "CensorVerdict":
        if isinstance(value, str):
            value = {"suggestion": value}
        fields = read_fields(value, where, ("suggestion", "scene", "label", "score"))
        if "suggestion" not in fields:
            raise RuleError(f"{where}: needs a suggestion (pass, review or block)")
        at, suggestion = fields["suggestion"]
        if suggestion not in SUGGESTIONS:
            raise RuleError(f"{at}: must be pass, review or block, not {shown(suggestion)}")
        label = text_field(fields["label"][1], fields["label"][0]) if "label" in fields else None
        score = number_field(fields["score"][1], fields["score"][0], 0.0, 1.0) if "score" in fields else None
        return cls(suggestion=suggestion, scenes=_scenes(fields.get("scene")), label=label, score=score)

    def check(self, endpoints: tuple[str, ...], where: str) -> None:
        return None

    def applies_to(self, scene: str) -> bool:
        return not self.scenes or scene in self.scenes

    def json(self) -> Any:
        out: dict[str, Any] = {"suggestion": self.suggestion}
        if self.scenes:
            out["scene"] = self.scenes[0] if len(self.scenes) == 1 else list(self.scenes)
        if self.label is not None:
            out["label"] = self.label
        if self.score is not None:
            out["score"] = self.score
        return out


def _scenes(entry: tuple[str, Any] | None) -> tuple[str, ...]:
    if entry is None:
        return ()
    where, value = entry
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or any(name not in SCENES for name in names):
        raise RuleError(f"{where}: must be a scene ({', '.join(SCENES)}) or a list of them, not {shown(value)}")
    return tuple(names)
