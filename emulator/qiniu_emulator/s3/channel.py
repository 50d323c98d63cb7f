"""The S3 port's waitress channel: user metadata headers keep their lowercase names, and an
empty body announced with ``Expect: 100-continue`` is answered.

waitress capitalises every response header name (``X-Amz-Meta-Color``); SDKs take a
metadata name from the header as it arrived, so S3 users would read ``Color`` back for
``color``. S3 sends them lowercase (docs/s3.md §5).
"""

from __future__ import annotations

from ..sending import HeaderWithBodyTask
from ..tls import PlainHttpChannel

_META = b"x-amz-meta-"


class S3Task(HeaderWithBodyTask):
    def build_response_header(self) -> bytes:
        lines = super().build_response_header().split(b"\r\n")
        return b"\r\n".join(_lower_name(line) if line[:len(_META)].lower() == _META else line for line in lines)


def _lower_name(line: bytes) -> bytes:
    name, sep, value = line.partition(b":")
    return name.lower() + sep + value


class S3Channel(PlainHttpChannel):
    task_class = S3Task

    def send_continue(self) -> None:
        # waitress marks a request incomplete after "100 Continue" until body bytes arrive; a
        # request whose body is empty (boto3's PutObject of b"" expects 100-continue) would
        # wait for ever. Without a body there is nothing to continue: answer it directly.
        request = self.request
        if request is not None and request.content_length == 0 and not request.chunked:
            request.expect_continue = False
            return
        super().send_continue()
