"""Audio/video op overhead, measured against running ffmpeg / PyAV directly (not run by CI).

    .venv/bin/python benchmarks/av_ops.py [--rounds 5]

On a generated 10 s 1280x720 H.264/AAC clip, alternating round by round:

- ``avthumb/mp4/s/640x360/vb/800k`` through the op path (parse + run_ops) vs the very
  command line the op logged, run directly (target ratio <= 1.05);
- ``vframe/jpg/offset/5`` through the op vs ``ffmpeg -ss 5 -i ... -frames:v 1`` (<= 1.2),
  and vs the slow form that seeks after ``-i`` (decodes everything up to the offset);
- ``avinfo`` through the op vs a bare PyAV open-and-read of the same fields (<= 2x);
- ``avthumb/mp4/vb/1500k/ab/128k`` (full size) with ``--encode fast`` vs ``faithful``:
  the speedup (target >= 2x) and both outputs' properties side by side (the same codecs,
  size, rate and duration; bitrates within the request).

Prints each median and the ratios.
"""

from __future__ import annotations

import argparse
import resource
import shlex
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import av
import imageio_ffmpeg

from qiniu_emulator.fops.execute import run_ops
from qiniu_emulator.fops.parse import parse_pipeline
from qiniu_emulator.fops.context import OpContext, SourceInfo
from qiniu_emulator.fops.catalog import default_registry
from qiniu_emulator.fops.profiles import FAITHFUL, FAST, EncodeProfile

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
TRANSCODE = "avthumb/mp4/s/640x360/vb/800k"
FULL_TRANSCODE = "avthumb/mp4/vb/1500k/ab/128k"
FULL_VB = 1_500_000
FRAME = "vframe/jpg/offset/5"


@dataclass
class Timing:
    name: str
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def make_clip(path: Path) -> Path:
    subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=10",
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=10",
                    "-c:v", "libx264", "-preset", "veryfast", "-b:v", "2500k", "-g", "30",
                    "-c:a", "aac", "-b:a", "128k", "-shortest", str(path)], check=True)
    return path


class OpRunner:
    """The emulator's op path: parse the fop, run it, keep the logged ffmpeg command."""

    def __init__(self, scratch: Path, encode: EncodeProfile = FAST) -> None:
        self.registry = default_registry()
        self.scratch = scratch
        self.encode = encode
        self.log: list[str] = []

    def __call__(self, fop: str, src: Path) -> Path:
        ctx = OpContext(scratch=self.scratch, ffmpeg=FFMPEG, log=self.log.append, encode=self.encode,
                        source=SourceInfo(bucket="bench", key="clip.mp4"))
        pipeline = parse_pipeline(fop, self.registry)
        return run_ops(pipeline.ops, src, "video/mp4", ctx, self.registry).result.path

    def last_command(self) -> list[str]:
        line = next(l for l in reversed(self.log) if l.startswith("ffmpeg: "))
        return shlex.split(line[len("ffmpeg: "):])


def alternate(rounds: int, contenders: dict[str, Callable[[], object]]) -> list[Timing]:
    """Run each contender once per round, in turn, so drift hits all of them alike."""
    timings = [Timing(name) for name in contenders]
    for fn in contenders.values():  # warm caches (encoder list, page cache) outside the clock
        fn()
    for _ in range(rounds):
        for timing, fn in zip(timings, contenders.values()):
            started = time.perf_counter()
            fn()
            timing.seconds.append(time.perf_counter() - started)
    return timings


