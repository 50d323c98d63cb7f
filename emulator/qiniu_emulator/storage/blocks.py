"""Resumable upload v1: blocks built from chunks (mkblk/bput), assembled by mkfile.

Each chunk is its own fsynced file under ``tmp/``; the block row and its chunk list live in
SQLite, so a block survives a restart until it expires. A ctx names the block and its
current state; a bput with a stale ctx (another chunk got there first) is a 701.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..encoding import BLOCK_SIZE
from ..clock import Clock
from ..errors import QiniuError
from ..database import Database
from .records import BlockState
from .tempfiles import TempFile

BLOCK_TTL_SECONDS = 7 * 24 * 3600


@dataclass
class _Block:
    id: str
    ctx: str
    block_size: int
    offset: int
    expired_at: int


class BlockUploads:
    """The v1 block store."""

    def __init__(self, db: Database, new_temp: Callable[[str], TempFile], data_dir: Path, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._new_temp = new_temp
        self._data_dir = data_dir

    def mkblk(self, block_size: int, stream: IO[bytes], content_length: int | None) -> BlockState:
        """Start a block of ``block_size`` bytes with its first chunk."""
        if not 1 <= block_size <= BLOCK_SIZE:
            raise QiniuError.bad_request(f"invalid block size {block_size}: use 1 to {BLOCK_SIZE} bytes")
        block = _Block(
            id=secrets.token_urlsafe(12),
            ctx="",
            block_size=block_size,
            offset=0,
            expired_at=int(self._clock.now()) + BLOCK_TTL_SECONDS,
        )
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO upload_blocks (id, ctx, block_size, offset, expired_at) VALUES (?,?,?,?,?)",
                (block.id, block.ctx, block.block_size, block.offset, block.expired_at),
            )
        return self._append(block, stream, content_length)

    def bput(self, ctx: str, offset: int, stream: IO[bytes], content_length: int | None) -> BlockState:
        """Append the next chunk to the block ``ctx`` names; ``offset`` must be its current size."""
        block = self._block_for(ctx)
        if offset != block.offset:
            raise QiniuError.invalid_context()
        return self._append(block, stream, content_length)

    def assemble(self, ctxs: list[str], file_size: int, into: TempFile) -> None:
        """Write the blocks named by ``ctxs`` in order into ``into``."""
        blocks = [self._block_for(ctx) for ctx in ctxs]
        for index, block in enumerate(blocks):
            if block.offset != block.block_size:
                raise QiniuError.bad_request(
                    f"block {index} is incomplete: {block.offset} of {block.block_size} bytes uploaded"
                )
        total = sum(block.offset for block in blocks)
        if total != file_size:
            raise QiniuError.bad_request(f"file size {file_size} does not match the {total} bytes in the blocks")
        for block in blocks:
            for relpath in self._chunk_paths(block.id):
                into.copy_from(self._data_dir / relpath)

    def release(self, ctxs: list[str]) -> None:
        """Forget the blocks named by ``ctxs`` and delete their files (unknown ctxs are ignored)."""
        for ctx in ctxs:
            self._drop(ctx.split(".", 1)[0])

    def purge_expired(self, now: int | None = None) -> int:
        """Drop blocks past their expiry; returns how many."""
        now = int(self._clock.now()) if now is None else now
        ids = [r["id"] for r in self._db.query("SELECT id FROM upload_blocks WHERE expired_at < ?", (now,))]
        for block_id in ids:
            self._drop(block_id)
        return len(ids)

    def reset(self) -> None:
        for row in self._db.query("SELECT id FROM upload_blocks"):
            self._drop(row["id"])

    # internals -----------------------------------------------------------------
    def _append(self, block: _Block, stream: IO[bytes], content_length: int | None) -> BlockState:
        room = block.block_size - block.offset
        if content_length is not None and content_length > room:
            raise QiniuError.bad_request(
                f"chunk of {content_length} bytes does not fit: the block has {room} bytes left"
            )
        with self._new_temp("blk-") as chunk:
            chunk.write_body(stream, content_length, room)
            chunk.close()
            new_ctx = f"{block.id}.{secrets.token_urlsafe(12)}"
            relpath = chunk.path.relative_to(self._data_dir).as_posix()
            with self._db.transaction() as conn:
                updated = conn.execute(
                    "UPDATE upload_blocks SET ctx = ?, offset = ? WHERE id = ? AND ctx = ? AND offset = ?",
                    (new_ctx, block.offset + chunk.size, block.id, block.ctx, block.offset),
                ).rowcount
                if updated != 1:
                    raise QiniuError.invalid_context()
                conn.execute(
                    "INSERT INTO upload_block_chunks (block_id, offset, size, path) VALUES (?,?,?,?)",
                    (block.id, block.offset, chunk.size, relpath),
                )
            chunk.detach()
        return BlockState(
            ctx=new_ctx,
            checksum=chunk.etag,
            crc32=chunk.crc32,
            offset=block.offset + chunk.size,
            host="",
            expired_at=block.expired_at,
        )

    def _block_for(self, ctx: str) -> _Block:
        if not isinstance(ctx, str) or "." not in ctx:
            raise QiniuError.invalid_context()
        row = self._db.query_one(
            "SELECT id, ctx, block_size, offset, expired_at FROM upload_blocks WHERE id = ?",
            (ctx.split(".", 1)[0],),
        )
        if row is None or row["ctx"] != ctx or row["expired_at"] < self._clock.now():
            raise QiniuError.invalid_context()
        return _Block(**dict(row))

    def _chunk_paths(self, block_id: str) -> list[str]:
        rows = self._db.query(
            "SELECT path FROM upload_block_chunks WHERE block_id = ? ORDER BY offset", (block_id,)
        )
        return [r["path"] for r in rows]

    def _drop(self, block_id: str) -> None:
        with self._db.transaction() as conn:
            paths = [r["path"] for r in conn.execute(
                "SELECT path FROM upload_block_chunks WHERE block_id = ?", (block_id,)
            )]
            conn.execute("DELETE FROM upload_block_chunks WHERE block_id = ?", (block_id,))
            conn.execute("DELETE FROM upload_blocks WHERE id = ?", (block_id,))
        for relpath in paths:
            (self._data_dir / relpath).unlink(missing_ok=True)

