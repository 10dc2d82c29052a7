"""Balances brought in from another system, and sale references, pure (issue 12 items 2-3).

Each pool kind (count, minutes, money, unlimited) and fixed contents is
imported, then booked on, expired and described, with exact figures.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

import pytest

from sessionpack.domain import balances, ledger, references
from sessionpack.domain.bookings import Session, plan_booking
from sessionpack.domain.imports import ImportCells, plan_import
from sessionpack.domain.packages import package_from_mapping
from sessionpack.domain.money import parse_money as parse_amount
from sessionpack.domain.sales import parse_day, sale_day, sell
from sessionpack.errors import InputError, RuleError
from sessionpack.reports.balances import balance_table_rows, history_rows, package_summary

from practice_data import MASSAGE, NOW, SERVICES, THAI, TZ, at

TODAY = date(2026, 11, 20)
SOLD_ON = date(2026, 3, 1)

OFFERS: dict[str, dict[str, Any]] = {
    "count": {"name": "10 sessions", "expiry": "3 months from first use",
              "contents": {"pool": "count", "amount": 10, "services": ["massage"]}, "payment": {"price": "480"}},
    "minutes": {"name": "5 hours", "expiry": "12 months",
                "contents": {"pool": "minutes", "amount": 300, "services": ["massage", "thai"]}, "payment": {"price": "260"}},
    "money": {"name": "300 credit", "contents": {"pool": "money", "amount": "300", "services": "all"}, "payment": {"price": "270"}},
    "unlimited": {"name": "Unlimited", "expiry": "12 months", "contents": {"pool": "unlimited", "services": ["massage"]},
                  "payment": {"price": "99"}},
    "fixed": {"name": "Trio", "contents": {"sessions": {"massage": 1, "thai": 2}}, "payment": {"price": "210"}},
}


def offer(kind: str, **changes: Any):  # type: ignore[no-untyped-def]
    data = copy.deepcopy(OFFERS[kind])
    data.update(changes)
    return package_from_mapping(kind, data, "EUR", SERVICES)


def cells(remaining: dict[str | None, str] | None = None, used: dict[str | None, str] | None = None,
          expires: str | None = None, activated: str | None = None) -> ImportCells:
    return ImportCells(remaining=dict(remaining or {}), used_before=dict(used or {}), expires=expires, activated=activated)


def planned(kind: str, given: ImportCells, **changes: Any) -> dict[str, Any]:
    imported, problems = plan_import(offer(kind, **changes).terms(), given, sold_on=SOLD_ON, today=TODAY, currency="EUR")
    assert problems == [], [(c, str(e)) for c, e in problems]
    assert imported is not None
    return imported


def problems_of(kind: str, given: ImportCells, **changes: Any) -> list[tuple[str, str]]:
    imported, problems = plan_import(offer(kind, **changes).terms(), given, sold_on=SOLD_ON, today=TODAY, currency="EUR")
    assert imported is None
    return [(column, str(err)) for column, err in problems]


class Client:
    def __init__(self, cid: str = "ana") -> None:
        self.view = ledger.empty_client_view(cid)
        self.seq = 0
        self.record({"type": "client-added", "clients": [cid], "client": {"id": cid, "name": "Ana Lima", "email": "", "tags": []}})

    def record(self, event: dict[str, Any], now: datetime = NOW) -> dict[str, Any]:
        self.seq += 1
        stamped = dict(copy.deepcopy(event), seq=self.seq, at=now.isoformat(), actor="tester")
        ledger.apply_to_client(self.view, stamped)
        return stamped

    def bring(self, kind: str, given: ImportCells, **changes: Any) -> dict[str, Any]:
        package = offer(kind, **changes)
        imported = planned(kind, given, **changes)
        event = sell(self.view, package, currency="EUR", sale_date=SOLD_ON, invoice="", imported=imported)
        stamped = self.record(event)
        return self.view["packages"][stamped["client_package"]]

    def book(self, start: str, service=MASSAGE, now: datetime = NOW) -> str:  # type: ignore[no-untyped-def]
        session = Session(self.view["id"], service, at(start), service.duration)
        event = plan_booking(self.view, {}, session, now=now, tz=TZ, currency="EUR")
        return self.record(event, now)["booking"]["id"]


# ---------------------------------------------------------------- each pool kind


def test_count_pool_with_first_use_expiry_and_an_activation_date() -> None:
    ana = Client()
    pkg = ana.bring("count", cells({None: "6"}, {None: "3"}, activated="2026-09-05"))
    assert pkg["imported"] == {"sold_on": "2026-03-01", "remaining": {"count": 6}, "used_before": {"count": 3},
                               "expires": None, "activated": "2026-09-05"}
    assert pkg["sale"]["date"] == "2026-03-01"
    row = balances.balance(pkg)["count"]
    assert (row["total"], row["before_import"], row["used"], row["remaining"]) == (10, 4, 0, 6)
    # Its clock started on the activation date: 5 Sep + 3 months.
    assert balances.expiry(pkg) == date(2026, 12, 5)
    assert balances.status(pkg, NOW, TZ) == "active"
    summary = package_summary(pkg, NOW, TZ)
    assert (summary["starts_at_first_use"], summary["expires"], summary["remaining"]) == (False, "2026-12-05", {"count": 6})
    # Booking draws on what was left; after the expiry it no longer can.
    ana.book("2026-12-01T10:00")
    assert balances.remaining(ana.view["packages"]["ana.p1"], "count") == 5
    late = Session("ana", MASSAGE, at("2026-12-07T10:00"), 60)
    event = plan_booking(ana.view, {}, late, now=NOW, tz=TZ, currency="EUR")
    assert event["booking"]["package"] is None
    assert "expires on 2026-12-05, before the session on 2026-12-07" in event["booking"]["why"]


def test_count_pool_with_first_use_expiry_not_started_starts_here() -> None:
    ana = Client()
    pkg = ana.bring("count", cells({None: "10"}))
    assert (balances.expiry(pkg), package_summary(pkg, NOW, TZ)["starts_at_first_use"]) == (None, True)
    ana.book("2026-12-01T10:00")
    assert balances.expiry(ana.view["packages"]["ana.p1"]) == date(2027, 3, 1)


def test_minutes_pool_counts_from_the_original_sale_date() -> None:
    ana = Client()
    pkg = ana.bring("minutes", cells({"minutes": "120"}))
    row = balances.balance(pkg)["minutes"]
    assert (row["total"], row["before_import"], row["remaining"]) == (300, 180, 120)
    assert pkg["imported"]["used_before"] == {"minutes": 180}
    assert balances.expiry(pkg) == date(2027, 3, 1)  # 12 months from 1 March, not from today
    ana.book("2026-12-01T10:00", THAI)  # 90 minutes
    assert balances.remaining(ana.view["packages"]["ana.p1"], "minutes") == 30


def test_money_pool_keeps_cents_and_a_set_expiry() -> None:
    ana = Client()
    pkg = ana.bring("money", cells({None: "45.5"}, expires="2027-01-31"))
    assert pkg["imported"]["remaining"] == {"money": "45.50"}
    assert pkg["imported"]["used_before"] == {"money": "254.50"}
    row = balances.balance(pkg)["money"]
    assert (str(row["before_import"]), str(row["remaining"])) == ("254.50", "45.50")
    assert balances.expiry(pkg) == date(2027, 1, 31)
    ana.book("2026-12-01T10:00")  # a 90.00 massage: the credit pays 45.50, the rest is due
    pkg = ana.view["packages"]["ana.p1"]
    assert str(balances.remaining(pkg, "money")) == "0.00"
    assert balances.status(pkg, datetime(2027, 2, 1, 9, tzinfo=TZ), TZ) == "expired"


def test_unlimited_pool_imports_its_expiry_only() -> None:
    ana = Client()
    pkg = ana.bring("unlimited", cells({None: "unlimited"}, expires="2027-02-28"))
    assert pkg["imported"]["remaining"] == {"unlimited": "unlimited"}
    assert pkg["imported"]["used_before"] == {}
    assert balances.balance(pkg)["unlimited"]["remaining"] == "unlimited"
    assert "before_import" not in balances.balance(pkg)["unlimited"]
    assert balances.expiry(pkg) == date(2027, 2, 28)


def test_fixed_contents_per_service() -> None:
    ana = Client()
    pkg = ana.bring("fixed", cells({"massage": "0", "thai": "2"}))
    rows = balances.balance(pkg)
    assert {k: (r["total"], r.get("before_import"), r["remaining"]) for k, r in rows.items()} == {
        "massage": (1, 1, 0), "thai": (2, 0, 2)}
    assert [r["used_text"] for r in balance_table_rows([package_summary(pkg, NOW, TZ)])] == ["0 + 1 before import", 0]


def test_history_says_it_was_imported() -> None:
    ana = Client()
    ana.bring("count", cells({None: "6"}, activated="2026-09-05"))
    ana.bring("fixed", cells({"massage": "1", "thai": "0"}, expires="2027-06-30"))
    rows = history_rows(ana.view)
    assert [r["what"] for r in rows[1:]] == [
        "imported count as ana.p1: 6 of 10 left, sold 2026-03-01 elsewhere, first used 2026-09-05",
        "imported fixed as ana.p2: massage 1 of 1 left, thai 0 of 2 left, sold 2026-03-01 elsewhere, valid through 2027-06-30",
    ]
    assert [(r["change"], r["balance"]) for r in rows[1:]] == [("count +6", "count 6"), ("massage +1", "massage 1, thai 0")]


def test_a_pause_moves_an_imported_expiry_on() -> None:
    from sessionpack.domain.pauses import plan_pause

    ana = Client()
    pkg = ana.bring("money", cells({None: "100"}, expires="2027-01-31"))
    ana.record(plan_pause(pkg, date(2026, 12, 1), date(2026, 12, 10), now=NOW, tz=TZ, reason="away")[0])
    assert balances.expiry(ana.view["packages"]["ana.p1"]) == date(2027, 2, 10)


# ---------------------------------------------------------------- refusals, all listed


@pytest.mark.parametrize("kind, given, expected", [
    ("count", cells({None: "11"}), [("remaining", "11 sessions left is more than package 'count' holds (10 sessions); import it with a package that holds at least that much, or import 10 and add the rest with 'sessionpack adjust'")]),
    ("count", cells({None: "6", "count": "6"}), [("remaining.count", "remaining of count is given twice (remaining and remaining.count); keep one")]),
    ("count", cells({None: "2.5"}), [("remaining", "remaining must be a whole number of sessions, not '2.5'")]),
    ("minutes", cells({None: "-5"}), [("remaining", "remaining must be a whole number of minutes, not '-5'")]),
    ("money", cells({None: "1,5"}), [("remaining", "remaining must be an amount like 90 or 90.50, not '1,5'")]),
    ("money", cells({None: "1.555"}), [("remaining", "remaining has more than 2 decimal places for EUR: 1.555")]),
    ("fixed", cells({None: "1"}), [("remaining", "package 'fixed' holds several balances (massage, thai); give remaining.massage, remaining.thai instead of remaining"),
                                   ("remaining.massage", "what was left of massage is missing; write it (0 if nothing was left)"),
                                   ("remaining.thai", "what was left of thai is missing; write it (0 if nothing was left)")]),
    ("fixed", cells({"massage": "1", "thai": "1", "sauna": "1"}), [("remaining.sauna", "package 'fixed' has no balance 'sauna'; its balances are: massage, thai")]),
    ("unlimited", cells({None: "5"}), [("remaining", "unlimited of package 'unlimited' is unlimited: write 'unlimited' or leave it empty, not '5'")]),
    ("count", cells({None: "6"}, {None: "5"}), [("used_before", "5 sessions used before and 6 sessions left are more than package 'count' holds (10 sessions); check both cells")]),
    ("count", cells({None: "6"}, expires="2026-02-01"), [("expires", "expires 2026-02-01 is before the sale date 2026-03-01; check both")]),
    ("count", cells({None: "6"}, expires="2027-01-01", activated="2026-04-01"), [("activated", "give either expires (a last valid day) or activated (when its clock started at first use), not both")]),
    ("minutes", cells({None: "6"}, activated="2026-04-01"), [("activated", "activated is for packages whose expiry starts at first use; package 'minutes' is 'valid 12 months from purchase': leave it empty, or give expires")]),
    ("count", cells({None: "6"}, activated="2026-12-01"), [("activated", "activated 2026-12-01 is in the future; give the day its clock started")]),
    ("count", cells({None: "6"}, activated="2026-02-28"), [("activated", "activated 2026-02-28 is before the sale date 2026-03-01; check both")]),
    ("count", cells({None: "6"}, activated="5 Sep"), [("activated", "activated must be an ISO date like 2026-11-02, not '5 Sep'")]),
])
def test_import_problems_are_all_listed_with_their_column(kind: str, given: ImportCells, expected: list[tuple[str, str]]) -> None:
    assert problems_of(kind, given) == expected


def test_an_inactive_or_not_for_sale_package_can_be_imported_but_not_sold() -> None:
    ana = Client()
    package = offer("count", status="inactive", visibility="not-for-sale")
    with pytest.raises(RuleError) as refused:
        sell(ana.view, package, currency="EUR", sale_date=TODAY, invoice="000001")
    assert getattr(refused.value, "field") == "package"
    event = sell(ana.view, package, currency="EUR", sale_date=SOLD_ON, invoice="",
                 imported=planned("count", cells({None: "4"}), status="inactive"))
    assert (event["client_package"], event["imported"]["remaining"]) == ("ana.p1", {"count": 4})
    deleted = offer("count", deleted=True)
    with pytest.raises(RuleError, match="was deleted"):
        sell(ana.view, deleted, currency="EUR", sale_date=SOLD_ON, invoice="", imported=planned("count", cells({None: "4"})))


def test_imports_take_no_invoice_number() -> None:
    sold = ledger.empty_sold()
    event = {"type": "sold", "seq": 1, "terms": offer("count").terms(), "imported": {"remaining": {"count": 4}}}
    assert ledger.apply_to_sold(sold, event)
    assert (sold["sales"], sold["packages"]) == (0, {"count": 1})
    assert ledger.apply_to_sold(sold, dict(event, seq=2, imported=None))
    assert sold["sales"] == 1


# ---------------------------------------------------------------- the fields of a sale


def test_sale_fields() -> None:
    assert str(parse_amount(" 90.5 ", "EUR", "price")) == "90.50"
    for bad in ("1,5", "1_000", "١٢", "1e3", "+5", ""):
        with pytest.raises(InputError, match="price must be an amount like 90 or 90.50"):
            parse_amount(bad, "EUR", "price")
    with pytest.raises(InputError, match="price must not be negative"):
        parse_amount("-5", "EUR", "price")
    assert parse_day("2026-03-01", "date") == date(2026, 3, 1)
    for bad in ("20260301", "2026-W09-7", "2026-3-1", "2026-02-30"):
        with pytest.raises(InputError, match="date must be an ISO date like 2026-11-02"):
            parse_day(bad, "date")
    assert sale_day(None, TODAY) == TODAY
    with pytest.raises(InputError, match=r"^--date 2026-11-21 is in the future"):
        sale_day("2026-11-21", TODAY)


# ---------------------------------------------------------------- references


def test_recorded_and_compared() -> None:
    ana = Client()
    ana.record(sell(ana.view, offer("fixed"), currency="EUR", sale_date=TODAY, invoice="000001", reference="shop-1"))
    pkg = ana.bring("money", cells({None: "45.5"}))
    sale = {"client": "ana", "package": "fixed", "date": "2026-11-20", "price": "210.00", "invoice": "000001"}
    assert ledger.ref_entries(ana.view) == {("shop-1", "ana.p1"): sale}
    # Only what a request gives is compared.
    assert references.same_sale(sale, references.wanted("ana", "fixed"))
    assert references.same_sale(sale, references.wanted("ana", "fixed", date="2026-11-20", price="210.00"))
    # A price is an amount: a per-session sale recorded as "0" is the same as 0.00 asked again.
    assert references.same_sale(dict(sale, price="0"), references.wanted("ana", "fixed", price="0.00"))
    assert references.differences(dict(sale, price="0"), references.wanted("ana", "fixed", price="0.01")) == ["price 0, not 0.01"]
    assert references.differences(sale, references.wanted("bob", "trio", date="2026-11-19", price="200.00", invoice="F-1")) == [
        "client ana, not bob", "package fixed, not trio", "date 2026-11-20, not 2026-11-19", "price 210.00, not 200.00",
        "invoice 000001, not F-1"]
    imported = dict(sale, imported={"remaining": {"money": "45.50"}, "used_before": {"money": "254.50"}, "expires": None, "activated": None})
    assert references.differences(sale, references.wanted("ana", "fixed", imported=pkg["imported"])) == [
        "a sale here, not a balance brought in"]
    assert references.differences(imported, references.wanted("ana", "fixed")) == ["a balance brought in, not a sale here"]
    again = {"remaining": {"money": "45.50"}, "used_before": {}, "expires": None, "activated": None}
    assert references.same_sale(imported, references.wanted("ana", "fixed", imported=again))
    other = {"remaining": {"money": "40.00"}, "used_before": {"money": "1.00"}, "expires": "2027-01-01", "activated": None}
    assert references.differences(imported, references.wanted("ana", "fixed", imported=other)) == [
        "remaining money 45.50, not 40.00", "used_before money 254.50, not 1.00", "expires none, not 2027-01-01"]
