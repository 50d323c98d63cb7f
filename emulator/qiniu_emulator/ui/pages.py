"""The console's HTML pages under ``/_emulator/ui/``: parse the query, call the console,
render a template. ``?fragment=1`` renders only a page's live part (what the page's
script polls and swaps in)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from .. import __version__
from ..admin_origin import service_url
from ..errors import QiniuError
from ..requestlog import RequestFilter
from .console import Console
from .views import STATUS_CODES, clock

CONSOLE = "qiniu_emulator.console"

bp = Blueprint("console", __name__, url_prefix="/_emulator/ui", template_folder="templates",
               static_folder="static")
root = Blueprint("console_root", __name__)


def console() -> Console:
    return current_app.extensions[CONSOLE]


def base() -> str:
    """The service origin as the browser reaches it: object links point there, never at the
    console's own origin."""
    return service_url(console().em.settings, "http", request.host)


def fragment() -> bool:
    return request.args.get("fragment") == "1"


def optional_int(name: str) -> int | None:
    text = request.args.get(name, "")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise QiniuError.bad_request(f"{name} must be an integer, not {text!r}") from None


@root.route("/", methods=["GET"])
def browser_root() -> BaseResponse:
    """A browser opening the emulator's address lands in the console."""
    if request.accept_mimetypes.accept_html:
        return redirect(url_for("console.buckets"))
    raise QiniuError.bad_request("this is the qiniu-emulator; its console is at /_emulator/ui/")


@bp.app_context_processor
def globals_for_templates() -> dict[str, object]:
    emulated = console().em.clock
    return {"version": __version__, "emulated_now": emulated.now(), "clock_offset": emulated.offset}


@bp.app_template_filter("console_time")
def console_time(unix_seconds: float) -> str:
    return clock(unix_seconds)


@bp.app_template_filter("console_clock")
def console_clock(unix_seconds: float) -> str:
    return clock(unix_seconds)[-8:]


@bp.errorhandler(QiniuError)
def error_page(exc: QiniuError) -> tuple[str, int]:
    return render_template("error.html", error=exc), exc.status


@bp.route("/", methods=["GET"])
def buckets() -> str:
    em = console().em
    return render_template("buckets.html", buckets=console().buckets(base()), counts=em.jobs.counts(),
                           jobs=console().jobs()[:5], settings=em.settings, regions=console().served_regions())


@bp.route("/buckets/<bucket>", methods=["GET"])
def bucket(bucket: str) -> str:
    listing = console().listing(bucket, request.args.get("prefix", ""), request.args.get("marker", ""))
    return render_template("bucket.html", listing=listing)


@bp.route("/object", methods=["GET"])
def object_page() -> str:
    page = console().object_page(request.args.get("bucket", ""), request.args.get("key", ""), base())
    return render_template("object.html", page=page)


@bp.route("/jobs", methods=["GET"])
def jobs() -> str:
    before, bucket = optional_int("before"), request.args.get("bucket") or None
    status = request.args.get("status", "")
    rows = console().jobs(before, bucket, status)
    template = "_job_rows.html" if fragment() else "jobs.html"
    return render_template(template, rows=rows, before=before, bucket=bucket, status=status,
                           statuses=list(STATUS_CODES), page_rows=len(rows))


@bp.route("/jobs/<job_id>", methods=["GET"])
def job(job_id: str) -> str:
    page = console().job_page(job_id, base())
    return render_template("_job_body.html" if fragment() else "job.html", page=page)


@bp.route("/requests", methods=["GET"])
def requests_page() -> str:
    where = RequestFilter(method=request.args.get("method", ""), status=request.args.get("status", ""),
                          text=request.args.get("q", ""))
    before = optional_int("before")
    records = console().requests(where, before)
    template = "_request_rows.html" if fragment() else "requests.html"
    return render_template(template, records=records, where=where, before=before,
                           size=console().em.requests.size)


@bp.route("/scenarios", methods=["GET"])
def scenarios() -> str:
    rows = console().scenarios()
    return render_template("_scenario_rows.html" if fragment() else "scenarios.html", rows=rows)


@bp.route("/playground", methods=["GET"])
def playground() -> str:
    em = console().em
    return render_template("playground.html", buckets=[b.name for b in em.storage.list_buckets()],
                           bucket=request.args.get("bucket", ""), key=request.args.get("key", ""),
                           fops=request.args.get("fops", ""), ops=em.registry.names())


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


bp.after_request(no_store)
