"""The calendar on the nights the clocks change, through the CLI (rules 21
and 25 of docs/rules.md; times and order in docs/reports.md).

America/New_York: on 8 March 2026 the clocks go forward at 02:00 EST to
03:00 EDT; on 1 November 2026 they go back at 02:00 EDT to 01:00 EST, so
01:00 to 01:59 happens twice, first at -04:00, then at -05:00.

Each refusal is checked word for word, with its exit code, and by a hash
of the whole data directory before and after.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cli_util import ok
from tree import tree_hash

FALL = "2026-10-30T09:00"  # two days before the clocks go back
SPRING = "2026-03-01T09:00"  # a week before they go forward
TAIL = "; choose another time, or give --allow-overlap to book it anyway"


def practice_at(sp, now: str):  # type: ignore[no-untyped-def]
    """A New York practice, and a runner for it at ``now``."""
    def run(*args: str, at: str = now):  # type: ignore[no-untyped-def]
        return sp(*args, now=at)

    run.data_dir = sp.data_dir  # type: ignore[attr-defined]
    for args in (("init", "--name", "Studio NY", "--currency", "EUR", "--timezone", "America/New_York"),
                 ("service", "add", "massage", "--name", "Massage 60", "--duration", "60", "--price", "90"),
                 ("service", "add", "long", "--name", "Massage 120", "--duration", "120", "--price", "90"),
                 ("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400"),
                 ("client", "add", "ana", "--name", "Ana"), ("client", "add", "bo", "--name", "Bo")):
        ok(run(*args))
    return run


@pytest.fixture
def fall(sp):  # type: ignore[no-untyped-def]
    return practice_at(sp, FALL)


@pytest.fixture
def spring(sp):  # type: ignore[no-untyped-def]
    return practice_at(sp, SPRING)


def refused(run, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    """Exit 1, exactly ``message`` on stderr, nothing on stdout, not a byte of the data directory changed."""
    before = tree_hash(run.data_dir)
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    assert tree_hash(run.data_dir) == before


def booked(run, *args: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return json.loads(ok(run("book", *args, "--format", "json")))


# ---------------------------------------------------------------- bug 1: the overlap in real time


def test_book_judges_the_overlap_in_real_time_when_the_clocks_go_back(fall) -> None:  # type: ignore[no-untyped-def]
    assert booked(fall, "ana", "massage", "2026-11-01T01:30-05:00")["start"] == "2026-11-01T01:30:00-05:00"  # 06:30Z
    # the first 01:15 for 60 minutes ends at the second 01:15 (06:15Z): free
    assert booked(fall, "bo", "massage", "2026-11-01T01:15-04:00")["id"] == "bo.b1"
    refused(fall, ("book", "bo", "massage", "2026-11-01T00:20-04:00"),
            "the practitioner is already booked then: bo.b1 (massage, 2026-11-01 01:15-04:00 to 01:15-05:00)" + TAIL)
    refused(fall, ("book", "bo", "massage", "2026-11-01T01:20-05:00"),
            "the practitioner is already booked then: ana.b1 (massage, 2026-11-01 01:30-05:00 to 02:30)" + TAIL)
    assert ok(fall("check")) == "No problems found\n"


def test_book_and_move_judge_a_session_across_the_skipped_hour_in_real_time(spring) -> None:  # type: ignore[no-untyped-def]
    assert booked(spring, "ana", "long", "2026-03-08T03:30")["start"] == "2026-03-08T03:30:00-04:00"  # 07:30Z
    # 01:00 EST for 120 minutes runs to 04:00 EDT (08:00Z): it overlaps ana.b1
    refused(spring, ("book", "bo", "long", "2026-03-08T01:00"),
            "the practitioner is already booked then: ana.b1 (long, 2026-03-08 03:30-05:30)" + TAIL)
    assert booked(spring, "bo", "long", "2026-03-08T00:30")["id"] == "bo.b1"  # ends at 03:30 EDT: touches
    refused(spring, ("move", "bo.b1", "2026-03-08T01:00"),
            "the practitioner is already booked then: ana.b1 (long, 2026-03-08 03:30-05:30)" + TAIL)
    refused(spring, ("move", "ana.b1", "2026-03-08T03:15"),
            "the practitioner is already booked then: bo.b1 (long, 2026-03-08 00:30-03:30)" + TAIL)
    assert ok(spring("check")) == "No problems found\n"


# ---------------------------------------------------------------- bug 2: the order of the repeated hour


def test_agenda_unmarked_and_client_page_list_the_repeated_hour_in_the_order_it_happens(fall) -> None:  # type: ignore[no-untyped-def]
    ok(fall("sell", "ana", "five"))
    booked(fall, "ana", "massage", "2026-11-01T01:15-05:00", "--provider", "x")  # ana.b1, 06:15Z: the later one
    booked(fall, "ana", "massage", "2026-11-01T01:20-04:00", "--provider", "y")  # ana.b2, 05:20Z: the earlier one
    header = "day,date,time,booking,attendee,service,minutes,provider,package,draws,fee,status"
    rows = ["Sun,2026-11-01,01:20-04:00,ana.b2,ana,massage,60,y,ana.p1,1 session,0.00,booked",
            "Sun,2026-11-01,01:15-05:00,ana.b1,ana,massage,60,x,ana.p1,1 session,0.00,booked"]
    agenda = fall("report", "bookings", "--from", "2026-11-01", "--to", "2026-11-01", "--format", "csv")
    assert ok(agenda).splitlines() == [header, *rows]
    unmarked = fall("report", "bookings", "--unmarked", "--format", "csv", at="2026-11-01T03:00")
    assert ok(unmarked).splitlines() == [header, *rows]
    page = json.loads(ok(fall("client", "show", "ana", "--format", "json")))
    assert [(b["id"], b["start"]) for b in page["upcoming"]] == [("ana.b2", "2026-11-01T01:20:00-04:00"),
                                                                 ("ana.b1", "2026-11-01T01:15:00-05:00")]
    table = ok(fall("client", "show", "ana"))
    assert table.index("ana.b2  Sun 1 Nov 01:20-04:00  massage") < table.index("ana.b1  Sun 1 Nov 01:15-05:00  massage")


# ---------------------------------------------------------------- bug 3: the offset wherever the time is shown


def test_a_time_of_the_repeated_hour_carries_its_offset_wherever_it_is_shown(fall) -> None:  # type: ignore[no-untyped-def]
    assert ok(fall("book", "ana", "massage", "2026-11-01T01:30-04:00")) == (
        "Booked ana.b1: massage on 2026-11-01 01:30-04:00 (60 min), at the regular fee: no eligible package: no packages; "
        "fee 90.00 + 0.00 tax EUR\n")
    assert ok(fall("move", "ana.b1", "2026-11-01T01:30-05:00")) == (
        "Moved ana.b1: massage on 2026-11-01 01:30-05:00 (60 min), at the regular fee: at the regular fee, as before the "
        "move; fee 90.00 + 0.00 tax EUR; was 2026-11-01 01:30-04:00\n")
    refused(fall, ("move", "ana.b1", "2026-11-01T01:30-05:00"),
            "booking ana.b1 is already at 2026-11-01 01:30-05:00; nothing to move")
    moved = "ana.b1 moved from 2026-11-01 01:30-04:00 to 2026-11-01 01:30-05:00; regular fee 90.00 + 0.00 tax"
    history = json.loads(ok(fall("history", "ana", "--format", "json")))
    assert [row["what"] for row in history][-2:] == [
        "booked ana.b1: massage on 2026-11-01 01:30-04:00 for ana; regular fee 90.00 + 0.00 tax", moved]
    assert json.loads(ok(fall("log", "--format", "json")))[0]["what"] == moved
    assert "ana.b1  Sun 1 Nov 01:30-05:00  massage  regular fee  90.00" in ok(fall("client", "show", "ana"))


def test_a_statement_shows_the_offset_of_a_session_in_the_repeated_hour(fall) -> None:  # type: ignore[no-untyped-def]
    ok(fall("sell", "ana", "five"))
    booked(fall, "ana", "massage", "2026-11-01T01:15-05:00")
    booked(fall, "ana", "massage", "2026-11-01T01:20-04:00", "--allow-overlap")
    booked(fall, "ana", "massage", "2026-11-01T10:00")
    entries = json.loads(ok(fall("statement", "ana", "--format", "json")))["packages"][0]["entries"]
    assert [(e["entry"], e["detail"]) for e in entries[1:]] == [("session 1 of 5", "Massage 60 01:20-04:00, booked"),
                                                                ("session 2 of 5", "Massage 60 01:15-05:00, booked"),
                                                                ("session 3 of 5", "Massage 60 10:00, booked")]
    assert "  2026-11-01  session 2 of 5  Massage 60 01:15-05:00, booked  -massage 1  massage 3\n" in ok(fall("statement", "ana"))
