"""What is left of a closed client package, and what its statement says of it.

A refunded or cancelled package, one whose expiry is recorded and one
transferred away hold nothing to book: an unlimited balance too (remaining
0, as docs/corrections.md says), in ``balance``, ``client show`` and the
statement. The statement's summary line adds up to what was bought (what
was transferred, voided or lapsed is named), sessions are numbered of what
the package holds for its clients, and a package without expiry gets no
paused days. Views are built by folding stamped events, as the store does.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from sessionpack.domain import ledger  # noqa: F401  (registers every handler first)
from sessionpack.domain import balances
from sessionpack.domain.adjustments import plan_adjust
from sessionpack.domain.bookings import Session, change_status, plan_booking
from sessionpack.domain.packages import package_from_mapping
from sessionpack.domain.pauses import plan_pause
from sessionpack.domain.refunds import Refund, plan_close
from sessionpack.domain.sales import sell
from sessionpack.domain.services import Service
from sessionpack.domain.sweep import expired_event
from sessionpack.domain.transfers import plan_transfer
from sessionpack.reports.balances import balance_table_rows, client_summaries
from sessionpack.reports.statement import header_lines, statement

from practice_data import MASSAGE, SERVICES, THAI, TZ, Journal, at

SAUNA = Service("sauna", "Sauna", 30, Decimal("10.00"))
CATALOG = dict(SERVICES, sauna=SAUNA)
NOW = at("2026-01-05T09:00")
SOLD = date(2026, 1, 1)


def offer(pid: str, contents: dict[str, Any], expiry: str = "10 days", price: str = "70"):  # type: ignore[no-untyped-def]
    return package_from_mapping(pid, {"name": pid, "contents": contents, "payment": {"price": price}, "expiry": expiry}, "EUR", CATALOG)


WEEK = {"pool": "unlimited", "services": ["sauna"]}
MIXED = {"sessions": {"massage": "unlimited", "thai": 2}}
TEN = {"pool": "count", "amount": 10, "services": ["massage"]}


class World(Journal):
    """The practice of these tests (``practice_data.Journal``)."""

    def pkg(self, cp: str = "ana.p1") -> dict[str, Any]:
        return self.views[cp.split(".p")[0]]["packages"][cp]

    def sell(self, package: Any) -> str:
        return self.record(sell(self.views["ana"], package, currency="EUR", sale_date=SOLD, invoice="000001"))["client_package"]

    def attend(self, start: str, service: Service = MASSAGE) -> None:
        session = Session("ana", service, at(start), service.duration)
        booking = self.record(plan_booking(self.views["ana"], {}, session, now=NOW, tz=TZ, currency="EUR"))["booking"]
        self.record(change_status(self.views["ana"]["bookings"][booking["id"]], self.views["ana"], "attend", now=NOW, currency="EUR"))

    def transfer(self, kind: str | None = None, amount: Any = None, now: datetime = NOW) -> None:
        self.record(plan_transfer(self.pkg(), self.views["bruno"], kind=kind, amount=amount, reason="moved away", now=now, tz=TZ,
                                  code_hash="x"), now)

    def close(self, refund: Refund | None) -> None:
        events, _ = plan_close(self.views["ana"], self.views, "ana.p1", refund=refund, reason="left early", cancel_bookings=False,
                               now=NOW, tz=TZ, currency="EUR")
        for event in events:
            self.record(event)

    def expire(self) -> None:
        self.record(expired_event(self.pkg(), balances.expiry(self.pkg())))

    def pause(self, start: str, until: str) -> None:
        event, _ = plan_pause(self.pkg(), date.fromisoformat(start), date.fromisoformat(until), now=NOW, tz=TZ, reason="away")
        self.record(event)

    def page(self, now: datetime = NOW) -> dict[str, Any]:
        """The statement of ana.p1 at ``now``."""
        [found] = statement(self.views["ana"], self.views, now, TZ, "EUR", package="ana.p1")
        return found

    def left(self) -> dict[str, Any]:
        return {key: row["remaining"] for key, row in balances.balance(self.pkg()).items()}


LATE = at("2026-01-20T09:00")  # after the pass's last valid day (11 January)


def refunded(w: World) -> None:
    w.close(Refund("partial", Decimal("35")))


def cancelled(w: World) -> None:
    w.close(None)


def expired(w: World) -> None:
    w.expire()


@pytest.mark.parametrize("close,status,valid", [
    (refunded, "refunded", "valid through 11 Jan 2026 · refunded"),
    (cancelled, "cancelled", "valid through 11 Jan 2026 · cancelled"),
    (expired, "expired", "expired after 11 Jan 2026"),
])
def test_a_closed_unlimited_pass_has_nothing_left(close: Any, status: str, valid: str) -> None:
    w = World()
    w.sell(offer("week", WEEK))
    close(w)
    now = LATE if close is expired else NOW
    row = balances.balance(w.pkg())["unlimited"]
    assert (row["remaining"], row["voided"], row["expired"]) == (0, 0, 0)  # nothing counted was voided or lapsed
    [summary] = client_summaries(w.views["ana"], now, TZ)
    assert (summary["status"], summary["remaining"]) == (status, {"unlimited": 0})
    [line] = balance_table_rows([summary], now=now, tz=TZ)  # balance and client show
    assert (line["left"], line["remaining"]) == ("0", 0)
    page = w.page(now)
    assert page["summary"] == f"used 0 (unlimited) · 0 booked · 0 free to book · {valid}"
    assert page["remaining"] == {"unlimited": 0}
    assert [(e["entry"], e["change"], e["balance"]) for e in page["entries"]][-1][1:] == ("-unlimited", "0")


def test_a_reopened_unlimited_pass_is_unlimited_again() -> None:
    w = World()
    w.sell(offer("week", WEEK))
    w.expire()
    assert w.left() == {"unlimited": 0}
    w.record(plan_adjust(w.pkg(), None, expires=date(2026, 2, 1), reason="back"), LATE)
    assert w.left() == {"unlimited": "unlimited"}
    assert w.page(LATE)["summary"] == "used 0 (unlimited) · 0 booked · unlimited free to book · valid through 1 Feb 2026"


def test_a_refunded_mixed_package_keeps_nothing_of_its_unlimited_service() -> None:
    w = World()
    w.sell(offer("club", MIXED))
    w.attend("2026-01-02T10:00", THAI)
    w.close(Refund("partial", Decimal("10")))
    assert w.left() == {"massage": 0, "thai": 0}
    page = w.page()
    assert page["summary"] == "used 1 (unlimited) · 0 booked · 0 free to book · valid through 11 Jan 2026 · refunded"
    assert [(e["entry"], e["change"], e["balance"]) for e in page["entries"]] == [
        ("bought", "+massage unlimited, thai 2", "massage unlimited, thai 2"),
        ("session 1 of 2", "-thai 1", "massage unlimited, thai 1"),
        ("refund", "-thai 1, massage unlimited", "massage 0, thai 0"),
    ]


def test_the_statement_after_transfer_all_of_an_unlimited_pass_ends_at_0() -> None:
    w = World()
    w.sell(offer("week", WEEK))
    w.transfer()
    page = w.page()
    assert page["summary"] == "used 0 (unlimited) · 0 booked · 0 free to book · valid through 11 Jan 2026 · transferred"
    assert [(e["entry"], e["detail"], e["change"], e["balance"]) for e in page["entries"]] == [
        ("bought", "week (week)", "+unlimited", "unlimited"),
        ("transfer", "to bruno.p1: moved away", "-unlimited", "0"),
    ]
    assert page["remaining"] == {"unlimited": 0}


def test_the_statement_after_transfer_all_of_a_mixed_package_ends_at_0() -> None:
    w = World()
    w.sell(offer("club", MIXED))
    w.transfer()
    page = w.page()
    assert page["summary"] == "used 0 (unlimited) · 0 booked · 0 free to book · valid through 11 Jan 2026 · transferred"
    assert [(e["entry"], e["change"], e["balance"]) for e in page["entries"]][-1] == (
        "transfer", "-massage unlimited, thai 2", "massage 0, thai 0")
    assert page["remaining"] == {key: row["remaining"] for key, row in balances.balance(w.pkg()).items()} == {"massage": 0, "thai": 0}


def test_the_summary_names_what_was_transferred_and_sessions_count_what_is_left_here() -> None:
    w = World()
    w.sell(offer("ten", TEN, expiry="none", price="600"))
    w.attend("2026-01-02T10:00")
    w.transfer("sessions", 3)
    w.attend("2026-01-03T10:00")
    page = w.page()
    assert page["summary"] == "used 2 + 3 transferred of 10 · 0 booked · 5 free to book · no expiry"
    assert [(e["entry"], e["change"], e["balance"]) for e in page["entries"]] == [
        ("bought", "+10", "10"),
        ("session 1 of 7", "-1", "9"),
        ("session 2 of 7", "-1", "8"),
        ("transfer", "-3", "5"),
    ]


@pytest.mark.parametrize("close,summary", [
    (refunded, "used 1 + 9 voided of 10 · 0 booked · 0 free to book · no expiry · refunded"),
    (cancelled, "used 1 + 9 voided of 10 · 0 booked · 0 free to book · no expiry · cancelled"),
])
def test_the_summary_names_what_a_refund_or_cancel_voided(close: Any, summary: str) -> None:
    w = World()
    w.sell(offer("ten", TEN, expiry="none", price="600"))
    w.attend("2026-01-02T10:00")
    close(w)
    page = w.page()
    assert page["summary"] == summary
    assert page["entries"][1]["entry"] == "session 1 of 10"


def test_the_summary_names_what_lapsed_at_expiry() -> None:
    w = World()
    w.sell(offer("ten", TEN, price="600"))
    w.attend("2026-01-02T10:00")
    w.transfer("sessions", 2)
    w.expire()
    assert w.page(LATE)["summary"] == "used 1 + 2 transferred + 7 expired of 10 · 0 booked · 0 free to book · expired after 11 Jan 2026"


def test_a_package_without_expiry_gets_no_paused_days() -> None:
    w = World()
    w.sell(offer("five", {"sessions": {"massage": 5}}, expiry="none", price="400"))
    w.pause("2026-03-05", "2026-03-09")
    assert balances.pause_extension(w.pkg()) == 0
    page = w.page()
    assert (page["expires"], page["expiry_reason"]) == (None, "none")
    assert header_lines(page, "EUR")[2] == "no expiry date (none)"


@pytest.mark.parametrize("expiry,line", [
    ("10 days", "expires 2026-01-16 (10 days from purchase, +5 paused days)"),
    ("1 month from first use", "no expiry date (1 month from first use, +5 paused days)"),  # added once it starts
])
def test_a_package_with_an_expiry_keeps_its_paused_days(expiry: str, line: str) -> None:
    w = World()
    w.sell(offer("five", {"sessions": {"massage": 5}}, expiry=expiry, price="400"))
    w.pause("2026-01-06", "2026-01-10")
    assert balances.pause_extension(w.pkg()) == 5
    assert header_lines(w.page(), "EUR")[2] == line
