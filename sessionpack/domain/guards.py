"""Sanity checks on when a session is (rule 21 of docs/rules.md).

Every front end that puts a session in the calendar -- ``book``, a series
(``book --repeat``), ``book --code``, ``move`` -- has it judged by
``check_session``, through ``bookings.plan_booking`` and ``moves.plan_move``,
so the checks cannot differ between them:

- a provider who does not give the service is refused (a service's
  ``providers`` list, when it has one);
- a session more than a year before or after today needs ``--force``;
- a session that overlaps another of the same provider is refused, naming
  it, unless ``--allow-overlap``. A booking that names no provider is the
  practice's one practitioner's: all such bookings share one calendar.
  Cancelled sessions free their time; attended and no-show ones do not.
  A session lasts its minutes of real time (``session_span``), also on the
  night the clocks change.
- a service with a ``capacity`` above 1 is a group class: bookings of it at
  the same start with the same provider share that start up to the
  capacity, and are no overlap of each other. Past the capacity the class
  is full (refused; ``--allow-overlap`` does not add places).

The practice's other bookings come in an ``Agenda``: what the calendar holds
around the session, read by the front end from the day views.

``when_text`` is a session's date and time as every message says it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo

from ..errors import RuleError
from .datetimes import clock_text
from .records import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping

class SessionRefused(RuleError):
    """A session refused by a check of its time (exit 1, as every rule)."""


class TimeTaken(SessionRefused):
    """Refused because another booking holds that time (its message names it)."""


# Statuses that hold the provider's time: a cancelled session frees it.
HOLDS_TIME = ("booked", "attended", "no-show")
LONGEST = timedelta(minutes=1440)  # no session is longer (services.check_duration)
YEAR_MONTHS = 12


class Agenda:
    """The practice's bookings around some sessions: records with at least
    ``id``, ``attendee``, ``service``, ``start`` (ISO with offset),
    ``duration``, ``provider`` and ``status``, by booking id."""

    def __init__(self, records: Iterable[Mapping[str, Any]] = ()) -> None:
        self._records: dict[str, Mapping[str, Any]] = {}
        for record in records:
            self.add(record)

    def add(self, record: Mapping[str, Any]) -> None:
        """A booking planned in the same command (the earlier dates of a series)."""
        self._records[record["id"]] = record

    def records(self) -> list[Mapping[str, Any]]:
        return list(self._records.values())


@record
class Checks:
    """What a front end gives the checks of a session's time.

    Attributes:
      agenda: the practice's bookings that may meet the session.
      allow_overlap: the person said the overlap is meant (``--allow-overlap``).
      force: the person said a date more than a year away is meant (``--force``).
    """

    agenda: Agenda = field(default_factory=Agenda)
    allow_overlap: bool = False
    force: bool = False


def session_span(start: datetime, minutes: int) -> tuple[datetime, datetime]:
    """When a session is, in real time: its start and its end in UTC.

    Python adds minutes to a time of a ``ZoneInfo`` zone on its wall clock,
    so 01:00 plus 120 minutes would be 03:00 on the night the clocks go
    forward at 02:00, an hour too late, and an hour too early when they go
    back. In UTC a session lasts its minutes whatever the clocks do."""
    begins = start.astimezone(timezone.utc)
    return begins, begins + timedelta(minutes=minutes)


def booking_span(record: Mapping[str, Any]) -> tuple[datetime, datetime]:
    """``session_span`` of a booking record (its ``start``, ISO with offset, and ``duration``)."""
    return session_span(datetime.fromisoformat(record["start"]), int(record["duration"]))


def agenda_days(sessions: Iterable[tuple[datetime, int]], tz: tzinfo) -> list[str]:
    """The local days (ISO) whose bookings may overlap sessions given as
    (start, minutes): a booking that overlaps starts less than a day before
    the session's start and before its end."""
    days: set[str] = set()
    for start, minutes in sessions:
        begins, ends = session_span(start, minutes)
        first = (begins - LONGEST).astimezone(tz).date()
        last = ends.astimezone(tz).date()
        day = first
        while day <= last:
            days.add(day.isoformat())
            day += timedelta(days=1)
    return sorted(days)


def _shift_months(day: date, months: int) -> date:
    from .expiry import add_period

    return add_period(day, months, "months")


def when_text(at: datetime | str, tz: tzinfo | None) -> str:
    """'2026-12-01 10:00': a time (a datetime, or recorded ISO text with its
    offset) in the practice's zone ``tz``, as every message and history line
    says when a session is. A wall-clock time that happens twice there (the
    hour the clocks go back) carries its offset, '2026-11-01 01:30-04:00'
    then '2026-11-01 01:30-05:00' (``clock_text``). Without ``tz``, the time
    in the offset it carries, shown without it (a fixed offset repeats no hour)."""
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    local = moment if tz is None else moment.astimezone(tz)
    return f"{local:%Y-%m-%d} {clock_text(local)}"


