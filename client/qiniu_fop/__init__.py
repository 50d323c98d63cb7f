"""qiniu_fop: a client for Qiniu persistent data processing (pfop/prefop) and the Kodo
storage around it, speaking the real service's wire protocol (and so the emulator's).

Point it at an emulator with ``QINIU_EMULATOR_URL=http://127.0.0.1:9000`` or
:func:`set_default`.
"""

from .auth import Auth, QBoxRequestsAuth, QiniuRequestsAuth, UpTokenRequestsAuth
from .bucket import (
    BucketManager,
    build_batch_change_mime,
    build_batch_copy,
    build_batch_delete,
    build_batch_move,
    build_batch_rename,
    build_batch_stat,
)
from .config import Config, defaults, reset_defaults, set_default
from .download import download_url
from .etag import multipart_etag, qetag, qetag_file, qetag_stream, qetag_v2
from .guard import DevelopmentKeyRefused
from .http import RequestFailed, ResponseInfo
from .ops import build_op, entry, op_save, pipe_cmd, urlsafe_b64encode
from .pfop import PersistentFop
from .status import JobItem, JobStatus
from .upload import decode_upload_token, put_data, put_file

__all__ = [
    "Auth", "QBoxRequestsAuth", "QiniuRequestsAuth", "UpTokenRequestsAuth",
    "BucketManager", "build_batch_change_mime", "build_batch_copy", "build_batch_delete",
    "build_batch_move", "build_batch_rename", "build_batch_stat",
    "Config", "defaults", "reset_defaults", "set_default",
    "download_url",
    "multipart_etag", "qetag", "qetag_file", "qetag_stream", "qetag_v2",
    "RequestFailed", "ResponseInfo", "DevelopmentKeyRefused",
    "build_op", "entry", "op_save", "pipe_cmd", "urlsafe_b64encode",
    "PersistentFop", "JobItem", "JobStatus",
    "decode_upload_token", "put_data", "put_file",
]
