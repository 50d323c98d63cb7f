"""avthumb's arguments: ``avthumb/<format>`` then ``key/value`` pairs, checked together.

``<format>`` may also be a device preset (``iphone_low``) and ``avthumb/m3u8`` takes a
``preset`` (``video_640k``): their values fill what the user did not write (``presets``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..grammar import FopSyntaxError, arg, b64_text, float_range, int_range, one_of, params_of, parse_args, switch
from .filters import AUDIO_FILTERS, VIDEO_FILTERS, FilterStep, parse_chain
from .formats import AUDIO_CODECS, FORMATS, VIDEO_CODECS
from .naming import check_pattern
from .presets import DEVICE_PRESETS, HLS_PRESETS, apply_preset
from .params import (
    END,
    MAX_WM_SECONDS,
    SizeSpec,
    aspect,
    b64_aes_key,
    b64_color,
    b64_line,
    b64_url,
    bitrate,
    frame_rate,
    fraction,
    gravity,
    h264_level,
    positive_seconds,
    rotate_value,
    sample_rate,
    seconds,
    size_spec,
    smt_enhance,
    subtitle_codec,
    subtitle_source,
    volume,
    wm_position,
    wm_scale_type,
)

# Documented avthumb parameters the emulator does not act on (docs/fops.md §6.2): their
# meaning is not public (hr, flip, cut, stream, colorspace...), or they need what a local
# ffmpeg lacks (Qiniu's private HLS encryption, mosaics, burnt-in subtitle styling).
NOT_EMULATED = (
    "hr", "refine", "colorspace", "keyFramePosition", "rotateinfo", "flip", "compressLevel",
    "gifHighColor", "stream", "cut", "smtMaxvbr",
    "wmVideoOrder", "wmConstant", "wmIgnoreLoop", "wmFontStyle",
    "mosaic", "mosaicGravity", "mosaicOffsetX", "mosaicOffsetY", "mosaicSize", "mosaicStart", "mosaicDuration",
    "stFont", "stFontSize", "stOffsetX", "stOffsetY",
    "speex", "multiArep", "multiArepOffset", "multiArepStart", "multiArepDuration",
    "hlsMethod", "domain", "segFirstTime", "hlsIV", "hlsIVType", "hlsDurationModify", "multiAudio",
    "segmentType", "segmentInit",
)
# Values of not-emulated parameters that ask for nothing, accepted in every mode (docs/fops.md §6.6).
INERT = {"wmConstant": ("0",)}


def _chain(allowed: frozenset[str]):
    return lambda text: parse_chain(text, allowed)


def _pattern(text: str) -> str:
    return check_pattern(b64_text(text))


@dataclass(frozen=True)
class ThumbArgs:
    """Every avthumb parameter; None (or False for switches) means "not written"."""

    format: str = arg(one_of(*FORMATS, *DEVICE_PRESETS), "output format or device preset",
                      positional=True, required=True)
    ab: int | None = arg(bitrate, "audio bitrate (128k, 1.5m)")
    aq: int | None = arg(int_range(0, 500), "audio quality (mp3 0-9, aac 10-500)")
    ar: int | None = arg(sample_rate, "audio sample rate")
    ac: int | None = arg(int_range(1, 8), "audio channels")
    acodec: str | None = arg(one_of(*sorted(AUDIO_CODECS)), "audio codec")
    audio_profile: str | None = arg(one_of("aac_low", "aac_he", "aac_he_v2"), "AAC profile",
                                    name="audioProfile")
    vcodec: str | None = arg(one_of(*sorted(VIDEO_CODECS)), "video codec")
    vb: int | None = arg(bitrate, "video bitrate")
    r: float | None = arg(frame_rate, "frame rate")
    crf: int | None = arg(int_range(0, 51), "constant rate factor")
    maxrate: int | None = arg(bitrate, "peak video bitrate (with a buffer of twice that)")
    gop: int | None = arg(int_range(0, 3000), "frames from one keyframe to the next; 0 = the encoder's")
    ref: int | None = arg(int_range(1, 16), "H.264 reference frames")
    h264_profile: str | None = arg(one_of("baseline", "main", "high"), "H.264 profile",
                                   name="h264Profile")
    h264_level: str | None = arg(h264_level, "H.264 level: 3.0, 3.1, 4.0, 4.1 or 4.2", name="h264Level")
    avsmart: bool = arg(switch, "1 = smart slimming: quality-driven, vb has no effect", default=False)
    smt_type: str | None = arg(one_of("1", "2"), "slimming model: 1 H.264 only, 2 H.264 or H.265",
                               name="smtType")
    smt_quality: int | None = arg(int_range(-7, 9), "slimming quality, higher is better (default 0)",
                                  name="smtQuality")
    smt_enhance: str | None = arg(smt_enhance, "0 = no enhancement (the emulator never enhances)",
                                  name="smtEnhance")
    deinterlace: bool = arg(switch, "1 = deinterlace (yadif)", default=False)
    pad_w: int | None = arg(int_range(2, 4096), "canvas width around the video", name="padW")
    pad_h: int | None = arg(int_range(2, 4096), "canvas height around the video", name="padH")
    pad_x: int | None = arg(int_range(0, 4096), "video x on the canvas (default centred)", name="padVideoX")
    pad_y: int | None = arg(int_range(0, 4096), "video y on the canvas (default centred)", name="padVideoY")
    h264_crf: int | None = arg(int_range(0, 51), "constant rate factor (x264)", name="h264Crf")
    s: SizeSpec | None = arg(size_spec(4096, 4096), "picture size <w>x<h>")
    autoscale: bool = arg(switch, "1 = fit inside s keeping the aspect", default=False)
    aspect: str | None = arg(aspect, "display aspect ratio 16:9")
    ss: float | None = arg(seconds, "start offset in seconds")
    t: float | None = arg(positive_seconds, "duration in seconds")
    an: bool = arg(switch, "1 = drop the audio", default=False)
    vn: bool = arg(switch, "1 = drop the video", default=False)
    stripmeta: bool = arg(switch, "1 = drop the metadata", default=False)
    rotate: str | None = arg(rotate_value, "90, 180, 270 or auto")
    write_xing: bool | None = arg(switch, "0 = no Xing header in mp3", name="writeXing")
    volume: str | None = arg(volume, "audio volume: a multiplier (1.5) or a change in dB (-5dB)")
    loudnorm: bool = arg(switch, "1 = EBU R128 loudness normalisation", default=False)
    loudnorm_i: float | None = arg(float_range(-70, -5), "integrated loudness target, LUFS (default -24)",
                                   name="loudnormI")
    loudnorm_lra: float | None = arg(float_range(1, 20), "loudness range target, LU (default 7)",
                                     name="loudnormLRA")
    loudnorm_tp: float | None = arg(float_range(-9, 0), "true peak ceiling, dBTP (default -2)",
                                    name="loudnormTP")
    amix: str | None = arg(b64_url, "URL of audio mixed into the output")
    amix_offset: float | None = arg(seconds, "where in the output the mix starts", name="amixOffset")
    amix_start: float | None = arg(seconds, "where in the mixed audio reading starts", name="amixStart")
    amix_duration: float | None = arg(positive_seconds, "how much of the mixed audio is used",
                                      name="amixDuration")
    subtitle: str | None = arg(subtitle_source, "subtitles: embed, or the URL of an srt/ass/mkv file")
    scodec: str | None = arg(subtitle_codec, "subtitle codec: mov_text, srt, ass or webvtt")
    sn: bool = arg(switch, "1 = no subtitle stream", default=False)
    wm_image: str | None = arg(b64_url, "URL of an image watermark", name="wmImage")
    wm_video: str | None = arg(b64_url, "URL of a video watermark", name="wmVideo")
    wm_gravity: str | None = arg(gravity, "anchor of the image or video watermark", name="wmGravity")
    wm_scale: float | None = arg(fraction, "watermark size as a fraction of the video's side", name="wmScale")
    wm_scale_type: str | None = arg(wm_scale_type, "0 = wmScale of the short sides, 1 = of the long sides",
                                    name="wmScaleType")
    wm_alpha: float | None = arg(fraction, "watermark opacity", name="wmAlpha")
    wm_pos: int | str | None = arg(wm_position, "second the watermarks appear, or $(end)", name="wmPos")
    wm_duration: int | None = arg(int_range(-MAX_WM_SECONDS, MAX_WM_SECONDS),
                                  "seconds the watermarks show (negative after wmPos/$(end))", name="wmDuration")
    wm_shortest: bool = arg(switch, "1 = trim a watermark time that runs past the end", name="wmShortest",
                            default=False)
    wm_offset_x: int = arg(int_range(-4096, 4096), "watermark x offset", name="wmOffsetX", default=0)
    wm_offset_y: int = arg(int_range(-4096, 4096), "watermark y offset", name="wmOffsetY", default=0)
    wm_text: str | None = arg(b64_text, "text watermark", name="wmText")
    wm_gravity_text: str | None = arg(gravity, "anchor of the text watermark", name="wmGravityText")
    wm_font: str | None = arg(b64_text, "font of the text watermark", name="wmFont")
    wm_font_color: str | None = arg(b64_color, "colour of the text watermark", name="wmFontColor")
    wm_font_size: int | None = arg(int_range(20, 20000), "text size in twips", name="wmFontSize")
    af: tuple[FilterStep, ...] = arg(_chain(AUDIO_FILTERS), "audio filters (whitelisted)", default=())
    vf: tuple[FilterStep, ...] = arg(_chain(VIDEO_FILTERS), "video filters (whitelisted)", default=())
    segtime: float | None = arg(float_range(5, 120), "HLS segment seconds")
    no_domain: bool = arg(switch, "HLS: segment URIs without a domain", name="noDomain", default=False)
    hls_key: bytes | None = arg(b64_aes_key, "HLS AES-128 key", name="hlsKey")
    hls_key_type: str | None = arg(one_of("0"), "HLS key type", name="hlsKeyType")
    hls_key_url: str | None = arg(b64_line, "HLS key URL", name="hlsKeyUrl")
    pattern: str | None = arg(_pattern, "HLS segment key pattern with $(count)")
    save_pattern: str | None = arg(_pattern, "HLS segment key pattern with $(count)", name="savePattern")
    preset: str | None = arg(one_of(*HLS_PRESETS), "HLS preset: video_640k, video_16x9_440k, audio_32k, ...")

    def check(self) -> None:
        """Cross-parameter rules; FopSyntaxError names the culprit."""
        for a, b in (("ab", "aq"), ("crf", "h264_crf"), ("pattern", "save_pattern")):
            if self._given(a) and self._given(b):
                raise FopSyntaxError(f"{WIRE[a]} and {WIRE[b]} are mutually exclusive", WIRE[b])
        if self.format != "m3u8":
            for name in HLS_ONLY:
                if self._given(name):
                    raise FopSyntaxError(f"{WIRE[name]} applies only to avthumb/m3u8", WIRE[name])
        if (self.hls_key is None) != (self.hls_key_url is None):
            culprit = "hlsKey" if self.hls_key is not None else "hlsKeyUrl"
            raise FopSyntaxError("hlsKey and hlsKeyUrl must be given together", culprit)
        for codec, names in (("vcodec", VIDEO_FILTER_PARAMS), ("acodec", AUDIO_FILTER_PARAMS)):
            if getattr(self, codec) == "copy":
                clash = next((n for n in names if self._given(n)), None)
                if clash:
                    raise FopSyntaxError(f"{WIRE[clash]} needs re-encoding and cannot be used with "
                                         f"{codec}/copy", WIRE[clash])
        if self.an and self.vn:
            raise FopSyntaxError("an/1 and vn/1 together leave nothing to encode", "vn")
        self._check_companions()
        self._check_smart()
        self._check_watermark_time()
        if self.sn and (self.subtitle or self.scodec):
            raise FopSyntaxError("sn/1 drops subtitles, so subtitle and scodec cannot be used with it", "sn")

    def _check_companions(self) -> None:
        """Parameters that only mean something next to another one."""
        for needed, dependants in COMPANIONS:
            if self._given(needed):
                continue
            given = next((name for name in dependants if self._given(name)), None)
            if given:
                raise FopSyntaxError(f"{WIRE[given]} needs {WIRE[needed]}", WIRE[given])
        if not any(self._given(name) for name in WATERMARK_IMAGES):
            given = next((n for n in ("wm_scale", "wm_scale_type", "wm_alpha") if self._given(n)), None)
            if given:
                raise FopSyntaxError(f"{WIRE[given]} needs wmImage or wmVideo", WIRE[given])
        if self._given("pad_w") != self._given("pad_h"):
            raise FopSyntaxError("padW and padH must be given together", "padW" if self.pad_h else "padH")

    def _check_smart(self) -> None:
        if not self.avsmart:
            return
        if self.vcodec not in (None, "libx264", "h264", "libx265", "hevc", "h265"):
            raise FopSyntaxError(f"avsmart encodes H.264 or H.265, not vcodec/{self.vcodec}", "avsmart")
        if self.smt_type == "1" and self.vcodec in ("libx265", "hevc", "h265"):
            raise FopSyntaxError("smtType 1 encodes H.264 only; use smtType/2 for H.265", "smtType")

    def _check_watermark_time(self) -> None:
        if (self.wm_pos is None) != (self.wm_duration is None):
            raise FopSyntaxError("wmPos and wmDuration must be given together",
                                 "wmPos" if self.wm_pos is None else "wmDuration")
        if self.wm_pos is None or self.wm_duration is None:
            return
        if self.wm_pos == END and self.wm_duration >= 0:
            raise FopSyntaxError("with wmPos/$(end), wmDuration counts back and must be negative", "wmDuration")
        if self.wm_pos != END and self.wm_duration <= 0:
            raise FopSyntaxError("wmDuration must be positive after a wmPos in seconds", "wmDuration")
        if not (self._given("wm_image") or self._given("wm_video") or self._given("wm_text")):
            raise FopSyntaxError("wmPos needs a watermark (wmImage, wmVideo or wmText)", "wmPos")

    def _given(self, name: str) -> bool:
        return getattr(self, name) not in (None, False, ())

    @property
    def crf_value(self) -> int | None:
        return self.crf if self.crf is not None else self.h264_crf

    @property
    def segment_pattern(self) -> str | None:
        return self.save_pattern or self.pattern


WIRE = {attr: param.name for attr, param in params_of(ThumbArgs)}
HLS_ONLY = ("segtime", "no_domain", "hls_key", "hls_key_type", "hls_key_url", "pattern", "save_pattern",
            "preset")
VIDEO_FILTER_PARAMS = ("s", "rotate", "vf", "wm_image", "wm_video", "wm_text", "r", "aspect", "gop", "ref",
                       "h264_profile", "h264_level", "maxrate", "avsmart", "deinterlace", "pad_w")
AUDIO_FILTER_PARAMS = ("af", "ab", "aq", "ar", "ac", "audio_profile", "volume", "loudnorm", "amix")
# (needed, the parameters that need it)
COMPANIONS = (
    ("loudnorm", ("loudnorm_i", "loudnorm_lra", "loudnorm_tp")),
    ("avsmart", ("smt_type", "smt_quality", "smt_enhance")),
    ("amix", ("amix_offset", "amix_start", "amix_duration")),
    ("pad_w", ("pad_x", "pad_y")),
)
WATERMARK_IMAGES = ("wm_image", "wm_video")  # the marks wmScale and wmAlpha apply to


def parse_avthumb(segments: list[str]) -> ThumbArgs:
    """Parse and cross-check avthumb's parameters."""
    args = parse_args(ThumbArgs, positional_preset(segments))
    preset = DEVICE_PRESETS.get(args.format) or (HLS_PRESETS[args.preset] if args.preset else None)
    if preset is None:
        return args
    args = apply_preset(args, preset)
    args.check()
    return args


def positional_preset(segments: list[str]) -> list[str]:
    """``avthumb/m3u8/segtime/15/video_240k``: an HLS preset written where a parameter
    name goes, without ``preset/``, read as ``preset/video_240k`` (docs/fops.md §6.6)."""
    if not segments or segments[0] != "m3u8":
        return segments
    flags = {p.name for _, p in params_of(ThumbArgs) if p.flag}
    out, i = segments[:1], 1
    while i < len(segments):
        name = segments[i]
        if name in HLS_PRESETS:
            out += ["preset", name]
            i += 1
            continue
        step = 1 if name in flags else 2
        out += segments[i:i + step]
        i += step
    return out
