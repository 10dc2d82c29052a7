"""Nothing about a client package is dated before its sale, through the CLI.

With a clock (--now) before the sale, pay, adjust, pause, resume, transfer,
refund, cancel, share, unshare and code reset are refused (exit 1, one line naming the sale date, not a
byte of the data directory changed); so are ``adjust --expires`` before the
sale and a pause starting before it. Without them, the liability report
showed value held below zero before the package existed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_util import balance_of, clean, ok, write_package
from tree import tree_hash

SOLD_AT = "2026-03-01T09:00"
EARLY = "2026-02-15T09:00"
FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}
PASS = {"name": "Sauna week", "expiry": "1 month", "contents": {"pool": "unlimited"}, "payment": {"price": "300"}}
BEFORE_SALE = "{cp} was sold on 2026-03-01, after today (2026-02-15): nothing about it can be dated before its sale; check --now"


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    write_package(data_dir, "pass", PASS)
    ok(practice("client", "add", "bruno", "--name", "Bruno Costa", now=SOLD_AT))
    ok(practice("sell", "ana", "five", now=SOLD_AT))  # ana.p1, paid
    ok(practice("sell", "ana", "five", "--unpaid", now=SOLD_AT))  # ana.p2, nothing paid
    ok(practice("sell", "ana", "pass", now=SOLD_AT))  # ana.p3, unlimited
    ok(practice("pause", "ana.p1", "2026-04-01", "2026-04-05", now=SOLD_AT))  # (a pause to resume)
    ok(practice("client", "relate", "bruno", "ana", "--as", "partner", "--can", "use-packages", now=SOLD_AT))
    ok(practice("share", "ana.p2", "bruno", now=SOLD_AT))  # (a sharing to end)
    return practice


def refused(sp, args: tuple[str, ...], message: str, now: str) -> None:  # type: ignore[no-untyped-def]
    """Exit 1 with exactly ``message`` on stderr, nothing on stdout, and every byte of the data directory as it was."""
    before = tree_hash(sp.data_dir)
    result = sp(*args, now=now)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    assert tree_hash(sp.data_dir) == before


@pytest.mark.parametrize("cp,args", [
    ("ana.p1", ("refund", "ana.p1", "--full", "--reason", "clock", "--yes")),
    ("ana.p1", ("cancel", "ana.p1", "--reason", "clock", "--yes")),
    ("ana.p2", ("pay", "ana.p2", "100", "--method", "cash")),
    ("ana.p1", ("adjust", "ana.p1", "--sessions", "-2", "--reason", "x")),
    ("ana.p1", ("adjust", "ana.p1", "--expires", "2026-06-30", "--reason", "x")),
    ("ana.p1", ("pause", "ana.p1", "2026-03-20", "2026-03-25", "--reason", "away")),
    ("ana.p1", ("resume", "ana.p1", "--on", "2026-04-03")),
    ("ana.p1", ("transfer", "ana.p1", "bruno", "--sessions", "2", "--reason", "gift")),
    ("ana.p3", ("transfer", "ana.p3", "bruno", "--all", "--reason", "gift", "--yes")),
    ("ana.p1", ("share", "ana.p1", "bruno")),
    ("ana.p2", ("unshare", "ana.p2", "bruno")),
    ("ana.p1", ("code", "reset", "ana.p1")),
])
def test_a_clock_before_the_sale_is_refused(shop, cp: str, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    refused(shop, args, BEFORE_SALE.format(cp=cp), now=EARLY)
    clean(shop)


def test_the_liability_report_never_goes_below_zero(shop) -> None:  # type: ignore[no-untyped-def]
    for args in (("refund", "ana.p1", "--full", "--reason", "clock", "--yes"), ("pay", "ana.p2", "100"),
                 ("adjust", "ana.p1", "--sessions", "-2", "--reason", "x")):
        assert shop(*args, now=EARLY).exit_code == 1
    assert ok(shop("report", "liability", "--as-of", "2026-02-20", now="2026-03-05T09:00")) == (
        "Value held at the end of 2026-02-20 (EUR, net of tax)\nNo client package holds prepaid value\n")


def test_on_the_sale_day_they_are_recorded(shop) -> None:  # type: ignore[no-untyped-def]
    assert ok(shop("pay", "ana.p2", "100", "--method", "cash", now="2026-03-01T00:00")) == (
        "Recorded 100.00 EUR on ana.p2: paid 100.00 of 400.00 (partly paid)\n")
    assert ok(shop("adjust", "ana.p1", "--sessions", "-2", "--reason", "x", now="2026-03-01T00:00")).startswith(
        "Adjusted ana.p1: massage -2\n")
    clean(shop)


# ---------------------------------------------------------------- adjust --expires before the sale


@pytest.mark.parametrize("day", ["2026-02-28", "1900-01-01"])
def test_an_expiry_before_the_sale_is_refused(shop, day: str) -> None:  # type: ignore[no-untyped-def]
    refused(shop, ("adjust", "ana.p1", "--expires", day, "--reason", "typo"),
            f"ana.p1 was sold on 2026-03-01, after --expires {day}: it would be expired from the start; "
            "give --expires 2026-03-01 or later", now="2026-03-10T09:00")
    clean(shop)


def test_an_expiry_on_the_sale_date_is_recorded(shop) -> None:  # type: ignore[no-untyped-def]
    assert ok(shop("adjust", "ana.p1", "--expires", "2026-03-01", "--reason", "one day only", now="2026-03-10T09:00")) == (
        "Adjusted ana.p1: expires 2026-03-01\n"
        "Now ana.p1 has massage 5 left; expires 2026-03-01 (was 2026-06-06)\n")


# ---------------------------------------------------------------- a pause before the sale


@pytest.mark.parametrize("cp,start,until", [
    ("ana.p1", "2025-03-01", "2025-04-01"),  # the year mistyped: entirely before the sale
    ("ana.p1", "2026-02-20", "2026-03-05"),  # starts before the sale, ends after it
    ("ana.p3", "2025-03-01", "2025-04-01"),  # an unlimited pass
])
def test_a_pause_starting_before_the_sale_is_refused(shop, cp: str, start: str, until: str) -> None:  # type: ignore[no-untyped-def]
    expires = balance_of(shop, "ana", cp)["expires"]
    refused(shop, ("pause", cp, start, until, "--reason", "away"),
            f"{cp} was sold on 2026-03-01, after FROM {start}: a pause covers only days the package could be used; "
            "give FROM 2026-03-01 or later", now="2026-03-10T09:00")
    assert balance_of(shop, "ana", cp)["expires"] == expires
    clean(shop)


def test_a_pause_from_the_sale_day_is_recorded(shop) -> None:  # type: ignore[no-untyped-def]
    assert ok(shop("pause", "ana.p3", "2026-03-01", "2026-03-05", now="2026-03-10T09:00")) == (
        "Paused ana.p3 from 2026-03-01 to 2026-03-05 (5 days); expires 2026-04-06 (was 2026-04-01)\n")
