"""Ops that need no media library: qhash."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .registry import Op, OpContext, OpResult, OpSpec, Param, Registry, Schema, one_of


def run_qhash(op: Op, src: Path, ctx: OpContext) -> OpResult:
    digest = hashlib.new(op.args["alg"])
    size = 0
    with src.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    out = ctx.output_path(".json")
    out.write_text(json.dumps({"hash": digest.hexdigest(), "fsize": size}))
    return OpResult(path=out, mime="application/json")


def register(registry: Registry) -> None:
    registry.add(OpSpec(
        name="qhash",
        run=run_qhash,
        schema=Schema(positional=(Param("alg", one_of("md5", "sha1", "sha256")),)),
    ))
