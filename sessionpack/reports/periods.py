"""Periods of the reports: ``--from`` / ``--to``, inclusive dates in the practice zone.

Each bound is read as every command reads a date (``domain.datetimes``): an
ISO date (``2026-03-01``) from 1900-01-01 to 2999-12-31, or an everyday
word: ``today``, ``yesterday``, ``tomorrow``, a weekday (``fri``, ``next
mon``), days or weeks from today (``+7d``, ``-30d``, ``-2w``). "Today" is
``--now``'s date in the practice's time zone, so the same words mean the
same days in every report. Each report has a default period around today;
a ``--from`` given alone after today, or a ``--to`` alone before it, places
that default at its own day instead (``period_around``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..domain.datetimes import FIRST, LAST, check_range, day_word, iso_date
from ..errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterator



def parse_day(text: str, today: date, option: str) -> date:
    """One bound: an ISO date or an everyday word, within the calendar's range."""
    clean = text.strip()
    day = day_word(clean, today) if clean.isascii() else None
    if day is None:
        day = iso_date(clean)
    if day is None:
        raise InputError(f"{option} {text!r} is not a date: use YYYY-MM-DD, today, tomorrow, yesterday, "
                         "a weekday (fri), +Nd, -Nd, +Nw or -Nw")
    return check_range(day, option)


@dataclass(frozen=True)
class Period:
    """Inclusive dates ``first`` .. ``last``."""

    first: date
    last: date

    def days(self) -> Iterator[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += timedelta(days=1)

    def text(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        if self.last == LAST:  # open-ended: from a day on
            return f"from {self.first.isoformat()}"
        if self.first == FIRST:
            return f"to {self.last.isoformat()}"
        return f"{self.first.isoformat()} to {self.last.isoformat()}"

    def bounds(self) -> tuple[str | None, str | None]:
        """The first and last day for a program (JSON), None where open-ended."""
        return (None if self.first == FIRST else self.first.isoformat(), None if self.last == LAST else self.last.isoformat())


MAX_DAYS = 366 * 100


def period(start: str | None, end: str | None, today: date, default_first: date, default_last: date,
           longest: int | None = MAX_DAYS) -> Period:
    """The period of ``--from`` / ``--to`` (each defaulting as given), of at
    most ``longest`` days (None: any, for what does not go day by day)."""
    first = parse_day(start, today, "--from") if start is not None else default_first
    last = parse_day(end, today, "--to") if end is not None else default_last
    if last < first:
        raise InputError(f"--to {last.isoformat()} is before --from {first.isoformat()}; give the first and the last day")
    if longest is not None and (last - first).days > longest:
        raise InputError("the period is longer than 100 years; give a nearer --from or --to")
    return Period(first, last)


def period_around(start: str | None, end: str | None, today: date, around: Callable[[date], tuple[date, date]],
                  longest: int | None = MAX_DAYS) -> Period:
    """``period`` for a report whose default is ``around(day)``: its first
    and last day, were ``day`` today. With neither bound, it is around
    today; a bound given alone takes the other from the default placed at
    that day when it is later than today (``--from``) or earlier (``--to``),
    so never from a default on the wrong side of it: ``report bookings
    --from +10d`` is that day and the next 7, ``report sales --to
    2026-01-20`` is 1 to 20 January. Within the calendar (``FIRST`` ..
    ``LAST``)."""
    anchor = today
    if start is not None and end is None:
        anchor = max(today, parse_day(start, today, "--from"))
    elif end is not None and start is None:
        anchor = min(today, parse_day(end, today, "--to"))
    first, last = around(anchor)
    return period(start, end, today, max(first, FIRST), min(last, LAST), longest)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)
