"""Booking rules, pure (rules 2-6 of docs/rules.md): which package pays, what it draws,
what the session costs, repeat series, and cancel / no-show / attend.

No files: client views are built by folding events, exactly as the store
does after a commit.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from sessionpack.domain import balances
from sessionpack.domain.bookings import Session, change_status, choose, judge, pick, plan_booking, plan_series, repeat_starts
from sessionpack.domain.ledger import apply_to_client, empty_client_view
from sessionpack.domain.packages import package_from_mapping
from sessionpack.domain.sales import sell
from sessionpack.domain.services import Service
from sessionpack.errors import InputError, RuleError

from practice_data import MASSAGE, NOW, SERVICES, SOLD, THAI, TZ, at


def offer(pid: str = "five", **data: Any):  # type: ignore[no-untyped-def]
    """A catalog package (TOML-shaped keys); default 5 massages for 400, no expiry."""
    base: dict[str, Any] = {"name": pid, "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}
    base.update(data)
    return package_from_mapping(pid, base, "EUR", SERVICES)


COUNT_ALL = {"pool": "count", "amount": 10}
MONEY_100 = {"contents": {"pool": "money", "amount": "100"}, "payment": {"price": "100"}}
PER_SESSION = {
    "contents": {"pool": "count", "amount": 10, "services": ["massage", "thai"]},
    "payment": {"mode": "per-session", "fees": {"massage": "70", "thai": "100"}},
}


class Client:
    """One client's view, changed only by folding stamped events."""

    def __init__(self, cid: str = "ana") -> None:
        self.id = cid
        self.view = empty_client_view(cid)
        self.seq = 0
        self.record({"type": "client-added", "clients": [cid], "client": {"id": cid, "name": cid.title(), "email": "", "tags": []}})

    def record(self, event: dict[str, Any], now: datetime = NOW) -> dict[str, Any]:
        self.seq += 1
        stamped = dict(copy.deepcopy(event), seq=self.seq, at=now.isoformat(), actor="tester")
        apply_to_client(self.view, stamped)
        return stamped

    def sell(self, package: Any, day: date = SOLD, **options: Any) -> str:
        event = sell(self.view, package, currency="EUR", sale_date=day, invoice=f"{self.seq:06d}", **options)
        return self.record(event)["client_package"]

    def pkg(self, cp_id: str) -> dict[str, Any]:
        return self.view["packages"][cp_id]

    def session(self, start: str, service: Service = MASSAGE, duration: int | None = None, provider: str | None = None) -> Session:
        return Session(self.id, service, at(start), duration or service.duration, provider)

    def plan(self, start: str, service: Service = MASSAGE, now: datetime = NOW, duration: int | None = None,
             provider: str | None = None, **options: Any) -> dict[str, Any]:
        event = plan_booking(self.view, {}, self.session(start, service, duration, provider), now=now, tz=TZ, currency="EUR", **options)
        return event

    def book(self, start: str, service: Service = MASSAGE, now: datetime = NOW, **options: Any) -> dict[str, Any]:
        return self.record(self.plan(start, service, now, **options), now)["booking"]

    def change(self, booking_id: str, action: str, now: datetime = NOW, **options: Any) -> dict[str, Any]:
        booking = self.view["bookings"][booking_id]
        event = change_status(booking, self.view if booking.get("package") else None, action, now=now, currency="EUR", **options)
        self.record(event, now)
        return event

    def left(self, cp_id: str, key: str = "massage") -> Any:
        return balances.remaining(self.pkg(cp_id), key)


# ---------------------------------------------------------------- choosing (rule 3)

CHOICES = [
    # (case, [(catalog keys, sale date)], session start, index of the chosen package, why)
    ("soonest expiry wins", [({"expiry": "6 months"}, SOLD), ({"expiry": "1 month"}, SOLD)],
     "2026-12-01T10:00", 1, "expires soonest (2026-12-20)"),
    ("no expiry comes last", [({}, SOLD), ({"expiry": "3 months"}, SOLD)],
     "2026-12-01T10:00", 1, "expires soonest (2027-02-20)"),
    ("a fixed date counts like any expiry", [({"expiry": "2 months"}, SOLD), ({"expiry": "on 2027-01-05"}, SOLD)],
     "2026-12-01T10:00", 1, "expires soonest (2027-01-05)"),
    ("an unstarted first-use package is judged as if this session started it",
     [({"expiry": "2 months"}, SOLD), ({"expiry": "1 month from first use"}, SOLD)],
     "2026-12-01T10:00", 1, "expires soonest (2027-01-01)"),
    ("soonest expiry beats restrictiveness",
     [({"expiry": "1 month", "contents": COUNT_ALL}, SOLD), ({"expiry": "2 months", "restrictions": {"weekdays": ["tue"]}}, SOLD)],
     "2026-12-01T10:00", 0, "expires soonest (2026-12-20)"),
    ("same expiry: a fixed set of services is more restrictive than any service",
     [({"contents": COUNT_ALL}, SOLD), ({}, SOLD)],
     "2026-12-01T10:00", 1, "most restrictive of those expiring first"),
    ("same expiry: a weekday restriction is more restrictive",
     [({}, SOLD), ({"restrictions": {"weekdays": ["tue"]}}, SOLD)],
     "2026-12-01T10:00", 1, "most restrictive of those expiring first"),
    ("restrictiveness beats an older sale",
     [({}, date(2026, 10, 1)), ({"restrictions": {"weekdays": ["tue"]}}, SOLD)],
     "2026-12-01T10:00", 1, "most restrictive of those expiring first"),
    ("two restrictions beat one",
     [({"restrictions": {"weekdays": ["tue"]}}, SOLD), ({"restrictions": {"providers": ["Maria"], "weekdays": ["tue"]}}, SOLD)],
     ("2026-12-01T10:00", "Maria"), 1, "most restrictive of those expiring first"),
    ("all else equal: the older sale date", [({}, date(2026, 11, 10)), ({}, date(2026, 10, 1))],
     "2026-12-01T10:00", 1, "oldest sale of equally good packages"),
    ("all else equal, same sale day: sold first", [({}, SOLD), ({}, SOLD)],
     "2026-12-01T10:00", 0, "oldest sale of equally good packages"),
    ("only one eligible", [({"contents": {"sessions": {"thai": 2}}}, SOLD), ({}, SOLD)],
     "2026-12-01T10:00", 1, "the only eligible package"),
]


