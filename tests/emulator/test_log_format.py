"""The server log's time stamps read exactly as logging's standard format writes them,
across second boundaries."""

from __future__ import annotations

import logging

from qiniu_emulator.cli import LOG_FORMAT, SecondCachedFormatter


def test_cached_time_stamps_equal_the_standard_ones() -> None:
    cached, standard = SecondCachedFormatter(LOG_FORMAT), logging.Formatter(LOG_FORMAT)
    record = logging.LogRecord("qiniu_emulator.requests", logging.INFO, __file__, 1, "GET / %s", (200,), None)
    for created in (1_700_000_000.001, 1_700_000_000.999, 1_700_000_001.0, 1_700_000_001.5, 1_699_999_999.25):
        record.created, record.msecs = created, (created - int(created)) * 1000
        assert cached.format(record) == standard.format(record)
    assert cached.format(record).endswith(" INFO qiniu_emulator.requests: GET / 200")
