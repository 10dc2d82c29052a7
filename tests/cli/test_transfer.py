"""transfer through the CLI (rule 11 of docs/rules.md): part or all of a balance moves to
another client as a new client package; both histories show it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sessionpack.domain.codes import code_hash

from cli_util import balance_of, clean, events, history_of, ok, ok_json, refused, write_package
from test_adjust import CREDIT, FIVE, MIX, UNLIMITED

CODE_LINE = re.compile(r"^Access code: ([A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}), shown only now; "
                       r"'sessionpack code reset bruno\.p1' issues a new one$")


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    for pid, data in (("five", FIVE), ("mix", MIX), ("credit", CREDIT), ("unlimited", UNLIMITED)):
        write_package(data_dir, pid, data)
    ok(practice("client", "add", "bruno", "--name", "Bruno Reis"))
    return practice


def test_transfer_part_of_a_balance(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five", "--invoice", "F-12"))
    ok(shop("book", "ana", "massage", "2026-12-01T10:00"))
    out = ok(shop("transfer", "ana.p1", "bruno", "--sessions", "2", "--reason", "gift to her brother")).splitlines()
    assert out[:2] == ["Transferred massage 2 from ana.p1 to bruno.p1 (for bruno; expires: 2027-02-20)",
                       "Left on ana.p1: massage 2"]
    match = CODE_LINE.match(out[2])
    assert match and len(out) == 3
    [event] = [e for e in events(shop.data_dir) if e["type"] == "transferred"]
    assert {k: event[k] for k in ("clients", "client_package", "to_package", "amounts", "expires", "reason")} == {
        "clients": ["ana", "bruno"], "client_package": "ana.p1", "to_package": "bruno.p1", "amounts": {"massage": 2},
        "expires": "2027-02-20", "reason": "gift to her brother"}
    assert event["code_hash"] == code_hash(match.group(1))
    assert event["terms"]["contents"] == {"sessions": {"massage": 2}}

    source = balance_of(shop, "ana", "ana.p1")
    assert source["balances"]["massage"] == {"total": 5, "adjusted": 0, "used": 0, "forfeited": 0, "scheduled": 1,
                                             "transferred": 2, "voided": 0, "expired": 0, "remaining": 2}
    received = balance_of(shop, "bruno", "bruno.p1")
    assert {k: received[k] for k in ("package", "owner", "status", "expires", "remaining", "sold", "invoice", "total", "paid", "payment")} == {
        "package": "five", "owner": "bruno", "status": "active", "expires": "2027-02-20", "remaining": {"massage": 2},
        "sold": "2026-11-20", "invoice": "F-12", "total": "0.00", "paid": "0.00", "payment": "paid"}

    [mine] = [r for r in history_of(shop, "ana.p1") if r["seq"] == event["seq"]]
    [theirs] = history_of(shop, "bruno.p1")
    for row, change, balance in ((mine, {"massage": -2}, {"massage": 2}), (theirs, {"massage": 2}, {"massage": 2})):
        assert {k: row[k] for k in ("actor", "what", "why", "change", "balance")} == {
            "actor": "tester", "what": "transferred massage 2 from ana.p1 to bruno.p1", "why": "gift to her brother",
            "change": change, "balance": balance}
    assert history_of(shop, "bruno")[-1]["what"] == "transferred massage 2 from ana.p1 to bruno.p1"

    # The receiver books on it like on any other package.
    assert ok_json(shop("book", "bruno", "massage", "2026-12-02T10:00", "--format", "json"))["package"] == "bruno.p1"
    assert balance_of(shop, "bruno", "bruno.p1")["remaining"] == {"massage": 1}
    clean(shop)


def test_transfer_all_that_remains(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "mix"))
    ok(shop("book", "ana", "thai", "2026-12-01T10:00"))
    record = ok_json(shop("transfer", "--yes", "ana.p1", "bruno", "--all", "--reason", "moved abroad", "--format", "json"))
    code = record.pop("code")
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}", code)
    assert record == {"id": "bruno.p1", "client": "bruno", "from": "ana.p1", "amounts": {"massage": 2, "thai": 2},
                      "expires": "2027-02-20", "remaining": {"massage": 2, "thai": 2},
                      "source_remaining": {"massage": 0, "thai": 0}}
    assert balance_of(shop, "ana", "ana.p1")["status"] == "active"  # its booked session stays with it
    ok(shop("attend", "ana.b1", now="2026-12-01T11:00"))  # once the session has started (rule 21)
    # emptied by her own session after the transfer, not by the transfer
    assert balance_of(shop, "ana", "ana.p1")["status"] == "used up"
    refused(shop, shop.data_dir, ("transfer", "--yes", "ana.p1", "bruno", "--all", "--reason", "again"), 1, "ana.p1 has nothing left to transfer")
    clean(shop)


def test_transfer_money_and_unlimited(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "credit"))
    ok(shop("sell", "ana", "unlimited"))
    ok(shop("transfer", "ana.p1", "bruno", "--money", "50.50", "--reason", "birthday"))
    assert balance_of(shop, "ana", "ana.p1")["remaining"] == {"money": "249.50"}
    assert balance_of(shop, "bruno", "bruno.p1")["remaining"] == {"money": "50.50"}
    refused(shop, shop.data_dir, ("transfer", "ana.p2", "bruno", "--sessions", "3", "--reason", "x"), 2,
            "ana.p2 is unlimited: there is no amount to transfer (transfer all of it with --all)")
    out = ok(shop("transfer", "--yes", "ana.p2", "bruno", "--all", "--reason", "injured")).splitlines()
    assert out[0] == "Transferred unlimited from ana.p2 to bruno.p2 (for bruno; expires: 2026-12-20)"
    assert out[1] == "Left on ana.p2: unlimited 0"
    assert balance_of(shop, "ana", "ana.p2")["status"] == "transferred"
    assert balance_of(shop, "ana", "ana.p2")["remaining"] == {"unlimited": 0}
    refused(shop, shop.data_dir, ("book", "ana", "massage", "2026-12-01T10:00", "--package", "ana.p2"), 1,
            "ana.p2 cannot pay for this session: its unlimited use was transferred to bruno.p2")
    assert ok_json(shop("book", "bruno", "massage", "2026-12-01T10:00", "--format", "json"))["package"] == "bruno.p2"
    clean(shop)


@pytest.mark.parametrize("args,code,message", [
    (("bruno", "--sessions", "4"), 1, "ana.p1 has 3 massage sessions left to transfer (2 massage sessions booked stay with it); ask for at most 3"),
    (("ana", "--sessions", "1"), 2, "ana already owns ana.p1; name another client to transfer it to"),
    (("carla", "--sessions", "1"), 2, "no client 'carla'; see 'sessionpack client list' or add one with 'sessionpack client add'"),
    (("bruno",), 2, "say how much with one of --sessions N, --minutes N, --money X or --all"),
    (("bruno", "--sessions", "1", "--all"), 2, "say how much with one of --sessions N, --minutes N, --money X or --all"),
    (("bruno", "--all", "--service", "massage"), 2, "--service goes with --sessions"),
    (("bruno", "--sessions", "0"), 2, "--sessions must be more than 0"),
    (("bruno", "--minutes", "30"), 2, "ana.p1 holds sessions, not minutes; use --sessions"),
    (("bruno", "--money", "-5"), 2, "--money must not be negative: -5"),
])
def test_transfer_refusals(shop, args: tuple[str, ...], code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("book", "ana", "massage", "2026-12-01T10:00"))
    ok(shop("book", "ana", "massage", "2026-12-08T10:00"))
    refused(shop, shop.data_dir, ("transfer", "ana.p1", *args, "--reason", "x"), code, message)


def test_transfer_needs_a_reason_and_a_live_package(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    refused(shop, shop.data_dir, ("transfer", "ana.p1", "bruno", "--sessions", "1"), 2,
            "--reason is required: say why (it stays in the history)")
    refused(shop, shop.data_dir, ("transfer", "ana.p1", "bruno", "--sessions", "1", "--reason", "x"), 1,
            "ana.p1 has expired; to transfer it, first extend it with 'sessionpack adjust ana.p1 --expires DATE --reason ...'",
            now="2027-02-21T09:00")


def test_transfer_keeps_a_paused_expiry_and_can_be_paused_again(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("pause", "ana.p1", "2026-12-24", "2026-12-31"))  # 8 days: through 2027-02-28
    ok(shop("transfer", "ana.p1", "bruno", "--sessions", "1", "--reason", "gift"))
    assert balance_of(shop, "bruno", "bruno.p1")["expires"] == "2027-02-28"
    ok(shop("pause", "bruno.p1", "2027-01-10", "2027-01-11"))
    assert (balance_of(shop, "bruno", "bruno.p1")["expires"], balance_of(shop, "ana", "ana.p1")["expires"]) == ("2027-03-02", "2027-02-28")
    clean(shop)


def test_transfer_as_a_real_process(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    done = shop.proc("transfer", "ana.p1", "bruno", "--sessions", "2", "--reason", "gift")
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    assert lines[0] == "Transferred massage 2 from ana.p1 to bruno.p1 (for bruno; expires: 2027-02-20)"
    assert CODE_LINE.match(lines[2])
    done = shop.proc("check")
    assert (done.returncode, done.stdout) == (0, "No problems found\n")
