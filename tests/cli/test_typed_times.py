"""How times and dates are typed on the command line.

A WHEN with seconds is refused (every output shows minutes only); the
guide's booking examples run as written; a report given only --from (or
only --to) covers the default period from that day; a bad SESSIONPACK_NOW
is named as the variable; a series in a DST change says what can be done;
and a day counted back (-7d) is an argument, not an unknown option.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from cli_util import ok, ok_json
from conftest import Runner
from tree import tree_hash

DOCS = Path(__file__).resolve().parent.parent.parent / "docs"
NOW = "2026-03-10T09:00"  # a Tuesday


def refused(sp, args: tuple[str, ...], message: str, now: str | None = NOW, code: int = 2) -> None:  # type: ignore[no-untyped-def]
    """Exit ``code`` with exactly ``message`` on stderr, nothing on stdout, not a byte of the data directory changed."""
    before = tree_hash(sp.data_dir)
    result = sp(*args, now=now)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", f"error: {message}\n")
    assert tree_hash(sp.data_dir) == before


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    ok(practice("client", "add", "bo", "--name", "Bo", now=NOW))
    ok(practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400",
                "--expires", "3 months", now=NOW))
    ok(practice("sell", "ana", "five", "--date", "2026-03-01", now=NOW))  # ana.p1
    return practice


# -- bug 6: a session starts on a minute ------------------------------------------------------

@pytest.mark.parametrize("when", ["2026-03-20T10:00:30", "2026-03-21T10.5"])
def test_a_when_with_seconds_is_refused(shop, when: str) -> None:  # type: ignore[no-untyped-def]
    refused(shop, ("book", "ana", "massage", when),
            f"WHEN must be to the minute, like 2026-12-01T10:00 (no seconds), not '{when}'")
    refused(shop, ("book", "ana", "massage", when, "--dry-run"),
            f"WHEN must be to the minute, like 2026-12-01T10:00 (no seconds), not '{when}'")


def test_a_moved_session_starts_on_a_minute_too(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("book", "ana", "massage", "2026-03-20T10:00", now=NOW))
    refused(shop, ("move", "ana.b1", "2026-03-20T12:00:30"),
            "WHEN must be to the minute, like 2026-12-01T10:00 (no seconds), not '2026-03-20T12:00:30'")


def test_a_whole_minute_with_zero_seconds_is_that_minute(shop) -> None:  # type: ignore[no-untyped-def]
    first = ok_json(shop("book", "ana", "massage", "2026-03-20T10:00:00", "--format", "json", now=NOW))
    assert first["start"] == "2026-03-20T10:00:00+00:00"
    # The session ends at 11:00, so 11:00 is free (a 10:00:30 start once blocked it, unseen).
    assert ok(shop("book", "bo", "massage", "2026-03-20T11:00", now=NOW)).startswith("Booked bo.b1: massage on 2026-03-20 11:00 ")


# -- bug 7: the guide's booking examples run as written ------------------------------------------

def guide_booking_lines() -> list[list[str]]:
    text = (DOCS / "guide.md").read_text(encoding="utf-8")
    block = text.split("## Booking\n", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [shlex.split(line, comments=True)[1:] for line in block.splitlines() if line.startswith("sessionpack book ")]


def test_the_guides_booking_examples_run(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lines = guide_booking_lines()
    assert ["book", "ana", "massage", "tomorrow 10:00", "--no-package"] in lines
    for number, args in enumerate(lines):  # each on a practice of its own (two book the same time)
        copy = tmp_path / f"copy{number}"
        shutil.copytree(shop.data_dir, copy)
        result = Runner(copy)(*args, now=NOW)
        assert (result.exit_code, result.stderr) == (0, ""), args


def test_no_example_in_the_docs_books_a_day_without_its_time() -> None:
    day_alone = re.compile(r"sessionpack (?:book|move) [^\n#]*?\s(?:today|tomorrow|yesterday|[+-]\d+[dw]|"
                           r"(?:next )?(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*|\d{4}-\d{2}-\d{2})(?:\s+--|\s*$|\s+#)", re.M)
    found = [(page.name, m.group(0)) for page in sorted(DOCS.glob("*.md")) for m in day_alone.finditer(page.read_text(encoding="utf-8"))
             if not re.search(r"--(?:until|date|from|to|on) \S+(?:\s+--|\s*$|\s+#)", m.group(0))]
    assert found == []


def test_a_day_alone_as_when_says_to_add_its_time(shop) -> None:  # type: ignore[no-untyped-def]
    refused(shop, ("book", "ana", "massage", "tomorrow", "--no-package"), "WHEN needs a time of day, e.g. tomorrow 10:00")


# -- bug 8: a report given one bound ---------------------------------------------------------------

@pytest.mark.parametrize("args,first,last", [
    (("report", "bookings", "--from", "+10d"), "2026-03-20", "2026-03-27"),
    (("report", "bookings", "--from", "2026-03-20"), "2026-03-20", "2026-03-27"),
    (("report", "bookings", "--to", "-3d"), "2026-03-07", "2026-03-07"),
    (("report", "bookings"), "2026-03-10", "2026-03-17"),
    (("report", "sales", "--from", "2026-04-10"), "2026-04-10", "2026-04-30"),
    (("report", "sales", "--from", "2026-01-01"), "2026-01-01", "2026-03-31"),
    (("report", "sales", "--to", "2026-02-20"), "2026-02-01", "2026-02-20"),
    (("report", "usage", "--from", "+4w"), "2026-04-07", "2026-04-30"),
    (("report", "usage", "--to", "2026-01-31"), "2026-01-01", "2026-01-31"),
    (("report", "liability", "--from", "2026-05-01"), "2026-05-01", "2026-05-01"),
    (("report", "liability", "--to", "2025-12-31"), "2025-01-01", "2025-12-31"),
    (("report", "liability", "--from", "2026-01-01"), "2026-01-01", "2026-03-10"),
])
def test_one_bound_gives_the_default_period_from_that_day(shop, args: tuple[str, ...], first: str, last: str) -> None:  # type: ignore[no-untyped-def]
    before = tree_hash(shop.data_dir)
    got = ok_json(shop(*args, "--format", "json", now=NOW))
    assert (got["from"], got["to"]) == (first, last)
    assert tree_hash(shop.data_dir) == before


def test_the_agenda_from_a_later_day_lists_its_sessions(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("book", "ana", "massage", "2026-03-25T10:00", now=NOW))
    assert ok(shop("report", "bookings", "--from", "2026-03-20", "--format", "csv", now=NOW)).splitlines()[1:] == [
        "Wed,2026-03-25,10:00,ana.b1,ana,massage,60,,ana.p1,1 session,0.00,booked"]


def test_a_to_before_a_from_both_given_is_still_refused(shop) -> None:  # type: ignore[no-untyped-def]
    refused(shop, ("report", "bookings", "--from", "+10d", "--to", "+2d"),
            "--to 2026-03-12 is before --from 2026-03-20; give the first and the last day")


# -- bug 9: a bad SESSIONPACK_NOW names the variable -----------------------------------------

NOW_ERROR = "{what} must be an ISO date or date-time like 2026-12-01T09:00, not '2026-03-02 9:00'"


def test_a_bad_sessionpack_now_names_the_variable(shop, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SESSIONPACK_NOW", "2026-03-02 9:00")
    refused(shop, ("report", "bookings"), NOW_ERROR.format(what="SESSIONPACK_NOW"), now=None)
    refused(shop, ("book", "ana", "massage", "fri 10:00"), NOW_ERROR.format(what="SESSIONPACK_NOW"), now=None)
    # --now takes the variable's place, and is named when it is the bad one.
    refused(shop, ("report", "bookings"), "--now must be an ISO date or date-time like 2026-12-01T09:00, not 'soon'", now="soon")
    assert ok_json(shop("report", "bookings", "--format", "json", now=NOW))["from"] == "2026-03-10"


def test_a_bad_sessionpack_now_in_a_process_names_the_variable(shop) -> None:  # type: ignore[no-untyped-def]
    before = tree_hash(shop.data_dir)
    for args in (("balance", "ana"), ("book", "ana", "massage", "fri 10:00"), ("report", "bookings")):  # quick path and not
        result = shop.proc(*args, now=None, env={"SESSIONPACK_NOW": "2026-03-02 9:00"})
        assert (result.returncode, result.stdout, result.stderr) == (2, "", f"error: {NOW_ERROR.format(what='SESSIONPACK_NOW')}\n")
        result = shop.proc(*args, now="3000-01-01", env={"SESSIONPACK_NOW": "2026-03-02 9:00"})
        assert (result.returncode, result.stderr) == (2, "error: --now 3000-01-01 is out of range: use a date from 1900-01-01 to 2999-12-31\n")
    assert tree_hash(shop.data_dir) == before


# -- bug 10: a series in the repeated hour ---------------------------------------------------

def test_a_series_in_the_repeated_hour_gives_advice_that_works(shop) -> None:  # type: ignore[no-untyped-def]
    message = ("session 2 of the series, 2026-10-25T01:30 happens twice in Europe/Lisbon (the clocks go back): book the "
               "series at another time, or in two parts around that day (--count or --until) with that session on its "
               "own, given its offset: 2026-10-25T01:30+01:00 (the first) or 2026-10-25T01:30+00:00 (the second)")
    for first in ("2026-10-18T01:30", "2026-10-18T01:30+01:00"):
        refused(shop, ("book", "bo", "massage", first, "--repeat", "weekly", "--count", "3"), message)
    # Following it: the series in two parts, and that session on its own with its offset.
    ok(shop("book", "bo", "massage", "2026-10-18T01:30", "--repeat", "weekly", "--until", "2026-10-24", now=NOW))
    ok(shop("book", "bo", "massage", "2026-10-25T01:30+00:00", now=NOW))
    ok(shop("book", "bo", "massage", "2026-11-01T01:30", "--repeat", "weekly", "--count", "1", now=NOW))
    starts = [row["time"] for row in ok_json(shop("report", "bookings", "--from", "2026-10-18", "--to", "2026-11-01",
                                                 "--format", "json", now=NOW))["rows"]]
    assert len(starts) == 3


# -- bug 11: a day counted back is an argument -------------------------------------------------

def test_a_day_counted_back_is_an_argument(shop) -> None:  # type: ignore[no-untyped-def]
    assert ok(shop("pause", "ana.p1", "-7d", "today", "--reason", "ill since last week", now=NOW)) == (
        "Paused ana.p1 from 2026-03-03 to 2026-03-10 (8 days); expires 2026-06-09 (was 2026-06-01)\n")
    assert ok(shop("book", "bo", "massage", "-1d 10:00", "--no-package", now=NOW)).startswith(
        "Booked bo.b1: massage on 2026-03-09 10:00 (60 min), at the regular fee")
    assert ok(shop("move", "bo.b1", "-2d 11:00", "--reason", "-1d", now=NOW)).startswith("Moved bo.b1")


def test_a_day_counted_back_in_a_process(shop) -> None:  # type: ignore[no-untyped-def]
    result = shop.proc("book", "bo", "massage", "--no-package", "-1w 10:00", "--format", "json", now=NOW)
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout)["start"] == "2026-03-03T10:00:00+00:00"


def test_mistakes_around_a_day_counted_back_are_said_as_without_it(shop) -> None:  # type: ignore[no-untyped-def]
    for tail, message in ((("--reason",), "Option '--reason' requires an argument; see 'sessionpack --help'"),
                          (("--reasn", "x"), "No such option: --reasn (Possible options: --reason, --yes); see 'sessionpack pause --help'")):
        refused(shop, ("pause", "ana.p1", "2026-03-03", "today", *tail), message)
        refused(shop, ("pause", "ana.p1", "-7d", "today", *tail), message)
