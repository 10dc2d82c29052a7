"""The rules of undo, pure: a long chain of undos of undos, and what an undo
leaves on the calendar and in money owed back."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

from sessionpack.domain import undo


def _chain(length: int) -> list[dict[str, Any]]:
    """c1 a command; c2 undoes c1, c3 undoes c2, ... each undo undoing the one before."""
    return [{"type": "undone", "command": f"c{n}", "seq": n, "undo": [{"command": f"c{n - 1}", "seqs": [n - 1]}]}
            for n in range(2, length + 1)]


def test_a_chain_of_undos_longer_than_the_recursion_limit_is_followed_to_its_end() -> None:
    length = 3 * sys.getrecursionlimit()
    marks = _chain(length)
    undone = undo.undone_commands(marks)
    # the last undo stands, so the one before it is undone, and so on down by twos
    assert undone[f"c{length - 1}"] == f"c{length}"
    assert f"c{length - 2}" not in undone
    assert ("c1" in undone) == (length % 2 == 0)
    assert len(undone) == length // 2
    assert undo.excluded_seqs(marks) == {n - 1 for n in range(length, 1, -2)}


def test_the_chain_gives_what_a_short_one_gives() -> None:
    assert undo.undone_commands(_chain(4)) == {"c3": "c4", "c1": "c2"}
    assert undo.undone_commands(_chain(3)) == {"c2": "c3"}


def _booking(bid: str, start: str, status: str = "booked", fee: str = "0.00", paid: str | None = None) -> dict[str, Any]:
    booking = {"id": bid, "attendee": bid.split(".")[0], "service": "m", "start": start, "duration": 60,
               "provider": None, "status": status, "fee": fee, "fee_tax": "0.00"}
    if paid is not None:
        booking["paid"] = paid
    return booking


def test_sessions_brought_back_are_those_an_undo_gives_a_time_they_do_not_hold() -> None:
    now = {"ana": {"bookings": {"ana.b1": _booking("ana.b1", "2026-03-05T10:00:00+00:00", "cancelled"),
                                "ana.b2": _booking("ana.b2", "2026-03-06T10:00:00+00:00"),
                                "ana.b3": _booking("ana.b3", "2026-03-07T10:00:00+00:00")}}}
    after = {"ana": {"bookings": {"ana.b1": _booking("ana.b1", "2026-03-05T10:00:00+00:00"),  # a cancel undone
                                  "ana.b2": _booking("ana.b2", "2026-03-04T10:00:00+00:00"),  # a move undone
                                  }}}  # ana.b3 taken back
    assert [b["id"] for b in undo.sessions_brought_back(now, after)] == ["ana.b1", "ana.b2"]
    assert [(b["id"], b["status"]) for b in undo.bookings_changed(now, after)] == [
        ("ana.b1", "booked"), ("ana.b2", "booked"), ("ana.b3", "undone")]


def test_owed_back_after_lists_bookings_paid_further_beyond_their_fee() -> None:
    now = {"ana": {"bookings": {"ana.b1": _booking("ana.b1", "2026-03-05T10:00:00+00:00", fee="50.00", paid="50.00"),
                                "ana.b2": _booking("ana.b2", "2026-03-06T10:00:00+00:00", fee="0.00", paid="10.00")}}}
    after = {"ana": {"bookings": {"ana.b1": _booking("ana.b1", "2026-03-05T10:00:00+00:00", fee="0.00", paid="50.00"),
                                  "ana.b2": _booking("ana.b2", "2026-03-06T10:00:00+00:00", fee="0.00", paid="10.00")}}}
    assert [(b["id"], back) for b, back in undo.owed_back_after(now, after, "EUR")] == [("ana.b1", Decimal("50.00"))]
