"""link, unlink and paying a booking through the CLI (rule 7 of docs/rules.md).

Refusals are checked word for word, with their exit code, and by comparing
the journal's and views' bytes before and after; every scenario ends with
'check' finding no problems.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_util import balance, clean, events, ok, ok_json, refused, write_package

FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400", "tax": "23"}}


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    ok(practice("sell", "ana", "five"))
    return practice


# ---------------------------------------------------------------- a service the package does not include


def test_link_a_service_the_package_does_not_include(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("book", "ana", "thai", "2026-12-01T10:00"))  # at the regular fee: five holds massages only
    refused(shop, data_dir, ("link", "ana.b1", "ana.p1"), 1,
            "ana.p1 does not include thai; say how to count it: --count-as SERVICE (it includes massage) or --no-count")
    refused(shop, data_dir, ("link", "ana.b1", "ana.p1", "--count-as", "thai"), 1,
            "ana.p1 does not include thai either (--count-as); it includes massage")
    refused(shop, data_dir, ("link", "ana.b1", "ana.p1", "--count-as", "sauna"), 2, "no service 'sauna'; see 'sessionpack service list'")
    refused(shop, data_dir, ("link", "ana.b1", "ana.p1", "--count-as", "massage", "--no-count"), 2,
            "give either --count-as SERVICE or --no-count, not both")

    assert ok(shop("link", "ana.b1", "ana.p1", "--count-as", "massage")) == (
        "ana.b1 linked to ana.p1 (counted as massage); draws 1 massage; fee 0.00 + 0.00 tax EUR (covered by package); "
        "ana.p1 has massage 4 left\n")
    assert balance(shop)[0]["balances"]["massage"]["scheduled"] == 1
    history = ok_json(shop("history", "ana.p1", "--format", "json"))
    assert (history[-1]["what"], history[-1]["change"], history[-1]["balance"]) == (
        "ana.b1 linked to ana.p1 (counted as massage); draws 1 massage; fee 0.00 + 0.00 tax", {"massage": -1}, {"massage": 4})
    record = ok_json(shop("unlink", "ana.b1", "--format", "json"))
    assert record == {"id": "ana.b1", "attendee": "ana", "status": "booked", "package": None, "draw": None,
                      "unlinked_from": "ana.p1", "returned": {"key": "massage", "amount": 1},
                      "fee": "120.00", "fee_tax": "27.60", "paid": "0.00", "due": "147.60", "payment": "due",
                      "remaining": {"massage": 5}}

    record = ok_json(shop("link", "ana.b1", "ana.p1", "--no-count", "--format", "json"))
    assert record == {"id": "ana.b1", "attendee": "ana", "status": "booked", "package": "ana.p1", "draw": None,
                      "counted_as": None, "drew": False, "forced": None, "fee": "0.00", "fee_tax": "0.00",
                      "paid": "0.00", "due": "0.00", "payment": "covered by package", "remaining": {"massage": 5}}
    ok(shop("unlink", "ana.b1"))
    assert ok(shop("link", "ana.b1", "ana.p1", "--no-count")) == (
        "ana.b1 linked without drawing to ana.p1; fee 0.00 + 0.00 tax EUR (covered by package); ana.p1 has massage 5 left\n")
    assert balance(shop)[0]["remaining"] == {"massage": 5}
    refused(shop, data_dir, ("link", "ana.b1", "ana.p1"), 1,
            "booking ana.b1 is already linked to ana.p1; unlink it first with 'sessionpack unlink ana.b1'")
    assert ok(shop("unlink", "ana.b1")) == (
        "ana.b1 unlinked from ana.p1; nothing to return; fee 120.00 + 27.60 tax EUR (due); ana.p1 has massage 5 left\n")
    clean(shop)


def test_count_as_draws_minutes_or_the_services_current_price(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "minutes", {"name": "3 hours", "contents": {"pool": "minutes", "amount": 180, "services": ["massage"]},
                                        "payment": {"price": "250"}})
    write_package(data_dir, "credit", {"name": "Credit", "contents": {"pool": "money", "amount": "100", "services": ["massage"]},
                                       "payment": {"price": "100"}})
    ok(practice("sell", "ana", "minutes"))
    ok(practice("sell", "ana", "credit"))
    ok(practice("book", "ana", "thai", "2026-12-01T10:00", "--duration", "75"))
    record = ok_json(practice("link", "ana.b1", "ana.p1", "--count-as", "massage", "--format", "json"))
    assert (record["draw"], record["fee"], record["remaining"]) == ({"key": "minutes", "amount": 75}, "0.00", {"minutes": 105})
    ok(practice("unlink", "ana.b1"))
    # Money counted as massage: the massage's price today (90), not thai's 120.
    record = ok_json(practice("link", "ana.b1", "ana.p2", "--count-as", "massage", "--format", "json"))
    assert (record["draw"], record["fee"], record["fee_tax"], record["remaining"]) == (
        {"key": "money", "amount": "90.00"}, "0.00", "0.00", {"money": "10.00"})
    clean(practice)


# ---------------------------------------------------------------- link and unlink are exact inverses


@pytest.mark.parametrize("package,service", [
    (FIVE, "massage"),
    ({"name": "Credit", "contents": {"pool": "money", "amount": "100"}, "payment": {"price": "100"}}, "thai"),
    ({"name": "2 hours", "expiry": "1 month from first use", "contents": {"pool": "minutes", "amount": 120}, "payment": {"price": "150"}}, "thai"),
])
def test_link_then_unlink_restores_the_balance_exactly(practice, data_dir: Path, package, service) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "offer", package)
    ok(practice("sell", "ana", "offer"))
    ok(practice("book", "ana", service, "2026-12-01T10:00", "--no-package"))
    before = balance(practice)
    history_before = ok_json(practice("history", "ana.p1", "--format", "json"))
    linked = ok_json(practice("link", "ana.b1", "ana.p1", "--format", "json"))
    assert balance(practice) != before
    unlinked = ok_json(practice("unlink", "ana.b1", "--format", "json"))
    assert unlinked["returned"] == linked["draw"]
    assert balance(practice) == before
    rows = ok_json(practice("history", "ana.p1", "--format", "json"))
    assert rows[:len(history_before)] == history_before
    key, amount = linked["draw"]["key"], linked["draw"]["amount"]
    negative = f"-{amount}" if isinstance(amount, str) else -amount
    assert [r["change"] for r in rows[len(history_before):]] == [{key: negative}, {key: amount}]
    clean(practice)


def test_money_link_pays_what_the_balance_has_and_the_rest_is_due(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "credit", {"name": "Credit", "contents": {"pool": "money", "amount": "100"}, "payment": {"price": "100"}})
    ok(practice("sell", "ana", "credit"))
    ok(practice("book", "ana", "thai", "2026-12-01T10:00", "--no-package"))
    assert ok(practice("link", "ana.b1", "ana.p1")) == (
        "ana.b1 linked to ana.p1; draws 100.00 money; fee 20.00 + 4.60 tax EUR (due); ana.p1 has money 0.00 left\n")
    assert ok(practice("pay", "ana.b1", "24.60")) == "Recorded 24.60 EUR on ana.b1: paid 24.60 of 24.60 (paid)\n"
    # Unlinked, the booking is back at its regular fee; what was paid stays paid.
    assert ok(practice("unlink", "ana.b1")) == (
        "ana.b1 unlinked from ana.p1; returns 100.00 money; fee 120.00 + 27.60 tax EUR (partly paid); ana.p1 has money 100.00 left\n")
    clean(practice)


# ---------------------------------------------------------------- paying bookings


def test_link_pays_an_unpaid_booking_and_pay_records_the_rest(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("book", "ana", "massage", "2026-12-01T10:00", "--no-package"))
    record = ok_json(shop("link", "ana.b1", "ana.p1", "--format", "json"))
    assert (record["fee"], record["fee_tax"], record["paid"], record["due"], record["payment"]) == (
        "0.00", "0.00", "0.00", "0.00", "covered by package")
    refused(shop, data_dir, ("pay", "ana.b1", "10"), 1, "booking ana.b1 has nothing to pay (covered by package)")
    ok(shop("unlink", "ana.b1"))
    assert ok(shop("pay", "ana.b1", "40", "--method", "cash")) == "Recorded 40.00 EUR on ana.b1: paid 40.00 of 90.00 (partly paid)\n"
    refused(shop, data_dir, ("pay", "ana.b1", "60"), 1, "booking ana.b1 has 50.00 EUR left to pay; 60.00 is more than that")
    refused(shop, data_dir, ("pay", "ana.b1", "0"), 2, "the amount paid must be more than 0")
    refused(shop, data_dir, ("pay", "ana.b9", "10"), 2, "no booking 'ana.b9'; see 'sessionpack history ana'")
    assert ok_json(shop("pay", "ana.b1", "50", "--format", "json")) == {"id": "ana.b1", "paid": "90.00", "total": "90.00", "payment": "paid"}
    refused(shop, data_dir, ("pay", "ana.b1", "1"), 1, "booking ana.b1 is already paid in full")
    # Paid at the regular fee: linking would leave money paid for nothing.
    refused(shop, data_dir, ("link", "ana.b1", "ana.p1"), 1,
            "booking ana.b1 is already paid (90.00 EUR); linked to ana.p1 it would cost 0.00, so 90.00 would be paid too much; "
            "to link it anyway, add --force --reason R")
    record = ok_json(shop("link", "ana.b1", "ana.p1", "--force", "--reason", "refund the cash at the next visit", "--format", "json"))
    assert (record["forced"], record["payment"], record["paid"], record["due"]) == ("already paid 90.00", "overpaid", "90.00", "0.00")
    paid = [e for e in events(data_dir) if e["type"] == "booking-paid"]
    assert [(e["booking"], e["amount"], e["method"], e["clients"]) for e in paid] == [
        ("ana.b1", "40.00", "cash", ["ana"]), ("ana.b1", "50.00", "", ["ana"])]
    rows = ok_json(shop("history", "ana", "--format", "json"))
    assert [r["what"] for r in rows if "payment" in r["what"]] == ["payment of 40.00 on ana.b1 (cash)", "payment of 50.00 on ana.b1"]
    clean(shop)


def test_per_session_package_link_sets_its_fee(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "club", {"name": "Club", "contents": {"pool": "count", "amount": 10, "services": ["massage", "thai"]},
                                     "payment": {"mode": "per-session", "fees": {"massage": "70", "thai": "100"}}})
    ok(practice("sell", "ana", "club"))
    ok(practice("book", "ana", "thai", "2026-12-01T10:00", "--no-package"))
    record = ok_json(practice("link", "ana.b1", "ana.p1", "--format", "json"))
    assert (record["fee"], record["fee_tax"], record["payment"], record["remaining"]) == ("100.00", "23.00", "due", {"count": 9})
    assert ok(practice("pay", "ana.b1", "123")) == "Recorded 123.00 EUR on ana.b1: paid 123.00 of 123.00 (paid)\n"
    clean(practice)


# ---------------------------------------------------------------- forcing


def test_forced_link_to_an_expired_package_keeps_the_reason(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    ok(practice("sell", "ana", "five", "--date", "2026-08-01"))  # valid through 2026-11-01
    ok(practice("book", "ana", "massage", "2026-12-01T10:00"))
    refused(practice, data_dir, ("link", "ana.b1", "ana.p1"), 1,
            "ana.p1 cannot pay for ana.b1: expires on 2026-11-01, before the session on 2026-12-01; to link it anyway, add --force --reason R")
    refused(practice, data_dir, ("link", "ana.b1", "ana.p1", "--force"), 2, "--force needs --reason R (it stays in the history)")
    refused(practice, data_dir, ("link", "ana.b1", "ana.p1", "--force", "--reason", " "), 2, "--reason must be one line of 1 to 500 printable characters")
    out = ok(practice("--actor", "maria", "link", "ana.b1", "ana.p1", "--force", "--reason", "she was ill in October"))
    assert out == ("ana.b1 linked to ana.p1; draws 1 massage; forced past: expires on 2026-11-01, before the session on 2026-12-01; "
                   "fee 0.00 + 0.00 tax EUR (covered by package); ana.p1 has massage 4 left\n")
    row = ok_json(practice("history", "ana.p1", "--format", "json"))[-1]
    assert (row["actor"], row["what"], row["why"], row["change"]) == (
        "maria", "ana.b1 linked to ana.p1; draws 1 massage; forced past: expires on 2026-11-01, before the session on 2026-12-01; "
        "fee 0.00 + 0.00 tax", "she was ill in October", {"massage": -1})
    clean(practice)


def test_forced_link_to_a_used_up_package_goes_negative(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "one", FIVE, contents={"sessions": {"massage": 1}})
    ok(practice("sell", "ana", "one"))
    ok(practice("book", "ana", "massage", "2026-12-01T10:00"))
    ok(practice("book", "ana", "massage", "2026-12-08T10:00"))  # regular fee: nothing left
    refused(practice, data_dir, ("link", "ana.b2", "ana.p1"), 1,
            "ana.p1 cannot pay for ana.b2: no massage sessions left; to link it anyway, add --force --reason R")
    ok(practice("link", "ana.b2", "ana.p1", "--force", "--reason", "promised two"))
    [pkg] = balance(practice)
    assert (pkg["remaining"], pkg["balances"]["massage"]["scheduled"]) == ({"massage": -1}, 2)
    ok(practice("unlink", "ana.b2"))
    assert balance(practice)[0]["remaining"] == {"massage": 0}
    clean(practice)


def test_forced_link_past_a_pause_or_a_restriction(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "mondays", FIVE, restrictions={"weekdays": ["mon"]})
    ok(practice("sell", "ana", "mondays"))
    ok(practice("book", "ana", "massage", "2026-12-01T10:00"))  # a Tuesday
    refused(practice, data_dir, ("link", "ana.b1", "ana.p1", "--no-count"), 1,
            "ana.p1 cannot pay for ana.b1: only on Mondays; to link it anyway, add --force --reason R")
    ok(practice("link", "ana.b1", "ana.p1", "--force", "--reason", "swapped days"))
    clean(practice)


# ---------------------------------------------------------------- first use follows the draws


def test_unlink_on_a_first_use_package_moves_the_expiry(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "month", FIVE, expiry="1 month from first use")
    ok(practice("sell", "ana", "month"))
    assert (balance(practice)[0]["expires"], balance(practice)[0]["starts_at_first_use"]) == (None, True)
    ok(practice("book", "ana", "massage", "2026-12-01T10:00"))
    ok(practice("book", "ana", "massage", "2026-12-10T10:00"))
    assert balance(practice)[0]["expires"] == "2027-01-01"
    ok(practice("unlink", "ana.b1", "--reason", "paid in cash"))
    assert balance(practice)[0]["expires"] == "2027-01-10"
    ok(practice("unlink", "ana.b2"))
    assert (balance(practice)[0]["expires"], balance(practice)[0]["starts_at_first_use"]) == (None, True)
    ok(practice("link", "ana.b1", "ana.p1"))
    assert balance(practice)[0]["expires"] == "2027-01-01"
    clean(practice)


# ---------------------------------------------------------------- what can be linked, and to what


def test_link_and_unlink_refusals(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("client", "add", "bruno", "--name", "Bruno Costa"))
    ok(shop("sell", "bruno", "five"))
    ok(shop("book", "ana", "massage", "2026-12-01T10:00", "--no-package"))
    ok(shop("book", "ana", "massage", "2026-12-02T10:00", "--no-package"))
    ok(shop("book", "ana", "massage", "2026-12-03T10:00"))
    ok(shop("cancel", "ana.b2"))
    ok(shop("no-show", "ana.b3", now="2026-12-03T12:00"))
    refused(shop, data_dir, ("link", "ana.b1", "bruno.p1"), 1,
            "ana cannot use bruno.p1: it is bruno's and not shared with them; see 'sessionpack balance ana' for the packages they can use")
    refused(shop, data_dir, ("link", "ana.b1", "ana.p7"), 2, "no client package 'ana.p7'; see 'sessionpack balance ana'")
    refused(shop, data_dir, ("link", "ana.b1", "ana.b2"), 2,
            "client package id 'ana.b2' is not valid: it looks like 'ana.p1' (see 'sessionpack balance CLIENT')")
    refused(shop, data_dir, ("link", "ana.b9", "ana.p1"), 2, "no booking 'ana.b9'; see 'sessionpack history ana'")
    refused(shop, data_dir, ("link", "ana.b2", "ana.p1"), 1,
            "booking ana.b2 is cancelled: only booked or attended sessions can be linked "
            "(to take a session from ana.p1 for it, use 'sessionpack adjust ana.p1 ... --reason R')")
    refused(shop, data_dir, ("unlink", "ana.b1"), 1,
            "booking ana.b1 is not linked to any package; nothing to unlink (to link it: 'sessionpack link ana.b1 CLIENT-PACKAGE')")
    refused(shop, data_dir, ("unlink", "ana.b9"), 2, "no booking 'ana.b9'; see 'sessionpack history ana'")
    # An attended session can be linked afterwards: it counts as used.
    ok(shop("attend", "ana.b1", now="2026-12-01T11:00"))
    ok(shop("link", "ana.b1", "ana.p1", now="2026-12-01T12:00"))
    assert balance(shop)[0]["balances"]["massage"]["used"] == 1
    # A no-show whose session went back to the package can be unlinked: nothing to return.
    record = ok_json(shop("unlink", "ana.b3", "--format", "json"))
    assert (record["returned"], record["status"], record["fee"]) == (None, "no-show", "90.00")
    clean(shop)


def test_a_shared_clients_booking_links_to_the_owners_package(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("client", "add", "leo", "--name", "Leo Lima"))
    ok(shop("book", "leo", "massage", "2026-12-01T10:00"))
    refused(shop, data_dir, ("link", "leo.b1", "ana.p1"), 1,
            "leo cannot use ana.p1: it is ana's and not shared with them; see 'sessionpack balance leo' for the packages they can use")
    ok(shop("client", "relate", "leo", "ana", "--as", "child", "--can", "use-packages"))
    ok(shop("share", "ana.p1", "leo"))
    record = ok_json(shop("link", "leo.b1", "ana.p1", "--format", "json"))
    assert (record["attendee"], record["package"], record["remaining"]) == ("leo", "ana.p1", {"massage": 4})
    [linked] = [e for e in events(data_dir) if e["type"] == "linked"]
    assert (linked["clients"], linked["owner"]) == (["leo", "ana"], "ana")
    ok(shop("unlink", "leo.b1"))
    assert balance(shop)[0]["remaining"] == {"massage": 5}
    clean(shop)


def test_link_and_pay_in_a_real_process(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("book", "ana", "massage", "2026-12-01T10:00", "--no-package"))
    linked = shop.proc("link", "ana.b1", "ana.p1", "--format", "json")
    assert (linked.returncode, linked.stderr) == (0, "")
    assert json.loads(linked.stdout)["payment"] == "covered by package"
    again = shop.proc("link", "ana.b1", "ana.p1")
    assert (again.returncode, again.stdout, again.stderr) == (
        1, "", "error: booking ana.b1 is already linked to ana.p1; unlink it first with 'sessionpack unlink ana.b1'\n")
    unlinked = shop.proc("unlink", "ana.b1")
    assert (unlinked.returncode, unlinked.stdout) == (
        0, "ana.b1 unlinked from ana.p1; returns 1 massage; fee 90.00 + 0.00 tax EUR (due); ana.p1 has massage 5 left\n")
    paid = shop.proc("pay", "ana.b1", "90")
    assert (paid.returncode, paid.stdout) == (0, "Recorded 90.00 EUR on ana.b1: paid 90.00 of 90.00 (paid)\n")
    check = shop.proc("check")
    assert (check.returncode, check.stdout) == (0, "No problems found\n")