@pytest.mark.parametrize("offers,start,index,why", [c[1:] for c in CHOICES], ids=[c[0] for c in CHOICES])
def test_choose_orders_eligible_packages(offers, start, index, why) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    ids = [ana.sell(offer(f"p{n}", **keys), day=day) for n, (keys, day) in enumerate(offers)]
    start, provider = start if isinstance(start, tuple) else (start, None)
    chosen, reason, rejected = choose(list(ana.view["packages"].values()), ana.session(start, provider=provider), NOW, TZ)
    assert chosen is not None and chosen.pkg["id"] == ids[index]
    assert reason == why
    # The ranking does not depend on the order the candidates come in.
    again, reason_again, _ = choose(list(reversed(ana.view["packages"].values())), ana.session(start, provider=provider), NOW, TZ)
    assert again is not None and (again.pkg["id"], reason_again) == (ids[index], why)


def test_choose_with_no_eligible_package_lists_every_reason() -> None:
    ana = Client()
    ana.sell(offer("thai-only", contents={"sessions": {"thai": 2}}))
    ana.sell(offer("mondays", restrictions={"weekdays": ["mon"]}))
    chosen, why, rejected = choose(list(ana.view["packages"].values()), ana.session("2026-12-01T10:00"), NOW, TZ)
    assert (chosen, why) == (None, "")
    assert rejected == ["ana.p1: does not include massage", "ana.p2: only on Mondays"]


def test_the_booking_names_the_open_packages_that_could_not_pay() -> None:
    """Rule 3: the chosen package and why, and every other package that could
    not pay and why not; one closed for good (here used up) is not named."""
    ana = Client()
    ana.sell(offer("thai-only", contents={"sessions": {"thai": 2}}))
    ana.sell(offer("mondays", restrictions={"weekdays": ["mon"]}))
    used = ana.sell(offer("one", contents={"sessions": {"massage": 1}}), day=date(2026, 11, 1))
    ana.book("2026-11-19T10:00", package=used)
    ana.change("ana.b1", "attend")
    ana.sell(offer("five"))
    booking = ana.book("2026-12-01T10:00")
    assert booking["package"] == "ana.p4"
    assert booking["why"] == ("the only eligible package; not eligible: ana.p1: does not include massage; "
                              "ana.p2: only on Mondays")
    # Where the caller says why a package cannot pay (a move), it is not said twice.
    chosen, why = pick(list(ana.view["packages"].values()), ana.session("2026-12-01T10:00"), now=NOW, tz=TZ,
                       said=frozenset({"ana.p2"}))
    assert chosen is not None and why == "the only eligible package; not eligible: ana.p1: does not include massage"


def test_chosen_candidate_carries_key_amount_expiry_and_restrictiveness() -> None:
    ana = Client()
    ana.sell(offer(expiry="1 month", restrictions={"weekdays": ["mon", "tue"], "time_window": "09:00-18:00"}))
    chosen, _, _ = choose(list(ana.view["packages"].values()), ana.session("2026-12-01T10:00"), NOW, TZ)
    assert chosen is not None
    assert (chosen.key, chosen.amount, chosen.expiry, chosen.restrictiveness) == ("massage", 1, date(2026, 12, 20), 3)


# ---------------------------------------------------------------- eligibility (rule 3)


def _status(value: str):  # type: ignore[no-untyped-def]
    def setup(ana: Client, cp: str) -> None:
        ana.pkg(cp)["status"] = value
    return setup


def _set(key: str, value: Any):  # type: ignore[no-untyped-def]
    def setup(ana: Client, cp: str) -> None:
        ana.pkg(cp)[key] = value
    return setup


def _book(*starts: str, service: Service = MASSAGE):  # type: ignore[no-untyped-def]
    def setup(ana: Client, cp: str) -> None:
        for start in starts:
            assert ana.book(start, service)["package"] == cp
    return setup


