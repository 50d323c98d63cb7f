"""Ops that need no media library: qhash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .context import OpContext, OpResult
from .declare import Op, OpSpec
from .grammar import arg, one_of
from .registry import Registry


@dataclass(frozen=True)
class QhashArgs:
    alg: str = arg(one_of("md5", "sha1", "sha256"), "digest algorithm", positional=True, required=True)


def run_qhash(op: Op[QhashArgs], src: Path, ctx: OpContext) -> OpResult:
    digest = hashlib.new(op.args.alg)
    size = 0
    with src.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    out = ctx.output_path(".json")
    out.write_text(json.dumps({"hash": digest.hexdigest(), "fsize": size}))
    return OpResult(path=out, mime="application/json")


def register(registry: Registry) -> None:
    registry.add(OpSpec(name="qhash", run=run_qhash, args=QhashArgs, help="hash of the input"))
