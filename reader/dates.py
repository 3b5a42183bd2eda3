"""Reduced-precision dates as readers write them: "14 October 2023", "October 2023", "1962"."""

from __future__ import annotations

import calendar

from quotes.dates import DAY, MONTH, ReducedDate, to_reduced_date


def long_date(value: ReducedDate | str | None, *, style: str = "day-first") -> str:
    """The date at its precision; ``style`` "month-first" gives "October 14, 2023"."""
    date = to_reduced_date(value)
    if date is None:
        return ""
    if date.precision == DAY:
        month = calendar.month_name[date.month]
        if style == "month-first":
            return f"{month} {date.day}, {date.year}"
        return f"{date.day} {month} {date.year}"
    if date.precision == MONTH:
        return f"{calendar.month_name[date.month]} {date.year}"
    return str(date.year)


def apa_date(value: ReducedDate | str | None) -> str:
    """APA's date in parentheses: (2023, October 14), (2023, October), (2023) or (n.d.)."""
    date = to_reduced_date(value)
    if date is None:
        return "(n.d.)"
    parts = [str(date.year)]
    if date.month:
        parts.append(calendar.month_name[date.month] + (f" {date.day}" if date.day else ""))
    return f"({', '.join(parts)})"
