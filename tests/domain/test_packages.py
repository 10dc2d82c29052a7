"""Packages: the catalog form, every term, words, restrictions, CLI text."""

from __future__ import annotations

import copy
import json
import tomllib
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import tomli_w

from sessionpack.domain.expiry import ExpiryRule
from sessionpack.domain.packages import (
    Contents,
    Package,
    Payment,
    Policies,
    Restrictions,
    check_package,
    describe,
    includes_service,
    package_from_mapping,
    package_from_terms,
    parse_date_range,
    parse_dates,
    parse_expiry_option,
    parse_fee_option,
    parse_pool_option,
    parse_service_option,
    parse_time_window,
    parse_weekdays,
    restriction_count,
    restrictions_allow,
)
from sessionpack.domain.services import Service
from sessionpack.errors import FieldError, InputError

LISBON = ZoneInfo("Europe/Lisbon")
SERVICES = {
    "swedish": Service("swedish", "Swedish massage", 60, Decimal("80.00")),
    "thai": Service("thai", "Thai massage", 90, Decimal("110.00"), tax=Decimal("23")),
    "reflexology": Service("reflexology", "Reflexology", 45, Decimal("50.00")),
    "sauna": Service("sauna", "Sauna", 30, Decimal("15.00")),
}

# The five kinds, as a practitioner would write them (also the examples of docs/packages.md).
FIXED = """
name = "Massage sampler"
description = "One Swedish and two Thai massages"
category = "Massage"
order = 1
expiry = "3 months from purchase"

[contents.sessions]
swedish = 1
thai = 2

[payment]
mode = "upfront"
price = "250.00"
tax = "23"

[policies]
no_show = "forfeit"
late_cancel = "forfeit"
"""

COUNT = """
name = "10 sessions"
expiry = "2 months from first use"

[contents]
pool = "count"
amount = 10
services = ["swedish", "reflexology"]

[payment]
mode = "per-session"

[payment.fees]
swedish = "70.00"
reflexology = "45"

[restrictions]
weekdays = ["mon", "wed"]
time_window = "10:00-13:00"
"""

MINUTES = """
name = "3 hours of massage"
visibility = "hidden"
expiry = "10 weeks"

[contents]
pool = "minutes"
amount = 180
services = ["swedish", "thai"]

[payment]
price = 200

[restrictions]
providers = ["Maria"]
"""

MONEY = """
name = "300 EUR credit"
expiry = 2027-06-30

[contents]
pool = "money"
amount = "300.00"
services = "all"

[payment]
price = "270.00"

[policies]
late_cancel_hours = 48
late_cancel = "charge"
charge_percent = 50
expiry_limits = "booking"
"""

UNLIMITED_WEEK = """
name = "Sauna week"
visibility = "not-for-sale"
expiry = "1 week from purchase"

[contents]
pool = "unlimited"
services = ["sauna"]

[payment]
price = "0"

[restrictions]
date_ranges = [[2026-12-01, 2026-12-24]]
dates = [2026-12-31]
"""

