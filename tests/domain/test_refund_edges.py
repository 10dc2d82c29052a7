"""Refund amounts at their edges (rule 10 of docs/rules.md; docs/corrections.md):
an unlimited service beside counted ones, a late cancel the policy charged
in part, sessions that lapsed at the expiry, and the cent a transferred
share rounds to. Worked out in the domain, then through the command, with
its exit code, its message and, where it refuses, a data directory left
byte for byte as it was.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sessionpack.domain.ledger import apply_to_client, empty_client_view
from sessionpack.domain.packages import package_from_mapping
from sessionpack.domain.refunds import Refund, refund_amount
from sessionpack.domain.sales import sell
from sessionpack.errors import RuleError

from practice_data import NOW, SERVICES, SOLD
from tree import tree_hash


def _pkg(contents: dict[str, Any], price: str, paid: str, **state: Any) -> dict[str, Any]:
    """ana.p1 as ana's view holds it once sold, with ``state`` laid over it."""
    view = empty_client_view("ana")
    stamp = {"at": NOW.isoformat(), "actor": "tester"}
    apply_to_client(view, {"type": "client-added", "clients": ["ana"], "client": {"id": "ana", "name": "Ana", "email": "", "tags": []},
                           "seq": 1, **stamp})
    offer = package_from_mapping("offer", {"name": "offer", "contents": contents, "payment": {"price": price}}, "EUR", SERVICES)
    apply_to_client(view, {**sell(view, offer, currency="EUR", sale_date=SOLD, invoice="1"), "seq": 2, **stamp})
    pkg = copy.deepcopy(view["packages"]["ana.p1"])
    pkg["paid"] = paid
    pkg.update(state)
    return pkg


MIX = {"sessions": {"massage": "unlimited", "thai": 2}}
CREDIT = {"pool": "money", "amount": "300"}


# ---------------------------------------------------------------- in the domain


@pytest.mark.parametrize("state,refund,gone", [
    ({"transferred": {"thai": 1}}, Refund("full"), "what was transferred"),
    ({"transferred": {"thai": 1}}, Refund("used-at-regular"), "what was transferred"),
    ({"lapsed": {"thai": 2}}, Refund("used-at-regular"), "what expired"),
])
def test_unlimited_beside_counted_sessions_gives_no_share_of_the_price(state, refund, gone) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleError) as refused:
        refund_amount(_pkg(MIX, "300", "300.00", **state), refund, [], "EUR")
    assert str(refused.value) == (f"ana.p1 holds unlimited sessions besides counted ones, so {gone} has no share of the price "
                                  "to work out; give the amount with --amount X")


def test_unlimited_beside_counted_sessions_still_refunds_in_full_when_nothing_left() -> None:
    assert refund_amount(_pkg(MIX, "300", "300.00"), Refund("full"), [], "EUR") == (Decimal("300.00"), "all that was paid, 300.00")


@pytest.mark.parametrize("price,amount,moved", [
    ("270", "300", "100.55"), ("1.01", "2", 1), ("100", "3", 1), ("100", "3", 2), ("10", "7", 3), ("999.99", "7", 5),
])
def test_full_and_pro_rata_agree_after_a_transfer_and_never_give_back_more_than_was_paid(price, amount, moved) -> None:  # type: ignore[no-untyped-def]
    money = "." in amount or amount == "300"
    contents = {"pool": "money", "amount": amount} if money else {"pool": "count", "amount": int(amount)}
    pkg = _pkg(contents, price, price if "." in price else f"{price}.00", transferred={contents["pool"]: moved})
    full, full_basis = refund_amount(pkg, Refund("full"), [], "EUR")
    pro_rata, _ = refund_amount(pkg, Refund("pro-rata"), [], "EUR")
    share = Decimal(full_basis.split(" transferred ")[1].split(" = ")[0])
    assert full == pro_rata
    assert full + share == Decimal(pkg["paid"])


def test_the_transferred_share_is_the_rest_of_what_is_left() -> None:
    pkg = _pkg(CREDIT, "270", "270.00", transferred={"money": "100.55"})
    assert refund_amount(pkg, Refund("full"), [], "EUR") == (
        Decimal("179.51"), "all that was paid, 270.00 - 100.55/300.00 transferred 90.49 = 179.51")
    assert refund_amount(pkg, Refund("pro-rata"), [], "EUR") == (Decimal("179.51"), "270.00 x 199.45/300.00 = 179.51")


def test_lapsed_sessions_are_charged_at_their_share_after_what_was_transferred() -> None:
    pkg = _pkg({"sessions": {"massage": 3}}, "100", "100.00", transferred={"massage": 1}, lapsed={"massage": 1})
    assert refund_amount(pkg, Refund("used-at-regular"), [Decimal("20.00")], "EUR") == (
        Decimal("13.33"), "100.00 - 1/3 transferred 33.33 - 1/3 expired 33.34 - 1 used or forfeited at the regular fee 20.00 = 13.33")


# ---------------------------------------------------------------- through the command


def _setup(sp, now: str) -> None:  # type: ignore[no-untyped-def]
    for args in (
        ("init", "--name", "S", "--currency", "EUR", "--timezone", "Europe/Lisbon"),
        ("service", "add", "massage", "--name", "Massage 60", "--duration", "60", "--price", "90", "--tax", "23"),
        ("service", "add", "thai", "--name", "Thai 90", "--duration", "90", "--price", "120", "--tax", "23"),
        ("client", "add", "ana", "--name", "Ana Lima"),
        ("client", "add", "bruno", "--name", "Bruno Costa"),
    ):
        _ok(sp(*args, now=now))


