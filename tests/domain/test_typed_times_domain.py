"""How times and dates are typed: to the minute, days counted back, report
periods from one bound, and what to do about a series in a DST change."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from sessionpack.domain.bookings import repeat_starts
from sessionpack.domain.datetimes import dash_day, parse_datetime
from sessionpack.errors import InputError
from sessionpack.reports.periods import month_end, month_start, period_around

LISBON = ZoneInfo("Europe/Lisbon")
TODAY = date(2026, 3, 2)  # a Monday


# -- a session starts on a minute ------------------------------------------------------------

@pytest.mark.parametrize("text", ["2026-03-20T10:00:30", "2026-03-21T10.5", "2026-03-20T10:00:00,5",
                                  "2026-03-20T10:00:00.000001", "2026-03-20T10:00+01:00:30"])
def test_a_when_with_seconds_or_a_fraction_is_refused(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_datetime(text, "WHEN", LISBON)
    assert str(caught.value) == f"WHEN must be to the minute, like 2026-12-01T10:00 (no seconds), not {text!r}"


@pytest.mark.parametrize("text", ["2026-03-20T10:00", "2026-03-20T10:00:00", "2026-03-20T10:00:00.000", "2026-03-20T10"])
def test_a_whole_minute_is_that_minute(text: str) -> None:
    assert parse_datetime(text, "WHEN", LISBON) == datetime(2026, 3, 20, 10, 0, tzinfo=LISBON)


def test_the_clock_keeps_its_seconds() -> None:
    now = parse_datetime("2026-03-20T10:00:30.5", "--now", LISBON, date_alone=True, seconds=True)
    assert (now.second, now.microsecond) == (30, 500000)


# -- a day counted back is a date, not an option -------------------------------------------

@pytest.mark.parametrize("text", ["-7d", "-2w", "-1d 10:00", "-7D", "-0d", "-9999w"])
def test_days_counted_back(text: str) -> None:
    assert dash_day(text)


@pytest.mark.parametrize("text", ["-7", "-d", "--7d", "-h", "-y", "--from", "+3d", "7d", "-7d x", "-1d 10", "-1d 10:00 x", " -7d", ""])
def test_not_days_counted_back(text: str) -> None:
    assert not dash_day(text)


# -- a series across a DST change: advice that can be followed -------------------------------

def test_a_series_in_the_repeated_hour_says_how_to_book_around_it() -> None:
    with pytest.raises(InputError) as caught:
        repeat_starts(datetime(2026, 10, 18, 1, 30, tzinfo=LISBON), "weekly", 3, None, LISBON)
    assert str(caught.value) == (
        "session 2 of the series, 2026-10-25T01:30 happens twice in Europe/Lisbon (the clocks go back): book the series "
        "at another time, or in two parts around that day (--count or --until) with that session on its own, given its "
        "offset: 2026-10-25T01:30+01:00 (the first) or 2026-10-25T01:30+00:00 (the second)")


def test_a_series_in_the_skipped_hour_says_how_to_book_around_it() -> None:
    with pytest.raises(InputError) as caught:
        repeat_starts(datetime(2026, 3, 22, 1, 30, tzinfo=LISBON), "weekly", 3, None, LISBON)
    assert str(caught.value) == (
        "session 2 of the series, 2026-03-29T01:30 does not exist in Europe/Lisbon (the clocks go forward): the valid "
        "times on either side are 00:59 and 02:00; book the series at another time, or in two parts around that day "
        "(--count or --until) with that session on its own, at one of those times")


def test_a_typed_time_still_names_its_offsets() -> None:
    with pytest.raises(InputError) as caught:
        parse_datetime("2026-10-25T01:30", "WHEN", LISBON)
    assert str(caught.value) == ("WHEN 2026-10-25T01:30 happens twice in Europe/Lisbon (the clocks go back): give its offset, "
                                 "2026-10-25T01:30+01:00 (the first) or 2026-10-25T01:30+00:00 (the second)")


# -- a report period from one bound --------------------------------------------------------

def week(day: date) -> tuple[date, date]:
    return day, date.fromordinal(day.toordinal() + 7)


def month(day: date) -> tuple[date, date]:
    return month_start(day), month_end(day)


@pytest.mark.parametrize("start,end,around,first,last", [
    (None, None, week, "2026-03-02", "2026-03-09"),
    ("+10d", None, week, "2026-03-12", "2026-03-19"),  # the default --to follows a later --from
    ("2026-03-20", None, week, "2026-03-20", "2026-03-27"),
    ("+3d", None, week, "2026-03-05", "2026-03-12"),
    ("-3d", None, week, "2026-02-27", "2026-03-09"),  # an earlier --from keeps today's default --to
    (None, "-3d", week, "2026-02-27", "2026-02-27"),
    (None, "+14d", week, "2026-03-02", "2026-03-16"),
    ("2026-01-01", None, month, "2026-01-01", "2026-03-31"),
    ("2026-04-10", None, month, "2026-04-10", "2026-04-30"),
    (None, "2026-01-20", month, "2026-01-01", "2026-01-20"),
    (None, "2026-03-20", month, "2026-03-01", "2026-03-20"),
    ("2999-12-30", None, week, "2999-12-30", "2999-12-31"),  # never past the calendar
])
def test_a_bound_given_alone(start: str | None, end: str | None, around, first: str, last: str) -> None:  # type: ignore[no-untyped-def]
    span = period_around(start, end, TODAY, around)
    assert (span.first.isoformat(), span.last.isoformat()) == (first, last)


def test_both_bounds_given_are_still_checked() -> None:
    with pytest.raises(InputError) as caught:
        period_around("+10d", "+2d", TODAY, week)
    assert str(caught.value) == "--to 2026-03-04 is before --from 2026-03-12; give the first and the last day"