EXPECTED = {
    "fixed": Package(
        id="fixed", name="Massage sampler", currency="EUR",
        contents=Contents("fixed", sessions=(("swedish", 1), ("thai", 2))),
        payment=Payment("upfront", price=Decimal("250.00"), tax=Decimal("23")),
        expiry=ExpiryRule("from-purchase", 3, "months"),
        policies=Policies(no_show="forfeit", late_cancel="forfeit"),
        description="One Swedish and two Thai massages", category="Massage", order=1,
    ),
    "count": Package(
        id="count", name="10 sessions", currency="EUR",
        contents=Contents("pool", value="count", amount=10, services=("swedish", "reflexology")),
        payment=Payment("per-session", fees=(("swedish", Decimal("70.00")), ("reflexology", Decimal("45.00")))),
        expiry=ExpiryRule("from-first-use", 2, "months"),
        restrictions=Restrictions(weekdays=("mon", "wed"), time_window=(time(10), time(13))),
    ),
    "minutes": Package(
        id="minutes", name="3 hours of massage", currency="EUR",
        contents=Contents("pool", value="minutes", amount=180, services=("swedish", "thai")),
        payment=Payment("upfront", price=Decimal("200.00")),
        expiry=ExpiryRule("from-purchase", 10, "weeks"),
        restrictions=Restrictions(providers=("Maria",)),
        visibility="hidden",
    ),
    "money": Package(
        id="money", name="300 EUR credit", currency="EUR",
        contents=Contents("pool", value="money", amount=Decimal("300.00"), services="all"),
        payment=Payment("upfront", price=Decimal("270.00")),
        expiry=ExpiryRule("fixed", on=date(2027, 6, 30)),
        policies=Policies(late_cancel_hours=48, late_cancel="charge", charge_percent=Decimal(50),
                          expiry_limits="booking"),
    ),
    "unlimited": Package(
        id="unlimited", name="Sauna week", currency="EUR",
        contents=Contents("pool", value="unlimited", services=("sauna",)),
        payment=Payment("upfront", price=Decimal("0.00")),
        expiry=ExpiryRule("from-purchase", 1, "weeks"),
        restrictions=Restrictions(date_ranges=((date(2026, 12, 1), date(2026, 12, 24)),), dates=(date(2026, 12, 31),)),
        visibility="not-for-sale",
    ),
}
SOURCES = {"fixed": FIXED, "count": COUNT, "minutes": MINUTES, "money": MONEY, "unlimited": UNLIMITED_WEEK}


def load(kind: str) -> Package:
    return package_from_mapping(kind, tomllib.loads(SOURCES[kind]), "EUR", SERVICES)


@pytest.mark.parametrize("kind", list(SOURCES))
def test_each_kind_parses_to_the_expected_package(kind: str) -> None:
    assert load(kind) == EXPECTED[kind]


@pytest.mark.parametrize("kind", list(SOURCES))
def test_each_kind_round_trips(kind: str) -> None:
    package = EXPECTED[kind]
    mapping = package.to_mapping()
    assert package_from_mapping(kind, mapping, "EUR", SERVICES) == package
    text = tomli_w.dumps(mapping)
    assert package_from_mapping(kind, tomllib.loads(text), "EUR", SERVICES) == package
    terms = json.loads(json.dumps(package.terms()))
    assert package_from_terms(terms) == package
    assert terms["id"] == kind and terms["currency"] == "EUR"


def test_round_trip_of_every_optional_term() -> None:
    package = EXPECTED["count"].with_changes(
        restrictions=Restrictions(
            providers=("Maria", "João"), weekdays=("mon", "sat"), time_window=(time(8, 30), time(20)),
            date_ranges=((date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 6, 1), date(2026, 6, 1))),
            dates=(date(2026, 12, 24), date(2026, 12, 31)),
        ),
        policies=Policies(no_show="forfeit", late_cancel_hours=0, late_cancel="forfeit", expiry_limits="booking"),
        status="inactive", visibility="hidden", deleted=True, order=-3, category="Old", description="x",
    )
    text = tomli_w.dumps(package.to_mapping())
    assert package_from_mapping("count", tomllib.loads(text), "EUR", SERVICES) == package
    assert package_from_terms(json.loads(json.dumps(package.terms()))) == package


def test_catalog_form_of_a_money_credit() -> None:
    assert tomli_w.dumps(EXPECTED["money"].to_mapping()) == (
        'name = "300 EUR credit"\n'
        'status = "active"\n'
        'visibility = "listed"\n'
        "expiry = 2027-06-30\n"
        "\n"
        "[contents]\n"
        'pool = "money"\n'
        'amount = "300.00"\n'
        'services = "all"\n'
        "\n"
        "[payment]\n"
        'mode = "upfront"\n'
        'price = "270.00"\n'
        'tax = "0"\n'
        "\n"
        "[policies]\n"
        'no_show = "return"\n'
        "late_cancel_hours = 48\n"
        'late_cancel = "charge"\n'
        'charge_percent = "50"\n'
        'expiry_limits = "booking"\n'
    )


