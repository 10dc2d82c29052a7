"""Link, unlink, booking payments, refunds and cancelled client packages, pure
(rules 7 and 10 of docs/rules.md). Views are built by folding stamped events, exactly as
the store does after a commit.
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from sessionpack.domain import balances
from sessionpack.domain.bookings import Session, change_status, plan_booking
from sessionpack.domain.ledger import apply_to_client, empty_client_view
from sessionpack.domain.links import booking_payment, pay_booking, plan_link, plan_unlink
from sessionpack.domain.packages import package_from_mapping
from sessionpack.domain.refunds import Refund, attendees_of, plan_close, refund_amount
from sessionpack.domain.sales import payment_state, sell
from sessionpack.domain.services import Service
from sessionpack.errors import InputError, RuleError

from practice_data import MASSAGE, NOW, SERVICES, SOLD, THAI, TZ, at

LATER = at("2026-11-26T09:00")


def offer(pid: str = "five", **data: Any):  # type: ignore[no-untyped-def]
    base: dict[str, Any] = {"name": pid, "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400", "tax": "23"}}
    base.update(data)
    return package_from_mapping(pid, base, "EUR", SERVICES)


class Client:
    """One client's view, changed only by folding stamped events (kept, to fold again)."""

    def __init__(self, cid: str = "ana") -> None:
        self.id = cid
        self.view = empty_client_view(cid)
        self.log: list[dict[str, Any]] = []
        self.record({"type": "client-added", "clients": [cid], "client": {"id": cid, "name": cid.title(), "email": "", "tags": []}})

    def record(self, event: dict[str, Any], now: datetime = NOW) -> dict[str, Any]:
        stamped = dict(copy.deepcopy(event), seq=len(self.log) + 1, at=now.isoformat(), actor="tester")
        apply_to_client(self.view, stamped)
        self.log.append(stamped)
        return stamped

    def sell(self, package: Any, day: date = SOLD, **options: Any) -> str:
        return self.record(sell(self.view, package, currency="EUR", sale_date=day, invoice="1", **options))["client_package"]

    def book(self, start: str, service: Service = MASSAGE, **options: Any) -> str:
        session = Session(self.id, service, at(start), options.pop("duration", service.duration))
        return self.record(plan_booking(self.view, {}, session, now=NOW, tz=TZ, currency="EUR", **options))["booking"]["id"]

    def change(self, bid: str, action: str, now: datetime = NOW, **options: Any) -> None:
        booking = self.view["bookings"][bid]
        self.record(change_status(booking, self.view if booking.get("package") else None, action, now=now, currency="EUR", **options), now)

    def link(self, bid: str, cp: str, now: datetime = NOW, **options: Any) -> dict[str, Any]:
        event = plan_link(self.view["bookings"][bid], self.view, self.view, cp, now=now, tz=TZ, currency="EUR", **options)
        return self.record(event, now)

    def unlink(self, bid: str, **options: Any) -> dict[str, Any]:
        return self.record(plan_unlink(self.view["bookings"][bid], self.view, currency="EUR", **options))

    def close(self, cp: str, refund: Refund | None, now: datetime = LATER, **options: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        options.setdefault("reason", "moving")
        options.setdefault("cancel_bookings", False)
        events, summary = plan_close(self.view, {self.id: self.view}, cp, refund=refund, now=now, tz=TZ, currency="EUR", **options)
        for event in events:
            self.record(event, now)
        return events, summary

    def pkg(self, cp: str) -> dict[str, Any]:
        return self.view["packages"][cp]

    def left(self, cp: str) -> dict[str, Any]:
        return {key: row["remaining"] for key, row in balances.balance(self.pkg(cp)).items()}

    def refolded(self) -> dict[str, Any]:
        view = empty_client_view(self.id)
        for event in self.log:
            apply_to_client(view, copy.deepcopy(event))
        return view


# ---------------------------------------------------------------- link: what it draws and what it costs


LINKS = [
    # (case, package keys, booked service, link options, draw, fee, fee tax)
    ("a session of an included service", {}, MASSAGE, {}, {"key": "massage", "amount": 1}, "0.00", "0.00"),
    ("counted as an included service", {}, THAI, {"count_as": MASSAGE}, {"key": "massage", "amount": 1}, "0.00", "0.00"),
    ("minutes: the booked duration", {"contents": {"pool": "minutes", "amount": 180}}, THAI, {}, {"key": "minutes", "amount": 90}, "0.00", "0.00"),
    ("money: the price on the booking, the rest due", {"contents": {"pool": "money", "amount": "100"}, "payment": {"price": "100"}},
     THAI, {}, {"key": "money", "amount": "100.00"}, "20.00", "4.60"),
    ("money counted as another service: that service's price", {"contents": {"pool": "money", "amount": "100", "services": ["massage"]},
                                                                "payment": {"price": "100"}},
     THAI, {"count_as": MASSAGE}, {"key": "money", "amount": "90.00"}, "0.00", "0.00"),
    ("per session: the package's fee and the service's tax",
     {"contents": {"pool": "count", "amount": 10, "services": ["massage", "thai"]},
      "payment": {"mode": "per-session", "fees": {"massage": "70", "thai": "100"}}}, THAI, {}, {"key": "count", "amount": 1}, "100.00", "23.00"),
    ("no count, upfront: covered", {}, THAI, {"no_count": True}, None, "0.00", "0.00"),
    ("no count, per session without a fee for it: the regular fee",
     {"contents": {"pool": "count", "amount": 10, "services": ["massage"]}, "payment": {"mode": "per-session", "fees": {"massage": "70"}}},
     THAI, {"no_count": True}, None, "120.00", "27.60"),
    ("unlimited: one session", {"contents": {"pool": "unlimited"}}, THAI, {}, {"key": "unlimited", "amount": 1}, "0.00", "0.00"),
]


@pytest.mark.parametrize("keys,service,options,draw,fee,fee_tax", [c[1:] for c in LINKS], ids=[c[0] for c in LINKS])
def test_link_draws_as_booking_would_and_sets_the_fee(keys, service, options, draw, fee, fee_tax) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    cp = ana.sell(offer(**keys))
    bid = ana.book("2026-12-01T10:00", service, no_package=True)
    before = copy.deepcopy(ana.pkg(cp))
    event = ana.link(bid, cp, **options)
    assert (event["draw"], event["fee"], event["fee_tax"]) == (draw, fee, fee_tax)
    booking = ana.view["bookings"][bid]
    assert (booking["package"], booking["owner"], booking["draw"], booking["fee"], booking["fee_tax"]) == (cp, "ana", draw, fee, fee_tax)
    if draw:
        assert ana.pkg(cp)["draws"][bid] == {**draw, "state": "scheduled", "date": "2026-12-01", "attendee": "ana"}
    # Unlinking gives back exactly that, and the booking is at its regular fee again.
    back = ana.unlink(bid)
    assert back["returned"] == draw
    assert ana.pkg(cp) == before
    booking = ana.view["bookings"][bid]
    assert (booking["package"], booking["draw"], booking["fee"], booking["fee_tax"]) == (
        None, None, booking["price"], "27.60" if service is THAI else "0.00")
    assert json.dumps(ana.refolded(), sort_keys=True) == json.dumps(ana.view, sort_keys=True)


def test_an_attended_session_linked_later_counts_as_used() -> None:
    ana = Client()
    cp = ana.sell(offer())
    bid = ana.book("2026-11-21T10:00", no_package=True)
    ana.change(bid, "attend", now=at("2026-11-21T11:00"))
    ana.link(bid, cp, now=at("2026-11-22T09:00"))
    assert ana.pkg(cp)["draws"][bid]["state"] == "used"
    assert balances.balance(ana.pkg(cp))["massage"]["used"] == 1


FORCED = [
    # (case, package keys, sale date, set-up, reason judge gives, balance after the forced link)
    ("expired", {"expiry": "1 month"}, date(2026, 9, 1), None, "expires on 2026-10-01, before the session on 2026-12-01", {"massage": 4}),
    ("used up", {"contents": {"sessions": {"massage": 1}}}, SOLD, "use", "no massage sessions left", {"massage": -1}),
    ("too few minutes", {"contents": {"pool": "minutes", "amount": 30}}, SOLD, None, "only 30 minutes left, the session needs 60",
     {"minutes": -30}),
    ("no credit: the whole price", {"contents": {"pool": "money", "amount": "90"}, "payment": {"price": "90"}}, SOLD, "use",
     "no credit left", {"money": Decimal("-90.00")}),
    ("restricted", {"restrictions": {"weekdays": ["mon"]}}, SOLD, None, "only on Mondays", {"massage": 4}),
]


@pytest.mark.parametrize("keys,day,setup,reason,after", [c[1:] for c in FORCED], ids=[c[0] for c in FORCED])
def test_an_unusable_package_needs_force_and_a_reason(keys, day, setup, reason, after) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    cp = ana.sell(offer(**keys), day=day)
    if setup == "use":
        ana.book("2026-11-25T10:00", package=cp)
    bid = ana.book("2026-12-01T10:00", no_package=True)
    with pytest.raises(RuleError) as err:
        ana.link(bid, cp)
    assert str(err.value) == f"{cp} cannot pay for {bid}: {reason}; to link it anyway, add --force --reason R"
    with pytest.raises(InputError, match="--force needs --reason R"):
        ana.link(bid, cp, force=True)
    event = ana.link(bid, cp, force=True, reason="agreed")
    assert (event["forced"], event["reason"]) == (reason, "agreed")
    assert ana.left(cp) == after


@pytest.mark.parametrize("state", ["cancelled", "refunded"])
def test_a_closed_package_needs_force_even_without_drawing(state) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    cp = ana.sell(offer())
    bid = ana.book("2026-12-01T10:00", THAI)
    ana.close(cp, Refund("full") if state == "refunded" else None, now=NOW)
    with pytest.raises(RuleError, match=f"cannot pay for {bid}: {state}; to link it anyway"):
        ana.link(bid, cp, no_count=True)
    assert ana.link(bid, cp, no_count=True, force=True, reason="x")["forced"] == state


def test_link_refusals() -> None:
    ana = Client()
    cp = ana.sell(offer())
    b1 = ana.book("2026-12-01T10:00")
    b2 = ana.book("2026-12-02T10:00", no_package=True)
    ana.change(b2, "cancel")
    with pytest.raises(RuleError, match=f"already linked to {cp}; unlink it first"):
        ana.link(b1, cp)
    with pytest.raises(RuleError, match="is cancelled: only booked or attended sessions can be linked"):
        ana.link(b2, cp)
    with pytest.raises(RuleError, match="not linked to any package; nothing to unlink"):
        ana.unlink(b2)
    with pytest.raises(InputError, match="give either --count-as SERVICE or --no-count, not both"):
        ana.link(b1, cp, count_as=MASSAGE, no_count=True)
    ana.change(b1, "cancel")
    with pytest.raises(RuleError, match="is cancelled: what it drew from ana.p1 was settled then"):
        ana.unlink(b1)


def test_unlink_moves_a_first_use_clock() -> None:
    ana = Client()
    cp = ana.sell(offer(expiry="1 month from first use"))
    b1 = ana.book("2026-12-01T10:00")
    ana.book("2026-12-10T10:00")
    assert balances.expiry(ana.pkg(cp)) == date(2027, 1, 1)
    ana.unlink(b1)
    assert balances.expiry(ana.pkg(cp)) == date(2027, 1, 10)


# ---------------------------------------------------------------- a booking's payment state


@pytest.mark.parametrize("fee,fee_tax,paid,package,status,state,due", [
    ("90.00", "0.00", None, None, "booked", "due", "90.00"),
    ("120.00", "27.60", "100.00", None, "booked", "partly paid", "47.60"),
    ("120.00", "27.60", "147.60", None, "attended", "paid", "0.00"),
    ("0.00", "0.00", None, "ana.p1", "booked", "covered by package", "0.00"),
    ("0.00", "0.00", None, None, "cancelled", "nothing due", "0.00"),
    ("0.00", "0.00", None, "ana.p1", "cancelled", "nothing due", "0.00"),
    ("0.00", "0.00", "90.00", "ana.p1", "booked", "overpaid", "0.00"),
])
def test_booking_payment_state(fee, fee_tax, paid, package, status, state, due) -> None:  # type: ignore[no-untyped-def]
    booking = {"id": "ana.b1", "attendee": "ana", "fee": fee, "fee_tax": fee_tax, "package": package, "status": status}
    if paid:
        booking["paid"] = paid
    money = booking_payment(booking, "EUR")
    assert (money["payment"], money["due"], money["total"]) == (state, due, str(Decimal(fee) + Decimal(fee_tax)))


def test_pay_a_booking() -> None:
    ana = Client()
    bid = ana.book("2026-12-01T10:00", THAI)
    ana.record(pay_booking(ana.view["bookings"][bid], Decimal("47.60"), "EUR", "cash"))
    assert booking_payment(ana.view["bookings"][bid], "EUR")["payment"] == "partly paid"
    with pytest.raises(RuleError, match="has 100.00 EUR left to pay; 100.01 is more than that"):
        pay_booking(ana.view["bookings"][bid], Decimal("100.01"), "EUR")
    ana.record(pay_booking(ana.view["bookings"][bid], Decimal("100.00"), "EUR"))
    assert ana.view["bookings"][bid]["paid"] == "147.60"
    with pytest.raises(RuleError, match="is already paid in full"):
        pay_booking(ana.view["bookings"][bid], Decimal("1"), "EUR")
    with pytest.raises(InputError, match="more than 0"):
        pay_booking(ana.view["bookings"][bid], Decimal("0"), "EUR")


# ---------------------------------------------------------------- refund amounts


def _closed(pkg_keys: dict[str, Any], paid: str, **state: Any) -> dict[str, Any]:
    ana = Client()
    cp = ana.sell(offer(**pkg_keys))
    pkg = copy.deepcopy(ana.pkg(cp))
    pkg["paid"] = paid
    pkg.update(state)
    return pkg


USED_THREE = {f"ana.b{n}": {"key": "massage", "amount": 1, "state": "used", "date": "2026-11-21", "attendee": "ana"} for n in (1, 2, 3)}


@pytest.mark.parametrize("keys,paid,state,refund,fees,amount,basis", [
    ({}, "492.00", {}, Refund("full"), [], "492.00", "all that was paid, 492.00"),
    ({}, "200.00", {}, Refund("full"), [], "200.00", "all that was paid, 200.00"),  # what was paid, not the price
    ({}, "492.00", {"refunded": "100.00"}, Refund("full"), [], "392.00", "all that was paid, 492.00 = 392.00"),
    ({}, "492.00", {}, Refund("partial", Decimal("0.01")), [], "0.01", "the amount given, 0.01"),
    ({}, "492.00", {"adjustments": {"massage": 1}, "draws": USED_THREE}, Refund("pro-rata"), [], "246.00", "492.00 x 3/6 = 246.00"),
    ({}, "492.00", {"adjustments": {"massage": -1}}, Refund("pro-rata"), [], "492.00", "492.00 x 4/4 = 492.00"),
    ({"contents": {"sessions": {"massage": 1, "thai": 2}}}, "100.00", {}, Refund("pro-rata", fee=Decimal("10")), [],
     "90.00", "100.00 x 3/3 - fee 10.00 = 90.00"),
    ({"contents": {"sessions": {"massage": 3}}}, "100.00", {"voided": {"massage": 1}}, Refund("pro-rata"), [], "66.67",
     "100.00 x 2/3 = 66.67"),
    ({}, "492.00", {}, Refund("used-at-regular", fee=Decimal("25")), [Decimal("90.00"), Decimal("147.60")], "229.40",
     "492.00 - 2 used or forfeited at the regular fee 237.60 - fee 25.00 = 229.40"),
    ({}, "100.00", {}, Refund("used-at-regular"), [Decimal("90.00"), Decimal("90.00")], "0.00",
     "100.00 - 2 used or forfeited at the regular fee 180.00 = 0.00"),
    # What was transferred to another client took its share of the price with it.
    ({"contents": {"pool": "count", "amount": 10}, "payment": {"price": "480"}}, "480.00",
     {"transferred": {"count": 8}, "draws": {"ana.b1": dict(USED_THREE["ana.b1"], key="count")}},
     Refund("used-at-regular"), [Decimal("55.00")], "41.00",
     "480.00 - 8/10 transferred 384.00 - 1 used or forfeited at the regular fee 55.00 = 41.00"),
    ({"contents": {"pool": "count", "amount": 10}, "payment": {"price": "480"}}, "480.00",
     {"transferred": {"count": 8}, "draws": {"ana.b1": dict(USED_THREE["ana.b1"], key="count")}},
     Refund("full"), [], "96.00", "all that was paid, 480.00 - 8/10 transferred 384.00 = 96.00"),
    ({"contents": {"pool": "money", "amount": "300"}, "payment": {"price": "300"}}, "300.00", {"transferred": {"money": "100.00"}},
     Refund("full", fee=Decimal("10")), [], "190.00", "all that was paid, 300.00 - 100.00/300.00 transferred 100.00 - fee 10.00 = 190.00"),
])
def test_refund_amounts(keys, paid, state, refund, fees, amount, basis) -> None:  # type: ignore[no-untyped-def]
    got, how = refund_amount(_closed(keys, paid, **state), refund, fees, "EUR")
    assert (str(got), how) == (amount, basis)


def test_refund_amount_refusals() -> None:
    with pytest.raises(RuleError, match=r"was paid 492.00 EUR \(100.00 refunded so far\); a refund of 392.01 is more than that"):
        refund_amount(_closed({}, "492.00", refunded="100.00"), Refund("partial", Decimal("392.01")), [], "EUR")
    with pytest.raises(RuleError, match="holds unlimited sessions, so it has no pro-rata share"):
        refund_amount(_closed({"contents": {"sessions": {"massage": "unlimited", "thai": 2}}}, "100.00"), Refund("pro-rata"), [], "EUR")
    with pytest.raises(RuleError, match="gave unlimited sessions to another client, so what it has left has no share of the price"):
        refund_amount(_closed({"contents": {"sessions": {"massage": "unlimited", "thai": 2}}}, "100.00",
                              transferred={"massage": "unlimited"}), Refund("full"), [], "EUR")


def test_payment_state_after_refunds() -> None:
    pkg = _closed({}, "492.00")
    assert payment_state(pkg) == "paid"
    assert payment_state(dict(pkg, refunded="100.00")) == "partly refunded"
    assert payment_state(dict(pkg, refunded="492.00")) == "refunded"


# ---------------------------------------------------------------- closing a client package


def test_refund_unlinks_future_bookings_then_voids_what_is_left() -> None:
    ana = Client()
    cp = ana.sell(offer())
    past = ana.book("2026-11-23T10:00")
    ana.change(past, "attend", now=at("2026-11-23T11:00"))
    soon = ana.book("2026-12-01T10:00")
    events, summary = ana.close(cp, Refund("pro-rata"))
    assert [e["type"] for e in events] == ["unlinked", "refunded"]
    assert (events[-1]["amount"], events[-1]["voided"], events[-1]["bookings"]) == ("393.60", {"massage": 4}, {soon: "unlinked"})
    assert [(b["id"], b["action"], b["returned"]) for b in summary["bookings"]] == [(soon, "unlinked", {"key": "massage", "amount": 1})]
    assert ana.left(cp) == {"massage": 0}
    assert (ana.pkg(cp)["status"], ana.pkg(cp)["refunded"], ana.pkg(cp)["voided"]) == ("refunded", "393.60", {"massage": 4})
    assert (ana.view["bookings"][soon]["status"], ana.view["bookings"][soon]["fee"]) == ("booked", "90.00")
    assert json.dumps(ana.refolded(), sort_keys=True) == json.dumps(ana.view, sort_keys=True)
    with pytest.raises(RuleError, match=f"{cp} is already refunded; nothing was changed"):
        ana.close(cp, None)


def test_cancel_with_cancelled_bookings_and_a_money_balance() -> None:
    ana = Client()
    cp = ana.sell(offer(contents={"pool": "money", "amount": "300"}, payment={"price": "300"}, policies={"late_cancel": "forfeit"}))
    soon = ana.book("2026-11-26T15:00", THAI)  # inside the late window at LATER
    events, summary = ana.close(cp, None, cancel_bookings=True)
    assert [(e["type"], e.get("late"), e.get("outcome")) for e in events] == [("cancelled", False, "return"), ("package-cancelled", None, None)]
    assert events[-1]["voided"] == {"money": "300.00"}
    assert ana.view["bookings"][soon]["status"] == "cancelled"
    assert ana.left(cp) == {"money": Decimal("0.00")}
    assert (ana.pkg(cp)["status"], payment_state(ana.pkg(cp))) == ("cancelled", "paid")


def test_closing_refusals() -> None:
    ana = Client()
    cp = ana.sell(offer())
    old = ana.book("2026-11-24T10:00")
    with pytest.raises(RuleError, match=rf"past sessions still marked booked: {old} \(2026-11-24 10:00\)"):
        ana.close(cp, Refund("full"))
    with pytest.raises(InputError, match="a refund needs --reason R"):
        ana.close(cp, Refund("full"), reason="")
    with pytest.raises(InputError, match="cancelling a client package needs --reason R"):
        ana.close(cp, None, reason="")
    unpaid = ana.sell(offer(), paid=Decimal("0"))
    with pytest.raises(RuleError, match=f"nothing was paid for {unpaid}"):
        ana.close(unpaid, Refund("full"))


def test_attendees_of_lists_owner_shares_and_past_attendees() -> None:
    pkg = {"owner": "ana", "shared_with": ["leo"], "draws": {"mia.b1": {"attendee": "mia"}, "ana.b1": {"attendee": "ana"}}}
    assert attendees_of(pkg) == ["ana", "leo", "mia"]
