"""imageMogr2: ordered pixel steps plus position-independent encoder settings (docs/fops.md §3).

Steps (``auto-orient``, ``thumbnail``, ``crop``, ``rotate``, ``extent``, ``blur``,
``blurfast``, ``sharpen``) run in the order written; ``gravity`` applies to the crops and
extents after it.
Settings (``format``, ``quality``, ``interlace``, ``strip``, ``colors``, ``background``,
``size-limit``, ``ignore-error``) may each appear once, anywhere. No auto-orientation
happens unless ``auto-orient`` is written. Blur has no effect on GIF sources, an
animation may only be rotated by right angles, and an animation with more frames than
allowed is returned unchanged (docs/fops.md §3.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..context import OpContext, OpFailed, OpResult
from ..declare import Op, OpSpec
from ..grammar import FopSyntaxError, Param, arg, build, convert, int_range, only_one, params_of, switch, unknown_parameter
from . import params
from .color import RGBA, b64_colour
from .encode import WHITE, EncodeSettings, SizeLimit, output_format
from .io import SourceImage
from .process import process_image
from .quality import Quality, parse_quality
from .steps import Blur, BlurFast, Crop, Extent, Orient, Rotate, Sharpen, Step, Thumb

# Steps may repeat and run in the order written; they are not fields of the arguments.
STEPS = {p.name: p for p in (
    Param("auto-orient", str, "turn the picture upright by its EXIF orientation", flag=True),
    Param("thumbnail", params.thumbnail, "resize: <w>x<h> and the other geometries"),
    Param("gravity", params.gravity, "anchor of the crops after it"),
    Param("crop", params.crop, "<w>x<h> or !<w>x<h>a<dx>a<dy> at the gravity"),
    Param("rotate", int_range(1, 360), "clockwise degrees"),
    Param("extent", params.extent, "<w>x<h> canvas of background, the picture at the gravity"),
    Param("blur", params.blur, "<radius>x<sigma>"),
    Param("blurfast", params.blurfast, "<steps>x<sigma>"),
    Param("sharpen", switch, "1 = sharpen"),
)}


@dataclass(frozen=True)
class Token:
    """One written step: its name and converted value (None for flags)."""

    name: str
    value: Any = None


@dataclass(frozen=True)
class Mogr2Args:
    steps: tuple[Token, ...] = ()
    format: str | None = arg(params.format_name, "output format")
    quality: Quality | None = arg(parse_quality, "quality 1-100, '!' = verbatim")
    interlace: bool = arg(switch, "1 = progressive JPEG", default=False)
    strip: bool = arg(str, "drop EXIF and ICC metadata", flag=True, default=False)
    colors: int | None = arg(int_range(1, 65536), "GIF palette size")
    background: RGBA = arg(b64_colour, "fill of rotated corners and flattened alpha", default=WHITE)
    size_limit: SizeLimit | None = arg(params.size_limit, "<n>k, <n>m or $(fsize), '!' to force",
                                       name="size-limit")
    ignore_error: bool = arg(only_one, "1 = return the input when processing fails",
                             name="ignore-error", default=False)

    def check(self) -> None:
        names = {t.name for t in self.steps}
        if {"blur", "blurfast"} <= names:
            raise FopSyntaxError("blur and blurfast cannot be combined", "blurfast")


def parse_mogr2(segments: list[str]) -> Mogr2Args:
    """Split the segments into ordered step tokens and position-independent settings."""
    steps: list[Token] = []
    settings: list[tuple[str, str]] = []
    i = 0
    while i < len(segments):
        name = segments[i]
        step = STEPS.get(name)
        if name == "strip" or (step is not None and step.flag):
            if step is not None:
                steps.append(Token(name))
            else:
                settings.append((name, ""))
            i += 1
            continue
        if step is None and name not in SETTING_NAMES:
            raise unknown_parameter(name, [*STEPS, *SETTING_NAMES])
        if i + 1 >= len(segments) or segments[i + 1] == "":
            raise FopSyntaxError(f"parameter {name} needs a value", name)
        if step is not None:
            steps.append(Token(name, convert(name, step.convert, segments[i + 1])))
        else:
            settings.append((name, segments[i + 1]))
        i += 2
    return build(Mogr2Args, settings, {"steps": tuple(steps)})


SETTING_NAMES = tuple(param.name for _, param in params_of(Mogr2Args))


def settings_of(args: Mogr2Args) -> EncodeSettings:
    return EncodeSettings(format=args.format, quality=args.quality, interlace=args.interlace,
                          strip=args.strip, colors=args.colors, background=args.background,
                          size_limit=args.size_limit)


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
        elif name == "extent":
            steps.append(Extent(value, gravity, settings.background))
        elif name == "rotate":
            if animated and value % 90:
                raise OpFailed(f"an animation can only be rotated by 90, 180 or 270 degrees, not {value}")
            steps.append(Rotate(value, settings.background))
        elif name in ("blur", "blurfast") and source.format != "gif":
            steps.append(Blur(value[1]) if name == "blur" else BlurFast(*value))
        elif name == "sharpen" and value:
            steps.append(Sharpen())
    return steps


def run_image_mogr2(op: Op[Mogr2Args], src: Path, ctx: OpContext) -> OpResult:
    """Run ``imageMogr2/...`` on ``src``."""
    settings = settings_of(op.args)
    tokens = op.args.steps
    return process_image(src, ctx, lambda source: build_steps(tokens, source, settings),
                         settings, too_many_frames_passthrough=True)


SPEC = OpSpec(name="imageMogr2", run=run_image_mogr2, args=Mogr2Args, parse=parse_mogr2,
              help="advanced processing: ordered steps plus output settings",
              extra_params=tuple(STEPS.values()))
