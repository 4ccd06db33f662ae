"""What counts as a timestamp, as AWS Step Functions parses it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from stepflow.asl.timestamps import parse_timestamp, timestamp_key


def test_a_utc_timestamp_parses_to_an_aware_datetime() -> None:
    assert parse_timestamp("2016-03-14T01:59:00Z") == datetime(2016, 3, 14, 1, 59, tzinfo=timezone.utc)


def test_an_offset_timestamp_keeps_its_offset() -> None:
    parsed = parse_timestamp("2012-10-09T19:00:55+01:00")
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(hours=1)
    assert parsed == datetime(2012, 10, 9, 18, 0, 55, tzinfo=timezone.utc)
    negative = parse_timestamp("2012-10-09T19:00:55-05:30")
    assert negative is not None and negative.utcoffset() == -timedelta(hours=5, minutes=30)


@pytest.mark.parametrize(
    ("text", "microsecond"),
    [
        ("2026-11-27T23:39:32.0Z", 0),
        ("2026-11-27T23:39:32.00Z", 0),
        ("2026-11-27T23:39:32.5Z", 500_000),
        ("2026-11-27T23:39:32.000000Z", 0),
        ("2016-03-05T21:29:29.243167252Z", 243_167),  # nanoseconds: truncated in a datetime
    ],
)
def test_one_to_nine_fractional_digits_are_accepted(text: str, microsecond: int) -> None:
    parsed = parse_timestamp(text)
    assert parsed is not None and parsed.microsecond == microsecond


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-29T00:00:00Z",  # a leap day
        "2012-10-09T19:00:55-00:00",
        "2012-10-09T19:00:55+18:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
    ],
)
def test_valid_edge_cases_are_timestamps(text: str) -> None:
    assert parse_timestamp(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "2016-12-05T21:29:29",  # no offset
        "2016-12-05 21:29:29Z",  # no T
        "2016-12-05t21:29:29Z",  # lowercase t
        "2016-12-05T21:29:29z",  # lowercase z
        "05-12-2016T21:29:29Z",  # not year-first
        "2016-13-05T21:29:29Z",  # month 13
        "2016-12-05T25:29:29Z",  # hour 25
        "2016-12-05T24:00:00Z",
        "2016-12-05T21:60:29Z",
        "2016-12-05T21:29:60Z",  # no leap seconds
        "2023-02-29T00:00:00Z",  # not a leap year
        "2016-04-31T00:00:00Z",
        "2016-00-10T00:00:00Z",
        "2016-12-00T00:00:00Z",
        "2016-12-05T21:29Z",  # seconds are required
        "2016-12-05",
        "2016-12-05T21:29:29.Z",
        "2016-12-05T21:29:29.1234567890Z",  # ten fractional digits
        "2016-12-05T21:29:29+01",
        "2016-12-05T21:29:29+0100",
        "2016-12-05T21:29:29+19:00",
        "2016-12-05T21:29:29+01:60",
        "2016-12-05T21:29:29+01:00Z",
        " 2016-12-05T21:29:29Z",
        "2016-12-05T21:29:29Z\n",
        "２０１６-12-05T21:29:29Z",  # full-width digits
        "0000-01-01T00:00:00Z",
        "+2016-12-05T21:29:29Z",
        "",
        "HelloWorld",
    ],
)
def test_invalid_text_is_not_a_timestamp(text: str) -> None:
    assert parse_timestamp(text) is None
    assert timestamp_key(text) is None


@pytest.mark.parametrize("value", [None, 0, 1.5, True, [], {}, ["2016-03-14T01:59:00Z"]])
def test_a_value_that_is_not_a_string_is_not_a_timestamp(value: Any) -> None:
    assert parse_timestamp(value) is None
    assert timestamp_key(value) is None


def test_the_key_is_exact_nanoseconds_since_the_epoch() -> None:
    assert timestamp_key("1970-01-01T00:00:00Z") == 0
    assert timestamp_key("1970-01-01T00:00:01.000000001Z") == 1_000_000_001
    assert timestamp_key("1969-12-31T23:59:59Z") == -1_000_000_000


def test_the_key_compares_instants_across_offsets() -> None:
    assert timestamp_key("2012-10-09T19:00:55+01:00") == timestamp_key("2012-10-09T18:00:55Z")
    earlier, later = timestamp_key("2012-10-09T19:00:55+01:00"), timestamp_key("2012-10-09T18:30:00Z")
    assert earlier is not None and later is not None and earlier < later


def test_the_key_agrees_with_datetime_for_microsecond_timestamps() -> None:
    text = "2016-03-14T01:59:00.123456-07:00"
    parsed, key = parse_timestamp(text), timestamp_key(text)
    assert parsed is not None and key is not None
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert key == (parsed - epoch) // timedelta(microseconds=1) * 1000
