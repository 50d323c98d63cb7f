"""image-censor: the moderation verdict of the input image, as the item's ``result``.

``image-censor/v2/<scene>[/<scene>...][/app/<urlsafe-base64 id>]`` with scenes pulp,
terror, politician and ads (docs/censor.md §3). The verdict is never computed from the
pixels: the job's ``OpContext.censor`` decides it from scenario rules and conventions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .context import OpContext, OpFailed, OpResult
from .declare import Op, OpSpec
from .grammar import FopSyntaxError, Param, b64_text
from .registry import Registry

SCENES = ("pulp", "terror", "politician", "ads")
VERSIONS = ("v2",)


@dataclass(frozen=True)
class CensorArgs:
    scenes: tuple[str, ...]
    app: str = ""  # the /app/ segment as written (urlsafe base64)


def parse_censor(segments: list[str]) -> CensorArgs:
    if not segments or segments[0] not in VERSIONS:
        got = repr(segments[0]) if segments else "nothing"
        raise FopSyntaxError(f"image-censor needs the version v2 first, not {got}",
                             segments[0] if segments else None)
    rest, app = segments[1:], ""
    if "app" in rest:
        at = rest.index("app")
        if at != len(rest) - 2 or not rest[-1]:
            raise FopSyntaxError("app takes one value and comes last: .../app/<urlsafe base64 id>", "app")
        try:
            b64_text(rest[-1])  # the id must decode, as Qiniu reads it
        except ValueError:
            raise FopSyntaxError("app must be urlsafe base64", rest[-1]) from None
        rest, app = rest[:at], rest[-1]
    if not rest:
        raise FopSyntaxError(f"image-censor needs at least one scene ({', '.join(SCENES)})")
    for scene in rest:
        if scene not in SCENES:
            raise FopSyntaxError(f"unknown scene {scene!r} (known: {', '.join(SCENES)})", scene)
    return CensorArgs(scenes=tuple(dict.fromkeys(rest)), app=app)


def run_censor(op: Op[CensorArgs], src: Path, ctx: OpContext) -> OpResult:
    if ctx.censor is None:
        raise OpFailed("image-censor answers in a job's items[].result: run it through pfop or persistentOps")
    return OpResult(path=src, mime=ctx.source.mime, inline=ctx.censor(op.args.scenes, op.args.app))


def register(registry: Registry) -> None:
    registry.add(OpSpec(
        name="image-censor", run=run_censor, args=CensorArgs, parse=parse_censor, sync=False, inline=True,
        help="moderation verdict (pulp, terror, politician, ads) as the item's result, decided by "
             "scenario rules and x-qn-meta-censor (never by the pixels)",
        extra_params=(Param("v2", str, "the version, first"),
                      Param("<scene>", str, "pulp, terror, politician or ads; one or more"),
                      Param("app", str, "urlsafe base64 id of the moderation app, last")),
    ))
