"""Adjust, pause / resume and transfer, pure (rules 2, 8, 9 and 11 of docs/rules.md).

Views are built by folding stamped events, as the store does; a transfer
folds one event into two clients' views.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sessionpack.domain import ledger  # noqa: F401  (registers every handler first)
from sessionpack.domain import balances
from sessionpack.domain.adjustments import Change, parse_change, pick_key, plan_adjust
from sessionpack.domain.bookings import Session, judge, plan_booking
from sessionpack.domain.codes import code_hash
from sessionpack.domain.packages import package_from_mapping
from sessionpack.domain.pauses import plan_pause, plan_resume
from sessionpack.domain.sales import sell
from sessionpack.domain.transfers import plan_transfer
from sessionpack.errors import InputError, RuleError
from sessionpack.reports.balances import describe_event, history_rows

from practice_data import MASSAGE, SERVICES, THAI, TZ, Journal, at

NOW = at("2027-01-15T09:00")
SOLD = date(2027, 1, 15)


def offer(pid: str = "five", **data: Any):  # type: ignore[no-untyped-def]
    base: dict[str, Any] = {"name": pid, "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}, "expiry": "3 months"}
    base.update(data)
    return package_from_mapping(pid, base, "EUR", SERVICES)


class World(Journal):
    """The practice of these tests (``practice_data.Journal``)."""

    def sell(self, package: Any, owner: str = "ana", day: date = SOLD) -> str:
        event = sell(self.views[owner], package, currency="EUR", sale_date=day, invoice=f"{self.seq:06d}")
        return self.record(event)["client_package"]

    def pkg(self, cp: str) -> dict[str, Any]:
        return self.views[cp.split(".p")[0]]["packages"][cp]

    def book(self, start: str, service: Any = MASSAGE, who: str = "ana", **options: Any) -> dict[str, Any]:
        session = Session(who, service, at(start), service.duration)
        event = plan_booking(self.views[who], {}, session, now=NOW, tz=TZ, currency="EUR", **options)
        return self.record(event)["booking"]

    def adjust(self, cp: str, change: Change | None, **options: Any) -> dict[str, Any] | None:
        options.setdefault("reason", "fix")
        event = plan_adjust(self.pkg(cp), change, **options)
        return self.record(event) if event else None

    def pause(self, cp: str, start: str, until: str, **options: Any) -> dict[str, Any]:
        event, _ = plan_pause(self.pkg(cp), date.fromisoformat(start), date.fromisoformat(until), now=options.pop("now", NOW), tz=TZ, **options)
        return self.record(event)

    def resume(self, cp: str, on: str, **options: Any) -> dict[str, Any]:
        return self.record(plan_resume(self.pkg(cp), date.fromisoformat(on), **options))

    def transfer(self, cp: str, to: str = "bruno", kind: str | None = "sessions", amount: Any = 2, **options: Any) -> dict[str, Any]:
        event = plan_transfer(self.pkg(cp), self.views[to], kind=kind, amount=amount, reason=options.pop("reason", "gift"),
                              now=options.pop("now", NOW), tz=TZ, code_hash=code_hash("AAAA-BBBB"), **options)
        return self.record(event)

    def row(self, cp: str, key: str = "massage") -> dict[str, Any]:
        return balances.balance(self.pkg(cp))[key]

    def expires(self, cp: str) -> str | None:
        last = balances.expiry(self.pkg(cp))
        return last.isoformat() if last else None


def by(value: Any, kind: str = "sessions") -> Change:
    return Change(kind, True, value)


def to(value: Any, kind: str = "sessions") -> Change:
    return Change(kind, False, value)


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize("text,kind,expected", [
    ("+2", "sessions", Change("sessions", True, 2)),
    ("-2", "sessions", Change("sessions", True, -2)),
    ("2", "sessions", Change("sessions", False, 2)),
    ("0", "minutes", Change("minutes", False, 0)),
    ("+90", "minutes", Change("minutes", True, 90)),
    ("-20.50", "money", Change("money", True, Decimal("-20.50"))),
    ("+20", "money", Change("money", True, Decimal("20.00"))),
    ("100", "money", Change("money", False, Decimal("100.00"))),
    ("+9999999", "sessions", Change("sessions", True, 9999999)),
    ("-00009999999", "minutes", Change("minutes", True, -9999999)),
])
def test_parse_change(text: str, kind: str, expected: Change) -> None:
    assert parse_change(text, kind, "EUR") == expected


@pytest.mark.parametrize("text,kind,message", [
    ("two", "sessions", "--sessions must be +N, -N or N (a whole number), not 'two'"),
    ("1.5", "minutes", "--minutes must be +N, -N or N (a whole number), not '1.5'"),
    ("+-2", "sessions", "--sessions must be +N, -N or N (a whole number), not '+-2'"),
    ("-", "money", "--money must be +X, -X or X (an amount like 20 or 20.50), not '-'"),
    ("++20", "money", "--money must be +X, -X or X (an amount like 20 or 20.50), not '++20'"),
    ("+-20", "money", "--money must be +X, -X or X (an amount like 20 or 20.50), not '+-20'"),
    ("--20", "money", "--money must be +X, -X or X (an amount like 20 or 20.50), not '--20'"),
    ("+1.234", "money", "--money has more than 2 decimal places for EUR: 1.234"),
    ("+10000000", "sessions", "--sessions is too large: '+10000000'; use at most 9999999"),
    ("9" * 5000, "minutes", f"--minutes is too large: '{'9' * 5000}'; use at most 9999999"),
])
def test_parse_change_refuses(text: str, kind: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_change(text, kind, "EUR")
    assert str(err.value) == message


# ---------------------------------------------------------------- adjust


def test_adjust_sessions_by_and_to() -> None:
    w = World()
    cp = w.sell(offer())
    w.adjust(cp, by(2))
    assert (w.row(cp)["adjusted"], w.row(cp)["remaining"]) == (2, 7)
    w.adjust(cp, by(-3))
    assert (w.row(cp)["adjusted"], w.row(cp)["remaining"]) == (-1, 4)
    w.book("2027-01-20T10:00")
    w.adjust(cp, to(1))  # to N: N is the remaining balance shows (the booked one is held apart)
    assert w.row(cp) == {"total": 5, "adjusted": -3, "used": 0, "forfeited": 0, "scheduled": 1, "transferred": 0,
                         "voided": 0, "expired": 0, "remaining": 1}


def test_adjust_per_service_needs_service_when_several() -> None:
    w = World()
    cp = w.sell(offer("mix", contents={"sessions": {"massage": 2, "thai": 3}}))
    with pytest.raises(InputError) as err:
        w.adjust(cp, by(1))
    assert str(err.value) == "ana.p1 holds sessions of massage, thai; say which with --service massage or --service thai"
    event = w.adjust(cp, to(5), service="thai")
    assert event["changes"] == {"thai": 2}
    assert (w.row(cp, "thai")["remaining"], w.row(cp, "massage")["remaining"]) == (5, 2)
    assert describe_event(event) == "adjusted ana.p1: thai +2"


def test_adjust_pools() -> None:
    w = World()
    count = w.sell(offer("ten", contents={"pool": "count", "amount": 10}))
    minutes = w.sell(offer("mins", contents={"pool": "minutes", "amount": 300}))
    money = w.sell(offer("credit", contents={"pool": "money", "amount": "100"}, payment={"price": "100"}))
    w.adjust(count, by(-4))
    w.adjust(minutes, to(240, "minutes"))
    event = w.adjust(money, by(Decimal("-20.50"), "money"))
    assert event["changes"] == {"money": "-20.50"}
    w.adjust(money, by(Decimal("5.25"), "money"))
    assert w.row(count, "count")["remaining"] == 6
    assert (w.row(minutes, "minutes")["adjusted"], w.row(minutes, "minutes")["remaining"]) == (-60, 240)
    assert (w.row(money, "money")["adjusted"], w.row(money, "money")["remaining"]) == (Decimal("-15.25"), Decimal("84.75"))
    assert w.pkg(money)["adjustments"] == {"money": "-15.25"}
    w.adjust(money, to(Decimal("100.00"), "money"))
    assert w.row(money, "money")["remaining"] == Decimal("100.00")


@pytest.mark.parametrize("contents,kind,service,message", [
    ({"pool": "count", "amount": 10}, "minutes", None, "ana.p1 holds sessions, not minutes; use --sessions"),
    ({"pool": "minutes", "amount": 300}, "sessions", None, "ana.p1 holds minutes, not sessions; use --minutes"),
    ({"pool": "money", "amount": "100"}, "sessions", None, "ana.p1 holds money, not sessions; use --money"),
    ({"sessions": {"massage": 5}}, "money", None, "ana.p1 holds sessions, not money; use --sessions"),
    ({"pool": "unlimited"}, "sessions", None, "ana.p1 is unlimited: there is no amount to adjust (only --expires)"),
    ({"sessions": {"massage": "unlimited"}}, "sessions", None, "massage is unlimited in ana.p1: there is no amount to adjust (only --expires)"),
    ({"sessions": {"massage": 5}}, "sessions", "thai", "ana.p1 has no thai sessions; it holds massage"),
    ({"pool": "count", "amount": 10}, "sessions", "massage", "ana.p1 is one pool of sessions for all its services; leave out --service"),
    ({"pool": "minutes", "amount": 300}, "minutes", "massage", "--service goes with --sessions; ana.p1 holds minutes"),
])
def test_adjust_mismatch_says_what_to_use(contents: dict, kind: str, service: str | None, message: str) -> None:
    w = World()
    payment = {"price": "100"}
    cp = w.sell(offer("p", contents=contents, payment=payment))
    with pytest.raises(InputError) as err:
        pick_key(w.pkg(cp), kind, service)
    assert str(err.value) == message


def test_adjust_below_what_is_booked_needs_force() -> None:
    w = World()
    cp = w.sell(offer("two", contents={"sessions": {"massage": 2}}))
    w.book("2027-01-20T10:00")
    w.book("2027-01-27T10:00")
    before = copy.deepcopy(w.views)
    with pytest.raises(RuleError) as err:
        w.adjust(cp, by(-1))
    assert str(err.value) == ("ana.p1 has 0 massage sessions left besides what its bookings hold (ana.b1 on 2027-01-20, "
                              "ana.b2 on 2027-01-27); taking 1 massage session would leave -1: cancel or unlink bookings "
                              "first, or confirm with --force")
    with pytest.raises(RuleError) as err:
        w.adjust(cp, by(-3), force=True)
    assert str(err.value) == ("ana.p1 has 0 massage sessions left and 2 massage sessions booked; taking 3 massage sessions "
                              "is more than both: take at most 2 massage sessions (with --force)")
    assert w.views == before
    event = w.adjust(cp, by(-1), force=True)
    assert event["forced"] is True
    assert describe_event(event) == "adjusted ana.p1: massage -1 (forced)"
    assert (w.row(cp)["scheduled"], w.row(cp)["remaining"]) == (2, -1)


def test_adjust_with_nothing_booked_cannot_go_below_zero() -> None:
    w = World()
    cp = w.sell(offer())
    with pytest.raises(RuleError) as err:
        w.adjust(cp, by(-6), force=True)
    assert str(err.value) == "ana.p1 has only 5 massage sessions left; taking 6 massage sessions would leave -1: use --sessions 0 to leave none"
    w.adjust(cp, to(0))
    with pytest.raises(RuleError) as err:
        w.adjust(cp, by(-1))
    assert str(err.value) == "ana.p1 has 0 massage sessions left: there is nothing to take away"


def test_adjust_expiry_sets_a_fixed_date() -> None:
    w = World()
    cp = w.sell(offer())
    assert w.expires(cp) == "2027-04-15"
    event = w.adjust(cp, None, expires=date(2027, 6, 30), reason="surgery")
    assert event == {"type": "adjusted", "clients": ["ana"], "client_package": cp, "changes": {}, "expires": "2027-06-30",
                     "reason": "surgery", "forced": False, "seq": event["seq"], "at": event["at"], "actor": "tester"}
    assert w.expires(cp) == "2027-06-30"
    assert describe_event(event) == "adjusted ana.p1: expires 2027-06-30"


def test_adjust_expiry_before_a_booking_needs_force() -> None:
    w = World()
    cp = w.sell(offer())
    w.book("2027-03-01T10:00")
    w.book("2027-03-08T10:00")
    with pytest.raises(RuleError) as err:
        w.adjust(cp, None, expires=date(2027, 3, 1))
    assert str(err.value) == ("ana.p1 would expire on 2027-03-01, before its bookings ana.b2 on 2027-03-08; "
                              "move or cancel them, or confirm with --force")
    assert w.adjust(cp, None, expires=date(2027, 3, 1), force=True)["forced"] is True
    assert w.expires(cp) == "2027-03-01"


def test_adjust_nothing_changes_and_refusals() -> None:
    w = World()
    cp = w.sell(offer())
    assert plan_adjust(w.pkg(cp), to(5), reason="x") is None
    assert plan_adjust(w.pkg(cp), by(0), expires=date(2027, 4, 15), reason="x") is None
    with pytest.raises(InputError) as err:
        plan_adjust(w.pkg(cp), by(1), reason=" ")
    assert str(err.value) == "an adjustment needs --reason: say why (it stays in the history)"
    with pytest.raises(InputError) as err:
        plan_adjust(w.pkg(cp), None, reason="x")
    assert str(err.value) == "nothing to adjust: give --sessions, --minutes, --money or --expires"
    w.pkg(cp)["status"] = "refunded"
    with pytest.raises(RuleError) as err:
        plan_adjust(w.pkg(cp), by(1), reason="x")
    assert str(err.value) == "ana.p1 is refunded: its balance was voided, so it cannot be adjusted"


# ---------------------------------------------------------------- pause / resume


def test_pause_across_a_month_end_and_resume_early() -> None:
    w = World()
    cp = w.sell(offer())  # sold 15 Jan, 3 months: through 15 Apr
    event = w.pause(cp, "2027-02-28", "2027-03-03", reason="trip")
    assert (event["days"], w.expires(cp)) == (4, "2027-04-19")  # 28 Feb, 1, 2, 3 Mar
    assert describe_event(event) == "paused ana.p1 from 2027-02-28 to 2027-03-03 (4 days)"
    back = w.resume(cp, "2027-03-02")
    assert (back["days"], w.expires(cp)) == (2, "2027-04-17")  # 28 Feb, 1 Mar
    assert describe_event(back) == "resumed ana.p1 on 2027-03-02: paused from 2027-02-28 to 2027-03-01 (2 days)"
    assert w.pkg(cp)["pauses"] == [{"from": "2027-02-28", "until": "2027-03-03", "seq": event["seq"], "ended": "2027-03-01"}]


def test_pause_across_a_leap_month_end() -> None:
    w = World()
    cp = w.sell(offer(), day=date(2028, 1, 15))
    w.pause(cp, "2028-02-28", "2028-03-03", now=at("2028-01-15T09:00"))
    assert w.expires(cp) == "2028-04-20"  # 28, 29 Feb, 1, 2, 3 Mar: 5 days


def test_resume_on_or_before_the_first_day_removes_the_pause() -> None:
    w = World()
    cp = w.sell(offer())
    w.pause(cp, "2027-02-28", "2027-03-03")
    event = w.resume(cp, "2027-02-28", reason="cancelled the trip")
    assert (event["days"], w.pkg(cp)["pauses"], w.expires(cp)) == (0, [], "2027-04-15")
    assert describe_event(event) == "resumed ana.p1 on 2027-02-28: the pause from 2027-02-28 to 2027-03-03 is removed"
    with pytest.raises(RuleError) as err:
        w.resume(cp, "2027-01-15")
    assert str(err.value) == "ana.p1 has no pause on or after 2027-01-15 to resume; see 'sessionpack history ana.p1'"


def test_a_pause_blocks_sessions_inside_it() -> None:
    w = World()
    cp = w.sell(offer())
    w.pause(cp, "2027-02-28", "2027-03-03")
    session = Session("ana", MASSAGE, at("2027-03-03T18:00"), 60)
    assert judge(w.pkg(cp), session, NOW, TZ) == "paused from 2027-02-28 to 2027-03-03"
    booking = w.book("2027-03-01T10:00")
    assert (booking["package"], booking["why"]) == (None, "no eligible package: ana.p1: paused from 2027-02-28 to 2027-03-03")
    assert w.book("2027-03-04T10:00")["package"] == cp
    assert balances.status(w.pkg(cp), at("2027-03-01T12:00"), TZ) == "paused"
    assert balances.status(w.pkg(cp), at("2027-03-04T00:00"), TZ) == "active"


def test_pause_with_bookings_inside_needs_keep_bookings() -> None:
    w = World()
    cp = w.sell(offer())
    w.book("2027-03-01T10:00")
    w.book("2027-03-10T10:00")
    with pytest.raises(RuleError) as err:
        w.pause(cp, "2027-02-28", "2027-03-03")
    assert str(err.value) == ("ana.p1 has bookings inside the pause: ana.b1 on 2027-03-01; "
                              "move or cancel them, or confirm with --keep-bookings")
    event, kept = plan_pause(w.pkg(cp), date(2027, 2, 28), date(2027, 3, 3), now=NOW, tz=TZ, keep_bookings=True)
    assert (event["kept"], kept) == (["ana.b1"], [("ana.b1", "2027-03-01")])
    w.record(event)
    assert w.row(cp)["scheduled"] == 2  # kept bookings still draw
    assert describe_event(event) == "paused ana.p1 from 2027-02-28 to 2027-03-03 (4 days); bookings kept inside it: ana.b1"


def test_a_pause_cannot_cover_a_day_the_package_was_used() -> None:
    """A pause says the package could not be used on its days: an attended
    session or a forfeited no-show inside it is refused, whatever option."""
    w = World()
    cp = w.sell(offer())
    w.book("2027-03-01T10:00")
    w.book("2027-03-02T10:00")
    w.pkg(cp)["draws"]["ana.b1"]["state"] = "used"  # attended
    w.pkg(cp)["draws"]["ana.b2"]["state"] = "forfeited"  # a no-show that forfeited it
    before = copy.deepcopy(w.views)
    for options in ({}, {"keep_bookings": True}):
        with pytest.raises(RuleError) as err:
            plan_pause(w.pkg(cp), date(2027, 2, 28), date(2027, 3, 3), now=NOW, tz=TZ, **options)
        assert str(err.value) == ("ana.p1 was used inside the pause: ana.b1 on 2027-03-01 (attended), ana.b2 on 2027-03-02 "
                                  "(forfeited); a pause covers only days it was not used, so start it after 2027-03-02 "
                                  "or end it before 2027-03-01")
    assert w.views == before
    w.pause(cp, "2027-03-03", "2027-03-05")  # from the day after: accepted
    assert w.pkg(cp)["pauses"][0]["from"] == "2027-03-03"


@pytest.mark.parametrize("start,until,error,message", [
    ("2027-03-05", "2027-03-01", InputError, "UNTIL 2027-03-01 is before FROM 2027-03-05; give the first and the last paused day"),
    ("2027-03-03", "2027-03-09", RuleError, "ana.p1 is already paused from 2027-02-28 to 2027-03-03; a pause cannot overlap "
     "another: choose other dates, or resume that pause first ('sessionpack resume ana.p1 --on DATE')"),
    ("2027-02-20", "2027-02-28", RuleError, "ana.p1 is already paused from 2027-02-28 to 2027-03-03; a pause cannot overlap "
     "another: choose other dates, or resume that pause first ('sessionpack resume ana.p1 --on DATE')"),
    ("2027-04-20", "2027-04-22", RuleError, "ana.p1 expires on 2027-04-19, before the pause would start on 2027-04-20; "
     "a pause starts on or before the last valid day"),
])
def test_pause_refusals(start: str, until: str, error: type, message: str) -> None:
    w = World()
    cp = w.sell(offer())
    w.pause(cp, "2027-02-28", "2027-03-03")
    with pytest.raises(error) as err:
        w.pause(cp, start, until)
    assert str(err.value) == message
    w.pause(cp, "2027-03-04", "2027-03-04")  # the next day is free: 1 day
    assert w.expires(cp) == "2027-04-20"


def test_pause_refuses_cancelled_and_expired_packages() -> None:
    w = World()
    cp = w.sell(offer(), day=date(2026, 9, 1))  # through 2026-12-01
    with pytest.raises(RuleError) as err:
        w.pause(cp, "2027-02-01", "2027-02-02")
    assert str(err.value) == "ana.p1 has expired; to pause it, first extend it with 'sessionpack adjust ana.p1 --expires DATE --reason ...'"
    w.pkg(cp)["status"] = "cancelled"
    with pytest.raises(RuleError) as err:
        w.pause(cp, "2027-02-01", "2027-02-02")
    assert str(err.value) == "ana.p1 is cancelled: its balance was voided, so it cannot be paused"


def test_pause_extends_a_date_set_before_it_not_one_set_after() -> None:
    w = World()
    cp = w.sell(offer())
    w.adjust(cp, None, expires=date(2027, 6, 30))
    w.pause(cp, "2027-03-01", "2027-03-10")
    assert w.expires(cp) == "2027-07-10"  # 10 days
    w.adjust(cp, None, expires=date(2027, 8, 31))
    assert w.expires(cp) == "2027-08-31"  # taken as given
    w.resume(cp, "2027-03-05")
    assert w.expires(cp) == "2027-08-31"  # the pause was before that date was set
    w.pause(cp, "2027-04-01", "2027-04-02")
    assert w.expires(cp) == "2027-09-02"


def test_pause_of_a_package_without_expiry_only_blocks() -> None:
    w = World()
    cp = w.sell(offer(expiry="none"))
    w.pause(cp, "2027-03-01", "2027-03-10")
    assert w.expires(cp) is None
    assert w.book("2027-03-05T10:00")["package"] is None


def test_pause_before_first_use_is_added_once_the_clock_starts() -> None:
    w = World()
    cp = w.sell(offer(expiry="1 month from first use"))
    w.pause(cp, "2027-02-01", "2027-02-03")
    assert w.expires(cp) is None
    w.book("2027-02-10T10:00")
    assert w.expires(cp) == "2027-03-13"  # 10 Mar + 3 days


def test_resume_that_would_strand_a_booking_needs_force() -> None:
    w = World()
    cp = w.sell(offer())
    w.pause(cp, "2027-02-01", "2027-02-10")  # through 25 Apr
    w.book("2027-04-20T10:00")
    with pytest.raises(RuleError) as err:
        w.resume(cp, "2027-02-01")
    assert str(err.value) == ("resuming on 2027-02-01 moves ana.p1's expiry back to 2027-04-15, before its bookings "
                              "ana.b1 on 2027-04-20; move or cancel them, or confirm with --force")
    event = w.resume(cp, "2027-02-01", force=True)
    assert describe_event(event) == "resumed ana.p1 on 2027-02-01: the pause from 2027-02-01 to 2027-02-10 is removed (forced)"


# ---------------------------------------------------------------- transfer


def test_transfer_part_of_a_balance() -> None:
    w = World()
    cp = w.sell(offer())
    w.pause(cp, "2027-02-28", "2027-03-03")  # through 19 Apr
    w.book("2027-01-20T10:00")
    event = w.transfer(cp, amount=2, reason="gift to her brother")
    assert (event["clients"], event["to_package"], event["amounts"], event["expires"]) == (["ana", "bruno"], "bruno.p1", {"massage": 2}, "2027-04-19")
    assert w.row(cp) == {"total": 5, "adjusted": 0, "used": 0, "forfeited": 0, "scheduled": 1, "transferred": 2,
                         "voided": 0, "expired": 0, "remaining": 2}
    new = w.pkg("bruno.p1")
    assert new["terms"]["contents"] == {"sessions": {"massage": 2}}
    assert {k: new["sale"][k] for k in ("date", "price", "tax", "total", "invoice", "transferred_from")} == {
        "date": "2027-01-15", "price": "0.00", "tax": "0.00", "total": "0.00", "invoice": w.pkg(cp)["sale"]["invoice"],
        "transferred_from": "ana.p1"}
    assert (new["paid"], new["code_hash"], new["pauses"], w.views["bruno"]["counters"]["p"]) == ("0.00", code_hash("AAAA-BBBB"), [], 1)
    assert w.row("bruno.p1") == {"total": 2, "adjusted": 0, "used": 0, "forfeited": 0, "scheduled": 0, "transferred": 0,
                                 "voided": 0, "expired": 0, "remaining": 2}
    assert w.expires("bruno.p1") == "2027-04-19"
    assert describe_event(event) == "transferred massage 2 from ana.p1 to bruno.p1"
    # The receiver books on it like any other package; their own pauses move its date on.
    assert w.book("2027-02-01T10:00", who="bruno")["package"] == "bruno.p1"
    w.pause("bruno.p1", "2027-03-10", "2027-03-11")
    assert (w.expires("bruno.p1"), w.expires(cp)) == ("2027-04-21", "2027-04-19")
    # Both histories show it.
    [mine] = [r for r in history_rows(w.views["ana"], cp) if r["seq"] == event["seq"]]
    [theirs] = [r for r in history_rows(w.views["bruno"], "bruno.p1") if r["seq"] == event["seq"]]
    assert (mine["what"], mine["why"], mine["change"], mine["balance"]) == (
        "transferred massage 2 from ana.p1 to bruno.p1", "gift to her brother", "massage -2", "massage 2")
    assert (theirs["what"], theirs["why"], theirs["change"], theirs["balance"]) == (
        "transferred massage 2 from ana.p1 to bruno.p1", "gift to her brother", "massage +2", "massage 2")


def test_transfer_all_leaves_booked_sessions_with_the_source() -> None:
    w = World()
    cp = w.sell(offer("mix", contents={"sessions": {"massage": 2, "thai": 3}}, payment={"mode": "per-session", "fees": {"massage": "50", "thai": "60"}}))
    w.book("2027-01-20T10:00")
    event = w.transfer(cp, kind=None)
    assert event["amounts"] == {"massage": 1, "thai": 3}
    assert w.pkg("bruno.p1")["terms"]["contents"] == {"sessions": {"massage": 1, "thai": 3}}
    assert balances.status(w.pkg(cp), NOW, TZ) == "active"  # its booked session is still to come
    w.record({"type": "attended", "clients": ["ana"], "booking": "ana.b1", "package": cp})
    assert balances.status(w.pkg(cp), NOW, TZ) == "used up"  # emptied by her session, after the transfer
    with pytest.raises(RuleError) as err:
        w.transfer(cp, kind=None)
    assert str(err.value) == "ana.p1 has nothing left to transfer"


def test_transfer_part_of_a_per_session_package_keeps_the_fee_of_what_moved() -> None:
    w = World()
    cp = w.sell(offer("mix", contents={"sessions": {"massage": 2, "thai": 3}}, payment={"mode": "per-session", "fees": {"massage": "50", "thai": "60"}}))
    w.transfer(cp, amount=1, service="thai")
    assert w.pkg("bruno.p1")["terms"]["payment"] == {"mode": "per-session", "fees": {"thai": "60.00"}}
    assert w.book("2027-02-01T10:00", THAI, who="bruno")["fee"] == "60.00"


def test_transfer_pools() -> None:
    w = World()
    money = w.sell(offer("credit", contents={"pool": "money", "amount": "100"}, payment={"price": "100"}, expiry="none"))
    minutes = w.sell(offer("mins", contents={"pool": "minutes", "amount": 300}))
    w.transfer(money, kind="money", amount=Decimal("30.50"))
    w.transfer(minutes, kind="minutes", amount=120)
    assert w.pkg("bruno.p1")["terms"]["contents"]["amount"] == "30.50"
    assert (w.row(money, "money")["remaining"], w.row("bruno.p1", "money")["remaining"]) == (Decimal("69.50"), Decimal("30.50"))
    assert w.expires("bruno.p1") is None
    assert (w.row(minutes, "minutes")["transferred"], w.row("bruno.p2", "minutes")["remaining"]) == (120, 120)


def test_transfer_unlimited_only_all() -> None:
    w = World()
    cp = w.sell(offer("unl", contents={"pool": "unlimited"}))
    with pytest.raises(InputError) as err:
        w.transfer(cp, kind="sessions", amount=2)
    assert str(err.value) == "ana.p1 is unlimited: there is no amount to transfer (transfer all of it with --all)"
    event = w.transfer(cp, kind=None)
    assert describe_event(event) == "transferred unlimited from ana.p1 to bruno.p1"
    assert balances.status(w.pkg(cp), NOW, TZ) == "transferred"
    row = balances.balance(w.pkg(cp))["unlimited"]  # bruno's now: none of it is left to ana
    assert (row["remaining"], row["transferred"]) == (0, "unlimited")
    assert balances.balance(w.pkg("bruno.p1"))["unlimited"]["remaining"] == "unlimited"
    session = Session("ana", MASSAGE, at("2027-02-01T10:00"), 60)
    assert judge(w.pkg(cp), session, NOW, TZ) == "its unlimited use was transferred to bruno.p1"
    assert w.book("2027-02-01T10:00", who="bruno")["package"] == "bruno.p1"


@pytest.mark.parametrize("kind,amount,to_who,error,message", [
    ("sessions", 4, "bruno", RuleError, "ana.p1 has 3 massage sessions left to transfer (2 massage sessions booked stay with it); ask for at most 3"),
    ("sessions", 2, "ana", InputError, "ana already owns ana.p1; name another client to transfer it to"),
    ("sessions", 0, "bruno", InputError, "--sessions must be more than 0"),
    ("minutes", 30, "bruno", InputError, "ana.p1 holds sessions, not minutes; use --sessions"),
])
def test_transfer_refusals(kind: str, amount: int, to_who: str, error: type, message: str) -> None:
    w = World()
    cp = w.sell(offer())
    w.book("2027-01-20T10:00")
    w.book("2027-01-27T10:00")
    before = copy.deepcopy(w.views)
    with pytest.raises(error) as err:
        w.transfer(cp, to_who, kind=kind, amount=amount)
    assert str(err.value) == message
    assert w.views == before


def test_transfer_refuses_expired_and_refunded_packages() -> None:
    w = World()
    cp = w.sell(offer(), day=date(2026, 9, 1))
    with pytest.raises(RuleError) as err:
        w.transfer(cp)
    assert str(err.value) == "ana.p1 has expired; to transfer it, first extend it with 'sessionpack adjust ana.p1 --expires DATE --reason ...'"
    w.pkg(cp)["status"] = "refunded"
    with pytest.raises(RuleError) as err:
        w.transfer(cp)
    assert str(err.value) == "ana.p1 is refunded: its balance was voided, so it cannot be transferred"


def test_transfer_all_of_fixed_contents_with_an_unlimited_service() -> None:
    w = World()
    cp = w.sell(offer("club", contents={"sessions": {"massage": 2, "thai": "unlimited"}}))
    with pytest.raises(InputError) as err:
        w.transfer(cp, amount=1, service="thai")
    assert str(err.value) == "thai is unlimited in ana.p1: there is no amount to transfer (transfer all of it with --all)"
    event = w.transfer(cp, kind=None)
    assert event["amounts"] == {"massage": 2, "thai": "unlimited"}
    assert describe_event(event) == "transferred massage 2, thai unlimited from ana.p1 to bruno.p1"
    assert w.pkg("bruno.p1")["terms"]["contents"] == {"sessions": {"massage": 2, "thai": "unlimited"}}
    assert balances.status(w.pkg(cp), NOW, TZ) == "transferred"
    assert {key: row["remaining"] for key, row in balances.balance(w.pkg(cp)).items()} == {"massage": 0, "thai": 0}
    session = Session("ana", THAI, at("2027-02-01T10:00"), 90)
    assert judge(w.pkg(cp), session, NOW, TZ) == "its unlimited thai was transferred to bruno.p1"
    assert w.book("2027-02-01T10:00", THAI, who="bruno")["package"] == "bruno.p1"
