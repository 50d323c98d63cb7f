"""In-process media probing with PyAV: what an op needs to know before running ffmpeg."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ...lazy import lazy_module

if TYPE_CHECKING:
    import av
else:
    av = lazy_module("av")

from ..context import OpFailed
from .inputs import input_options


@dataclass(frozen=True)
class VideoInfo:
    """The first video stream. ``width``/``height`` are as displayed (rotation applied)."""

    codec: str
    width: int
    height: int
    fps: float | None
    bit_rate: int | None
    frames: int | None
    rotation: int = 0


@dataclass(frozen=True)
class AudioInfo:
    """The first audio stream."""

    codec: str
    sample_rate: int
    channels: int
    bit_rate: int | None


@dataclass(frozen=True)
class MediaInfo:
    duration: float | None
    bit_rate: int | None
    video: VideoInfo | None
    audio: AudioInfo | None
    subtitles: int = 0  # how many subtitle streams

    def video_bit_rate(self) -> int | None:
        """The video stream's bitrate, or the container's minus the audio's when unknown."""
        if self.video is None:
            return None
        if self.video.bit_rate:
            return self.video.bit_rate
        if self.bit_rate:
            audio = self.audio.bit_rate if self.audio and self.audio.bit_rate else 0
            return max(self.bit_rate - audio, 0) or None
        return None

    def audio_bit_rate(self) -> int | None:
        if self.audio is None:
            return None
        if self.audio.bit_rate:
            return self.audio.bit_rate
        return self.bit_rate if self.video is None else None


def open_media(path: Path) -> av.container.InputContainer:
    """Open ``path`` with PyAV, turning every failure into ``not a valid media``."""
    if path.stat().st_size == 0:
        raise OpFailed("not a valid media: the source is empty")
    try:
        return av.open(str(path), mode="r", options=input_options())
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise OpFailed(f"not a valid media: {_reason(exc)}") from exc


def probe(path: Path, with_rotation: bool = False) -> MediaInfo:
    """Duration, bitrates and the first video/audio stream of ``path``.

    ``with_rotation`` decodes one frame to learn the display rotation, which only ops
    that size their output from the source need.
    """
    with open_media(path) as container:
        video_stream = container.streams.video[0] if container.streams.video else None
        audio_stream = container.streams.audio[0] if container.streams.audio else None
        if video_stream is None and audio_stream is None:
            raise OpFailed("not a valid media: no audio or video stream")
        duration = _container_duration(container)
        video = _video_info(container, video_stream, with_rotation) if video_stream else None
        audio = _audio_info(audio_stream) if audio_stream else None
        return MediaInfo(duration=duration, bit_rate=container.bit_rate or None,
                         video=video, audio=audio, subtitles=len(container.streams.subtitles))


def _container_duration(container: av.container.InputContainer) -> float | None:
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    longest = [float(s.duration * s.time_base) for s in container.streams
               if s.duration and s.time_base]
    return max(longest) if longest else None


def _video_info(container, stream, with_rotation: bool) -> VideoInfo:
    ctx = stream.codec_context
    if not ctx.width or not ctx.height:
        raise OpFailed("not a valid media: the video stream has no picture size")
    rotation = _first_frame_rotation(container, stream) if with_rotation else 0
    width, height = (ctx.height, ctx.width) if rotation % 180 else (ctx.width, ctx.height)
    rate = stream.average_rate or stream.guessed_rate
    return VideoInfo(codec=ctx.codec.canonical_name, width=width, height=height,
                     fps=float(rate) if rate else None, bit_rate=ctx.bit_rate or None,
                     frames=stream.frames or None, rotation=rotation)


def _first_frame_rotation(container, stream) -> int:
    """The display rotation in degrees (0, 90, 180, 270), from the decoded first frame."""
    try:
        for frame in container.decode(stream):
            return int(round(getattr(frame, "rotation", 0) or 0)) % 360
    except av.FFmpegError as exc:
        raise OpFailed(f"not a valid media: {_reason(exc)}") from exc
    raise OpFailed("not a valid media: the video stream has no decodable frame")


def _audio_info(stream) -> AudioInfo:
    ctx = stream.codec_context
    return AudioInfo(codec=ctx.codec.canonical_name, sample_rate=ctx.sample_rate or 0,
                     channels=ctx.channels or 0, bit_rate=ctx.bit_rate or None)


def _reason(exc: Exception) -> str:
    # PyAV messages end with the file name; the scratch path means nothing to a user.
    text = getattr(exc, "strerror", None) or str(exc)
    return text.strip() or type(exc).__name__


def fraction_text(value: Fraction | None) -> str:
    """ffprobe's ``num/den`` spelling, ``0/0`` when unknown."""
    if value is None:
        return "0/0"
    return f"{value.numerator}/{value.denominator}"