def test_terms_hold_every_term_as_json() -> None:
    assert EXPECTED["unlimited"].terms() == {
        "id": "unlimited",
        "currency": "EUR",
        "name": "Sauna week",
        "description": "",
        "category": "",
        "order": 0,
        "status": "active",
        "visibility": "not-for-sale",
        "deleted": False,
        "expiry": "1 week from purchase",
        "contents": {"pool": "unlimited", "services": ["sauna"]},
        "payment": {"mode": "upfront", "price": "0.00", "tax": "0"},
        "restrictions": {"date_ranges": [["2026-12-01", "2026-12-24"]], "dates": ["2026-12-31"]},
        "policies": {"no_show": "return", "late_cancel_hours": 24, "late_cancel": "return",
                     "expiry_limits": "session"},
    }
    assert EXPECTED["money"].terms()["expiry"] == "2027-06-30"


def test_defaults() -> None:
    package = package_from_mapping(
        "five", {"name": "5 massages", "contents": {"sessions": {"swedish": 5}}, "payment": {"price": "400"}}, "EUR"
    )
    assert package.expiry == ExpiryRule()
    assert package.policies == Policies("return", 24, "return", None, "session")
    assert (package.status, package.visibility, package.deleted, package.order, package.category) == (
        "active", "listed", False, 0, "")
    assert package.payment == Payment("upfront", Decimal("400.00"), Decimal(0), ())


DELETE = object()
BASE = tomllib.loads(COUNT)
FIXED_BASE = tomllib.loads(FIXED)
MONEY_BASE = tomllib.loads(MONEY)
UNKNOWN_X = "unknown service 'x'; add it with 'sessionpack service add x ...' or fix the name"


