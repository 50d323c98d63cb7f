"""The gate every media input passes through, in ffmpeg and in PyAV alike.

An input may be opened only by a demuxer that reads its own bytes and nothing else: not
HLS or DASH playlists, concat lists, image sequences or SDP files, which follow
references to other files or URLs. Only local files may be read (no network protocol,
no ``pipe:``). So an uploaded ``.m3u8`` naming ``/etc/...``, ``../other-bucket/...`` or
``file:///...`` fails as "not a valid media" instead of reading what it names.
"""

from __future__ import annotations

# Demuxers (ffmpeg short names) allowed for sources: containers and raw streams that
# carry their media inline. MP4/MOV's external data references stay off (the default).
MEDIA_FORMATS = ",".join((
    "mov", "matroska", "avi", "flv", "mpegts", "mpeg", "asf", "ogg", "mxf", "rm",
    "mp3", "aac", "wav", "flac", "amr", "ac3", "eac3", "caf", "aiff", "w64", "wv", "ape",
    "h264", "hevc", "m4v", "mjpeg", "gif", "ivf", "dts", "truehd",
    "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif_pipe",
))
INPUT_PROTOCOLS = "file"


def input_options() -> dict[str, str]:
    """The options every ffmpeg input and every PyAV open carries."""
    return {"protocol_whitelist": INPUT_PROTOCOLS, "format_whitelist": MEDIA_FORMATS}


def listing_options() -> dict[str, str]:
    """A concat listing the emulator wrote itself: the concat demuxer, then the gate for each piece."""
    return {"protocol_whitelist": INPUT_PROTOCOLS, "format_whitelist": "concat," + MEDIA_FORMATS}
