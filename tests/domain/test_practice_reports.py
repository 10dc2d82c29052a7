"""The practice reports as pure functions (reports/practice.py): records in, rows out."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sessionpack.reports import practice

NEW_YORK = ZoneInfo("America/New_York")


def test_a_fee_is_owed_once_its_session_has_started_as_instants_not_wall_clock_text() -> None:
    """1 November 2026, New York: the clocks go back at 02:00 EDT, so
    01:15 EST (-05:00) comes 55 minutes after 01:20 EDT (-04:00)."""
    fee = ["a", "a.b1", "10.00", "2026-11-01T01:15:00-05:00", "10.00", "", None, None, "booked", "s"]
    booking = {"id": "a.b1", "attendee": "a", "service": "s", "duration": 30, "start": "2026-11-01T01:15:00-05:00",
               "status": "booked", "fee": "10.00", "fee_tax": "0.00"}
    before = datetime.fromisoformat("2026-11-01T01:20:00-04:00")
    after = datetime.fromisoformat("2026-11-01T01:16:00-05:00")
    assert practice.outstanding([], [fee], date(2026, 11, 1), before) == ([], {"due": 0, "items": 0, "clients": {}, "owed_back": 0})
    assert practice.unmarked([booking], before, NEW_YORK) == []
    rows, totals = practice.outstanding([], [fee], date(2026, 11, 1), after)
    assert rows == [{"client": "a", "date": "2026-11-01", "item": "a.b1", "what": "regular fee s", "reference": "",
                     "total": "10.00", "paid": "0.00", "due": "10.00", "age": 0}]
    assert [r["booking"] for r in practice.unmarked([booking], after, NEW_YORK)] == ["a.b1"]
    started = practice.started_by(before)
    assert [started(s) for s in ("2026-11-01T01:15:00-05:00", "2026-11-01T01:19:00-04:00", "2026-10-29T23:00:00-04:00",
                                 "2026-11-01T01:20:00-04:00")] == [False, True, True, False]


def test_usage_lists_a_day_s_sessions_by_start_then_booking() -> None:
    draws = [("2026-03-05", "ana", {"booking": bid, "attendee": "ana", "package": "ana.p1", "key": "count", "amount": 1,
                                    "state": "booked", "value": "8.00"}) for bid in ("ana.b1", "ana.b2", "ana.b10")]
    bookings = {"ana.b1": {"service": "s", "status": "booked", "start": "2026-03-05T18:00:00+00:00"},
                "ana.b2": {"service": "s", "status": "booked", "start": "2026-03-05T09:00:00+00:00"},
                "ana.b10": {"service": "s", "status": "booked", "start": "2026-03-05T09:00:00+00:00"}}
    rows, _ = practice.usage(draws, bookings)
    assert [r["booking"] for r in rows] == ["ana.b10", "ana.b2", "ana.b1"]
    assert set(rows[0]) == {"date", "booking", "attendee", "owner", "id", "service", "provider", "drawn", "value", "status"}


def test_money_owed_back_is_listed_below_zero_whenever_its_session_is() -> None:
    """Paid beyond the fee (a cancelled session that was paid): owed back at
    once, a session still to come included, and taken off the totals."""
    owed = ["a", "a.b1", "40.00", "2026-03-01T10:00:00+00:00", "40.00", "", None, None, "attended", "s"]
    back = ["a", "a.b2", "-73.80", "2026-03-09T10:00:00+00:00", "0.00", "73.80", None, None, "cancelled", "s"]
    rows, totals = practice.outstanding([], [owed, back], date(2026, 3, 2), datetime.fromisoformat("2026-03-02T09:00:00+00:00"))
    assert rows[1] == {"client": "a", "date": "2026-03-09", "item": "a.b2", "what": "owed back, cancelled s", "reference": "",
                       "total": "0.00", "paid": "73.80", "due": "-73.80", "age": 0}
    assert (rows[0]["due"], rows[0]["age"]) == ("40.00", 1)
    assert totals == {"due": Decimal("-33.80"), "items": 2, "clients": {"a": Decimal("-33.80")}, "owed_back": Decimal("73.80")}
