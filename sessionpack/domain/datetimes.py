"""Dates and date-times a person types, read the same way everywhere.

ISO 8601 is the form for scripts (``2026-12-01``, ``2026-12-01T10:00``, with
or without an offset). At the desk, everyday words work too, resolved in the
practice's time zone against the command's clock (``--now``):

- ``today``, ``tomorrow``, ``yesterday``;
- a weekday, ``fri`` or ``friday``: the next one on or after today (today
  itself when it is that day); ``next fri``: strictly after today;
- ``+3d``, ``-2d``, ``+2w``: days or weeks from today;
- any of these with a time of day for a date-time: ``fri 10:00``,
  ``tomorrow 9:30``, ``+1w 18:00``.

Numbers are read in ASCII digits: ``٣`` or ``９`` are refused rather than read as 3
or 9. Dates lie between 1900-01-01 and 2999-12-31, so that no arithmetic on
them (an expiry of 9,999 weeks, a time-zone shift) can leave the calendar.

A date-time without an offset is a wall-clock time in the practice's time
zone. One that does not exist there (inside the hour skipped when clocks go
forward) is refused, naming the valid times on either side of the gap; one
that happens twice (when clocks go back) is refused unless an offset says
which, e.g. ``2026-10-25T01:30+01:00``. A date given alone where a
date-time is taken (``--now``) is the first instant of that day
(``day_start``): 00:00, or 01:00 where the clocks skip midnight.

A session's start is to the minute, as every output shows it: seconds or a
fraction (``10:00:30``, ``T10.5``) are refused, not kept out of sight. The
clock (``--now``) keeps them.

A day counted back, ``-7d`` (``dash_day``), starts with a dash as an option
does; the command line takes it as the date it is.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo

from ..errors import InputError
from .regex import pattern

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {name: i for i, name in enumerate(WEEKDAYS)}
_DAY_NAMES.update({full: i for i, full in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))})
_DAY_NAMES.update({"tues": 1, "wednes": 2, "thur": 3, "thurs": 3})
_SHIFT_RE = pattern(r"([+-])([0-9]{1,4})([dw])\Z")
_CLOCK_RE = pattern(r"([0-9]{1,2}):([0-9]{2})\Z")
_DATE_RE = pattern(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")

FIRST = date(1900, 1, 1)
LAST = date(2999, 12, 31)


def _ascii(text: object, what: str, kind: str, example: str) -> str:
    if not isinstance(text, str) or not text.strip().isascii() or not text.strip():
        raise InputError(f"{what} must be an ISO {kind} like {example}, not {text!r}")
    return text.strip()


def check_range(day: date, what: str) -> date:
    if not FIRST <= day <= LAST:
        raise InputError(f"{what} {day.isoformat()} is out of range: use a date from {FIRST.isoformat()} to {LAST.isoformat()}")
    return day


def day_word(text: str, today: date) -> date | None:
    """The date an everyday word names (``today``, ``fri``, ``+3d``...), or None."""
    words = text.lower().split()
    if len(words) == 2 and words[0] == "next" and words[1] in _DAY_NAMES:
        ahead = (_DAY_NAMES[words[1]] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    if len(words) != 1:
        return None
    word = words[0]
    if word in ("today", "now"):
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    if word == "yesterday":
        return today - timedelta(days=1)
    if word in _DAY_NAMES:
        return today + timedelta(days=(_DAY_NAMES[word] - today.weekday()) % 7)
    shift = _SHIFT_RE.match(word) if word[:1] in ("+", "-") else None  # (the pattern is compiled only for a shift)
    if shift:
        days = int(shift.group(2)) * (7 if shift.group(3) == "w" else 1)
        return today + timedelta(days=days if shift.group(1) == "+" else -days)
    return None


def dash_day(text: str) -> bool:
    """Whether ``text`` is a day counted back from today (``-7d``, ``-2w``),
    alone or with a time of day (``-1d 10:00``): a date, though it starts
    with a dash as an option does."""
    words = text.lower().split() if text.startswith("-") else ()
    if not 1 <= len(words) <= 2 or (len(words) == 2 and _CLOCK_RE.match(words[1]) is None):
        return False
    return _SHIFT_RE.match(words[0]) is not None


def utc_text(start: str | None) -> str:
    """A recorded time (ISO 8601 with its offset) as UTC text, which sorts as
    the instants do (the wall clock repeats an hour when the clocks go
    back); "" when unknown."""
    return datetime.fromisoformat(start).astimezone(timezone.utc).isoformat() if start else ""


def iso_date(text: str) -> date | None:
    """``YYYY-MM-DD`` in ASCII digits (not a week date such as 2026-W09-7), or None."""
    if not text.isascii() or not _DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_date(text: object, what: str, example: str = "2026-12-01", today: date | None = None) -> date:
    """An ISO date (``2026-12-01``) in range; with ``today``, also an everyday
    word (``tomorrow``, ``fri``, ``+3d``)."""
    clean = _ascii(text, what, "date", example)
    if today is not None:
        named = day_word(clean, today)
        if named is not None:
            return check_range(named, what)
    day = iso_date(clean)
    if day is None:
        raise InputError(f"{what} must be an ISO date like {example}, not {text!r}")
    return check_range(day, what)


def _everyday(clean: str, now: datetime, tz: tzinfo) -> datetime | None:
    """``fri 10:00``, ``tomorrow 9:30``, ``+2d 18:00``: a naive wall-clock time, or None."""
    head, _, clock = clean.rpartition(" ")
    if not head or not clock:  # (an ISO date-time has no space: no pattern compiled for it)
        return None
    match = _CLOCK_RE.match(clock)
    if match is None:
        return None
    day = day_word(head, now.astimezone(tz).date())
    hour, minute = int(match.group(1)), int(match.group(2))
    if day is None or hour > 23 or minute > 59:
        return None
    return datetime.combine(day, time(hour, minute))


def parse_datetime(text: object, what: str, tz: tzinfo, example: str = "2026-12-01T10:00", date_alone: bool = False,
                   now: datetime | None = None, seconds: bool = False) -> datetime:
    """An ISO date-time, zone-aware, in ``tz``; with ``date_alone`` a date
    means its midnight; with ``now``, also an everyday form (``fri 10:00``).
    Naive values are wall-clock times in ``tz``. It is to the minute
    (seconds or a fraction other than zero are refused) unless ``seconds``
    (a clock)."""
    kind = "date or date-time" if date_alone else "date-time"
    clean = _ascii(text, what, kind, example)
    value = _everyday(clean, now, tz) if now is not None else None
    if value is None and now is not None and day_word(clean, now.astimezone(tz).date()) is not None and not date_alone:
        raise InputError(f"{what} needs a time of day, e.g. {clean} 10:00")
    try:
        value = value or datetime.fromisoformat(clean)
    except ValueError:
        raise InputError(f"{what} must be an ISO {kind} like {example}, not {text!r}") from None
    alone = len(clean) <= 10 and "T" not in clean and " " not in clean
    if alone and not date_alone:
        raise InputError(f"{what} needs a time of day, e.g. {clean}T10:00")
    if not seconds and (value.second or value.microsecond or (value.utcoffset() or timedelta(0)) % timedelta(minutes=1)):
        raise InputError(f"{what} must be to the minute, like {example} (no seconds), not {text!r}")
    check_range(value.date(), what)
    if alone and value.tzinfo is None:
        value = day_start(value.date(), tz)
    elif value.tzinfo is None:
        value = wall_clock(value, tz, what, typed=True)
    try:
        local = value.astimezone(tz)
    except (OverflowError, ValueError):
        raise InputError(f"{what} {clean} is out of range: use a date from {FIRST.isoformat()} to {LAST.isoformat()}") from None
    check_range(local.date(), what)
    return local


def _offset(value: datetime) -> str:
    return value.strftime("%z")[:3] + ":" + value.strftime("%z")[3:]


def clock_text(local: datetime) -> str:
    """"10:00" for a time in the practice zone (``astimezone(tz)``), with its
    offset when that wall-clock time happens twice there (the hour the
    clocks go back): "01:30+01:00", then "01:30+00:00"."""
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        return f"{local:%H:%M}{_offset(local)}"
    return f"{local:%H:%M}"


def day_start(day: date, tz: tzinfo) -> datetime:
    """The first instant of ``day`` in ``tz``, what a date given alone
    means: its midnight, or, where the clocks skip midnight (America/Santiago
    goes from 23:59 to 01:00), the first wall-clock time after the gap;
    where midnight happens twice, the first of the two. The person typed a
    day, not a time the clocks skip, so nothing is refused."""
    naive = datetime.combine(day, time(0, 0))
    early, late = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if early.utcoffset() == late.utcoffset() or _round_trips(early):
        return early
    return _gap(early, late, tz)[1]


# What to do about a session of a series that falls in an hour the clocks
# skip or repeat: the series gives no way to say which of the two times is
# meant, or to move that one session (rule 5 of docs/rules.md).
_IN_PARTS = "book the series at another time, or in two parts around that day (--count or --until) with that session on its own"


def wall_clock(naive: datetime, tz: tzinfo, what: str, typed: bool = False) -> datetime:
    """``naive`` read as a wall-clock time in ``tz``; a time the clocks skip
    or repeat there is refused. A time the person ``typed`` is refused with
    what to type instead (its offset, or the valid times on either side);
    one worked out from it (a later session of a series) with how to book
    around it, since no offset can be given for it."""
    early, late = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early
    stamp = naive.isoformat(timespec="minutes")
    zone = getattr(tz, "key", str(tz))
    if _round_trips(early):  # it happens twice: clocks went back
        offsets = f"{stamp}{_offset(early)} (the first) or {stamp}{_offset(late)} (the second)"
        advice = f"give its offset, {offsets}" if typed else f"{_IN_PARTS}, given its offset: {offsets}"
        raise InputError(f"{what} {stamp} happens twice in {zone} (the clocks go back): {advice}")
    before, after = _gap(early, late, tz)
    sides = f"the valid times on either side are {before:%H:%M} and {after:%H:%M}"
    raise InputError(f"{what} {stamp} does not exist in {zone} (the clocks go forward): {sides}"
                     + ("" if typed else f"; {_IN_PARTS}, at one of those times"))


def _round_trips(value: datetime) -> bool:
    back = value.astimezone(timezone.utc).astimezone(value.tzinfo)
    return back.replace(tzinfo=None) == value.replace(tzinfo=None)


def _gap(early: datetime, late: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """The last wall-clock minute before a gap and the first after it."""
    low = min(early.astimezone(timezone.utc), late.astimezone(timezone.utc))
    high = max(early.astimezone(timezone.utc), late.astimezone(timezone.utc))
    first_offset = low.astimezone(tz).utcoffset()
    while high - low > timedelta(minutes=1):  # the instant the offset changes, to the minute
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            break
        if middle.astimezone(tz).utcoffset() == first_offset:
            low = middle
        else:
            high = middle
    return (high - timedelta(minutes=1)).astimezone(tz), high.astimezone(tz)


def ascii_whole(text: str) -> int:
    """A whole number in ASCII digits (for options parsed as numbers): raises
    ValueError otherwise, which the command line reports as an invalid value."""
    clean = text.strip() if isinstance(text, str) else str(text)
    body = clean[1:] if clean[:1] in "+-" else clean
    if not body.isascii() or not body.isdigit() or len(body) > 18:
        raise ValueError(clean)
    return int(clean)
