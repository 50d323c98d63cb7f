"""The README's code blocks, each marked ``<!-- snippet: NAME -->``, for the tests that run them.

Tests run a snippet as written; the only substitution is the address: ``127.0.0.1:9000``
(and the admin port's ``127.0.0.1:9002``) becomes the test server's (an emulator on the fixed port would clash with others).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MARKER = re.compile(r"<!-- snippet: ([\w-]+) -->")
README_ADDRESS = "127.0.0.1:9000"
README_ADMIN_ADDRESS = "127.0.0.1:9002"


@dataclass(frozen=True)
class Snippet:
    name: str
    lang: str
    text: str
    line: int

    def on(self, url: str, admin_url: str = "") -> str:
        """The text with the README's addresses replaced by ``url``'s (and ``admin_url``'s) host and port."""
        text = self.text.replace(README_ADDRESS, url.split("://", 1)[1])
        return text.replace(README_ADMIN_ADDRESS, admin_url.split("://", 1)[1]) if admin_url else text

    def commands(self) -> list[str]:
        """Shell lines without their trailing comments, continuation lines joined."""
        joined = self.text.replace("\\\n", "")
        return [re.sub(r"\s+#.*$", "", line).strip() for line in joined.splitlines() if line.strip()]


def all_blocks() -> list[tuple[int, str | None, Snippet]]:
    """Every fenced block: its line, the snippet name marked above it (or None), its content."""
    lines = README.read_text(encoding="utf-8").splitlines()
    found = []
    index = 0
    while index < len(lines):
        if not lines[index].startswith("```"):
            index += 1
            continue
        start, lang = index, lines[index][3:].strip()
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
        above = [MARKER.search(line) for line in lines[max(0, start - 2):start]]
        names = [m[1] for m in above if m]
        name = names[-1] if names else None
        found.append((start + 1, name, Snippet(name or "", lang, "\n".join(lines[start + 1:end]) + "\n", start + 1)))
        index = end + 1
    return found


def snippet(name: str) -> Snippet:
    matches = [block for _, marked, block in all_blocks() if marked == name]
    assert len(matches) == 1, f"README has {len(matches)} snippets named {name!r}"
    return matches[0]
