"""Fixtures for the audio/video ops: generated media, a context recorder and a fop runner."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
from av_support import FFMPEG, Media, ffmpeg, lavfi_inputs
from support import shared_once

from qiniu_emulator.fops.execute import PipelineRun, run_ops
from qiniu_emulator.fops.parse import parse_pipeline
from qiniu_emulator.fops.context import OpContext, SourceInfo
from qiniu_emulator.fops.catalog import default_registry


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> Media:
    d = shared_once(tmp_path_factory, "av-media", make_media)
    return Media(video=d / "video.mp4", long_video=d / "long.mp4", video_only=d / "video_only.mp4",
                 small_piece=d / "small.mp4", wide=d / "wide.mp4", rotated=d / "rotated.mp4",
                 wav=d / "audio.wav", aac=d / "audio.aac", corrupt=d / "corrupt.mp4",
                 empty=d / "empty.mp4")


def make_media(d: Path) -> None:
    h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    aac = ["-c:a", "aac", "-b:a", "96k"]
    ffmpeg(*lavfi_inputs("320x240", 2), *h264, *aac, "-metadata", "title=generated clip",
           "-shortest", str(d / "video.mp4"))
    ffmpeg(*lavfi_inputs("160x120", 12, rate=10), *h264, *aac, "-shortest", str(d / "long.mp4"))
    ffmpeg(*lavfi_inputs("320x240", 1, audio=False), *h264, str(d / "video_only.mp4"))
    ffmpeg(*lavfi_inputs("160x120", 1), *h264, *aac, "-shortest", str(d / "small.mp4"))
    ffmpeg(*lavfi_inputs("640x512", 0.5, audio=False), *h264, str(d / "wide.mp4"))
    ffmpeg("-display_rotation", "90", "-i", str(d / "video.mp4"), "-c", "copy", str(d / "rotated.mp4"))
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100:duration=3", "-ac", "2",
           "-c:a", "pcm_s16le", str(d / "audio.wav"))
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=550:duration=2", *aac, str(d / "audio.aac"))
    (d / "corrupt.mp4").write_bytes(bytes(range(256)) * 64)
    (d / "empty.mp4").write_bytes(b"")


@dataclass
class Recorder:
    """What an op reported through its context."""

    log: list[str] = field(default_factory=list)
    progress: list[float] = field(default_factory=list)


RunFop = Callable[..., PipelineRun]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_ctx(tmp_path, recorder) -> Callable[..., OpContext]:
    def build(**overrides) -> OpContext:
        scratch = tmp_path / "scratch"
        scratch.mkdir(exist_ok=True)
        options = dict(scratch=scratch, ffmpeg=FFMPEG, op_timeout=60.0, log=recorder.log.append,
                       progress=recorder.progress.append,
                       source=SourceInfo(bucket="b", key="clips/movie.mp4", etag="FsourceEtag0000",
                                         mime="video/mp4"))
        options.update(overrides)
        return OpContext(**options)

    return build


@pytest.fixture
def run_fop(make_ctx) -> RunFop:
    """Parse ``fop`` with the default registry and run it on ``src`` (a StageFailed escapes)."""
    registry = default_registry()

    def run(fop: str, src: Path, mime: str = "video/mp4", **ctx_overrides) -> PipelineRun:
        pipeline = parse_pipeline(fop, registry)
        return run_ops(pipeline.ops, src, mime, make_ctx(**ctx_overrides), registry)

    return run


