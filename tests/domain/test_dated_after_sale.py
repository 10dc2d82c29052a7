"""Nothing about a client package is dated before it began (``domain.dating``).

A payment, adjustment, pause, resume, transfer, refund or cancellation
recorded on a day (the command's clock) before the sale, an expiry set
before it and a pause starting before it are refused (exit 1), naming the
day the package began; on that day itself they are recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from sessionpack.domain import ledger  # noqa: F401  (registers every handler first)
from sessionpack.domain import balances
from sessionpack.domain.adjustments import Change, plan_adjust
from sessionpack.domain.codes import code_hash
from sessionpack.domain.dating import began, check_not_before
from sessionpack.domain.imports import ImportCells, plan_import
from sessionpack.domain.packages import package_from_mapping
from sessionpack.domain.pauses import plan_pause, plan_resume
from sessionpack.domain.refunds import Refund, plan_close
from sessionpack.domain.sales import pay, sell
from sessionpack.domain.transfers import plan_transfer
from sessionpack.errors import RuleError

from practice_data import SERVICES, TZ, Journal, at

SALE = date(2026, 3, 10)
AT_SALE = at("2026-03-10T09:00")
BEFORE = at("2026-03-09T18:00")  # the day before the sale
SOLD_TEXT = "ana.p1 was sold on 2026-03-10"


def offer(**data: Any):  # type: ignore[no-untyped-def]
    base: dict[str, Any] = {"name": "5 massages", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"},
                            "expiry": "1 month"}
    base.update(data)
    return package_from_mapping("five", base, "EUR", SERVICES)


class World(Journal):
    """The practice of these tests (``practice_data.Journal``)."""

    now = AT_SALE

    def sell(self, day: date = SALE, now: datetime = AT_SALE, **options: Any) -> dict[str, Any]:
        event = sell(self.views["ana"], offer(), currency="EUR", sale_date=day, invoice=f"{self.seq:06d}", **options)
        return self.pkg(self.record(event, now)["client_package"])

    def pkg(self, cp: str) -> dict[str, Any]:
        return self.views[cp.split(".p")[0]]["packages"][cp]


@pytest.fixture
def world() -> World:
    w = World()
    w.sell()
    return w


def refused(message: str):  # type: ignore[no-untyped-def]
    return pytest.raises(RuleError, match="^" + message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.") + "$")


# ---------------------------------------------------------------- the day a package began


def test_a_sold_package_begins_on_its_sale_date_even_back_dated() -> None:
    w = World()
    pkg = w.sell(day=date(2026, 3, 1), now=at("2026-03-10T09:00"))
    assert began(pkg) == (date(2026, 3, 1), "was sold on 2026-03-01", "its sale")
    check_not_before(pkg, date(2026, 3, 1))  # its sale date itself is fine


def test_an_assigned_package_says_assigned() -> None:
    w = World()
    pkg = w.sell(assign=True)
    assert began(pkg) == (SALE, "was assigned on 2026-03-10", "its sale")


def test_a_transferred_package_begins_on_the_day_of_the_transfer(world: World) -> None:
    event = plan_transfer(world.pkg("ana.p1"), world.views["bruno"], kind="sessions", amount=2, reason="gift",
                          now=at("2026-03-20T10:00"), tz=TZ, code_hash=code_hash("AAAA-BBBB"))
    world.record(event, at("2026-03-20T10:00"))
    received = world.pkg("bruno.p1")
    assert received["sale"]["date"] == "2026-03-10"  # the giver's sale date, kept
    assert began(received) == (date(2026, 3, 20), "was transferred to bruno on 2026-03-20", "the transfer")
    with refused("bruno.p1 was transferred to bruno on 2026-03-20, after today (2026-03-15): nothing about it "
                 "can be dated before the transfer; check --now"):
        plan_adjust(received, Change("sessions", True, 1), reason="x", today=date(2026, 3, 15))


def test_an_imported_package_begins_on_the_day_it_was_recorded() -> None:
    w = World()
    terms = offer(expiry="6 months").terms()
    imported, problems = plan_import(terms, ImportCells(remaining={None: "3"}), sold_on=date(2026, 1, 5),
                                     today=SALE, currency="EUR")
    assert problems == []
    event = sell(w.views["ana"], offer(expiry="6 months"), currency="EUR", sale_date=date(2026, 1, 5), invoice="X1",
                 imported=imported, terms=terms)
    pkg = w.pkg(w.record(event, AT_SALE)["client_package"])
    assert began(pkg) == (SALE, "was imported on 2026-03-10", "its import")
    with refused("ana.p1 was imported on 2026-03-10, after today (2026-02-01): nothing about it can be dated "
                 "before its import; check --now"):
        pay(pkg, Decimal("10"), "EUR", today=date(2026, 2, 1))


# ---------------------------------------------------------------- recorded on a day before the sale


def test_pay_before_the_sale_is_refused() -> None:
    unpaid = World().sell(paid=Decimal("0"))
    with refused(f"{SOLD_TEXT}, after today (2026-03-09): nothing about it can be dated before its sale; check --now"):
        pay(unpaid, Decimal("100.00"), "EUR", "cash", today=date(2026, 3, 9))
    assert pay(unpaid, Decimal("100.00"), "EUR", "cash", today=SALE)["amount"] == "100.00"


def test_adjust_before_the_sale_is_refused(world: World) -> None:
    with refused(f"{SOLD_TEXT}, after today (2026-03-09): nothing about it can be dated before its sale; check --now"):
        plan_adjust(world.pkg("ana.p1"), Change("sessions", True, -2), reason="x", today=date(2026, 3, 9))
    event = plan_adjust(world.pkg("ana.p1"), Change("sessions", True, -2), reason="x", today=SALE)
    assert event is not None and event["changes"] == {"massage": -2}


def test_refund_and_cancel_before_the_sale_are_refused(world: World) -> None:
    views = {"ana": world.views["ana"]}
    for refund in (Refund("full"), None):
        with refused(f"{SOLD_TEXT}, after today (2026-03-09): nothing about it can be dated before its sale; check --now"):
            plan_close(world.views["ana"], views, "ana.p1", refund=refund, reason="clock", cancel_bookings=False,
                       now=BEFORE, tz=TZ, currency="EUR")
    events, summary = plan_close(world.views["ana"], views, "ana.p1", refund=Refund("full"), reason="x",
                                 cancel_bookings=False, now=at("2026-03-10T00:00"), tz=TZ, currency="EUR")
    assert summary["refund"] == "400.00"


def test_transfer_before_the_sale_is_refused(world: World) -> None:
    with refused(f"{SOLD_TEXT}, after today (2026-03-09): nothing about it can be dated before its sale; check --now"):
        plan_transfer(world.pkg("ana.p1"), world.views["bruno"], kind="sessions", amount=2, reason="gift",
                      now=BEFORE, tz=TZ, code_hash=code_hash("AAAA-BBBB"))


def test_pause_and_resume_before_the_sale_are_refused(world: World) -> None:
    with refused(f"{SOLD_TEXT}, after today (2026-03-09): nothing about it can be dated before its sale; check --now"):
        plan_pause(world.pkg("ana.p1"), date(2026, 3, 20), date(2026, 3, 25), now=BEFORE, tz=TZ)
    world.record(plan_pause(world.pkg("ana.p1"), date(2026, 3, 20), date(2026, 3, 25), now=AT_SALE, tz=TZ)[0])
    with refused(f"{SOLD_TEXT}, after today (2026-03-09): nothing about it can be dated before its sale; check --now"):
        plan_resume(world.pkg("ana.p1"), date(2026, 3, 22), today=date(2026, 3, 9))
    assert plan_resume(world.pkg("ana.p1"), date(2026, 3, 22), today=SALE)["days"] == 2


# ---------------------------------------------------------------- an expiry before the sale (adjust --expires)


def test_an_expiry_before_the_sale_is_refused(world: World) -> None:
    with refused(f"{SOLD_TEXT}, after --expires 2026-02-10: it would be expired from the start; "
                 "give --expires 2026-03-10 or later"):
        plan_adjust(world.pkg("ana.p1"), None, expires=date(2026, 2, 10), reason="typo", today=SALE)
    with refused(f"{SOLD_TEXT}, after --expires 1900-01-01: it would be expired from the start; "
                 "give --expires 2026-03-10 or later"):
        plan_adjust(world.pkg("ana.p1"), Change("sessions", True, 1), expires=date(1900, 1, 1), reason="typo")


def test_an_expiry_on_the_sale_date_is_recorded(world: World) -> None:
    event = plan_adjust(world.pkg("ana.p1"), None, expires=SALE, reason="last day is the first", today=SALE)
    assert event is not None and event["expires"] == "2026-03-10"


# ---------------------------------------------------------------- a pause before the sale


@pytest.mark.parametrize("start,until", [("2025-03-10", "2025-04-10"), ("2026-03-01", "2026-03-15")])
def test_a_pause_starting_before_the_sale_is_refused(world: World, start: str, until: str) -> None:
    with refused(f"{SOLD_TEXT}, after FROM {start}: a pause covers only days the package could be used; "
                 "give FROM 2026-03-10 or later"):
        plan_pause(world.pkg("ana.p1"), date.fromisoformat(start), date.fromisoformat(until), now=AT_SALE, tz=TZ)
    assert balances.expiry(world.pkg("ana.p1")) == date(2026, 4, 10)


def test_a_pause_from_the_sale_day_counts_its_days(world: World) -> None:
    event, _ = plan_pause(world.pkg("ana.p1"), SALE, date(2026, 3, 15), now=AT_SALE, tz=TZ)
    world.record(event)
    assert event["days"] == 6
    assert balances.expiry(world.pkg("ana.p1")) == date(2026, 4, 16)