def _ok(result) -> str:  # type: ignore[no-untyped-def]
    assert (result.exit_code, result.stderr) == (0, ""), (result.stdout, result.stderr)
    return result.stdout


def _refused(sp, data_dir: Path, args: tuple[str, ...], now: str, message: str) -> None:  # type: ignore[no-untyped-def]
    before = tree_hash(data_dir)
    result = sp(*args, now=now)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    assert tree_hash(data_dir) == before


def _refund(sp, now: str, *args: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = sp("refund", "ana.p1", *args, "--reason", "moving", "--yes", "--format", "json", now=now)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def test_cli_unlimited_massage_beside_one_thai_transferred_is_refused_with_nothing_written(sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    now = "2026-03-01T09:00"
    _setup(sp, now)
    _ok(sp("package", "create", "mixu", "--name", "Unlimited massage + 1 thai", "--service", "massage=unlimited",
           "--service", "thai=1", "--price", "300", "--expires", "30 days", now=now))
    _ok(sp("sell", "ana", "mixu", now=now))
    _ok(sp("transfer", "ana.p1", "bruno", "--sessions", "1", "--service", "thai", "--reason", "gift", now=now))
    message = ("ana.p1 holds unlimited sessions besides counted ones, so what was transferred has no share of the price "
               "to work out; give the amount with --amount X")
    for how in ("--full", "--used-at-regular"):
        _refused(sp, data_dir, ("refund", "ana.p1", how, "--reason", "moving", "--yes"), now, message)
    assert _refund(sp, now, "--amount", "100")["refund"] == "100.00"


def test_cli_a_late_cancel_charged_at_half_costs_half_its_regular_fee(sp) -> None:  # type: ignore[no-untyped-def]
    now = "2026-03-10T09:00"
    _setup(sp, now)
    _ok(sp("package", "create", "credit", "--name", "credit", "--pool", "money=300", "--price", "300",
           "--late-cancel", "charge", "--charge-percent", "50", now=now))
    _ok(sp("sell", "ana", "credit", "--date", "2026-03-01", now=now))
    _ok(sp("book", "ana", "massage", "2026-03-10T12:00", now=now))
    assert _ok(sp("cancel", "ana.b1", "--reason", "late", now=now)) == "ana.b1: late cancel; 45.00 charged\n"
    record = _refund(sp, now, "--used-at-regular")
    assert (record["refund"], record["basis"]) == (
        "244.65", "300.00 - 1 used or forfeited at the regular fee (1 late cancel at the share charged) 55.35 = 244.65")


def _expired_five(sp, price: str) -> str:  # type: ignore[no-untyped-def]
    """Five massages sold at ``price`` on 1 March, valid through 15 March,
    one attended on 5 March, the expiry recorded on 20 March: that time."""
    now = "2026-03-01T09:00"
    _setup(sp, now)
    _ok(sp("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", price,
           "--expires", "on 2026-03-15", now=now))
    _ok(sp("sell", "ana", "five", now=now))
    _ok(sp("book", "ana", "massage", "2026-03-05T10:00", now=now))
    later = "2026-03-20T09:00"
    _ok(sp("attend", "ana.b1", now=later))
    _ok(sp("notify", now=later))
    return later


def test_cli_sessions_that_lapsed_leave_nothing_to_refund_at_the_regular_fee(sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    later = _expired_five(sp, "400")
    for how, basis in (("--pro-rata", "400.00 x 0/5 = 0.00"),
                       ("--used-at-regular", "400.00 - 4/5 expired 320.00 - 1 used or forfeited at the regular fee 110.70 = 0.00")):
        _refused(sp, data_dir, ("refund", "ana.p1", how, "--reason", "moving", "--yes"), later,
                 f"{how[2:]} leaves nothing to refund on ana.p1 ({basis}); close it with 'sessionpack cancel ana.p1 --reason R'")


def test_cli_sessions_that_lapsed_are_charged_at_their_share_of_the_price(sp) -> None:  # type: ignore[no-untyped-def]
    later = _expired_five(sp, "600")  # 120.00 a session, more than the regular fee 110.70
    record = _refund(sp, later, "--used-at-regular")
    assert (record["refund"], record["basis"]) == (
        "9.30", "600.00 - 4/5 expired 480.00 - 1 used or forfeited at the regular fee 110.70 = 9.30")


def test_cli_full_and_pro_rata_after_a_transfer_give_the_same_and_liability_moves_that_share(sp) -> None:  # type: ignore[no-untyped-def]
    now = "2026-03-02T09:00"
    _setup(sp, now)
    _ok(sp("package", "create", "credit", "--name", "300 credit", "--pool", "money=300", "--price", "270", now=now))
    _ok(sp("sell", "ana", "credit", now=now))
    _ok(sp("transfer", "ana.p1", "bruno", "--money", "100.55", "--reason", "gift", now=now))
    full = _refund(sp, now, "--full", "--dry-run")
    pro_rata = _refund(sp, now, "--pro-rata", "--dry-run")
    assert (full["refund"], full["basis"]) == ("179.51", "all that was paid, 270.00 - 100.55/300.00 transferred 90.49 = 179.51")
    assert (pro_rata["refund"], pro_rata["basis"]) == ("179.51", "270.00 x 199.45/300.00 = 179.51")
    report = json.loads(_ok(sp("report", "liability", "--by", "client", "--from", "2026-03-02", "--to", "2026-03-02",
                               "--format", "json", now=now)))
    assert [(row["client"], row["adjusted"], row["closing"]) for row in report["rows"]] == [
        ("ana", "-90.49", "179.51"), ("bruno", "90.49", "90.49")]
