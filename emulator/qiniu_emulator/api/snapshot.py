"""``GET /_emulator/snapshot``: the emulator's state as a tar archive (``snapshot.py``),
which ``qiniu-emulator export DIR`` unpacks."""

from __future__ import annotations

from flask import Blueprint, Response

from ..snapshot import snapshot_archive
from . import emulator

bp = Blueprint("snapshot", __name__, url_prefix="/_emulator")


@bp.route("/snapshot", methods=["GET"])
def snapshot() -> Response:
    archive = snapshot_archive(emulator())
    return Response(archive, mimetype="application/x-tar", direct_passthrough=True,
                    headers={"Content-Disposition": 'attachment; filename="qiniu-emulator-snapshot.tar"',
                             "Content-Length": str(archive.size)})