def _span(record: Mapping[str, Any], tz: tzinfo) -> str:
    begins, ends = booking_span(record)
    start, end = begins.astimezone(tz), ends.astimezone(tz)
    # (the end's date too when it is another day than the start's)
    until = clock_text(end) if end.date() == start.date() else when_text(end, tz)
    # "10:00-11:00", but "01:30-05:00 to 02:30" when a time carries its offset
    offset = any(len(clock_text(local)) > len("10:00") for local in (start, end))
    return f"{record['id']} ({record['service']}, {when_text(start, tz)}{' to ' if offset else '-'}{until})"


def _who(provider: str | None) -> str:
    return provider if provider is not None else "the practitioner"


def check_providers(service: Any, provider: str | None) -> None:
    """A provider the service does not list is refused (a booking without a
    provider is the practice's one practitioner's, and is not judged here)."""
    listed = tuple(getattr(service, "providers", ()) or ())
    if provider is None or not listed or provider in listed:
        return
    raise SessionRefused(f"{provider} does not give {service.id} (its providers: {', '.join(listed)}); book one of them "
                    f"with --provider, or add {provider} with 'sessionpack service edit {service.id} --provider ...'")


def check_date(start: datetime, now: datetime, tz: tzinfo, force: bool) -> None:
    """A session more than a year before or after today needs ``force``."""
    if force:
        return
    day = start.astimezone(tz).date()
    today = now.astimezone(tz).date()
    if day > _shift_months(today, YEAR_MONTHS):
        side = "after"
    elif day < _shift_months(today, -YEAR_MONTHS):
        side = "before"
    else:
        return
    raise SessionRefused(f"the session on {day.isoformat()} is more than a year {side} today ({today.isoformat()}); "
                    "check the date, or give --force if it is right")


def check_calendar(session: Any, capacity: int | None, agenda: Agenda, tz: tzinfo, *, allow_overlap: bool,
                   ignore: str | None = None) -> None:
    """Refuse a session whose provider is busy then, or whose class is full."""
    start, end = session_span(session.start, session.duration)
    places = capacity if capacity and capacity > 1 else 1
    classmates: list[Mapping[str, Any]] = []
    overlaps: list[Mapping[str, Any]] = []
    for record in agenda.records():
        if record["id"] == ignore or record.get("status") not in HOLDS_TIME or record.get("provider") != session.provider:
            continue
        other_start, other_end = booking_span(record)
        if not (other_start < end and start < other_end):
            continue
        if places > 1 and record["service"] == session.service.id and other_start == start:
            classmates.append(record)
        else:
            overlaps.append(record)
    overlaps.sort(key=lambda r: (booking_span(r)[0], r["id"]))
    classmates.sort(key=lambda r: r["id"])
    when = when_text(start, tz)
    if places > 1 and len(classmates) >= places:
        raise SessionRefused(f"{session.service.id} at {when} is full ({len(classmates)} of {places} places taken); choose "
                        f"another time, or raise its capacity with 'sessionpack service edit {session.service.id} --capacity N'")
    if allow_overlap:
        return
    same = [r for r in classmates if r["attendee"] == session.attendee]
    if same:
        raise SessionRefused(f"{session.attendee} already has a place in {session.service.id} at {when} ({same[0]['id']}); "
                        "give --allow-overlap if a second one is meant")
    if overlaps:
        more = f" and {len(overlaps) - 1} more" if len(overlaps) > 1 else ""
        raise TimeTaken(f"{_who(session.provider)} is already booked then: {_span(overlaps[0], tz)}{more}; "
                        "choose another time, or give --allow-overlap to book it anyway")


def check_session(session: Any, catalog: Any, checks: Checks, *, now: datetime, tz: tzinfo, ignore: str | None = None) -> None:
    """Every sanity check of one session (rule 21 of docs/rules.md); raises
    RuleError with the first problem. ``catalog`` is the service as the
    catalog has it now (its providers and capacity), or None when it is
    gone; ``ignore`` a booking id not to count (the one being moved)."""
    if catalog is not None:
        check_providers(catalog, session.provider)
    check_date(session.start, now, tz, checks.force)
    capacity = getattr(catalog, "capacity", None) if catalog is not None else None
    check_calendar(session, capacity, checks.agenda, tz, allow_overlap=checks.allow_overlap, ignore=ignore)


def agenda_record(booking: Mapping[str, Any]) -> dict[str, Any]:
    """What the agenda keeps of a booking planned in this command."""
    keys = ("id", "attendee", "service", "start", "duration", "provider")
    return {**{key: booking.get(key) for key in keys}, "status": booking.get("status", "booked")}


def check_marking(booking: Mapping[str, Any], action: str, now: datetime, force: bool, tz: tzinfo | None = None) -> None:
    """Attended or no-show before the session starts needs ``force`` (times
    are shown in ``tz``, by default the zone the booking's start is in)."""
    if force or action not in ("attend", "no-show"):
        return
    start = datetime.fromisoformat(booking["start"])
    if now >= start:
        return
    tz = tz or start.tzinfo
    words = "attended" if action == "attend" else "a no-show"
    raise SessionRefused(f"{booking['id']} starts at {when_text(start, tz)}, after now ({when_text(now, tz)}): it cannot be marked "
                    f"{words} before it starts; give --force if it is right")
