"""avconcat: join the source with up to 20 more pieces.

Mode 1 remuxes with the concat demuxer (no re-encoding: the pieces must share codecs);
mode 2 re-encodes through the concat filter, scaling every piece to one size and
inserting silence for pieces without audio (``addAudio``, default 1).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TYPE_CHECKING

from ...lazy import lazy_module

if TYPE_CHECKING:
    import ffmpeg
else:
    ffmpeg = lazy_module("ffmpeg")

from ...encoding import b64_decode_text
from ..context import OpContext, OpFailed, OpResult
from ..declare import Op
from ..grammar import FopSyntaxError, arg, build, int_range, one_of, params_of, switch
from .ffmpeg import Deadline, available_encoders, compile_argv, media_input, run_ffmpeg
from .formats import FORMATS, YUV420_ENCODERS, OutputFormat, resolve_encoder, speed_options
from .geometry import even
from .inputs import listing_options
from .params import URL_SCHEMES, SizeSpec, bitrate, size_spec
from .probe import MediaInfo, probe

MAX_EXTRA_PIECES = 20
CONCAT_FORMATS = ("mp4", "flv", "mov", "mkv", "webm", "avi", "mp3", "aac", "m4a", "ogg", "wav", "flac")
MAXRATE_FORMATS = ("mp4", "mov", "mkv")
AUDIO_RATE = 44100


@dataclass(frozen=True)
class ConcatArgs:
    mode: int = arg(int_range(1, 2), "1 remux, 2 re-encode", positional=True, required=True)
    format: str = arg(one_of(*CONCAT_FORMATS), "output format", required=True)
    sources: tuple[str, ...] = ()
    s: SizeSpec | None = arg(size_spec(3840, 3840), "picture size (mode 2)")
    index: int = arg(int_range(1, MAX_EXTRA_PIECES + 1), "position of the source among the pieces",
                     default=1)
    maxrate: int | None = arg(bitrate, "peak video bitrate (mode 2)")
    add_audio: bool | None = arg(switch, "1 = silence for pieces without audio (mode 2)",
                                 name="addAudio")

    def check(self) -> None:
        count = len(self.sources)
        if not 1 <= count <= MAX_EXTRA_PIECES:
            raise FopSyntaxError(f"avconcat takes 1 to {MAX_EXTRA_PIECES} source URLs, got {count}")
        if self.index > count + 1:
            raise FopSyntaxError(f"index {self.index} is past the {count + 1} pieces", "index")
        if self.mode == 1:
            for name, value in (("s", self.s), ("addAudio", self.add_audio), ("maxrate", self.maxrate)):
                if value is not None:
                    raise FopSyntaxError(f"{name} needs re-encoding (mode 2)", name)
        if self.maxrate is not None and self.format not in MAXRATE_FORMATS:
            raise FopSyntaxError(f"maxrate applies only to {', '.join(MAXRATE_FORMATS)}", "maxrate")


PAIR_NAMES = frozenset(param.name for _, param in params_of(ConcatArgs) if not param.positional)


@dataclass(frozen=True)
class Piece:
    path: Path
    info: MediaInfo


def parse_avconcat(segments: list[str]) -> ConcatArgs:
    """``avconcat/<1|2>`` (or ``avconcat/mode/<1|2>``), pairs, then base64 source URLs."""
    rest = segments[1:] if segments[:1] == ["mode"] else segments
    if not rest or rest[0] not in ("1", "2"):
        raise FopSyntaxError("avconcat needs mode 1 or 2", rest[0] if rest else None)
    written: list[tuple[str, str]] = []
    sources: list[str] = []
    i = 1
    while i < len(rest):
        name = rest[i]
        if name in PAIR_NAMES:
            if i + 1 >= len(rest) or not rest[i + 1]:
                raise FopSyntaxError(f"parameter {name} needs a value", name)
            written.append((name, rest[i + 1]))
            i += 2
        else:
            sources.append(_source_url(name))
            i += 1
    if "format" not in {name for name, _ in written}:
        raise FopSyntaxError("avconcat needs format/<format>")
    return build(ConcatArgs, written, {"mode": int(rest[0]), "sources": tuple(sources)})


def _source_url(text: str) -> str:
    try:
        url = b64_decode_text(text)
    except ValueError as exc:
        raise FopSyntaxError("not a parameter nor a base64 source URL", text) from exc
    if url.startswith("video://"):
        raise FopSyntaxError("transitions (video://) are not supported by the emulator", text)
    if not url.startswith(URL_SCHEMES):
        raise FopSyntaxError("a source must be a kodo://, http:// or https:// URL", text)
    return url


def run_avconcat(op: Op[ConcatArgs], src: Path, ctx: OpContext) -> OpResult:
    """Join the pieces in order, the source at position ``index``."""
    deadline = Deadline.start(ctx.op_timeout)
    fmt = FORMATS[op.args.format]
    pieces = _fetch_pieces(op.args, src, ctx)
    out = ctx.output_path(fmt.ext)
    total = sum(p.info.duration or 0 for p in pieces) or None
    if op.args.mode == 1:
        node = _remux(pieces, fmt, out, ctx)
    else:
        node = _reencode(pieces, op.args, fmt, out, ctx)
    run_ffmpeg(compile_argv(node, ctx), ctx, deadline, total)
    if not out.exists() or out.stat().st_size == 0:
        raise OpFailed("ffmpeg wrote no output")
    return OpResult(path=out, mime=fmt.mime)


def _fetch_pieces(args: ConcatArgs, src: Path, ctx: OpContext) -> list[Piece]:
    workdir = Path(tempfile.mkdtemp(dir=ctx.scratch, prefix="avconcat-"))
    paths = [ctx.fetch(url, workdir) for url in args.sources]
    paths.insert(args.index - 1, src)
    pieces = []
    for number, path in enumerate(paths, start=1):
        try:
            pieces.append(Piece(path, probe(path, with_rotation=True)))
        except OpFailed as exc:
            raise OpFailed(f"piece {number}: {exc}") from exc
    return pieces


def _remux(pieces: list[Piece], fmt: OutputFormat, out: Path, ctx: OpContext) -> Any:
    listing = ctx.output_path(".txt")
    listing.write_text("ffconcat version 1.0\n" + "".join(
        f"file {_quote(p.path.resolve())}\n" for p in pieces), encoding="utf-8")
    # safe=0 admits absolute paths; the listing is ours and names only fetched pieces.
    joined = ffmpeg.input(str(listing), f="concat", safe=0, **listing_options())
    return joined.output(str(out), c="copy", f=fmt.muxer)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


def _reencode(pieces: list[Piece], args: ConcatArgs, fmt: OutputFormat, out: Path,
              ctx: OpContext) -> Any:
    with_video = not fmt.audio_only and any(p.info.video for p in pieces)
    with_audio = any(p.info.audio for p in pieces) and (
        args.add_audio is not False or all(p.info.audio for p in pieces))
    if not with_video and not with_audio:
        raise OpFailed(f"not a valid media: the pieces have nothing to put in {args.format}")
    size = _frame_size(pieces, args)
    fps = next((p.info.video.fps for p in pieces if p.info.video and p.info.video.fps), 25.0)
    streams = []
    for number, piece in enumerate(pieces, start=1):
        source = media_input(piece.path)
        if with_video:
            if piece.info.video is None or size is None:
                raise OpFailed(f"piece {number} has no video stream")
            streams.append(_fit(source["v:0"], size, fps))
        if with_audio:
            streams.append(_audio_of(source, piece))
    joined = ffmpeg.concat(*streams, v=int(with_video), a=int(with_audio)).node
    outputs = [joined[i] for i in range(int(with_video) + int(with_audio))]
    return ffmpeg.output(*outputs, str(out), **_encode_options(args, fmt, ctx, with_video, with_audio))


def _frame_size(pieces: list[Piece], args: ConcatArgs) -> tuple[int, int] | None:
    """The common picture size: ``s`` when given, else the first video piece's; None without video."""
    if args.s is not None and args.s.width and args.s.height:
        return even(args.s.width), even(args.s.height)
    first = next((p.info.video for p in pieces if p.info.video), None)
    return (even(first.width), even(first.height)) if first else None


