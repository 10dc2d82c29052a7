"""--from / --to: the period words every report shares."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessionpack.errors import InputError
from sessionpack.reports.periods import month_end, parse_day, period

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize("text,expected", [
    ("2026-03-10", date(2026, 3, 10)), ("today", TODAY), ("Tomorrow", date(2026, 3, 3)), ("yesterday", date(2026, 3, 1)),
    ("+7d", date(2026, 3, 9)), ("-30d", date(2026, 1, 31)), (" +0d ", TODAY),
    ("-2w", date(2026, 2, 16)), ("fri", date(2026, 3, 6)), ("Monday", TODAY), ("next mon", date(2026, 3, 9)),
    ("1900-01-01", date(1900, 1, 1)), ("2999-12-31", date(2999, 12, 31)),
])
def test_words_and_dates(text: str, expected: date) -> None:
    assert parse_day(text, TODAY, "--from") == expected


@given(st.text(max_size=20))
def test_any_text_is_a_day_or_one_clear_error(text: str) -> None:
    try:
        assert isinstance(parse_day(text, TODAY, "--to"), date)
    except InputError as err:
        assert str(err) in (f"--to {text!r} is not a date: use YYYY-MM-DD, today, tomorrow, yesterday, a weekday (fri), +Nd, -Nd, +Nw or -Nw",
                            f"--to {text.strip()} is out of range: use a date from 1900-01-01 to 2999-12-31")


@given(st.dates())
def test_any_iso_date_is_itself_or_out_of_range(day: date) -> None:
    try:
        assert parse_day(day.isoformat(), TODAY, "--from") == day
        assert date(1900, 1, 1) <= day <= date(2999, 12, 31)
    except InputError as err:
        assert str(err) == f"--from {day.isoformat()} is out of range: use a date from 1900-01-01 to 2999-12-31"
        assert not date(1900, 1, 1) <= day <= date(2999, 12, 31)


def test_defaults_and_order() -> None:
    assert period(None, None, TODAY, TODAY, date(2026, 3, 9)).text() == "2026-03-02 to 2026-03-09"
    with pytest.raises(InputError, match="--to 2026-03-01 is before --from 2026-03-02"):
        period("today", "yesterday", TODAY, TODAY, TODAY)
    assert month_end(date(2028, 2, 10)) == date(2028, 2, 29)
