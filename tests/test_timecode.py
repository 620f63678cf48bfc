"""timecode: every seconds <-> text conversion, and that the forms read back as written."""

from __future__ import annotations

import pytest

from castnotes.timecode import (
    compact_seconds,
    format_clock,
    format_iso_duration,
    format_npt,
    parse_time_value,
    parse_timestamp,
)


@pytest.mark.parametrize("text, seconds", [
    ("75", 75.0), ("75.25", 75.25), ("02:03", 123.0), ("1:02:03.5", 3723.5), ("1:02:03,5", 3723.5),
    (" 0:00:01.500 ", 1.5), ("00:00:00.000", 0.0), ("100:00:00", 360000.0), ("62:03", 3723.0),
])
def test_parse_timestamp_reads_every_form_hosts_write(text: str, seconds: float) -> None:
    assert parse_timestamp(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "1:2:3:4", "-5", "1.5:30", "1h2m", "1:", ":30", "1:02:03.5.1"])
def test_parse_timestamp_refuses_what_is_no_time(text: str) -> None:
    assert parse_timestamp(text) is None


@pytest.mark.parametrize("value, seconds", [
    (90, 90.0), (1.5, 1.5), ("1:30", 90.0), (-1, None), (True, None), (None, None), ([1], None), ("x", None),
])
def test_parse_time_value_takes_numbers_and_text(value: object, seconds: float | None) -> None:
    assert parse_time_value(value) == seconds


@pytest.mark.parametrize("seconds, clock, npt, iso", [
    (0, "0:00", "00:00:00.000", "PT0S"),
    (59.6, "1:00", "00:00:59.600", "PT1M0S"),
    (754, "12:34", "00:12:34.000", "PT12M34S"),
    (3723.5, "1:02:04", "01:02:03.500", "PT1H2M4S"),
    (36000.0004, "10:00:00", "10:00:00.000", "PT10H0S"),
])
def test_formats(seconds: float, clock: str, npt: str, iso: str) -> None:
    assert (format_clock(seconds), format_npt(seconds), format_iso_duration(seconds)) == (clock, npt, iso)


@pytest.mark.parametrize("seconds", [0, 1.5, 59.999, 754.25, 3723.5, 86399.001])
def test_npt_reads_back_to_the_millisecond(seconds: float) -> None:
    parsed = parse_timestamp(format_npt(seconds))
    assert parsed is not None and abs(parsed - seconds) < 0.0005


def test_compact_seconds_writes_whole_seconds_without_a_point() -> None:
    assert [compact_seconds(v) for v in (3.0, 2.5, 2.0004, 1.23456, 0)] == [3, 2.5, 2, 1.235, 0]
    assert isinstance(compact_seconds(3.0), int) and isinstance(compact_seconds(2.9999), int)
