"""Typed text: what a one-line field, a note and a catalog text may hold, and
how text a hand-edited file holds is shown (rule 24 of docs/rules.md)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from sessionpack.domain import text
from sessionpack.domain.clients import check_notes, client_record
from sessionpack.domain.packages import Contents, Package, Payment, check_package, package_from_mapping, packages_including
from sessionpack.domain.services import service_from_mapping
from sessionpack.errors import FieldError, InputError

CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")


def test_hidden_is_every_control_format_surrogate_and_separator_character() -> None:
    codes = set(text.hidden_codes())
    wanted = {code for code in range(0x110000) if unicodedata.category(chr(code)) in CATEGORIES}
    assert wanted <= codes
    assert {unicodedata.category(chr(code)) for code in codes - wanted} <= {"Cn"}  # (unassigned in this Unicode)
    assert all(not chr(code).isprintable() for code in codes)  # (so printable text is passed without the pattern)


INVISIBLE = [
    ("Bob\u2028Smith", "the control character \\u2028"), ("Bob\u2029Smith", "the control character \\u2029"),
    ("Ana Li\u200bma", "the invisible character \\u200b"), ("Ana Li\u200cma", "the invisible character \\u200c"),
    ("Ana Li\u200dma", "the invisible character \\u200d"), ("Ana\u2060Lima", "the invisible character \\u2060"),
    ("Eve\u200eX", "the invisible character \\u200e"), ("Eve\u200fX", "the invisible character \\u200f"),
    ("Eve\u061cX", "the invisible character \\u061c"), ("Eve\ufeffX", "the invisible character \\ufeff"),
    ("Ana\u00adLima", "the invisible character \\xad"), ("Eve\U000e0041X", "the invisible character \\U000e0041"),
    ("Eve \u202eevil", "the control character \\u202e"), ("Eve\x1b[31m", "the control character \\x1b"),
]


@pytest.mark.parametrize("value, named", INVISIBLE)
def test_a_one_line_field_refuses_invisible_and_separator_characters(value: str, named: str) -> None:
    with pytest.raises(InputError) as caught:
        client_record("ana2", {"name": value})
    assert str(caught.value) == f"client name must be one line of printable text (it holds {named}); type it again without it"
    assert text.has_control(value)


@pytest.mark.parametrize("value, named", INVISIBLE)
def test_notes_and_descriptions_refuse_them_too_but_keep_line_breaks_and_tabs(value: str, named: str) -> None:
    with pytest.raises(InputError) as caught:
        check_notes(f"first line\n\t{value}")
    assert str(caught.value) == f"notes must be printable text (it holds {named}); type it again without it"
    assert check_notes(" Allergies:\tnuts\r\nPrefers:\tmornings\n") == "Allergies:\tnuts\r\nPrefers:\tmornings"


@pytest.mark.parametrize("value", ["Ana 👩\u200d👩\u200d👧", "🏳️\u200d🌈", "🏃\u200d♀️", "ශ්\u200dරී", "می\u200cخواهم"])
def test_a_joiner_that_joins_is_welcome_and_shown_as_it_is(value: str) -> None:
    assert text.check_line(value, "client name") == value
    assert (text.has_control(value), text.shown(value)) == (False, value)


def test_text_from_a_file_is_shown_escaped_and_a_joiner_that_does_not_join_too() -> None:
    assert text.shown("Ana Li\u200bma\u2028\ufeff\U000e0041") == "Ana Li\\u200bma\\u2028\\ufeff\\U000e0041"
    assert text.shown("Eve\n\u202eRED\x1b[31m") == "Eve\\x0a\\u202eRED\\x1b[31m"
    assert text.shown("Ana Li\u200dma 👩\u200d👧 \x1b\u200d👧") == "Ana Li\\u200dma 👩\u200d👧 \\x1b\\u200d👧"
    assert text.shown("a\nb\u200b", keep="\n") == "a\nb\\u200b"


def test_notes_are_shown_line_by_line_with_tabs_as_spacing() -> None:
    assert text.shown_lines("Allergies:\tnuts\r\nPrefers:\tmornings\x1b\u200b") == [
        "Allergies:      nuts", "Prefers:        mornings\\x1b\\u200b"]


def test_a_service_file_is_read_by_the_rule_its_description_is_typed_with() -> None:
    base = {"name": "Thai", "duration": 60, "price": "50"}
    assert service_from_mapping("thai", {**base, "description": " Line\n\tTwo "}, "EUR").description == "Line\n\tTwo"
    for value, named in (("x\x1b[31mred", "the control character \\x1b"), ("Y\rZ", "the control character \\x0d"),
                         ("Y\bZ", "the control character \\x08"), ("Z\u202eW", "the control character \\u202e"),
                         ("a\u200bb", "the invisible character \\u200b")):
        with pytest.raises(FieldError) as caught:
            service_from_mapping("thai", {**base, "description": value}, "EUR")
        assert (caught.value.key, caught.value.message) == (
            "description", f"description must be printable text (it holds {named}); type it again without it")


def _package(**changes: object) -> Package:
    fields = {"id": "five", "name": "Five", "currency": "EUR", "contents": Contents("fixed", sessions=(("massage", 5),)),
              "payment": Payment("upfront", price=Decimal("200.00"))}
    return Package(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize("changes, key, message", [
    ({"description": "Five \x1b[5mblinking"}, "description",
     "description must be printable text (it holds the control character \\x1b); type it again without it"),
    ({"name": "Five\ufeff"}, "name", "name must be one line of printable text (it holds the invisible character \\ufeff); "
                                     "type it again without it"),
    ({"category": "c" * 101}, "category", "category is longer than 100 characters"),
])
def test_every_package_is_checked_by_the_rules_its_catalog_file_is_read_with(changes: dict, key: str, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        check_package(_package(**changes))
    assert (caught.value.key, caught.value.message) == (key, message)
    data = {"name": "Five", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "200.00"}, **changes}
    with pytest.raises(FieldError) as read:
        package_from_mapping("five", data, "EUR")
    assert (read.value.key, read.value.message) == (key, message)


def test_packages_including_a_service_leave_deleted_ones_out() -> None:
    pool = _package(id="pool", contents=Contents("pool", value="count", amount=5, services="all"))
    packages = {"five": _package(), "draft": _package(id="draft", deleted=True), "pool": pool,
                "other": _package(id="other", contents=Contents("fixed", sessions=(("thai", 1),)))}
    assert packages_including(packages, "massage") == ["five", "pool"]
    assert packages_including({"draft": packages["draft"]}, "massage") == []
