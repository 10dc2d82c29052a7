"""Moving from another system: balances imported through sell --csv, per pool kind (issue 12 item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_util import events, ok, ok_json, write_package
from test_sell_csv import refused, tree_hash, write

PACKAGES = {
    "physio-10": {"name": "10 physio", "expiry": "3 months from first use",
                  "contents": {"pool": "count", "amount": 10, "services": ["massage"]}, "payment": {"price": "480"}},
    "hours": {"name": "5 hours", "expiry": "12 months", "status": "inactive",
              "contents": {"pool": "minutes", "amount": 300, "services": ["massage", "thai"]}, "payment": {"price": "260"}},
    "credit": {"name": "300 credit", "contents": {"pool": "money", "amount": "300", "services": "all"}, "payment": {"price": "270"}},
    "sauna": {"name": "Sauna month", "visibility": "not-for-sale", "expiry": "1 month",
              "contents": {"pool": "unlimited", "services": ["massage"]}, "payment": {"price": "60"}},
    "trio": {"name": "Trio", "expiry": "6 months", "contents": {"sessions": {"massage": 1, "thai": 2}}, "payment": {"price": "210", "tax": "23"}},
}

MIGRATION = ("client,package,ref,date,paid,remaining,remaining.massage,remaining.thai,used_before,expires,activated,note\n"
             "ana,physio-10,old-1,2026-09-01,480,6,,,3,,2026-09-05,\n"
             "ana,hours,old-2,2026-03-01,,120,,,,,,paper card\n"
             "bruno,credit,old-3,2026-06-10,270,45.5,,,,2027-06-10,\n"
             "bruno,sauna,old-4,2026-11-10,60,unlimited,,,,,,\n"
             "bruno,trio,old-5,2026-10-01,0,,1,0,,2027-01-31,,\n"
             "bruno,physio-10,old-6,2026-11-01,,10,,,,,,\n")


@pytest.fixture
def moved(practice, data_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    for pid, body in PACKAGES.items():
        write_package(data_dir, pid, body)
    ok(practice("client", "add", "bruno", "--name", "Bruno Costa"))
    path = write(tmp_path, MIGRATION, "migration.csv")
    rows = ok_json(practice("sell", "--csv", path, "--format", "json"))
    assert [(r["id"], r["status"], r["invoice"]) for r in rows] == [
        ("ana.p1", "created", None), ("ana.p2", "created", None), ("bruno.p1", "created", None), ("bruno.p2", "created", None),
        ("bruno.p3", "created", None), ("bruno.p4", "created", None)]
    practice.path = path
    return practice


def summaries(sp, client: str) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {s["id"]: s for s in ok_json(sp("balance", client, "--format", "json"))}


def test_each_pool_kind_starts_with_what_was_left(moved) -> None:  # type: ignore[no-untyped-def]
    ana, bruno = summaries(moved, "ana"), summaries(moved, "bruno")
    got = {cp: (s["remaining"], s["expires"], s["status"], s["sold"]) for cp, s in {**ana, **bruno}.items()}
    assert got == {
        "ana.p1": ({"count": 6}, "2026-12-05", "active", "2026-09-01"),        # first use there on 5 Sep + 3 months
        "ana.p2": ({"minutes": 120}, "2027-03-01", "active", "2026-03-01"),    # 12 months from the original sale
        "bruno.p1": ({"money": "45.50"}, "2027-06-10", "active", "2026-06-10"),
        "bruno.p2": ({"unlimited": "unlimited"}, "2026-12-10", "active", "2026-11-10"),
        "bruno.p3": ({"massage": 1, "thai": 0}, "2027-01-31", "active", "2026-10-01"),
        "bruno.p4": ({"count": 10}, None, "active", "2026-11-01"),             # not used there yet: starts here
    }
    assert bruno["bruno.p4"]["starts_at_first_use"] is True
    assert {cp: s["invoice"] for cp, s in ana.items()} == {"ana.p1": None, "ana.p2": None}  # none given: null, not ""
    assert ana["ana.p1"]["balances"]["count"] == {"total": 10, "adjusted": 0, "used": 0, "forfeited": 0, "scheduled": 0,
                                                  "transferred": 0, "voided": 0, "expired": 0, "before_import": 4, "remaining": 6}
    assert ana["ana.p1"]["imported"] == {"sold_on": "2026-09-01", "remaining": {"count": 6}, "used_before": {"count": 3},
                                         "expires": None, "activated": "2026-09-05"}
    assert (bruno["bruno.p3"]["paid"], bruno["bruno.p3"]["payment"], bruno["bruno.p3"]["total"]) == ("0.00", "unpaid", "258.30")
    table = ok(moved("balance", "bruno", "--format", "csv")).splitlines()
    assert table[0].split(",")[4:15] == ["item", "total", "adjusted", "used", "forfeited", "scheduled", "transferred",
                                         "voided", "expired", "before_import", "remaining"]
    assert table[3:5] == ["bruno,bruno.p3,trio,Trio,massage,1,0,0,0,0,0,0,0,0,1,2027-01-31,no,active,",
                          "bruno,bruno.p3,trio,Trio,thai,2,0,0,0,0,0,0,0,2,0,2027-01-31,no,active,"]


def test_the_sold_events_carry_what_was_imported(moved, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    sold = [e for e in events(data_dir) if e["type"] == "sold"]
    assert [e["imported"] for e in sold][:3] == [
        {"sold_on": "2026-09-01", "remaining": {"count": 6}, "used_before": {"count": 3}, "expires": None, "activated": "2026-09-05"},
        {"sold_on": "2026-03-01", "remaining": {"minutes": 120}, "used_before": {"minutes": 180}, "expires": None, "activated": None},
        {"sold_on": "2026-06-10", "remaining": {"money": "45.50"}, "used_before": {"money": "254.50"}, "expires": "2027-06-10", "activated": None},
    ]
    assert sold[1]["sale"]["note"] == "paper card"
    # Imports take no invoice number: the next sale here is 000001.
    write_package(data_dir, "credit", PACKAGES["credit"])
    assert ok_json(moved("sell", "ana", "credit", "--format", "json"))["invoice"] == "000001"


def test_history_says_imported_and_bookings_draw_on_it(moved) -> None:  # type: ignore[no-untyped-def]
    history = ok_json(moved("history", "ana.p1", "--format", "json"))
    assert [(h["what"], h["change"], h["balance"]) for h in history] == [
        ("imported physio-10 as ana.p1: 6 of 10 left, sold 2026-09-01 elsewhere, first used 2026-09-05", {"count": 6}, {"count": 6})]
    booked = ok_json(moved("book", "ana", "massage", "2026-12-01T10:00", "--format", "json"))
    assert (booked["package"], booked["draw"]) == ("ana.p1", {"key": "count", "amount": 1})
    assert summaries(moved, "ana")["ana.p1"]["remaining"] == {"count": 5}
    # After its last day (5 Dec) it no longer pays.
    late = ok_json(moved("book", "ana", "massage", "2026-12-07T10:00", "--format", "json"))
    assert late["package"] != "ana.p1"
    assert ok(moved("check")) == "No problems found\n"


def test_a_rerun_is_unchanged_and_a_changed_balance_is_refused(moved, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = tree_hash(data_dir)
    again = ok_json(moved("sell", "--csv", moved.path, "--format", "json"))
    assert [r["status"] for r in again] == ["unchanged"] * 6
    assert tree_hash(data_dir) == before
    changed = write(tmp_path, MIGRATION.replace("45.5,", "40,").replace("2026-09-05", "2026-09-06"), "changed.csv")
    refused(moved, data_dir, ("sell", "--csv", changed), 1, [
        f"{changed}:2:ref: reference 'old-1' is already recorded as ana.p1 with other details (activated 2026-09-05, not 2026-09-06); "
        "if this is another sale, give it its own reference",
        f"{changed}:4:ref: reference 'old-3' is already recorded as bruno.p1 with other details (remaining money 45.50, not 40.00); "
        "if this is another sale, give it its own reference",
        f"error: 2 problems in {changed}; nothing was recorded: fix them and run the command again"])


def test_import_problems_name_line_and_column(moved, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "client,package,ref,date,remaining,remaining.massage,expires,activated\n"
                           "ana,physio-10,new-1,,4,,,\n"
                           "ana,trio,new-2,2026-01-01,1,,,\n"
                           "ana,hours,new-3,2026-01-01,301,,,2026-02-01\n", "bad.csv")
    refused(moved, data_dir, ("sell", "--csv", path), 2, [
        f"{path}:2:date: an imported balance needs the date it was sold (in the other system); write it, e.g. 2026-03-01",
        f"{path}:3:remaining: package 'trio' holds several balances (massage, thai); give remaining.massage, remaining.thai instead of remaining",
        f"{path}:3:remaining.massage: what was left of massage is missing; write it (0 if nothing was left)",
        f"{path}:3:remaining.thai: what was left of thai is missing; write it (0 if nothing was left)",
        f"{path}:4:remaining: 301 minutes left is more than package 'hours' holds (300 minutes); import it with a package that "
        "holds at least that much, or import 300 and add the rest with 'sessionpack adjust'",
        f"{path}:4:activated: activated is for packages whose expiry starts at first use; package 'hours' is 'valid 12 months "
        "from purchase': leave it empty, or give expires",
        f"error: 6 problems in {path}; nothing was recorded: fix them and run the command again"])