INELIGIBLE = [
    # (case, catalog keys, setup, session (start, service, duration, provider), now, reason)
    ("cancelled", {}, _status("cancelled"), ("2026-12-01T10:00",), NOW, "cancelled"),
    ("refunded", {}, _status("refunded"), ("2026-12-01T10:00",), NOW, "refunded"),
    ("expiry recorded by the sweep", {}, _set("expired_at", "2026-11-20T00:05:00+00:00"), ("2026-12-01T10:00",), NOW, "expired"),
    ("session after the expiry", {"expiry": "1 month"}, None, ("2026-12-21T10:00",), NOW,
     "expires on 2026-12-20, before the session on 2026-12-21"),
    ("session after a fixed expiry", {"expiry": "on 2026-11-30"}, None, ("2026-12-01T10:00",), NOW,
     "expires on 2026-11-30, before the session on 2026-12-01"),
    ("booked after the expiry (expiry limits the booking date)",
     {"expiry": "1 month", "policies": {"expiry_limits": "booking"}}, None, ("2026-12-22T10:00",),
     datetime(2026, 12, 21, 9, 0, tzinfo=TZ), "expires on 2026-12-20, before booking on 2026-12-21"),
    ("first use: a session past the clock started by an earlier one", {"expiry": "1 month from first use"},
     _book("2026-12-10T10:00"), ("2027-01-11T10:00",), NOW, "expires on 2027-01-10, before the session on 2027-01-11"),
    ("service not included (fixed)", {}, None, ("2026-12-01T10:00", THAI), NOW, "does not include thai"),
    ("service not included (pool list)", {"contents": {"pool": "count", "amount": 5, "services": ["thai"]}}, None,
     ("2026-12-01T10:00",), NOW, "does not include massage"),
    ("weekday", {"restrictions": {"weekdays": ["mon", "wed"]}}, None, ("2026-12-01T10:00",), NOW,
     "only on Mondays and Wednesdays"),
    ("time window: ends after it", {"restrictions": {"time_window": "10:00-13:00"}}, None, ("2026-12-01T12:30",), NOW,
     "only between 10:00 and 13:00"),
    ("time window: starts before it", {"restrictions": {"time_window": "10:00-13:00"}}, None, ("2026-12-01T09:30",), NOW,
     "only between 10:00 and 13:00"),
    ("provider: none given", {"restrictions": {"providers": ["Maria"]}}, None, ("2026-12-01T10:00",), NOW,
     "only with provider Maria"),
    ("provider: another one", {"restrictions": {"providers": ["Maria", "Rui"]}}, None,
     ("2026-12-01T10:00", MASSAGE, None, "Joana"), NOW, "only with providers Maria or Rui"),
    ("date ranges", {"restrictions": {"date_ranges": [["2026-12-10", "2026-12-24"]]}}, None, ("2026-12-01T10:00",), NOW,
     "only on listed dates"),
    ("not enough minutes", {"contents": {"pool": "minutes", "amount": 50}}, None, ("2026-12-01T10:00",), NOW,
     "only 50 minutes left, the session needs 60"),
    ("minutes used up by an earlier booking", {"contents": {"pool": "minutes", "amount": 100}},
     _book("2026-12-01T10:00"), ("2026-12-02T10:00",), NOW, "only 40 minutes left, the session needs 60"),
    ("no credit left", MONEY_100, _book("2026-12-01T10:00", service=THAI), ("2026-12-02T10:00",), NOW, "no credit left"),
    ("no sessions of the service left", {"contents": {"sessions": {"massage": 1, "thai": 1}}},
     _book("2026-12-01T10:00"), ("2026-12-02T10:00",), NOW, "no massage sessions left"),
    ("no sessions left in a count pool", {"contents": {"pool": "count", "amount": 1}},
     _book("2026-12-01T10:00"), ("2026-12-02T10:00",), NOW, "no sessions left"),
    ("paused", {}, _set("pauses", [{"from": "2026-11-25", "until": "2026-12-05"}]), ("2026-12-01T10:00",), NOW,
     "paused from 2026-11-25 to 2026-12-05"),
    ("pause ended early still covers its days", {},
     _set("pauses", [{"from": "2026-11-25", "until": "2026-12-31", "ended": "2026-12-02"}]), ("2026-12-01T10:00",), NOW,
     "paused from 2026-11-25 to 2026-12-02"),
]


@pytest.mark.parametrize("keys,setup,session,now,reason", [c[1:] for c in INELIGIBLE], ids=[c[0] for c in INELIGIBLE])
def test_ineligible_reasons(keys, setup, session, now, reason) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    cp = ana.sell(offer(**keys))
    if setup:
        setup(ana, cp)
    assert judge(ana.pkg(cp), ana.session(*session), now, TZ) == reason
    event = ana.plan(*session[:2], now=now, **({"duration": session[2]} if len(session) > 2 and session[2] else {}),
                     **({"provider": session[3]} if len(session) > 3 else {}))
    assert event["booking"]["package"] is None
    assert event["booking"]["why"] == f"no eligible package: {cp}: {reason}"


ELIGIBLE = [
    ("the last valid day", {"expiry": "1 month"}, None, ("2026-12-20T22:00",), NOW),
    ("expiry limits the booking: a later session booked in time", {"expiry": "1 month", "policies": {"expiry_limits": "booking"}},
     None, ("2027-01-15T10:00",), NOW),
    ("first use: an earlier session moves the clock back", {"expiry": "1 month from first use"},
     _book("2026-12-10T10:00"), ("2026-12-05T10:00",), NOW),
    ("time window: fits exactly", {"restrictions": {"time_window": "10:00-13:00"}}, None, ("2026-12-01T12:00",), NOW),
    ("provider, any case", {"restrictions": {"providers": ["Maria"]}}, None, ("2026-12-01T10:00", MASSAGE, None, "maria"), NOW),
    ("date in a range", {"restrictions": {"date_ranges": [["2026-11-25", "2026-12-24"]]}}, None, ("2026-12-01T10:00",), NOW),
    ("listed date", {"restrictions": {"dates": ["2026-12-01"]}}, None, ("2026-12-01T10:00",), NOW),
    ("minutes: exactly enough", {"contents": {"pool": "minutes", "amount": 60}}, None, ("2026-12-01T10:00",), NOW),
    ("a shorter session fits the minutes left", {"contents": {"pool": "minutes", "amount": 50}}, None,
     ("2026-12-01T10:00", MASSAGE, 45), NOW),
    ("after a pause", {}, _set("pauses", [{"from": "2026-11-25", "until": "2026-11-30"}]), ("2026-12-01T10:00",), NOW),
    ("unlimited sessions", {"contents": {"sessions": {"massage": "unlimited"}}}, _book(*[f"2026-12-{d:02d}T10:00" for d in range(1, 8)]),
     ("2026-12-08T10:00",), NOW),
    ("unlimited pool", {"contents": {"pool": "unlimited"}}, None, ("2026-12-01T10:00", THAI), NOW),
]


