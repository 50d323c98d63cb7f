"""``avthumb/m3u8``: HLS with segments as extra outputs.

The playlist is the op's file; every ``.ts`` segment is an :class:`ExtraOutput` whose key
comes from ``pattern``/``savePattern`` (``$(count)`` = ``000000``, ``000001``, ...) or,
without one, from the generated ``<b64u(sha1(cmd))>/<source etag>/`` prefix.

The emulator always writes the segments into the playlist as *relative* URIs: each key
relative to the folder of the playlist's own key when that is known before the run (a
saveas key), else the key itself. A player resolves them against the playlist's URL
(``noDomain`` is accepted and has no further effect).
"""

from __future__ import annotations

import math
import posixpath
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..context import ExtraOutput, OpContext, OpFailed, OpResult
from ..declare import Op
from .ffmpeg import Deadline, compile_argv, run_ffmpeg
from .formats import FORMATS
from .naming import generated_segment_prefix, render_pattern
from .probe import probe
from .thumb import plan_transcode
from .thumb_parse import ThumbArgs

DEFAULT_SEGMENT_SECONDS = 10.0
SEGMENT_MIME = "video/mp2t"


@dataclass
class Encoded:
    """What ffmpeg wrote for one HLS rendition: its playlist lines and segment files in order."""

    lines: list[str]
    segments: list[Path]


def run_hls(op: Op[ThumbArgs], src: Path, ctx: OpContext) -> OpResult:
    """Transcode to HLS; the playlist is the result, the segments its extra outputs."""
    if ctx.sync:
        raise OpFailed("avthumb/m3u8 is only available through pfop")
    encoded = encode_hls(op.args, src, ctx, Deadline.start(ctx.op_timeout))
    lines, segments = encoded.lines, encoded.segments
    keys = _segment_keys(op, src, ctx, len(segments))
    out = ctx.output_path(".m3u8")
    out.write_text(render_playlist(lines, [relative_uri(key, ctx.output_key) for key in keys]),
                   encoding="utf-8")
    extra = [ExtraOutput(key=k, path=p, mime=SEGMENT_MIME) for k, p in zip(keys, segments)]
    return OpResult(path=out, mime=FORMATS["m3u8"].mime, extra=extra)


def encode_hls(args: ThumbArgs, src: Path, ctx: OpContext, deadline: Deadline) -> Encoded:
    """Run ffmpeg for ``avthumb/m3u8`` with ``args`` into a fresh folder of the scratch dir."""
    info = probe(src, with_rotation=True)
    workdir = Path(tempfile.mkdtemp(dir=ctx.scratch, prefix="hls-"))
    options = _hls_options(args, info.video is not None, workdir)
    playlist = workdir / "index.m3u8"
    plan = plan_transcode(args, FORMATS["m3u8"], info, src, playlist, ctx, options)
    run_ffmpeg(compile_argv(plan.node, ctx), ctx, deadline, plan.seconds)
    if not playlist.exists():
        raise OpFailed("ffmpeg wrote no playlist")
    lines = playlist.read_text(encoding="utf-8").splitlines()
    return Encoded(lines, _segments(lines, workdir))


def _hls_options(args: ThumbArgs, has_video: bool, workdir: Path) -> dict:
    segtime = args.segtime or DEFAULT_SEGMENT_SECONDS
    options = {
        "hls_time": f"{segtime:g}",
        "hls_list_size": 0,
        "hls_playlist_type": "vod",
        "hls_segment_filename": str(workdir / "%06d.ts"),
    }
    if has_video:
        # Cut exactly every segtime seconds instead of waiting for the encoder's keyframes.
        options["force_key_frames"] = f"expr:gte(t,n_forced*{segtime:g})"
    if args.hls_key is not None and args.hls_key_url is not None:
        options["hls_key_info_file"] = str(_key_info_file(workdir, args.hls_key, args.hls_key_url))
    return options


def _key_info_file(workdir: Path, key: bytes, key_url: str) -> Path:
    key_file = workdir / "hls.key"
    key_file.write_bytes(key)
    info = workdir / "hls.keyinfo"
    info.write_text(f"{key_url}\n{key_file}\n", encoding="utf-8")
    return info


def _segments(lines: list[str], workdir: Path) -> list[Path]:
    """The segment files a playlist written by ffmpeg lists, in order."""
    segments = [workdir / Path(line).name for line in lines if line and not line.startswith("#")]
    if not segments:
        raise OpFailed("ffmpeg wrote a playlist without segments")
    return segments


def _segment_keys(op: Op[ThumbArgs], src: Path, ctx: OpContext, count: int) -> list[str]:
    pattern = op.args.segment_pattern
    if pattern:
        keys = [render_pattern(pattern, ctx.source, i) for i in range(count)]
        if len(set(keys)) != count:
            raise OpFailed("the segment pattern gives several segments the same key")
        return keys
    prefix = generated_segment_prefix(op.text, ctx.source, src)
    return [f"{prefix}{i:06d}.ts" for i in range(count)]


def relative_uri(key: str, playlist_key: str | None) -> str:
    """``key`` as a URI relative to the playlist stored at ``playlist_key``."""
    folder = posixpath.dirname(playlist_key or "")
    return posixpath.relpath(key, folder) if folder else key


def render_playlist(ffmpeg_lines: list[str], keys: list[str]) -> str:
    """A VOD playlist in Qiniu's header order, with ``keys`` (the segment URIs) in order."""
    durations = [float(l[len("#EXTINF:"):].split(",")[0]) for l in ffmpeg_lines
                 if l.startswith("#EXTINF:")]
    out = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-ALLOW-CACHE:YES",
           f"#EXT-X-TARGETDURATION:{math.ceil(max(durations))}"]
    uris = iter(keys)
    for line in ffmpeg_lines:
        if line.startswith(("#EXTINF:", "#EXT-X-KEY:")):
            out.append(line)
        elif line and not line.startswith("#"):
            out.append(next(uris))
    out.append("#EXT-X-ENDLIST")
    return "\n".join(out) + "\n"
