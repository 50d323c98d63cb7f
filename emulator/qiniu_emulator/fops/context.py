"""What an op receives besides its arguments: the input's facts, a scratch directory,
the limits it runs under, and the shapes of what it returns."""

from __future__ import annotations

import hashlib
import posixpath
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from .budget import MemoryBudget
from .children import ChildProcesses
from .profiles import FAST, EncodeProfile


class OpFailed(Exception):
    """An op could not produce its output; becomes an item error ``execute fop cmd failed: ...``.

    ``hint`` is for the user of the emulator, not part of the error Qiniu would give: the
    job's log and the request log show it (e.g. which flag serves a URL offline).
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class Cancelled(BaseException):
    """The run was stopped from outside: its client went away, or the server is shutting down.

    A BaseException, so that no op's error handling turns it into an ordinary failure:
    a job interrupted by a shutdown is resumed, not failed.
    """


@dataclass
class RunControl:
    """How a run can be stopped from outside, and where its child processes are tracked."""

    stop: threading.Event = field(default_factory=threading.Event)
    children: ChildProcesses = field(default_factory=ChildProcesses)
    nice: int = 0  # added to the niceness of child processes (download-request work runs below the server)


class FetchUrl(Protocol):
    """Fetches a resource named by a URL (``kodo://b/k``, the emulator's own URLs,
    ``--url-map`` prefixes, http(s)) to a local file; raises OpFailed on failure."""

    def __call__(self, url: str, dest_dir: Path) -> Path: ...


def default_output_prefix(cmd: str, source_etag: str) -> str:
    """``b64u(sha1(cmd))/<source etag>/``: where results without a saveas key go."""
    from ..encoding import b64_encode

    return f"{b64_encode(hashlib.sha1(cmd.encode('utf-8')).digest())}/{source_etag}/"


@dataclass
class SourceInfo:
    """The object a job processes; fills magic variables such as ``$(key)``."""

    bucket: str = ""
    key: str = ""
    etag: str = ""
    fsize: int = 0
    mime: str = "application/octet-stream"
    end_user: str = ""

    def variables(self) -> dict[str, str]:
        """Magic variables of the input object (``$(key)``, ``$(fprefix)``, ...)."""
        fname = posixpath.basename(self.key)
        fprefix, ext = posixpath.splitext(fname)
        return {
            "bucket": self.bucket, "key": self.key, "etag": self.etag, "fsize": str(self.fsize),
            "mimeType": self.mime, "endUser": self.end_user, "fname": fname, "fprefix": fprefix,
            "ext": ext, "keybase": posixpath.splitext(self.key)[0],
        }


def _no_line(line: str) -> None:
    return None


def _no_progress(fraction: float) -> None:
    return None


@dataclass
class OpContext:
    """What an op may use besides its input file.

    ``scratch`` is a directory owned by this run: outputs go there and nowhere else.
    ``log`` appends a line to the job's record (commands run, progress, stderr tails).
    ``progress`` reports a fraction 0..1 for long ops.
    ``public_url`` is ``scheme://host[:port]`` at which the emulator is reached (the
    request's host on a download URL); ``sign_download(url, deadline)`` returns ``url``
    with the ``e``/``token`` of a private download link; ``output_key`` is the key the
    result will be stored under when that is known before the run (pfop with a saveas key).
    ``encode`` is the encoder effort (``--encode``). ``censor(scenes, app)`` is the moderation
    verdict of the job's source object for those scenes, as ``items[].result`` shows it
    (None where no verdicts are given: the ``fop`` command, download URLs).
    """

    scratch: Path
    source: SourceInfo = field(default_factory=SourceInfo)
    fetch_url: FetchUrl | None = None
    ffmpeg: str = "ffmpeg"
    op_timeout: float = 600.0
    log: Callable[[str], None] = _no_line
    progress: Callable[[float], None] = _no_progress
    sync: bool = False  # True for a download-URL fop (no multi-output ops)
    public_url: str = ""
    sign_download: Callable[[str, int], str] | None = None
    now: Callable[[], float] = time.time  # the emulated clock, for deadlines an op writes
    output_key: str | None = None
    control: RunControl = field(default_factory=RunControl)
    memory: MemoryBudget = field(default_factory=lambda: MemoryBudget(1024 * 1024 * 1024))  # shared by image ops
    encode: EncodeProfile = FAST
    censor: Callable[[tuple[str, ...], str], Any] | None = None
    op_deadline: float = 0.0  # monotonic time the current op must end by (set per op)

    def start_op(self) -> None:
        """Start the clock of the next op."""
        self.op_deadline = time.monotonic() + self.op_timeout

    def check(self) -> None:
        """Raise :class:`Cancelled` when the run was stopped, OpFailed past the op's deadline.

        Ops call it between pieces of work that cannot themselves be interrupted (frames,
        pixel steps), so ``op_timeout`` bounds every op, not only child processes.
        """
        if self.control.stop.is_set():
            raise Cancelled()
        if self.op_deadline and time.monotonic() > self.op_deadline:
            raise OpFailed(f"timed out after {self.op_timeout:g} s (op timeout)")

    def output_path(self, suffix: str) -> Path:
        """A fresh file path in the scratch dir for this op's output."""
        return self.scratch / f"out-{uuid.uuid4().hex}{suffix}"

    def fetch(self, url: str, dest_dir: Path | None = None) -> Path:
        """The resource at ``url`` as a local file (see :class:`FetchUrl`)."""
        if self.fetch_url is None:
            raise OpFailed(f"failed to GET {url}: URLs cannot be resolved here")
        return self.fetch_url(url, dest_dir or self.scratch)


@dataclass
class ExtraOutput:
    """A further object of a multi-output op (vsample frames, HLS segments)."""

    key: str
    path: Path
    mime: str


@dataclass
class OpResult:
    """An op's output file and its MIME type.

    ``passthrough`` marks that the input was returned unchanged (``ignore-error/1``).
    ``inline`` is an answer that becomes the item's ``result`` instead of a stored object
    (image-censor); ``path`` is then the input, and nothing is stored.
    ``extra`` lists further objects with their final keys; the status item reports them
    as ``keys``. When ``path`` is itself one of the extras (vsample frames), nothing
    else is stored.
    """

    path: Path
    mime: str
    extra: list[ExtraOutput] = field(default_factory=list)
    passthrough: bool = False
    inline: Any = None