@pytest.mark.parametrize("keys,setup,session,now", [c[1:] for c in ELIGIBLE], ids=[c[0] for c in ELIGIBLE])
def test_eligible(keys, setup, session, now) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    cp = ana.sell(offer(**keys))
    if setup:
        setup(ana, cp)
    verdict = judge(ana.pkg(cp), ana.session(*session), now, TZ)
    assert not isinstance(verdict, str), verdict
    assert verdict.pkg["id"] == cp


# ---------------------------------------------------------------- first-use activation (rule 2)


def test_first_use_clock_starts_at_the_earliest_drawing_session_and_moves_on_cancel() -> None:
    ana = Client()
    cp = ana.sell(offer(expiry="1 month from first use"))
    assert balances.expiry(ana.pkg(cp)) is None and balances.starts_at_first_use(ana.pkg(cp))
    b1 = ana.book("2026-12-10T10:00")
    assert balances.expiry(ana.pkg(cp)) == date(2027, 1, 10)
    b2 = ana.book("2026-12-05T10:00")  # booked later, takes place earlier
    b3 = ana.book("2026-12-20T10:00")
    assert balances.first_use(ana.pkg(cp)) == date(2026, 12, 5)
    assert balances.expiry(ana.pkg(cp)) == date(2027, 1, 5)
    ana.change(b2["id"], "cancel")
    assert balances.expiry(ana.pkg(cp)) == date(2027, 1, 10)  # the next session starts it
    ana.change(b1["id"], "cancel")
    assert balances.expiry(ana.pkg(cp)) == date(2027, 1, 20)
    ana.change(b3["id"], "cancel")
    assert balances.expiry(ana.pkg(cp)) is None  # not started at all
    assert ana.left(cp) == 5


def test_first_use_clock_keeps_attended_and_forfeited_sessions() -> None:
    ana = Client()
    cp = ana.sell(offer(expiry="2 weeks from first use", policies={"no_show": "forfeit"}))
    b1 = ana.book("2026-12-01T10:00")
    b2 = ana.book("2026-12-03T10:00")
    ana.change(b1["id"], "no-show", now=at("2026-12-01T12:00"))  # forfeited: it still drew on the package
    assert balances.expiry(ana.pkg(cp)) == date(2026, 12, 15)
    ana.change(b2["id"], "attend", now=at("2026-12-03T12:00"))
    assert balances.expiry(ana.pkg(cp)) == date(2026, 12, 15)


def test_first_use_clock_moves_when_a_returned_no_show_gives_the_session_back() -> None:
    ana = Client()
    cp = ana.sell(offer(expiry="1 month from first use"))
    b1 = ana.book("2026-12-01T10:00")
    ana.book("2026-12-08T10:00")
    ana.change(b1["id"], "no-show", now=at("2026-12-01T12:00"))  # default policy: return
    assert balances.expiry(ana.pkg(cp)) == date(2027, 1, 8)


# ---------------------------------------------------------------- money, minutes, fees (rule 4)


def test_money_pool_pays_the_price_and_when_short_pays_what_it_has() -> None:
    ana = Client()
    cp = ana.sell(offer("credit", **MONEY_100))
    b1 = ana.book("2026-12-01T10:00")  # massage 90.00, no tax
    assert (b1["draw"], b1["fee"], b1["fee_tax"], b1["price"]) == ({"key": "money", "amount": "90.00"}, "0.00", "0.00", "90.00")
    assert ana.left(cp, "money") == Decimal("10.00")
    b2 = ana.book("2026-12-02T10:00", THAI)  # 120.00 + 23 %: the package pays 10.00, the rest is due with its tax
    assert (b2["draw"], b2["fee"], b2["fee_tax"]) == ({"key": "money", "amount": "10.00"}, "110.00", "25.30")
    assert ana.left(cp, "money") == Decimal("0.00")
    b3 = ana.book("2026-12-03T10:00", THAI)
    assert (b3["package"], b3["fee"], b3["fee_tax"]) == (None, "120.00", "27.60")
    ana.change(b2["id"], "cancel")  # returns exactly the 10.00 it drew
    assert ana.left(cp, "money") == Decimal("10.00")


def test_money_short_balance_first_booking_of_a_dearer_service() -> None:
    ana = Client()
    cp = ana.sell(offer("credit", **MONEY_100))
    b = ana.book("2026-12-01T10:00", THAI)
    assert (b["draw"], b["fee"], b["fee_tax"]) == ({"key": "money", "amount": "100.00"}, "20.00", "4.60")
    assert ana.left(cp, "money") == Decimal("0.00")


def test_a_later_price_change_never_changes_what_a_booking_drew() -> None:
    ana = Client()
    cp = ana.sell(offer("credit", **MONEY_100))
    b = ana.book("2026-12-01T10:00")
    dearer = Service("massage", "Massage 60", 60, Decimal("95.00"))
    ana.book("2026-12-02T10:00", dearer)  # draws the 10.00 left, 85.00 due
    assert ana.view["bookings"][b["id"]]["draw"]["amount"] == "90.00"
    ana.change(b["id"], "cancel")
    assert ana.left(cp, "money") == Decimal("90.00")


