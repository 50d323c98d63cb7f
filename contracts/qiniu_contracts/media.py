"""Small media the contracts upload, generated on the spot (Pillow and ffmpeg lavfi)."""

from __future__ import annotations

import subprocess
from pathlib import Path

IMAGE = "photo.jpg"            # 640x427 JPEG, like the documentation's gogopher.jpg
PORTRAIT = "portrait.png"      # 300x400 RGBA PNG with a transparent corner
VIDEO = "clip.mp4"             # 4 s 320x240 H.264 + AAC at 25 fps
AUDIO = "tone.wav"             # 4 s 44.1 kHz stereo sine
PDF = "document.pdf"           # two US-letter pages at 72 dpi, red then blue


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
