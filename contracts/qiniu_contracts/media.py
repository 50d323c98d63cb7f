"""Small media the contracts upload, generated on the spot (Pillow and ffmpeg lavfi).

With ``QINIU_CONTRACTS_MEDIA_CACHE=DIR`` each set is generated once into ``DIR`` and copied
from there afterwards, so runs (and processes of one run) that share ``DIR`` make it once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

CACHE_ENV = "QINIU_CONTRACTS_MEDIA_CACHE"

IMAGE = "photo.jpg"            # 640x427 JPEG, like the documentation's gogopher.jpg
PORTRAIT = "portrait.png"      # 300x400 RGBA PNG with a transparent corner
VIDEO = "clip.mp4"             # 4 s 320x240 H.264 + AAC at 25 fps
AUDIO = "tone.wav"             # 4 s 44.1 kHz stereo sine
PDF = "document.pdf"           # two US-letter pages at 72 dpi, red then blue


def write_media(directory: Path) -> None:
    """The contracts' media (:func:`generate_media`) in ``directory``."""
    cached(generate_media, directory)


def write_seed_media(directory: Path) -> None:
    """The seed examples' sources (:func:`generate_seed_media`) in ``directory``."""
    cached(generate_seed_media, directory)


def cached(generate: Callable[[Path], None], directory: Path) -> None:
    """``generate(directory)``, or a copy of what it wrote into the cache ``CACHE_ENV`` names.

    A set is kept under its generator's name and a digest of this file, so a changed
    recipe makes a new one. Processes that miss at the same time each generate into a
    scratch folder and the first rename wins; a folder is whole once it has its name."""
    root = os.environ.get(CACHE_ENV)
    if not root:
        generate(directory)
        return
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    kept = Path(root) / f"{generate.__name__}-{digest}"
    if not kept.is_dir():
        kept.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".partial-", dir=kept.parent))
        try:
            generate(scratch)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)  # no half set left in a lasting cache
            raise
        try:
            scratch.rename(kept)
        except OSError:  # another process kept its set first
            shutil.rmtree(scratch, ignore_errors=True)
            if not kept.is_dir():
                raise
    for item in kept.iterdir():
        shutil.copyfile(item, directory / item.name)


def generate_media(directory: Path) -> None:
    from PIL import Image, ImageDraw

    photo = Image.new("RGB", (640, 427), (30, 90, 160))
    draw = ImageDraw.Draw(photo)
    for x in range(0, 640, 40):
        draw.rectangle((x, 0, x + 19, 426), fill=(200, 180, 40))
    photo.save(directory / IMAGE, quality=90)
    portrait = Image.new("RGBA", (300, 400), (0, 160, 80, 255))
    ImageDraw.Draw(portrait).rectangle((0, 0, 49, 49), fill=(0, 0, 0, 0))
    portrait.save(directory / PORTRAIT)
    pages = [Image.new("RGB", (612, 792), colour) for colour in ((220, 20, 20), (20, 20, 220))]
    pages[0].save(directory / PDF, save_all=True, append_images=pages[1:], resolution=72)
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=4",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(directory / VIDEO))
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=4", "-ac", "2",
            str(directory / AUDIO))


def _ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", *args],
                   check=True, timeout=120)


def probe(path: Path) -> dict:
    """Container, streams and duration of a media file, read with PyAV."""
    import av

    with av.open(str(path)) as container:
        streams = [{"type": s.type, "codec": s.codec_context.name,
                    "width": getattr(s.codec_context, "width", None),
                    "height": getattr(s.codec_context, "height", None),
                    "rate": float(s.average_rate) if s.type == "video" and s.average_rate else None,
                    "sample_rate": getattr(s.codec_context, "sample_rate", None)}
                   for s in container.streams]
        duration = container.duration / 1_000_000 if container.duration else None
        return {"format": container.format.name, "streams": streams, "duration": duration}