def test_minutes_pool_deducts_the_duration() -> None:
    ana = Client()
    cp = ana.sell(offer("minutes", contents={"pool": "minutes", "amount": 180}))
    assert ana.book("2026-12-01T10:00")["draw"] == {"key": "minutes", "amount": 60}
    assert ana.book("2026-12-02T10:00", THAI)["draw"] == {"key": "minutes", "amount": 90}
    assert ana.left(cp, "minutes") == 30
    refused = ana.book("2026-12-03T10:00")
    assert refused["package"] is None
    assert refused["why"] == "no eligible package: ana.p1: only 30 minutes left, the session needs 60"
    assert ana.book("2026-12-04T10:00", duration=30)["draw"] == {"key": "minutes", "amount": 30}
    assert ana.left(cp, "minutes") == 0


FEES = [
    # (case, catalog keys or None for no package, service, fee, fee tax)
    ("upfront package: covered session costs nothing", {}, MASSAGE, "0.00", "0.00"),
    ("upfront package with a taxed service", {"contents": {"sessions": {"thai": 2}}}, THAI, "0.00", "0.00"),
    ("per-session package: adjusted fee, untaxed service", PER_SESSION, MASSAGE, "70.00", "0.00"),
    ("per-session package: adjusted fee plus the service's tax", PER_SESSION, THAI, "100.00", "23.00"),
    ("regular fee", None, MASSAGE, "90.00", "0.00"),
    ("regular fee plus tax", None, THAI, "120.00", "27.60"),
]


@pytest.mark.parametrize("keys,service,fee,tax", [c[1:] for c in FEES], ids=[c[0] for c in FEES])
def test_fee_due(keys, service, fee, tax) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    if keys is not None:
        ana.sell(offer(**keys))
    booking = ana.book("2026-12-01T10:00", service)
    assert booking["package"] == (None if keys is None else "ana.p1")
    assert (booking["fee"], booking["fee_tax"]) == (fee, tax)


# ---------------------------------------------------------------- plan_booking


def test_booked_event_records_what_was_chosen_and_why() -> None:
    ana = Client()
    ana.sell(offer())
    event = ana.plan("2026-12-01T10:00", provider="Maria")
    assert event == {
        "type": "booked",
        "clients": ["ana"],
        "booking": {
            "id": "ana.b1", "attendee": "ana", "service": "massage", "service_name": "Massage 60",
            "start": "2026-12-01T10:00:00+00:00", "duration": 60, "provider": "Maria",
            "price": "90.00", "tax_rate": "0", "fee": "0.00", "fee_tax": "0.00",
            "package": "ana.p1", "owner": "ana", "draw": {"key": "massage", "amount": 1},
            "why": "the only eligible package", "series": None, "booked_on": "2026-11-20",
        },
    }


def test_package_option_overrides_the_choice() -> None:
    ana = Client()
    ana.sell(offer("soon", expiry="1 month"))
    ana.sell(offer("later"))
    booking = ana.book("2026-12-01T10:00", package="ana.p2")
    assert (booking["package"], booking["why"]) == ("ana.p2", "chosen with --package")


def test_package_option_refusals() -> None:
    ana = Client()
    ana.sell(offer())
    with pytest.raises(InputError) as err:
        ana.plan("2026-12-01T10:00", package="ana.p9")
    assert str(err.value) == "no client package 'ana.p9' that ana can use; see 'sessionpack balance ana'"
    with pytest.raises(RuleError) as err:
        ana.plan("2026-12-01T10:00", THAI, package="ana.p1")
    assert str(err.value) == "ana.p1 cannot pay for this session: does not include thai"


def test_no_package_books_at_the_regular_fee() -> None:
    ana = Client()
    cp = ana.sell(offer())
    booking = ana.book("2026-12-01T10:00", no_package=True)
    assert (booking["package"], booking["draw"], booking["fee"]) == (None, None, "90.00")
    assert booking["why"] == "booked without a package (--no-package)"
    assert ana.left(cp) == 5


def test_require_package_refuses_with_every_reason() -> None:
    ana = Client()
    with pytest.raises(RuleError) as err:
        ana.plan("2026-12-01T10:00", require_package=True)
    assert str(err.value) == "no package can pay for massage on 2026-12-01 10:00: ana has no packages"
    ana.sell(offer())
    ana.sell(offer("soon", expiry="on 2026-11-30"))
    with pytest.raises(RuleError) as err:
        ana.plan("2026-12-01T10:00", THAI, require_package=True)
    assert str(err.value) == ("no package can pay for thai on 2026-12-01 10:00: ana.p1: does not include thai; "
                              "ana.p2: does not include thai")
    assert ana.plan("2026-12-01T10:00", THAI)["booking"]["why"] == (
        "no eligible package: ana.p1: does not include thai; ana.p2: does not include thai")
    assert ana.plan("2026-12-01T10:00", require_package=True)["booking"]["package"] == "ana.p1"


def test_no_packages_at_all_is_said_so() -> None:
    assert Client().plan("2026-12-01T10:00")["booking"]["why"] == "no eligible package: no packages"


def test_inactive_service_books_only_against_a_package() -> None:
    ana = Client()
    retired = Service("massage", "Massage 60", 60, Decimal("90.00"), active=False)
    with pytest.raises(RuleError) as err:
        ana.plan("2026-12-01T10:00", retired)
    assert str(err.value) == "service 'massage' is inactive: only clients whose packages include it can still book it"
    ana.sell(offer())
    assert ana.book("2026-12-01T10:00", retired)["package"] == "ana.p1"


# ---------------------------------------------------------------- repeat series (rule 5)

