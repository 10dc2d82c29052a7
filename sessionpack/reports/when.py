"""Dates and times as a person reads them in a table: in the practice's time
zone, ``Tue 15 Jan 10:00``, with the year only when it is not the year of
``now`` (``Fri 4 Feb 2028 09:30``), and with its offset when that wall-clock
time happens twice (``Sun 1 Nov 01:30-05:00``, the hour the clocks go back).
Scripts get ISO 8601 from the machine formats instead.

Sessions are listed in the order they happen (``start_order``), the same in
every report and page.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from ..domain.datetimes import clock_text, utc_text

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


_THIS_YEAR: tuple[datetime | None, tzinfo | None, int] = (None, None, 0)  # (now, tz, now's year in tz), the last asked


def _this_year(now: datetime, tz: tzinfo) -> int:
    """``now``'s year in ``tz``, worked out once for the rows of a table."""
    global _THIS_YEAR
    if _THIS_YEAR[0] is not now or _THIS_YEAR[1] is not tz:
        _THIS_YEAR = (now, tz, now.astimezone(tz).year)
    return _THIS_YEAR[2]


def human_date(day: date | str | None, now: datetime, tz: tzinfo, weekday: bool = False) -> str:
    """``15 Jan`` (``Tue 15 Jan`` with ``weekday``), with the year when it is not now's."""
    if day is None or day == "":
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    if day.year != _this_year(now, tz):
        text += f" {day.year}"
    return f"{_DAYS[day.weekday()]} {text}" if weekday else text


def human_time(at: datetime | str | None, now: datetime, tz: tzinfo) -> str:
    """``Tue 15 Jan 10:00`` in the practice zone (the year only when not
    now's; the offset only when the time happens twice, ``clock_text``)."""
    if at is None or at == "":
        return ""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    local = at.astimezone(tz)
    return f"{human_date(local.date(), now, tz, weekday=True)} {clock_text(local)}"


def start_order(start: str | None, booking_id: str) -> tuple[str, str]:
    """Where a session comes in a list: by when it starts, as an instant
    (``utc_text``, as ``report usage`` and statements order them: neither
    the wall clock nor the recorded text sorts as the sessions happen in the
    hour the clocks go back, where 01:15-05:00 is 55 minutes after
    01:20-04:00), then by booking id."""
    return utc_text(start), booking_id
