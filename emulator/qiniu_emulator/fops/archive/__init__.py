"""Ops that gather other files into one result: mkzip (a zip) and concat (the bytes joined).

Both are pfop only, and read every other file through the context's fetch.
"""

from __future__ import annotations

from ..declare import OpSpec
from ..registry import Registry
from .concat import ConcatArgs, parse_concat, run_concat
from .mkzip import ENTRY_PARAMS, MkzipArgs, parse_mkzip, run_mkzip


def register(registry: Registry) -> None:
    """Add mkzip and concat to ``registry``."""
    registry.add(OpSpec(name="mkzip", run=run_mkzip, args=MkzipArgs, parse=parse_mkzip, sync=False,
                        stored_by_hash=True, extra_params=ENTRY_PARAMS,
                        help="zip of the files at some URLs (mode 2) or an index file's URLs (mode 4)"))
    registry.add(OpSpec(name="concat", run=run_concat, args=ConcatArgs, parse=parse_concat, sync=False,
                        help="the source's bytes followed by other files' bytes"))
