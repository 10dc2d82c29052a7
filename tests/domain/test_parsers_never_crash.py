"""Every parser of typed or hand-edited input answers with a value or one
clear InputError, never anything else, whatever the text."""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessionpack.domain.adjustments import parse_change
from sessionpack.domain.bookings import repeat_starts
from sessionpack.domain.clients import check_email, check_notes, check_phone, check_tags
from sessionpack.domain.datetimes import ascii_whole, parse_date, parse_datetime
from sessionpack.domain.expiry import parse_expiry_option
from sessionpack.domain.ids import check_slug, parse_booking_id, parse_client_package_id
from sessionpack.domain.money import parse_money, parse_percent
from sessionpack.domain.packages import package_from_mapping, parse_fee_option, parse_pool_option, parse_service_option
from sessionpack.domain.restrictions import parse_date_range, parse_dates, parse_time_window, parse_weekdays
from sessionpack.domain.services import Service, check_duration, check_name, service_from_mapping
from sessionpack.domain.settings import check_currency, check_timezone, settings_from_mapping
from sessionpack.domain.sharing import check_label, check_permissions
from sessionpack.domain.text import check_line, check_reason
from sessionpack.errors import InputError

# Examples per test in the suite; bench/faults.py runs the same tests with many more.
FUZZ = int(os.environ.get("SESSIONPACK_FUZZ_EXAMPLES", "10"))
LISBON = ZoneInfo("Europe/Lisbon")
START = datetime(2026, 12, 1, 10, 0, tzinfo=LISBON)

# Text with the shapes parsers expect, and everything else: other scripts'
# digits, control characters, huge numbers, separators.
PIECES = ["2026-12-01", "T10:00", "10:00-13:00", "+05:00", "-", "+", ".", "..", ",", ":", "=", " ", "e9", "E-5", "NaN",
          "Infinity", "9" * 40, "0", "٣", "９０", "\x1b[2J", "\x00", "\n", "mon", "fri", "every", "2", "weeks", "months",
          "from first use", "on", "unlimited", "count=", "minutes=", "money=", "massage", "%", "1e999999", "0001-01-01",
          "9999-12-31", "T23:59"]
TEXT = st.one_of(st.text(max_size=40), st.lists(st.sampled_from(PIECES), max_size=6).map("".join),
                 st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=5).map("".join))

PARSERS = {
    "slug": lambda t: check_slug(t, "client"),
    "client package id": parse_client_package_id,
    "booking id": parse_booking_id,
    "money EUR": lambda t: parse_money(t, "EUR"),
    "money JPY signed": lambda t: parse_money(t, "JPY", allow_negative=True),
    "percent": parse_percent,
    "sessions change": lambda t: parse_change(t, "sessions", "EUR"),
    "money change": lambda t: parse_change(t, "money", "EUR"),
    "duration": check_duration,
    "expiry": parse_expiry_option,
    "date": lambda t: parse_date(t, "--date"),
    "date-time": lambda t: parse_datetime(t, "WHEN", LISBON),
    "--now": lambda t: parse_datetime(t, "--now", LISBON, date_alone=True),
    "time window": parse_time_window,
    "weekdays": parse_weekdays,
    "date range": parse_date_range,
    "dates": parse_dates,
    "repeat": lambda t: repeat_starts(START, t, 3, None, LISBON),
    "repeat until": lambda t: repeat_starts(START, "every " + t + " days", None, date(2999, 12, 31), LISBON),
    "service option": parse_service_option,
    "pool option": lambda t: parse_pool_option(t, "EUR"),
    "fee option": lambda t: parse_fee_option(t, "EUR"),
    "email": check_email,
    "phone": check_phone,
    "tags": lambda t: check_tags([t]),
    "name": check_name,
    "line": lambda t: check_line(t, "--invoice"),
    "reason": check_reason,
    "notes": check_notes,
    "currency": check_currency,
    "timezone": check_timezone,
    "relationship": check_label,
    "permissions": lambda t: check_permissions([t]),
}


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=10 * FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_a_parser_gives_a_value_or_one_clear_line(name: str, text: str) -> None:
    try:
        PARSERS[name](text)
    except InputError as err:
        message = str(err)
        assert message and "\n" not in message and "\r" not in message


@settings(max_examples=10 * FUZZ, deadline=None)
@given(text=TEXT)
def test_whole_numbers_on_the_command_line_take_ascii_digits_only(text: str) -> None:
    try:
        value = ascii_whole(text)
    except ValueError:
        return
    assert str(abs(value)) in text.replace("+", "").replace("-", "") or value == 0


@pytest.mark.parametrize("digits", ["٣", "９０", "٢٠٢٦-١٢-٠١", "１０:００-１３:００", "۵"])
def test_digits_of_other_scripts_are_refused(digits: str) -> None:
    for parse in (PARSERS["money EUR"], PARSERS["percent"], PARSERS["duration"], PARSERS["sessions change"],
                  PARSERS["date"], PARSERS["date-time"], PARSERS["time window"], PARSERS["expiry"]):
        with pytest.raises(InputError):
            parse(digits)
    with pytest.raises(ValueError):
        ascii_whole(digits)


