"""The calendar on the nights the clocks change, pure (rules 21 and 25 of
docs/rules.md, and the order and times of docs/reports.md).

America/New_York: on 8 March 2026 the clocks go forward at 02:00 EST to
03:00 EDT; on 1 November 2026 they go back at 02:00 EDT to 01:00 EST, so
every time from 01:00 to 01:59 happens twice, first at -04:00, then at
-05:00. A session lasts its minutes of real time, sessions are listed in
the order they happen, and a time of the repeated hour is shown with its
offset.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sessionpack.domain.bookings import Session
from sessionpack.domain.guards import Agenda, Checks, SessionRefused, agenda_days, check_session, session_span, when_text
from sessionpack.domain.ledger import apply_to_client, empty_client_view
from sessionpack.domain.moves import move_words, plan_move
from sessionpack.domain.services import Service
from sessionpack.errors import RuleError
from sessionpack.reports import practice
from sessionpack.reports.balances import describe_event
from sessionpack.reports.client_page import owed, owed_back, upcoming
from sessionpack.reports.when import human_time, start_order

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 10, 30, 9, 0, tzinfo=NEW_YORK)
MASSAGE = Service("massage", "Massage 60", 60, Decimal("90.00"))
LONG = Service("long", "Massage 120", 120, Decimal("90.00"))
DAY = Service("day", "Retreat", 1440, Decimal("300.00"))
TAIL = "; choose another time, or give --allow-overlap to book it anyway"


def at(text: str) -> datetime:
    """A time in the practice zone, from ISO text with its offset."""
    return datetime.fromisoformat(text).astimezone(NEW_YORK)


def record(booking_id: str, start: str, service: Service = MASSAGE, **more: Any) -> dict[str, Any]:
    """A booking as the day views hold it (its start recorded with its offset)."""
    return {"id": booking_id, "attendee": booking_id.split(".")[0], "service": service.id, "start": at(start).isoformat(),
            "duration": service.duration, "provider": None, "status": "booked", **more}


def judge(start: str, service: Service, agenda: list[dict[str, Any]]) -> None:
    session = Session("bo", service, at(start), service.duration)
    check_session(session, service, Checks(Agenda(agenda)), now=NOW, tz=NEW_YORK)


# ---------------------------------------------------------------- overlap in real time (rule 21)


def test_a_session_lasts_its_minutes_of_real_time_across_a_change_of_the_clocks() -> None:
    assert session_span(at("2026-03-08T01:00-05:00"), 120) == (datetime(2026, 3, 8, 6, 0, tzinfo=timezone.utc),
                                                               datetime(2026, 3, 8, 8, 0, tzinfo=timezone.utc))
    assert session_span(at("2026-11-01T01:15-04:00"), 60) == (datetime(2026, 11, 1, 5, 15, tzinfo=timezone.utc),
                                                              datetime(2026, 11, 1, 6, 15, tzinfo=timezone.utc))


def test_a_session_ending_before_the_second_01_30_is_free_when_the_clocks_go_back() -> None:
    """bo at the first 01:15 for 60 minutes ends at the second 01:15 (06:15Z), before ana at the second 01:30 (06:30Z)."""
    judge("2026-11-01T01:15-04:00", MASSAGE, [record("ana.b1", "2026-11-01T01:30-05:00")])
    with pytest.raises(SessionRefused) as err:  # until the second 01:45: it overlaps
        judge("2026-11-01T01:45-04:00", MASSAGE, [record("ana.b1", "2026-11-01T01:30-05:00")])
    assert str(err.value) == "the practitioner is already booked then: ana.b1 (massage, 2026-11-01 01:30-05:00 to 02:30)" + TAIL


@pytest.mark.parametrize("first,then,named", [
    ("2026-03-08T03:30-04:00", "2026-03-08T01:00-05:00", "ana.b1 (long, 2026-03-08 03:30-05:30)"),
    ("2026-03-08T01:00-05:00", "2026-03-08T03:30-04:00", "ana.b1 (long, 2026-03-08 01:00-04:00)"),
])
def test_a_session_across_the_skipped_hour_overlaps_whichever_is_booked_first(first: str, then: str, named: str) -> None:
    """01:00 EST for 120 minutes runs to 04:00 EDT (08:00Z): 03:30 EDT (07:30Z) overlaps it, in either order."""
    with pytest.raises(SessionRefused) as err:
        judge(then, LONG, [record("ana.b1", first, LONG)])
    assert str(err.value) == f"the practitioner is already booked then: {named}" + TAIL
    judge("2026-03-08T00:30-05:00", LONG, [record("ana.b1", "2026-03-08T03:30-04:00", LONG)])  # ends at 03:30 EDT: touches


def test_the_days_read_for_the_calendar_reach_a_real_day_back() -> None:
    """A day before 00:30 EDT on 9 March is 23:30 EST on the 7th: a session of 1,440 minutes starting then overlaps it."""
    assert agenda_days([(at("2026-03-09T00:30-04:00"), 60)], NEW_YORK) == ["2026-03-07", "2026-03-08", "2026-03-09"]
    with pytest.raises(SessionRefused):
        judge("2026-03-09T00:30-04:00", MASSAGE, [record("cy.b1", "2026-03-07T23:31-05:00", DAY)])


def test_a_move_to_the_same_instant_is_nothing_to_move_and_its_words_carry_the_offsets() -> None:
    view = empty_client_view("ana")
    booked = {"type": "booked", "clients": ["ana"], "seq": 1, "at": NOW.isoformat(), "actor": "t",
              "booking": {"id": "ana.b1", "attendee": "ana", "service": "massage", "service_name": "Massage 60",
                          "start": "2026-11-01T01:30:00-04:00", "duration": 60, "provider": None, "price": "90.00",
                          "tax_rate": "0", "fee": "90.00", "fee_tax": "0.00", "package": None, "owner": None, "draw": None,
                          "why": "", "series": None, "booked_on": "2026-10-30"}}
    apply_to_client(view, copy.deepcopy(booked))
    booking = view["bookings"]["ana.b1"]
    options: dict[str, Any] = {"catalog": MASSAGE, "checks": Checks(), "now": NOW, "tz": NEW_YORK, "currency": "EUR"}
    with pytest.raises(RuleError) as err:
        plan_move(booking, view, {}, at("2026-11-01T01:30-04:00"), **options)
    assert (str(err.value), err.value.exit_code) == ("booking ana.b1 is already at 2026-11-01 01:30-04:00; nothing to move", 1)
    event = plan_move(booking, view, {}, at("2026-11-01T01:30-05:00"), **options)
    assert (event["from"], event["to"]) == ("2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00")
    assert move_words(event, NEW_YORK) == ("ana.b1 moved from 2026-11-01 01:30-04:00 to 2026-11-01 01:30-05:00; "
                                           "regular fee 90.00 + 0.00 tax")
    assert describe_event(event, NEW_YORK) == move_words(event, NEW_YORK)
    assert describe_event(booked, NEW_YORK) == "booked ana.b1: massage on 2026-11-01 01:30-04:00 for ana; regular fee 90.00 + 0.00 tax"


# ---------------------------------------------------------------- one way to show a time


@pytest.mark.parametrize("start,message,table", [
    ("2026-11-01T01:30:00-04:00", "2026-11-01 01:30-04:00", "Sun 1 Nov 01:30-04:00"),
    ("2026-11-01T01:30:00-05:00", "2026-11-01 01:30-05:00", "Sun 1 Nov 01:30-05:00"),
    ("2026-11-01T02:30:00-05:00", "2026-11-01 02:30", "Sun 1 Nov 02:30"),
    ("2026-11-01T05:30:00+00:00", "2026-11-01 01:30-04:00", "Sun 1 Nov 01:30-04:00"),  # recorded in another offset
    ("2026-03-08T03:00:00-04:00", "2026-03-08 03:00", "Sun 8 Mar 03:00"),
])
def test_a_time_of_the_repeated_hour_is_shown_with_its_offset_and_no_other(start: str, message: str, table: str) -> None:
    assert when_text(start, NEW_YORK) == message
    assert human_time(start, NOW, NEW_YORK) == table


# ---------------------------------------------------------------- the order sessions happen in

EARLY = "2026-11-01T01:20:00-04:00"  # 05:20Z
LATE = "2026-11-01T01:15:00-05:00"  # 06:15Z, 55 minutes later


def booking(booking_id: str, start: str, **more: Any) -> dict[str, Any]:
    return {"id": booking_id, "attendee": "ana", "service": "massage", "start": start, "duration": 60, "provider": None,
            "package": None, "draw": None, "status": "booked", "fee": "90.00", "fee_tax": "0.00", "paid": "0.00", **more}


def test_the_agenda_and_unmarked_list_the_repeated_hour_in_the_order_it_happens() -> None:
    records = [booking("ana.b1", LATE), booking("ana.b2", EARLY)]
    rows = practice.agenda(records, NEW_YORK)
    assert [(r["booking"], r["time"]) for r in rows] == [("ana.b2", "01:20-04:00"), ("ana.b1", "01:15-05:00")]
    past = practice.unmarked(records, at("2026-11-01T03:00-05:00"), NEW_YORK)
    assert [r["booking"] for r in past] == ["ana.b2", "ana.b1"]
    assert start_order(LATE, "ana.b1") > start_order(EARLY, "ana.b2")


def test_the_client_page_lists_the_repeated_hour_in_the_order_it_happens() -> None:
    view = {"bookings": {"ana.b1": booking("ana.b1", LATE, paid="100.00"), "ana.b2": booking("ana.b2", EARLY, paid="100.00")}}
    assert [r["id"] for r in upcoming(view, NOW, "EUR")] == ["ana.b2", "ana.b1"]
    view = {"bookings": {"ana.b1": booking("ana.b1", LATE), "ana.b2": booking("ana.b2", EARLY)}}
    assert [i["what"] for i in owed(view, "EUR")["items"]] == ["ana.b2", "ana.b1"]
    view = {"bookings": {"ana.b1": booking("ana.b1", LATE, paid="100.00"), "ana.b2": booking("ana.b2", EARLY, paid="100.00")}}
    assert [i["what"] for i in owed_back(view, "EUR")["items"]] == ["ana.b2", "ana.b1"]


def test_a_client_s_sessions_of_one_day_come_in_the_order_they_happen_in_the_repeated_hour() -> None:
    # New York, 2026-11-01: 01:20-04:00 (05:20 UTC) happens before 01:15-05:00 (06:15 UTC), though its text sorts after.
    from sessionpack.actions.marking import sessions_on
    from sessionpack.domain.sharing import future_bookings

    first = {"id": "ana.b9", "status": "booked", "start": "2026-11-01T01:20:00-04:00", "package": "ana.p1"}
    second = {"id": "ana.b2", "status": "booked", "start": "2026-11-01T01:15:00-05:00", "package": "ana.p1"}
    view = {"bookings": {"ana.b2": second, "ana.b9": first}}
    assert [b["id"] for b in sessions_on(view, date(2026, 11, 1))] == ["ana.b9", "ana.b2"]
    before = datetime(2026, 10, 31, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    assert [b["id"] for b in future_bookings(view, ["ana.p1"], before)] == ["ana.b9", "ana.b2"]