def patched(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(base)
    for path, value in changes.items():
        *parents, last = path.split(".")
        table = data
        for part in parents:
            table = table.setdefault(part, {})
        if value is DELETE:
            del table[last]
        else:
            table[last] = value
    return data


@pytest.mark.parametrize(
    "base, changes, key, message",
    [
        # top level
        (BASE, {"colour": "red"}, "colour",
         "unknown key; allowed keys are name, description, category, order, status, visibility, deleted, "
         "expiry, contents, payment, restrictions, policies"),
        (BASE, {"name": DELETE}, "", "missing required key 'name'; add name = \"5 massages\""),
        (BASE, {"contents": DELETE}, "", "missing required key 'contents'; add a [contents] table with sessions or pool"),
        (BASE, {"payment": DELETE}, "",
         "missing required key 'payment'; add a [payment] table with price = \"400.00\""),
        (BASE, {"name": "  "}, "name", "name must be non-empty text"),
        (BASE, {"status": "paused"}, "status", "must be one of active, inactive, not 'paused'"),
        (BASE, {"visibility": "secret"}, "visibility", "must be one of listed, hidden, not-for-sale, not 'secret'"),
        (BASE, {"deleted": "yes"}, "deleted", "must be true or false"),
        (BASE, {"order": 1.5}, "order", "must be a whole number from -1000000 to 1000000, not 1.5"),
        (BASE, {"category": 3}, "category", "category must be text"),
        # expiry
        (BASE, {"expiry": "0 months"}, "expiry",
         "expiry '0 months' has a period of 0; use at least 1 (e.g. '1 month') or 'none' for no expiry"),
        (BASE, {"expiry": "1 decade"}, "expiry",
         "expiry unit 'decade' is not known: use days, weeks, months or years"),
        # contents
        (BASE, {"contents.sessions": {"swedish": 1}}, "contents",
         "set either 'sessions' (fixed sessions per service) or 'pool' (count, minutes, money or unlimited), "
         "not both or neither"),
        (BASE, {"contents": {}}, "contents",
         "set either 'sessions' (fixed sessions per service) or 'pool' (count, minutes, money or unlimited), "
         "not both or neither"),
        (BASE, {"contents.size": 3}, "contents.size", "unknown key; allowed keys are sessions, pool, amount, services"),
        (BASE, {"contents.pool": "hours"}, "contents.pool",
         "must be one of count, minutes, money, unlimited, not 'hours'"),
        (BASE, {"contents.amount": 0}, "contents.amount", "must be a whole number from 1 to 100000, not 0"),
        (BASE, {"contents.amount": DELETE}, "contents", "missing 'amount' for the count pool, e.g. amount = 10"),
        (BASE, {"contents.services": []}, "contents.services",
         'list at least one service id, e.g. ["massage", "reflexology"], or write "all"'),
        (BASE, {"contents.services": ["swedish", "x"]}, "contents.services", UNKNOWN_X),
        (BASE, {"contents.services": ["Swedish"]}, "contents.services",
         "service id 'Swedish' is not valid: use lower-case letters, digits and single hyphens "
         "(at most 64 characters), e.g. 'massage-60'"),
        (FIXED_BASE, {"contents.sessions.x": 1}, "contents.sessions.x", UNKNOWN_X),
        (FIXED_BASE, {"contents.sessions.thai": 0}, "contents.sessions.thai",
         'must be a number of sessions from 1 to 100000, or "unlimited", not 0'),
        (FIXED_BASE, {"contents.sessions.thai": "lots"}, "contents.sessions.thai",
         "must be a number of sessions from 1 to 100000, or \"unlimited\", not 'lots'"),
        (FIXED_BASE, {"contents.sessions": {}}, "contents.sessions", "list at least one service, e.g. massage = 5"),
        (FIXED_BASE, {"contents.amount": 5}, "contents.amount",
         "only a pool has this; remove it or use 'pool' instead of 'sessions'"),
        (MONEY_BASE, {"contents.amount": "0"}, "contents.amount",
         "money amount must be more than 0 (it is the credit the client gets)"),
        (MONEY_BASE, {"contents.amount": "10.005"}, "contents.amount",
         "money amount has more than 2 decimal places for EUR: 10.005"),
        (MONEY_BASE, {"contents.pool": "unlimited"}, "contents.amount", "an unlimited pool has no amount; remove it"),
        # payment
        (MONEY_BASE, {"payment.mode": "per-session", "payment.price": DELETE,
                      "payment.fees": {"swedish": "10"}}, "payment.mode",
         'a money pool is paid upfront (its amount is the credit); set mode = "upfront" with a price'),
        (BASE, {"payment.fees.swedish": DELETE}, "payment.fees",
         "no fee for 'swedish'; add swedish = \"70.00\" (its fee per session) under [payment.fees]"),
        (BASE, {"payment.fees.thai": "10"}, "payment.fees.thai",
         "'thai' is not in this package's contents; remove the fee or add the service to the contents"),
        (BASE, {"payment.fees": {}}, "payment.fees", "list at least one service, e.g. massage = \"70.00\""),
        (BASE, {"payment.fees": DELETE}, "payment",
         "missing [payment.fees]: the fee per session for each included service, e.g. massage = \"70.00\""),
        (BASE, {"payment.price": "100"}, "payment.price",
         "a per-session package has no package price or tax (each session is billed at its fee plus the "
         "service's tax); remove it or set mode = \"upfront\""),
        (BASE, {"contents.services": "all"}, "payment.mode",
         "a per-session package needs its services listed, each with a fee: set contents.services to a list "
         "of service ids"),
        (BASE, {"payment.mode": "monthly"}, "payment.mode", "must be one of upfront, per-session, not 'monthly'"),
        (FIXED_BASE, {"payment.price": DELETE}, "payment",
         "missing 'price' (net of tax), e.g. price = \"400.00\"; use \"0\" for a free package"),
        (FIXED_BASE, {"payment.price": "-1"}, "payment.price", "price must not be negative: -1"),
        (FIXED_BASE, {"payment.tax": "120"}, "payment.tax", "tax must be between 0 and 100, not 120"),
        (FIXED_BASE, {"payment.fees": {"thai": "1"}}, "payment.fees",
         'fees are for per-session packages; remove them or set mode = "per-session"'),
        # restrictions
        (BASE, {"restrictions.weekdays": []}, "restrictions.weekdays",
         "list at least one weekday (mon..sun), e.g. mon,wed, or remove the restriction"),
        (BASE, {"restrictions.weekdays": ["mon", "funday"]}, "restrictions.weekdays",
         "weekday 'funday' is not one of mon, tue, wed, thu, fri, sat, sun"),
        (BASE, {"restrictions.time_window": "13:00-10:00"}, "restrictions.time_window",
         "time window '13:00-10:00' must start before it ends (it cannot cross midnight)"),
        (BASE, {"restrictions.time_window": "10h-13h"}, "restrictions.time_window",
         "time window must look like 10:00-13:00, not '10h-13h'"),
        (BASE, {"restrictions.date_ranges": [[date(2026, 12, 24), date(2026, 12, 1)]]}, "restrictions.date_ranges",
         "date range 2026-12-24..2026-12-01 ends before it starts"),
        (BASE, {"restrictions.date_ranges": []}, "restrictions.date_ranges",
         "list at least one [from, to] pair, e.g. [[2026-12-01, 2026-12-24]], or remove the restriction"),
        (BASE, {"restrictions.dates": ["soon"]}, "restrictions.dates", "date must be a date like 2026-12-01, not 'soon'"),
        (BASE, {"restrictions.providers": []}, "restrictions.providers",
         "list at least one provider, or remove the restriction"),
        (BASE, {"restrictions.rooms": ["a"]}, "restrictions.rooms",
         "unknown key; allowed keys are providers, weekdays, time_window, date_ranges, dates"),
        # policies
        (BASE, {"policies.no_show": "charge"}, "policies.no_show", "must be one of return, forfeit, not 'charge'"),
        (BASE, {"policies.late_cancel_hours": -1}, "policies.late_cancel_hours",
         "must be a whole number from 0 to 8760, not -1"),
        (BASE, {"policies.late_cancel": "charge", "policies.charge_percent": 50}, "policies.late_cancel",
         'charging a percentage works only for money pools; use "return" or "forfeit"'),
        (BASE, {"policies.charge_percent": 50}, "policies.charge_percent",
         'used only with late_cancel = "charge"; remove it or set late_cancel = "charge"'),
        (MONEY_BASE, {"policies.charge_percent": DELETE}, "policies",
         "missing 'charge_percent': the share of the service price a late cancel keeps, e.g. charge_percent = 50"),
        (MONEY_BASE, {"policies.charge_percent": 150}, "policies.charge_percent",
         "charge_percent must be between 0 and 100, not 150"),
        (BASE, {"policies.expiry_limits": "sale"}, "policies.expiry_limits",
         "must be one of session, booking, not 'sale'"),
        (BASE, {"policies.grace": 1}, "policies.grace",
         "unknown key; allowed keys are no_show, late_cancel_hours, late_cancel, charge_percent, expiry_limits"),
    ],
)
def test_invalid_packages_are_refused(base: dict, changes: dict, key: str, message: str) -> None:
    with pytest.raises(FieldError) as err:
        package_from_mapping("p", patched(base, changes), "EUR", SERVICES)
    assert (err.value.key, err.value.message) == (key, message)
    assert str(err.value) == (f"{key}: {message}" if key else message)


def test_unknown_services_pass_without_a_catalog() -> None:
    data = patched(FIXED_BASE, {"contents.sessions.x": 1})
    assert package_from_mapping("p", data, "EUR").contents.sessions[-1] == ("x", 1)


def test_bad_package_id() -> None:
    with pytest.raises(InputError, match="package id 'Bad Id' is not valid"):
        package_from_mapping("Bad Id", BASE, "EUR")


def test_check_package_on_a_package_built_in_code() -> None:
    package = EXPECTED["money"].with_changes(payment=Payment("per-session", fees=(("swedish", Decimal(1)),)))
    with pytest.raises(FieldError) as err:
        check_package(package, SERVICES)
    assert err.value.message.startswith("a money pool is paid upfront")
    assert check_package(EXPECTED["fixed"], SERVICES) is EXPECTED["fixed"]
    with pytest.raises(FieldError) as err:
        check_package(Package("empty", "Empty", "EUR", Contents("fixed")))
    assert str(err.value) == "contents: include at least one service (fixed sessions or a pool)"


@pytest.mark.parametrize(
    "kind, lines",
    [
        ("fixed", [
            "1 × Swedish massage, 2 × Thai massage",
            "price 250.00 EUR + 23% tax, paid upfront",
            "valid 3 months from purchase",
            "sessions must take place by the expiry date",
            "no-show: session forfeited",
            "late cancel (within 24 h): session forfeited",
        ]),
        ("count", [
            "10 sessions of any of: Swedish massage, Reflexology",
            "paid per session: Swedish massage 70.00 EUR, Reflexology 45.00 EUR, plus each service's tax",
            "valid 2 months from first use",
            "sessions must take place by the expiry date",
            "Mondays and Wednesdays 10:00–13:00 only",
            "no-show: session returned",
            "late cancel (within 24 h): session returned",
        ]),
        ("minutes", [
            "180 minutes of any of: Swedish massage, Thai massage",
            "price 200.00 EUR + 0% tax, paid upfront",
            "valid 10 weeks from purchase",
            "sessions must take place by the expiry date",
            "with Maria only",
            "no-show: minutes returned",
            "late cancel (within 24 h): minutes returned",
            "hidden: not listed",
        ]),
        ("money", [
            "300.00 EUR credit for any service",
            "price 270.00 EUR + 0% tax, paid upfront",
            "valid through 2027-06-30",
            "sessions must be booked by the expiry date (they may take place later)",
            "no-show: credit returned",
            "late cancel (within 48 h): 50% of the service price charged",
        ]),
        ("unlimited", [
            "unlimited sessions of Sauna",
            "price 0.00 EUR + 0% tax, paid upfront",
            "valid 1 week from purchase",
            "sessions must take place by the expiry date",
            "on 2026-12-01 to 2026-12-24, 2026-12-31 only",
            "no-show: session returned",
            "late cancel (within 24 h): session returned",
            "not for sale: assign only",
        ]),
    ],
)
def test_describe(kind: str, lines: list[str]) -> None:
    assert describe(EXPECTED[kind], SERVICES) == lines


def test_describe_without_names_and_other_terms() -> None:
    package = EXPECTED["fixed"].with_changes(
        contents=Contents("fixed", sessions=(("swedish", "unlimited"), ("thai", 1))),
        expiry=ExpiryRule(),
        restrictions=Restrictions(providers=("Maria", "João", "Rui"), weekdays=("sat",)),
        policies=Policies(late_cancel_hours=0),
        status="inactive", deleted=True,
    )
    assert describe(package) == [
        "unlimited swedish, 1 × thai",
        "price 250.00 EUR + 23% tax, paid upfront",
        "no expiry",
        "Saturdays only",
        "with Maria, João or Rui only",
        "no-show: session returned",
        "no late-cancel window: a cancel returns what it drew",
        "inactive: not sold now",
        "deleted",
    ]
    one = EXPECTED["count"].with_changes(contents=Contents("pool", value="count", amount=1, services=("thai",)),
                                         payment=Payment("per-session", fees=(("thai", Decimal("60.00")),)),
                                         restrictions=Restrictions(time_window=(time(9), time(12, 30))))
    assert describe(one, SERVICES)[0] == "1 session of Thai massage"
    assert describe(one, SERVICES)[4] == "09:00–12:30 only"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LISBON)


