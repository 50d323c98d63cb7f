"""Signature verification for every credential Qiniu clients send (``authenticator.py``)."""

from .authenticator import Authenticator
from .caller import Caller, Scheme
from .download import DownloadQuery, SaveasSignature, parse_download_query, parse_saveas_signature
from .keys import AuthMode
from .raw import FORM_CONTENT_TYPE, JSON_CONTENT_TYPE, RawRequest
from .signing import canonical_header_name, qbox_data, qiniu_strings_to_sign
from .uptoken import UploadGrant, upload_token_from_authorization

__all__ = ["Authenticator", "AuthMode", "Caller", "DownloadQuery", "FORM_CONTENT_TYPE", "JSON_CONTENT_TYPE",
           "RawRequest", "SaveasSignature", "Scheme", "UploadGrant", "canonical_header_name",
           "parse_download_query", "parse_saveas_signature", "qbox_data", "qiniu_strings_to_sign",
           "upload_token_from_authorization"]
