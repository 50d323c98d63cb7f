"""What an object is, as a person compares two of them: picture size, codecs, bitrates,
durations, aspect ratios; and small previews of what a browser cannot show by itself
(pretty JSON, a zip's listing).

Images are read from their header with the ops' own opener (``fops/image/io.py``), media
with the avinfo prober (``fops/av/info.py``), so the console reports what an op would see
and opens inputs through the same safety gates.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from .fops.av.info import media_info_json
from .fops.context import OpFailed
from .fops.doc.pdf import page_count
from .fops.image.io import open_source
from .storage import ObjectInfo

TEXT_PREVIEW_BYTES = 256 * 1024
ZIP_ENTRIES = 200
TEXT_MIMES = ("application/x-mpegurl", "application/vnd.apple.mpegurl", "application/xml",
              "application/javascript", "application/x-yaml")


@dataclass(frozen=True)
class Property:
    name: str
    value: str


@dataclass(frozen=True)
class Properties:
    """An object's properties in a fixed order; ``error`` says why they are few."""

    kind: str  # image, video, audio, json, text, pdf, zip, other
    rows: list[Property] = field(default_factory=list)
    error: str = ""

    def value(self, name: str) -> str:
        return next((row.value for row in self.rows if row.name == name), "")


@dataclass(frozen=True)
class Difference:
    """One property of two objects side by side."""

    name: str
    left: str
    right: str

    @property
    def differs(self) -> bool:
        return self.left != self.right


@dataclass(frozen=True)
class TextPreview:
    text: str
    truncated: bool
    json: bool  # the text is pretty-printed JSON


@dataclass(frozen=True)
class ZipEntry:
    name: str
    size: int
    compressed: int


@dataclass(frozen=True)
class ZipListing:
    entries: list[ZipEntry]
    total: int
    error: str = ""


def kind_of(obj: ObjectInfo) -> str:
    """How the console previews an object, from its MIME type and then its key."""
    mime, key = obj.mime.lower(), obj.key.lower()
    if mime.startswith("image/"):
        return "image"
    if mime.startswith("video/") or key.endswith((".mp4", ".mov", ".webm", ".mkv", ".ts", ".flv")):
        return "video"
    if mime.startswith("audio/") or key.endswith((".mp3", ".m4a", ".aac", ".wav", ".ogg", ".flac")):
        return "audio"
    if mime == "application/json" or key.endswith(".json"):
        return "json"
    if mime == "application/pdf" or key.endswith(".pdf"):
        return "pdf"
    if mime in ("application/zip", "application/x-zip-compressed") or key.endswith(".zip"):
        return "zip"
    if mime.startswith("text/") or mime in TEXT_MIMES or key.endswith((".m3u8", ".txt", ".csv")):
        return "text"
    return "other"


class MediaInspector:
    """Reads objects' properties for the console; never raises for an unreadable object."""

    def properties(self, obj: ObjectInfo) -> Properties:
        kind = kind_of(obj)
        rows = [Property("MIME type", obj.mime), Property("size", f"{obj.fsize} bytes")]
        try:
            if kind == "image":
                rows += _image_rows(obj)
            elif kind in ("video", "audio"):
                rows += _media_rows(obj)
            elif kind == "pdf":
                rows.append(Property("pages", str(page_count(obj.path))))
        except OpFailed as exc:
            return Properties(kind, rows, str(exc))
        except OSError as exc:
            return Properties(kind, rows, f"cannot read the object: {exc.strerror or exc}")
        return Properties(kind, rows)

    @staticmethod
    def compare(left: Properties, right: Properties) -> list[Difference]:
        """Every property either side has, in the left's order then the right's."""
        names = [row.name for row in left.rows]
        names += [row.name for row in right.rows if row.name not in names]
        return [Difference(name, left.value(name), right.value(name)) for name in names]

    @staticmethod
    def text(obj: ObjectInfo, limit: int = TEXT_PREVIEW_BYTES) -> TextPreview:
        with obj.path.open("rb") as f:
            data = f.read(limit + 1)
        truncated = len(data) > limit
        text = data[:limit].decode("utf-8", "replace")
        if not truncated:
            try:
                return TextPreview(json.dumps(json.loads(text), indent=2, ensure_ascii=False), False, True)
            except ValueError:
                pass
        return TextPreview(text, truncated, False)

    @staticmethod
    def zip_listing(obj: ObjectInfo, limit: int = ZIP_ENTRIES) -> ZipListing:
        try:
            with zipfile.ZipFile(obj.path) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            return ZipListing([], 0, f"not a readable zip: {exc}")
        entries = [ZipEntry(i.filename, i.file_size, i.compress_size) for i in infos[:limit]]
        return ZipListing(entries, len(infos))


def _image_rows(obj: ObjectInfo) -> list[Property]:
    with open_source(obj.path) as source:
        width, height = source.oriented_size
        rows = [Property("format", source.format), Property("dimensions", f"{width}×{height}"),
                Property("color mode", source.image.mode)]
        if source.frames > 1:
            rows.append(Property("frames", str(source.frames)))
        if source.orientation != 1:
            rows.append(Property("EXIF orientation", str(source.orientation)))
        return rows


def _media_rows(obj: ObjectInfo) -> list[Property]:
    info = media_info_json(obj.path, obj.key)
    fmt = info["format"]
    rows = [Property("container", str(fmt.get("format_name", ""))),
            Property("duration", _seconds(fmt.get("duration"))),
            Property("bitrate", _bitrate(fmt.get("bit_rate")))]
    video = next((s for s in info["streams"] if s.get("codec_type") == "video"), None)
    audio = next((s for s in info["streams"] if s.get("codec_type") == "audio"), None)
    if video:
        rows += _video_rows(video)
    if audio:
        rows += _audio_rows(audio)
    return rows


def _video_rows(stream: dict[str, Any]) -> list[Property]:
    return [
        Property("video codec", " ".join(filter(None, (stream.get("codec_name"), stream.get("profile"))))),
        Property("dimensions", f"{stream.get('width')}×{stream.get('height')}"),
        Property("SAR", str(stream.get("sample_aspect_ratio", ""))),
        Property("DAR", str(stream.get("display_aspect_ratio", ""))),
        Property("frame rate", _rate(stream.get("avg_frame_rate"))),
        Property("pixel format", str(stream.get("pix_fmt") or "")),
        Property("video bitrate", _bitrate(stream.get("bit_rate"))),
        Property("video duration", _seconds(stream.get("duration"))),
    ]


def _audio_rows(stream: dict[str, Any]) -> list[Property]:
    return [
        Property("audio codec", str(stream.get("codec_name", ""))),
        Property("sample rate", f"{stream.get('sample_rate', '')} Hz"),
        Property("channels", f"{stream.get('channels', '')} ({stream.get('channel_layout', '?')})"),
        Property("audio bitrate", _bitrate(stream.get("bit_rate"))),
        Property("audio duration", _seconds(stream.get("duration"))),
    ]


def _seconds(text: Any) -> str:
    return f"{float(text):.3f} s" if text not in (None, "") else ""


def _bitrate(text: Any) -> str:
    return f"{int(text) / 1000:.0f} kb/s" if text not in (None, "", "0") else ""


def _rate(text: Any) -> str:
    if not text or text == "0/0":
        return ""
    num, _, den = str(text).partition("/")
    return f"{int(num) / int(den or 1):.3g} fps" if int(den or 1) else ""