@pytest.mark.parametrize(
    "kind, start, minutes, provider, reason",
    [
        ("count", "2026-12-07T10:00", 60, None, None),  # a Monday
        ("count", "2026-12-09T12:00", 60, None, None),  # Wednesday, ends exactly at 13:00
        ("count", "2026-12-08T10:00", 60, None, "only on Mondays and Wednesdays"),
        ("count", "2026-12-07T09:59", 60, None, "only between 10:00 and 13:00"),
        ("count", "2026-12-07T12:30", 45, None, "only between 10:00 and 13:00"),  # does not fit
        ("count", "2026-12-07T13:00", 30, None, "only between 10:00 and 13:00"),
        ("minutes", "2026-12-08T10:00", 60, "Maria", None),
        ("minutes", "2026-12-08T10:00", 60, "maria", None),
        ("minutes", "2026-12-08T10:00", 60, "Rui", "only with provider Maria"),
        ("minutes", "2026-12-08T10:00", 60, None, "only with provider Maria"),
        ("unlimited", "2026-12-01T08:00", 30, None, None),
        ("unlimited", "2026-12-24T23:00", 30, None, None),
        ("unlimited", "2026-12-31T20:00", 30, None, None),
        ("unlimited", "2026-12-25T10:00", 30, None, "only on listed dates"),
        ("unlimited", "2026-11-30T23:59", 30, None, "only on listed dates"),
        ("money", "2031-01-01T03:00", 600, None, None),
    ],
)
def test_restrictions_allow(kind: str, start: str, minutes: int, provider: str | None, reason: str | None) -> None:
    assert restrictions_allow(EXPECTED[kind], at(start), minutes, provider) == reason


