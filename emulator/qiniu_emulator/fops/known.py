"""Real Qiniu fop names the emulator does not run yet, each with the page that documents it.

The parser words a fop string that uses one of these differently from a typo, and the
README's list of missing ops is generated from here, so this tuple is the one place to
edit when an op is added (remove it here) or found (add it with its source).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

V6_REFERENCE = "https://github.com/qiniu/developer.qiniu.com/blob/develop/docs/v6/api/reference/fop"
DOCS_2013 = "https://github.com/qiniu/docs.qiniu.com/tree/e0061b870442c659dfeaa34c4787f451380c2570"


@dataclass(frozen=True)
class KnownOp:
    """A real op: the name before the first ``/``, what it does, and its documentation."""

    name: str
    what: str
    url: str


NOT_EMULATED: tuple[KnownOp, ...] = (
    KnownOp("avsmart", "smart (perceptive) transcoding",
            "https://developer.qiniu.com/dora/6097/perceptive-transcoding-avsmart-1"),
    KnownOp("avfast", "fast parallel transcoding", "https://developer.qiniu.com/dora/5777/avfast"),
    KnownOp("avcvt", "real-time transcoding on playback",
            "https://developer.qiniu.com/dora/12739/real-time-transcode"),
    KnownOp("avvod", "older name of real-time transcoding",
            "https://developer.qiniu.com/dora/3685/directions-for-use-av"),
    KnownOp("segment", "split audio/video without re-encoding",
            "https://developer.qiniu.com/dora/4154/dora-segment"),
    KnownOp("aicvt", "AI video super-resolution",
            "https://developer.qiniu.com/dora/12508/video%20super%20resolution"),
    KnownOp("avwatermark", "video watermarking",
            "https://developer.qiniu.com/dora/6166/an-overview-of-the-api-1"),
    KnownOp("vwatermark", "old video watermarking", DOCS_2013),
    KnownOp("animate", "GIF from several images", "https://developer.qiniu.com/dora/5448/animate"),
    KnownOp("stitch", "panorama from several images",
            "https://developer.qiniu.com/dora/6670/panoramic-view-image-splicing-stitch"),
    KnownOp("md2html", "Markdown to HTML", f"{V6_REFERENCE}/md2html.md"),
    KnownOp("qrcode", "QR code of the URL or the content", f"{V6_REFERENCE}/qrcode.md"),
    KnownOp("odconv", "office documents to pdf (retired)",
            "https://github.com/qiniu/developer.qiniu.com/blob/develop/_frozen/docs/v6/api/reference/fop/odconv.md"),
    KnownOp("sequickimage", "third-party large-image service", f"{V6_REFERENCE}/third-party/sequickimage.md"),
    KnownOp("facecrop2", "third-party face crop", f"{V6_REFERENCE}/third-party/facecrop2.md"),
    KnownOp("nrop", "third-party porn detection", f"{V6_REFERENCE}/third-party/nrop.md"),
    KnownOp("ad", "third-party ad filtering", f"{V6_REFERENCE}/third-party/ad.md"),
    KnownOp("tupu-video", "third-party video porn detection", f"{V6_REFERENCE}/third-party/tupu-video.md"),
    KnownOp("qpulp", "image porn detection v1 (deprecated)", "https://developer.qiniu.com/dora/manual/3701/ai-pulp"),
    KnownOp("qterror", "image terror detection v1", "https://developer.qiniu.com/censor/4850/picture-terror"),
    KnownOp("qpolitician", "sensitive-person detection v1",
            "https://developer.qiniu.com/censor/4851/picture-politician"),
    KnownOp("video-censor", "video moderation as a pfop command (the API form is emulated: POST /v3/video/censor)",
            "https://developer.qiniu.com/censor/5620/video-censor"),
    KnownOp("avwatermarks", "several timed video watermarks in one command (name seen in user pfop code)",
            "https://developer.qiniu.com/dora/api/video-watermarking"),
    KnownOp("imageView", "v1 of imageView2", DOCS_2013),
    KnownOp("imageMogr", "v1 of imageMogr2", DOCS_2013),
)

_BY_NAME = MappingProxyType({op.name: op for op in NOT_EMULATED})


def not_emulated(name: str) -> KnownOp | None:
    """The real op called ``name`` that the emulator lacks, else None."""
    return _BY_NAME.get(name)


def missing_ops_table() -> str:
    """The README's table of real ops that are not emulated (a test keeps the two equal)."""
    rows = ["| op | what it is | documentation |", "|---|---|---|"]
    rows += [f"| `{op.name}` | {op.what} | {op.url} |" for op in NOT_EMULATED]
    return "\n".join(rows)
