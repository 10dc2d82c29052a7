"""Money and dates of imported balances and invoice numbers, on the example
practice: an import that had already expired, refunds of what was used
before an import, the invoice series, and the statement of an imported
package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_util import ok, ok_json
from conftest import Runner
from test_sell_csv import tree_hash, write

NOW = "2026-03-02T09:00"


class AtNow(Runner):
    """The example practice at its own ``--now``."""

    def __call__(self, *args: str, now: str | None = NOW, input: str | None = None):  # type: ignore[no-untyped-def]
        return super().__call__(*args, now=now, input=input)


@pytest.fixture
def shop(example: Path) -> Runner:
    return AtNow(example)


def refused(shop: Runner, args: tuple[str, ...], code: int, lines: list[str]) -> None:
    before = tree_hash(shop.data_dir)
    result = shop(*args)
    assert (result.exit_code, result.stdout) == (code, ""), result.stderr
    assert result.stderr.splitlines() == lines
    assert tree_hash(shop.data_dir) == before


# ---------------------------------------------------------------- an import that had expired


def test_an_import_expired_by_its_rule_is_refused_and_the_liability_stays(shop: Runner, tmp_path: Path) -> None:
    liability = ("report", "liability", "--by", "month", "--from", "2025-12-01", "--to", "2026-02-28", "--format", "csv")
    before = ok(shop(*liability))
    path = write(tmp_path, "client,package,ref,date,remaining.massage-60,remaining.thai\nana,massage-trio,old-7,2025-06-01,1,2\n",
                 "lb.csv")
    lines = [f"{path}:2:date: package 'massage-trio' is valid 3 months from purchase: sold 2025-06-01, it was valid through "
             "2025-09-01, before today (2026-03-02), so nothing of it is left to import; give expires for the last day it really "
             "runs to, or leave the row out",
             f"error: 1 problem in {path}; nothing was recorded: fix it and run the command again"]
    refused(shop, ("sell", "--csv", path, "--dry-run"), 2, lines)
    refused(shop, ("sell", "--csv", path), 2, lines)
    assert ok(shop(*liability)) == before


def test_an_import_expired_by_its_expires_or_activated_day_is_refused(shop: Runner, tmp_path: Path) -> None:
    path = write(tmp_path, "client,package,ref,date,remaining,expires,activated\n"
                           "ana,physio-10,x1,2025-06-01,3,2026-03-01,\n"
                           "ana,physio-10,x2,2025-06-01,3,,2025-11-30\n", "old.csv")
    refused(shop, ("sell", "--csv", path), 2, [
        f"{path}:2:expires: expires 2026-03-01 is before today (2026-03-02): the balance had expired before the import, so "
        "nothing of it is left to import; give expires for the last day it really runs to, or leave the row out",
        f"{path}:3:activated: package 'physio-10' is valid 3 months from first use: activated 2025-11-30, it was valid through "
        "2026-02-28, before today (2026-03-02), so nothing of it is left to import; give expires for the last day it really "
        "runs to, or leave the row out",
        f"error: 2 problems in {path}; nothing was recorded: fix them and run the command again"])


def test_an_import_valid_through_today_is_recorded(shop: Runner, tmp_path: Path) -> None:
    path = write(tmp_path, "client,package,ref,date,remaining,expires,activated\n"
                           "ana,physio-10,x1,2025-06-01,3,2026-03-02,\n"
                           "bruno,physio-10,x2,2025-06-01,3,,2025-12-02\n", "today.csv")
    rows = ok_json(shop("sell", "--csv", path, "--format", "json"))
    assert [(r["id"], r["status"]) for r in rows] == [("ana.p2", "created"), ("bruno.p3", "created")]
    expires = {s["id"]: s["expires"] for c in ("ana", "bruno") for s in ok_json(shop("balance", c, "--format", "json"))}
    assert (expires["ana.p2"], expires["bruno.p3"]) == ("2026-03-02", "2026-03-02")


# ---------------------------------------------------------------- refunds of imported packages


@pytest.fixture
def imported(shop: Runner, tmp_path: Path) -> Runner:
    path = write(tmp_path, "client,package,ref,date,remaining\nana,physio-10,old-1,2026-01-10,2\n"
                           "bruno,credit-300,old-2,2026-01-10,30.00\n", "imp.csv")
    ok(shop("sell", "--csv", path))
    return shop


@pytest.mark.parametrize(("cp", "method", "first"), [
    ("ana.p2", "--used-at-regular", "Refunded ana.p2: used-at-regular 96.00; voided count 2 (480.00 - 8/10 used before import "
                                    "384.00 - 0 used or forfeited at the regular fee 0.00 = 96.00)"),
    ("ana.p2", "--pro-rata", "Refunded ana.p2: pro-rata 96.00; voided count 2 (480.00 x 2/10 = 96.00)"),
    ("ana.p2", "--full", "Refunded ana.p2: full 480.00; voided count 2 (all that was paid, 480.00)"),
    ("bruno.p3", "--used-at-regular", "Refunded bruno.p3: used-at-regular 27.00; voided money 30.00 (270.00 - 270.00/300.00 "
                                      "used before import 243.00 - 0 used or forfeited at the regular fee 0.00 = 27.00)"),
    ("bruno.p3", "--pro-rata", "Refunded bruno.p3: pro-rata 27.00; voided money 30.00 (270.00 x 30.00/300.00 = 27.00)"),
])
def test_a_refund_counts_what_was_used_before_the_import(imported: Runner, cp: str, method: str, first: str) -> None:
    result = imported("refund", cp, method, "--reason", "moving", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == first


def test_used_at_regular_charges_sessions_here_and_before_the_import(imported: Runner) -> None:
    booked = ok_json(imported("book", "ana", "physio", "2026-03-02T11:00", "--allow-overlap", "--package", "ana.p2",
                              "--format", "json"))
    ok(imported("attend", booked["id"], now="2026-03-02T12:00"))
    result = imported("refund", "ana.p2", "--used-at-regular", "--reason", "moving", "--yes", now="2026-03-02T12:00")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == ("Refunded ana.p2: used-at-regular 41.00; voided count 1 (480.00 - 8/10 used before "
                                             "import 384.00 - 1 used or forfeited at the regular fee 55.00 = 41.00)")


# ---------------------------------------------------------------- invoice numbers


def sales_invoices(shop: Runner) -> list[tuple[str, str]]:
    rows = ok_json(shop("report", "sales", "--from", "2026-01-01", "--to", "2026-03-31", "--format", "json"))["rows"]
    return [(r["id"], r["invoice"]) for r in rows]


def test_a_file_never_repeats_an_invoice_number_given_in_it(shop: Runner, tmp_path: Path) -> None:
    path = write(tmp_path, "client,package,ref,invoice\nana,massage-trio,r1,000009\nbruno,massage-trio,r2,\n"
                           "carla,massage-trio,r3,2026-A7\ndiogo,massage-trio,r4,\n", "inv.csv")
    rows = ok_json(shop("sell", "--csv", path, "--format", "json"))
    assert [(r["id"], r["invoice"]) for r in rows] == [("ana.p2", "000009"), ("bruno.p3", "000010"), ("carla.p2", "2026-A7"),
                                                       ("diogo.p2", "000011")]
    made = {"ana.p2", "bruno.p3", "carla.p2", "diogo.p2"}
    assert sorted(row for row in sales_invoices(shop) if row[0] in made) == [
        ("ana.p2", "000009"), ("bruno.p3", "000010"), ("carla.p2", "2026-A7"), ("diogo.p2", "000011")]
    assert ok(shop("check")) == "No problems found\n"


def test_sell_follows_a_number_given_by_hand_and_undo_gives_none_back(shop: Runner) -> None:
    sold = ok(shop("sell", "ana", "massage-trio", "--invoice", "000009"))
    assert "(invoice 000009," in sold
    assert "(invoice 000010," in ok(shop("sell", "bruno", "massage-trio"))
    assert "(invoice 000011," in ok(shop("assign", "carla", "sauna-week"))
    ok(shop("undo", "--last", "--reason", "mistake", "--yes"))
    assert "(invoice 000012," in ok(shop("sell", "bruno", "massage-trio"))
    assert "(invoice 0000000099," in ok(shop("sell", "bruno", "massage-trio", "--invoice", "0000000099"))
    assert "(invoice 0000000100," in ok(shop("sell", "diogo", "massage-trio"))  # as wide as the highest number
    assert ok(shop("check")) == "No problems found\n"
    ok(shop("check", "--rebuild"))
    assert "(invoice 0000000101," in ok(shop("sell", "eva", "massage-trio"))  # a rebuild keeps the series


def test_an_imported_invoice_does_not_move_the_series(shop: Runner, tmp_path: Path) -> None:
    path = write(tmp_path, "client,package,ref,date,remaining,invoice\nana,physio-10,old-1,2026-01-10,2,000500\n", "imp.csv")
    ok(shop("sell", "--csv", path))
    assert "(invoice 000008," in ok(shop("sell", "bruno", "massage-trio"))


# ---------------------------------------------------------------- the statement of an imported package


def test_a_statement_counts_what_was_used_before_the_import(shop: Runner, tmp_path: Path) -> None:
    path = write(tmp_path, "client,package,ref,date,remaining,used_before,activated,name\n"
                           "zoe,physio-10,old-1,2026-02-01,6,4,2026-02-02,Zoe Alves\n", "st.csv")
    ok(shop("sell", "--csv", path, "--create-clients"))
    ok(shop("book", "zoe", "physio", "2026-03-02T11:00", "--allow-overlap"))
    ok(shop("attend", "zoe.b1", now="2026-03-02T12:00"))
    assert ok(shop("statement", "zoe", "--format", "text")).splitlines()[4:] == [
        "10 physiotherapy sessions (zoe.p1)",
        "sold 2026-02-01 elsewhere, imported 2026-03-02 · 480.00 EUR · paid 480.00",
        "expires 2026-05-02 (3 months from first use)",
        "used 1 + 4 before import of 10 · 0 booked · 5 free to book · valid through 2 May 2026",
        "  date        entry            detail                                                                       change  balance",
        "  2026-02-01  imported         10 physiotherapy sessions (physio-10), sold elsewhere: 4 used before import  +6      6",
        "  2026-03-02  session 5 of 10  Physiotherapy session 11:00, attended                                        -1      5",
    ]
    pkg = json.loads(ok(shop("statement", "zoe", "--format", "json")))["packages"][0]
    assert (pkg["sold"], pkg["invoice"], pkg["received"], pkg["imported"]) == (
        "2026-02-01", None, None, {"date": "2026-03-02", "before_import": {"count": 4}})


def test_a_statement_of_an_import_with_an_invoice_and_a_lapsed_part(shop: Runner, tmp_path: Path) -> None:
    path = write(tmp_path, "client,package,ref,date,remaining.massage-60,remaining.thai,used_before.thai,invoice\n"
                           "ana,massage-trio,t1,2026-02-01,1,0,1,OLD-77\n", "t.csv")
    ok(shop("sell", "--csv", path))
    lines = ok(shop("statement", "ana", "--package", "ana.p2", "--format", "text")).splitlines()
    assert lines[5] == "sold 2026-02-01 elsewhere, imported 2026-03-02 · invoice OLD-77 · 258.30 EUR · paid 258.30"
    assert lines[7] == "used 0 + 2 before import of 3 · 0 booked · 1 free to book · valid through 1 May 2026"
    assert "sold elsewhere: thai 1 used before import, thai 1 lapsed there" in lines[9]
    pkg = json.loads(ok(shop("statement", "ana", "--package", "ana.p2", "--format", "json")))["packages"][0]
    assert (pkg["invoice"], pkg["imported"]) == ("OLD-77", {"date": "2026-03-02", "before_import": {"massage-60": 0, "thai": 2}})


def test_a_statement_of_a_package_sold_here_has_no_imported_part(shop: Runner) -> None:
    pkg = json.loads(ok(shop("statement", "ana", "--format", "json")))["packages"][0]
    assert (pkg["invoice"], pkg["imported"]) == ("000001", None)
