"""sell, assign, pay, book, cancel, attend, no-show through the CLI.

Packages are written straight into DATA/packages/ID.toml so these tests do
not depend on 'package create'. Refusals are checked word for word, with
their exit code, and by comparing the journal's bytes before and after.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli_util import events, journal, ok, ok_json, refused, write_package

CODE = r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}"
CODE_LINE = r"Access code: " + CODE + r", shown only now; 'sessionpack code reset ana\.p1' issues a new one"
FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400", "tax": "23"}}


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    return practice


# ---------------------------------------------------------------- sell / assign / pay


def test_sell_prints_the_client_package_id(shop) -> None:  # type: ignore[no-untyped-def]
    first, second = ok(shop("sell", "ana", "five")).splitlines()
    assert first == "Sold five to ana: ana.p1 (invoice 000001, total 492.00 EUR, paid; expires: 2027-02-20)"
    assert re.fullmatch(CODE_LINE, second), second


def test_sell_json(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    record = ok_json(shop("sell", "ana", "five", "--unpaid", "--ref", "shop-1042", "--format", "json"))
    assert re.fullmatch(CODE, record.pop("code"))
    assert record == {"id": "ana.p1", "package": "five", "client": "ana", "invoice": "000001", "total": "492.00",
                      "paid": "0.00", "payment": "unpaid", "expires": "2027-02-20", "remaining": {"massage": 5},
                      "shared_with": [], "unchanged": False}
    [sold] = [e for e in events(data_dir) if e["type"] == "sold"]
    assert sold["sale"]["reference"] == "shop-1042"
    assert sold["terms"]["contents"] == {"sessions": {"massage": 5}}


def test_sell_options(shop) -> None:  # type: ignore[no-untyped-def]
    record = ok_json(shop("sell", "ana", "five", "--price", "300", "--paid", "100", "--invoice", "F-7",
                          "--date", "2026-10-31", "--format", "json"))
    assert {k: record[k] for k in ("invoice", "total", "paid", "payment", "expires")} == {
        "invoice": "F-7", "total": "369.00", "paid": "100.00", "payment": "partly paid", "expires": "2027-01-31"}
    # The next default invoice number follows the highest number given; F-7 is not a number, so it takes none.
    assert ok_json(shop("sell", "ana", "five", "--format", "json"))["invoice"] == "000001"


def test_sell_again_with_the_same_reference_changes_nothing(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five", "--ref", "shop-1042"))
    before = journal(data_dir)
    assert ok(shop("sell", "ana", "five", "--ref", "shop-1042")) == "Unchanged: reference 'shop-1042' is already recorded as ana.p1\n"
    first = ok_json(shop("sell", "ana", "five", "--ref", "shop-1044", "--format", "json"))
    again = ok_json(shop("sell", "ana", "five", "--ref", "shop-1044", "--format", "json"))
    assert list(again) == list(first)  # the same keys, in the same order, for a script
    assert again == {**first, "unchanged": True, "code": None}
    assert (first["unchanged"], len(first["code"])) == (False, 39)
    csv_first, csv_again = (ok(shop("sell", "ana", "five", "--ref", ref, "--format", "csv")).splitlines() for ref in ("shop-1045", "shop-1045"))
    assert csv_again[0] == csv_first[0]
    before = journal(data_dir)
    assert journal(data_dir) == before
    assert ok_json(shop("sell", "ana", "five", "--ref", "shop-1043", "--format", "json"))["id"] == "ana.p4"


def test_not_for_sale_packages_are_only_assigned(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "week", {"name": "Sauna week", "visibility": "not-for-sale", "expiry": "1 week",
                                     "contents": {"pool": "unlimited"}, "payment": {"price": "0"}})
    refused(shop, data_dir, ("sell", "ana", "week"), 1, "package 'week' is not for sale; assign it with 'sessionpack assign ana week'")
    first, second = ok(shop("assign", "ana", "week")).splitlines()
    assert first == "Assigned week to ana: ana.p1 (invoice 000001, total 0.00 EUR, paid; expires: 2026-11-27)"
    assert re.fullmatch(CODE_LINE, second), second
    [sold] = [e for e in events(data_dir) if e["type"] == "sold"]
    assert sold["sale"]["assigned"] is True
    assert ok_json(shop("assign", "ana", "five", "--price", "0", "--format", "json"))["total"] == "0.00"


@pytest.mark.parametrize("args,changes,code,message", [
    (("sell", "ana", "five"), {"status": "inactive"}, 1,
     "package 'five' is inactive; activate it with 'sessionpack package edit five --active' to sell it"),
    (("assign", "ana", "five"), {"status": "inactive"}, 1,
     "package 'five' is inactive; activate it with 'sessionpack package edit five --active' to sell it"),
    (("sell", "ana", "five"), {"deleted": True}, 1, "package 'five' was deleted; clone it to sell something like it"),
    (("sell", "ana", "five", "--price", "10"), {"contents": {"pool": "count", "amount": 10, "services": ["massage"]},
                                                "payment": {"mode": "per-session", "fees": {"massage": "70"}}}, 2,
     "package 'five' is paid per session: it has no price at sale (leave out --price)"),
    (("sell", "ana", "nope"), {}, 2, "no package 'nope'; see 'sessionpack package list --all'"),
    (("sell", "bruno", "five"), {}, 2,
     "no client 'bruno'; see 'sessionpack client list' or add one with 'sessionpack client add'"),
    (("sell", "ana", "five", "--paid", "500"), {}, 2, "paid 500.00 is more than the sale's total 492.00 EUR"),
    (("sell", "ana", "five", "--paid", "5", "--unpaid"), {}, 2, "give either --paid AMOUNT or --unpaid, not both"),
    (("sell", "ana", "five", "--date", "2026-11-21"), {}, 2,
     "--date 2026-11-21 is in the future; a sale can be back-dated, not post-dated"),
    (("sell", "ana", "five", "--price", "1.001"), {}, 2, "--price has more than 2 decimal places for EUR: 1.001"),
    (("sell", "ana", "five", "--ref", " "), {}, 2, "--ref must be one line of at most 200 characters"),
])
def test_sell_refusals_write_nothing(shop, data_dir: Path, args, changes, code, message) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    if changes:
        body = dict(FIVE)
        body.update(changes)
        if "payment" in changes and changes["payment"].get("mode") == "per-session":
            body.pop("expiry")
        write_package(data_dir, "five", body)
    refused(shop, data_dir, args, code, message)


def test_pay(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five", "--unpaid"))
    assert ok(shop("pay", "ana.p1", "200", "--method", "card")) == "Recorded 200.00 EUR on ana.p1: paid 200.00 of 492.00 (partly paid)\n"
    refused(shop, data_dir, ("pay", "ana.p1", "300"), 1, "ana.p1 has 292.00 EUR left to pay; 300.00 is more than that")
    refused(shop, data_dir, ("pay", "ana.p1", "0"), 2, "the amount paid must be more than 0")
    refused(shop, data_dir, ("pay", "ana.p9", "10"), 2, "no client package 'ana.p9'; see 'sessionpack balance ana'")
    assert ok_json(shop("pay", "ana.p1", "292", "--format", "json")) == {
        "id": "ana.p1", "paid": "492.00", "total": "492.00", "payment": "paid"}
    refused(shop, data_dir, ("pay", "ana.p1", "1"), 1, "ana.p1 is already paid in full")
    paid = [e for e in events(data_dir) if e["type"] == "paid"]
    assert [(e["amount"], e["method"]) for e in paid] == [("200.00", "card"), ("292.00", "")]
    balance = ok_json(shop("balance", "ana", "--format", "json"))
    assert (balance[0]["paid"], balance[0]["payment"]) == ("492.00", "paid")


# ---------------------------------------------------------------- book


def test_book_json_names_the_package_drawn_on(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    record = ok_json(shop("book", "ana", "massage", "2026-12-01T10:00", "--format", "json"))
    assert (record["id"], record["package"], record["draw"], record["why"]) == (
        "ana.b1", "ana.p1", {"key": "massage", "amount": 1}, "the only eligible package")
    assert (record["start"], record["fee"], record["fee_tax"]) == ("2026-12-01T10:00:00+00:00", "0.00", "0.00")
    record = ok_json(shop("book", "ana", "thai", "2026-12-02T10:00", "--format", "json"))
    assert (record["id"], record["package"], record["fee"], record["fee_tax"]) == ("ana.b2", None, "120.00", "27.60")
    assert record["why"] == "no eligible package: ana.p1: does not include thai"


def test_book_table_lines(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    assert ok(shop("book", "ana", "massage", "2026-12-01T10:00")) == (
        "Booked ana.b1: massage on 2026-12-01 10:00 (60 min), drawn from ana.p1 (the only eligible package); fee 0.00 + 0.00 tax EUR\n")
    assert ok(shop("book", "ana", "thai", "2026-12-01T12:00", "--duration", "45")) == (
        "Booked ana.b2: thai on 2026-12-01 12:00 (45 min), at the regular fee: no eligible package: ana.p1: does not include thai; "
        "fee 120.00 + 27.60 tax EUR\n")


def test_book_package_and_no_package(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "soon", FIVE, expiry="1 month")
    ok(shop("sell", "ana", "soon"))
    ok(shop("sell", "ana", "five"))
    assert ok_json(shop("book", "ana", "massage", "2026-12-01T10:00", "--format", "json"))["why"] == "expires soonest (2026-12-20)"
    record = ok_json(shop("book", "ana", "massage", "2026-12-01T11:00", "--package", "ana.p2", "--format", "json"))
    assert (record["package"], record["why"]) == ("ana.p2", "chosen with --package")
    record = ok_json(shop("book", "ana", "massage", "2026-12-01T12:00", "--no-package", "--format", "json"))
    assert (record["package"], record["draw"], record["fee"]) == (None, None, "90.00")
    assert record["why"] == "booked without a package (--no-package)"
    balance = ok_json(shop("balance", "ana", "--format", "json"))
    assert [b["remaining"] for b in balance] == [{"massage": 4}, {"massage": 4}]


def test_book_refusals_write_nothing(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "one", FIVE, contents={"sessions": {"massage": 1}}, restrictions={"weekdays": ["mon"]})
    ok(shop("sell", "ana", "five", "--date", "2026-08-01"))  # expires 2026-11-01
    ok(shop("sell", "ana", "one"))
    refused(shop, data_dir, ("book", "ana", "massage", "2026-12-01T10:00", "--require-package"), 1,
            "no package can pay for massage on 2026-12-01 10:00: ana.p1: expires on 2026-11-01, before the session on 2026-12-01; "
            "ana.p2: only on Mondays")
    refused(shop, data_dir, ("book", "ana", "massage", "2026-12-01T10:00", "--package", "ana.p2"), 1,
            "ana.p2 cannot pay for this session: only on Mondays")
    refused(shop, data_dir, ("book", "ana", "massage", "2026-12-01T10:00", "--package", "ana.p7"), 2,
            "no client package 'ana.p7' that ana can use; see 'sessionpack balance ana'")
    refused(shop, data_dir, ("book", "ana", "massage", "2026-12-01T10:00", "--package", "five"), 2,
            "--package 'five' is not a client package id like ana.p1; see 'sessionpack balance ana'")
    refused(shop, data_dir, ("book", "ana", "massage", "2026-12-01T10:00", "--package", "ana.p2", "--no-package"), 2,
            "give either --package or --no-package, not both")
    refused(shop, data_dir, ("book", "ana", "massage", "2026-12-01T10:00", "--count", "3"), 2, "--count and --until need --repeat")
    refused(shop, data_dir, ("book", "ana", "massage", "2026-12-01"), 2, "WHEN needs a time of day, e.g. 2026-12-01T10:00")
    refused(shop, data_dir, ("book", "ana", "massage", "tomorrow"), 2, "WHEN needs a time of day, e.g. tomorrow 10:00")
    refused(shop, data_dir, ("book", "ana", "massage", "someday 10:00"), 2,
            "WHEN must be an ISO date-time like 2026-12-01T10:00, not 'someday 10:00'")
    refused(shop, data_dir, ("book", "ana", "sauna", "2026-12-01T10:00"), 2, "no service 'sauna'; see 'sessionpack service list'")
    refused(shop, data_dir, ("book", "ana", "massage", "2026-12-01T10:00", "--repeat", "bimonthly", "--count", "2"), 2,
            "--repeat 'bimonthly' is not understood: use daily, weekly, fortnightly, monthly, or 'every N days|weeks|months'")
    # On a Monday the restricted package pays; then it is used up.
    assert ok_json(shop("book", "ana", "massage", "2026-11-30T10:00", "--require-package", "--format", "json"))["package"] == "ana.p2"
    refused(shop, data_dir, ("book", "ana", "massage", "2026-12-07T10:00", "--package", "ana.p2"), 1,
            "ana.p2 cannot pay for this session: no massage sessions left")


def test_money_pool_pays_what_it_has(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "credit", {"name": "Credit", "contents": {"pool": "money", "amount": "100"}, "payment": {"price": "100"}})
    ok(shop("sell", "ana", "credit"))
    record = ok_json(shop("book", "ana", "thai", "2026-12-01T10:00", "--format", "json"))
    assert (record["package"], record["draw"], record["fee"], record["fee_tax"]) == (
        "ana.p1", {"key": "money", "amount": "100.00"}, "20.00", "4.60")
    assert ok_json(shop("balance", "ana", "--format", "json"))[0]["remaining"] == {"money": "0.00"}


def test_repeat_series(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "three", FIVE, contents={"sessions": {"massage": 3}}, expiry="none")
    ok(shop("sell", "ana", "three"))
    out = ok(shop("book", "ana", "massage", "2027-03-15T10:00", "--repeat", "weekly", "--count", "4"))
    assert out == (
        "Booked ana.b1: massage on 2027-03-15 10:00 (60 min), drawn from ana.p1 (the only eligible package); fee 0.00 + 0.00 tax EUR\n"
        "Booked ana.b2: massage on 2027-03-22 10:00 (60 min), drawn from ana.p1 (the only eligible package); fee 0.00 + 0.00 tax EUR\n"
        "Booked ana.b3: massage on 2027-03-29 10:00 (60 min), drawn from ana.p1 (the only eligible package); fee 0.00 + 0.00 tax EUR\n"
        "Booked ana.b4: massage on 2027-04-05 10:00 (60 min), at the regular fee: no eligible package: ana.p1: no massage sessions left; "
        "fee 90.00 + 0.00 tax EUR\n"
        "Series ana.b1: 4 sessions, 3 drawn from a package, 1 at the regular fee\n")
    booked = [e["booking"] for e in events(data_dir) if e["type"] == "booked"]
    assert [b["start"] for b in booked] == ["2027-03-15T10:00:00+00:00", "2027-03-22T10:00:00+00:00",
                                            "2027-03-29T10:00:00+01:00", "2027-04-05T10:00:00+01:00"]  # DST: same wall time
    assert {b["series"] for b in booked} == {"ana.b1"}
    # One commit for the whole series: the first events say more follow.
    assert [e.get("more", False) for e in events(data_dir)[-4:]] == [True, True, True, False]


def test_repeat_series_json_and_until(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "march", FIVE, expiry="on 2027-03-01")
    ok(shop("sell", "ana", "march"))
    rows = ok_json(shop("book", "ana", "massage", "2027-01-31T10:00", "--repeat", "monthly", "--until", "2027-04-30",
                        "--format", "json"))
    assert [(r["id"], r["start"][:10], r["package"], r["series"]) for r in rows] == [
        ("ana.b1", "2027-01-31", "ana.p1", "ana.b1"), ("ana.b2", "2027-02-28", "ana.p1", "ana.b1"),
        ("ana.b3", "2027-03-31", None, "ana.b1"), ("ana.b4", "2027-04-30", None, "ana.b1")]
    assert rows[2]["why"] == "no eligible package: ana.p1: expires on 2027-03-01, before the session on 2027-03-31"


def test_repeat_series_on_a_chosen_package(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "two", FIVE, contents={"sessions": {"massage": 2}})
    ok(shop("sell", "ana", "five"))
    ok(shop("sell", "ana", "two"))
    rows = ok_json(shop("book", "ana", "massage", "2026-12-01T10:00", "--repeat", "weekly", "--count", "3",
                        "--package", "ana.p2", "--format", "json"))
    assert [r["package"] for r in rows] == ["ana.p2", "ana.p2", None]
    assert rows[2]["why"] == "ana.p2 cannot pay for this session: no massage sessions left"
    # At 11:00, after the first series' sessions: the one practitioner is free then (rule 21).
    refused(shop, data_dir, ("book", "ana", "massage", "2026-12-01T11:00", "--repeat", "weekly", "--count", "7",
                             "--require-package"), 1,
            "no package can pay for massage on 2027-01-05 11:00: ana.p1: no massage sessions left; ana.p2: no massage sessions left")


# ---------------------------------------------------------------- cancel / attend / no-show


@pytest.fixture
def booked(shop, data_dir: Path):  # type: ignore[no-untyped-def]
    write_package(data_dir, "strict", FIVE, policies={"no_show": "forfeit", "late_cancel": "forfeit"})
    ok(shop("sell", "ana", "strict"))
    for day in ("01", "02", "03", "04"):
        ok(shop("book", "ana", "massage", f"2026-12-{day}T10:00"))
    return shop


def test_cancel_in_time_returns_the_session(booked) -> None:  # type: ignore[no-untyped-def]
    assert ok(booked("cancel", "ana.b1")) == "ana.b1: cancelled; returned to ana.p1\n"
    assert ok_json(booked("balance", "ana", "--format", "json"))[0]["remaining"] == {"massage": 2}


def test_late_cancel_follows_the_policy_or_a_person(booked, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    late = "2026-11-30T11:00"
    assert ok_json(booked("cancel", "ana.b1", "--format", "json", now=late)) == {
        "id": "ana.b1", "status": "late-cancelled", "package": "ana.p1", "outcome": "forfeit", "late": True, "fee": "0.00"}
    refused(booked, data_dir, ("cancel", "ana.b1"), 1, "booking ana.b1 is already late-cancelled; nothing was changed (to change that, undo the command "
        "that did it: 'sessionpack log --client ana' shows its id)")
    refused(booked, data_dir, ("cancel", "ana.b2", "--return"), 2, "overriding the package's policy needs --reason", now="2026-12-01T11:00")
    refused(booked, data_dir, ("cancel", "ana.b2", "--return", "--forfeit", "--reason", "x"), 2, "give either --return or --forfeit, not both")
    refused(booked, data_dir, ("cancel", "ana.b2", "--reason", " "), 2, "--reason must be one line of 1 to 500 printable characters")
    assert ok(booked("cancel", "ana.b2", "--return", "--reason", "snowstorm", now="2026-12-01T11:00")) == (
        "ana.b2: late cancel; returned to ana.p1\n")
    cancelled = [e for e in events(data_dir) if e["type"] == "cancelled"]
    assert [(e["booking"], e["outcome"], e.get("reason"), e["actor"]) for e in cancelled] == [
        ("ana.b1", "forfeit", None, "tester"), ("ana.b2", "return", "snowstorm", "tester")]
    balance = ok_json(booked("balance", "ana", "--format", "json"))[0]
    assert balance["balances"]["massage"] == {"total": 5, "adjusted": 0, "used": 0, "forfeited": 1, "scheduled": 2,
                                              "transferred": 0, "voided": 0, "expired": 0, "remaining": 2}


def test_attend_and_no_show(booked, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    assert ok(booked("attend", "ana.b1", now="2026-12-01T11:00")) == "ana.b1: attended\n"
    refused(booked, data_dir, ("cancel", "ana.b1"), 1, "booking ana.b1 is already attended; nothing was changed (to change that, undo the command "
        "that did it: 'sessionpack log --client ana' shows its id)")
    assert ok(booked("no-show", "ana.b2", now="2026-12-02T11:00")) == "ana.b2: no-show; session forfeited\n"
    assert ok_json(booked("no-show", "ana.b3", "--return", "--reason", "hospital", "--format", "json", now="2026-12-03T11:00")) == {
        "id": "ana.b3", "status": "no-show", "package": "ana.p1", "outcome": "return", "late": False, "fee": "0.00"}
    refused(booked, data_dir, ("attend", "ana.b9"), 2, "no booking 'ana.b9'; see 'sessionpack history ana'")
    refused(booked, data_dir, ("attend", "ana.p1"), 2, "booking id 'ana.p1' is not valid: it looks like 'ana.b3' (see 'sessionpack history CLIENT')")
    balance = ok_json(booked("balance", "ana", "--format", "json"))[0]
    assert balance["balances"]["massage"] == {"total": 5, "adjusted": 0, "used": 1, "forfeited": 1, "scheduled": 1,
                                              "transferred": 0, "voided": 0, "expired": 0, "remaining": 2}


def test_a_cancelled_booking_frees_the_session_for_another(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "one", FIVE, contents={"sessions": {"massage": 1}})
    ok(shop("sell", "ana", "one"))
    ok(shop("book", "ana", "massage", "2026-12-01T10:00"))
    assert ok_json(shop("book", "ana", "massage", "2026-12-02T10:00", "--format", "json"))["package"] is None
    ok(shop("cancel", "ana.b1"))
    assert ok_json(shop("book", "ana", "massage", "2026-12-03T10:00", "--format", "json"))["package"] == "ana.p1"


def test_an_earlier_session_may_not_end_a_first_use_clock_before_later_bookings(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(practice("package", "create", "fu", "--name", "First use", "--service", "massage=5", "--price", "100",
                "--expires", "10 days from first use"))
    ok(practice("sell", "ana", "fu"))
    ok(practice("book", "ana", "massage", "2026-12-20T10:00"))  # the clock would run to 2026-12-30
    message = ("a session on 2026-12-01 starts ana.p1's clock then: it would expire on 2026-12-11, before its bookings "
               "ana.b1 on 2026-12-20; choose a later time, move those bookings, or confirm with --force")
    refused(practice, data_dir, ("book", "ana", "massage", "2026-12-01T10:00"), 1, message)
    ok(practice("book", "ana", "massage", "2026-12-05T10:00", "--no-package"))
    refused(practice, data_dir, ("move", "ana.b2", "2026-12-01T10:00", "--package", "ana.p1"), 1, message)
    ok(practice("book", "ana", "massage", "2026-12-22T10:00"))  # later: the clock is unchanged
    forced = ok_json(practice("book", "ana", "massage", "2026-12-01T10:00", "--force", "--format", "json"))
    assert forced["package"] == "ana.p1"
