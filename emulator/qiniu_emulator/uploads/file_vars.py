"""The magic variables that describe the uploaded file itself: ``$(imageInfo...)``,
``$(exif...)`` and ``$(avinfo...)`` (docs/wire.md §8.4).

They are read from the bytes only when returnBody or callbackBody names them, so an upload
whose policy does not ask pays nothing. A file they do not describe (``imageInfo`` of a
text file) leaves them unset, which a template renders as empty.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Callable

from ..fops.av.info import media_info_json
from ..fops.context import OpFailed
from ..fops.image.exif import exif_tags
from ..fops.image.info import image_info
from ..fops.image.io import open_source

NAMED = re.compile(r"\$[({](imageInfo|exif|avinfo)[.)}]")

log = logging.getLogger("qiniu_emulator.uploads")


def file_variables(templates: tuple[str, ...], path: Path, key: str) -> dict[str, Any]:
    """The file variables the ``templates`` name, each that the file has."""
    wanted = {match.group(1) for text in templates if text for match in NAMED.finditer(text)}
    readers: dict[str, Callable[[], Any]] = {
        "imageInfo": lambda: _image_info(path), "exif": lambda: exif_tags(path),
        "avinfo": lambda: _avinfo(path, key),
    }
    out: dict[str, Any] = {}
    for name in sorted(wanted):
        try:
            value = readers[name]()
        except (OpFailed, OSError, ValueError) as exc:
            log.debug("$(%s) of %s is unset: %s", name, key, exc)
            continue
        if value:
            out[name] = value
    return out


def _avinfo(path: Path, key: str) -> dict[str, Any]:
    """avinfo's document plus ``video`` and ``audio``, its first stream of each kind, as
    real policies read them (``$(avinfo.video.width)``, ``$(avinfo.format.duration)``)."""
    document = media_info_json(path, key)
    for kind in ("video", "audio"):
        first = next((s for s in document["streams"] if s.get("codec_type") == kind), None)
        if first is not None:
            document[kind] = first
    return document


def _image_info(path: Path) -> dict[str, Any]:
    with open_source(path) as source:
        return image_info(source)
