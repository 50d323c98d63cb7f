"""Pixel steps (orient, resize, crop, rotate, extent, blur, sharpen) and the renderer that runs them.

Each step knows the size it produces from its input size, so a whole pipeline can be
planned from the image header: limits are checked before decoding, and when the first
real step shrinks a JPEG the decoder is asked for a DCT-scaled image (``draft``) that is
still at least as large as the target. That keeps big thumbnails fast and their memory
small (a 12000x8000 JPEG decodes at 1/8 scale for an 800 px thumbnail).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, TYPE_CHECKING

from ...lazy import lazy_module

if TYPE_CHECKING:
    from PIL import Image, ImageFilter
else:
    Image = lazy_module("PIL.Image")
    ImageFilter = lazy_module("PIL.ImageFilter")

from ..context import OpFailed
from .color import RGBA
from .encode import Animation
from .geometry import CropSpec, Size, Thumbnail, anchored_origin, centre_crop_box, crop_box, rotated_size
from .io import SourceImage, check_size, iter_frames, load, swap_if_transposed, upright, working_mode


class Step(Protocol):
    resizes: bool

    def size_after(self, size: Size) -> Size: ...

    def apply(self, image: Image.Image, target: Size) -> Image.Image: ...


@dataclass(frozen=True)
class Orient:
    """Turn the pixels upright according to an EXIF orientation value."""

    orientation: int
    resizes = False

    def size_after(self, size: Size) -> Size:
        return swap_if_transposed(size, self.orientation)

    def apply(self, image: Image.Image, target: Size) -> Image.Image:
        return upright(image, self.orientation)


@dataclass(frozen=True)
class ResizeTo:
    """Resize to a size planned elsewhere (imageView2)."""

    size: Size
    resizes = True

    def size_after(self, size: Size) -> Size:
        return self.size

    def apply(self, image: Image.Image, target: Size) -> Image.Image:
        return resize(image, target)


@dataclass(frozen=True)
class Thumb:
    """imageMogr2 ``thumbnail``: the target depends on the size reaching this step."""

    geometry: Thumbnail
    resizes = True

    def size_after(self, size: Size) -> Size:
        return self.geometry.target(size)

    def apply(self, image: Image.Image, target: Size) -> Image.Image:
        return resize(image, target)


@dataclass(frozen=True)
class CentreCrop:
    size: Size
    resizes = False

    def size_after(self, size: Size) -> Size:
        return min(self.size[0], size[0]), min(self.size[1], size[1])

    def apply(self, image: Image.Image, target: Size) -> Image.Image:
        box = centre_crop_box(image.size, target)
        return image if box == (0, 0, *image.size) else image.crop(box)


@dataclass(frozen=True)
class Crop:
    """imageMogr2 ``crop`` placed at the gravity in force when it was written."""

    spec: CropSpec
    gravity: str
    resizes = False

    def size_after(self, size: Size) -> Size:
        box = self._box(size)
        return box[2] - box[0], box[3] - box[1]

    def apply(self, image: Image.Image, target: Size) -> Image.Image:
        return image.crop(self._box(image.size))

    def _box(self, size: Size) -> tuple[int, int, int, int]:
        box = crop_box(size, self.spec, self.gravity)
        if box is None:
            raise OpFailed(f"crop region lies outside the {size[0]}x{size[1]} image")
        return box


@dataclass(frozen=True)
class Rotate:
    """Clockwise rotation; other than right angles the canvas grows and corners get ``background``."""

    degrees: int
    background: RGBA
    resizes = False

    def size_after(self, size: Size) -> Size:
        return rotated_size(size, self.degrees)

    def apply(self, image: Image.Image, target: Size) -> Image.Image:
        degrees = self.degrees % 360
        right_angles = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
                        270: Image.Transpose.ROTATE_90}
        if degrees == 0:
            return image
        if degrees in right_angles:
            return image.transpose(right_angles[degrees])
        image, fill = with_fill(image, self.background)
        return image.rotate(-degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


@dataclass(frozen=True)
class Extent:
    """imageMogr2 ``extent``: a ``size`` canvas of ``background`` with the picture placed at
    the gravity in force, cropped where the canvas is smaller (docs/fops.md §3.4)."""

    size: Size
    gravity: str
    background: RGBA
    resizes = False

    def size_after(self, size: Size) -> Size:
        return self.size

    def apply(self, image: Image.Image, target: Size) -> Image.Image:
        image, fill = with_fill(image, self.background)
        canvas = Image.new(image.mode, target, fill)
        canvas.paste(image, anchored_origin(self.gravity, target, image.size, 0, 0))
        return canvas


def with_fill(image: Image.Image, background: RGBA) -> tuple[Image.Image, int | tuple[int, ...]]:
    """``image`` (with an alpha channel when the background is translucent) and the
    background as a colour of its mode."""
    if background[3] < 255 and image.mode in ("L", "RGB"):
        image = image.convert(image.mode + "A")
    fill: int | tuple[int, ...] = background if image.mode == "RGBA" else background[:3]
    if image.mode in ("L", "LA"):
        grey = round(sum(background[:3]) / 3)
        fill = grey if image.mode == "L" else (grey, background[3])
    return image, fill


@dataclass(frozen=True)
class Blur:
    """Gaussian blur; Pillow's radius is the standard deviation (``sigma``)."""

    sigma: float
    resizes = False

    def size_after(self, size: Size) -> Size:
        return size

    def apply(self, image: Image.Image, target: Size) -> Image.Image:
        return image.filter(ImageFilter.GaussianBlur(self.sigma))


