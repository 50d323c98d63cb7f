"""Helpers of the scenario tests: jobs through either client, the emulator's job record."""

from __future__ import annotations

import requests
from support import wait_for


def put(client, target, key: str, data: bytes = b"hello", policy: dict | None = None) -> dict:
    reply = client.put_data(target.bucket, key, data, policy)
    assert reply.status == 200, reply.text
    return reply.ret


def submit(client, target, key: str, fops: str, **options) -> str:
    reply = client.pfop(target.bucket, key, fops, **options)
    assert reply.status == 200, reply.text
    return reply.ret["persistentId"]


def code(client, persistent_id: str) -> int:
    reply = client.prefop(persistent_id)
    assert reply.status == 200, reply.text
    return reply.ret["code"]


def finished(client, persistent_id: str) -> dict:
    """The job's prefop answer once it is neither waiting nor running."""
    def done():
        reply = client.prefop(persistent_id)
        return reply.ret if reply.ret["code"] not in (1, 2) else None

    return wait_for(done, message=f"job {persistent_id} to finish")


def record(server, persistent_id: str) -> dict:
    """What ``/_emulator/jobs/<id>`` knows beyond prefop."""
    response = requests.get(f"{server.admin_url}/_emulator/jobs/{persistent_id}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["emulator"]
