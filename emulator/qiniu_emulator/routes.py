"""Every Qiniu endpoint the emulator answers, declared once: its name and what it names.

One :class:`Route` per Flask endpoint (``<blueprint>.<function>``; the handler keeps its
``@bp.route`` URL rules). Its ``name`` is what scenario rules match on and the request
log shows, stable across URL versions (``/v2/list`` and ``/list`` are both ``rsf.list``);
its ``reads`` says where the request names its bucket, key and fops (``api/context.py``
reads them once per request). Every other list is derived from this table: the names a
scenario rule may write (``scenarios/endpoints.py``), the rs ops ``api/rs.py`` routes.

To add an endpoint: write its handler in a blueprint under ``api/`` and add one row here
(a new blueprint is registered in ``app.py``). A test checks that every URL rule
outside ``/_emulator/`` has a row and every row a URL rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .s3.operations import SUPPORTED as S3_OPERATIONS, scenario_name


class Reads(str, Enum):
    """Where a request names its bucket, key and fops (before its handler runs)."""

    NOTHING = "nothing"  # the name alone
    FORM = "form"  # the bucket, key and fops fields (pfop)
    JOB = "job"  # the job its id names (prefop)
    UPLOAD = "upload"  # the upload token's scope and persistentOps, the key where the kind puts it
    ENTRY = "entry"  # the encoded entry in its path
    JSON = "json"  # the bucket and key fields of its JSON body
    BUCKET = "bucket"  # a bucket path argument, else the bucket (or tbl) field
    DOWNLOAD = "download"  # the bucket and key of a download URL, and its ?<fop>


@dataclass(frozen=True)
class Route:
    """One Flask endpoint and the name rules and the request log know it by.

    ``variants``: the endpoint answers several names, ``<name>.<variant>``; which one a
    request is comes from its path (an rs op) or its query (a download or a fop).
    """

    endpoint: str
    name: str
    reads: Reads = Reads.NOTHING
    variants: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return tuple(f"{self.name}.{v}" for v in self.variants) if self.variants else (self.name,)


RS_OPS = ("stat", "delete", "move", "copy", "chgm", "chtype", "chstatus", "deleteAfterDays")
DOWNLOADS = ("download", "fop")

DORA = (
    Route("dora.pfop", "pfop", Reads.FORM),
    Route("dora.prefop", "prefop", Reads.JOB),
    Route("dora.task_status_v3", "prefop.v3", Reads.JOB),
)
UP = (
    Route("up.form_upload", "upload.form", Reads.UPLOAD),
    Route("up.mkblk", "upload.mkblk", Reads.UPLOAD),
    Route("up.bput", "upload.bput", Reads.UPLOAD),
    Route("up.mkfile", "upload.mkfile", Reads.UPLOAD),
    Route("up.init_multipart", "upload.multipart.init", Reads.UPLOAD),
    Route("up.upload_part", "upload.multipart.part", Reads.UPLOAD),
    Route("up.list_parts", "upload.multipart.list", Reads.UPLOAD),
    Route("up.complete_multipart", "upload.multipart.complete", Reads.UPLOAD),
    Route("up.abort_multipart", "upload.multipart.abort", Reads.UPLOAD),
    Route("up.putb64", "upload.putb64", Reads.UPLOAD),
)
RS = (
    Route("rs.single", "rs", Reads.ENTRY, variants=RS_OPS),
    Route("rs.batch", "rs.batch"),
    Route("rs.lifecycle", "rs.lifecycle", Reads.ENTRY),
    Route("rs.list_v1", "rsf.list", Reads.BUCKET),
    Route("rs.list_v2", "rsf.list", Reads.BUCKET),
)
UC = (
    Route("uc.query_v4", "uc.query", Reads.BUCKET),
    Route("uc.query_v3", "uc.query", Reads.BUCKET),
    Route("uc.query_v2", "uc.query", Reads.BUCKET),
    Route("uc.regions", "uc.regions"),
    Route("uc.domains", "uc.domains", Reads.BUCKET),
    Route("uc.domains_v3", "uc.domains", Reads.BUCKET),
    Route("uc.domain_list", "uc.domains", Reads.BUCKET),
    Route("uc.buckets", "uc.buckets"),
    Route("uc.buckets_v2", "uc.buckets"),
    Route("uc.make_bucket", "uc.mkbucket", Reads.BUCKET),
    Route("uc.drop_bucket", "uc.drop", Reads.BUCKET),
    Route("uc.bucket_info", "uc.bucketInfo", Reads.BUCKET),
    Route("uc.set_private", "uc.private", Reads.BUCKET),
    Route("cors.set_rules", "uc.corsRules.set", Reads.BUCKET),
    Route("cors.get_rules", "uc.corsRules.get", Reads.BUCKET),
)
FETCH = (
    Route("fetch.fetch", "fetch.sync", Reads.ENTRY),
    Route("fetch.fetch_later", "fetch.async", Reads.JSON),
    Route("fetch.fetch_status", "fetch.status"),
)
# Moderation (ai.qiniuapi.com in the SDKs): the verdicts themselves are matched as censor.*
# by the censor effect (scenarios/verdict.py), these names by the request rules.
CENSOR = (
    Route("censor.image_censor", "censor.image"),
    Route("censor.images_censor", "censor.images"),
    Route("censor.video_censor", "censor.video"),
    Route("censor.video_job", "censor.job"),
)
# A download by a bucket's own domain has no Flask endpoint: app.py serves it under this row.
IO = (Route("io.path_style", "io", Reads.DOWNLOAD, variants=DOWNLOADS),)

TABLE: tuple[Route, ...] = DORA + UP + RS + UC + FETCH + CENSOR + IO
# The S3 door (``s3/app.py``) is one endpoint of an app of its own that names each request by
# its S3 operation (``s3/operations.py``): ``s3.PutObject``; ``s3`` is the family of them all.
S3: tuple[Route, ...] = tuple(Route(f"s3:{op.name}", scenario_name(op.name)) for op in S3_OPERATIONS)


def by_endpoint() -> dict[str, Route]:
    """Every route by its Flask endpoint."""
    return {route.endpoint: route for route in TABLE}


def names() -> tuple[str, ...]:
    """Every name a request may carry, each once, in the table's order."""
    return tuple(dict.fromkeys(name for route in TABLE + S3 for name in route.names()))
