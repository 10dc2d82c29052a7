"""Restrictions: when and with whom a package may be used.

All optional: providers, weekdays, a time-of-day window, date ranges and
single dates. This module holds the record, its parsers (catalog values and
CLI text), the check made at booking time and the words ``describe`` uses.
It knows nothing of the rest of a package.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo

from .datetimes import check_range
from ..errors import InputError
from .records import record
from .services import check_providers
from .text import toml_shown
from .regex import pattern

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_TIME_RE = pattern(r"^([0-9]{1,2}):([0-9]{2})$")


@record
class Restrictions:
    """When and with whom a package may be used (all optional).

    Attributes:
      providers: provider names allowed (empty: any provider).
      weekdays: allowed days among mon..sun, in week order (empty: any day).
      time_window: (start, end): the whole session must fit in it.
      date_ranges: ((from, to), ...) inclusive, sorted.
      dates: single allowed dates, sorted. Ranges and dates together allow
        their union; with neither, any date.
    """

    providers: tuple[str, ...] = ()
    weekdays: tuple[str, ...] = ()
    time_window: tuple[time, time] | None = None
    date_ranges: tuple[tuple[date, date], ...] = ()
    dates: tuple[date, ...] = ()

    def date_allowed(self, day: date) -> bool:
        if not self.date_ranges and not self.dates:
            return True
        return day in self.dates or any(lo <= day <= hi for lo, hi in self.date_ranges)


def restrictions_allow(
    package: Any,
    start: datetime,
    duration_minutes: int,
    provider: str | None,
    *,
    tz: tzinfo | None = None,
) -> str | None:
    """None if a session at ``start`` may use the package, else why not.

    ``package`` is a Package (or its Restrictions alone). ``start`` is aware and read in its own zone (or converted to ``tz`` when
    given). The whole session must fit in the time window. A package limited
    to providers refuses a session with no provider.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("restrictions_allow needs an aware start time")
    local = start.astimezone(tz) if tz is not None else start
    day = local.date()
    r = getattr(package, "restrictions", package)
    if not r.date_allowed(day):
        return "only on listed dates"
    if r.weekdays and WEEKDAYS[day.weekday()] not in r.weekdays:
        return "only on " + _and([WEEKDAY_NAMES[WEEKDAYS.index(d)] + "s" for d in r.weekdays])
    if r.time_window:
        low, high = r.time_window
        end = (local.astimezone(timezone.utc) + timedelta(minutes=duration_minutes)).astimezone(local.tzinfo)
        if local.time() < low or end.date() != day or end.time() > high:
            return f"only between {low:%H:%M} and {high:%H:%M}"
    if r.providers:
        wanted = {p.casefold() for p in r.providers}
        if provider is None or provider.strip().casefold() not in wanted:
            word = "provider" if len(r.providers) == 1 else "providers"
            return f"only with {word} " + _and(list(r.providers), "or")
    return None


# ---------------------------------------------------------------- words


def _and(items: list[str], word: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def window_text(window: tuple[time, time], dash: str) -> str:
    return f"{window[0]:%H:%M}{dash}{window[1]:%H:%M}"


def describe_restrictions(r: Restrictions) -> list[str]:
    """The restrictions in plain words, one line per kind that is set."""
    lines = []
    if r.weekdays or r.time_window:
        days = _and([WEEKDAY_NAMES[WEEKDAYS.index(d)] + "s" for d in r.weekdays])
        window = window_text(r.time_window, "–") if r.time_window else ""
        lines.append(" ".join(part for part in (days, window, "only") if part))
    if r.date_ranges or r.dates:
        spans = [f"{lo.isoformat()} to {hi.isoformat()}" for lo, hi in r.date_ranges]
        lines.append("on " + ", ".join(spans + [d.isoformat() for d in r.dates]) + " only")
    if r.providers:
        lines.append(f"with {_and(list(r.providers), 'or')} only")
    return lines


# ---------------------------------------------------------------- parsing


def _weekdays(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        raise InputError('weekdays must be a list like ["mon", "wed"]')
    picked: set[int] = set()
    for item in value:
        if not isinstance(item, str):
            raise InputError(f"weekday {toml_shown(item)} is not one of {', '.join(WEEKDAYS)}")
        word = item.strip().lower()
        if not word:
            continue
        ends = word.split("-") if "-" in word else [word, word]
        if len(ends) != 2:
            raise InputError(f"weekday range {item!r} must look like mon-fri")
        first, last = (_weekday_index(e) for e in ends)
        picked.update(range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)])
    if not picked:
        raise InputError("list at least one weekday (mon..sun), e.g. mon,wed, or remove the restriction")
    return tuple(WEEKDAYS[i] for i in sorted(picked))