def test_restrictions_allow_reads_the_practice_zone_and_real_durations() -> None:
    package = EXPECTED["count"]
    # 09:30 UTC on a Monday in summer is 10:30 in Lisbon.
    utc_start = datetime(2026, 6, 1, 9, 30, tzinfo=ZoneInfo("UTC"))
    assert restrictions_allow(package, utc_start, 60, None) == "only between 10:00 and 13:00"
    assert restrictions_allow(package, utc_start, 60, None, tz=LISBON) is None
    late = package.with_changes(restrictions=Restrictions(time_window=(time(0, 30), time(3, 0))))
    # 29 Mar 2026: Lisbon jumps 01:00 -> 02:00, so 00:30 + 120 min ends at 03:30.
    assert restrictions_allow(late, at("2026-03-29T00:30"), 120, None) == "only between 00:30 and 03:00"
    assert restrictions_allow(late, at("2026-03-29T00:30"), 60, None) is None
    with pytest.raises(ValueError):
        restrictions_allow(package, datetime(2026, 6, 1, 10), 60, None)


def test_restriction_count_and_includes_service() -> None:
    counts = {kind: restriction_count(package) for kind, package in EXPECTED.items()}
    assert counts == {"fixed": 1, "count": 3, "minutes": 2, "money": 0, "unlimited": 2}
    assert includes_service(EXPECTED["fixed"], "thai")
    assert not includes_service(EXPECTED["fixed"], "sauna")
    assert includes_service(EXPECTED["money"], "anything")
    assert not includes_service(EXPECTED["count"], "thai")