def direct(argv: list[str]) -> Callable[[], None]:
    return lambda: subprocess.run(argv, check=True, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def with_output(argv: list[str], out: Path) -> list[str]:
    """The same command writing to another file."""
    return [*argv[:-1], str(out)]


def bench_avthumb(runner: OpRunner, clip: Path, work: Path, rounds: int) -> list[Timing]:
    runner(TRANSCODE, clip)
    command = with_output(runner.last_command(), work / "direct.mp4")
    return alternate(rounds, {"avthumb op": lambda: runner(TRANSCODE, clip),
                              "ffmpeg direct": direct(command)})


def bench_vframe(runner: OpRunner, clip: Path, work: Path, rounds: int) -> list[Timing]:
    base = [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    fast = [*base, "-ss", "5", "-i", str(clip), "-frames:v", "1", str(work / "fast.jpg")]
    slow = [*base, "-i", str(clip), "-ss", "5", "-frames:v", "1", str(work / "slow.jpg")]
    return alternate(rounds, {"vframe op": lambda: runner(FRAME, clip),
                              "ffmpeg -ss before -i": direct(fast),
                              "ffmpeg -ss after -i": direct(slow)})


def bare_pyav_info(clip: Path) -> dict:
    with av.open(str(clip)) as c:
        return {"format": (c.format.name, c.duration, c.bit_rate, dict(c.metadata)),
                "streams": [(s.index, s.type, s.codec_context.name, s.time_base, s.duration,
                             s.frames, dict(s.metadata)) for s in c.streams]}


def bench_avinfo(runner: OpRunner, clip: Path, rounds: int) -> list[Timing]:
    return alternate(rounds, {"avinfo op": lambda: runner("avinfo", clip),
                              "bare PyAV": lambda: bare_pyav_info(clip)})


def media_properties(path: Path) -> dict:
    """What the tests compare: codecs, picture, rate, duration (bitrate separately)."""
    with av.open(str(path)) as c:
        video, audio = c.streams.video[0], c.streams.audio[0]
        return {"video": video.codec_context.name, "size": (video.codec_context.width, video.codec_context.height),
                "fps": round(float(video.average_rate), 2), "audio": audio.codec_context.name,
                "sample_rate": audio.codec_context.sample_rate, "duration": round(c.duration / av.time_base, 1)}


def video_bit_rate(path: Path) -> int:
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        return stream.codec_context.bit_rate or int(stream.size * 8 / (c.duration / av.time_base))


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes (ffmpeg)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_encode_profiles(clip: Path, work: Path, rounds: int) -> float:
    """``--encode fast`` against ``faithful`` on a full-size transcode: wall and ffmpeg CPU
    time, and both outputs' properties."""
    runners = {profile.name: OpRunner(work, profile) for profile in (FAST, FAITHFUL)}
    outputs = {name: runner(FULL_TRANSCODE, clip) for name, runner in runners.items()}
    wall = {name: Timing(f"avthumb --encode {name}") for name in runners}
    cpu = {name: Timing(f"ffmpeg CPU, {name}") for name in runners}
    for _ in range(rounds):
        for name, runner in runners.items():
            started, used = time.perf_counter(), children_cpu()
            runner(FULL_TRANSCODE, clip)
            wall[name].seconds.append(time.perf_counter() - started)
            cpu[name].seconds.append(children_cpu() - used)
    print(f"\n{FULL_TRANSCODE} on 10 s 1280x720, by encode profile ({rounds} rounds, alternating)")
    for timing in (*wall.values(), *cpu.values()):
        print(f"  {timing.name:<30} median {timing.median * 1000:9.1f} ms")
    speedup = wall["faithful"].median / wall["fast"].median
    cpu_speedup = cpu["faithful"].median / cpu["fast"].median
    props = {name: media_properties(path) for name, path in outputs.items()}
    rates = {name: video_bit_rate(path) for name, path in outputs.items()}
    for name in outputs:
        print(f"  {name:9s} {props[name]}  video {rates[name] / 1000:.0f} kb/s (asked {FULL_VB // 1000})")
    same = props["fast"] == props["faithful"]
    within = all(rate <= FULL_VB * 1.1 for rate in rates.values())
    print(f"  same properties: {'yes' if same else 'NO'}; bitrates within the request: {'yes' if within else 'NO'}")
    print(f"  speedup faithful / fast: {speedup:.2f} wall (target >= 2.0)"
          f"{'' if speedup >= 2 else '  BELOW TARGET'}, {cpu_speedup:.2f} in ffmpeg CPU time")
    return speedup


def report(title: str, timings: list[Timing], target: float | None = None) -> None:
    base = timings[0]
    print(f"\n{title}")
    for timing in timings:
        print(f"  {timing.name:<22} median {timing.median * 1000:9.1f} ms  (n={len(timing.seconds)})")
    for other in timings[1:]:
        ratio = base.median / other.median
        verdict = "" if target is None or other is not timings[1] else (
            "  ok" if ratio <= target else f"  ABOVE TARGET {target}")
        print(f"  ratio {base.name} / {other.name}: {ratio:.3f}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the transcode benchmark")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clip = make_clip(work / "clip.mp4")
        runner = OpRunner(work)
        report(f"{TRANSCODE} on 10 s 1280x720", bench_avthumb(runner, clip, work, args.rounds), 1.05)
        report(f"{FRAME} on 10 s 1280x720", bench_vframe(runner, clip, work, args.rounds * 4), 1.2)
        report("avinfo on 10 s 1280x720", bench_avinfo(runner, clip, args.rounds * 20), 2.0)
        bench_encode_profiles(clip, work, args.rounds)


if __name__ == "__main__":
    main()
