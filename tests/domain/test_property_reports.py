"""Property test over generated practices (no files): the reports agree with
each other and with the balances.

Random clients buy random packages, book, attend, no-show, late-cancel,
get adjustments and refunds. Then:

- the sales report's net price total equals the liability's sold column,
  and the liability's refunded column equals the refunds made (net of tax);
- every liability row reconciles and by month each closing is the next
  opening;
- the value held at the end equals an independent sum over the open
  packages (units left and booked, each at its unit value);
- each statement's running balance ends at the remaining balance.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessionpack.domain import balances, valuation
from sessionpack.domain.money import quantize
from sessionpack.domain.refunds import Refund, plan_close
from sessionpack.domain.value_moves import held_by_key, held_on, state_on, units_on
from sessionpack.errors import RuleError
from sessionpack.reports import liability, practice
from sessionpack.reports.statement import statement
from sessionpack.storage import report_shards

from practice_data import MASSAGE, THAI, TZ, at
from test_valuation import Client, offer

OFFERS = [
    offer("three", contents={"pool": "count", "amount": 3, "services": ["massage", "thai"]}, payment={"price": "100", "tax": "23"},
          policies={"no_show": "forfeit", "late_cancel": "forfeit"}),
    offer("mix", contents={"sessions": {"massage": 2, "thai": 1}}, payment={"price": "250"}, expiry="2 months"),
    offer("hours", contents={"pool": "minutes", "amount": 150}, payment={"price": "200", "tax": "6"}),
    offer("credit", contents={"pool": "money", "amount": "200"}, payment={"price": "180"},
          policies={"late_cancel": "charge", "charge_percent": 50}),
    offer("per", contents={"pool": "count", "amount": 4, "services": ["massage"]}, payment={"mode": "per-session", "fees": {"massage": "50"}}),
]

steps = st.lists(st.tuples(st.sampled_from(["sell", "book", "book", "attend", "attend", "no-show", "cancel", "adjust", "refund"]),
                           st.integers(0, 2), st.integers(0, 40), st.integers(0, 4)), min_size=1, max_size=30)


def _run(plan: list[tuple[str, int, int, int]]) -> dict[str, Client]:
    clients = {cid: Client(cid) for cid in ("ana", "bob", "cid")}
    day0 = date(2026, 1, 5)
    for number, (action, who, offset, pick) in enumerate(plan):
        client = clients[("ana", "bob", "cid")[who]]
        now = at(f"{(day0 + timedelta(days=number * 3)).isoformat()}T08:00")
        try:
            if action == "sell":
                client.sell(OFFERS[pick], day=now.date(), regular_prices={"massage": Decimal("90"), "thai": Decimal("120")})
            elif action == "book":
                start = f"{(now.date() + timedelta(days=offset % 10 + 1)).isoformat()}T10:00"
                client.book(start, THAI if pick % 2 else MASSAGE, now=now)
            elif action in ("attend", "no-show", "cancel"):
                booked = sorted(b for b, r in client.view["bookings"].items() if r["status"] == "booked")
                if booked:
                    bid = booked[offset % len(booked)]
                    when = at(client.view["bookings"][bid]["start"][:16]) - timedelta(hours=2 if action == "cancel" else -2)
                    client.mark(bid, {"attend": "attend", "no-show": "no-show", "cancel": "cancel"}[action], when)
            elif action == "adjust":
                open_ = [p for p in client.view["packages"].values() if p["status"] == "active" and p["terms"]["contents"].get("pool") == "count"]
                if open_:
                    pkg = open_[offset % len(open_)]
                    client.record({"type": "adjusted", "clients": [client.id], "client_package": pkg["id"], "changes": {"count": 1},
                                   "expires": None, "reason": "goodwill", "forced": False}, now)
            elif action == "refund":
                open_ = sorted(cp for cp, p in client.view["packages"].items() if p["status"] == "active" and Decimal(p["paid"]) > 0)
                if open_:
                    cp = open_[offset % len(open_)]
                    events, _ = plan_close(client.view, {client.id: client.view}, cp, refund=Refund("pro-rata"), reason="r",
                                           cancel_bookings=True, now=at("2027-06-01T08:00"), tz=TZ, currency="EUR")
                    for event in events:
                        client.record(event, at("2027-06-01T08:00"))
        except RuleError:
            pass
    return clients


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_reports_agree(plan: list[tuple[str, int, int, int]]) -> None:
    clients = _run(plan)
    sales, summaries = [], []
    for client in clients.values():
        for name, lines in report_shards.client_lines(client.view).items():
            for line in lines:
                fields = json.loads(line)
                if name.startswith(report_shards.DAYS) and fields[0] == "s":
                    sales.append(fields[3])
                elif name.startswith(report_shards.VALUE):
                    summaries.append(fields[5])
    first, last = date(2026, 1, 1), date(2027, 12, 31)
    sale_rows, sale_totals = practice.sales(sales, "2027-12-31")
    rows, totals, _ = liability.rollforward(summaries, first, last, "month", "EUR")
    assert all(liability.reconciles(r) for r in [*rows, totals])
    assert all(a["closing"] == b["opening"] for a, b in zip(rows, rows[1:]))
    assert totals["sold"] == sale_totals["price"]
    refunds = Decimal(0)
    for client in clients.values():
        for pkg in client.view["packages"].values():
            if pkg.get("refunded"):
                refunds += quantize(Decimal(pkg["refunded"]) * Decimal(pkg["sale"]["price"]) / Decimal(pkg["sale"]["total"]), "EUR")
    assert totals["refunded"] == refunds
    independent = Decimal(0)
    for client in clients.values():
        for pkg in client.view["packages"].values():
            if pkg["status"] in ("cancelled", "refunded"):
                continue
            parts = valuation.of_package(pkg)["parts"]
            for key, row in balances.balance(pkg).items():
                if key in parts:
                    independent += valuation.value_of(parts[key], row["remaining"] + row["scheduled"], "EUR")
    assert totals["closing"] == independent == sum((held_on(s, last.isoformat()) for s in summaries), Decimal(0))
    for summary in summaries:  # the snapshot's one pass is the two functions
        for day in sorted({m[0] for m in summary["moves"]} | {"2025-12-31", "2027-12-31"}):
            held, left, expired = state_on(summary, day)
            assert (held, left) == (held_by_key(summary, day), units_on(summary, day))
            assert expired == any(m[1] == "expired" and m[0] <= day for m in summary["moves"])
    for by in ("package", "client", "service"):
        other, other_totals, _ = liability.rollforward(summaries, first, last, by, "EUR")
        assert all(liability.reconciles(r) for r in other)
        assert other_totals["closing"] == totals["closing"]
    now = at("2027-12-31T08:00")
    for client in clients.values():
        for pkg_statement in statement(client.view, {c.id: c.view for c in clients.values()}, now, TZ, "EUR"):
            pkg = client.view["packages"][pkg_statement["id"]]
            remaining = {k: balances.plain(r["remaining"]) for k, r in balances.balance(pkg).items()}
            expected = ", ".join(("" if k in ("count", "money", "unlimited", "minutes") else f"{k} ") + str(v) + (" min" if k == "minutes" else "")
                                 for k, v in remaining.items())
            assert pkg_statement["entries"][-1]["balance"] == expected
