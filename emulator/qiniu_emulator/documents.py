"""Reading the JSON or YAML files the emulator is given (workflow templates, scenario rules)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def load_document(path: Path, what: str, error: type[ValueError] = ValueError) -> Any:
    """The data of ``path``: JSON for a ``.json`` name, YAML otherwise. ``error`` (a ValueError)
    names the file, as "<what> file", and why it could not be read."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"cannot read {what} file {path}: {exc.strerror}") from exc
    try:
        if Path(path).suffix.lower() == ".json":
            return json.loads(text)
        import yaml

        return yaml.safe_load(text)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same user error
        raise error(f"{what} file {path} is not valid JSON/YAML: {exc}") from exc
