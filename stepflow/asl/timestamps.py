"""What AWS Step Functions accepts as a timestamp, and how two timestamps compare.

Contract:

* ``parse_timestamp(text)`` returns an aware ``datetime`` for a valid timestamp and
  ``None`` for anything else (including non-strings). It never raises.
* ``timestamp_key(text)`` returns the instant as integer nanoseconds since the Unix
  epoch (``None`` when not a timestamp). Choice comparisons use it because a
  ``datetime`` keeps only microseconds, while AWS accepts (and distinguishes) nine
  fractional digits.

A valid timestamp is the intersection of what the ASL documentation promises (the
RFC 3339 profile of ISO 8601 with an uppercase ``T`` and an uppercase ``Z``) and what
AWS's runtime parser, Java's ``ISO_OFFSET_DATE_TIME`` ("ISO-8601 extended offset
date-time", as AWS's error messages name it), accepts::

    2016-03-14T01:59:00Z              seconds are required
    2016-03-14T01:59:00.243167252Z    1 to 9 fractional digits
    2016-03-14T01:59:00+01:00         offset ±HH:MM, at most ±18:00; -00:00 allowed

Rejected: a missing ``T`` or offset, lowercase ``t``/``z``, ``25:00``/``24:00``, leap
second ``:60``, impossible dates (``2023-02-29``, month 13), surrounding whitespace,
non-ASCII digits. Dates are checked strictly, as Java's strict resolver does. Years
are four digits, 0001 to 9999 (Python's ``datetime`` range).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Final

__all__ = ["parse_timestamp", "timestamp_key"]

# Groups: year, month, day, hour, minute, second, fraction, offset sign, hours, minutes.
_PATTERN: Final = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:Z|([+-])(\d\d):(\d\d))",
    re.ASCII,  # "\d" must not accept other scripts' digits
)

_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_MAX_OFFSET_SECONDS: Final = 18 * 3600  # java.time.ZoneOffset's limit
_UTC: Final = UTC


def _fields(text: Any) -> tuple[date, int, int, int, int, int] | None:
    """(date, hour, minute, second, nanoseconds, offset seconds), or None when invalid."""
    if type(text) is not str:
        return None
    match = _PATTERN.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, off_hour, off_minute = match.groups()
    hours, minutes, seconds = int(hour), int(minute), int(second)
    if hours > 23 or minutes > 59 or seconds > 59:
        return None
    try:
        when = date(int(year), int(month), int(day))
    except ValueError:  # month 13, February 30, year 0000
        return None
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    offset = 0
    if sign:
        if int(off_minute) > 59:
            return None
        offset = int(off_hour) * 3600 + int(off_minute) * 60
        if offset > _MAX_OFFSET_SECONDS:
            return None
        if sign == "-":
            offset = -offset
    return when, hours, minutes, seconds, nanos, offset


def parse_timestamp(text: Any) -> datetime | None:
    """The aware datetime ``text`` denotes, or None when it is not a valid timestamp.

    Fractional digits beyond microseconds are truncated; use ``timestamp_key`` to
    compare instants exactly.
    """
    fields = _fields(text)
    if fields is None:
        return None
    day, hour, minute, second, nanos, offset = fields
    tz = _UTC if offset == 0 else timezone(timedelta(seconds=offset))
    return datetime(day.year, day.month, day.day, hour, minute, second, nanos // 1000, tzinfo=tz)


def timestamp_key(text: Any) -> int | None:
    """The instant ``text`` denotes, in exact nanoseconds since 1970-01-01T00:00:00Z."""
    return _key(text) if type(text) is str else None


@lru_cache(maxsize=4096)  # a run compares the same few timestamps over and over
def _key(text: str) -> int | None:
    fields = _fields(text)
    if fields is None:
        return None
    day, hour, minute, second, nanos, offset = fields
    seconds = (day.toordinal() - _EPOCH_ORDINAL) * 86400 + hour * 3600 + minute * 60 + second - offset
    return seconds * 1_000_000_000 + nanos
