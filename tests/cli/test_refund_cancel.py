"""refund and cancel CLIENT-PACKAGE through the CLI (rule 10 of docs/rules.md).

Each refund kind is checked to the cent; future bookings are unlinked or
cancelled and listed; every refusal writes nothing; 'check' finds no
problems after each scenario.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cli_util import balance, clean, events, ok, ok_json, write_package
from cli_util import refused as refused_at

FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400", "tax": "23"}}
TEN = {"name": "10 sessions", "contents": {"pool": "count", "amount": 10, "services": ["massage", "thai"]}, "payment": {"price": "500"}}
THREE = {"name": "3 massages", "contents": {"sessions": {"massage": 3}}, "payment": {"price": "100"}}
CREDIT = {"name": "Credit", "contents": {"pool": "money", "amount": "300"}, "payment": {"price": "280"}}
OPEN = {"name": "Open month", "expiry": "1 month", "contents": {"pool": "unlimited"}, "payment": {"price": "150"}}
LATER = "2026-11-26T09:00"


def refused(sp, data_dir: Path, args: tuple[str, ...], code: int, message: str, now: str = LATER) -> None:  # type: ignore[no-untyped-def]
    """As cli_util.refused, at LATER unless told."""
    refused_at(sp, data_dir, args, code, message, now=now)


def summary(sp, client: str = "ana") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return balance(sp, client, now=LATER)[0]


def attended(sp, service: str, day: str, *options: str) -> None:  # type: ignore[no-untyped-def]
    """A session booked now and attended on ``day`` (before LATER)."""
    out = ok_json(sp("book", "ana", service, f"{day}T10:00", *options, "--format", "json"))
    ok(sp("attend", out["id"], now=f"{day}T11:00"))


# ---------------------------------------------------------------- how much, to the cent


@pytest.mark.parametrize("offer,sessions,args,refund,basis,payment,voided", [
    (FIVE, [], ("--full",), "492.00", "all that was paid, 492.00", "refunded", {"massage": 5}),
    (FIVE, [], ("--full", "--fee", "20"), "472.00", "all that was paid, 492.00 - fee 20.00 = 472.00", "partly refunded", {"massage": 5}),
    (FIVE, [], ("--amount", "100"), "100.00", "the amount given, 100.00", "partly refunded", {"massage": 5}),
    (FIVE, [("massage", "2026-11-21"), ("massage", "2026-11-23")], ("--pro-rata",), "295.20",
     "492.00 x 3/5 = 295.20", "partly refunded", {"massage": 3}),
    (THREE, [("massage", "2026-11-21")], ("--pro-rata",), "66.67", "100.00 x 2/3 = 66.67", "partly refunded", {"massage": 2}),
    (CREDIT, [("thai", "2026-11-21")], ("--pro-rata",), "168.00", "280.00 x 180.00/300.00 = 168.00", "partly refunded",
     {"money": "180.00"}),
    (TEN, [("massage", "2026-11-21"), ("thai", "2026-11-23")], ("--used-at-regular", "--fee", "20"), "242.40",
     "500.00 - 2 used or forfeited at the regular fee 237.60 - fee 20.00 = 242.40", "partly refunded", {"count": 8}),
    (TEN, [("thai", "2026-11-23")], ("--used-at-regular",), "352.40",
     "500.00 - 1 used or forfeited at the regular fee 147.60 = 352.40", "partly refunded", {"count": 9}),
])
def test_each_refund_kind_to_the_cent(practice, data_dir: Path, offer, sessions, args, refund, basis, payment, voided) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "offer", offer)
    ok(practice("sell", "ana", "offer"))
    for service, day in sessions:
        attended(practice, service, day)
    record = ok_json(practice("refund", "--yes", "ana.p1", *args, "--reason", "moving away", "--format", "json", now=LATER))
    paid = record["paid"]
    net = str(Decimal(paid) - Decimal(refund))
    assert record == {"id": "ana.p1", "status": "refunded", "method": {"--full": "full", "--amount": "partial", "--pro-rata": "pro-rata",
                                                                       "--used-at-regular": "used-at-regular"}[args[0]],
                      "refund": refund, "basis": basis, "paid": paid, "refunded": refund, "net": net, "payment": payment,
                      "voided": voided, "remaining": {key: (0 if isinstance(v, int) else "0.00") for key, v in voided.items()},
                      "bookings": []}
    pkg = summary(practice)
    assert (pkg["status"], pkg["refunded"], pkg["payment"], pkg["remaining"]) == ("refunded", refund, payment, record["remaining"])
    for key, amount in voided.items():
        assert pkg["balances"][key]["voided"] == amount
    clean(practice)


def test_used_sessions_count_forfeits_too_and_never_go_below_zero(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "three", dict(THREE, policies={"no_show": "forfeit"}))
    ok(practice("sell", "ana", "three"))
    attended(practice, "massage", "2026-11-21")
    ok(practice("book", "ana", "massage", "2026-11-23T10:00"))
    ok(practice("no-show", "ana.b2", now="2026-11-23T11:00"))  # forfeited: counts as used at the regular price
    refused(practice, data_dir, ("refund", "--yes", "ana.p1", "--used-at-regular", "--reason", "x"), 1,
            "used-at-regular leaves nothing to refund on ana.p1 (100.00 - 2 used or forfeited at the regular fee 180.00 = 0.00); "
            "close it with 'sessionpack cancel ana.p1 --reason R'")
    clean(practice)


# ---------------------------------------------------------------- bookings still to come


@pytest.fixture
def booked(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    write_package(data_dir, "strict", dict(FIVE, policies={"late_cancel": "forfeit"}))
    ok(practice("sell", "ana", "strict"))
    attended(practice, "massage", "2026-11-23")
    ok(practice("book", "ana", "massage", "2026-11-26T15:00"))  # within the late-cancel window at LATER
    ok(practice("book", "ana", "massage", "2026-12-08T10:00"))
    return practice


def test_refund_unlinks_future_bookings_by_default(booked, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    out = ok(booked("--actor", "maria", "refund", "--yes", "ana.p1", "--pro-rata", "--reason", "injury", now=LATER))
    assert out == (
        "Refunded ana.p1: pro-rata 393.60; voided massage 4 (492.00 x 4/5 = 393.60)\n"
        "Payment: paid 492.00, refunded 393.60, net 98.40 EUR (partly refunded)\n"
        "Unlinked ana.b2 (2026-11-26 15:00): 1 massage back to ana.p1; stays booked at the regular fee 90.00 + 0.00 tax EUR\n"
        "Unlinked ana.b3 (2026-12-08 10:00): 1 massage back to ana.p1; stays booked at the regular fee 90.00 + 0.00 tax EUR\n")
    # One commit: the unlinks, then the refund.
    assert [(e["type"], e.get("more", False)) for e in events(data_dir)[-3:]] == [
        ("unlinked", True), ("unlinked", True), ("refunded", False)]
    pkg = summary(booked)
    assert pkg["balances"]["massage"] == {"total": 5, "adjusted": 0, "used": 1, "forfeited": 0, "scheduled": 0,
                                          "transferred": 0, "voided": 4, "expired": 0, "remaining": 0}
    assert (pkg["status"], pkg["paid"], pkg["refunded"], pkg["payment"]) == ("refunded", "492.00", "393.60", "partly refunded")
    # The bookings stay booked, at the regular fee, and can be paid.
    assert ok(booked("pay", "ana.b3", "90")) == "Recorded 90.00 EUR on ana.b3: paid 90.00 of 90.00 (paid)\n"
    rows = ok_json(booked("history", "ana.p1", "--format", "json"))
    assert [(r["actor"], r["what"], r["why"], r["change"], r["balance"]) for r in rows[-3:]] == [
        ("maria", "ana.b2 unlinked from ana.p1; returns 1 massage; regular fee 90.00 + 0.00 tax", "injury", {"massage": 1}, {"massage": 3}),
        ("maria", "ana.b3 unlinked from ana.p1; returns 1 massage; regular fee 90.00 + 0.00 tax", "injury", {"massage": 1}, {"massage": 4}),
        ("maria", "refunded ana.p1: pro-rata 393.60; voided massage 4", "injury", {"massage": -4}, {"massage": 0})]
    # A refunded package pays for nothing more.
    assert ok_json(booked("book", "ana", "massage", "2026-12-15T10:00", "--format", "json", now=LATER))["why"] == (
        "no eligible package: ana.p1: refunded")
    clean(booked)


def test_refund_can_cancel_future_bookings_instead(booked, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    record = ok_json(booked("refund", "--yes", "ana.p1", "--full", "--reason", "closing the practice", "--cancel-bookings",
                            "--format", "json", now=LATER))
    assert (record["refund"], record["voided"], record["payment"], record["net"]) == ("492.00", {"massage": 4}, "refunded", "0.00")
    assert record["bookings"] == [
        {"id": "ana.b2", "attendee": "ana", "start": "2026-11-26T15:00:00+00:00", "date": "2026-11-26", "action": "cancelled",
         "returned": {"key": "massage", "amount": 1}, "fee": "0.00", "fee_tax": "0.00"},
        {"id": "ana.b3", "attendee": "ana", "start": "2026-12-08T10:00:00+00:00", "date": "2026-12-08", "action": "cancelled",
         "returned": {"key": "massage", "amount": 1}, "fee": "0.00", "fee_tax": "0.00"}]
    cancelled = [e for e in events(data_dir) if e["type"] == "cancelled"]
    # The practice cancels them: returned in full, never a late cancel, whatever the policy.
    assert [(e["booking"], e["outcome"], e["late"], e["reason"]) for e in cancelled] == [
        ("ana.b2", "return", False, "closing the practice"), ("ana.b3", "return", False, "closing the practice")]
    rows = ok_json(booked("history", "ana", "--format", "json"))
    assert [r["what"] for r in rows[-3:]] == [
        "ana.b2: cancelled; returned to ana.p1", "ana.b3: cancelled; returned to ana.p1", "refunded ana.p1: full 492.00; voided massage 4"]
    refused(booked, data_dir, ("cancel", "ana.b3"), 1, "booking ana.b3 is already cancelled; nothing was changed (to change that, undo the command "
        "that did it: 'sessionpack log --client ana' shows its id)")
    clean(booked)


def test_refund_reaches_the_bookings_of_clients_it_is_shared_with(booked, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(booked("client", "add", "leo", "--name", "Leo Lima"))
    ok(booked("client", "relate", "leo", "ana", "--as", "child", "--can", "use-packages"))
    ok(booked("share", "ana.p1", "leo"))
    ok(booked("book", "leo", "massage", "2026-12-01T10:00"))
    out = ok(booked("cancel", "--yes", "ana.p1", "--reason", "family moved", now=LATER))
    assert out == (
        "Cancelled ana.p1 (no refund); voided massage 4\n"
        "Payment: paid 492.00, refunded 0.00, net 492.00 EUR (paid)\n"
        "Unlinked ana.b2 (2026-11-26 15:00): 1 massage back to ana.p1; stays booked at the regular fee 90.00 + 0.00 tax EUR\n"
        "Unlinked leo.b1 (2026-12-01 10:00 for leo): 1 massage back to ana.p1; stays booked at the regular fee 90.00 + 0.00 tax EUR\n"
        "Unlinked ana.b3 (2026-12-08 10:00): 1 massage back to ana.p1; stays booked at the regular fee 90.00 + 0.00 tax EUR\n")
    [unlinked] = [e for e in events(data_dir) if e["type"] == "unlinked" and e["booking"] == "leo.b1"]
    assert unlinked["clients"] == ["leo", "ana"]
    assert ok_json(booked("history", "leo", "--format", "json"))[-1]["what"] == (
        "leo.b1 unlinked from ana.p1; returns 1 massage; regular fee 90.00 + 0.00 tax")
    clean(booked)


def test_past_sessions_still_booked_must_be_marked_first(booked, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(booked("book", "ana", "massage", "2026-11-24T10:00"))
    ok(booked("book", "ana", "massage", "2026-11-25T10:00"))
    message = ("ana.p1 has past sessions still marked booked: ana.b4 (2026-11-24 10:00), ana.b5 (2026-11-25 10:00); "
               "mark each attended, no-show or cancelled first (e.g. 'sessionpack attend ana.b4')")
    refused(booked, data_dir, ("refund", "--yes", "ana.p1", "--full", "--reason", "x"), 1, message)
    refused(booked, data_dir, ("cancel", "--yes", "ana.p1", "--reason", "x"), 1, message)
    ok(booked("attend", "ana.b4", now=LATER))
    ok(booked("no-show", "ana.b5", now=LATER))
    ok(booked("refund", "--yes", "ana.p1", "--full", "--reason", "x", now=LATER))
    clean(booked)


# ---------------------------------------------------------------- cancel a client package


def test_cancel_a_client_package(booked, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    refused(booked, data_dir, ("cancel", "--yes", "ana.p1"), 2, "cancelling a client package needs --reason R (it stays in the history)")
    refused(booked, data_dir, ("cancel", "--yes", "ana.p1", "--return", "--reason", "x"), 2,
            "--return and --forfeit are for bookings; cancelling a client package gives nothing back to it")
    refused(booked, data_dir, ("cancel", "ana.b2", "--cancel-bookings"), 2,
            "--cancel-bookings goes with a client package (like ana.p1), not a booking")
    refused(booked, data_dir, ("cancel", "--yes", "ana.p9", "--reason", "x"), 2, "no client package 'ana.p9'; see 'sessionpack balance ana'")
    record = ok_json(booked("cancel", "--yes", "ana.p1", "--reason", "sold by mistake", "--cancel-bookings", "--format", "json", now=LATER))
    assert {k: record[k] for k in ("status", "method", "refund", "basis", "paid", "refunded", "net", "payment", "voided", "remaining")} == {
        "status": "cancelled", "method": None, "refund": "0.00", "basis": None, "paid": "492.00", "refunded": "0.00",
        "net": "492.00", "payment": "paid", "voided": {"massage": 4}, "remaining": {"massage": 0}}
    assert [(b["id"], b["date"], b["action"]) for b in record["bookings"]] == [
        ("ana.b2", "2026-11-26", "cancelled"), ("ana.b3", "2026-12-08", "cancelled")]
    pkg = summary(booked)
    assert (pkg["status"], pkg["balances"]["massage"]["voided"], pkg["balances"]["massage"]["used"]) == ("cancelled", 4, 1)
    assert ok_json(booked("history", "ana.p1", "--format", "json"))[-1]["what"] == "cancelled ana.p1 (no refund); voided massage 4"
    refused(booked, data_dir, ("cancel", "--yes", "ana.p1", "--reason", "again"), 1, "ana.p1 is already cancelled; nothing was changed")
    refused(booked, data_dir, ("refund", "--yes", "ana.p1", "--full", "--reason", "x"), 1, "ana.p1 is already cancelled; nothing was changed")
    clean(booked)


# ---------------------------------------------------------------- refusals


def test_refund_refusals(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    write_package(data_dir, "open", OPEN)
    ok(practice("sell", "ana", "five"))
    ok(practice("sell", "ana", "five", "--unpaid"))
    ok(practice("sell", "ana", "open"))
    choose = "say how much to refund with one of --full, --amount X, --pro-rata or --used-at-regular"
    refused(practice, data_dir, ("refund", "--yes", "ana.p1", "--reason", "x"), 2, choose)
    refused(practice, data_dir, ("refund", "--yes", "ana.p1", "--full", "--pro-rata", "--reason", "x"), 2, choose)
    refused(practice, data_dir, ("refund", "--yes", "ana.p1", "--full"), 2, "a refund needs --reason R (it stays in the history)")
    refused(practice, data_dir, ("refund", "--yes", "ana.p1", "--amount", "0", "--reason", "x"), 2, "--amount must be more than 0")
    refused(practice, data_dir, ("refund", "--yes", "ana.p1", "--amount", "1.001", "--reason", "x"), 2,
            "--amount has more than 2 decimal places for EUR: 1.001")
    refused(practice, data_dir, ("refund", "--yes", "ana.p1", "--amount", "500", "--reason", "x"), 1,
            "ana.p1 was paid 492.00 EUR (0.00 refunded so far); a refund of 500.00 is more than that")
    refused(practice, data_dir, ("refund", "--yes", "ana.p1", "--amount", "50", "--fee", "5", "--reason", "x"), 2,
            "--fee is kept back from --full, --pro-rata or --used-at-regular; with --amount give what to refund")
    refused(practice, data_dir, ("refund", "--yes", "ana.p2", "--full", "--reason", "x"), 1,
            "nothing was paid for ana.p2 (paid 0.00), so there is nothing to refund; close it with 'sessionpack cancel ana.p2 --reason R'")
    refused(practice, data_dir, ("refund", "--yes", "ana.p3", "--pro-rata", "--reason", "x"), 1,
            "ana.p3 holds unlimited sessions, so it has no pro-rata share; give the amount with --amount X")
    refused(practice, data_dir, ("refund", "--yes", "ana.p9", "--full", "--reason", "x"), 2, "no client package 'ana.p9'; see 'sessionpack balance ana'")
    refused(practice, data_dir, ("refund", "--yes", "ana.b1", "--full", "--reason", "x"), 2,
            "client package id 'ana.b1' is not valid: it looks like 'ana.p1' (see 'sessionpack balance CLIENT')")
    ok(practice("refund", "--yes", "ana.p3", "--amount", "75", "--reason", "half the month", now=LATER))
    assert summary(practice)["status"] == "active"
    rows = ok_json(practice("balance", "ana", "--format", "json", now=LATER))
    assert (rows[2]["status"], rows[2]["remaining"], rows[2]["payment"]) == ("refunded", {"unlimited": 0}, "partly refunded")
    ok(practice("refund", "--yes", "ana.p1", "--full", "--reason", "x", now=LATER))
    refused(practice, data_dir, ("refund", "--yes", "ana.p1", "--full", "--reason", "x"), 1, "ana.p1 is already refunded; nothing was changed")
    refused(practice, data_dir, ("pay", "ana.p1", "10"), 1, "ana.p1 is refunded; no payment can be recorded on it")
    clean(practice)


def test_refund_in_a_real_process(practice, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    ok(practice("sell", "ana", "five"))
    ok(practice("book", "ana", "massage", "2026-12-01T10:00"))
    result = practice.proc("refund", "--yes", "ana.p1", "--pro-rata", "--reason", "moving", "--format", "json")
    assert (result.returncode, result.stderr) == (0, "")
    record = json.loads(result.stdout)
    assert (record["refund"], record["voided"], [b["id"] for b in record["bookings"]]) == ("492.00", {"massage": 5}, ["ana.b1"])
    again = practice.proc("cancel", "--yes", "ana.p1", "--reason", "x")
    assert (again.returncode, again.stdout, again.stderr) == (1, "", "error: ana.p1 is already refunded; nothing was changed\n")
    check = practice.proc("check")
    assert (check.returncode, check.stdout) == (0, "No problems found\n")
