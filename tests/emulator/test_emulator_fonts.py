"""At start the emulator says when Chinese watermark text would come out as boxes, and what to install."""

from __future__ import annotations

import logging

from qiniu_emulator.fops import fonts


def font_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "no CJK font" in r.getMessage()]


def test_a_missing_cjk_font_is_named_with_its_package(start_emulator, caplog, monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    caplog.set_level(logging.WARNING, logger="qiniu_emulator")
    start_emulator()
    [warning] = font_warnings(caplog)
    assert "apt-get install fonts-noto-cjk" in warning and "EXTRA_APT_PACKAGES=fonts-noto-cjk" in warning


def test_no_warning_when_a_cjk_font_is_installed(start_emulator, caplog, monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    caplog.set_level(logging.WARNING, logger="qiniu_emulator")
    start_emulator()
    assert font_warnings(caplog) == []
