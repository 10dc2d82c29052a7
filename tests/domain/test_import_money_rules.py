"""Imported balances that had expired, refunds of what went before an
import, and the practice's invoice series (pure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sessionpack.domain import ledger
from sessionpack.domain.imports import ImportCells, plan_import
from sessionpack.domain.refunds import Refund, refund_amount
from sessionpack.domain.sales import InvoiceSeries, fold_invoice

from test_imports import offer

SOLD_ON = date(2025, 6, 1)


def problems(kind: str, today: date, **given: Any) -> list[tuple[str, str]]:
    cells = ImportCells(remaining={None: given.pop("remaining", "3")}, expires=given.pop("expires", None),
                        activated=given.pop("activated", None))
    imported, found = plan_import(offer(kind, **given).terms(), cells, sold_on=SOLD_ON, today=today, currency="EUR")
    assert (imported is None) == bool(found)
    return [(column, str(err)) for column, err in found]


# ---------------------------------------------------------------- an import that had expired


def test_a_balance_past_its_rule_is_refused_on_the_date_column() -> None:
    assert problems("count", date(2025, 9, 2), expiry="3 months from purchase") == [
        ("date", "package 'count' is valid 3 months from purchase: sold 2025-06-01, it was valid through 2025-09-01, before "
                 "today (2025-09-02), so nothing of it is left to import; give expires for the last day it really runs to, "
                 "or leave the row out")]
    assert problems("count", date(2025, 9, 1), expiry="3 months from purchase") == []  # its last valid day: still valid


def test_expires_and_activated_in_the_past_are_refused_on_their_column() -> None:
    assert problems("count", date(2026, 3, 2), expires="2026-03-01") == [
        ("expires", "expires 2026-03-01 is before today (2026-03-02): the balance had expired before the import, so nothing "
                    "of it is left to import; give expires for the last day it really runs to, or leave the row out")]
    assert problems("count", date(2026, 3, 2), expires="2026-03-02") == []
    assert problems("count", date(2026, 3, 2), activated="2025-11-30") == [
        ("activated", "package 'count' is valid 3 months from first use: activated 2025-11-30, it was valid through "
                      "2026-02-28, before today (2026-03-02), so nothing of it is left to import; give expires for the last "
                      "day it really runs to, or leave the row out")]
    assert problems("count", date(2026, 3, 2), activated="2025-12-02") == []


def test_an_expires_day_overrides_an_expired_rule_and_no_expiry_never_ends() -> None:
    assert problems("count", date(2026, 3, 2), expiry="3 months from purchase", expires="2026-06-30") == []
    assert problems("money", date(2030, 1, 1)) == []  # no expiry
    assert problems("count", date(2030, 1, 1)) == []  # first use not known yet: starts here


def test_a_fixed_date_before_the_sale_is_left_to_the_sale() -> None:
    assert problems("count", date(2026, 3, 2), expiry="on 2025-05-31") == []  # sales.sell refuses it with its own message
    assert problems("count", date(2026, 3, 2), expiry="on 2025-12-31")[0][0] == "date"


# ---------------------------------------------------------------- refunds


@pytest.mark.parametrize(("method", "amount", "basis"), [
    ("used-at-regular", "96.00", "480.00 - 8/10 used before import 384.00 - 0 used or forfeited at the regular fee 0.00 = 96.00"),
    ("pro-rata", "96.00", "480.00 x 2/10 = 96.00"),
    ("full", "480.00", "all that was paid, 480.00"),
])
def test_a_refund_of_an_imported_count(method: str, amount: str, basis: str) -> None:
    pkg = {"id": "ana.p1", "owner": "ana", "terms": offer("count").terms(), "paid": "480.00", "draws": {}, "adjustments": {},
           "imported": {"remaining": {"count": 2}}}
    assert refund_amount(pkg, Refund(method), [], "EUR") == (Decimal(amount), basis)


def test_used_at_regular_of_an_imported_credit_and_a_fee() -> None:
    pkg = {"id": "ana.p1", "owner": "ana", "terms": offer("money").terms(), "paid": "270.00", "draws": {}, "adjustments": {},
           "imported": {"remaining": {"money": "30.00"}}}
    assert refund_amount(pkg, Refund("used-at-regular", fee=Decimal("5")), [], "EUR") == (
        Decimal("22.00"), "270.00 - 270.00/300.00 used before import 243.00 - 0 used or forfeited at the regular fee 0.00 "
                          "- fee 5.00 = 22.00")


def test_a_package_sold_here_is_refunded_as_before() -> None:
    pkg = {"id": "ana.p1", "owner": "ana", "terms": offer("count").terms(), "paid": "480.00", "draws": {}, "adjustments": {}}
    assert refund_amount(pkg, Refund("used-at-regular"), [Decimal("55.00")], "EUR") == (
        Decimal("425.00"), "480.00 - 1 used or forfeited at the regular fee 55.00 = 425.00")


# ---------------------------------------------------------------- invoice numbers


def test_the_series_follows_the_highest_number_given() -> None:
    series = InvoiceSeries(None)
    assert [series.take(None), series.take("000009"), series.take(None), series.take("2026-A7"), series.take(None),
            series.take("000004"), series.take(None)] == ["000001", "000009", "000010", "2026-A7", "000011", "000004", "000012"]
    wide = InvoiceSeries("000012")
    assert [wide.take("9"), wide.take(None), wide.take("0000000099"), wide.take(None)] == ["9", "000013", "0000000099",
                                                                                           "0000000100"]
    assert InvoiceSeries("999999").take(None) == "1000000"
    assert InvoiceSeries("٣").take(None) == "000001"  # (not ASCII digits: not a number of the series)


def test_the_sold_view_keeps_the_highest_number_of_the_practices_own_sales() -> None:
    sold = ledger.empty_sold()

    def sale(seq: int, invoice: str, imported: Any = None) -> dict[str, Any]:
        return {"type": "sold", "seq": seq, "sale": {"invoice": invoice}, "imported": imported}

    assert fold_invoice(sold, sale(1, "000001"))
    assert not fold_invoice(sold, sale(2, "F-7"))
    assert not fold_invoice(sold, sale(3, "000500", imported={"remaining": {"count": 1}}))  # the other system's number
    assert fold_invoice(sold, sale(4, "000009"))
    assert not fold_invoice(sold, sale(5, "000002"))
    assert (sold["invoice"], sold["seq"]) == ("000009", 4)
    assert InvoiceSeries.of(sold).take(None) == "000010"
    assert InvoiceSeries.of(ledger.empty_sold()).take(None) == "000001"
