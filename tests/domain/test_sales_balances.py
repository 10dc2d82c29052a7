"""Selling, paying, balances, statuses and history, pure (rules 1, 2 and 6 of docs/rules.md)."""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from sessionpack.domain import balances, ledger
from sessionpack.domain.bookings import Session, change_status, plan_booking
from sessionpack.domain.ledger import apply_to_client, empty_client_view
from sessionpack.domain.packages import package_from_mapping
from sessionpack.domain.sales import pay, payment_state, sell
from sessionpack.domain.services import Service
from sessionpack.errors import InputError, RuleError
from sessionpack.reports.balances import balance_table_rows, client_summaries, history_rows, package_summary

from practice_data import MASSAGE, NOW, SERVICES, SOLD, THAI, TZ, at


def offer(pid: str = "five", **data: Any):  # type: ignore[no-untyped-def]
    base: dict[str, Any] = {"name": "5 massages", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400", "tax": "23"}}
    base.update(data)
    return package_from_mapping(pid, base, "EUR", SERVICES)


PER_SESSION = {"contents": {"pool": "count", "amount": 10, "services": ["massage"]},
               "payment": {"mode": "per-session", "fees": {"massage": "70"}}}


class Client:
    def __init__(self, cid: str = "ana") -> None:
        self.id = cid
        self.view = empty_client_view(cid)
        self.seq = 0
        self.record({"type": "client-added", "clients": [cid], "client": {"id": cid, "name": "Ana Lima", "email": "", "tags": []}})

    def record(self, event: dict[str, Any], now: datetime = NOW) -> dict[str, Any]:
        self.seq += 1
        stamped = dict(copy.deepcopy(event), seq=self.seq, at=now.isoformat(), actor="tester")
        apply_to_client(self.view, stamped)
        return stamped

    def sell(self, package: Any, day: date = SOLD, **options: Any) -> str:
        event = sell(self.view, package, currency="EUR", sale_date=day, invoice="000001", **options)
        return self.record(event)["client_package"]

    def book(self, start: str, service: Service = MASSAGE, now: datetime = NOW, **options: Any) -> str:
        session = Session(self.id, service, at(start), service.duration)
        event = plan_booking(self.view, {}, session, now=now, tz=TZ, currency="EUR", **options)
        return self.record(event, now)["booking"]["id"]

    def change(self, booking_id: str, action: str, now: datetime = NOW, **options: Any) -> None:
        booking = self.view["bookings"][booking_id]
        self.record(change_status(booking, self.view if booking.get("package") else None, action, now=now,
                                  currency="EUR", **options), now)

    def pkg(self, cp_id: str = "ana.p1") -> dict[str, Any]:
        return self.view["packages"][cp_id]


# ---------------------------------------------------------------- sell (rule 1)


def test_sell_copies_the_terms_and_records_the_sale() -> None:
    ana = Client()
    package = offer(expiry="3 months", visibility="hidden")
    event = sell(ana.view, package, currency="EUR", sale_date=date(2026, 11, 2), invoice="000007", reference="shop-1")
    assert event == {
        "type": "sold", "clients": ["ana"], "shared_with": [], "client_package": "ana.p1", "terms": package.terms(),
        "sale": {"date": "2026-11-02", "price": "400.00", "tax": "92.00", "total": "492.00", "invoice": "000007",
                 "reference": "shop-1", "assigned": False,
                 "valuation": {"method": "count", "price": "400.00", "parts": {"massage": ["400.00", 5]}}},
        "paid": "492.00",
    }
    ana.record(event)
    pkg = ana.pkg()
    assert pkg["terms"] == package.terms()
    assert (pkg["package"], pkg["owner"], pkg["status"], pkg["sale"]["actor"], pkg["sale"]["at"]) == (
        "five", "ana", "active", "tester", NOW.isoformat())
    assert balances.expiry(pkg) == date(2027, 2, 2)  # from the (back-dated) sale date
    assert ledger.ref_entries(ana.view) == {("shop-1", "ana.p1"): {
        "client": "ana", "date": "2026-11-02", "invoice": "000007", "package": "five", "price": "400.00"}}
    ana.sell(package)
    assert list(ana.view["packages"]) == ["ana.p1", "ana.p2"]


def test_later_edits_of_the_package_do_not_change_what_was_bought() -> None:
    ana = Client()
    ana.sell(offer())
    edited = offer(contents={"sessions": {"massage": 2}}, payment={"price": "100"})
    assert edited.terms() != ana.pkg()["terms"]
    assert balances.remaining(ana.pkg(), "massage") == 5
    assert ana.pkg()["sale"]["total"] == "492.00"


SALES = [
    # (case, catalog keys, options, price, tax, total, paid, payment state)
    ("default price, paid in full", {}, {}, "400.00", "92.00", "492.00", "492.00", "paid"),
    ("price override, tax follows the package", {}, {"price": Decimal("300.00")}, "300.00", "69.00", "369.00", "369.00", "paid"),
    ("partly paid", {}, {"paid": Decimal("100.00")}, "400.00", "92.00", "492.00", "100.00", "partly paid"),
    ("unpaid", {}, {"paid": Decimal("0.00")}, "400.00", "92.00", "492.00", "0.00", "unpaid"),
    ("free package", {"payment": {"price": "0"}}, {}, "0.00", "0.00", "0.00", "0.00", "paid"),
    ("per session: nothing at sale", PER_SESSION, {}, "0.00", "0.00", "0.00", "0.00", "per session"),
    ("per session with --price 0", PER_SESSION, {"price": Decimal("0.00")}, "0.00", "0.00", "0.00", "0.00", "per session"),
    ("assigned at price 0", {"visibility": "not-for-sale"}, {"assign": True, "price": Decimal("0.00")},
     "0.00", "0.00", "0.00", "0.00", "paid"),
]


@pytest.mark.parametrize("keys,options,price,tax,total,paid,state", [c[1:] for c in SALES], ids=[c[0] for c in SALES])
def test_sale_amounts_and_payment_state(keys, options, price, tax, total, paid, state) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    cp = ana.sell(offer(**keys), **options)
    sale = ana.pkg(cp)["sale"]
    assert (sale["price"], sale["tax"], sale["total"], ana.pkg(cp)["paid"]) == (price, tax, total, paid)
    assert sale["assigned"] is bool(options.get("assign"))
    assert payment_state(ana.pkg(cp)) == state


SELL_REFUSALS = [
    ("inactive", {"status": "inactive"}, {}, RuleError,
     "package 'five' is inactive; activate it with 'sessionpack package edit five --active' to sell it"),
    ("deleted", {"deleted": True}, {}, RuleError, "package 'five' was deleted; clone it to sell something like it"),
    ("deleted and inactive: deleted first", {"deleted": True, "status": "inactive"}, {"assign": True}, RuleError,
     "package 'five' was deleted; clone it to sell something like it"),
    ("inactive even by assignment", {"status": "inactive", "visibility": "not-for-sale"}, {"assign": True}, RuleError,
     "package 'five' is inactive; activate it with 'sessionpack package edit five --active' to sell it"),
    ("not for sale without assign", {"visibility": "not-for-sale"}, {}, RuleError,
     "package 'five' is not for sale; assign it with 'sessionpack assign ana five'"),
    ("--price on a per-session package", PER_SESSION, {"price": Decimal("10.00")}, InputError,
     "package 'five' is paid per session: it has no price at sale (leave out --price)"),
    ("paid more than the total", {}, {"paid": Decimal("500.00")}, InputError,
     "paid 500.00 is more than the sale's total 492.00 EUR"),
]


@pytest.mark.parametrize("keys,options,error,message", [c[1:] for c in SELL_REFUSALS], ids=[c[0] for c in SELL_REFUSALS])
def test_sell_refusals(keys, options, error, message) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    with pytest.raises(error) as err:
        sell(ana.view, offer(**keys), currency="EUR", sale_date=SOLD, invoice="1", **options)
    assert type(err.value) is error
    assert str(err.value) == message


# ---------------------------------------------------------------- pay


def test_pay_records_later_payments_until_paid() -> None:
    ana = Client()
    ana.sell(offer(), paid=Decimal("0.00"))
    event = pay(ana.pkg(), Decimal("92.00"), "EUR", "card")
    assert event == {"type": "paid", "clients": ["ana"], "client_package": "ana.p1", "amount": "92.00", "method": "card"}
    ana.record(event)
    assert (ana.pkg()["paid"], payment_state(ana.pkg())) == ("92.00", "partly paid")
    ana.record(pay(ana.pkg(), Decimal("400.00"), "EUR"))
    assert (ana.pkg()["paid"], payment_state(ana.pkg())) == ("492.00", "paid")


PAY_REFUSALS = [
    ("nothing", {"paid": Decimal("100.00")}, "0.00", InputError, "the amount paid must be more than 0"),
    ("negative", {"paid": Decimal("100.00")}, "-5.00", InputError, "the amount paid must be more than 0"),
    ("more than due", {"paid": Decimal("100.00")}, "400.00", RuleError,
     "ana.p1 has 392.00 EUR left to pay; 400.00 is more than that"),
    ("already paid", {}, "1.00", RuleError, "ana.p1 is already paid in full"),
    ("per session: nothing to pay", "per-session", "1.00", RuleError, "ana.p1 is already paid in full"),
]


@pytest.mark.parametrize("options,amount,error,message", [c[1:] for c in PAY_REFUSALS], ids=[c[0] for c in PAY_REFUSALS])
def test_pay_refusals(options, amount, error, message) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    if options == "per-session":
        ana.sell(offer(**PER_SESSION))
    else:
        ana.sell(offer(), **options)
    with pytest.raises(error) as err:
        pay(ana.pkg(), Decimal(amount), "EUR")
    assert type(err.value) is error
    assert str(err.value) == message


# ---------------------------------------------------------------- balances


def test_balance_shows_used_forfeited_scheduled_and_remaining_separately() -> None:
    ana = Client()
    ana.sell(offer(policies={"no_show": "forfeit"}))
    b1, b2, b3, b4 = (ana.book(f"2026-12-0{d}T10:00") for d in (1, 2, 3, 4))
    ana.change(b1, "attend", now=at("2026-12-01T11:00"))
    ana.change(b2, "no-show", now=at("2026-12-02T11:00"))
    ana.change(b3, "cancel", now=at("2026-11-25T11:00"))
    assert balances.balance(ana.pkg()) == {"massage": {
        "total": 5, "adjusted": 0, "used": 1, "forfeited": 1, "scheduled": 1, "transferred": 0, "voided": 0, "expired": 0, "remaining": 2}}
    assert b4 in ana.pkg()["draws"] and b3 not in ana.pkg()["draws"]


def test_money_balance_is_in_the_currency_minor_unit() -> None:
    ana = Client()
    ana.sell(offer("credit", contents={"pool": "money", "amount": "100"}, payment={"price": "100"}))
    assert balances.balance(ana.pkg()) == {"money": {
        "total": Decimal("100.00"), "adjusted": Decimal("0.00"), "used": Decimal("0.00"), "forfeited": Decimal("0.00"),
        "scheduled": Decimal("0.00"), "transferred": Decimal("0.00"), "voided": Decimal("0.00"), "expired": Decimal("0.00"), "remaining": Decimal("100.00")}}
    summary = package_summary(ana.pkg(), NOW, TZ)
    assert summary["remaining"] == {"money": "100.00"}
    assert set(summary["balances"]["money"].values()) == {"100.00", "0.00"}


def test_unlimited_balances() -> None:
    ana = Client()
    ana.sell(offer("mixed", contents={"sessions": {"massage": "unlimited", "thai": 2}}))
    ana.book("2026-12-01T10:00")
    ana.book("2026-12-01T12:00", THAI)
    assert package_summary(ana.pkg(), NOW, TZ)["remaining"] == {"massage": "unlimited", "thai": 1}
    ana.sell(offer("all", contents={"pool": "unlimited"}))
    assert package_summary(ana.pkg("ana.p2"), NOW, TZ)["remaining"] == {"unlimited": "unlimited"}


# ---------------------------------------------------------------- statuses at read time (item 7)


def _attend_all(ana: Client) -> None:
    for bid in list(ana.view["bookings"]):
        ana.change(bid, "attend", now=at("2026-12-02T12:00"))


STATUSES = [
    # (case, catalog keys, what happens, now, status, expires, forfeited at expiry)
    ("fresh", {"expiry": "1 month"}, None, NOW, "active", "2026-12-20", {}),
    ("on its last day", {"expiry": "1 month"}, None, at("2026-12-20T23:59"), "active", "2026-12-20", {}),
    ("the day after", {"expiry": "1 month"}, None, at("2026-12-21T00:00"), "expired", "2026-12-20", {"massage": 5}),
    ("expired with sessions used: what was left is forfeited", {"expiry": "1 month"},
     lambda a: (a.book("2026-12-01T10:00"), a.book("2026-12-02T10:00"), _attend_all(a)),
     at("2027-01-05T10:00"), "expired", "2026-12-20", {"massage": 3}),
    ("used up", {"contents": {"sessions": {"massage": 1}}}, lambda a: (a.book("2026-12-01T10:00"), _attend_all(a)),
     at("2026-12-05T10:00"), "used up", None, {}),
    ("nothing left but a session still scheduled", {"contents": {"sessions": {"massage": 1}}},
     lambda a: a.book("2026-12-01T10:00"), NOW, "active", None, {}),
    ("used up by forfeits", {"contents": {"sessions": {"massage": 1}}, "policies": {"no_show": "forfeit"}},
     lambda a: a.change(a.book("2026-12-01T10:00"), "no-show", now=at("2026-12-01T12:00")), NOW, "used up", None, {}),
    ("cancelled", {}, lambda a: a.pkg().update(status="cancelled"), NOW, "cancelled", None, {}),
    ("refunded", {"expiry": "1 month"}, lambda a: a.pkg().update(status="refunded"), at("2027-05-01T10:00"), "refunded", "2026-12-20", {}),
    ("paused today", {}, lambda a: a.pkg().update(pauses=[{"from": "2026-11-18", "until": "2026-11-22"}]), NOW, "paused", None, {}),
    ("a pause extends the expiry", {"expiry": "1 month"},
     lambda a: a.pkg().update(pauses=[{"from": "2026-12-01", "until": "2026-12-10"}]), at("2026-12-25T10:00"),
     "active", "2026-12-30", {}),
    ("first use not started never expires", {"expiry": "1 month from first use"}, None, at("2030-01-01T10:00"), "active", None, {}),
    ("first use started", {"expiry": "1 month from first use"}, lambda a: a.book("2026-12-01T10:00"),
     at("2027-01-02T10:00"), "expired", "2027-01-01", {"massage": 4}),
    ("unlimited is never used up", {"contents": {"sessions": {"massage": "unlimited"}}},
     lambda a: (a.book("2026-12-01T10:00"), _attend_all(a)), at("2027-01-02T10:00"), "active", None, {}),
]


@pytest.mark.parametrize("keys,happen,now,status,expires,forfeited", [c[1:] for c in STATUSES], ids=[c[0] for c in STATUSES])
def test_status_derived_at_read_time(keys, happen, now, status, expires, forfeited) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    ana.sell(offer(**keys))
    if happen:
        happen(ana)
    assert balances.status(ana.pkg(), now, TZ) == status
    summary = package_summary(ana.pkg(), now, TZ)
    assert (summary["status"], summary["expires"], summary["forfeited_at_expiry"]) == (status, expires, forfeited)


def test_package_summary_is_the_documented_balance_json() -> None:
    ana = Client()
    ana.sell(offer(expiry="1 month from first use"), paid=Decimal("100.00"))
    summary = package_summary(ana.pkg(), NOW, TZ)
    assert {k: summary[k] for k in ("id", "package", "status", "expires", "remaining")} == {
        "id": "ana.p1", "package": "five", "status": "active", "expires": None, "remaining": {"massage": 5}}
    assert (summary["starts_at_first_use"], summary["payment"], summary["paid"], summary["total"]) == (
        True, "partly paid", "100.00", "492.00")


def test_client_summaries_active_only_and_in_sale_order() -> None:
    ana = Client()
    for n in range(11):
        ana.sell(offer(f"p{n}", expiry="1 month" if n == 3 else "none"))
    later = at("2027-01-01T10:00")
    assert [s["id"] for s in client_summaries(ana.view, later, TZ)] == [f"ana.p{n}" for n in range(1, 12)]
    assert "ana.p4" not in [s["id"] for s in client_summaries(ana.view, later, TZ, include_inactive=False)]


def test_balance_table_rows_say_what_was_forfeited_and_adjusted() -> None:
    ana = Client()
    ana.sell(offer(policies={"no_show": "forfeit"}))
    b1 = ana.book("2026-12-01T10:00")
    ana.book("2026-12-02T10:00")
    ana.change(b1, "no-show", now=at("2026-12-01T12:00"))
    ana.pkg()["adjustments"] = {"massage": -1}
    rows = balance_table_rows([package_summary(ana.pkg(), NOW, TZ)], now=NOW, tz=TZ)
    assert rows == [{"client": "ana", "id": "ana.p1", "package": "five", "name": "5 massages", "label": "5 massages",
                     "item": "massage", "total": 5, "adjusted": -1, "used": 0, "forfeited": 1, "scheduled": 1,
                     "transferred": 0, "voided": 0, "expired": 0, "remaining": 2, "before_import": 0, "expires": None, "starts_at_first_use": False,
                     "status": "active", "shared_by": None, "total_text": "5 -1", "used_text": "0 + 1 forfeited", "out_text": 0,
                     "status_text": "active", "left": "2/4", "booked": 1, "valid": "never"}]


# ---------------------------------------------------------------- history (item 6)


def test_history_rows_oldest_first_with_who_what_why_and_running_balance() -> None:
    ana = Client()
    ana.sell(offer())
    b1 = ana.book("2026-12-01T10:00")
    ana.book("2026-12-02T10:00", THAI)  # regular fee: touches no package
    ana.change(b1, "cancel", now=at("2026-11-30T12:00"), override="return", reason="snowstorm")
    rows = history_rows(ana.view, "ana.p1")
    assert [(r["seq"], r["what"], r["why"], r["change"], r["balance"]) for r in rows] == [
        (2, "sold five as ana.p1 for 492.00 (invoice 000001, paid 492.00)", "", "massage +5", "massage 5"),
        (3, "booked ana.b1: massage on 2026-12-01 10:00 for ana; draws 1 massage from ana.p1", "the only eligible package",
         "massage -1", "massage 4"),
        (5, "ana.b1: late cancel; returned to ana.p1", "snowstorm", "massage +1", "massage 5"),
    ]
    assert [(r["actor"], r["at"]) for r in rows] == [("tester", NOW.isoformat())] * 2 + [("tester", "2026-11-30T12:00:00+00:00")]
    everything = history_rows(ana.view)
    assert [r["seq"] for r in everything] == [1, 2, 3, 4, 5]
    assert everything[3]["what"] == "booked ana.b2: thai on 2026-12-02 10:00 for ana; regular fee 120.00 + 27.60 tax"
    assert everything[3]["why"] == "no eligible package: ana.p1: does not include thai"
    assert (everything[3]["change"], everything[3]["balance"]) == ("", "")


def test_history_changes_add_up_to_the_balance() -> None:
    ana = Client()
    ana.sell(offer("credit", contents={"pool": "money", "amount": "300"}, payment={"price": "300"},
                   policies={"late_cancel": "charge", "charge_percent": 50}))
    b1 = ana.book("2026-12-01T10:00", THAI)
    ana.book("2026-12-02T10:00")
    ana.change(b1, "cancel", now=at("2026-12-01T09:00"))
    rows = history_rows(ana.view, "ana.p1")
    assert [r["change"] for r in rows] == ["money +300.00", "money -120.00", "money -90.00", "money +60.00"]
    total = sum((r["_change"].get("money", Decimal(0)) for r in rows), Decimal(0))
    assert total == balances.remaining(ana.pkg(), "money") == Decimal("150.00")
