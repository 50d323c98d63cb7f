"""Moderation: the image-censor fop's result and the synchronous image API
(docs/censor.md). Verdicts come from :class:`~.judge.Judge`, never from the pixels."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from ..downloads import Access
from ..errors import NoSuchBucket, NoSuchKey, QiniuError
from ..fops.context import SourceInfo
from ..storage import Storage
from .judge import Judge, Subject, requested_scenes
from .sources import SourceReader
from .video import VideoCensor

DISABLED = 1  # object status of a disabled object (chstatus)
MAX_URIS = 100  # images of one /v3/image/censor/mult request (docs/censor.md §2)
# A request body: room for a few data: URIs at Qiniu's 10 MiB image limit (docs/censor.md §2).
# The Qiniu signature covers the body, so a larger one would be read into memory before refused.
MAX_REQUEST_BYTES = 64 * 1024 * 1024

log = logging.getLogger("qiniu_emulator.censor")


@dataclass
class CensorService:
    storage: Storage
    judge: Judge
    sources: SourceReader
    video: VideoCensor

    def fop_result(self, source: SourceInfo, scenes: tuple[str, ...], app: str) -> dict[str, Any]:
        """``items[].result`` of ``image-censor`` on a job's source object (docs/censor.md §3).

        A ``block`` disables the object, as the real result's ``disable: true`` reports.
        """
        meta = self._meta(source.bucket, source.key)
        verdict = self.judge.judge(Subject("censor.fop", source.bucket, source.key, meta), scenes)
        disable = verdict.suggestion == "block" and self._disable(source.bucket, source.key)
        app_id = f"_kodo_{app}" if app else ""
        return verdict.fop_json(app_id, uuid.uuid4().hex, disable)

    def image(self, body: dict[str, Any], access: Access) -> dict[str, Any]:
        """The answer of ``POST /v3/image/censor`` (docs/censor.md §2)."""
        data, scenes = _object(body, "data"), _scenes(body)
        return {"code": 200, "message": "OK", "result": self._image_result(data.get("uri"), scenes, access)}

    def images(self, body: dict[str, Any], access: Access) -> dict[str, Any]:
        """The answer of ``POST /v3/image/censor/mult``: one result per uri, a uri that
        cannot be read answered in its own item (docs/censor.md §2)."""
        data, scenes = _object(body, "data"), _scenes(body)
        uris = data.get("uris")
        if not isinstance(uris, list) or not 1 <= len(uris) <= MAX_URIS:
            raise QiniuError.bad_request(f"data.uris must be a list of 1 to {MAX_URIS} image URIs")
        results = []
        for uri in uris:
            try:
                item = {"uri": uri, "code": 200, "message": "OK",
                        "result": self._image_result(uri, scenes, access)}
            except QiniuError as exc:
                item = {"uri": uri, "code": exc.status, "message": exc.message}
            results.append(item)
        return {"code": 200, "message": "OK", "results": results}

    def _image_result(self, uri: object, scenes: tuple[str, ...], access: Access) -> dict[str, Any]:
        scratch = self.storage.scratch_dir("censor")
        try:
            source = self.sources.read(uri, scratch, access)
        finally:
            self.storage.remove_scratch(scratch)
        verdict = self.judge.judge(Subject("censor.image", source.bucket, source.key, source.meta), scenes)
        return verdict.image_json()

    def _meta(self, bucket: str, key: str) -> dict[str, str]:
        try:
            return dict(self.storage.stat(bucket, key).meta)
        except (NoSuchKey, NoSuchBucket):
            return {}

    def _disable(self, bucket: str, key: str) -> bool:
        try:
            self.storage.change_status(bucket, key, DISABLED)
        except QiniuError as exc:
            if exc.message != "already disabled":
                log.info("image-censor could not disable %s/%s: %s", bucket, key, exc.message)
                return False
        return True


def _scenes(body: dict[str, Any]) -> tuple[str, ...]:
    try:
        return requested_scenes(_object(body, "params").get("scenes"))
    except ValueError as exc:
        raise QiniuError.bad_request(str(exc)) from None


def _object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if not isinstance(value, dict):
        raise QiniuError.bad_request(f"{name} must be a JSON object")
    return value