@pytest.mark.parametrize(
    "parse, text, expected",
    [
        (parse_service_option, "massage=5", ("massage", 5)),
        (parse_service_option, " thai = unlimited ", ("thai", "unlimited")),
        (parse_service_option, "thai=Unlimited", ("thai", "unlimited")),
        (lambda t: parse_pool_option(t, "EUR"), "count=10", ("count", 10)),
        (lambda t: parse_pool_option(t, "EUR"), "minutes=180", ("minutes", 180)),
        (lambda t: parse_pool_option(t, "EUR"), "money=300", ("money", Decimal("300.00"))),
        (lambda t: parse_pool_option(t, "JPY"), "money=3000", ("money", Decimal("3000"))),
        (lambda t: parse_pool_option(t, "EUR"), "unlimited", ("unlimited", None)),
        (lambda t: parse_fee_option(t, "EUR"), "massage=70", ("massage", Decimal("70.00"))),
        (parse_expiry_option, "2 months from first use", ExpiryRule("from-first-use", 2, "months")),
        (parse_expiry_option, "on 2027-06-30", ExpiryRule("fixed", on=date(2027, 6, 30))),
        (parse_weekdays, "mon,wed", ("mon", "wed")),
        (parse_weekdays, "Friday, mon ,mon", ("mon", "fri")),
        (parse_weekdays, "mon-fri", ("mon", "tue", "wed", "thu", "fri")),
        (parse_weekdays, "sat-mon", ("mon", "sat", "sun")),
        (parse_time_window, "10:00-13:00", (time(10), time(13))),
        (parse_time_window, "9:30 – 17:45", (time(9, 30), time(17, 45))),
        (parse_date_range, "2026-12-01..2026-12-24", (date(2026, 12, 1), date(2026, 12, 24))),
        (parse_date_range, "2026-12-01..2026-12-01", (date(2026, 12, 1), date(2026, 12, 1))),
        (parse_dates, "2026-12-08,2026-12-01,2026-12-08", (date(2026, 12, 1), date(2026, 12, 8))),
    ],
)
def test_cli_parsers(parse: Any, text: str, expected: Any) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "parse, text, message",
    [
        (parse_service_option, "massage", "--service must look like SERVICE=N or SERVICE=unlimited, e.g. massage=5, "
                                          "not 'massage'"),
        (parse_service_option, "massage=0", "--service 'massage=0': the number of sessions must be 1 to 100000 "
                                            "or 'unlimited', e.g. massage=5"),
        (parse_service_option, "Massage=5", "service id 'Massage' is not valid: use lower-case letters, digits and "
                                            "single hyphens (at most 64 characters), e.g. 'massage-60'"),
        (lambda t: parse_pool_option(t, "EUR"), "hours=3",
         "--pool must be one of count=10, minutes=180, money=300 or unlimited, not 'hours=3'"),
        (lambda t: parse_pool_option(t, "EUR"), "unlimited=5",
         "--pool must be one of count=10, minutes=180, money=300 or unlimited, not 'unlimited=5'"),
        (lambda t: parse_pool_option(t, "EUR"), "count=0", "must be a whole number from 1 to 100000, not 0"),
        (lambda t: parse_pool_option(t, "EUR"), "money=0",
         "money amount must be more than 0 (it is the credit the client gets)"),
        (lambda t: parse_pool_option(t, "EUR"), "money=abc", "money amount must be an amount like 90 or 90.50, "
                                                             "not 'abc'"),
        (lambda t: parse_fee_option(t, "EUR"), "massage", "--fee must look like SERVICE=AMOUNT, e.g. massage=70, "
                                                          "not 'massage'"),
        (lambda t: parse_fee_option(t, "EUR"), "massage=7.123", "fee for massage has more than 2 decimal places "
                                                                "for EUR: 7.123"),
        (parse_weekdays, "", "list at least one weekday (mon..sun), e.g. mon,wed, or remove the restriction"),
        (parse_weekdays, "mon,xyz", "weekday 'xyz' is not one of mon, tue, wed, thu, fri, sat, sun"),
        (parse_weekdays, "mon-wed-fri", "weekday range 'mon-wed-fri' must look like mon-fri"),
        (parse_time_window, "10:00", "time window must look like 10:00-13:00, not '10:00'"),
        (parse_time_window, "10:00-24:00", "time window must look like 10:00-13:00, not '10:00-24:00'"),
        (parse_time_window, "10:00-10:00", "time window '10:00-10:00' must start before it ends "
                                           "(it cannot cross midnight)"),
        (parse_date_range, "2026-12-01", "date range must look like 2026-12-01..2026-12-24, not '2026-12-01'"),
        (parse_date_range, "2026-12-24..2026-12-01", "date range 2026-12-24..2026-12-01 ends before it starts"),
        (parse_date_range, "2026-02-30..2026-03-01", "date range end must be a date like 2026-12-01, "
                                                     "not '2026-02-30'"),
        (parse_dates, "2026-12-01,tomorrow", "date must be a date like 2026-12-01, not 'tomorrow'"),
        (parse_dates, " , ", "list at least one date, e.g. 2026-12-01,2026-12-08, or remove the restriction"),
    ],
)
def test_cli_parsers_refuse(parse: Any, text: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse(text)
    assert str(err.value) == message


def test_restrictions_live_in_their_own_module_and_are_re_exported() -> None:
    from sessionpack.domain import packages, restrictions

    for name in ("Restrictions", "restrictions_allow", "parse_weekdays", "parse_time_window", "parse_date_range",
                 "parse_dates", "RESTRICTION_PARSERS", "WEEKDAYS", "WEEKDAY_NAMES"):
        assert getattr(packages, name) is getattr(restrictions, name)
    # The check works on the restrictions alone too.
    alone = Restrictions(weekdays=("mon",))
    assert restrictions_allow(alone, at("2026-12-08T10:00"), 60, None) == "only on Mondays"
    assert restrictions.describe_restrictions(EXPECTED["count"].restrictions) == ["Mondays and Wednesdays 10:00–13:00 only"]