# Sources the seed's usage examples assume exist, by the key each example names.
SEED_IMAGE = "original-image.jpg"      # 1600x1200, so the 800x600 resize really shrinks
SEED_PHOTO = "original-photo.jpg"      # 1600x1200, the variants example's source
SEED_INPUT = "input-file.jpg"          # 1600x1200, the workflow example's source
SEED_BATCH = {"image1.jpg": (800, 600), "image2.png": (600, 800), "image3.gif": (500, 500)}
SEED_VIDEO = "source-video.mov"        # 11 s 854x480 H.264 + AAC (the thumbnail is taken at 10 s; both
                                       # outputs scale it up, so each size checked is the op's doing)
SEED_AUDIO = "source-audio.wav"        # 60 s 22.05 kHz mono (the fade example ends at 60 s)
SEED_DOCUMENT = PDF                    # the document example's key: generate_media makes it
LOGO = "logo.png"                      # 120x40 opaque red, a watermark that is easy to find
BACKGROUND = (30, 90, 160)             # flat corners of draw_picture, so marks show up


def draw_picture(size: tuple[int, int]):
    """A flat blue RGB picture with a yellow disc in the middle: corners stay one colour."""
    from PIL import Image, ImageDraw

    width, height = size
    picture = Image.new("RGB", size, BACKGROUND)
    radius = min(width, height) // 4
    ImageDraw.Draw(picture).ellipse((width // 2 - radius, height // 2 - radius,
                                     width // 2 + radius, height // 2 + radius), fill=(200, 180, 40))
    return picture


def make_logo(path: Path) -> Path:
    from PIL import Image

    Image.new("RGBA", (120, 40), (220, 30, 30, 255)).save(path)
    return path


def generate_seed_media(directory: Path) -> None:
    """Write the seed examples' sources, named by their seed keys (the PDF comes from
    :func:`generate_media`)."""
    for name in (SEED_IMAGE, SEED_PHOTO, SEED_INPUT):
        draw_picture((1600, 1200)).save(directory / name, quality=90)
    for name, size in SEED_BATCH.items():
        picture = draw_picture(size)
        (picture.convert("P") if name.endswith(".gif") else picture).save(directory / name)
    _ffmpeg("-f", "lavfi", "-i",
            "color=c=0x1e5aa0:s=854x480:r=30:d=11,drawbox=x=t*60:y=140:w=200:h=200:color=yellow:t=fill",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=11",
            "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "300k", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "64k", "-shortest", str(directory / SEED_VIDEO))
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:sample_rate=22050:duration=60", "-ac", "1",
            str(directory / SEED_AUDIO))


def colour_distance(picture, box: tuple[int, int, int, int], colour: tuple[int, int, int]) -> float:
    """Mean absolute per-channel difference between a region of ``picture`` and a flat colour.

    Lossy encoders leave a few units of noise, so flat regions read as single digits and
    a painted mark as tens.
    """
    from PIL import Image, ImageChops, ImageStat

    region = picture.convert("RGB").crop(box)
    flat = Image.new("RGB", region.size, colour)
    return sum(ImageStat.Stat(ImageChops.difference(region, flat)).mean) / 3


def audio_duration(path: Path) -> float:
    """Seconds of sound in the first audio stream, counted from the decoded samples.

    Raw ADTS (.aac) carries no duration, so container estimates drift with the bitrate.
    """
    import av

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return samples / stream.codec_context.sample_rate


def screen_gif(width: int, height: int, frames: int) -> bytes:
    """One-pixel frames on a large logical screen: tiny on disk, full-screen once composited
    (what an image op's memory budget must see through)."""
    out = bytearray(b"GIF89a" + struct.pack("<HH", width, height) + bytes([0x80, 0, 0]) + b"\0\0\0\xff\xff\xff")
    out += b"!\xff\x0bNETSCAPE2.0\x03\x01\0\0\0"
    for index in range(frames):
        out += b"!\xf9\x04\x04\x0a\x00\x00\x00" + b"," + struct.pack("<HHHH", index, index, 1, 1) + b"\0"
        out += b"\x02\x02\x44\x01\x00"
    return bytes(out + b";")
