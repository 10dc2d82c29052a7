"""The practice's calendar as a booking front end reads it (rule 21 of docs/rules.md).

``checks_for`` gathers, inside the command's transaction, the bookings of
every client that may meet the sessions being planned (from the day views:
one small file per day, a day before the first start to the last end) and
wraps them with the person's overrides, ready for ``guards.check_session``
(through ``bookings.plan_booking`` and ``moves.plan_move``). ``book``,
``book --repeat``, ``book --code`` and ``move`` all read it here.
"""

from __future__ import annotations

from datetime import datetime

from ..domain.guards import Agenda, Checks, agenda_days, session_span

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable


def checks_for(tx: Any, sessions: Iterable[tuple[datetime, int]], tz: Any, *, allow_overlap: bool = False,
               force: bool = False) -> Checks:
    """The checks of sessions given as (start, minutes): the calendar around them and the overrides."""
    from ..storage.report_shards import day_bookings

    sessions = list(sessions)
    days = agenda_days(sessions, tz)
    windows = [session_span(start, minutes) for start, minutes in sessions]  # in real time, as the checks judge them
    return Checks(Agenda(day_bookings(tx.store.view_bytes, days, windows)), allow_overlap=allow_overlap, force=force)
