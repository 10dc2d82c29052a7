"""Expiry arithmetic (rule 2 of docs/rules.md): calendar months, whole local days, DST."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessionpack.domain.expiry import (
    NO_EXPIRY,
    ExpiryRule,
    add_period,
    expiry_date,
    expiry_instant,
    is_expired,
    local_date,
    parse_expiry_option,
    valid_through,
)
from sessionpack.errors import InputError

LISBON = ZoneInfo("Europe/Lisbon")
NEW_YORK = ZoneInfo("America/New_York")
AUCKLAND = ZoneInfo("Pacific/Auckland")
HONOLULU = ZoneInfo("Pacific/Honolulu")
SANTIAGO = ZoneInfo("America/Santiago")
HAVANA = ZoneInfo("America/Havana")
UTC = timezone.utc


@pytest.mark.parametrize(
    "start, amount, unit, expected",
    [
        (date(2026, 1, 31), 1, "months", date(2026, 2, 28)),
        (date(2028, 1, 31), 1, "months", date(2028, 2, 29)),  # leap year
        (date(2026, 4, 30), 1, "months", date(2026, 5, 30)),
        (date(2026, 3, 31), 1, "months", date(2026, 4, 30)),
        (date(2026, 1, 31), 2, "months", date(2026, 3, 31)),  # one step, not 28 Mar
        (date(2028, 2, 29), 12, "months", date(2029, 2, 28)),
        (date(2028, 2, 29), 48, "months", date(2032, 2, 29)),
        (date(2026, 11, 30), 3, "months", date(2027, 2, 28)),
        (date(2026, 12, 15), 1, "months", date(2027, 1, 15)),
        (date(2026, 1, 1), 0, "months", date(2026, 1, 1)),
        (date(2026, 1, 31), 1, "weeks", date(2026, 2, 7)),
        (date(2026, 12, 28), 10, "weeks", date(2027, 3, 8)),
        (date(2026, 2, 27), 2, "days", date(2026, 3, 1)),
        (date(2028, 2, 27), 2, "days", date(2028, 2, 29)),
        (date(2026, 3, 28), 1, "days", date(2026, 3, 29)),  # DST day in Lisbon is still one day
        (date(2026, 12, 31), 1, "days", date(2027, 1, 1)),
    ],
)
def test_add_period(start: date, amount: int, unit: str, expected: date) -> None:
    assert add_period(start, amount, unit) == expected


def test_add_period_refuses_bad_unit_datetime_and_overflow() -> None:
    with pytest.raises(ValueError, match="unit must be one of days, weeks, months, not 'years'"):
        add_period(date(2026, 1, 1), 1, "years")
    with pytest.raises(TypeError):
        add_period(datetime(2026, 1, 1, tzinfo=UTC), 1, "days")
    with pytest.raises(InputError) as err:
        add_period(date(9999, 12, 1), 1, "months")
    assert str(err.value) == "9999-12-01 + 1 month is past the year 9999; use a shorter period"


@given(
    start=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    months=st.integers(min_value=0, max_value=600),
)
def test_add_months_keeps_day_clamped_to_month_length(start: date, months: int) -> None:
    result = add_period(start, months, "months")
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    assert (result.year, result.month) == (year, month + 1)
    assert result.day == min(start.day, calendar.monthrange(year, month + 1)[1])


@given(
    start=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    amount=st.integers(min_value=0, max_value=5000),
)
def test_add_days_and_weeks_are_calendar_days(start: date, amount: int) -> None:
    assert (add_period(start, amount, "days") - start).days == amount
    assert (add_period(start, amount, "weeks") - start).days == 7 * amount


@pytest.mark.parametrize(
    "rule, sale, first_use, expected",
    [
        (NO_EXPIRY, date(2026, 1, 31), None, None),
        (NO_EXPIRY, date(2026, 1, 31), date(2026, 2, 3), None),
        (ExpiryRule("from-purchase", 1, "months"), date(2026, 1, 31), None, date(2026, 2, 28)),
        (ExpiryRule("from-purchase", 1, "months"), date(2026, 1, 31), date(2026, 3, 5), date(2026, 2, 28)),
        (ExpiryRule("from-purchase", 10, "weeks"), date(2026, 1, 1), None, date(2026, 3, 12)),
        (ExpiryRule("from-first-use", 2, "months"), date(2026, 1, 10), None, None),
        (ExpiryRule("from-first-use", 2, "months"), date(2026, 1, 10), date(2026, 12, 31), date(2027, 2, 28)),
        (ExpiryRule("from-first-use", 1, "weeks"), date(2026, 1, 10), date(2026, 1, 12), date(2026, 1, 19)),
        (ExpiryRule("fixed", on=date(2027, 6, 30)), date(2026, 1, 10), None, date(2027, 6, 30)),
    ],
)
def test_expiry_date(rule: ExpiryRule, sale: date, first_use: date | None, expected: date | None) -> None:
    assert expiry_date(rule, sale, first_use) == expected


def test_valid_through_uses_the_sale_date_in_the_practice_zone() -> None:
    rule = ExpiryRule("from-purchase", 1, "months")
    # 31 Jan 23:30 in Honolulu is already 1 Feb in UTC.
    sold = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
    assert valid_through(rule, sold, None, HONOLULU) == date(2026, 2, 28)
    assert valid_through(rule, sold, None, UTC) == date(2026, 3, 1)
    first_use = ExpiryRule("from-first-use", 1, "months")
    assert valid_through(first_use, sold, datetime(2026, 3, 31, 23, 0, tzinfo=UTC), AUCKLAND) == date(2026, 5, 1)
    assert valid_through(first_use, sold, None, AUCKLAND) is None


def test_expiry_date_refuses_datetimes() -> None:
    with pytest.raises(TypeError):
        expiry_date(NO_EXPIRY, datetime(2026, 1, 1, tzinfo=UTC), None)


@pytest.mark.parametrize(
    "expiry, tz, instant",
    [
        (date(2026, 2, 28), LISBON, "2026-03-01T00:00:00+00:00"),
        (date(2026, 7, 31), LISBON, "2026-08-01T00:00:00+01:00"),
        (date(2026, 3, 28), LISBON, "2026-03-29T00:00:00+00:00"),
        (date(2026, 3, 29), LISBON, "2026-03-30T00:00:00+01:00"),
        (date(2026, 10, 25), LISBON, "2026-10-26T00:00:00+00:00"),
        (date(2026, 3, 8), NEW_YORK, "2026-03-09T00:00:00-04:00"),
        (date(2026, 11, 1), NEW_YORK, "2026-11-02T00:00:00-05:00"),
        (date(2026, 1, 31), AUCKLAND, "2026-02-01T00:00:00+13:00"),
        (date(2026, 1, 31), HONOLULU, "2026-02-01T00:00:00-10:00"),
        # Santiago springs forward at midnight: 6 Sep 2026 starts at 01:00.
        (date(2026, 9, 5), SANTIAGO, "2026-09-06T01:00:00-03:00"),
        # Santiago falls back at midnight: 23:00-23:59 on 4 Apr happen twice.
        (date(2026, 4, 4), SANTIAGO, "2026-04-05T00:00:00-04:00"),
        # Havana falls back to 00:00: the first 00:00 starts 1 Nov.
        (date(2026, 10, 31), HAVANA, "2026-11-01T00:00:00-04:00"),
    ],
)
def test_expiry_instant(expiry: date, tz: ZoneInfo, instant: str) -> None:
    result = expiry_instant(expiry, tz)
    assert result.isoformat() == instant
    # Arithmetic on aware datetimes sharing a tzinfo is wall-clock: use UTC.
    assert result.astimezone(UTC) == datetime.fromisoformat(instant).astimezone(UTC)
    just_before = result.astimezone(UTC) - timedelta(microseconds=1)
    assert not is_expired(expiry, just_before, tz)
    assert is_expired(expiry, result, tz)


@pytest.mark.parametrize(
    "expiry, tz, hours",
    [
        (date(2026, 3, 29), LISBON, 23),
        (date(2026, 10, 25), LISBON, 25),
        (date(2026, 3, 8), NEW_YORK, 23),
        (date(2026, 11, 1), NEW_YORK, 25),
        (date(2026, 6, 1), NEW_YORK, 24),
    ],
)
def test_dst_days_are_whole_local_days(expiry: date, tz: ZoneInfo, hours: int) -> None:
    length = expiry_instant(expiry, tz).astimezone(UTC) - expiry_instant(expiry - timedelta(days=1), tz).astimezone(UTC)
    assert length == timedelta(hours=hours)


@pytest.mark.parametrize(
    "expiry, at, tz, expired",
    [
        # The rule's example: judged in Lisbon time, 23:30 on 28 Feb.
        (date(2026, 2, 28), "2026-03-01T00:30+01:00", LISBON, False),
        (date(2026, 2, 28), "2026-03-01T00:00+00:00", LISBON, True),
        (date(2026, 2, 28), "2026-02-28T23:59:59.999999+00:00", LISBON, False),
        # Auckland is UTC+13 in January: its 31 Jan ends at 11:00 UTC.
        (date(2026, 1, 31), "2026-01-31T10:59:59+00:00", AUCKLAND, False),
        (date(2026, 1, 31), "2026-01-31T11:00:00+00:00", AUCKLAND, True),
        (date(2026, 1, 31), "2026-01-31T23:59+13:00", AUCKLAND, False),
        (date(2026, 1, 31), "2026-02-01T00:00+13:00", AUCKLAND, True),
        # Honolulu is UTC-10: its 31 Jan lasts until 10:00 UTC on 1 Feb.
        (date(2026, 1, 31), "2026-02-01T09:59:59+00:00", HONOLULU, False),
        (date(2026, 1, 31), "2026-02-01T10:00:00+00:00", HONOLULU, True),
        (date(2026, 1, 31), "2026-01-31T23:59-10:00", HONOLULU, False),
        (date(2026, 1, 31), "2026-02-01T00:00-10:00", HONOLULU, True),
        # DST days in New York: valid through the end of the (short/long) day.
        (date(2026, 3, 8), "2026-03-09T03:59+00:00", NEW_YORK, False),
        (date(2026, 3, 8), "2026-03-09T04:00+00:00", NEW_YORK, True),
        (date(2026, 11, 1), "2026-11-02T04:59+00:00", NEW_YORK, False),
        (date(2026, 11, 1), "2026-11-02T05:00+00:00", NEW_YORK, True),
        (None, "2999-01-01T00:00+00:00", LISBON, False),
    ],
)
def test_is_expired(expiry: date | None, at: str, tz: ZoneInfo, expired: bool) -> None:
    assert is_expired(expiry, datetime.fromisoformat(at), tz) is expired


@given(
    at=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)),
    offset_days=st.integers(min_value=-3, max_value=3),
    tz=st.sampled_from([LISBON, NEW_YORK, AUCKLAND, HONOLULU, SANTIAGO, HAVANA]),
)
def test_is_expired_agrees_with_expiry_instant(at: datetime, offset_days: int, tz: ZoneInfo) -> None:
    expiry = local_date(at, tz) + timedelta(days=offset_days)
    assert is_expired(expiry, at, tz) == (at >= expiry_instant(expiry, tz))


def test_local_date() -> None:
    assert local_date(datetime(2026, 1, 31, 11, 0, tzinfo=UTC), AUCKLAND) == date(2026, 2, 1)
    assert local_date(datetime(2026, 2, 1, 9, 0, tzinfo=UTC), HONOLULU) == date(2026, 1, 31)
    with pytest.raises(ValueError, match="naive datetime 2026-01-01T00:00:00"):
        local_date(datetime(2026, 1, 1), LISBON)


@pytest.mark.parametrize(
    "text, rule, canonical",
    [
        ("none", NO_EXPIRY, "none"),
        ("  None ", NO_EXPIRY, "none"),
        ("never", NO_EXPIRY, "none"),
        ("3 months", ExpiryRule("from-purchase", 3, "months"), "3 months from purchase"),
        ("1 month", ExpiryRule("from-purchase", 1, "months"), "1 month from purchase"),
        ("10 weeks from purchase", ExpiryRule("from-purchase", 10, "weeks"), "10 weeks from purchase"),
        ("2 months from first use", ExpiryRule("from-first-use", 2, "months"), "2 months from first use"),
        ("2 Months  From  First-Use", ExpiryRule("from-first-use", 2, "months"), "2 months from first use"),
        ("1 day from first use", ExpiryRule("from-first-use", 1, "days"), "1 day from first use"),
        ("30 days after purchase", ExpiryRule("from-purchase", 30, "days"), "30 days from purchase"),
        ("on 2027-06-30", ExpiryRule("fixed", on=date(2027, 6, 30)), "on 2027-06-30"),
        ("2027-06-30", ExpiryRule("fixed", on=date(2027, 6, 30)), "on 2027-06-30"),
        (date(2027, 6, 30), ExpiryRule("fixed", on=date(2027, 6, 30)), "on 2027-06-30"),
    ],
)
def test_parse_expiry_option(text: object, rule: ExpiryRule, canonical: str) -> None:
    assert parse_expiry_option(text) == rule
    assert rule.text() == canonical
    assert parse_expiry_option(canonical) == rule


HINT = "write 'none', 'N days|weeks|months' (from purchase), 'N months from first use' or 'on YYYY-MM-DD'"


@pytest.mark.parametrize(
    "text, message",
    [
        ("0 months", "expiry '0 months' has a period of 0; use at least 1 (e.g. '1 month') or 'none' for no expiry"),
        ("3 fortnights", "expiry unit 'fortnights' is not known: use days, weeks, months or years"),
        ("soon", f"expiry 'soon' is not understood; {HINT}"),
        ("3 months from Tuesday", f"expiry '3 months from Tuesday' is not understood; {HINT}"),
        ("-1 months", f"expiry '-1 months' is not understood; {HINT}"),
        ("on 2027-02-30", "expiry date '2027-02-30' is not a real date; use YYYY-MM-DD"),
        ("10000 days", "expiry period 10000 days is too long; use at most 9999 days"),
        ("9999 years", "expiry period 9999 years is too long; use at most 833 years"),
        ("834 years from first use", "expiry period 834 years is too long; use at most 833 years"),
        (3, f"expiry is a number; {HINT} (a date alone, YYYY-MM-DD, is a fixed expiry date)"),
        (True, f"expiry is true or false; {HINT} (a date alone, YYYY-MM-DD, is a fixed expiry date)"),
        (datetime(2026, 12, 31, 10), f"expiry is a date-time; {HINT} (a date alone, YYYY-MM-DD, is a fixed expiry date)"),
    ],
)
def test_parse_expiry_option_refuses(text: object, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_expiry_option(text)
    assert str(err.value) == message


@pytest.mark.parametrize(
    "rule, words",
    [
        (NO_EXPIRY, "no expiry"),
        (ExpiryRule("from-purchase", 1, "months"), "valid 1 month from purchase"),
        (ExpiryRule("from-first-use", 2, "months"), "valid 2 months from first use"),
        (ExpiryRule("fixed", on=date(2027, 6, 30)), "valid through 2027-06-30"),
    ],
)
def test_describe_rule(rule: ExpiryRule, words: str) -> None:
    assert rule.describe() == words


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "sometime"},
        {"kind": "from-purchase", "amount": 0, "unit": "months"},
        {"kind": "from-purchase", "amount": 1, "unit": "years"},
        {"kind": "fixed"},
        {"kind": "none", "on": date(2026, 1, 1)},
    ],
)
def test_rule_invariants(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        ExpiryRule(**kwargs)
