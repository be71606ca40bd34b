"""Dates as letters write them ("12/07/2016", "9/1/99", "10-13-16", "October 14, 2016") -> ISO 8601."""

from __future__ import annotations

from datetime import date, datetime

from dateutil import parser as _dateparser

from kg.reading import patterns as P

# Two-digit years in these letters are injuries and decisions: 1950-2049 is the only sane window.
_PIVOT = 50


def to_iso(value: str) -> str | None:
    """Parse a US-style date; return ``YYYY-MM-DD`` or None when it is not a real date."""
    value = value.strip().rstrip(".,")
    numeric = P.NUMERIC_DATE.fullmatch(value)
    if numeric:  # the common form, read directly: dateutil costs 0.1 ms a date, four or five a letter
        month, day, year = (int(g) for g in numeric.groups())
        if len(numeric.group(3)) == 2:
            year = 2000 + year if year < _PIVOT else 1900 + year
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    try:
        parsed = _dateparser.parse(value, dayfirst=False, yearfirst=False, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        return None
    year = parsed.year
    digits = value.replace("-", "/").rsplit("/", 1)
    if len(digits) == 2 and len(digits[1]) == 2 and digits[1].isdigit():
        two = int(digits[1])
        year = 2000 + two if two < _PIVOT else 1900 + two
    return parsed.replace(year=year).date().isoformat()