def _weekday_index(word: str) -> int:
    for i, (short, full) in enumerate(zip(WEEKDAYS, WEEKDAY_NAMES)):
        if word in (short, full.lower()):
            return i
    raise InputError(f"weekday {word!r} is not one of {', '.join(WEEKDAYS)}")


def parse_weekdays(text: str) -> tuple[str, ...]:
    """'mon,wed' -> ('mon', 'wed'); also full names and ranges like 'mon-fri'."""
    return _weekdays(text)


def _clock(text: str, whole: str) -> time:
    match = _TIME_RE.match(text.strip())
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return time(int(match.group(1)), int(match.group(2)))
    raise InputError(f"time window must look like 10:00-13:00, not {whole!r}")


def parse_time_window(text: Any) -> tuple[time, time]:
    """'10:00-13:00' -> (time(10, 0), time(13, 0)); start before end."""
    if not isinstance(text, str) or text.replace("–", "-").count("-") != 1:
        raise InputError(f"time window must look like 10:00-13:00, not {toml_shown(text)}")
    low, high = (_clock(part, text) for part in text.replace("–", "-").split("-"))
    if low >= high:
        raise InputError(f"time window {text!r} must start before it ends (it cannot cross midnight)")
    return low, high


def is_plain_date(text: str) -> bool:
    """Whether ``text`` is ``[0-9]{4}-[0-9]{2}-[0-9]{2}``, whole (ASCII digits)."""
    return (len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii()
            and (text[:4] + text[5:7] + text[8:]).isdigit())


def _as_date(value: Any, what: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return check_range(value, what)
    if isinstance(value, str) and is_plain_date(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            return check_range(day, what)
    raise InputError(f"{what} must be a date like 2026-12-01, not {toml_shown(value)}")


def _date_range(value: Any) -> tuple[date, date]:
    if isinstance(value, str):
        if value.count("..") != 1:
            raise InputError(f"date range must look like 2026-12-01..2026-12-24, not {toml_shown(value)}")
        value = value.split("..")
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise InputError(f"date range must be [from, to], e.g. [2026-12-01, 2026-12-24], not {toml_shown(value)}")
    low, high = (_as_date(v, "date range end") for v in value)
    if low > high:
        raise InputError(f"date range {low.isoformat()}..{high.isoformat()} ends before it starts")
    return low, high


def parse_date_range(text: str) -> tuple[date, date]:
    """'2026-12-01..2026-12-24' -> (date, date), both inclusive."""
    return _date_range(text)


def parse_dates(text: Any) -> tuple[date, ...]:
    """'2026-12-01,2026-12-08' (or a list) -> sorted distinct dates."""
    items = text.split(",") if isinstance(text, str) else text
    if not isinstance(items, (list, tuple)):
        raise InputError("dates must be a list like 2026-12-01,2026-12-08")
    out = {_as_date(v, "date") for v in items if not (isinstance(v, str) and not v.strip())}
    if not out:
        raise InputError("list at least one date, e.g. 2026-12-01,2026-12-08, or remove the restriction")
    return tuple(sorted(out))


def _providers(value: Any) -> tuple[str, ...]:
    providers = check_providers(value)
    if not providers:
        raise InputError("list at least one provider, or remove the restriction")
    return providers


def _date_ranges(value: Any) -> tuple[tuple[date, date], ...]:
    if not isinstance(value, list) or not value:
        raise InputError("list at least one [from, to] pair, e.g. [[2026-12-01, 2026-12-24]], "
                         "or remove the restriction")
    return tuple(sorted({_date_range(item) for item in value}))


RESTRICTION_PARSERS: dict[str, Callable[[Any], Any]] = {
    "providers": _providers, "weekdays": _weekdays, "time_window": parse_time_window,
    "date_ranges": _date_ranges, "dates": parse_dates,
}
