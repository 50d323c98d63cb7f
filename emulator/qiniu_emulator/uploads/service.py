"""The upload service: the whole of a form upload, a resumable v1 ``mkfile`` and a
multipart v2 completion. Each applies the put policy's rules, stores the object, starts
its job, calls its callbacks and renders the answer."""

from __future__ import annotations

import base64
import json
import mimetypes
from dataclasses import dataclass, field
from typing import IO, Any

from ..errors import QiniuError
from ..fidelity import Fidelity, NotEmulated
from ..job_records import Job
from ..jobs.service import JobService, Submission
from ..magic import render_template, time_variables
from ..storage import ObjectInfo, Storage, TempFile
from ..wire import upload_answer
from .callbacks import UploadCallbacks, as_body, fetched_key
from ..put_policy import PutPolicy
from .file_vars import file_variables

OCTET_STREAM = "application/octet-stream"
# Form fields Qiniu stores as object headers (docs/wire.md §8.1); the emulator does not.
NOT_EMULATED_FORM_FIELDS = ("cacheControl", "contentLanguage", "contentEncoding", "contentDisposition",
                            "expires")


@dataclass
class UploadRequest:
    """What the client sent besides the bytes."""

    policy: PutPolicy
    access_key: str = ""  # whose token it is: upload callbacks are signed with this account
    key: str | None = None
    fname: str = ""
    mime: str = ""
    custom_vars: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    crc32: int | None = None
    reqid: str = ""
    form_fields: tuple[str, ...] = ()  # the names of the form's other fields
    origin: str = "upload.form"  # the endpoint, for scenario rules on the job it starts


@dataclass
class UploadResult:
    body: dict[str, Any] | str
    redirect: str = ""


def sniff_mime(names: tuple[str, ...], temp: TempFile) -> str:
    """Guess a MIME type from the key or file name, then from the first bytes."""
    for name in names:
        guessed, _ = mimetypes.guess_type(name)
        if guessed:
            return guessed
    for magic, mime in _MAGIC:
        if temp.head.startswith(magic):
            return mime
    return OCTET_STREAM


_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"GIF8", "image/gif"),
    (b"%PDF-", "application/pdf"), (b"\x1aE\xdf\xa3", "video/webm"),
)


