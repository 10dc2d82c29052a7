"""Valuation fixed at the sale, dated value movements and the liability
roll-forward (pure: no files)."""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessionpack.domain import valuation
from sessionpack.domain.bookings import Session, change_status, plan_booking
from sessionpack.domain.ledger import apply_to_client, empty_client_view
from sessionpack.domain.packages import package_from_mapping
from sessionpack.domain.refunds import Refund, plan_close
from sessionpack.domain.sales import sell
from sessionpack.domain.services import Service
from sessionpack.domain.value_moves import held_on, package_value, units_on
from sessionpack.reports.liability import reconciles, rollforward, snapshot

from practice_data import MASSAGE, NOW, SERVICES, SOLD, THAI, TZ, at

D = Decimal


def offer(pid: str, **data: Any):  # type: ignore[no-untyped-def]
    base: dict[str, Any] = {"name": pid, "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}
    base.update(data)
    return package_from_mapping(pid, base, "EUR", SERVICES)


class Client:
    def __init__(self, cid: str = "ana") -> None:
        self.id = cid
        self.view = empty_client_view(cid)
        self.seq = 0
        self.record({"type": "client-added", "clients": [cid], "client": {"id": cid, "name": "Ana", "email": "", "tags": []}})

    def record(self, event: dict[str, Any], now: datetime = NOW) -> dict[str, Any]:
        self.seq += 1
        stamped = dict(copy.deepcopy(event), seq=self.seq, at=now.isoformat(), actor="t")
        apply_to_client(self.view, stamped)
        return stamped

    def sell(self, package: Any, day: date = SOLD, **options: Any) -> str:
        return self.record(sell(self.view, package, currency="EUR", sale_date=day, invoice="1", **options))["client_package"]

    def book(self, start: str, service: Service = MASSAGE, now: datetime = NOW) -> str:
        event = plan_booking(self.view, {}, Session(self.id, service, at(start), service.duration), now=now, tz=TZ, currency="EUR")
        return self.record(event, now)["booking"]["id"]

    def mark(self, bid: str, action: str, now: datetime) -> None:
        self.record(change_status(self.view["bookings"][bid], self.view, action, now=now, currency="EUR"), now)

    def value(self, cp: str = "ana.p1") -> dict[str, Any]:
        return package_value(self.view["packages"][cp], self.view["events"])


# ---------------------------------------------------------------- at the sale

VALUATIONS = [
    ("count", {"contents": {"pool": "count", "amount": 10, "services": ["massage"]}, "payment": {"price": "400"}},
     None, {"count": ["400.00", 10]}, {"count": "40.00"}),
    ("minutes", {"contents": {"pool": "minutes", "amount": 300}, "payment": {"price": "260"}},
     None, {"minutes": ["260.00", 300]}, {"minutes": "0.8667"}),
    ("money", {"contents": {"pool": "money", "amount": "300"}, "payment": {"price": "270"}},
     None, {"money": ["270.00", "300.00"]}, {"money": "0.90"}),
    ("mix by regular prices", {"contents": {"sessions": {"massage": 1, "thai": 2}}, "payment": {"price": "210"}},
     {"massage": D("60"), "thai": D("90")}, {"massage": ["52.50", 1], "thai": ["157.50", 2]}, {"massage": "52.50", "thai": "78.75"}),
    ("mix to the cent, largest remainder", {"contents": {"sessions": {"massage": 1, "thai": 1}}, "payment": {"price": "100"}},
     {"massage": D("10"), "thai": D("20")}, {"massage": ["33.33", 1], "thai": ["66.67", 1]}, {"massage": "33.33", "thai": "66.67"}),
    ("mix without recorded prices weighs sessions", {"contents": {"sessions": {"massage": 1, "thai": 2}}, "payment": {"price": "100"}},
     None, {"massage": ["33.33", 1], "thai": ["66.67", 2]}, {"massage": "33.33", "thai": "33.3350"}),
]


@pytest.mark.parametrize("name,data,prices,parts,units", VALUATIONS, ids=[v[0] for v in VALUATIONS])
def test_valuation_at_sale(name, data, prices, parts, units) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    cp = ana.sell(offer("p", **data), regular_prices=prices)
    recorded = ana.view["packages"][cp]["sale"]["valuation"]
    assert recorded["parts"] == parts
    assert sum(D(p[0]) for p in recorded["parts"].values()) == D(recorded["price"])
    assert {k: format(valuation.unit_value(p, "EUR"), "f") for k, p in recorded["parts"].items()} == units


def test_per_session_holds_nothing_and_unlimited_spreads_over_its_term() -> None:
    ana = Client()
    per = ana.sell(offer("per", contents={"pool": "count", "amount": 4, "services": ["massage"]},
                         payment={"mode": "per-session", "fees": {"massage": "50"}}))
    assert ana.view["packages"][per]["sale"]["valuation"] == {"method": "per-session", "price": "0.00", "parts": {}}
    week = ana.sell(offer("week", contents={"pool": "unlimited", "services": ["massage"]}, payment={"price": "70"}, expiry="6 days"))
    forever = ana.sell(offer("forever", contents={"pool": "unlimited", "services": ["massage"]}, payment={"price": "30"}))
    assert ana.view["packages"][week]["sale"]["valuation"]["spread"] == "term"
    summary = ana.value(week)  # 20 Nov .. 26 Nov: 7 days, 10.00 a day
    assert [held_on(summary, d) for d in ("2026-11-19", "2026-11-20", "2026-11-23", "2026-11-26")] == [D("0"), D("60.00"), D("30.00"), D("0.00")]
    at_sale = ana.value(forever)
    assert at_sale["at_sale"] is True and held_on(at_sale, "2026-11-20") == D("0.00")


def test_valuation_stays_when_the_price_changes_later() -> None:
    ana = Client()
    cp = ana.sell(offer("p"))
    before = copy.deepcopy(ana.view["packages"][cp]["sale"]["valuation"])
    ana.sell(offer("p", payment={"price": "999"}))
    assert ana.view["packages"][cp]["sale"]["valuation"] == before


def test_an_older_sale_without_valuation_is_valued_from_its_terms() -> None:
    ana = Client()
    cp = ana.sell(offer("p", contents={"pool": "count", "amount": 3, "services": ["massage"]}, payment={"price": "100"}))
    del ana.view["packages"][cp]["sale"]["valuation"]
    assert valuation.of_package(ana.view["packages"][cp])["parts"] == {"count": ["100.00", 3]}


# ---------------------------------------------------------------- movements


def test_sessions_redeem_with_cumulative_rounding_so_the_price_adds_up() -> None:
    ana = Client()
    ana.sell(offer("p", contents={"pool": "count", "amount": 3, "services": ["massage"]}, payment={"price": "100"}))
    bids = [ana.book(f"2026-11-2{d}T10:00") for d in (3, 4, 5)]
    for bid in bids:
        ana.mark(bid, "attend", at("2026-11-26T12:00"))
    summary = ana.value()
    assert [(m[0], m[1], m[3]) for m in summary["moves"]] == [
        ("2026-11-20", "sold", "100.00"), ("2026-11-23", "redeemed", "33.33"),
        ("2026-11-24", "redeemed", "33.34"), ("2026-11-25", "redeemed", "33.33")]
    assert held_on(summary, "2026-11-24") == D("33.33")


def test_forfeit_expiry_adjustment_and_refund_columns() -> None:
    ana = Client()
    five = offer("p", contents={"pool": "count", "amount": 5, "services": ["massage"]}, payment={"price": "500", "tax": "23"},
                 policies={"no_show": "forfeit"})
    ana.sell(five)
    bid = ana.book("2026-11-23T10:00")
    ana.mark(bid, "no-show", at("2026-11-23T12:00"))
    ana.record({"type": "adjusted", "clients": ["ana"], "client_package": "ana.p1", "changes": {"count": 1}, "expires": None,
                "reason": "goodwill", "forfeited": False}, at("2026-11-24T09:00"))
    events, _ = plan_close(ana.view, {"ana": ana.view}, "ana.p1", refund=Refund("partial", amount=D("123.00")), reason="moved",
                           cancel_bookings=False, now=at("2026-11-25T09:00"), tz=TZ, currency="EUR")
    for event in events:
        ana.record(event, at("2026-11-25T09:00"))
    moves = [(m[0], m[1], m[3]) for m in ana.value()["moves"]]
    # 5 sessions at 100.00; a refund of 123.00 with 23% tax is 100.00 net; 5 sessions held (500.00): 400.00 kept
    assert moves == [("2026-11-20", "sold", "500.00"), ("2026-11-23", "forfeited", "100.00"), ("2026-11-24", "adjusted", "100.00"),
                     ("2026-11-25", "refunded", "100.00"), ("2026-11-25", "refund_difference", "400.00")]
    assert held_on(ana.value(), "2026-11-25") == 0


@pytest.mark.parametrize("refund, refunded", [(None, None), (Refund("partial", amount=D("50.00")), "50.00")])
def test_closing_an_overdrawn_package_closes_its_negative_value_too(refund, refunded) -> None:  # type: ignore[no-untyped-def]
    ana = Client()
    ana.sell(offer("p", contents={"pool": "count", "amount": 1, "services": ["massage"]}, payment={"price": "80"}))
    bid = ana.book("2026-11-23T10:00")
    ana.mark(bid, "attend", at("2026-11-23T12:00"))
    # a forced draw took it one session below zero: it holds -80.00 (what its client took beyond what was paid)
    ana.record({"type": "adjusted", "clients": ["ana"], "client_package": "ana.p1", "changes": {"count": -1}, "expires": None,
                "reason": "forced", "forfeited": False}, at("2026-11-24T09:00"))
    assert held_on(ana.value(), "2026-11-24") == D("-80.00")
    events, _ = plan_close(ana.view, {"ana": ana.view}, "ana.p1", refund=refund, reason="closing it",
                           cancel_bookings=False, now=at("2026-11-25T09:00"), tz=TZ, currency="EUR")
    for event in events:
        ana.record(event, at("2026-11-25T09:00"))
    summary = ana.value()
    closing = [(m[1], m[3], m[4]) for m in summary["moves"] if m[0] == "2026-11-25"]
    expected = [("refund_difference", "-80.00" if refunded is None else "-130.00", -1)]
    assert closing == ([("refunded", refunded, None)] if refunded else []) + expected
    assert held_on(summary, "2026-11-25") == 0 and held_on(summary, "2027-06-30") == 0
    assert units_on(summary, "2026-11-25") == {"count": 0}


def test_recorded_expiry_takes_the_value_left_on_the_day_after_the_last() -> None:
    ana = Client()
    ana.sell(offer("p", contents={"pool": "count", "amount": 4, "services": ["massage"]}, expiry="1 week"))
    pkg = ana.view["packages"]["ana.p1"]
    pkg["expired_at"], pkg["lapsed"] = "2026-11-28", {"count": 4}  # as the expiry sweep records it
    moves = [(m[0], m[1], m[3]) for m in ana.value()["moves"]]
    assert moves[-1] == ("2026-11-28", "expired", "400.00")


def test_an_imported_package_goes_in_the_imported_column_with_what_was_left() -> None:
    ana = Client()
    event = sell(ana.view, offer("p", contents={"pool": "count", "amount": 10, "services": ["massage"]}), currency="EUR",
                 sale_date=date(2026, 6, 1), invoice="old-7")
    event["imported"] = {"sold_on": "2026-06-01", "remaining": {"count": 4}, "used_before": {"count": 6}}
    ana.record(event)
    ana.view["packages"]["ana.p1"]["imported"] = event["imported"]  # as the import's handler records it
    summary = ana.value()
    assert [(m[0], m[1], m[3], m[4]) for m in summary["moves"]] == [("2026-11-20", "imported", "160.00", 4)]
    assert summary["sold_on"] == "2026-06-01"


# ---------------------------------------------------------------- the roll-forward


def _practice() -> list[dict[str, Any]]:
    ana = Client()
    ana.sell(offer("p", contents={"pool": "count", "amount": 3, "services": ["massage"]}, payment={"price": "100"}), day=date(2026, 10, 5))
    ana.sell(offer("m", contents={"sessions": {"massage": 1, "thai": 1}}, payment={"price": "150"}), day=date(2026, 11, 2),
             regular_prices={"massage": D("90"), "thai": D("120")})
    for start, service in (("2026-10-20T10:00", MASSAGE), ("2026-11-10T10:00", MASSAGE), ("2026-11-12T10:00", THAI)):
        bid = ana.book(start, service, now=at("2026-10-06T09:00"))
        ana.mark(bid, "attend", at(start).replace(hour=12))
    return [package_value(p, ana.view["events"]) for p in ana.view["packages"].values()]


def test_month_rows_reconcile_and_chain() -> None:
    rows, totals, _ = rollforward(_practice(), date(2026, 9, 1), date(2026, 12, 31), "month", "EUR")
    assert [r["month"] for r in rows] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert all(reconciles(r) for r in [*rows, totals])
    assert all(a["closing"] == b["opening"] for a, b in zip(rows, rows[1:]))
    assert [(r["sold"], r["redeemed"], r["closing"]) for r in rows] == [
        (D("0.00"), D("0.00"), D("0.00")), (D("100.00"), D("33.33"), D("66.67")),
        (D("150.00"), D("119.05"), D("97.62")), (D("0.00"), D("0.00"), D("97.62"))]


def test_rows_by_package_client_and_service_add_up_to_the_month_totals() -> None:
    summaries = _practice()
    _, month_totals, _ = rollforward(summaries, date(2026, 10, 1), date(2026, 11, 30), "month", "EUR")
    for by in ("package", "client", "service"):
        rows, totals, _ = rollforward(summaries, date(2026, 10, 1), date(2026, 11, 30), by, "EUR")
        assert all(reconciles(r) for r in rows)
        assert {k: totals[k] for k in month_totals if k != "month"} == {k: month_totals[k] for k in month_totals if k != "month"}
    service_rows, _, _ = rollforward(summaries, date(2026, 10, 1), date(2026, 11, 30), "service", "EUR")
    assert [(r["service"], r["sold"], r["closing"]) for r in service_rows] == [("massage", D("164.29"), D("97.62")), ("thai", D("85.71"), D("0.00"))]


def test_snapshot_lists_value_held_with_age_bands() -> None:
    rows, totals = snapshot(_practice(), date(2026, 11, 11), "EUR")
    assert [(r["id"], r["left"], r["unit_value"], r["held"], r["age"], r["band"]) for r in rows] == [
        ("ana.p1", "count 1", "count 33.3333", D("33.33"), 37, "0-90"),
        ("ana.p2", "massage 1, thai 1", "massage 64.29, thai 85.71", D("150.00"), 9, "0-90")]
    assert totals["held"] == sum(r["held"] for r in rows)


@given(st.decimals(min_value=0, max_value=10**6, places=2), st.integers(min_value=1, max_value=500),
       st.integers(min_value=-500, max_value=500), st.sampled_from(["EUR", "JPY", "BHD"]))
def test_value_of_answers_the_same_whether_kept_or_worked_out(value, bought, units, currency) -> None:
    part = [format(value, "f"), bought]
    worked_out = valuation._value_of(part, units, currency)
    for asked in (units, Decimal(units), Decimal(units).quantize(Decimal("0.1"))):  # equal keys, kept once
        got = valuation.value_of(part, asked, currency)
        assert got == worked_out and str(got) == str(worked_out)


def test_value_of_a_part_that_cannot_be_kept_is_worked_out_and_refused_alike() -> None:
    with pytest.raises(ValueError):
        valuation.value_of([[1], 5], 1, "EUR")  # (a list for a value: no key to keep it under)
    assert valuation.value_of(["90.00", 3], 2, "EUR") == Decimal("60.00")


# ---------------------------------------------------------------- one order, however the view was made


def _shuffled(value: Any, rng: Any) -> Any:
    """``value`` with the keys of every dict in it in another order (a view
    folded from the journal, read back from its file, or made by a commit
    holds the same records with their keys in different orders)."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {key: _shuffled(value[key], rng) for key in keys}
    if isinstance(value, list):
        return [_shuffled(item, rng) for item in value]
    return value


def _busy_mix() -> Client:
    ana = Client()
    ana.sell(offer("m", contents={"sessions": {"thai": 2, "massage": 4}}, payment={"price": "500"}, policies={"no_show": "forfeit"}),
             day=date(2026, 11, 2), regular_prices={"massage": D("90"), "thai": D("120")})
    same_day = [ana.book(start, service, now=at("2026-11-03T09:00"))
                for start, service in (("2026-11-10T10:00", MASSAGE), ("2026-11-10T12:00", THAI), ("2026-11-10T15:00", MASSAGE))]
    ana.mark(same_day[0], "no-show", at("2026-11-10T18:00"))
    ana.mark(same_day[1], "attend", at("2026-11-10T18:00"))
    ana.mark(same_day[2], "attend", at("2026-11-10T18:00"))
    ana.record({"type": "adjusted", "clients": ["ana"], "client_package": "ana.p1", "changes": {"thai": 1, "massage": -1},
                "expires": None, "reason": "swap", "forfeited": False}, at("2026-11-11T09:00"))
    return ana


@given(st.randoms(use_true_random=False))
def test_value_movements_are_the_same_whatever_order_the_view_holds_its_records_in(rng: Any) -> None:
    import json

    ana = _busy_mix()
    pkg, events = ana.view["packages"]["ana.p1"], ana.view["events"]
    expected = json.dumps(package_value(pkg, events), sort_keys=True, default=str)
    assert json.dumps(package_value(_shuffled(pkg, rng), _shuffled(events, rng)), sort_keys=True, default=str) == expected
    moves = [(m[0], m[1], m[2]) for m in package_value(pkg, events)["moves"]]
    assert moves[:2] == [("2026-11-02", "sold", "massage"), ("2026-11-02", "sold", "thai")]  # parts by key
    assert [m for m in moves if m[0] == "2026-11-10"] == [  # sessions of one day by booking id: ana.b1, ana.b2, ana.b3
        ("2026-11-10", "forfeited", "massage"), ("2026-11-10", "redeemed", "thai"), ("2026-11-10", "redeemed", "massage")]
    assert [m for m in moves if m[0] == "2026-11-11"] == [("2026-11-11", "adjusted", "massage"), ("2026-11-11", "adjusted", "thai")]


# ---------------------------------------------------------------- imports, transfers, reopens


class Journal:
    """Client views changed only by folding stamped events, as one journal does."""

    def __init__(self, *clients: str) -> None:
        self.views = {cid: empty_client_view(cid) for cid in clients}
        self.seq = 0
        for cid in clients:
            self.record({"type": "client-added", "clients": [cid], "client": {"id": cid, "name": cid, "email": "", "tags": []}})

    def record(self, event: dict[str, Any], now: datetime = NOW) -> dict[str, Any]:
        self.seq += 1
        stamped = dict(copy.deepcopy(event), seq=self.seq, at=now.isoformat(), actor="t")
        for cid in event["clients"]:
            apply_to_client(self.views[cid], stamped)
        return stamped

    def pkg(self, cp: str) -> dict[str, Any]:
        return self.views[cp.split(".p")[0]]["packages"][cp]

    def value(self, cp: str) -> dict[str, Any]:
        return package_value(self.pkg(cp), self.views[cp.split(".p")[0]]["events"])

    def transfer(self, cp: str, to: str, now: datetime, **options: Any) -> dict[str, Any]:
        from sessionpack.domain.transfers import plan_transfer

        event = plan_transfer(self.pkg(cp), self.views[to], reason="gift", now=now, tz=TZ, code_hash="0" * 64,
                              **{"kind": None, **options})
        return self.record(event, now)


def _moves(summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(m[0], m[1], m[3]) for m in summary["moves"]]


UNLIMITED_PASS = {"contents": {"pool": "unlimited", "services": ["massage"]}, "payment": {"price": "70"}}


def test_an_imported_unlimited_package_brings_what_its_term_still_holds_and_counts_from_that_day() -> None:
    ana = Client()
    event = sell(ana.view, offer("pass", **UNLIMITED_PASS, expiry="29 days"), currency="EUR", sale_date=date(2026, 10, 31), invoice="old")
    event["imported"] = {"sold_on": "2026-10-31", "remaining": {"unlimited": "unlimited"}, "used_before": {}}
    ana.record(event)  # recorded on 20 November, day 21 of a term of 30 (31 October to 29 November)
    summary = ana.value()
    assert _moves(summary) == [("2026-11-20", "imported", "23.33")]  # 70.00 x 10/30 still to come on 20 November
    assert [held_on(summary, d) for d in ("2026-10-31", "2026-11-19", "2026-11-20", "2026-11-29")] == [D(0), D(0), D("21.00"), D("0.00")]
    rows, totals, _ = rollforward([summary], date(2026, 10, 1), date(2026, 11, 30), "month", "EUR")
    assert [(r["opening"], r["imported"], r["redeemed"], r["closing"]) for r in rows] == [
        (D("0.00"), D("0.00"), D("0.00"), D("0.00")), (D("0.00"), D("23.33"), D("23.33"), D("0.00"))]


def test_an_unlimited_package_imported_after_its_term_brings_nothing() -> None:
    ana = Client()
    event = sell(ana.view, offer("pass", **UNLIMITED_PASS, expiry="9 days"), currency="EUR", sale_date=date(2026, 10, 1), invoice="old")
    event["imported"] = {"sold_on": "2026-10-01", "remaining": {"unlimited": "unlimited"}, "used_before": {}}
    ana.record(event)
    summary = ana.value()
    assert _moves(summary) == [("2026-11-20", "imported", "0.00")] and summary["lin"] == []


def test_a_first_use_package_transferred_before_it_started_is_recognised_from_the_receiver_s_first_use() -> None:
    world = Journal("ana", "bob")
    world.record(sell(world.views["ana"], offer("pass", **UNLIMITED_PASS, expiry="10 days from first use"), currency="EUR",
                      sale_date=SOLD, invoice="1"))
    world.transfer("ana.p1", "bob", at("2026-11-23T09:00"))
    event = plan_booking(world.views["bob"], {}, Session("bob", MASSAGE, at("2026-12-01T10:00"), 60), now=at("2026-11-30T09:00"),
                         tz=TZ, currency="EUR")
    world.record(event, at("2026-11-30T09:00"))
    summary = world.value("bob.p1")
    assert _moves(summary) == [("2026-11-23", "adjusted", "70.00")]
    assert summary["lin"] == [["unlimited", "2026-12-01", "2026-12-11", "70.00", "2026-12-11", "2026-12-01"]]
    assert [held_on(summary, d) for d in ("2026-11-30", "2026-12-01", "2026-12-11")] == [D("70.00"), D("63.64"), D("0.00")]
    assert _moves(world.value("ana.p1")) == [("2026-11-20", "sold", "70.00"), ("2026-11-23", "adjusted", "-70.00")]


def test_a_reopen_leaves_the_expiry_where_it_was_and_brings_back_what_it_took_on_its_own_day() -> None:
    from sessionpack.domain.adjustments import plan_adjust
    from sessionpack.domain.sweep import expired_event

    world = Journal("ana")
    world.record(sell(world.views["ana"], offer("p", contents={"pool": "count", "amount": 3, "services": ["massage"]},
                                                payment={"price": "100"}, expiry="1 week"), currency="EUR", sale_date=SOLD, invoice="1"))
    last = date(2026, 11, 27)
    world.record(expired_event(world.pkg("ana.p1"), last), at("2026-12-01T09:00"))
    expired = _moves(world.value("ana.p1"))
    assert expired == [("2026-11-20", "sold", "100.00"), ("2026-11-28", "expired", "100.00")]
    world.record(plan_adjust(world.pkg("ana.p1"), None, expires=date(2027, 1, 31), reason="reopen"), at("2026-12-10T09:00"))
    summary = world.value("ana.p1")
    assert _moves(summary) == expired + [("2026-12-10", "adjusted", "100.00")]
    assert [held_on(summary, d) for d in ("2026-11-27", "2026-11-28", "2026-12-09", "2026-12-10")] == [D("100.00"), D(0), D(0), D("100.00")]


def test_a_reopened_unlimited_package_holds_what_its_new_term_still_holds_from_the_reopen() -> None:
    from sessionpack.domain.adjustments import plan_adjust
    from sessionpack.domain.sweep import expired_event

    world = Journal("ana", "bob")
    world.record(sell(world.views["ana"], offer("pass", **UNLIMITED_PASS, expiry="9 days"), currency="EUR", sale_date=SOLD, invoice="1"))
    world.record(expired_event(world.pkg("ana.p1"), date(2026, 11, 29)), at("2026-12-01T09:00"))
    world.record(plan_adjust(world.pkg("ana.p1"), None, expires=date(2026, 12, 19), reason="reopen"), at("2026-12-10T09:00"))
    summary = world.value("ana.p1")
    # the term is now 20 November to 19 December (30 days): 10 of them from 10 December, 70.00 x 10/30
    assert _moves(summary) == [("2026-11-20", "sold", "70.00"), ("2026-11-30", "expired", "0.00"), ("2026-12-10", "adjusted", "23.33")]
    assert [held_on(summary, d) for d in ("2026-11-29", "2026-12-09", "2026-12-10", "2026-12-19")] == [D("0.00"), D("0.00"), D("21.00"), D("0.00")]
    moved = world.transfer("ana.p1", "bob", at("2026-12-13T09:00"))
    assert moved["sale"]["valuation"]["parts"]["unlimited"] == ["16.33", "unlimited"]  # 70.00 x 7/30
    assert _moves(world.value("ana.p1"))[-1] == ("2026-12-13", "adjusted", "-16.33")


def test_a_transfer_is_valued_where_its_day_places_it_before_that_day_s_sessions() -> None:
    world = Journal("ana", "bob")
    world.record(sell(world.views["ana"], offer("p", contents={"pool": "count", "amount": 3, "services": ["massage"]},
                                                payment={"price": "100"}), currency="EUR", sale_date=SOLD, invoice="1"))
    early = at("2026-11-20T07:00")
    booking = world.record(plan_booking(world.views["ana"], {}, Session("ana", MASSAGE, at("2026-11-20T08:00"), 60), now=early,
                                        tz=TZ, currency="EUR"), early)["booking"]
    world.record(change_status(world.views["ana"]["bookings"][booking["id"]], world.views["ana"], "attend", now=NOW, currency="EUR"))
    moved = world.transfer("ana.p1", "bob", NOW, kind="sessions", amount=1)
    assert moved["sale"]["valuation"]["parts"]["count"] == ["33.33", 1]  # 3 sessions (100.00) to 2 (66.67)
    assert _moves(world.value("ana.p1")) == [("2026-11-20", "sold", "100.00"), ("2026-11-20", "adjusted", "-33.33"),
                                             ("2026-11-20", "redeemed", "33.34")]
    assert _moves(world.value("bob.p1")) == [("2026-11-20", "adjusted", "33.33")]