def _fit(video: Any, size: tuple[int, int], fps: float) -> Any:
    """Letterbox a piece into ``size`` so that the concat filter sees uniform frames."""
    w, h = size
    return (video.filter("scale", w, h, force_original_aspect_ratio="decrease")
            .filter("pad", w, h, "(ow-iw)/2", "(oh-ih)/2")
            .filter("setsar", 1).filter("fps", fps=f"{fps:g}").filter("format", "yuv420p"))


def _audio_of(source: Any, piece: Piece) -> Any:
    if piece.info.audio is None:
        seconds = piece.info.duration or 0
        silence = ffmpeg.input(f"anullsrc=r={AUDIO_RATE}:cl=stereo", f="lavfi", t=f"{seconds:.3f}")
        return silence["a:0"]
    return source["a:0"].filter("aformat", sample_rates=AUDIO_RATE, channel_layouts="stereo")


def _encode_options(args: ConcatArgs, fmt: OutputFormat, ctx: OpContext,
                    with_video: bool, with_audio: bool) -> dict[str, Any]:
    encoders = available_encoders(ctx.ffmpeg)
    options: dict[str, Any] = {"f": fmt.muxer}
    if with_video and fmt.vcodec is not None:
        encoder = resolve_encoder(fmt.vcodec, encoders)
        options["c:v"] = encoder
        if encoder in YUV420_ENCODERS:
            options["pix_fmt"] = "yuv420p"
        options.update(speed_options(encoder, ctx.encode))
        if args.maxrate is not None:
            options.update(maxrate=args.maxrate, bufsize=2 * args.maxrate)
        elif fmt.vb:
            options["b:v"] = fmt.vb
    if with_audio and fmt.acodec is not None:
        options["c:a"] = resolve_encoder(fmt.acodec, encoders)
        if fmt.ab:
            options["b:a"] = fmt.ab
    return options
