"""Dora: ``/pfop`` (with and without the trailing slash) and ``/status/get/prefop``."""

from __future__ import annotations

from flask import Blueprint, Response, g

from ..errors import QiniuError
from ..jobs.service import Submission
from ..wire import prefop_json, task_v3_json
from . import emulator, form_value, int_arg, json_response, params, require_management_auth, verify_optional_management

bp = Blueprint("dora", __name__)


@bp.route("/pfop", methods=["POST"])
@bp.route("/pfop/", methods=["POST"])
def pfop() -> Response:
    account = require_management_auth()
    force = form_value("force")
    job = emulator().jobs.submit(Submission(
        bucket=form_value("bucket"),
        key=params().get("key"),
        fops=form_value("fops"),
        workflow_id=form_value("workflowTemplateID"),
        notify_url=form_value("notifyURL"),
        force=force not in ("", "0", "false"),
        type=int_arg("type", 0),
        pipeline=form_value("pipeline"),
        reqid=g.reqid,
        account=account,
    ))
    return json_response({"persistentId": job.id})


@bp.route("/v3/task/status/<job_id>", methods=["GET"])
def task_status_v3(job_id: str) -> Response:
    require_management_auth()
    return json_response(task_v3_json(emulator().jobs.get(job_id)))


@bp.route("/status/get/prefop", methods=["GET", "POST"])
def prefop() -> Response:
    # Auth is optional on the wire (node and php send none); a header that is present must verify.
    verify_optional_management()
    job_id = form_value("id")
    if not job_id:
        raise QiniuError.bad_request("id not specified")
    return json_response(prefop_json(emulator().jobs.get(job_id)))
