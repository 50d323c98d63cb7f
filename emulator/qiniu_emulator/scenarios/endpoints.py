"""The endpoint names scenario rules match on, stable across routes and API versions.

Inbound names are the Qiniu requests the emulator answers, as ``routes.py`` declares
them (``/v2/list`` and ``/list`` are both ``rsf.list``); ``notify`` and ``callback`` are
the requests it makes. A rule may name a family, any name cut at a dot: ``upload`` is every upload kind, ``rs`` every rs op.
Jobs are matched by the endpoint that started them (``JOB_ORIGINS``); moderation verdicts
by where they are decided (``CENSOR_POINTS``: ``censor.fop`` is the image-censor fop).
"""

from __future__ import annotations

from .. import routes

RS_OPS = routes.RS_OPS
INBOUND: tuple[str, ...] = routes.names()
OUTBOUND: tuple[str, ...] = ("notify", "callback")
JOB_ORIGINS: tuple[str, ...] = ("pfop", "upload.form", "upload.mkfile", "upload.putb64", "upload.multipart.complete")
# Where a moderation verdict is decided: the image-censor fop of a job, and the censor APIs.
CENSOR_POINTS: tuple[str, ...] = ("censor.fop", "censor.image", "censor.video")


def covers(pattern: str, name: str) -> bool:
    """Whether a rule's endpoint ``pattern`` (a name or a family) covers ``name``."""
    return name == pattern or name.startswith(pattern + ".")


def covered(pattern: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The names of ``names`` that ``pattern`` covers (none: it names nothing there)."""
    return tuple(name for name in names if covers(pattern, name))


def families(names: tuple[str, ...]) -> list[str]:
    """Every name and family a rule may write, for error messages."""
    found: dict[str, None] = {}
    for name in names:
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            found[".".join(parts[:end])] = None
    return list(found)