REPEATS = [
    # (case, start, rule, count, until, expected starts)
    ("weekly across the spring DST change keeps the wall time", "2027-03-21T10:00", "weekly", 3, None,
     ["2027-03-21T10:00:00+00:00", "2027-03-28T10:00:00+01:00", "2027-04-04T10:00:00+01:00"]),
    ("weekly across the autumn DST change", "2026-10-18T10:00", "weekly", 2, None,
     ["2026-10-18T10:00:00+01:00", "2026-10-25T10:00:00+00:00"]),
    ("every 2 weeks until a date (inclusive)", "2026-12-01T10:00", "every 2 weeks", None, date(2026, 12, 29),
     ["2026-12-01T10:00:00+00:00", "2026-12-15T10:00:00+00:00", "2026-12-29T10:00:00+00:00"]),
    ("every other week", "2026-12-01T10:00", "every other week", 2, None,
     ["2026-12-01T10:00:00+00:00", "2026-12-15T10:00:00+00:00"]),
    ("monthly across month ends: clamped, no month skipped", "2027-01-31T10:00", "monthly", 4, None,
     ["2027-01-31T10:00:00+00:00", "2027-02-28T10:00:00+00:00", "2027-03-31T10:00:00+01:00", "2027-04-30T10:00:00+01:00"]),
    ("monthly in a leap year", "2028-01-31T10:00", "monthly", 2, None,
     ["2028-01-31T10:00:00+00:00", "2028-02-29T10:00:00+00:00"]),
    ("monthly from the 30th keeps the 30th after February", "2027-01-30T10:00", "every month", 3, None,
     ["2027-01-30T10:00:00+00:00", "2027-02-28T10:00:00+00:00", "2027-03-30T10:00:00+01:00"]),
    ("daily", "2026-12-30T18:30", "daily", 3, None,
     ["2026-12-30T18:30:00+00:00", "2026-12-31T18:30:00+00:00", "2027-01-01T18:30:00+00:00"]),
    ("every 3 days", "2026-12-01T10:00", "every 3 days", 2, None, ["2026-12-01T10:00:00+00:00", "2026-12-04T10:00:00+00:00"]),
    ("count and until: the nearer limit wins", "2026-12-01T10:00", "weekly", 5, date(2026, 12, 15),
     ["2026-12-01T10:00:00+00:00", "2026-12-08T10:00:00+00:00", "2026-12-15T10:00:00+00:00"]),
    ("until the first day", "2026-12-01T10:00", "weekly", None, date(2026, 12, 1), ["2026-12-01T10:00:00+00:00"]),
]


@pytest.mark.parametrize("start,rule,count,until,expected", [c[1:] for c in REPEATS], ids=[c[0] for c in REPEATS])
def test_repeat_starts(start, rule, count, until, expected) -> None:  # type: ignore[no-untyped-def]
    starts = repeat_starts(at(start), rule, count, until, TZ)
    assert [s.isoformat() for s in starts] == expected


REPEAT_ERRORS = [
    ("every week day", 3, None, "--repeat 'every week day' is not understood: use daily, weekly, fortnightly, monthly, or 'every N days|weeks|months'"),
    ("every 0 weeks", 3, None, "--repeat interval must be at least 1"),
    ("weekly", None, None, "a repeat needs --count N or --until DATE"),
    ("weekly", 0, None, "--count must be between 1 and 200"),
    ("weekly", 201, None, "--count must be between 1 and 200"),
    ("weekly", None, date(2026, 11, 30), "the series has no dates: --until is before the first session"),
    ("daily", None, date(2027, 12, 31), "a series can have at most 200 sessions; use a nearer --until"),
    ("every 9999 months", 200, None, "the series runs past the year 9999; use a smaller interval or fewer sessions"),
]


