"""Resumable uploads as the storage service offers them: v1 blocks (mkblk, bput, mkfile)
and v2 multipart sessions, over the block and part tables of ``blocks.py`` and
``multipart.py``. The finished file is committed like any other write (``store.py``)."""

from __future__ import annotations

from typing import IO, Callable

from ..errors import QiniuError
from .blocks import BlockUploads
from .multipart import MultipartUploads
from .names import key_bytes
from .records import BlockState, BucketInfo, MultipartUpload, PartInfo
from .tempfiles import TempFile


class ResumableUploads:
    """The resumable-upload part of :class:`~.store.Storage` (which provides what is declared here)."""

    _blocks: BlockUploads
    _multipart: MultipartUploads
    get_bucket: Callable[[str], BucketInfo]
    _new_temp: Callable[[str], TempFile]

    # resumable v1 ------------------------------------------------------------------
    def mkblk(self, block_size: int, stream: IO[bytes], content_length: int | None) -> BlockState:
        """Start a block (at most 4 MiB) with its first chunk."""
        return self._blocks.mkblk(block_size, stream, content_length)

    def bput(self, ctx: str, offset: int, stream: IO[bytes], content_length: int | None) -> BlockState:
        """Append a chunk to a block; 701 for a bad, stale or expired ctx or a wrong offset."""
        return self._blocks.bput(ctx, offset, stream, content_length)

    def mkfile_assemble(self, ctxs: list[str], file_size: int) -> TempFile:
        """The blocks named by ``ctxs`` concatenated into a temp file; 400 on size mismatch, 701 on bad ctx."""
        if file_size < 0:
            raise QiniuError.bad_request(f"invalid file size {file_size}")
        with self._new_temp("mkfile-") as temp:
            self._blocks.assemble(ctxs, file_size, temp)
        return temp

    def release_blocks(self, ctxs: list[str]) -> None:
        """Delete the blocks of a finished mkfile (they would otherwise wait for expiry)."""
        self._blocks.release(ctxs)

    # resumable v2 ------------------------------------------------------------------
    def init_multipart(self, bucket: str, key: str | None) -> MultipartUpload:
        """Open a multipart upload; 631 for an unknown bucket."""
        self.get_bucket(bucket)
        if key is not None:
            key_bytes(key)
        return self._multipart.init(bucket, key)

    def get_multipart(self, bucket: str, upload_id: str) -> MultipartUpload:
        """A live upload session; 612 ``no such uploadId`` otherwise."""
        return self._multipart.get(bucket, upload_id)

    def list_multipart(self, bucket: str) -> list[MultipartUpload]:
        """The live upload sessions of ``bucket``; 631 for an unknown bucket."""
        self.get_bucket(bucket)
        return self._multipart.live(bucket)

    def put_part(
        self, bucket: str, upload_id: str, part_number: int, stream: IO[bytes],
        content_length: int | None, content_md5: str | None,
    ) -> PartInfo:
        """Store one part (1..10000); 400 when ``content_md5`` (hex) does not match."""
        return self._multipart.put_part(bucket, upload_id, part_number, stream, content_length, content_md5)

    def list_parts(self, bucket: str, upload_id: str, max_parts: int = 1000, marker: int = 0) -> list[PartInfo]:
        return self._multipart.list_parts(bucket, upload_id, max_parts, marker)

    def abort_multipart(self, bucket: str, upload_id: str) -> None:
        self._multipart.abort(bucket, upload_id)

    def complete_multipart(self, bucket: str, upload_id: str, parts: list[tuple[int, str]]) -> TempFile:
        """The listed parts (ascending, etags matching) as one temp file carrying the final etag."""
        return self._multipart.complete(bucket, upload_id, parts)

    def finish_multipart(self, bucket: str, upload_id: str) -> None:
        """Remove an upload session once its object has been committed."""
        self._multipart.get(bucket, upload_id)
        self._multipart.finish(upload_id)
