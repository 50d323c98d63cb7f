"""avconcat: join the source with up to 20 more pieces.

Mode 1 remuxes with the concat demuxer (no re-encoding: the pieces must share codecs);
mode 2 re-encodes through the concat filter, scaling every piece to one size and
inserting silence for pieces without audio (``addAudio``, default 1).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg

from ...encoding import b64_decode_text
from ..registry import FopSyntaxError, Op, OpContext, OpFailed, OpResult, int_range, one_of
from .ffmpeg import PROTOCOLS, Deadline, available_encoders, compile_argv, media_input, run_ffmpeg
from .formats import FORMATS, X264_PRESET, YUV420_ENCODERS, OutputFormat, resolve_encoder
from .geometry import even
from .params import URL_SCHEMES, bitrate, flag01, size_spec
from .probe import MediaInfo, probe

MAX_EXTRA_PIECES = 20
CONCAT_FORMATS = ("mp4", "flv", "mov", "mkv", "webm", "avi", "mp3", "aac", "m4a", "ogg", "wav", "flac")
MAXRATE_FORMATS = ("mp4", "mov", "mkv")
AUDIO_RATE = 44100
PAIRS = {
    "format": one_of(*CONCAT_FORMATS),
    "s": size_spec(3840, 3840),
    "index": int_range(1, MAX_EXTRA_PIECES + 1),
    "maxrate": bitrate,
    "addAudio": flag01,
}


@dataclass(frozen=True)
class Piece:
    path: Path
    info: MediaInfo


def parse_avconcat(segments: list[str]) -> tuple[dict[str, Any], list[str]]:
    """``avconcat/<1|2>`` (or ``avconcat/mode/<1|2>``), pairs, then base64 source URLs."""
    rest = segments[1:] if segments[:1] == ["mode"] else segments
    if not rest or rest[0] not in ("1", "2"):
        raise FopSyntaxError("avconcat needs mode 1 or 2", rest[0] if rest else None)
    args: dict[str, Any] = {"mode": int(rest[0]), "sources": []}
    i = 1
    while i < len(rest):
        name = rest[i]
        if name in PAIRS:
            args[name] = _pair_value(name, rest[i + 1] if i + 1 < len(rest) else "")
            i += 2
        else:
            args["sources"].append(_source_url(name))
            i += 1
    _check(args)
    return args, ["mode", *[k for k in PAIRS if k in args], "sources"]


def _pair_value(name: str, text: str) -> Any:
    if not text:
        raise FopSyntaxError(f"parameter {name} needs a value", name)
    try:
        return PAIRS[name](text)
    except ValueError as exc:
        raise FopSyntaxError(f"bad {name}: {exc}", text) from exc


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


def _check(args: dict[str, Any]) -> None:
    if "format" not in args:
        raise FopSyntaxError("avconcat needs format/<format>")
    count = len(args["sources"])
    if not 1 <= count <= MAX_EXTRA_PIECES:
        raise FopSyntaxError(f"avconcat takes 1 to {MAX_EXTRA_PIECES} source URLs, got {count}")
    if args.get("index", 1) > count + 1:
        raise FopSyntaxError(f"index {args['index']} is past the {count + 1} pieces", "index")
    if args["mode"] == 1:
        for name in ("s", "addAudio", "maxrate"):
            if name in args:
                raise FopSyntaxError(f"{name} needs re-encoding (mode 2)", name)
    if "maxrate" in args and args["format"] not in MAXRATE_FORMATS:
        raise FopSyntaxError(f"maxrate applies only to {', '.join(MAXRATE_FORMATS)}", "maxrate")


def run_avconcat(op: Op, src: Path, ctx: OpContext) -> OpResult:
    """Join the pieces in order, the source at position ``index``."""
    deadline = Deadline.start(ctx.op_timeout)
    fmt = FORMATS[op.args["format"]]
    pieces = _fetch_pieces(op.args, src, ctx)
    out = ctx.output_path(fmt.ext)
    total = sum(p.info.duration or 0 for p in pieces) or None
    if op.args["mode"] == 1:
        node = _remux(pieces, fmt, out, ctx)
    else:
        node = _reencode(pieces, op.args, fmt, out, ctx)
    run_ffmpeg(compile_argv(node, ctx), ctx, deadline, total)
    if not out.exists() or out.stat().st_size == 0:
        raise OpFailed("ffmpeg wrote no output")
    return OpResult(path=out, mime=fmt.mime)


def _fetch_pieces(args: dict[str, Any], src: Path, ctx: OpContext) -> list[Piece]:
    if ctx.resolve_url is None:
        raise OpFailed("avconcat needs a URL resolver, which this run does not have")
    workdir = Path(tempfile.mkdtemp(dir=ctx.scratch, prefix="avconcat-"))
    paths = [ctx.resolve_url(url, workdir) for url in args["sources"]]
    paths.insert(args.get("index", 1) - 1, src)
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
    joined = ffmpeg.input(str(listing), f="concat", safe=0, protocol_whitelist=PROTOCOLS)
    return joined.output(str(out), c="copy", f=fmt.muxer)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


def _reencode(pieces: list[Piece], args: dict[str, Any], fmt: OutputFormat, out: Path,
              ctx: OpContext) -> Any:
    with_video = not fmt.audio_only and any(p.info.video for p in pieces)
    with_audio = any(p.info.audio for p in pieces) and (
        args.get("addAudio", "1") == "1" or all(p.info.audio for p in pieces))
    if not with_video and not with_audio:
        raise OpFailed(f"not a valid media: the pieces have nothing to put in {args['format']}")
    size = _frame_size(pieces, args) if with_video else None
    fps = next((p.info.video.fps for p in pieces if p.info.video and p.info.video.fps), 25.0)
    streams = []
    for number, piece in enumerate(pieces, start=1):
        source = media_input(piece.path)
        if with_video:
            if piece.info.video is None:
                raise OpFailed(f"piece {number} has no video stream")
            streams.append(_fit(source["v:0"], size, fps))
        if with_audio:
            streams.append(_audio_of(source, piece))
    joined = ffmpeg.concat(*streams, v=int(with_video), a=int(with_audio)).node
    outputs = [joined[i] for i in range(int(with_video) + int(with_audio))]
    return ffmpeg.output(*outputs, str(out), **_encode_options(args, fmt, ctx, with_video, with_audio))


def _frame_size(pieces: list[Piece], args: dict[str, Any]) -> tuple[int, int]:
    if "s" in args:
        return even(args["s"].width), even(args["s"].height)
    first = next(p.info.video for p in pieces if p.info.video)
    return even(first.width), even(first.height)


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


def _encode_options(args: dict[str, Any], fmt: OutputFormat, ctx: OpContext,
                    with_video: bool, with_audio: bool) -> dict[str, Any]:
    encoders = available_encoders(ctx.ffmpeg)
    options: dict[str, Any] = {"f": fmt.muxer}
    if with_video:
        encoder = resolve_encoder(fmt.vcodec, encoders)
        options["c:v"] = encoder
        if encoder in YUV420_ENCODERS:
            options["pix_fmt"] = "yuv420p"
        if encoder == "libx264":
            options["preset"] = X264_PRESET
        if "maxrate" in args:
            options.update(maxrate=args["maxrate"], bufsize=2 * args["maxrate"])
        elif fmt.vb:
            options["b:v"] = fmt.vb
    if with_audio:
        options["c:a"] = resolve_encoder(fmt.acodec, encoders)
        if fmt.ab:
            options["b:a"] = fmt.ab
    return options
