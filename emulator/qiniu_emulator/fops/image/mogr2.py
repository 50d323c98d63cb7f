"""imageMogr2: ordered pixel steps plus position-independent encoder settings (spec 3).

Steps (``auto-orient``, ``thumbnail``, ``crop``, ``rotate``, ``blur``, ``blurfast``,
``sharpen``) run in the order written; ``gravity`` applies to the crops after it.
Settings (``format``, ``quality``, ``interlace``, ``strip``, ``colors``, ``background``,
``size-limit``, ``ignore-error``) may each appear once, anywhere. No auto-orientation
happens unless ``auto-orient`` is written. Blur has no effect on GIF sources, an
animation may only be rotated by right angles, and an animation with more frames than
allowed is returned unchanged (spec 3.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..registry import FopSyntaxError, Op, OpContext, OpFailed, OpResult, OpSpec, int_range
from . import params
from .color import b64_colour
from .encode import WHITE, EncodeSettings, output_format
from .io import SourceImage
from .process import process_image
from .quality import parse_quality
from .steps import Blur, BlurFast, Crop, Orient, Rotate, Sharpen, Step, Thumb

FLAGS = ("auto-orient", "strip")

STEP_PARAMS: dict[str, Callable[[str], Any]] = {
    "thumbnail": params.thumbnail,
    "gravity": params.gravity,
    "crop": params.crop,
    "rotate": int_range(1, 360),
    "blur": params.blur,
    "blurfast": params.blurfast,
    "sharpen": params.zero_or_one,
}

SETTING_PARAMS: dict[str, Callable[[str], Any]] = {
    "format": params.format_name,
    "quality": parse_quality,
    "interlace": params.zero_or_one,
    "colors": int_range(1, 65536),
    "background": b64_colour,
    "size-limit": params.size_limit,
    "ignore-error": params.flag_one,
}


@dataclass(frozen=True)
class Token:
    """One written step: its name and converted value (None for flags)."""

    name: str
    value: Any = None


def parse_mogr2(segments: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Split the segments into ordered step tokens (``args["steps"]``) and settings."""
    steps: list[Token] = []
    args: dict[str, Any] = {}
    order: list[str] = []
    i = 0
    while i < len(segments):
        name = segments[i]
        order.append(name)
        if name in FLAGS:
            if name == "strip":
                args["strip"] = True
            else:
                steps.append(Token(name))
            i += 1
            continue
        convert = STEP_PARAMS.get(name) or SETTING_PARAMS.get(name)
        if convert is None:
            raise FopSyntaxError("unknown parameter", name)
        if i + 1 >= len(segments) or segments[i + 1] == "":
            raise FopSyntaxError(f"parameter {name} needs a value", name)
        value = _convert(name, convert, segments[i + 1])
        if name in STEP_PARAMS:
            steps.append(Token(name, value))
        elif name in args:
            raise FopSyntaxError(f"parameter {name} given twice", name)
        else:
            args[name] = value
        i += 2
    if any(t.name == "blur" for t in steps) and any(t.name == "blurfast" for t in steps):
        raise FopSyntaxError("blur and blurfast cannot be combined", "blurfast")
    args["steps"] = tuple(steps)
    return args, order


def _convert(name: str, convert: Callable[[str], Any], text: str) -> Any:
    try:
        return convert(text)
    except ValueError as exc:
        raise FopSyntaxError(f"bad {name}: {exc}", text) from exc


def settings_of(args: dict[str, Any]) -> EncodeSettings:
    return EncodeSettings(
        format=args.get("format"),
        quality=args.get("quality"),
        interlace=args.get("interlace") == "1",
        strip=bool(args.get("strip")),
        colors=args.get("colors"),
        background=args.get("background", WHITE),
        size_limit=args.get("size-limit"),
    )


def build_steps(tokens: tuple[Token, ...], source: SourceImage, settings: EncodeSettings) -> list[Step]:
    """Turn the written tokens into pixel steps for this particular source."""
    animated = source.animated and output_format(settings.format, source.format).animated
    steps: list[Step] = []
    gravity = "NorthWest"
    for token in tokens:
        name, value = token.name, token.value
        if name == "auto-orient":
            steps.append(Orient(source.orientation))
        elif name == "thumbnail":
            steps.append(Thumb(value))
        elif name == "gravity":
            gravity = value
        elif name == "crop":
            steps.append(Crop(value, gravity))
        elif name == "rotate":
            if animated and value % 90:
                raise OpFailed(f"an animation can only be rotated by 90, 180 or 270 degrees, not {value}")
            steps.append(Rotate(value, settings.background))
        elif name in ("blur", "blurfast") and source.format != "gif":
            steps.append(Blur(value[1]) if name == "blur" else BlurFast(*value))
        elif name == "sharpen" and value == "1":
            steps.append(Sharpen())
    return steps


def run_image_mogr2(op: Op, src: Path, ctx: OpContext) -> OpResult:
    """Run ``imageMogr2/...`` on ``src``."""
    settings = settings_of(op.args)
    tokens = op.args["steps"]
    return process_image(src, ctx, lambda source: build_steps(tokens, source, settings),
                         settings, too_many_frames_passthrough=True)


SPEC = OpSpec(name="imageMogr2", run=run_image_mogr2, parse=parse_mogr2)
