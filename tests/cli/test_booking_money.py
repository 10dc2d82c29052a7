"""Money on bookings and packages after cancel, move and pay.

Money paid on a booking beyond its fee is owed back and never left unsaid
(docs/corrections.md, "Paying for a booking"); --return and --forfeit need a
package to act on; a cancelled package takes no payment; a late cancel's
charge on a money credit keeps the share of the session's price from what
the booking drew, never more. Refusals are checked word for word, with
their exit code, and by comparing the journal's and views' bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_util import balance_of, clean, history_of, ok, ok_json, refused, write_package

FIVE = {"name": "5 massages", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400", "tax": "23"}}
CREDIT = {"name": "Credit", "contents": {"pool": "money", "amount": "100"}, "payment": {"price": "100"},
          "policies": {"late_cancel": "charge", "charge_percent": 50, "late_cancel_hours": 24}}
OWED_BACK_LINE = ("ana.b1: 147.60 EUR was paid on it and its fee is now 0.00, so 147.60 EUR is owed back to ana "
                  "(see 'sessionpack client show ana')")


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    write_package(data_dir, "credit", CREDIT)
    return practice


def paid_at_the_regular_fee(sp, when: str = "2026-12-01T10:00") -> None:  # type: ignore[no-untyped-def]
    ok(sp("book", "ana", "thai", when, "--no-package"))
    assert ok(sp("pay", "ana.b1", "147.60", "--method", "card")) == "Recorded 147.60 EUR on ana.b1: paid 147.60 of 147.60 (paid)\n"


# ---------------------------------------------------------------- a paid booking cancelled: owed back


def test_cancelling_a_paid_booking_says_what_is_owed_back(shop) -> None:  # type: ignore[no-untyped-def]
    paid_at_the_regular_fee(shop)
    assert ok(shop("cancel", "ana.b1", "--reason", "ill")) == f"ana.b1: cancelled\n{OWED_BACK_LINE}\n"
    item = {"what": "ana.b1", "date": "2026-12-01", "status": "cancelled", "paid": "147.60", "fee": "0.00", "owed_back": "147.60"}
    page = ok_json(shop("client", "show", "ana", "--format", "json"))
    assert (page["owed"], page["owed_back"]) == ({"items": [], "total": "0.00"}, {"items": [item], "total": "147.60"})
    assert ok(shop("client", "show", "ana")).endswith(
        "Owed: nothing (0.00 EUR)\n\n"
        "Owed back to the client: 147.60 EUR\n"
        "what    date        status     paid    fee   owed back\n"
        "ana.b1  2026-12-01  cancelled  147.60  0.00  147.60\n")
    # The statement shows it too, even to a client without packages.
    assert ok(shop("statement", "ana", "--format", "text")).endswith(
        "No packages.\n\n"
        "Owed back to you: 147.60 EUR (paid on sessions beyond their fee)\n"
        "  booking  date        status     paid    fee   owed back\n"
        "  ana.b1   2026-12-01  cancelled  147.60  0.00  147.60\n")
    assert ok(shop("statement", "ana", "--format", "md")).endswith(
        "## Owed back to you: 147.60 EUR (paid on sessions beyond their fee)\n\n"
        "| booking | date | status | paid | fee | owed back |\n|---|---|---|---|---|---|\n"
        "| ana.b1 | 2026-12-01 | cancelled | 147.60 | 0.00 | 147.60 |\n")
    assert ok_json(shop("statement", "ana", "--format", "json"))["owed_back"] == {"items": [item], "total": "147.60"}
    # Given back: undoing the payment, with the reason, settles it.
    [payment] = [row for row in ok_json(shop("log", "--client", "ana", "--format", "json")) if row["what"].startswith("payment")]
    ok(shop("undo", payment["id"], "--reason", "given back in cash"))
    assert ok_json(shop("client", "show", "ana", "--format", "json"))["owed_back"] == {"items": [], "total": "0.00"}
    assert "Owed back" not in ok(shop("client", "show", "ana"))
    clean(shop)


def test_report_outstanding_lists_what_is_owed_back(shop) -> None:  # type: ignore[no-untyped-def]
    paid_at_the_regular_fee(shop)
    ok(shop("book", "ana", "thai", "2026-11-19T10:00", "--no-package"))  # a fee due, on a past session
    ok(shop("cancel", "ana.b1", "--reason", "ill"))
    report = ok_json(shop("report", "outstanding", "--format", "json"))
    assert [(r["item"], r["what"], r["paid"], r["due"]) for r in report["rows"]] == [
        ("ana.b2", "regular fee thai", "0.00", "147.60"), ("ana.b1", "owed back, cancelled thai", "147.60", "-147.60")]
    assert report["totals"] == {"due": "0.00", "items": 2, "clients": {"ana": "0.00"}, "owed_back": "147.60"}
    # Given back (the payment undone), it leaves the report.
    [payment] = [row for row in ok_json(shop("log", "--client", "ana", "--format", "json")) if row["what"].startswith("payment")]
    ok(shop("undo", payment["id"], "--reason", "given back in cash"))
    assert [r["item"] for r in ok_json(shop("report", "outstanding", "--format", "json"))["rows"]] == ["ana.b2"]
    clean(shop)


def test_cancel_in_a_machine_format_warns_on_stderr(shop) -> None:  # type: ignore[no-untyped-def]
    paid_at_the_regular_fee(shop)
    result = shop("cancel", "ana.b1", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"id": "ana.b1", "status": "cancelled", "package": None, "outcome": None,
                                         "late": False, "fee": "0.00"}
    assert result.stderr == f"warning: {OWED_BACK_LINE}\n"


def test_a_cancel_of_an_unpaid_booking_says_nothing_more(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("book", "ana", "thai", "2026-12-01T10:00", "--no-package"))
    assert ok(shop("cancel", "ana.b1")) == "ana.b1: cancelled\n"
    page = ok_json(shop("client", "show", "ana", "--format", "json"))
    assert page["owed_back"] == {"items": [], "total": "0.00"}
    assert ok_json(shop("statement", "ana", "--format", "json"))["owed_back"] == {"items": [], "total": "0.00"}


def test_a_forfeit_keeps_the_fee_so_nothing_is_owed_back(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "club", {"name": "Club", "contents": {"pool": "count", "amount": 10, "services": ["massage"]},
                                     "payment": {"mode": "per-session", "fees": {"massage": "70"}},
                                     "policies": {"late_cancel": "forfeit"}})
    ok(practice("sell", "ana", "club"))
    for when in ("2026-11-20T15:00", "2026-11-20T17:00"):
        ok(practice("book", "ana", "massage", when))
    ok(practice("pay", "ana.b1", "70"))
    ok(practice("pay", "ana.b2", "70"))
    assert ok(practice("cancel", "ana.b1")) == "ana.b1: late cancel; session forfeited\n"
    assert ok(practice("cancel", "ana.b2", "--return", "--reason", "ill")) == (
        "ana.b2: late cancel; returned to ana.p1\n"
        "ana.b2: 70.00 EUR was paid on it and its fee is now 0.00, so 70.00 EUR is owed back to ana "
        "(see 'sessionpack client show ana')\n")
    assert [item["what"] for item in ok_json(practice("client", "show", "ana", "--format", "json"))["owed_back"]["items"]] == ["ana.b2"]


def club_booked(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """ana holds a per-session club package (70.00 a session) and has booked 1 December on it."""
    write_package(data_dir, "club", {"name": "Club", "contents": {"pool": "count", "amount": 10, "services": ["massage"]},
                                     "payment": {"mode": "per-session", "fees": {"massage": "70"}}})
    ok(practice("sell", "ana", "club"))
    ok(practice("book", "ana", "massage", "2026-12-01T10:00"))


def test_closing_a_package_that_cancels_a_paid_booking_says_what_is_owed_back(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    club_booked(practice, data_dir)
    ok(practice("book", "ana", "massage", "2026-12-02T10:00"))
    ok(practice("pay", "ana.b1", "70"))
    line = ("ana.b1: 70.00 EUR was paid on it and its fee is now 0.00, so 70.00 EUR is owed back to ana "
            "(see 'sessionpack client show ana')")
    out = ok(practice("cancel", "ana.p1", "--reason", "moving away", "--cancel-bookings", "--yes"))
    assert out.endswith(f"Cancelled ana.b1 (2026-12-01 10:00): 1 count back to ana.p1\n{line}\n"
                        "Cancelled ana.b2 (2026-12-02 10:00): 1 count back to ana.p1\n")
    assert [item["what"] for item in ok_json(practice("client", "show", "ana", "--format", "json"))["owed_back"]["items"]] == ["ana.b1"]


def test_a_package_cancel_in_a_machine_format_warns_of_what_is_owed_back(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    club_booked(practice, data_dir)
    ok(practice("pay", "ana.b1", "70"))
    result = practice("cancel", "ana.p1", "--reason", "moving away", "--cancel-bookings", "--yes", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["bookings"][0]["action"] == "cancelled"
    assert result.stderr == ("warning: ana.b1: 70.00 EUR was paid on it and its fee is now 0.00, so 70.00 EUR is owed back "
                             "to ana (see 'sessionpack client show ana')\n")


# ---------------------------------------------------------------- move: the rule link has


def test_move_refuses_a_fee_below_what_was_paid_as_link_does(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    paid_at_the_regular_fee(shop)
    # link and move refuse with one rule, in the same words.
    refused(shop, data_dir, ("link", "ana.b1", "ana.p1", "--count-as", "massage"), 1,
            "booking ana.b1 is already paid (147.60 EUR); linked to ana.p1 it would cost 0.00, so 147.60 would be paid "
            "too much; to link it anyway, add --force --reason R")
    ok(shop("book", "ana", "massage", "2026-12-02T10:00", "--no-package"))
    assert ok(shop("pay", "ana.b2", "90")) == "Recorded 90.00 EUR on ana.b2: paid 90.00 of 90.00 (paid)\n"
    message = ("booking ana.b2 is already paid (90.00 EUR); drawing on ana.p1 at the new time it would cost 0.00, "
               "so 90.00 would be paid too much; to move it anyway, add --force --reason R")
    refused(shop, data_dir, ("move", "ana.b2", "2026-12-02T14:00", "--package", "ana.p1"), 1, message)
    refused(shop, data_dir, ("move", "ana.b2", "2026-12-02T14:00", "--package", "ana.p1", "--force"), 1, message)
    out = ok(shop("move", "ana.b2", "2026-12-02T14:00", "--package", "ana.p1", "--force", "--reason", "give it back next visit"))
    assert out == (
        "Moved ana.b2: massage on 2026-12-02 14:00 (60 min), drawn from ana.p1 (chosen with --package; forced past: "
        "already paid 90.00); fee 0.00 + 0.00 tax EUR; was 2026-12-02 10:00\n"
        "ana.b2: 90.00 EUR was paid on it and its fee is now 0.00, so 90.00 EUR is owed back to ana "
        "(see 'sessionpack client show ana')\n")
    [row] = [r for r in history_of(shop, "ana") if r["type"] == "moved"]
    assert (row["what"], row["why"]) == (
        "ana.b2 moved from 2026-12-02 10:00 to 2026-12-02 14:00; draws 1 massage from ana.p1; forced past: already paid 90.00",
        "give it back next visit")
    assert balance_of(shop, "ana", "ana.p1")["remaining"] == {"massage": 4}
    page = ok_json(shop("client", "show", "ana", "--format", "json"))
    assert page["owed_back"] == {"items": [{"what": "ana.b2", "date": "2026-12-02", "status": "booked", "paid": "90.00",
                                            "fee": "0.00", "owed_back": "90.00"}], "total": "90.00"}
    # A statement of the package lists what is owed back on its bookings only.
    assert ok_json(shop("statement", "ana", "--package", "ana.p1", "--format", "json"))["owed_back"]["total"] == "90.00"
    clean(shop)


def test_a_move_that_keeps_the_fee_is_not_refused(shop) -> None:  # type: ignore[no-untyped-def]
    paid_at_the_regular_fee(shop)
    assert ok(shop("move", "ana.b1", "2026-12-01T14:00")).endswith("fee 120.00 + 27.60 tax EUR; was 2026-12-01 10:00\n")
    assert ok_json(shop("client", "show", "ana", "--format", "json"))["owed_back"]["items"] == []


# ---------------------------------------------------------------- --return and --forfeit need a package


def test_return_or_forfeit_on_a_booking_without_a_package_is_refused(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("book", "ana", "thai", "2026-11-20T18:00", "--no-package"))
    refused(shop, data_dir, ("cancel", "ana.b1", "--forfeit", "--reason", "charge her"), 2,
            "booking ana.b1 draws on no package, so --forfeit has nothing to act on; cancel it without --forfeit")
    refused(shop, data_dir, ("cancel", "ana.b1", "--return"), 2,
            "booking ana.b1 draws on no package, so --return has nothing to act on; cancel it without --return")
    # Several at once: all or none, the one without a package named.
    ok(shop("book", "ana", "massage", "2026-11-20T16:00"))
    refused(shop, data_dir, ("cancel", "ana.b2", "ana.b1", "--return", "--reason", "snow", "--yes"), 2,
            "booking ana.b1 draws on no package, so --return has nothing to act on; cancel it without --return")
    refused(shop, data_dir, ("cancel", "--client", "ana", "--date", "2026-11-20", "--forfeit", "--reason", "x", "--yes"), 2,
            "booking ana.b1 draws on no package, so --forfeit has nothing to act on; cancel it without --forfeit")
    refused(shop, data_dir, ("no-show", "ana.b1", "--forfeit", "--reason", "x"), 2,
            "booking ana.b1 draws on no package, so --forfeit has nothing to act on; mark it a no-show without --forfeit",
            now="2026-11-20T20:00")
    assert ok(shop("cancel", "ana.b1")) == "ana.b1: cancelled\n"
    assert ok(shop("cancel", "ana.b2", "--return", "--reason", "snow")) == "ana.b2: late cancel; returned to ana.p1\n"
    clean(shop)


# ---------------------------------------------------------------- pay on a cancelled package, a negative amount


def test_pay_on_a_cancelled_package_is_refused(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "three", {"name": "3", "contents": {"sessions": {"massage": 3}}, "payment": {"price": "100", "tax": "23"}})
    ok(practice("sell", "ana", "three", "--paid", "23"))
    ok(practice("cancel", "ana.p1", "--reason", "x", "--yes"))
    refused(practice, data_dir, ("pay", "ana.p1", "10"), 1,
            "ana.p1 is cancelled: nothing is due on it, so no payment can be recorded on it; "
            "if cancelling it was a mistake, undo that first (see 'sessionpack log --client ana')")
    sales = ok_json(practice("report", "sales", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json"))
    assert [(r["paid"], r["due"]) for r in sales["rows"]] == [("23.00", "0.00")]


def test_a_negative_amount_to_pay_is_named_as_an_amount(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    ok(practice("sell", "ana", "five", "--unpaid"))
    ok(practice("book", "ana", "thai", "2026-12-01T10:00", "--no-package"))
    for target in ("ana.p1", "ana.b1"):
        for amount in ("-5", "-5.50", "-.5"):
            refused(practice, data_dir, ("pay", target, amount), 2, f"amount must not be negative: {amount}; see 'sessionpack pay --help'")
    refused(practice, data_dir, ("pay", "ana.p1", "5", "--metod", "card"), 2,
            "No such option: --metod (Possible options: --method); see 'sessionpack pay --help'")
    refused(practice, data_dir, ("pay", "ana.p1", "-x"), 2, "No such option: -x; see 'sessionpack pay --help'")
    done = practice.proc("pay", "ana.p1", "-5")  # a real process, through the quick path
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "error: amount must not be negative: -5; see 'sessionpack pay --help'\n")
    assert ok(practice("pay", "ana.p1", "5", "--method", "-5")) == "Recorded 5.00 EUR on ana.p1: paid 5.00 of 492.00 (partly paid)\n"


# ---------------------------------------------------------------- the late-cancel charge on a money credit


def test_a_late_cancel_keeps_the_share_of_the_price_never_more_than_it_drew(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "credit"))
    assert ok_json(shop("book", "ana", "massage", "2026-12-10T10:00", "--format", "json"))["draw"] == {"key": "money", "amount": "90.00"}
    short = ok_json(shop("book", "ana", "thai", "2026-11-20T15:00", "--format", "json"))
    assert (short["draw"], short["fee"], short["fee_tax"]) == ({"key": "money", "amount": "10.00"}, "110.00", "25.30")
    # 50% of thai's 120.00 is 60.00, but it drew only 10.00: those are kept.
    assert ok(shop("cancel", "ana.b2", "--reason", "late")) == "ana.b2: late cancel; 10.00 charged\n"
    assert balance_of(shop, "ana", "ana.p1")["remaining"] == {"money": "0.00"}
    page = ok_json(shop("client", "show", "ana", "--format", "json"))
    assert page["owed"] == {"items": [], "total": "0.00"}  # what the credit could not pay is not due either
    # 50% of massage's 90.00 from the 90.00 it drew: 45.00 kept, 45.00 back.
    assert ok(shop("cancel", "ana.b1", "--reason", "late", now="2026-12-09T12:00")) == "ana.b1: late cancel; 45.00 charged\n"
    assert balance_of(shop, "ana", "ana.p1")["remaining"] == {"money": "45.00"}
    clean(shop)
