"""Downloads: who may read an object, and what a download URL asks for.

The access rule lives here once, for downloads and for the objects ops read: an object
of a private bucket, and a disabled object of a public one, are readable only through a
valid download token (an op reading ``kodo://`` instead needs a run started by a signed
request; see ``fetch.py``). A query that is a fop
(``?imageView2/2/w/200``) turns the download into a sync fop; a signed ``saveas`` at its
end must carry a valid ``/sign/``. Any other query (``?v=3`` cache busters) is ignored,
as on a CDN.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import unquote

from .auth import Authenticator, DownloadQuery, RawRequest, parse_download_query, parse_saveas_signature
from .errors import NoSuchKey, QiniuError
from .fops.parse import FopsError, Pipeline, normalise, parse_pipeline
from .fops.registry import Registry
from .storage import ObjectInfo, Storage

DISABLED = 1  # object status set by /chstatus


@dataclass(frozen=True)
class Access:
    """On whose behalf a run reads: the account that signed its request, or nobody."""

    account: str | None = None

    @property
    def signed(self) -> bool:
        return self.account is not None


@dataclass(frozen=True)
class Download:
    """A download request that may proceed: the object, its fop (if any) and ``attname``.

    ``access`` is whom a sync fop reads other objects for: the signer of a saveas, or nobody.
    """

    info: ObjectInfo
    pipeline: Pipeline | None = None
    attname: str = ""
    access: Access = Access()


@dataclass
class DownloadService:
    storage: Storage
    auth: Authenticator
    registry: Registry

    def resolve(self, bucket: str, key: str, raw: RawRequest) -> Download:
        """Check access and parse the query; 401 without a valid token, 404 for a missing key."""
        query = parse_download_query(raw)
        private = self.storage.get_bucket(bucket).private
        if private:
            self._verify(query)
        try:
            info = self.storage.stat(bucket, key)
        except NoSuchKey:
            raise QiniuError.document_not_found() from None
        if info.status == DISABLED and not private:
            self._verify(query)
        fop, attname = _split_fop(query.fop_query)
        # A private object's saveas carries e/token after its /sign/: the sign covers what precedes them.
        pipeline, signer = self._pipeline(fop, replace(raw, raw_query=query.fop_query))
        return Download(info=info, pipeline=pipeline, attname=attname, access=Access(signer))

    def readable(self, bucket: str, key: str, raw: RawRequest | None, access: Access) -> ObjectInfo:
        """The object an op may read, by the download rule.

        ``raw`` is the op's URL as a download request (its token is the proof), None for
        ``kodo://`` (the run's signed request is the proof). Raises 401, 612 or 631.
        """
        private = self.storage.get_bucket(bucket).private
        info = self.storage.stat(bucket, key)
        if private or info.status == DISABLED:
            if raw is not None:
                self._verify(parse_download_query(raw))
            elif not access.signed:
                raise QiniuError.download_token_missing()
        return info

    def _verify(self, query: DownloadQuery) -> None:
        self.auth.verify_download(query.url_variants, query.params)

    def _pipeline(self, fop_text: str, raw: RawRequest) -> tuple[Pipeline | None, str | None]:
        """The download's fop and, for a signed saveas, the signing account."""
        if not fop_text:
            return None, None
        text = normalise(fop_text)
        name = text.split("/", 1)[0].split("|", 1)[0]
        if "=" in name and self.registry.get(name) is None:
            return None, None
        pipeline = parse_pipeline(text, self.registry, allow_sign=True)
        if pipeline.saveas is None:
            return pipeline, None
        signature = parse_saveas_signature(raw)
        if signature is None:
            raise FopsError("saveas on a download URL needs /sign/<AccessKey>:<signature>")
        return pipeline, self.auth.verify_sync_saveas(signature.signed_variants, signature.sign)


@dataclass(frozen=True)
class DownloadSigner:
    """Private download links as ``Auth.private_download_url`` makes them, with the first account."""

    auth: Authenticator

    def sign(self, url: str, deadline: int) -> str:
        """``url`` plus ``e=<deadline>`` and a token over everything before ``&token=``."""
        unsigned = f"{url}{'&' if '?' in url else '?'}e={deadline}"
        return f"{unsigned}&token={self.auth.sign(self.auth.first_account()[0], unsigned)}"


def _split_fop(fop_query: str) -> tuple[str, str]:
    """The fop (first query piece, unless it is a parameter) and ``attname``."""
    fop, attname = "", ""
    for index, piece in enumerate(fop_query.split("&") if fop_query else []):
        if piece.startswith("attname="):
            attname = unquote(piece[len("attname="):])
        elif index == 0:
            fop = piece
    return fop, attname
