"""Finding a font file for text watermarks (images and video alike).

Lookup order for a requested font name (the ``font`` parameter, default 黑体/SimHei):

1. fontconfig (``fc-match``) for the name, or its Latin family for the common Chinese
   names (黑体 SimHei, 宋体 SimSun, 微软雅黑 Microsoft YaHei, 楷体 KaiTi, 仿宋 FangSong),
   accepted only when the match really is that family;
2. for text with CJK characters, any font fontconfig lists for ``lang=zh``, then a few
   well-known CJK font files (Noto CJK, WenQuanYi, AR PL, Droid Sans Fallback);
3. DejaVu Sans. It has no CJK glyphs, so on a machine without a CJK font Chinese text
   is drawn as DejaVu's missing-glyph boxes at the right size and place: the layout of
   the watermark is right, its glyphs are not. Install e.g. ``fonts-noto-cjk`` to fix;
4. Pillow's built-in font, if even DejaVu is missing.
"""

from __future__ import annotations

import subprocess
from functools import lru_cache
from pathlib import Path

DEFAULT_FONT = "黑体"
CHINESE_FAMILIES = {
    "黑体": "SimHei", "宋体": "SimSun", "微软雅黑": "Microsoft YaHei",
    "楷体": "KaiTi", "仿宋": "FangSong", "新宋体": "NSimSun",
}
KNOWN_CJK_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
DEJAVU_SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
# The Debian/Ubuntu package that gives fontconfig a CJK font.
CJK_FONT_PACKAGE = "fonts-noto-cjk"


def needs_cjk(text: str) -> bool:
    """True when ``text`` has CJK ideographs, kana, hangul or CJK punctuation."""
    return any(ord(ch) >= 0x2E80 for ch in text)


@lru_cache(maxsize=64)
def find_font(name: str, cjk: bool) -> str | None:
    """A font file for ``name`` (see the module docstring), or None for Pillow's built-in font."""
    family = CHINESE_FAMILIES.get(name, name)
    matched = _fc_match(family)
    if matched is not None and family.lower() in matched[1].lower():
        return matched[0]
    if cjk:
        found = cjk_font()
        if found is not None:
            return found
    return DEJAVU_SANS if Path(DEJAVU_SANS).is_file() else None


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """A font file with CJK glyphs (fontconfig's ``lang=zh`` list, then known files), or None."""
    listed = _fc_lines(["fc-list", ":lang=zh", "file"])
    for candidate in [line.rstrip(":").strip() for line in listed] + list(KNOWN_CJK_FILES):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def missing_cjk_font_warning() -> str | None:
    """What to tell the user at start when Chinese watermark text would be drawn as boxes."""
    if cjk_font() is not None:
        return None
    return (f"no CJK font found: Chinese, Japanese and Korean text in watermarks is drawn as empty boxes. "
            f"Install one, e.g. apt-get install {CJK_FONT_PACKAGE} (Docker: "
            f"--build-arg EXTRA_APT_PACKAGES={CJK_FONT_PACKAGE})")


def _fc_match(family: str) -> tuple[str, str] | None:
    lines = _fc_lines(["fc-match", "-f", "%{file}\n%{family}\n", family])
    return (lines[0], lines[1]) if len(lines) >= 2 and Path(lines[0]).is_file() else None


def _fc_lines(command: list[str]) -> list[str]:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in done.stdout.splitlines() if line.strip()]
