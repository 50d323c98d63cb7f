"""adapt/m3u8: multi-bitrate HLS, a master playlist over one variant per rendition (docs/fops.md §9.13).

``envBandWidth`` (2-5 ascending bandwidths) sets the number of renditions; each of
``multiVb``, ``multiAb``, ``multiResolution`` and ``multiPrefix`` given must have as many
items, and excludes its single form (``vb``, ``ab``, ``resolution``). ``$(origin)`` in a
bitrate list keeps the source's. Each rendition is encoded as ``avthumb/m3u8`` would
(``hlstime`` is its ``segtime``, watermarks included). Names: the variant of prefix ``P``
is ``P.m3u8`` with segments ``P-000000.ts``, ...; without ``multiPrefix``, ``P`` is the
master's key without ``.m3u8`` plus ``_<i>``. Every playlist lists its URIs relative to
its own key, so the master plays from wherever it is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ...encoding import b64_decode_text
from ..context import ExtraOutput, OpContext, OpFailed, OpResult
from ..declare import Op
from ..grammar import FopSyntaxError, arg, b64_text, float_range, int_range, one_of, params_of
from .ffmpeg import Deadline
from .formats import FORMATS
from .hls import SEGMENT_MIME, encode_hls, relative_uri, render_playlist
from .naming import generated_segment_prefix
from .params import SizeSpec, b64_color, b64_url, bitrate, gravity
from .probe import probe
from .thumb_parse import ThumbArgs

ORIGIN = "$(origin)"
PLAYLIST_MIME = FORMATS["m3u8"].mime
DEFAULT_HLSTIME = 10.0


def _list(convert, what: str):
    def convert_list(text: str) -> tuple:
        items = text.split(",")
        if not 2 <= len(items) <= 5:
            raise ValueError(f"{what} takes 2 to 5 comma-separated values, got {len(items)}")
        return tuple(convert(item) for item in items)

    return convert_list


def bandwidth(text: str) -> int:
    return int_range(50_000, 30_000_000)(text)


def rate_or_origin(text: str) -> int | None:
    return None if text == ORIGIN else bitrate(text)


def resolution(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+):(\d+)", text)
    if match is None:
        raise ValueError(f"{text!r} is not a resolution like 640:480")
    width, height = int(match[1]), int(match[2])
    if not (20 <= width <= 8192 and 20 <= height <= 4320):
        raise ValueError(f"{text} is outside width 20..8192, height 20..4320")
    return width, height


def prefix(text: str) -> str:
    key = b64_decode_text(text)
    if not key or key.startswith("/") or ".." in key.split("/") or not key.isprintable():
        raise ValueError(f"{key[:60]!r} is not a key prefix such as hls/name_1")
    return key


@dataclass(frozen=True)
class AdaptArgs:
    format: str = arg(one_of("m3u8"), "output format (only m3u8)", positional=True, required=True)
    env_bandwidth: tuple[int, ...] = arg(_list(bandwidth, "envBandWidth"),
                                         "2-5 ascending switch bandwidths in b/s", name="envBandWidth",
                                         required=True)
    multi_vb: tuple[int | None, ...] | None = arg(_list(rate_or_origin, "multiVb"),
                                                  "video bitrates, $(origin) = the source's", name="multiVb")
    multi_ab: tuple[int | None, ...] | None = arg(_list(rate_or_origin, "multiAb"),
                                                  "audio bitrates, $(origin) = the source's", name="multiAb")
    multi_resolution: tuple[tuple[int, int], ...] | None = arg(_list(resolution, "multiResolution"),
                                                               "sizes w:h", name="multiResolution")
    multi_prefix: tuple[str, ...] | None = arg(_list(prefix, "multiPrefix"),
                                               "url-safe base64 key prefixes, one per variant",
                                               name="multiPrefix")
    vb: int | None = arg(bitrate, "video bitrate of every variant")
    ab: int | None = arg(bitrate, "audio bitrate of every variant")
    resolution: tuple[int, int] | None = arg(resolution, "size w:h of every variant")
    hlstime: float = arg(float_range(5, 120), "segment seconds", default=DEFAULT_HLSTIME)
    wm_image: str | None = arg(b64_url, "URL of an image watermark", name="wmImage")
    wm_gravity: str | None = arg(gravity, "anchor of the image watermark", name="wmGravity")
    wm_text: str | None = arg(b64_text, "text watermark", name="wmText")
    wm_gravity_text: str | None = arg(gravity, "anchor of the text watermark", name="wmGravityText")
    wm_font: str | None = arg(b64_text, "font of the text watermark", name="wmFont")
    wm_font_color: str | None = arg(b64_color, "colour of the text watermark", name="wmFontColor")
    wm_font_size: int | None = arg(int_range(20, 20000), "text size in twips", name="wmFontSize")
    wm_offset_x: int = arg(int_range(-4096, 4096), "watermark x offset", name="wmOffsetX", default=0)
    wm_offset_y: int = arg(int_range(-4096, 4096), "watermark y offset", name="wmOffsetY", default=0)

    def check(self) -> None:
        count = len(self.env_bandwidth)
        if list(self.env_bandwidth) != sorted(self.env_bandwidth):
            raise FopSyntaxError("envBandWidth values must be in ascending order", "envBandWidth")
        for multi, single in (("multi_vb", "vb"), ("multi_ab", "ab"), ("multi_resolution", "resolution")):
            if getattr(self, multi) is not None and getattr(self, single) is not None:
                raise FopSyntaxError(f"{WIRE[multi]} and {single} cannot be used together", single)
        for name in ("multi_vb", "multi_ab", "multi_resolution", "multi_prefix"):
            values = getattr(self, name)
            if values is not None and len(values) != count:
                raise FopSyntaxError(f"{WIRE[name]} has {len(values)} values but envBandWidth has {count}; "
                                     "every list needs one value per variant", WIRE[name])
        if self.multi_prefix is not None and len(set(self.multi_prefix)) != count:
            raise FopSyntaxError("multiPrefix values must differ", "multiPrefix")

    def rendition(self, index: int) -> ThumbArgs:
        """The avthumb/m3u8 arguments of variant ``index``."""
        size = self.multi_resolution[index] if self.multi_resolution else self.resolution
        return ThumbArgs(
            format="m3u8", segtime=self.hlstime,
            vb=self.multi_vb[index] if self.multi_vb else self.vb,
            ab=self.multi_ab[index] if self.multi_ab else self.ab,
            s=SizeSpec(*size) if size else None,
            wm_image=self.wm_image, wm_gravity=self.wm_gravity, wm_text=self.wm_text,
            wm_gravity_text=self.wm_gravity_text, wm_font=self.wm_font, wm_font_color=self.wm_font_color,
            wm_font_size=self.wm_font_size, wm_offset_x=self.wm_offset_x, wm_offset_y=self.wm_offset_y)


WIRE = {attr: param.name for attr, param in params_of(AdaptArgs)}


def variant_prefixes(op: Op[AdaptArgs], src: Path, ctx: OpContext) -> list[str]:
    count = len(op.args.env_bandwidth)
    if op.args.multi_prefix:
        return list(op.args.multi_prefix)
    if ctx.output_key:
        base = ctx.output_key[: -len(".m3u8")] if ctx.output_key.endswith(".m3u8") else ctx.output_key
    else:
        base = generated_segment_prefix(op.text, ctx.source, src) + "adapt"
    return [f"{base}_{index}" for index in range(count)]


def run_adapt(op: Op[AdaptArgs], src: Path, ctx: OpContext) -> OpResult:
    """Encode every rendition, then write the master playlist over their variant playlists."""
    deadline = Deadline.start(ctx.op_timeout)
    master_key = ctx.output_key
    extra: list[ExtraOutput] = []
    streams: list[str] = []
    for index, base in enumerate(variant_prefixes(op, src, ctx)):
        encoded = encode_hls(op.args.rendition(index), src, ctx, deadline)
        variant_key = f"{base}.m3u8"
        keys = [f"{base}-{number:06d}.ts" for number in range(len(encoded.segments))]
        variant = ctx.output_path(".m3u8")
        variant.write_text(render_playlist(encoded.lines, [relative_uri(k, variant_key) for k in keys]),
                           encoding="utf-8")
        extra.append(ExtraOutput(variant_key, variant, PLAYLIST_MIME))
        extra.extend(ExtraOutput(k, p, SEGMENT_MIME) for k, p in zip(keys, encoded.segments))
        streams.append(_stream_inf(op.args.env_bandwidth[index], encoded.segments[0]))
        streams.append(relative_uri(variant_key, master_key))
    if master_key in {e.key for e in extra}:
        raise OpFailed(f"the master playlist key {master_key!r} is also a variant's; change multiPrefix")
    master = ctx.output_path(".m3u8")
    master.write_text("\n".join(["#EXTM3U", "#EXT-X-VERSION:3", *streams]) + "\n", encoding="utf-8")
    return OpResult(path=master, mime=PLAYLIST_MIME, extra=extra)


def _stream_inf(bandwidth_bps: int, first_segment: Path) -> str:
    video = probe(first_segment).video
    size = f",RESOLUTION={video.width}x{video.height}" if video else ""
    return f"#EXT-X-STREAM-INF:BANDWIDTH={bandwidth_bps}{size}"
