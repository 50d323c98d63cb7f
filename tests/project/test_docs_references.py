"""Every reference the code makes to the project's documents resolves inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for top in ("emulator", "client", "contracts", "tests", "benchmarks")
           for p in (ROOT / top).rglob("*.py")]
SECTION_REF = re.compile(r"docs/([\w-]+\.md) ((?:§\d+(?:\.\d+)*(?:, )?)+)")
VECTOR_REF = re.compile(r"\bvectors? (\d+(?:\s*-\s*\d+)?(?:,\s*\d+(?:\s*-\s*\d+)?)*)")


def headings(doc: str) -> set[str]:
    """Section numbers of ``## 2.`` and ``### 2.1`` headings."""
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    return {m.group(1).rstrip(".") for m in re.finditer(r"^#{2,4} (\d+(?:\.\d+)*)\.? ", text, re.M)}


def vector_numbers() -> set[int]:
    text = (ROOT / "docs" / "fops.md").read_text(encoding="utf-8")
    table = text[text.index("## 12. Worked test vectors"):]
    return {int(m.group(1)) for m in re.finditer(r"^\| (\d+) \|", table, re.M)}


def numbers(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


def references(pattern: re.Pattern[str]) -> list[tuple[str, re.Match[str]]]:
    return [(f"{path.relative_to(ROOT)}:{n}", match)
            for path in SOURCES if path.name != Path(__file__).name
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            for match in pattern.finditer(line)]


def test_references_exist():
    assert references(SECTION_REF) and references(VECTOR_REF)


@pytest.mark.parametrize("where, match", references(SECTION_REF), ids=lambda v: v if isinstance(v, str) else "")
def test_section_reference_resolves(where, match):
    doc, sections = match.group(1), [s.strip(", ") for s in match.group(2).split("§") if s.strip(", ")]
    known = headings(doc)
    for section in sections:
        assert section in known, f"{where}: docs/{doc} has no section {section}"


def test_vector_references_resolve():
    known = vector_numbers()
    for where, match in references(VECTOR_REF):
        missing = set(numbers(match.group(1))) - known
        assert not missing, f"{where}: docs/fops.md §12 has no vector {sorted(missing)}"


def test_no_reference_to_a_document_outside_the_repository():
    stray = [where for where, _ in references(re.compile(r"\bspec \d|shared/spec"))]
    assert not stray, f"references to documents outside the repository: {stray}"