def test_times_the_clocks_skip_or_repeat() -> None:
    with pytest.raises(InputError, match=r"^WHEN 2026-03-29T01:30 does not exist in Europe/Lisbon \(the clocks go forward\): "
                                         r"the valid times on either side are 00:59 and 02:00$"):
        parse_datetime("2026-03-29T01:30", "WHEN", LISBON)
    with pytest.raises(InputError, match=r"^WHEN 2026-10-25T01:30 happens twice in Europe/Lisbon \(the clocks go back\): give "
                                         r"its offset, 2026-10-25T01:30\+01:00 \(the first\) or 2026-10-25T01:30\+00:00 \(the second\)$"):
        parse_datetime("2026-10-25T01:30", "WHEN", LISBON)
    first = parse_datetime("2026-10-25T01:30+01:00", "WHEN", LISBON)
    second = parse_datetime("2026-10-25T01:30+00:00", "WHEN", LISBON)
    assert second.timestamp() - first.timestamp() == 3600
    new_york = ZoneInfo("America/New_York")
    with pytest.raises(InputError, match="the valid times on either side are 01:59 and 03:00$"):
        parse_datetime("2026-03-08T02:15", "WHEN", new_york)
    # A weekly series that lands in the gap says which session.
    with pytest.raises(InputError, match=r"^session 2 of the series, 2026-03-29T01:30 does not exist"):
        repeat_starts(datetime(2026, 3, 22, 1, 30, tzinfo=LISBON), "weekly", 3, None, LISBON)


@pytest.mark.parametrize("text", ["0001-01-01T00:30+05:00", "9999-12-31T23:59-05:00", "1899-12-31T23:00", "3000-01-01T00:00"])
def test_date_times_out_of_range_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="is out of range: use a date from 1900-01-01 to 2999-12-31$"):
        parse_datetime(text, "WHEN", LISBON)


# -- hand-edited TOML tables --------------------------------------------------------------------

SCALARS = st.one_of(st.text(max_size=12), st.integers(-10**20, 10**20), st.floats(allow_nan=True), st.booleans(),
                    st.dates(), st.sampled_from(["massage", "3 months", "400", "10:00-13:00", "mon", "count", "money"]))
KEYS = st.sampled_from(["name", "duration", "price", "tax", "active", "providers", "contents", "sessions", "pool",
                        "services", "payment", "expiry", "restrictions", "policies", "no_show", "late_cancel",
                        "late_cancel_hours", "practice", "currency", "timezone", "notices", "format", "category",
                        "description", "order", "status", "visibility", "fees", "mode", "weekdays", "time", "massage",
                        "between", "dates", "x"])
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=12)
TABLES = st.dictionaries(KEYS, VALUES, max_size=6)
SERVICES = {"massage": Service("massage", "Massage", 60, parse_money("90", "EUR"))}


@settings(max_examples=20 * FUZZ, deadline=None)
@given(table=TABLES)
def test_catalog_and_settings_tables_give_a_record_or_one_clear_line(table: dict) -> None:
    for build in (lambda: service_from_mapping("massage", table, "EUR"),
                  lambda: package_from_mapping("five", table, "EUR", SERVICES),
                  lambda: settings_from_mapping(table)):
        try:
            build()
        except InputError as err:
            assert str(err) and "\n" not in str(err)


# -- everyday dates ---------------------------------------------------------------------------------

FRIDAY = datetime(2026, 11, 27, 9, 0, tzinfo=LISBON)


@pytest.mark.parametrize("text, expected", [
    ("today", "2026-11-27"), ("tomorrow", "2026-11-28"), ("yesterday", "2026-11-26"), ("fri", "2026-11-27"),
    ("friday", "2026-11-27"), ("next fri", "2026-12-04"), ("Mon", "2026-11-30"), ("+3d", "2026-11-30"),
    ("-2w", "2026-11-13"), ("2026-12-01", "2026-12-01"),
])
def test_everyday_dates_resolve_against_the_clock(text: str, expected: str) -> None:
    assert parse_date(text, "--date", today=FRIDAY.date()).isoformat() == expected


@pytest.mark.parametrize("text, expected", [
    ("fri 10:00", "2026-11-27T10:00:00+00:00"), ("tue 9:30", "2026-12-01T09:30:00+00:00"),
    ("tomorrow 18:00", "2026-11-28T18:00:00+00:00"), ("+1w 10:00", "2026-12-04T10:00:00+00:00"),
    ("2026-12-01 10:00", "2026-12-01T10:00:00+00:00"), ("2026-12-01T10:00", "2026-12-01T10:00:00+00:00"),
])
def test_everyday_date_times_resolve_in_the_practice_zone(text: str, expected: str) -> None:
    assert parse_datetime(text, "WHEN", LISBON, now=FRIDAY).isoformat() == expected


def test_everyday_words_need_a_clock_and_a_time() -> None:
    with pytest.raises(InputError, match=r"^WHEN needs a time of day, e.g. fri 10:00$"):
        parse_datetime("fri", "WHEN", LISBON, now=FRIDAY)
    with pytest.raises(InputError, match=r"^--date must be an ISO date like 2026-12-01, not 'tomorrow'$"):
        parse_date("tomorrow", "--date")  # no clock given: ISO only (catalog files)
    assert parse_expiry_option("1 year") == parse_expiry_option("12 months")
    assert [s.date().isoformat() for s in repeat_starts(START, "fortnightly", 3, None, LISBON)] == ["2026-12-01", "2026-12-15", "2026-12-29"]
