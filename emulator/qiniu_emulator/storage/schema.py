"""The tables of buckets, objects, the write journal and upload sessions."""

# Keys are BLOBs of UTF-8 so that ORDER BY and range scans follow byte order and keys
# with NUL survive intact. Paths are relative to the data directory.
SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (
    name     TEXT PRIMARY KEY,
    region   TEXT NOT NULL,
    private  INTEGER NOT NULL,
    created  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS objects (
    bucket    TEXT NOT NULL,
    key       BLOB NOT NULL,
    path      TEXT NOT NULL,
    fsize     INTEGER NOT NULL,
    hash      TEXT NOT NULL,
    mime      TEXT NOT NULL,
    put_time  INTEGER NOT NULL,
    type      INTEGER NOT NULL DEFAULT 0,
    status    INTEGER NOT NULL DEFAULT 0,
    md5       TEXT NOT NULL,
    end_user  TEXT NOT NULL DEFAULT '',
    meta      TEXT NOT NULL DEFAULT '{}',
    expires_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS objects_by_path ON objects (path);
CREATE INDEX IF NOT EXISTS objects_by_expiry ON objects (expires_at) WHERE expires_at > 0;
CREATE TABLE IF NOT EXISTS pending_writes (
    tmp_path  TEXT PRIMARY KEY,
    row       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS upload_blocks (
    id          TEXT PRIMARY KEY,
    ctx         TEXT NOT NULL,
    block_size  INTEGER NOT NULL,
    offset      INTEGER NOT NULL,
    expired_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS upload_block_chunks (
    block_id  TEXT NOT NULL,
    offset    INTEGER NOT NULL,
    size      INTEGER NOT NULL,
    path      TEXT NOT NULL,
    PRIMARY KEY (block_id, offset)
);
CREATE TABLE IF NOT EXISTS multipart_uploads (
    upload_id  TEXT PRIMARY KEY,
    bucket     TEXT NOT NULL,
    key        BLOB,
    created    INTEGER NOT NULL,
    expire_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS multipart_parts (
    upload_id    TEXT NOT NULL,
    part_number  INTEGER NOT NULL,
    size         INTEGER NOT NULL,
    etag         TEXT NOT NULL,
    md5          TEXT NOT NULL,
    put_time     INTEGER NOT NULL,
    path         TEXT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);
"""
