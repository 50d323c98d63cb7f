"""How much memory an image op will hold, estimated from the header before any pixel is
decoded; the op reserves that much of the process's budget (``--op-memory-mb``, shared by
every sync download and job worker) before decoding and gives it back when it has written
its result. An input whose estimate is over the whole budget is refused up front.

The estimate counts what is alive at the worst moment, as Pillow allocates it: RGB, RGBA,
CMYK, LA and 32-bit modes hold 4 bytes a pixel, L, P and 1 hold one. The decoded source
stays open until the op ends; a source outside the working modes is converted (a second
copy); each step holds its input, its output and up to one scratch copy of the output
(rotate, stamp and rounded corners convert), and a resize of an image with alpha goes
through a premultiplied copy of its input. Writing holds the result, the copies that
flatten alpha for formats without it, and the encoder's own buffers (WebP, AVIF, HEIC).
An animation is composited by its decoder on a full-screen canvas: the canvas, the
previous canvas, the frame converted to RGBA, then the steps on it; every output frame is
kept until the result is written. JPEG sources count at the reduced size their decoder is
asked for (``draft``), which is how large thumbnails of huge JPEGs stay cheap.
"""

from __future__ import annotations

from ..budget import OverBudget, Reservation
from ..context import OpContext, OpFailed
from .geometry import Size
from .encode import OutputFormat
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


def still_bytes(source: SourceImage, steps: list[Step], fmt: OutputFormat) -> int:
    width, height = decoded_size(source, steps)
    mode = source.image.mode
    decoded = width * height * bytes_per_pixel(mode)  # alive until the op ends
    working = width * height * 4 if mode not in WORKING_MODES else 0  # 0: the decoded image is worked on
    final, held, peak = _steps(source.size, steps, working or decoded, working, _has_alpha(source))
    return decoded + max(peak, held + _writing(fmt, final, frames=1))


def animation_bytes(source: SourceImage, frames: int, steps: list[Step], fmt: OutputFormat) -> int:
    canvas = source.size[0] * source.size[1]
    decoder = canvas * (4 + 4)  # the canvas and the previous one, RGB(A) after the first frame
    final, _, peak = _steps(source.size, steps, canvas * 4, canvas * 4, True)
    return decoder + frames * final + max(peak, _writing(fmt, final, frames))
def _has_alpha(source: SourceImage) -> bool:
    return "A" in source.image.mode or "transparency" in source.image.info


def _steps(size: Size, steps: list[Step], first: int, held: int, alpha: bool) -> tuple[int, int, int]:
    """Bytes of the last image, the part of them not counted before, and the most the steps
    hold at once beyond what was counted before (``first``: the first input, ``held`` of it new)."""
    current, peak = first, held
    for step in steps:
        size = step.size_after(size)
        out = size[0] * size[1] * 4
        premultiplied = current if alpha and step.resizes else 0
        peak = max(peak, held + premultiplied + 2 * out)
        current = held = out
    return current, held, peak


def _writing(fmt: OutputFormat, final: int, frames: int) -> int:
    """Copies made while the result is brought to the output's mode and encoded."""
    copies = 0 if fmt.alpha else 3  # flatten: a background, an RGBA copy, the RGB result
    if fmt.name in ("webp", "avif", "heic", "gif"):
        copies += 2  # the encoder's own picture buffers, or the quantized frames
    return frames * final * copies


def reserve(ctx: OpContext, needed: int, source: SourceImage) -> Reservation:
    """Hold ``needed`` bytes of the process's image budget while the op decodes and encodes."""
    def waiting() -> None:
        try:
            ctx.check()
        except OpFailed as exc:
            raise OpFailed(f"{exc}, waiting for {-(-needed // MB)} MB of the {ctx.memory.total // MB} MB "
                           "that image ops share (--op-memory-mb): other ops hold the rest") from exc

    try:
        return ctx.memory.reserve(needed, waiting)
    except OverBudget as exc:
        width, height = source.size
        raise OpFailed(f"image too large to process: {width}x{height} needs about {-(-needed // MB)} MB "
                       f"once decoded, over this emulator's {exc.total // MB} MB for image ops "
                       "(--op-memory-mb)") from exc
