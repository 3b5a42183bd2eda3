"""Reduced-precision dates: "1962", "1972-02" or "2023-10-14".

A ``ReducedDate`` is stored as its ISO text in a column with the "C" collation, so that
the database's ordinary ordering of the text is chronological (a coarser date sorts before
the finer dates it contains) and a B-tree index serves range queries. Comparing the stored
text compares the first day of each period.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

YEAR, MONTH, DAY = "year", "month", "day"
PATTERN = re.compile(
    r"^(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?$"  # ASCII digits only
)
# Shape check for the database; the calendar check (no 30 February) is done in Python.
DB_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"


@dataclass(frozen=True, order=False)
class ReducedDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")

    @classmethod
    def parse(cls, value: str) -> ReducedDate:
        """Parse "YYYY", "YYYY-MM" or "YYYY-MM-DD"; raise ValidationError naming the problem."""
        if not isinstance(value, str):
            raise ValidationError(f"{value!r} is not a date string", code="invalid")
        match = PATTERN.match(value.strip())
        if not match:
            raise ValidationError(
                f'"{value}" is not a date: use YYYY, YYYY-MM or YYYY-MM-DD',
                code="invalid",
            )
        year = int(match["year"])
        month = int(match["month"]) if match["month"] else None
        day = int(match["day"]) if match["day"] else None
        if year < 1:
            raise ValidationError(f'"{value}": year 0 does not exist', code="invalid")
        if month is not None and not 1 <= month <= 12:
            raise ValidationError(f'"{value}": month {month} does not exist', code="invalid")
        if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise ValidationError(
                f'"{value}": day {day} does not exist in {year}-{month:02d}', code="invalid"
            )
        return cls(year, month, day)

    @property
    def precision(self) -> str:
        if self.day is not None:
            return DAY
        return MONTH if self.month is not None else YEAR

    @property
    def start(self) -> datetime.date:
        """The first day of the period."""
        return datetime.date(self.year, self.month or 1, self.day or 1)

    @property
    def end(self) -> datetime.date:
        """The last day of the period."""
        if self.day is not None:
            return self.start
        month = self.month or 12
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def next_period_start(self) -> ReducedDate:
        """The date just after this period, at the same precision.

        Every date whose first day falls inside this period sorts before it.
        """
        if self.precision == DAY:
            following = self.start + datetime.timedelta(days=1)
            return ReducedDate(following.year, following.month, following.day)
        if self.precision == MONTH and self.month < 12:
            return ReducedDate(self.year, self.month + 1)
        return ReducedDate(self.year + 1, 1 if self.month else None)

    def contains(self, other: ReducedDate) -> bool:
        return self.start <= other.start and other.end <= self.end

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def __lt__(self, other: ReducedDate) -> bool:
        return str(self) < str(other)

    def __le__(self, other: ReducedDate) -> bool:
        return str(self) <= str(other)

    def __gt__(self, other: ReducedDate) -> bool:
        return str(self) > str(other)

    def __ge__(self, other: ReducedDate) -> bool:
        return str(self) >= str(other)


def to_reduced_date(value: Any) -> ReducedDate | None:
    if value is None or value == "":
        return None
    if isinstance(value, ReducedDate):
        return value
    if isinstance(value, datetime.date):
        return ReducedDate(value.year, value.month, value.day)
    return ReducedDate.parse(value)


class ReducedDateField(models.CharField):
    """A date of year, month or day precision, kept at the precision it was given."""

    description = "Reduced-precision date (YYYY, YYYY-MM or YYYY-MM-DD)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["max_length"] = 10
        kwargs.setdefault("db_collation", "C")
        kwargs.setdefault("help_text", "YYYY, YYYY-MM or YYYY-MM-DD")
        super().__init__(*args, **kwargs)
        # Parsing already bounds the length; a length check would fail on a ReducedDate.
        self.validators[:] = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def deconstruct(self) -> tuple:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else ReducedDate.parse(value)

    def to_python(self, value: Any) -> ReducedDate | None:
        return to_reduced_date(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = to_reduced_date(value)
        return None if value is None else str(value)

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else str(value)

    def formfield(self, **kwargs: Any) -> forms.Field:
        return super().formfield(**{"form_class": ReducedDateFormField, **kwargs})


class ReducedDateFormField(forms.CharField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("max_length", None)  # a length check would fail on a parsed ReducedDate
        super().__init__(*args, **kwargs)
        self.widget.attrs.update(maxlength="10", placeholder="YYYY, YYYY-MM or YYYY-MM-DD")

    def to_python(self, value: Any) -> ReducedDate | None:
        return to_reduced_date(super().to_python(value))

    def prepare_value(self, value: Any) -> str:
        return "" if value is None else str(value)
