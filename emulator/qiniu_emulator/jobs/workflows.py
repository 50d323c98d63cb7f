"""Workflow templates: named fop sets defined in a JSON or YAML file.

Accepted shapes::

    workflows:                      # or a bare list of the same entries
      - id: thumbs
        fops: "imageView2/2/w/200|saveas/..."     # a string or a list of commands
        pipeline: images                          # optional
        notifyURL: http://127.0.0.1:8000/hook     # optional

or a mapping ``{"thumbs": {"fops": ...}, ...}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..documents import load_document


@dataclass(frozen=True)
class WorkflowTemplate:
    id: str
    fops: str
    pipeline: str = ""
    notify_url: str = ""


class WorkflowError(ValueError):
    """The workflows file is unreadable or malformed; the message names the entry."""


def load_workflows(path: Path) -> dict[str, WorkflowTemplate]:
    return parse_workflows(load_document(path, "workflows", WorkflowError))


def parse_workflows(data: Any) -> dict[str, WorkflowTemplate]:
    if isinstance(data, dict) and "workflows" in data:
        data = data["workflows"]
    if isinstance(data, dict):
        data = [{"id": key, **(value or {})} for key, value in data.items()]
    if not isinstance(data, list):
        raise WorkflowError("workflows must be a list of {id, fops} entries")
    templates: dict[str, WorkflowTemplate] = {}
    for index, entry in enumerate(data):
        template = _template(index, entry)
        if template.id in templates:
            raise WorkflowError(f"workflow {template.id!r} is defined twice")
        templates[template.id] = template
    return templates


def _template(index: int, entry: Any) -> WorkflowTemplate:
    if not isinstance(entry, dict) or not entry.get("id"):
        raise WorkflowError(f"workflow entry {index} needs an id")
    fops = entry.get("fops")
    if isinstance(fops, list):
        fops = ";".join(str(f) for f in fops)
    if not isinstance(fops, str) or not fops:
        raise WorkflowError(f"workflow {entry['id']!r} needs fops (a string or a list)")
    return WorkflowTemplate(id=str(entry["id"]), fops=fops, pipeline=str(entry.get("pipeline") or ""),
                            notify_url=str(entry.get("notifyURL") or entry.get("notify_url") or ""))