@pytest.mark.parametrize("rule,count,until,message", REPEAT_ERRORS)
def test_repeat_errors(rule, count, until, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as err:
        repeat_starts(at("2026-12-01T10:00"), rule, count, until, TZ)
    assert str(err.value) == message


def test_repeat_allows_200_sessions() -> None:
    assert len(repeat_starts(at("2026-12-01T10:00"), "daily", 200, None, TZ)) == 200
    assert len(repeat_starts(at("2026-12-01T10:00"), "daily", None, date(2027, 6, 18), TZ)) == 200


def _series(ana: Client, start: str, count: int, **options: Any) -> list[dict[str, Any]]:
    sessions = [Session("ana", MASSAGE, s, 60) for s in repeat_starts(at(start), "weekly", count, None, TZ)]
    events = plan_series(ana.view, {}, sessions, now=NOW, tz=TZ, currency="EUR", series="ana.b1", **options)
    return [ana.record(e)["booking"] for e in events]


def test_series_draws_while_the_balance_lasts_then_regular_fee() -> None:
    ana = Client()
    cp = ana.sell(offer(contents={"sessions": {"massage": 3}}))
    bookings = _series(ana, "2026-12-01T10:00", 5)
    assert [b["id"] for b in bookings] == ["ana.b1", "ana.b2", "ana.b3", "ana.b4", "ana.b5"]
    assert [b["package"] for b in bookings] == [cp, cp, cp, None, None]
    assert [b["draw"] for b in bookings] == [{"key": "massage", "amount": 1}] * 3 + [None, None]  # never one unit for all
    assert [b["fee"] for b in bookings] == ["0.00"] * 3 + ["90.00"] * 2
    assert bookings[3]["why"] == "no eligible package: ana.p1: no massage sessions left"
    assert {b["series"] for b in bookings} == {"ana.b1"}
    assert ana.left(cp) == 0


def test_series_moves_on_to_the_next_package_when_one_runs_out_or_expires() -> None:
    ana = Client()
    short = ana.sell(offer("short", expiry="1 month", contents={"sessions": {"massage": 3}}))  # through 2026-12-20
    long = ana.sell(offer("long"))
    bookings = _series(ana, "2026-12-01T10:00", 5)
    assert [b["package"] for b in bookings] == [short, short, short, long, long]
    ana2 = Client()
    short = ana2.sell(offer("short", expiry="1 month"))
    long = ana2.sell(offer("long"))
    assert [b["package"] for b in _series(ana2, "2026-12-01T10:00", 4)] == [short, short, short, long]  # 22 Dec: expired


def test_series_on_a_chosen_package_falls_back_to_the_regular_fee() -> None:
    ana = Client()
    ana.sell(offer("other"))
    chosen = ana.sell(offer("two", contents={"sessions": {"massage": 2}}))
    bookings = _series(ana, "2026-12-01T10:00", 4, package=chosen)
    assert [b["package"] for b in bookings] == [chosen, chosen, None, None]
    assert bookings[2]["why"] == "ana.p2 cannot pay for this session: no massage sessions left"
    assert bookings[2]["fee"] == "90.00"


def test_series_with_require_package_is_refused_whole() -> None:
    ana = Client()
    ana.sell(offer(contents={"sessions": {"massage": 2}}))
    with pytest.raises(RuleError) as err:
        _series(ana, "2026-12-01T10:00", 3, require_package=True)
    assert str(err.value) == "no package can pay for massage on 2026-12-15 10:00: ana.p1: no massage sessions left"
    with pytest.raises(RuleError) as err:
        _series(ana, "2026-12-01T10:00", 3, require_package=True, package="ana.p1")
    assert str(err.value) == "ana.p1 cannot pay for this session: no massage sessions left"
    assert ana.view["bookings"] == {}


# ---------------------------------------------------------------- status changes (rule 6)

START = "2026-12-01T10:00"  # a 24 h window opens at 2026-11-30T10:00
EARLY = at("2026-11-25T10:00")
LATE = at("2026-11-30T11:00")

STATUS_CHANGES = [
    # (case, catalog keys, action, now, options, outcome, late, status, remaining, balance state of the draw)
    ("cancel returns the session", {}, "cancel", EARLY, {}, "return", False, "cancelled", 5, None),
    ("late cancel, policy return", {}, "cancel", LATE, {}, "return", True, "late-cancelled", 5, None),
    ("late cancel, policy forfeit", {"policies": {"late_cancel": "forfeit"}}, "cancel", LATE, {}, "forfeit", True,
     "late-cancelled", 4, "forfeited"),
    ("cancel at the very start of the window is late", {"policies": {"late_cancel": "forfeit"}}, "cancel",
     at("2026-11-30T10:00"), {}, "forfeit", True, "late-cancelled", 4, "forfeited"),
    ("cancel one minute before the window is not late", {"policies": {"late_cancel": "forfeit"}}, "cancel",
     at("2026-11-30T09:59"), {}, "return", False, "cancelled", 5, None),
    ("a 48 h window", {"policies": {"late_cancel": "forfeit", "late_cancel_hours": 48}}, "cancel",
     at("2026-11-29T12:00"), {}, "forfeit", True, "late-cancelled", 4, "forfeited"),
    ("a 0 h window: no cancel is ever late", {"policies": {"late_cancel": "forfeit", "late_cancel_hours": 0}}, "cancel",
     at("2026-12-01T10:30"), {}, "return", False, "cancelled", 5, None),
    ("late cancel returned by a person", {"policies": {"late_cancel": "forfeit"}}, "cancel", LATE,
     {"override": "return", "reason": "snowstorm"}, "return", True, "late-cancelled", 5, None),
    ("early cancel forfeited by a person", {}, "cancel", EARLY, {"override": "forfeit", "reason": "third time"},
     "forfeit", False, "cancelled", 4, "forfeited"),
    ("no-show returns by default", {}, "no-show", at("2026-12-01T11:00"), {}, "return", None, "no-show", 5, None),
    ("no-show, policy forfeit", {"policies": {"no_show": "forfeit"}}, "no-show", at("2026-12-01T11:00"), {},
     "forfeit", None, "no-show", 4, "forfeited"),
    ("no-show returned by a person", {"policies": {"no_show": "forfeit"}}, "no-show", at("2026-12-01T11:00"),
     {"override": "return", "reason": "hospital"}, "return", None, "no-show", 5, None),
    ("no-show forfeited by a person", {}, "no-show", at("2026-12-01T11:00"), {"override": "forfeit", "reason": "again"},
     "forfeit", None, "no-show", 4, "forfeited"),
    ("attended: used", {}, "attend", at("2026-12-01T11:00"), {}, None, None, "attended", 4, "used"),
]


@pytest.mark.parametrize("keys,action,now,options,outcome,late,status,left,state", [c[1:] for c in STATUS_CHANGES],
                         ids=[c[0] for c in STATUS_CHANGES])
def test_change_status(keys, action, now, options, outcome, late, status, left, state) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    cp = ana.sell(offer(**keys))
    booking = ana.book(START)
    event = ana.change(booking["id"], action, now=now, **options)
    assert event.get("outcome") == outcome
    assert event.get("late") == late
    assert event.get("reason") == options.get("reason")
    assert ana.view["bookings"][booking["id"]]["status"] == status
    assert ana.left(cp) == left
    draw = ana.pkg(cp)["draws"].get(booking["id"])
    assert (draw["state"] if draw else None) == state
    row = balances.balance(ana.pkg(cp))["massage"]
    assert (row["used"], row["forfeited"], row["scheduled"]) == (
        1 if state == "used" else 0, 1 if state == "forfeited" else 0, 0)


def test_override_needs_a_reason() -> None:
    ana = Client()
    ana.sell(offer())
    booking = ana.book(START)
    with pytest.raises(InputError) as err:
        change_status(ana.view["bookings"][booking["id"]], ana.view, "cancel", now=LATE, currency="EUR", override="return")
    assert str(err.value) == "overriding the package's policy needs --reason"


@pytest.mark.parametrize("first,then,word", [
    ("attend", "cancel", "attended"), ("cancel", "attend", "cancelled"), ("no-show", "cancel", "no-show"),
    ("cancel", "no-show", "cancelled"), ("attend", "attend", "attended"),
])
def test_a_changed_booking_cannot_change_again(first, then, word) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    cp = ana.sell(offer())
    booking = ana.book(START)
    after_start = at("2026-12-01T11:00")  # attendance and no-shows are marked once the session has started (rule 21)
    ana.change(booking["id"], first, now=EARLY if first == "cancel" else after_start)
    before = copy.deepcopy(ana.view)
    with pytest.raises(RuleError) as err:
        change_status(ana.view["bookings"][booking["id"]], ana.view, then, now=after_start, currency="EUR")
    assert str(err.value) == (f"booking ana.b1 is already {word}; nothing was changed (to change that, undo the command that "
                              "did it: 'sessionpack log --client ana' shows its id)")
    assert ana.view == before
    assert cp in ana.view["packages"]


def test_a_late_cancelled_booking_says_so() -> None:
    ana = Client()
    ana.sell(offer())
    booking = ana.book(START)
    ana.change(booking["id"], "cancel", now=LATE)
    with pytest.raises(RuleError) as err:
        change_status(ana.view["bookings"][booking["id"]], ana.view, "cancel", now=LATE, currency="EUR")
    assert str(err.value) == ("booking ana.b1 is already late-cancelled; nothing was changed (to change that, undo the command "
                              "that did it: 'sessionpack log --client ana' shows its id)")


CHARGES = [
    # (case, money amount, charge percent, service, kept, remaining after)
    ("half of the service price", "200", 50, THAI, "60.00", Decimal("140.00")),
    ("half of the price even when the balance paid less", "100", 50, THAI, "60.00", Decimal("40.00")),
    ("never more than was drawn", "100", 100, THAI, "100.00", Decimal("0.00")),
    ("a rounded share", "100", "33.3", MASSAGE, "29.97", Decimal("70.03")),
]


@pytest.mark.parametrize("amount,percent,service,kept,left", [c[1:] for c in CHARGES], ids=[c[0] for c in CHARGES])
def test_late_cancel_charges_a_share_of_a_money_package(amount, percent, service, kept, left) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    cp = ana.sell(offer("credit", contents={"pool": "money", "amount": amount}, payment={"price": amount},
                        policies={"late_cancel": "charge", "charge_percent": percent}))
    booking = ana.book(START, service)
    event = ana.change(booking["id"], "cancel", now=LATE)
    assert (event["outcome"], event["late"], event["kept"]) == ("charge", True, kept)
    assert ana.left(cp, "money") == left
    assert ana.pkg(cp)["draws"][booking["id"]] == {"key": "money", "amount": kept, "state": "forfeited",
                                                   "date": "2026-12-01", "attendee": "ana"}
    assert (ana.view["bookings"][booking["id"]]["fee"], ana.view["bookings"][booking["id"]]["fee_tax"]) == ("0.00", "0.00")


def test_early_cancel_of_a_money_package_returns_everything() -> None:
    ana = Client()
    cp = ana.sell(offer("credit", **dict(MONEY_100, policies={"late_cancel": "charge", "charge_percent": 50})))
    booking = ana.book(START)
    event = ana.change(booking["id"], "cancel", now=EARLY)
    assert (event["outcome"], "kept" in event) == ("return", False)
    assert ana.left(cp, "money") == Decimal("100.00")


def test_cancel_returns_minutes_exactly() -> None:
    ana = Client()
    cp = ana.sell(offer("minutes", contents={"pool": "minutes", "amount": 100}))
    booking = ana.book(START, duration=45)
    assert ana.left(cp, "minutes") == 55
    ana.change(booking["id"], "cancel", now=EARLY)
    assert ana.left(cp, "minutes") == 100


def test_cancel_or_no_show_at_the_regular_fee() -> None:
    ana = Client()
    b1 = ana.book(START)
    event = ana.change(b1["id"], "cancel", now=LATE)
    assert (event["outcome"], event["late"], event["package"]) == (None, False, None)
    assert (ana.view["bookings"][b1["id"]]["status"], ana.view["bookings"][b1["id"]]["fee"]) == ("cancelled", "0.00")
    b2 = ana.book("2026-12-02T10:00", THAI)
    event = ana.change(b2["id"], "no-show", now=at("2026-12-02T12:00"))
    assert event["outcome"] is None
    assert (ana.view["bookings"][b2["id"]]["fee"], ana.view["bookings"][b2["id"]]["fee_tax"]) == ("120.00", "27.60")


def test_per_session_fee_after_cancel() -> None:
    ana = Client()
    ana.sell(offer(**dict(PER_SESSION, policies={"late_cancel": "forfeit"})))
    b1 = ana.book(START, THAI)
    b2 = ana.book("2026-12-02T10:00", THAI)
    ana.change(b1["id"], "cancel", now=LATE)  # forfeited late cancel: billed like the session
    ana.change(b2["id"], "cancel", now=LATE)  # in time: nothing due
    assert (ana.view["bookings"][b1["id"]]["fee"], ana.view["bookings"][b1["id"]]["fee_tax"]) == ("100.00", "23.00")
    assert (ana.view["bookings"][b2["id"]]["fee"], ana.view["bookings"][b2["id"]]["fee_tax"]) == ("0.00", "0.00")


def test_reason_is_kept_on_the_booking() -> None:
    ana = Client()
    ana.sell(offer())
    booking = ana.book(START)
    ana.change(booking["id"], "attend", now=at("2026-12-01T11:00"), reason="came late")
    assert ana.view["bookings"][booking["id"]]["reason"] == "came late"
