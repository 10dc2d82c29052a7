"""Pure rules: money, percentages, ids, client fields, services, settings.

No files, no CLI: values in, values or exact errors out.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from sessionpack.domain.clients import (
    add_client,
    check_email,
    check_notes,
    check_phone,
    check_tags,
    choose_client_id,
    client_record,
    edit_client,
)
from sessionpack.domain.ids import (
    booking_id,
    check_slug,
    client_package_id,
    parse_booking_id,
    parse_client_package_id,
    slugify,
)
from sessionpack.domain.money import minor_digits, money_text, parse_money, parse_percent, quantize, quantum, tax_on
from sessionpack.domain.services import Service, check_duration, check_name, service_from_mapping
from sessionpack.domain.settings import settings_from_mapping
from sessionpack.errors import FieldError, InputError, RuleError

# ---------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("currency", "digits", "step"),
    [("EUR", 2, "0.01"), ("usd", 2, "0.01"), ("JPY", 0, "1"), ("KRW", 0, "1"), ("KWD", 3, "0.001"), ("BHD", 3, "0.001")],
)
def test_minor_units(currency: str, digits: int, step: str) -> None:
    assert minor_digits(currency) == digits
    assert quantum(currency) == Decimal(step)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2.675", "EUR", "2.68"),  # half up, not banker's rounding
        ("2.665", "EUR", "2.67"),
        ("-2.675", "EUR", "-2.68"),
        ("2.5", "JPY", "3"),
        ("-2.5", "JPY", "-3"),
        ("1.0005", "KWD", "1.001"),
        ("7", "EUR", "7.00"),
    ],
)
def test_quantize(amount: str, currency: str, expected: str) -> None:
    assert money_text(quantize(Decimal(amount), currency)) == expected


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("90", "EUR", "90.00"),
        ("90.5", "EUR", "90.50"),
        ("90.50", "EUR", "90.50"),
        (" 7 ", "EUR", "7.00"),
        (90, "EUR", "90.00"),
        (90.1, "EUR", "90.10"),  # a TOML float, read through its decimal text
        (1e2, "EUR", "100.00"),  # a TOML float in exponent form
        ("0", "EUR", "0.00"),
        ("-0", "EUR", "0.00"),  # never "-0.00"
        ("90.00", "JPY", "90"),  # trailing zeros are not extra decimals
        ("1500", "JPY", "1500"),
        ("1.234", "KWD", "1.234"),
        ("1.2", "KWD", "1.200"),
    ],
)
def test_parse_money(value: object, currency: str, expected: str) -> None:
    amount = parse_money(value, currency, "price")
    assert isinstance(amount, Decimal)
    assert money_text(amount) == expected


@pytest.mark.parametrize(
    ("value", "currency", "message"),
    [
        ("90.123", "EUR", "price has more than 2 decimal places for EUR: 90.123"),
        ("0.005", "EUR", "price has more than 2 decimal places for EUR: 0.005"),
        ("90.1", "JPY", "price has more than 0 decimal places for JPY: 90.1"),
        ("1.2345", "KWD", "price has more than 3 decimal places for KWD: 1.2345"),
        ("-5", "EUR", "price must not be negative: -5"),
        ("abc", "EUR", "price must be an amount like 90 or 90.50, not 'abc'"),
        ("", "EUR", "price must be an amount like 90 or 90.50, not ''"),
        ("90,50", "EUR", "price must be an amount like 90 or 90.50, not '90,50'"),
        ("inf", "EUR", "price must be an amount like 90 or 90.50, not 'inf'"),
        ("NaN", "EUR", "price must be an amount like 90 or 90.50, not 'NaN'"),
        ("sNaN", "EUR", "price must be an amount like 90 or 90.50, not 'sNaN'"),
        (True, "EUR", "price must be an amount like 90 or 90.50, not true"),
        ("1e30", "EUR", "price must be an amount like 90 or 90.50, not '1e30'"),
        ("1_000", "EUR", "price must be an amount like 90 or 90.50, not '1_000'"),
        ("+5", "EUR", "price must be an amount like 90 or 90.50, not '+5'"),
        (".5", "EUR", "price must be an amount like 90 or 90.50, not '.5'"),
        ("5.", "EUR", "price must be an amount like 90 or 90.50, not '5.'"),
        ("\u0665", "EUR", "price must be an amount like 90 or 90.50, not '\u0665'"),
        ("1000000000000", "EUR", "price is too large: 1000000000000; amounts are less than 1000000000000"),
        (10**30, "EUR", "price is too large: " + "1" + "0" * 30 + "; amounts are less than 1000000000000"),
        (1e30, "EUR", "price is too large: 1e+30; amounts are less than 1000000000000"),
    ],
)
def test_parse_money_errors(value: object, currency: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_money(value, currency, "price")
    assert str(caught.value) == message
    assert caught.value.exit_code == 2


def test_parse_money_largest() -> None:
    assert money_text(parse_money("999999999999.99", "EUR")) == "999999999999.99"
    assert money_text(parse_money("-999999999999.999", "KWD", allow_negative=True)) == "-999999999999.999"
    with pytest.raises(InputError, match=r"^amount is too large: -1000000000000; amounts are less than 1000000000000$"):
        parse_money("-1000000000000", "EUR", allow_negative=True)


def test_parse_money_negatives_when_allowed() -> None:
    assert money_text(parse_money("-5", "EUR", "adjustment", allow_negative=True)) == "-5.00"
    assert money_text(parse_money("-0.5", "KWD", allow_negative=True)) == "-0.500"
    with pytest.raises(InputError, match=r"^adjustment has more than 2 decimal places for EUR: -5\.001$"):
        parse_money("-5.001", "EUR", "adjustment", allow_negative=True)
    with pytest.raises(InputError, match=r"^amount must not be negative: -1$"):
        parse_money("-1", "EUR")


def test_tax_on() -> None:
    assert tax_on(Decimal("90.00"), Decimal("23"), "EUR") == Decimal("20.70")
    assert tax_on(Decimal("10.05"), Decimal("6.5"), "EUR") == Decimal("0.65")  # 0.65325
    assert tax_on(Decimal("1000"), Decimal("10"), "JPY") == Decimal("100")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("23", "23"), ("23.0", "23"), ("6.5", "6.5"), ("6.50", "6.5"), ("23%", "23"), (" 13 ", "13"), (0, "0"),
     ("-0", "0"), ("100", "100"), ("1e2", "100"), (23.5, "23.5"), ("0.25", "0.25")],
)
def test_parse_percent(value: object, expected: str) -> None:
    assert money_text(parse_percent(value)) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("150", "tax rate must be between 0 and 100, not 150"),
        ("100.01", "tax rate must be between 0 and 100, not 100.01"),
        ("-1", "tax rate must be between 0 and 100, not -1"),
        ("abc", "tax rate must be a percentage like 23 or 6.5, not 'abc'"),
        ("%", "tax rate must be a percentage like 23 or 6.5, not '%'"),
        ("nan", "tax rate must be a percentage like 23 or 6.5, not 'nan'"),
        ("Infinity", "tax rate must be a percentage like 23 or 6.5, not 'Infinity'"),
        (False, "tax rate must be a percentage like 23 or 6.5, not false"),
    ],
)
def test_parse_percent_errors(value: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_percent(value)
    assert str(caught.value) == message


def test_parse_percent_names_what() -> None:
    with pytest.raises(InputError, match=r"^charge_percent must be between 0 and 100, not 101$"):
        parse_percent("101", "charge_percent")


# ---------------------------------------------------------------- ids

SLUG_HELP = "use lower-case letters, digits and single hyphens (at most 64 characters), e.g. 'massage-60'"


@pytest.mark.parametrize("value", ["a", "7", "ana", "massage-60", "a-b-c", "60min", "x" * 64, "a1-b2"])
def test_valid_slugs(value: str) -> None:
    assert check_slug(value, "service") == value


@pytest.mark.parametrize(
    "value",
    ["", "Ana", "-ana", "ana-", "an--a", "an_a", "ana lima", "ana.p1", "../ana", "ana/x", "ãna", "x" * 65,
     "ana\n", "\nana", "ana\x00", " ana", "ana ", "."],
)
def test_invalid_slugs(value: str) -> None:
    with pytest.raises(InputError) as caught:
        check_slug(value, "service")
    assert str(caught.value) == f"service id {value!r} is not valid: {SLUG_HELP}"


@pytest.mark.parametrize("value,message", [
    ("Ana", "client id 'Ana' is not valid: use lower-case letters, digits and single hyphens (at most 64 characters), "
            "e.g. 'ana-lima'"),
    ("ana.p1", "ana.p1 is a client package, not a client; give a client id such as 'ana', or use 'sessionpack history ana.p1'"),
    ("ana-lima.p12", "ana-lima.p12 is a client package, not a client; give a client id such as 'ana-lima', "
                     "or use 'sessionpack history ana-lima.p12'"),
    ("ana.b3", "ana.b3 is a booking, not a client; give a client id such as 'ana' (the booking is in 'sessionpack history ana')"),
    ("ana.p0", "client id 'ana.p0' is not valid: use lower-case letters, digits and single hyphens (at most 64 characters), "
               "e.g. 'ana-lima'"),
    ("an\udce9", "client id is not UTF-8 text (it holds the byte \\xe9); type it again in UTF-8"),
])
def test_a_client_id_that_is_another_kind_of_id_says_so(value: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        check_slug(value, "client")
    assert str(caught.value) == message


def test_slug_that_is_not_text() -> None:
    with pytest.raises(InputError, match=r"^package id None is not valid"):
        check_slug(None, "package")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Ana Lima", "ana-lima"),
        ("  Bruno   Costa  ", "bruno-costa"),
        ("Zoë Ñandú", "zoe-nandu"),
        ("João O'Neill", "joao-o-neill"),
        ("Massage 60'", "massage-60"),
        ("--x--", "x"),
        ("李小龍", ""),
        ("a" * 70, "a" * 64),
        ("a" * 63 + " b", "a" * 63),  # never ends with a hyphen
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_choose_client_id() -> None:
    taken = {"ana-lima", "ana-lima-2"}
    assert choose_client_id("Bruno Costa", taken.__contains__) == "bruno-costa"
    assert choose_client_id("Ana Lima", taken.__contains__) == "ana-lima-3"
    assert choose_client_id("李小龍", taken.__contains__) == "client"
    assert choose_client_id("李", {"client"}.__contains__) == "client-2"
    long = choose_client_id("a" * 59 + " bcd", lambda _: False)
    assert long == "a" * 59
    assert check_slug(long, "client") == long
    many = {"b" * 60} | {f"{'b' * 60}-{n}" for n in range(2, 120)}
    assert choose_client_id("b" * 80, many.__contains__) == "b" * 60 + "-120"


def test_client_package_and_booking_ids() -> None:
    assert client_package_id("ana", 3) == "ana.p3"
    assert booking_id("ana-lima", 12) == "ana-lima.b12"
    assert parse_client_package_id("ana-lima.p12") == ("ana-lima", 12)
    assert parse_booking_id("ana.b3") == ("ana", 3)
    for bad in ("ana.p0", "ana.p", "ana.b1", "Ana.p1", "ana.p1\n", "ana.p01", "../ana.p1", ""):
        with pytest.raises(InputError) as caught:
            parse_client_package_id(bad)
        assert str(caught.value) == f"client package id {bad!r} is not valid: it looks like 'ana.p1' (see 'sessionpack balance CLIENT')"
    for bad in ("ana.b0", "ana.p1", "ana.b1\n"):
        with pytest.raises(InputError) as caught:
            parse_booking_id(bad)
        assert str(caught.value) == f"booking id {bad!r} is not valid: it looks like 'ana.b3' (see 'sessionpack history CLIENT')"


# ---------------------------------------------------------------- client fields


@pytest.mark.parametrize("value", ["ana@example.com", "a.b+c@mail.example.pt", " ana@example.com ", ""])
def test_valid_emails(value: str) -> None:
    assert check_email(value) == value.strip()


@pytest.mark.parametrize("value", ["ana", "ana@", "@example.com", "ana@example", "ana lima@example.com", "a@b@c.com"])
def test_invalid_emails(value: str) -> None:
    with pytest.raises(InputError) as caught:
        check_email(value)
    assert str(caught.value) == f"email {value!r} is not an address like ana@example.com"


@pytest.mark.parametrize("value", ["+351 912 345 678", "912345678", "(11) 5555-1234", "0044.20.7946.0958", ""])
def test_valid_phones(value: str) -> None:
    assert check_phone(value) == value


@pytest.mark.parametrize("value", ["abc", "1234", "+1-2-3-4", "((((((", "912 345 678 ext", "+" + "1" * 31])
def test_invalid_phones(value: str) -> None:
    with pytest.raises(InputError) as caught:
        check_phone(value)
    assert str(caught.value) == f"phone {value!r} is not a phone number like +351 912 345 678"


def test_tags() -> None:
    assert check_tags(["vip", "runner,Knee_2", " vip ", ","]) == ["Knee_2", "runner", "vip"]
    assert check_tags([]) == []
    assert check_tags(["a" * 40]) == ["a" * 40]
    for bad in ("v i p", "-vip", "_x", "a" * 41, "caf\u00e9", "a.b"):
        with pytest.raises(InputError) as caught:
            check_tags([bad])
        assert str(caught.value) == f"tag {bad!r} is not valid: use letters, digits, '-' and '_' (at most 40)"


def test_notes() -> None:
    assert check_notes("  left knee\nsecond line ") == "left knee\nsecond line"
    assert check_notes("a\ttab\r\nline") == "a\ttab\r\nline"
    with pytest.raises(InputError, match=r"^notes must be text of at most 2000 characters$"):
        check_notes("x" * 2001)
    for bad, shown in (("nul\x00", "\\x00"), ("red\x1b[31m", "\\x1b"), ("csi\x9b2J", "\\x9b"), ("del\x7f", "\\x7f")):
        with pytest.raises(InputError, match=rf"^notes must be printable text \(it holds the control character {re.escape(shown)}\); type it again without it$"):
            check_notes(bad)


def test_client_record_and_events() -> None:
    fields = {"name": " Ana Lima ", "email": "ana@example.com", "tags": ["vip,runner"]}
    assert client_record("ana", fields) == {
        "id": "ana", "name": "Ana Lima", "email": "ana@example.com", "phone": "", "notes": "", "tags": ["runner", "vip"],
    }
    event = add_client("ana", fields)
    assert event == {"type": "client-added", "clients": ["ana"], "client": client_record("ana", fields)}
    with pytest.raises(InputError, match=r"^client name must be non-empty text$"):
        client_record("ana", {"name": ""})
    with pytest.raises(InputError, match=r"^client name must be one line of printable text \(it holds the control character \\x0a\); type it again without it$"):
        client_record("ana", {"name": "Ana\nLima"})
    with pytest.raises(InputError, match=r"^client id 'Ana' is not valid"):
        client_record("Ana", {"name": "Ana"})


def test_edit_client() -> None:
    current = {**client_record("ana", {"name": "Ana Lima", "tags": ["vip", "runner"]}), "since": "2026-01-01T00:00:00+00:00", "active": True}
    event = edit_client(current, {"name": None, "email": "ana@example.com", "phone": None, "notes": None}, ["new"], ["runner"])
    assert event == {"type": "client-edited", "clients": ["ana"], "changes": {"email": "ana@example.com", "tags": ["new", "vip"]}}
    with pytest.raises(RuleError) as caught:
        edit_client(current, {"name": "Ana Lima"}, ["vip"], ["absent"])
    assert str(caught.value) == "nothing to change for client ana: give at least one new value"
    assert caught.value.exit_code == 1
    with pytest.raises(InputError, match=r"^phone 'x' is not a phone number like \+351 912 345 678$"):
        edit_client(current, {"phone": "x"})


def test_an_edit_checks_what_it_gives_and_leaves_a_field_as_recorded() -> None:
    # A name an older sessionpack let in (an invisible character) stays as recorded while the email changes;
    # typed again, the same name is refused.
    current = {"id": "ana", "name": "Ana\u200b Lima", "email": "", "phone": "", "notes": "a\u200bb", "tags": ["vip"],
               "since": "2026-01-01T00:00:00+00:00", "active": True}
    event = edit_client(current, {"email": "ana@example.com"}, ["new"])
    assert event["changes"] == {"email": "ana@example.com", "tags": ["new", "vip"]}
    assert edit_client(current, {"name": "Ana Lima"})["changes"] == {"name": "Ana Lima"}
    with pytest.raises(InputError, match="invisible character"):
        edit_client(current, {"name": "Ana\u200b Lima "})


# ---------------------------------------------------------------- services


GOOD = {"name": "Massage 60", "duration": 60, "price": "90"}


def test_service_from_mapping() -> None:
    service = service_from_mapping("massage", {**GOOD, "tax": 23, "providers": ["Rita", "Sol"], "description": "Deep"}, "EUR")
    assert service == Service("massage", "Massage 60", 60, Decimal("90.00"), Decimal("23"), True, ("Rita", "Sol"), "Deep")
    assert service.to_mapping() == {
        "name": "Massage 60", "duration": 60, "price": "90.00", "tax": "23", "active": True,
        "providers": ["Rita", "Sol"], "description": "Deep",
    }
    assert service_from_mapping("massage", service.to_mapping(), "EUR") == service
    minimal = service_from_mapping("massage", GOOD, "JPY")
    assert (minimal.price, minimal.tax, minimal.active, minimal.providers, minimal.description) == (Decimal("90"), Decimal(0), True, (), "")
    assert service_from_mapping("massage", {**GOOD, "providers": "Rita, Sol"}, "EUR").providers == ("Rita", "Sol")
    assert service_from_mapping("massage", {**GOOD, "duration": "45"}, "EUR").duration == 45


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"colour": "red"}, "colour", "unknown key; allowed keys are name, duration, price, tax, active, providers, description, capacity, deleted"),
        ({"name": ""}, "name", "name must be non-empty text"),
        ({"name": 7}, "name", "name must be non-empty text"),
        ({"name": "a\tb"}, "name", "name must be one line of printable text (it holds the control character \\x09); type it again without it"),
        ({"name": "x" * 201}, "name", "name is longer than 200 characters"),
        ({"duration": 0}, "duration", "duration must be between 1 and 1440 minutes, not 0"),
        ({"duration": 1441}, "duration", "duration must be between 1 and 1440 minutes, not 1441"),
        ({"duration": 60.5}, "duration", "duration must be whole minutes, e.g. 60, not 60.5"),
        ({"duration": "an hour"}, "duration", "duration must be whole minutes, e.g. 60, not 'an hour'"),
        ({"duration": True}, "duration", "duration must be whole minutes, e.g. 60, not true"),
        ({"price": "90.123"}, "price", "price has more than 2 decimal places for EUR: 90.123"),
        ({"price": -5}, "price", "price must not be negative: -5"),
        ({"price": "abc"}, "price", "price must be an amount like 90 or 90.50, not 'abc'"),
        ({"tax": 150}, "tax", "tax rate must be between 0 and 100, not 150"),
        ({"tax": "some"}, "tax", "tax rate must be a percentage like 23 or 6.5, not 'some'"),
        ({"active": "yes"}, "active", "must be true or false"),
        ({"description": 5}, "description", "description must be text"),
        ({"providers": 5}, "providers", "providers must be a list of names"),
        ({"providers": ["Rita", ""]}, "providers", "provider must be non-empty text"),
    ],
)
def test_service_from_mapping_errors(changes: dict, key: str, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        service_from_mapping("massage", {**GOOD, **changes}, "EUR")
    assert (caught.value.key, caught.value.message) == (key, message)
    assert str(caught.value) == f"{key}: {message}"
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("missing", ["name", "duration", "price"])
def test_service_from_mapping_missing_keys(missing: str) -> None:
    data = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(FieldError) as caught:
        service_from_mapping("massage", data, "EUR")
    assert (caught.value.key, str(caught.value)) == ("", f"missing required key '{missing}'")


def test_service_from_mapping_bad_id() -> None:
    with pytest.raises(InputError) as caught:
        service_from_mapping("Massage", GOOD, "EUR")
    assert str(caught.value) == f"service id 'Massage' is not valid: {SLUG_HELP}"


def test_check_name_and_duration() -> None:
    assert check_name("  Ana  ", "client name") == "Ana"
    assert check_name("x" * 200) == "x" * 200
    assert check_duration(1) == 1 and check_duration("1440") == 1440


# ---------------------------------------------------------------- settings


SETTINGS = {"format": 1, "practice": {"name": "Studio", "currency": "eur", "timezone": "Europe/Lisbon"}}


def test_settings_from_mapping() -> None:
    settings = settings_from_mapping({**SETTINGS, "policies": {"no_show": "forfeit", "late_cancel_hours": 12}, "notices": {"expiring_days": 3}})
    assert (settings.format, settings.name, settings.currency, settings.timezone) == (1, "Studio", "EUR", "Europe/Lisbon")
    assert dict(settings.policies) == {"no_show": "forfeit", "late_cancel_hours": 12, "late_cancel": "return", "expiry_limits": "session"}
    assert dict(settings.notices) == {"kinds": ["expiring", "low", "used-up", "expired"], "expiring_days": [3], "low_remaining": 1,
                                      "low_minutes": 60, "low_money": "10%", "late_days": 30, "from": "", "reply_to": "",
                                      "how_to_book": "Reply to this email to book your next session."}
    assert (dict(settings.delivery), dict(settings.hooks)) == ({"method": "none"}, {"time_budget": 30})
    assert str(settings.tz) == "Europe/Lisbon"
    assert settings_from_mapping(settings.to_mapping()) == settings


def _practice(**changes: object) -> dict:
    return {**SETTINGS, "practice": {**SETTINGS["practice"], **changes}}


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        ({}, "format", "missing or not a positive whole number (a sessionpack data directory has format = 1)"),
        ({**SETTINGS, "format": "1"}, "format", "missing or not a positive whole number (a sessionpack data directory has format = 1)"),
        ({**SETTINGS, "format": True}, "format", "missing or not a positive whole number (a sessionpack data directory has format = 1)"),
        ({**SETTINGS, "format": 0}, "format", "missing or not a positive whole number (a sessionpack data directory has format = 1)"),
        ({"format": 1}, "practice", "missing [practice] table with name, currency and timezone"),
        ({**SETTINGS, "practice": "Studio"}, "practice", "missing [practice] table with name, currency and timezone"),
        ({**SETTINGS, "mail": {}}, "mail", "unknown key; settings.toml has format, practice, policies, notices, delivery, hooks"),
        (_practice(owner="me"), "practice.owner", "unknown key; allowed: name, currency, timezone"),
        ({**SETTINGS, "practice": {"name": "S", "timezone": "UTC"}}, "practice", "missing key 'currency'"),
        (_practice(name=" "), "practice.name", "must be non-empty text"),
        (_practice(name=5), "practice.name", "must be non-empty text"),
        (_practice(currency="EURO"), "practice.currency", "currency 'EURO' is not an ISO 4217 code; use one such as EUR, USD, GBP, BRL or JPY"),
        (_practice(currency=978), "practice.currency", "currency 978 is not an ISO 4217 code; use one such as EUR, USD, GBP, BRL or JPY"),
        (_practice(currency="XAU"), "practice.currency",
         "currency 'XAU' is in ISO 4217, but as a precious metal, not money a practice is paid in; use one such as EUR, USD, GBP, BRL or JPY"),
        (_practice(timezone="Lisbon"), "practice.timezone", "unknown time zone 'Lisbon': use an IANA name such as Europe/Lisbon or America/New_York"),
        # a folder of the zone database, not a zone
        (_practice(timezone="America"), "practice.timezone", "unknown time zone 'America': use an IANA name such as Europe/Lisbon or America/New_York"),
        (_practice(timezone=""), "practice.timezone", "time zone must be an IANA name such as Europe/Lisbon"),
        ({**SETTINGS, "policies": "strict"}, "policies", "must be a table"),
        ({**SETTINGS, "policies": {"refunds": "never"}}, "policies.refunds", "unknown key; allowed: no_show, late_cancel_hours, late_cancel, expiry_limits"),
        ({**SETTINGS, "policies": {"no_show": "charge"}}, "policies.no_show", "must be one of return, forfeit, not 'charge'"),
        ({**SETTINGS, "policies": {"late_cancel": "keep"}}, "policies.late_cancel", "must be one of return, forfeit, charge, not 'keep'"),
        ({**SETTINGS, "policies": {"expiry_limits": "sale"}}, "policies.expiry_limits", "must be one of session, booking, not 'sale'"),
        ({**SETTINGS, "policies": {"late_cancel_hours": -1}}, "policies.late_cancel_hours", "must be a whole number from 0 to 8760, not -1"),
        ({**SETTINGS, "policies": {"late_cancel_hours": "24"}}, "policies.late_cancel_hours", "must be a whole number from 0 to 8760, not '24'"),
        ({**SETTINGS, "policies": {"late_cancel_hours": 9000}}, "policies.late_cancel_hours", "must be a whole number from 0 to 8760, not 9000"),
        ({**SETTINGS, "notices": {"expiring_days": 1.5}}, "notices.expiring_days",
         "must be a whole number of days (0 to 3650) or a list of them, like [30, 7], not 1.5"),
        ({**SETTINGS, "notices": {"expiring_days": []}}, "notices.expiring_days",
         "must be a whole number of days (0 to 3650) or a list of them, like [30, 7], not []"),
        ({**SETTINGS, "notices": {"expiring_days": [30, -1]}}, "notices.expiring_days",
         "must be a whole number of days (0 to 3650) or a list of them, like [30, 7], not [30, -1]"),
        ({**SETTINGS, "notices": {"low_remaining": False}}, "notices.low_remaining", "must be a whole number from 0 to 1000000, not false"),
        ({**SETTINGS, "notices": {"weekly": 1}}, "notices.weekly",
         "unknown key; allowed: kinds, expiring_days, low_remaining, low_minutes, low_money, late_days, from, reply_to, how_to_book"),
        ({**SETTINGS, "notices": {"kinds": ["expiring", "bye"]}}, "notices.kinds",
         'must be a list of notice kinds from expiring, low, used-up, expired, e.g. ["expiring", "expired"]'),
        ({**SETTINGS, "notices": {"low_money": "20.001"}}, "notices.low_money",
         'must be an amount like "20.00" or a share of the credit like "10%", not \'20.001\''),
        ({**SETTINGS, "notices": {"low_money": "120%"}}, "notices.low_money", "a share of the credit is from 0% to 100%, not '120%'"),
        ({**SETTINGS, "notices": {"from": "Studio <studio@example.com>, x@evil.example"}}, "notices.from",
         "'Studio <studio@example.com>, x@evil.example' is not a mail address like \"Studio Lima <studio@example.com>\""),
        ({**SETTINGS, "notices": {"from": "Studio\r\nBcc: x@evil.example <studio@example.com>"}}, "notices.from",
         "must be one line of text of at most 500 characters"),
        ({**SETTINGS, "notices": {"reply_to": "Marta <marta@example.com>"}}, "notices.reply_to",
         "'Marta <marta@example.com>': give the address alone, like \"studio@example.com\""),
        ({**SETTINGS, "delivery": {"method": "pigeon"}}, "delivery.method", "must be one of none, smtp, sendmail, jsonl, not 'pigeon'"),
        ({**SETTINGS, "delivery": {"method": "smtp", "host": "mail.example.com", "password": "hunter2"}}, "delivery.password",
         "a password is never kept in settings.toml; name an environment variable (password_env) or a file only you can read "
         "(password_file, mode 0600)"),
        ({**SETTINGS, "delivery": {"method": "smtp"}}, "delivery", 'method "smtp" needs host = "smtp.example.com"'),
        ({**SETTINGS, "delivery": {"method": "smtp", "host": "h.example", "password_env": "X"}}, "delivery", 'a password needs username = "..." too'),
        ({**SETTINGS, "delivery": {"method": "smtp", "host": "h.example", "security": "ssl"}}, "delivery.security",
         "must be one of starttls, tls, none, not 'ssl'"),
        ({**SETTINGS, "delivery": {"method": "smtp", "host": "h.example", "port": 0}}, "delivery.port", "must be a whole number from 1 to 65535, not 0"),
        ({**SETTINGS, "delivery": {"method": "smtp", "host": "h.example", "password_env": "1X", "username": "u"}}, "delivery.password_env",
         "must be the name of an environment variable, like \"SESSIONPACK_SMTP_PASSWORD\", not '1X'"),
        ({**SETTINGS, "delivery": {"method": "sendmail", "host": "h.example"}}, "delivery.host",
         "unknown key for method 'sendmail'; allowed: program, timeout"),
        ({**SETTINGS, "delivery": {"method": "jsonl", "program": "x"}}, "delivery.program", "unknown key for method 'jsonl'; allowed: no other keys"),
        ({**SETTINGS, "hooks": {"time_budget": 0}}, "hooks.time_budget", "must be a number of seconds above 0, at most 3600, not 0"),
        ({**SETTINGS, "hooks": {"each": 3}}, "hooks.each", "unknown key; allowed: time_budget"),
    ],
)
def test_settings_from_mapping_errors(data: dict, key: str, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        settings_from_mapping(data)
    assert (caught.value.key, caught.value.message) == (key, message)


def test_notice_and_delivery_settings_are_read_with_their_defaults() -> None:
    settings = settings_from_mapping({**SETTINGS, "notices": {"expiring_days": [7, 30, 7], "low_money": "25.50", "kinds": ["expired", "low"],
                                                             "from": "Studio Lima <studio@example.com>"},
                                      "delivery": {"method": "smtp", "host": "mail.example.com", "security": "tls", "username": "studio",
                                                   "password_file": "~/.smtp-password"},
                                      "hooks": {"time_budget": 2.5}})
    assert (settings.notices["expiring_days"], settings.notices["low_money"], settings.notices["kinds"]) == ([30, 7], "25.50", ["low", "expired"])
    assert dict(settings.delivery) == {"method": "smtp", "host": "mail.example.com", "security": "tls", "port": 465, "timeout": 30,
                                       "username": "studio", "password_file": "~/.smtp-password"}
    assert settings.hooks["time_budget"] == 2.5
    sendmail = settings_from_mapping({**SETTINGS, "delivery": {"method": "sendmail"}})
    assert dict(sendmail.delivery) == {"method": "sendmail", "program": "/usr/sbin/sendmail", "timeout": 30}
    assert settings_from_mapping(settings.to_mapping()) == settings
