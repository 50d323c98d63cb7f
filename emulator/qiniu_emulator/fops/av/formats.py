"""avthumb output formats (container, default codecs, preset values, MIME) and codec names."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from ..context import OpFailed
from ..profiles import EncodeProfile


@dataclass(frozen=True)
class OutputFormat:
    """One ``avthumb/<format>``. A ``None`` codec means the container carries no such stream."""

    muxer: str
    ext: str
    mime: str
    vcodec: str | None
    acodec: str | None
    vb: int | None = None
    ab: int | None = None
    ar: int | None = None
    ac: int | None = None

    @property
    def audio_only(self) -> bool:
        return self.vcodec is None


FORMATS = MappingProxyType({
    "mp4": OutputFormat("mp4", ".mp4", "video/mp4", "libx264", "aac"),
    "flv": OutputFormat("flv", ".flv", "video/x-flv", "libx264", "aac"),
    "flash": OutputFormat("flv", ".flv", "video/x-flv", "flv", "libmp3lame",
                          vb=512_000, ab=64_000, ar=44100),
    "webm": OutputFormat("webm", ".webm", "video/webm", "libvpx", "libvorbis",
                         vb=700_000, ab=128_000, ar=48000),
    "m3u8": OutputFormat("hls", ".m3u8", "application/x-mpegURL", "libx264", "aac"),
    "mov": OutputFormat("mov", ".mov", "video/quicktime", "libx264", "aac"),
    "mkv": OutputFormat("matroska", ".mkv", "video/x-matroska", "libx264", "aac"),
    "avi": OutputFormat("avi", ".avi", "video/x-msvideo", "mpeg4", "libmp3lame"),
    "ogv": OutputFormat("ogg", ".ogv", "video/ogg", "libtheora", "libvorbis"),
    "gif": OutputFormat("gif", ".gif", "image/gif", "gif", None),
    "mp3": OutputFormat("mp3", ".mp3", "audio/mpeg", None, "libmp3lame", ab=128_000, ar=44100),
    "aac": OutputFormat("adts", ".aac", "audio/aac", None, "aac"),
    "m4a": OutputFormat("ipod", ".m4a", "audio/mp4", None, "aac"),
    "ogg": OutputFormat("ogg", ".ogg", "audio/ogg", None, "libvorbis"),
    "opus": OutputFormat("opus", ".opus", "audio/opus", None, "libopus"),
    "wav": OutputFormat("wav", ".wav", "audio/wav", None, "pcm_s16le"),
    "flac": OutputFormat("flac", ".flac", "audio/flac", None, "flac"),
    "amr": OutputFormat("amr", ".amr", "audio/amr", None, "libopencore_amrnb",
                        ab=12_200, ar=8000, ac=1),
})

# Names users write -> encoders to try, best first. Encoders missing from the bundled
# ffmpeg (libfaac, libfdk_aac) fall back to the native one that produces the same codec.
CODEC_CANDIDATES = MappingProxyType({
    "aac": ("aac",), "libfaac": ("aac",), "libvo_aacenc": ("aac",),
    "libfdk_aac": ("libfdk_aac", "aac"),
    "libmp3lame": ("libmp3lame",), "mp3": ("libmp3lame",),
    "libvorbis": ("libvorbis",), "vorbis": ("libvorbis",),
    "libopus": ("libopus",), "opus": ("libopus",),
    "flac": ("flac",), "pcm_s16le": ("pcm_s16le",),
    "amr_nb": ("libopencore_amrnb",), "libopencore_amrnb": ("libopencore_amrnb",),
    "libx264": ("libx264", "libopenh264"), "h264": ("libx264", "libopenh264"),
    "libx265": ("libx265",), "hevc": ("libx265",), "h265": ("libx265",),
    "libvpx": ("libvpx",), "vp8": ("libvpx",),
    "libvpx-vp9": ("libvpx-vp9",), "vp9": ("libvpx-vp9",),
    "libtheora": ("libtheora",), "theora": ("libtheora",),
    "libxvid": ("libxvid", "mpeg4"), "mpeg4": ("mpeg4",),
    "flv": ("flv",), "gif": ("gif",),
})
AUDIO_CODECS = frozenset({"aac", "libfaac", "libvo_aacenc", "libfdk_aac", "libmp3lame", "mp3",
                          "libvorbis", "vorbis", "libopus", "opus", "flac", "pcm_s16le",
                          "amr_nb", "libopencore_amrnb", "copy"})
VIDEO_CODECS = frozenset({"libx264", "h264", "libx265", "hevc", "h265", "libvpx", "vp8",
                          "libvpx-vp9", "vp9", "libtheora", "theora", "libxvid", "mpeg4",
                          "flv", "gif", "copy"})
# Encoders whose pictures must be yuv420p with even sides to play everywhere.
YUV420_ENCODERS = frozenset({"libx264", "libopenh264", "libx265", "libvpx", "libvpx-vp9",
                             "libtheora", "libxvid", "mpeg4", "flv"})
# Encoders that take no bitrate (lossless or fixed-rate).
NO_BITRATE_ENCODERS = frozenset({"pcm_s16le", "flac", "gif"})


def resolve_encoder(name: str, available: frozenset[str]) -> str:
    """The encoder of this ffmpeg build for a user's codec name; OpFailed if there is none."""
    if name == "copy":
        return name
    for candidate in CODEC_CANDIDATES.get(name, (name,)):
        if candidate in available:
            return candidate
    raise OpFailed(f"codec {name} is not available in this ffmpeg build")


def speed_options(encoder: str, profile: EncodeProfile) -> dict[str, str | int]:
    """The encoder's speed settings under ``profile`` (rate control is set elsewhere)."""
    if encoder in ("libx264", "libx265"):
        return {"preset": profile.x264_preset}
    if encoder in ("libvpx", "libvpx-vp9") and profile.vpx_realtime:
        return {"deadline": "realtime", "cpu-used": 8}
    return {}
