"""adjust through the CLI (rules 2 and 8 of docs/rules.md): by +N, -N or to N, per service
or pool, money, expiry; refusals word for word with their exit code and an
unchanged journal; 'check' finds no problem after each scenario.

The packages here are shared by test_pause.py and test_transfer.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_util import balance_of, clean, events, history_of, journal, ok, ok_json, refused, write_package

FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}
MIX = {"name": "Mix", "expiry": "3 months", "contents": {"sessions": {"massage": 2, "thai": 3}}, "payment": {"price": "500"}}
TEN = {"name": "10 sessions", "contents": {"pool": "count", "amount": 10}, "payment": {"price": "700"}}
MINUTES = {"name": "300 minutes", "contents": {"pool": "minutes", "amount": 300}, "payment": {"price": "400"}}
CREDIT = {"name": "Credit", "contents": {"pool": "money", "amount": "300"}, "payment": {"price": "270"}}
UNLIMITED = {"name": "Unlimited", "expiry": "1 month", "contents": {"pool": "unlimited"}, "payment": {"price": "900"}}


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    for pid, data in (("five", FIVE), ("mix", MIX), ("ten", TEN), ("minutes", MINUTES), ("credit", CREDIT), ("unlimited", UNLIMITED)):
        write_package(data_dir, pid, data)
    return practice


def test_adjust_sessions_by_plus_n(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    assert ok(shop("adjust", "ana.p1", "--sessions", "+2", "--reason", "goodwill for the late start")) == (
        "Adjusted ana.p1: massage +2\n"
        "Now ana.p1 has massage 7 left; expires: 2027-02-20\n")
    summary = balance_of(shop, "ana", "ana.p1")
    assert summary["remaining"] == {"massage": 7}
    assert summary["balances"]["massage"] == {"total": 5, "adjusted": 2, "used": 0, "forfeited": 0, "scheduled": 0,
                                              "transferred": 0, "voided": 0, "expired": 0, "remaining": 7}
    row = history_of(shop, "ana.p1")[-1]
    assert {k: row[k] for k in ("actor", "type", "what", "why", "client_package", "change", "balance")} == {
        "actor": "tester", "type": "adjusted", "what": "adjusted ana.p1: massage +2", "why": "goodwill for the late start",
        "client_package": "ana.p1", "change": {"massage": 2}, "balance": {"massage": 7}}
    assert row["at"].startswith("2026-11-20T09:00")
    table = ok(shop("balance", "ana", "--wide"))
    assert " 5 +2 " in table  # the total column shows the adjustment
    assert " 7/7 " in ok(shop("balance", "ana"))  # what is left of the adjusted total
    clean(shop)


def test_adjust_sessions_by_minus_n_and_to_n(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    record = ok_json(shop("adjust", "ana.p1", "--sessions", "-2", "--reason", "used before the system", "--format", "json"))
    assert record == {"id": "ana.p1", "changes": {"massage": -2}, "expires": "2027-02-20", "remaining": {"massage": 3},
                      "forced": False, "unchanged": False}
    record = ok_json(shop("adjust", "ana.p1", "--sessions=6", "--reason", "migrated balance", "--format", "json"))
    assert (record["changes"], record["remaining"]) == ({"massage": 3}, {"massage": 6})
    [first, second] = [e for e in events(data_dir) if e["type"] == "adjusted"]
    assert {k: second[k] for k in ("clients", "client_package", "changes", "expires", "reason", "forced")} == {
        "clients": ["ana"], "client_package": "ana.p1", "changes": {"massage": 3}, "expires": None,
        "reason": "migrated balance", "forced": False}
    assert balance_of(shop, "ana", "ana.p1")["balances"]["massage"]["adjusted"] == 1
    clean(shop)


def test_adjust_to_the_same_value_changes_nothing(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    before = journal(data_dir)
    assert ok(shop("adjust", "ana.p1", "--sessions", "5", "--reason", "re-run")) == (
        "Unchanged: ana.p1 already has massage 5 left; expires: 2027-02-20\n")
    assert ok_json(shop("adjust", "ana.p1", "--expires", "2027-02-20", "--reason", "re-run", "--format", "json"))["unchanged"] is True
    assert journal(data_dir) == before


def test_adjust_per_service(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "mix"))
    refused(shop, shop.data_dir, ("adjust", "ana.p1", "--sessions", "+1", "--reason", "x"), 2,
            "ana.p1 holds sessions of massage, thai; say which with --service massage or --service thai")
    refused(shop, shop.data_dir, ("adjust", "ana.p1", "--sessions", "+1", "--service", "yoga", "--reason", "x"), 2,
            "ana.p1 has no yoga sessions; it holds massage, thai")
    assert ok(shop("adjust", "ana.p1", "--sessions", "1", "--service", "thai", "--reason", "two given back")) == (
        "Adjusted ana.p1: thai -2\n"
        "Now ana.p1 has massage 2, thai 1 left; expires: 2027-02-20\n")
    assert balance_of(shop, "ana", "ana.p1")["remaining"] == {"massage": 2, "thai": 1}
    clean(shop)


def test_adjust_pools(shop) -> None:  # type: ignore[no-untyped-def]
    for pid in ("ten", "minutes", "credit"):
        ok(shop("sell", "ana", pid))
    ok(shop("adjust", "ana.p1", "--sessions", "-3", "--reason", "three used on paper"))
    ok(shop("adjust", "ana.p2", "--minutes", "+45", "--reason", "short session last time"))
    assert ok(shop("adjust", "ana.p3", "--money", "-20.50", "--reason", "oil bought from credit")) == (
        "Adjusted ana.p3: money -20.50\n"
        "Now ana.p3 has money 279.50 left; expires: never\n")
    ok(shop("adjust", "ana.p3", "--money", "+0.50", "--reason", "rounding"))
    assert balance_of(shop, "ana", "ana.p1")["balances"]["count"]["adjusted"] == -3
    assert balance_of(shop, "ana", "ana.p2")["remaining"] == {"minutes": 345}
    money = balance_of(shop, "ana", "ana.p3")["balances"]["money"]
    assert (money["adjusted"], money["remaining"]) == ("-20.00", "280.00")
    ok(shop("adjust", "ana.p3", "--money", "150", "--reason", "migrated credit"))
    assert balance_of(shop, "ana", "ana.p3")["remaining"] == {"money": "150.00"}
    clean(shop)


@pytest.mark.parametrize("pid,args,message", [
    ("ten", ("--minutes", "+30"), "ana.p1 holds sessions, not minutes; use --sessions"),
    ("minutes", ("--sessions", "+1"), "ana.p1 holds minutes, not sessions; use --minutes"),
    ("credit", ("--sessions", "+1"), "ana.p1 holds money, not sessions; use --money"),
    ("five", ("--money", "+10"), "ana.p1 holds sessions, not money; use --sessions"),
    ("unlimited", ("--sessions", "+1"), "ana.p1 is unlimited: there is no amount to adjust (only --expires)"),
    ("ten", ("--sessions", "+1", "--service", "massage"), "ana.p1 is one pool of sessions for all its services; leave out --service"),
])
def test_adjust_mismatch_says_what_to_use(shop, pid: str, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", pid))
    refused(shop, shop.data_dir, ("adjust", "ana.p1", *args, "--reason", "x"), 2, message)


@pytest.mark.parametrize("args,message", [
    (("--sessions", "+1"), "--reason is required: say why (it stays in the history)"),
    (("--sessions", "+1", "--reason", "  "), "--reason must be one line of 1 to 500 printable characters"),
    (("--reason", "x"), "nothing to adjust: give --sessions, --minutes, --money or --expires"),
    (("--sessions", "+1", "--minutes", "+1", "--reason", "x"), "give one of --sessions, --minutes or --money (a package holds one kind of balance)"),
    (("--minutes", "+1", "--service", "massage", "--reason", "x"), "--service goes with --sessions"),
    (("--sessions", "two", "--reason", "x"), "--sessions must be +N, -N or N (a whole number), not 'two'"),
    (("--money", "+1.005", "--reason", "x"), "--money has more than 2 decimal places for EUR: 1.005"),
    (("--expires", "31/12/2027", "--reason", "x"), "--expires must be an ISO date like 2027-03-01, not '31/12/2027'"),
])
def test_adjust_bad_input_exits_2(shop, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    refused(shop, shop.data_dir, ("adjust", "ana.p1", *args), 2, message)


def test_adjust_unknown_package(shop) -> None:  # type: ignore[no-untyped-def]
    refused(shop, shop.data_dir, ("adjust", "ana.p9", "--sessions", "+1", "--reason", "x"), 2,
            "no client package 'ana.p9'; see 'sessionpack balance ana'")


def test_adjust_below_what_is_booked_is_refused_then_forced(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    for day in ("2026-12-01", "2026-12-08", "2026-12-15", "2026-12-22"):
        ok(shop("book", "ana", "massage", f"{day}T10:00"))
    refused(shop, shop.data_dir, ("adjust", "ana.p1", "--sessions", "-2", "--reason", "x"), 1,
            "ana.p1 has 1 massage session left besides what its bookings hold (ana.b1 on 2026-12-01, ana.b2 on 2026-12-08, "
            "ana.b3 on 2026-12-15, ana.b4 on 2026-12-22); taking 2 massage sessions would leave -1: cancel or unlink "
            "bookings first, or confirm with --force")
    refused(shop, shop.data_dir, ("adjust", "ana.p1", "--sessions", "-6", "--reason", "x", "--force"), 1,
            "ana.p1 has 1 massage session left and 4 massage sessions booked; taking 6 massage sessions is more than both: "
            "take at most 5 massage sessions (with --force)")
    assert ok(shop("adjust", "ana.p1", "--sessions", "-2", "--reason", "sold one too many", "--force")) == (
        "Adjusted ana.p1: massage -2 (forced)\n"
        "Now ana.p1 has massage -1 left; expires: 2027-02-20\n")
    summary = balance_of(shop, "ana", "ana.p1")
    assert (summary["balances"]["massage"]["scheduled"], summary["remaining"]) == (4, {"massage": -1})
    assert history_of(shop, "ana.p1")[-1]["what"] == "adjusted ana.p1: massage -2 (forced)"
    clean(shop)


def test_adjust_expiry(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("book", "ana", "massage", "2027-01-10T10:00"))
    refused(shop, shop.data_dir, ("adjust", "ana.p1", "--expires", "2027-01-09", "--reason", "x"), 1,
            "ana.p1 would expire on 2027-01-09, before its bookings ana.b1 on 2027-01-10; move or cancel them, or confirm with --force")
    assert ok(shop("adjust", "ana.p1", "--expires", "2027-06-30", "--reason", "back from surgery")) == (
        "Adjusted ana.p1: expires 2027-06-30\n"
        "Now ana.p1 has massage 4 left; expires 2027-06-30 (was 2027-02-20)\n")
    assert balance_of(shop, "ana", "ana.p1")["expires"] == "2027-06-30"
    row = history_of(shop, "ana.p1")[-1]
    assert (row["what"], row["why"], row["change"]) == ("adjusted ana.p1: expires 2027-06-30", "back from surgery", {})
    # A session after the old date now draws on it.
    assert ok_json(shop("book", "ana", "massage", "2027-06-01T10:00", "--format", "json"))["package"] == "ana.p1"
    record = ok_json(shop("adjust", "ana.p1", "--expires", "2027-01-09", "--sessions", "+1", "--reason", "closing it", "--force", "--format", "json"))
    assert record == {"id": "ana.p1", "changes": {"massage": 1}, "expires": "2027-01-09", "remaining": {"massage": 4},
                      "forced": True, "unchanged": False}
    clean(shop)


def test_adjust_as_a_real_process(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    done = shop.proc("adjust", "ana.p1", "--sessions", "-1", "--reason", "paper card")
    assert (done.returncode, done.stdout, done.stderr) == (
        0, "Adjusted ana.p1: massage -1\nNow ana.p1 has massage 4 left; expires: 2027-02-20\n", "")
    done = shop.proc("adjust", "ana.p1", "--sessions", "-1")
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "error: --reason is required: say why (it stays in the history)\n")
    done = shop.proc("check")
    assert (done.returncode, done.stdout) == (0, "No problems found\n")
