"""What balance, client show and the statement say of closed unlimited
passes, transferred sessions and pauses of packages without expiry, word
for word (docs/reports.md, statements; docs/corrections.md). Reading never
changes a byte of the data directory."""

from __future__ import annotations

import json

import pytest

from cli_util import ok
from tree import tree_hash

SOLD = "2026-01-01T09:00"
NOW = "2026-01-05T09:00"


def read(sp, *args: str) -> str:  # type: ignore[no-untyped-def]
    """A reading command's output; it changed nothing."""
    before = tree_hash(sp.data_dir)
    out = ok(sp(*args, now=NOW))
    assert tree_hash(sp.data_dir) == before
    return out


def lines(text: str, *numbers: int) -> list[str]:
    found = text.splitlines()
    return [found[n] for n in numbers]


@pytest.fixture
def week(practice):  # type: ignore[no-untyped-def]
    ok(practice("package", "create", "week", "--name", "Massage week", "--pool", "unlimited", "--services", "massage",
                "--price", "70", "--expires", "10 days", now=SOLD))
    ok(practice("client", "add", "bruno", "--name", "Bruno Costa", now=SOLD))
    ok(practice("sell", "ana", "week", now=SOLD))
    return practice


REFUNDED = [
    "used 0 (unlimited) · 0 booked · 0 free to book · valid through 11 Jan 2026 · refunded",
    "  date        entry   detail                          change      balance",
    "  2026-01-01  bought  Massage week (week)             +unlimited  unlimited",
    "  2026-01-05  refund  35.00 EUR refunded: left early  -unlimited  0",
]
CANCELLED = [
    "used 0 (unlimited) · 0 booked · 0 free to book · valid through 11 Jan 2026 · cancelled",
    "  date        entry      detail               change      balance",
    "  2026-01-01  bought     Massage week (week)  +unlimited  unlimited",
    "  2026-01-05  cancelled  closed: left early   -unlimited  0",
]


@pytest.mark.parametrize("command,status,page", [
    (("refund", "ana.p1", "--amount", "35", "--reason", "left early", "--yes"), "refunded", REFUNDED),
    (("cancel", "ana.p1", "--reason", "left early", "--yes"), "cancelled", CANCELLED),
])
def test_a_refunded_or_cancelled_unlimited_pass_has_0_left(week, command: tuple[str, ...], status: str,  # type: ignore[no-untyped-def]
                                                           page: list[str]) -> None:
    ok(week(*command, now=NOW))
    assert read(week, "balance", "ana", "--all") == (
        "Balances at 2026-01-05 09:00 (EUR)\n"
        "id      package       item       left  booked  valid      status\n"
        f"ana.p1  Massage week  unlimited  0     0       to 11 Jan  {status}\n")
    assert f"ana.p1  Massage week  unlimited  0     0       to 11 Jan  {status}\n" in read(week, "client", "show", "ana")
    assert read(week, "statement", "ana").splitlines()[7:] == page


def test_the_statement_after_transfer_all_of_an_unlimited_pass(week) -> None:  # type: ignore[no-untyped-def]
    ok(week("transfer", "ana.p1", "bruno", "--all", "--reason", "moved away", "--yes", now=NOW))
    assert read(week, "statement", "ana").splitlines()[7:] == [
        "used 0 (unlimited) · 0 booked · 0 free to book · valid through 11 Jan 2026 · transferred",
        "  date        entry     detail                   change      balance",
        "  2026-01-01  bought    Massage week (week)      +unlimited  unlimited",
        "  2026-01-05  transfer  to bruno.p1: moved away  -unlimited  0",
    ]


def test_the_summary_adds_up_after_a_transfer(practice) -> None:  # type: ignore[no-untyped-def]
    ok(practice("package", "create", "ten", "--name", "10 sessions", "--pool", "count=10", "--services", "massage", "--price", "600",
                now=SOLD))
    ok(practice("client", "add", "bruno", "--name", "Bruno Costa", now=SOLD))
    ok(practice("sell", "ana", "ten", now=SOLD))
    ok(practice("book", "ana", "massage", "2026-01-02T10:00", now=SOLD))
    ok(practice("attend", "ana.b1", now=NOW))
    ok(practice("transfer", "ana.p1", "bruno", "--sessions", "3", "--reason", "gift", now=NOW))
    assert read(practice, "statement", "ana").splitlines()[7:] == [
        "used 1 + 3 transferred of 10 · 0 booked · 6 free to book · no expiry",
        "  date        entry           detail                      change  balance",
        "  2026-01-01  bought          10 sessions (ten)           +10     10",
        "  2026-01-02  session 1 of 7  Massage 60 10:00, attended  -1      9",
        "  2026-01-05  transfer        to bruno.p1: gift           -3      6",
    ]


def test_a_pause_adds_no_days_to_a_package_without_expiry(practice) -> None:  # type: ignore[no-untyped-def]
    ok(practice("package", "create", "nn", "--name", "5 massages", "--service", "massage=5", "--price", "400", now=SOLD))
    ok(practice("sell", "ana", "nn", now=SOLD))
    assert ok(practice("pause", "ana.p1", "2026-01-06", "2026-01-09", "--reason", "away", now=NOW)) == (
        "Paused ana.p1 from 2026-01-06 to 2026-01-09 (4 days); expires: never (the pause only blocks sessions)\n")
    assert lines(read(practice, "statement", "ana"), 6, 7) == [
        "no expiry date (none)",
        "used 0 of 5 · 0 booked · 5 free to book · no expiry",
    ]


def test_history_says_an_unlimited_pass_ended_not_plus_0(practice) -> None:  # type: ignore[no-untyped-def]
    for args in (("service", "add", "sauna", "--name", "Sauna", "--duration", "30", "--price", "10"),
                 ("package", "create", "week", "--name", "Sauna week", "--pool", "unlimited", "--services", "sauna",
                  "--price", "70", "--expires", "10 days"),
                 ("sell", "ana", "week"),
                 ("refund", "ana.p1", "--amount", "35", "--reason", "left early", "--yes")):
        assert practice(*args).exit_code == 0, args
    rows = json.loads(practice("history", "ana.p1", "--format", "json").stdout)
    assert [(row["type"], row["change"], row["balance"]) for row in rows] == [
        ("sold", {"unlimited": "unlimited"}, {"unlimited": "unlimited"}),
        ("refunded", {"unlimited": "-unlimited"}, {"unlimited": 0}),
    ]