@dataclass
class UploadService:
    storage: Storage
    jobs: JobService
    callbacks: UploadCallbacks
    fidelity: Fidelity = field(default_factory=Fidelity)

    def form(self, request: UploadRequest, stream: IO[bytes]) -> UploadResult:
        """A form upload: the file part streamed to a temp file, then finished."""
        with self.storage.temp_file() as temp:
            temp.write_stream(stream, limit=request.policy.fsize_limit)
            temp.close()
            return self.finish(request, temp)

    def mkfile(self, request: UploadRequest, ctxs: list[str], file_size: int) -> UploadResult:
        """Resumable v1: the blocks named by ``ctxs`` become the object; they are released after."""
        with self.storage.mkfile_assemble(ctxs, file_size) as temp:
            result = self.finish(request, temp)
        self.storage.release_blocks(ctxs)
        return result

    def complete_multipart(self, request: UploadRequest, bucket: str, upload_id: str,
                           parts: list[tuple[int, str]]) -> UploadResult:
        """Multipart v2: the listed parts become the object; the session ends after."""
        with self.storage.complete_multipart(bucket, upload_id, parts) as temp:
            result = self.finish(request, temp)
        self.storage.finish_multipart(bucket, upload_id)
        return result

    def finish(self, request: UploadRequest, temp: TempFile) -> UploadResult:
        """Apply the policy to ``temp`` (fully written) and store it."""
        policy = request.policy
        bucket = policy.bucket
        self._screen(request)
        self.storage.get_bucket(bucket)
        if request.crc32 is not None and request.crc32 != temp.crc32:
            raise QiniuError.crc_mismatch()
        policy.check_size(temp.size)
        variables = self._variables(request, temp)
        key = policy.resolve_key(request.key, lambda tpl: render_template(tpl, variables, json_mode=False))
        if key is None:
            key = temp.etag
        variables.update(key=key, ext=_ext(request.fname or key))
        variables.update(file_variables((policy.return_body, policy.callback_body), temp.path, key))
        mime = self._mime(policy, request, key, temp)
        policy.check_mime(mime)
        # a bad policy fails before anything is stored
        job = self._plan_job(policy, bucket, key, request.reqid, request.access_key)
        stored = self.storage.commit(bucket, key, temp, mime=mime, end_user=policy.end_user,
                                     meta=request.meta, overwrite=policy.allows_overwrite(key),
                                     delete_after_days=policy.delete_after_days, type_=policy.file_type)
        variables.update(mimeType=stored.mime, etag=stored.hash)
        if policy.callback_url and policy.callback_fetch_key:
            return self._finish_fetch_key(request, stored, variables, job)
        persistent_id = self._start_job(job, stored, request.origin)
        if persistent_id:
            variables["persistentId"] = persistent_id
        if policy.callback_url:
            # The object is stored either way: a failed callback is a 579 after the upload.
            return UploadResult(body=as_body(self.callbacks.call(policy, request.access_key, variables)))
        return self._respond(policy, stored, persistent_id, variables)

    def _finish_fetch_key(self, request: UploadRequest, stored: ObjectInfo,
                          variables: dict[str, Any], job: Job | None) -> UploadResult:
        """``callbackFetchKey``: the receiver's answer names the final key and the response."""
        policy = request.policy
        key, payload = fetched_key(self.callbacks.call(policy, request.access_key, variables))
        if key != stored.key:
            stored = self.storage.move(stored.bucket, stored.key, stored.bucket, key,
                                       force=policy.allows_overwrite(key))
        self._start_job(job, stored, request.origin)
        return UploadResult(body=as_body(payload if payload is not None else {}))

    def _variables(self, request: UploadRequest, temp: TempFile) -> dict[str, Any]:
        variables: dict[str, Any] = {
            "bucket": request.policy.bucket, "etag": temp.etag, "fsize": temp.size,
            "fname": request.fname, "ext": _ext(request.fname), "endUser": request.policy.end_user,
            "mimeType": request.mime, **time_variables(),
        }
        variables.update({f"x:{name}": value for name, value in request.custom_vars.items()})
        return variables

    def _mime(self, policy: PutPolicy, request: UploadRequest, key: str, temp: TempFile) -> str:
        client = request.mime if request.mime and request.mime != OCTET_STREAM else ""
        if policy.detect_mime == -1:
            return request.mime or OCTET_STREAM
        if policy.detect_mime == 0 and client:
            return client
        return sniff_mime((key, request.fname), temp)

    def _screen(self, request: UploadRequest) -> None:
        try:
            self.fidelity.screen(request.policy.not_emulated_fields(), "put policy field")
            self.fidelity.screen([f for f in NOT_EMULATED_FORM_FIELDS if f in request.form_fields], "form field")
        except NotEmulated as exc:
            raise QiniuError.bad_request(str(exc)) from None

    def _plan_job(self, policy: PutPolicy, bucket: str, key: str, reqid: str, access_key: str) -> Job | None:
        """The job the policy asks for, validated but not started (the object is not stored yet)."""
        if not (policy.persistent_ops or policy.persistent_workflow_template_id):
            return None
        return self.jobs.validate(Submission(
            bucket=bucket, key=key, fops=policy.persistent_ops,
            workflow_id=policy.persistent_workflow_template_id,
            notify_url=policy.persistent_notify_url, type=policy.persistent_type,
            pipeline=policy.persistent_pipeline, reqid=reqid, account=access_key,
        ))

    def _start_job(self, job: Job | None, stored: ObjectInfo, origin: str) -> str:
        if job is None:
            return ""
        job.key = stored.key  # callbackFetchKey may have renamed the object
        return self.jobs.accept(job, origin).id

    def _respond(self, policy: PutPolicy, stored: ObjectInfo, persistent_id: str,
                 variables: dict[str, Any]) -> UploadResult:
        if policy.return_body:
            text = render_template(policy.return_body, variables, json_mode=True)
            try:
                body: dict[str, Any] | str = json.loads(text)
            except ValueError:
                body = text
        else:
            body = upload_answer(stored.hash, stored.key, persistent_id)
        if policy.return_url:
            encoded = base64.urlsafe_b64encode(
                (body if isinstance(body, str) else json.dumps(body)).encode()).decode()
            separator = "&" if "?" in policy.return_url else "?"
            return UploadResult(body=body, redirect=f"{policy.return_url}{separator}upload_ret={encoded}")
        return UploadResult(body=body)


def _ext(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return "." + base.rsplit(".", 1)[1] if "." in base else ""
