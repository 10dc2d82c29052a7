"""Periods of the reports: ``--from`` / ``--to``, inclusive dates in the practice zone.

Each bound is an ISO date (``2026-03-01``), ``today``, ``yesterday``,
``tomorrow``, or a number of days from today (``+7d``, ``-30d``). "Today" is
``--now``'s date in the practice's time zone, so the same words mean the same
days in every report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator

_OFFSET_RE = re.compile(r"^([+-])([0-9]{1,5})d$")
_WORDS = {"today": 0, "tomorrow": 1, "yesterday": -1}


def parse_day(text: str, today: date, option: str) -> date:
    """One bound: ISO date, today, tomorrow, yesterday, +Nd or -Nd."""
    clean = text.strip().lower()
    if clean in _WORDS:
        return today + timedelta(days=_WORDS[clean])
    match = _OFFSET_RE.match(clean)
    if match:
        days = int(match.group(2))
        return today + timedelta(days=days if match.group(1) == "+" else -days)
    try:
        return date.fromisoformat(clean) if len(clean) == 10 else _bad(text, option)
    except ValueError:
        return _bad(text, option)


def _bad(text: str, option: str) -> date:
    raise InputError(f"{option} {text!r} is not a date: use YYYY-MM-DD, today, tomorrow, yesterday, +Nd or -Nd")


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
        return self.first.isoformat() if self.first == self.last else f"{self.first.isoformat()} to {self.last.isoformat()}"


MAX_DAYS = 366 * 100


def period(start: str | None, end: str | None, today: date, default_first: date, default_last: date) -> Period:
    """The period of ``--from`` / ``--to`` (each defaulting as given)."""
    first = parse_day(start, today, "--from") if start is not None else default_first
    last = parse_day(end, today, "--to") if end is not None else default_last
    if last < first:
        raise InputError(f"--to {last.isoformat()} is before --from {first.isoformat()}; give the first and the last day")
    if (last - first).days > MAX_DAYS:
        raise InputError("the period is longer than 100 years; give a nearer --from or --to")
    return Period(first, last)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)
