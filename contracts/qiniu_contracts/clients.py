"""One small interface over two clients: ours (``qiniu_fop``) and the official ``qiniu`` SDK.

Contracts are written once against :class:`ContractClient`; each runs through both.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from .targets import Target


@dataclass
class Reply:
    """What a call returned: decoded body (or None), HTTP status, raw text."""

    ret: Any
    status: int
    text: str

    def error(self) -> str:
        try:
            return json.loads(self.text).get("error", "")
        except (ValueError, AttributeError):
            return self.text


class ContractClient(Protocol):
    name: str
    target: Target

    def put_data(self, bucket: str, key: str, data: bytes, policy: dict | None = None) -> Reply: ...
    def put_file(self, bucket: str, key: str, path: str) -> Reply: ...
    def stat(self, bucket: str, key: str) -> Reply: ...
    def delete(self, bucket: str, key: str) -> Reply: ...
    def list(self, bucket: str, prefix: str, limit: int | None = None, marker: str | None = None) -> tuple[Reply, bool]: ...
    def pfop(self, bucket: str, key: str, fops: str | None, **options: Any) -> Reply: ...
    def prefop(self, persistent_id: str) -> Reply: ...
    def put_data_at(self, up_host: str, bucket: str, key: str, data: bytes) -> Reply: ...


def _reply(ret: Any, info: Any) -> Reply:
    return Reply(ret=ret, status=info.status_code, text=info.text_body or "")


class _SdkClient:
    """The calls both SDKs spell the same way; ``_m`` is the SDK module."""

    name = ""

    def __init__(self, module: Any, target: Target, secret_key: str | None = None) -> None:
        self._m = module
        self.target = target
        self.auth = module.Auth(target.access_key, secret_key or target.secret_key)
        self.buckets = module.BucketManager(self.auth)

    def put_data(self, bucket, key, data, policy=None):
        return _reply(*self._m.put_data(self.auth.upload_token(bucket, key, 3600, policy), key, data))

    def stat(self, bucket, key):
        return _reply(*self.buckets.stat(bucket, key))

    def delete(self, bucket, key):
        return _reply(*self.buckets.delete(bucket, key))

    def list(self, bucket, prefix, limit=None, marker=None):
        ret, eof, info = self.buckets.list(bucket, prefix=prefix, limit=limit, marker=marker)
        return _reply(ret, info), eof

    def pfop(self, bucket, key, fops, **options):
        pfop = self._m.PersistentFop(self.auth, bucket, pipeline=options.pop("pipeline", None),
                                     notify_url=options.pop("notify_url", None))
        return _reply(*pfop.execute(key, self._fops(fops), **options))

    def prefop(self, persistent_id):
        return _reply(*self._m.PersistentFop(self.auth, "-").get_status(persistent_id))

    def _fops(self, fops: str | None) -> Any:
        return fops


class OurClient(_SdkClient):
    """``qiniu_fop``, configured for the target."""

    name = "qiniu_fop"

    def __init__(self, target: Target, secret_key: str | None = None) -> None:
        import qiniu_fop

        super().__init__(qiniu_fop, target, secret_key)

    def put_file(self, bucket, key, path):
        return _reply(*self._m.put_file(self.auth.upload_token(bucket, key), key, path))

    def put_data_at(self, up_host, bucket, key, data):
        """A form upload pinned to ``up_host`` (``http://host:port``), as an app that hard-codes it."""
        pinned = self._m.Config.for_url(up_host, connection_retries=0)
        return _reply(*self._m.put_data(self.auth.upload_token(bucket, key), key, data, config=pinned))


class OfficialSdk(_SdkClient):
    """The official ``qiniu`` SDK, configured for the target."""

    name = "qiniu"

    def __init__(self, target: Target, secret_key: str | None = None) -> None:
        import qiniu

        super().__init__(qiniu, target, secret_key)

    def put_file(self, bucket, key, path):
        return _reply(*self._m.put_file(self.auth.upload_token(bucket, key), key, path,
                                        version="v2", bucket_name=bucket))

    def put_data_at(self, up_host, bucket, key, data):
        """A form upload pinned to ``up_host`` (``http://host:port``), as an app that hard-codes its zone."""
        zone = self._m.Region(up_host=up_host)
        return _reply(*self._m.put_data(self.auth.upload_token(bucket, key), key, data, regions=[zone]))

    def _fops(self, fops: str | None) -> Any:
        # the official execute() joins a list with ';' (a string would be split into characters)
        return fops.split(";") if isinstance(fops, str) else fops


def configure_hosts(target: Target) -> None:
    """Point both clients' process-wide defaults at the target (no-op for real Qiniu)."""
    if not target.url:
        return
    import qiniu
    import qiniu_fop

    qiniu_fop.set_default(default_api_host=target.url, default_up_host=target.url,
                          default_rs_host=target.url, default_rsf_host=target.url,
                          default_uc_host=target.url, default_io_host=target.url,
                          default_dora_host=target.url, follow_regions=False)
    qiniu.config.set_default(default_api_host=target.url, default_uc_host=target.url,
                             default_query_region_host=target.url, default_rs_host=target.url,
                             default_rsf_host=target.url)


def configure_discovery(url: str) -> None:
    """Tell both clients only where uc (and Dora) is: each finds a bucket's region by asking uc."""
    import qiniu
    import qiniu_fop

    qiniu_fop.set_default(default_uc_host=url, default_api_host=url, default_dora_host=url, follow_regions=True)
    qiniu.config.set_default(default_uc_host=url, default_query_region_host=url, default_api_host=url)


@contextmanager
def saved_defaults() -> Iterator[None]:
    """Both clients' process-wide defaults are put back as they were when the block ends."""
    import dataclasses

    import qiniu
    import qiniu_fop

    ours = qiniu_fop.defaults()
    fields = {f.name: getattr(ours, f.name) for f in dataclasses.fields(ours) if f.init}
    # the official SDK keeps its defaults in two module dictionaries; copies put them back
    theirs, customized = dict(qiniu.config._config), dict(qiniu.config._is_customized_default)
    try:
        yield
    finally:
        ours.update(**fields)
        qiniu.config._config.update(theirs)
        qiniu.config._is_customized_default.update(customized)


def wait_job(client: ContractClient, persistent_id: str, target: Target) -> dict:
    """Poll prefop until the job leaves codes 1/2; fail loudly on timeout."""
    deadline = time.monotonic() + target.job_timeout
    last: Reply | None = None
    while time.monotonic() < deadline:
        last = client.prefop(persistent_id)
        assert last.status == 200, f"prefop {persistent_id}: {last.status} {last.text}"
        if last.ret["code"] not in (1, 2):
            return last.ret
        time.sleep(target.poll_interval)
    raise AssertionError(f"job {persistent_id} still running after {target.job_timeout}s: {last and last.ret}")


def download(target: Target, bucket: str, key: str, fop: str | None = None) -> requests.Response:
    """Fetch an object (optionally through a sync fop) from the target's download domain."""
    from qiniu_fop import Auth, download_url

    domain = target.output_domain if bucket == target.output_bucket and bucket != target.bucket else target.domain
    if bucket not in (target.bucket, target.output_bucket):
        domain = domain.replace(f"/_io/{target.bucket}", f"/_io/{bucket}")
    url = download_url(domain, key, private=target.kind == "qiniu",
                       auth=Auth(target.access_key, target.secret_key), fop=fop)
    return requests.get(url, timeout=60)
