"""Helpers for the audio/video op tests: media generation and PyAV summaries."""

from __future__ import annotations

import re
import shutil
import subprocess
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import av
import imageio_ffmpeg

from qiniu_emulator.fops.context import OpFailed

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args],
                   check=True, timeout=60)


def lavfi_inputs(size: str, seconds: float, rate: int = 30, audio: bool = True) -> list[str]:
    """lavfi inputs: a moving test pattern and (optionally) a 440 Hz tone."""
    inputs = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}"]
    return inputs


@dataclass(frozen=True)
class Media:
    """The generated sources, all small and short."""

    video: Path        # 320x240, 30 fps, 2 s, H.264 + AAC, title metadata
    long_video: Path   # 160x120, 10 fps, 12 s, H.264 + AAC
    video_only: Path   # 320x240, 1 s, H.264, no audio
    small_piece: Path  # 160x120, 1 s, H.264 + AAC
    wide: Path         # 640x512 (5:4), 0.5 s, H.264
    rotated: Path      # the 2 s video tagged with a 90 degree display rotation
    wav: Path          # 3 s stereo PCM 44.1 kHz
    aac: Path          # 2 s AAC (ADTS), no video
    corrupt: Path      # random bytes
    empty: Path        # zero bytes


class DirResolver:
    """Resolves ``kodo://bucket/<name>`` and ``http://fixtures/<name>`` to files of one dir."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files
        self.asked: list[str] = []

    def __call__(self, url: str, dest_dir: Path) -> Path:
        self.asked.append(url)
        name = url.rsplit("/", 1)[-1]
        if name not in self.files:
            raise OpFailed(f"failed to GET {url}")
        dest = dest_dir / name
        shutil.copyfile(self.files[name], dest)
        return dest


@dataclass(frozen=True)
class Probe:
    """A PyAV summary of a media file, for assertions."""

    format_name: str
    duration: float | None
    video_codec: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    video_bit_rate: int | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    audio_bit_rate: int | None = None
    metadata: dict = field(default_factory=dict)


def probe(path: Path) -> Probe:
    with av.open(str(path)) as c:
        fields: dict = {"format_name": c.format.name, "metadata": dict(c.metadata),
                        "duration": c.duration / av.time_base if c.duration else None}
        if c.streams.video:
            v = c.streams.video[0]
            fields.update(video_codec=v.codec_context.name, width=v.codec_context.width,
                          height=v.codec_context.height,
                          fps=float(v.average_rate) if v.average_rate else None,
                          video_bit_rate=v.codec_context.bit_rate or None)
        if c.streams.audio:
            a = c.streams.audio[0]
            fields.update(audio_codec=a.codec_context.name, sample_rate=a.codec_context.sample_rate,
                          channels=a.codec_context.channels, audio_bit_rate=a.codec_context.bit_rate or None)
        return Probe(**fields)


def frame_at(path: Path, seconds: float):
    """The decoded frame nearest ``seconds`` as a Pillow image."""
    with av.open(str(path)) as c:
        best = None
        for frame in c.decode(video=0):
            if best is None or abs(frame.time - seconds) < abs(best.time - seconds):
                best = frame
            if frame.time > seconds:
                break
        return best.to_image().convert("RGB")


def mean_level(path: Path, start: float, end: float) -> float:
    """Mean absolute sample value (16-bit mono) between ``start`` and ``end`` seconds."""
    resampler = av.AudioResampler(format="s16", layout="mono")
    total = count = 0
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            if not start <= frame.time < end:
                continue
            for mono in resampler.resample(frame):
                samples = array("h", bytes(mono.planes[0])[: mono.samples * 2])
                total += sum(abs(v) for v in samples)
                count += len(samples)
    return total / count


def analyse(path: Path, *args: str) -> str:
    """ffmpeg's log (stderr) of decoding ``path`` through analysis filters into nothing."""
    done = subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-nostats", "-i", str(path), *args,
                           "-f", "null", "-"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr


def integrated_loudness(path: Path) -> float:
    """EBU R128 integrated loudness in LUFS, as ffmpeg's ebur128 filter measures it."""
    log = analyse(path, "-af", "ebur128", "-vn")
    return float(re.findall(r"I:\s+(-?\d+(?:\.\d+)?) LUFS", log)[-1])


def band_volume(path: Path, frequency: int, start: float, end: float) -> float:
    """Mean volume in dB of a narrow band around ``frequency`` between two times."""
    log = analyse(path, "-vn", "-af", f"atrim={start}:{end},bandpass=f={frequency}:width_type=h:w=60,volumedetect")
    return float(re.search(r"mean_volume: (-?\d+(?:\.\d+)?) dB", log)[1])


def interlace_counts(path: Path) -> dict[str, int]:
    """ffmpeg idet's multi-frame verdicts: how many frames look top/bottom-field-first or progressive."""
    log = analyse(path, "-an", "-vf", "idet")
    # the last report is the filter's own at the end of the stream
    tff, bff, progressive = re.findall(r"Multi frame detection: TFF:\s*(\d+) BFF:\s*(\d+) Progressive:\s*(\d+)",
                                       log)[-1]
    return {"tff": int(tff), "bff": int(bff), "progressive": int(progressive)}


def keyframe_times(path: Path) -> list[float]:
    """Presentation times of the video stream's keyframes."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sorted(float(p.pts * stream.time_base) for p in container.demux(stream)
                      if p.is_keyframe and p.pts is not None)


def codec_summary(path: Path) -> tuple[str, int]:
    """The first video stream's profile name and level (31 for 3.1)."""
    with av.open(str(path)) as container:
        ctx = container.streams.video[0].codec_context
        return ctx.profile, ctx.level