@dataclass(frozen=True)
class BlurFast:
    """``blurfast``: ``passes`` box blurs whose combined spread approximates ``sigma``."""

    passes: int
    sigma: float
    resizes = False

    def size_after(self, size: Size) -> Size:
        return size

    def apply(self, image: Image.Image, target: Size) -> Image.Image:
        # n box blurs of width w have variance n(w^2 - 1)/12; solve for w.
        width = (12 * self.sigma ** 2 / self.passes + 1) ** 0.5
        radius = max(0.0, (width - 1) / 2)
        for _ in range(self.passes):
            image = image.filter(ImageFilter.BoxBlur(radius))
        return image


@dataclass(frozen=True)
class Sharpen:
    resizes = False

    def size_after(self, size: Size) -> Size:
        return size

    def apply(self, image: Image.Image, target: Size) -> Image.Image:
        return image.filter(ImageFilter.UnsharpMask(radius=2, percent=120, threshold=2))


def resize(image: Image.Image, target: Size) -> Image.Image:
    if image.size == target:
        return image
    shrinking = target[0] < image.size[0] and target[1] < image.size[1]
    return image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0 if shrinking else None)


def plan(steps: list[Step], size: Size) -> Size:
    """The final size, checking that no intermediate image breaks the pixel limits."""
    for step in steps:
        size = step.size_after(size)
        check_size(size)
    return size


def draft_size(steps: list[Step], size: Size) -> Size | None:
    """The stored-orientation size a JPEG may be DCT-decoded at, or None when it may not."""
    swapped = False
    for step in steps:
        if isinstance(step, Orient):
            swapped ^= step.orientation in (5, 6, 7, 8)
            size = step.size_after(size)
            continue
        if not step.resizes:
            return None
        target = step.size_after(size)
        if target[0] >= size[0] or target[1] >= size[1]:
            return None
        return (target[1], target[0]) if swapped else target
    return None


def render_still(source: SourceImage, steps: list[Step],
                 check: Callable[[], None] = lambda: None) -> tuple[Image.Image, bool]:
    """Decode the first frame and run ``steps``; also says whether the ICC profile still applies.

    ``check`` is called between pieces of work (it raises when the op's time is up).
    """
    image = source.image
    logical, drafted = source.size, False
    target = draft_size(steps, source.size)
    if target is not None and source.format == "jpeg":
        image.draft(image.mode, target)
        drafted = image.size != logical
    load(image)
    check()
    image, icc_ok = working_mode(image)
    for step in steps:
        check()
        out = step.size_after(logical)
        image = step.apply(image, out)
        # A drafted image is smaller than planned until the first resize restores the plan.
        logical = out if drafted else image.size
        drafted = drafted and not step.resizes
    return image, icc_ok


def render_frames(source: SourceImage, steps: list[Step], limit: int,
                  check: Callable[[], None] = lambda: None) -> Animation:
    """Run ``steps`` on every frame (RGBA) of an animation, keeping timing and loop count."""
    loop = source.image.info.get("loop")
    frames, durations = [], []
    for frame, duration in iter_frames(source.image, limit):
        check()
        canvas = frame
        for step in steps:
            frame = step.apply(frame, step.size_after(frame.size))
        frames.append(frame.copy() if frame is canvas else frame)  # the decoder reuses its canvas
        durations.append(duration)
    return Animation(frames=frames, durations=durations, loop=loop)
