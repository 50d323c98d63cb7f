"""Synchronous fops: a download URL with ``?<fop>`` runs the pipeline on the request.

The service owns the run's scratch directory from start to end: the answer is either an
open file (already unlinked from scratch, so nothing is left behind however the response
ends) or the object a signed ``saveas`` stored.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import QiniuError
from ..fops.execute import StageFailed
from ..fops.parse import Pipeline
from ..storage import ObjectInfo, Storage
from .process import Processor


@dataclass
class SyncOutput:
    """What a sync fop produced: a body to stream, or the object a saveas stored."""

    mime: str = ""
    body: BinaryIO | None = None
    stored: ObjectInfo | None = None


@dataclass
class SyncFops:
    storage: Storage
    processor: Processor
    logger: logging.Logger

    def run(self, pipeline: Pipeline, source: ObjectInfo, public_url: str | None = None) -> SyncOutput:
        """Run ``pipeline`` on ``source``; a failing stage is a 400 with the op's message.

        ``public_url`` (``scheme://host``) is where the request came in, for ops that write URLs.
        """
        scratch = self.storage.scratch_dir("sync")
        try:
            try:
                result = self.processor.run_sync(pipeline, source, scratch, self.logger.info, public_url)
            except StageFailed as exc:
                raise QiniuError.bad_request(exc.message) from None
            if pipeline.saveas is not None:
                stored = self.processor.save_sync(pipeline, source, result, scratch)
                return SyncOutput(mime=stored.mime, stored=stored)
            return SyncOutput(mime=result.mime, body=result.path.open("rb"))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
