"""How much memory an image op will hold, estimated from the header before any pixel is
decoded, so that an input whose decoded size is over the op's budget (``--op-memory-mb``)
is refused up front instead of exhausting the server.

The estimate follows Pillow: RGB, RGBA, CMYK, LA and 32-bit modes hold 4 bytes a pixel,
L, P and 1 hold one; a source outside the working modes is converted (a second copy); a
resize of an image with alpha goes through a premultiplied copy; each step produces a
new image while its input still exists. JPEG sources count at the reduced size their
decoder is asked for (``draft``), which is how large thumbnails of huge JPEGs stay cheap.
"""

from __future__ import annotations

from ..context import OpContext, OpFailed
from .geometry import Size
from .io import SourceImage
from .steps import Step, draft_size

ONE_BYTE_MODES = frozenset({"1", "L", "P"})
TWO_BYTE_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N"})
WORKING_MODES = frozenset({"L", "LA", "RGB", "RGBA"})
MB = 1024 * 1024


def bytes_per_pixel(mode: str) -> int:
    if mode in ONE_BYTE_MODES:
        return 1
    return 2 if mode in TWO_BYTE_MODES else 4


def decoded_size(source: SourceImage, steps: list[Step]) -> Size:
    """The size the decoder produces: a JPEG may decode at 1/2, 1/4 or 1/8 scale."""
    target = draft_size(steps, source.size)
    if source.format != "jpeg" or target is None:
        return source.size
    for scale in (8, 4, 2):
        if source.size[0] // scale >= target[0] and source.size[1] // scale >= target[1]:
            return -(-source.size[0] // scale), -(-source.size[1] // scale)
    return source.size


def still_bytes(source: SourceImage, steps: list[Step]) -> int:
    width, height = decoded_size(source, steps)
    pixels = width * height
    mode = source.image.mode
    total = pixels * bytes_per_pixel(mode)
    if mode not in WORKING_MODES:
        total += pixels * 4
    if ("A" in mode or "transparency" in source.image.info) and any(s.resizes for s in steps):
        total += pixels * 4
    size = source.size
    largest_step = 0
    for step in steps:
        size = step.size_after(size)
        largest_step = max(largest_step, size[0] * size[1] * 4)
    return total + largest_step


def animation_bytes(source: SourceImage, frames: int, final: Size) -> int:
    """Each frame is decoded onto a full-screen canvas and converted to RGBA; outputs are kept."""
    canvas = source.size[0] * source.size[1]
    return canvas * (bytes_per_pixel(source.image.mode) + 4) + frames * final[0] * final[1] * 4


def check_budget(ctx: OpContext, needed: int, source: SourceImage) -> None:
    if needed > ctx.memory_limit:
        width, height = source.size
        raise OpFailed(f"image too large to process: {width}x{height} needs about {needed // MB} MB "
                       f"once decoded, over this emulator's {ctx.memory_limit // MB} MB per op "
                       "(--op-memory-mb)")
