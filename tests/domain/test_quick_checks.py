"""Checks that answer without compiling a pattern (a hot command would pay
more for the compile than for its work) answer exactly as the pattern does,
whatever the text."""

from __future__ import annotations

import re

from hypothesis import example, assume, given, settings
from hypothesis import strategies as st

from sessionpack.domain import ids, text

# Text made of what ids and escapes are made of, and anything else.
ID_PIECES = ["a", "z", "0", "9", "-", "--", ".p", ".p1", ".p0", ".b2", "ana", "x" * 63, "A", " ", "\n", "_", "é", "٣"]
TEXTS = st.one_of(st.text(max_size=80), st.lists(st.sampled_from(ID_PIECES), max_size=8).map("".join))
CONTROL = text.CONTROL_RE.compiled()  # (tests/domain/test_user_text.py: it is the Unicode categories Cc, Cf, Cs, Zl, Zp)
SHOWN_PIECES = ["ana", " ", "\n", "\t", "\r", "\x1b[2J", "\x00", "\x7f", "\x85", "\x9f", "\xa0", "\u2028", "\u200b", "é", "名"]
SHOWN_TEXTS = st.one_of(st.text(max_size=60), st.lists(st.sampled_from(SHOWN_PIECES), max_size=8).map("".join))


@settings(max_examples=400)
@given(TEXTS)
def test_is_slug_is_the_slug_pattern(value: str) -> None:
    assert ids.is_slug(value) == bool(ids.SLUG_RE.match(value))


def test_is_slug_at_its_edges() -> None:
    assert [ids.is_slug(v) for v in ("a", "a-b", "a" * 64, "0-9")] == [True] * 4
    assert [ids.is_slug(v) for v in ("", "-a", "a-", "a--b", "a" * 65, "A", "a_b", "a\n", "ä")] == [False] * 9


@settings(max_examples=400)
@given(TEXTS)
def test_match_client_package_is_the_pattern(value: str) -> None:
    quick, full = ids.match_client_package(value), ids.CLIENT_PACKAGE_RE.match(value)
    assert (quick is None) == (full is None)
    if full is not None:
        assert quick.groups() == full.groups()


@settings(max_examples=400)
@given(SHOWN_TEXTS, st.sampled_from(["", "\n", "\n\t"]))
def test_shown_and_the_checks_of_a_line_are_the_patterns(value: str, keep: str) -> None:
    assume(not set(text.JOINERS) & set(value))  # (a joiner that joins is welcome: tests/domain/test_user_text.py)
    def escaped(found: re.Match[str]) -> str:
        ch = found.group()
        code = ord(ch)
        return ch if ch in keep else f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"

    assert text.shown(value, keep=keep) == CONTROL.sub(escaped, value)
    assert text.has_control(value) == (CONTROL.search(value) is not None)
    stripped = value.strip()
    try:
        checked = text.check_line(value, "name", limit=1000, empty=True)
    except Exception as err:  # noqa: BLE001 - compared below
        assert CONTROL.search(stripped) is not None, err
    else:
        assert checked == stripped and CONTROL.search(stripped) is None


@settings(max_examples=300)
@given(st.binary(min_size=0, max_size=45))
def test_access_codes_are_base32_as_base64_writes_it(raw: bytes) -> None:
    import base64

    from sessionpack.domain.codes import new_code

    written = base64.b32encode(raw).decode("ascii")
    assert new_code(raw) == "-".join(written[i:i + 4] for i in range(0, len(written), 4))


@settings(max_examples=200)
@given(st.datetimes(min_value=__import__("datetime").datetime(2000, 1, 1), max_value=__import__("datetime").datetime(2040, 1, 1)),
       st.datetimes(min_value=__import__("datetime").datetime(2000, 1, 1), max_value=__import__("datetime").datetime(2040, 1, 1)),
       st.sampled_from(["Europe/Lisbon", "Pacific/Kiritimati", "America/Anchorage", "UTC"]))
@example(__import__("datetime").datetime(2000, 10, 29, 0, 0), __import__("datetime").datetime(2000, 1, 1), "Europe/Lisbon")  # 01:00+01:00, then 01:00+00:00
def test_human_times_are_written_as_strftime_writes_them(at, now, zone) -> None:  # type: ignore[no-untyped-def]
    from datetime import timezone
    from zoneinfo import ZoneInfo

    from sessionpack.reports.when import human_time

    tz = ZoneInfo(zone)
    at, now = at.replace(tzinfo=timezone.utc), now.replace(tzinfo=timezone.utc)
    local = at.astimezone(tz)
    year = "" if local.year == now.astimezone(tz).year else f" {local.year}"
    # A wall-clock time that happens twice (the hour the clocks go back) carries its offset (docs/reports.md).
    twice = local.replace(tzinfo=None).replace(tzinfo=tz, fold=1 - local.fold).utcoffset() != local.utcoffset()
    clock = f"{local:%H:%M}" + (f"{local:%z}"[:3] + ":" + f"{local:%z}"[3:] if twice else "")
    expected = f"{local:%a} {local.day} {local:%b}{year} {clock}"
    assert human_time(at, now, tz) == expected
    assert human_time(at.isoformat(), now, tz) == expected


PERCENT_PIECES = ["1", "10", "100", "1000", ".", "5", "25", "%", " ", "\u2003", "\n", "-", "+", "٣", "e2", "a"]


@settings(max_examples=400)
@given(st.one_of(st.text(max_size=12), st.lists(st.sampled_from(PERCENT_PIECES), max_size=6).map("".join)))
def test_a_share_is_read_as_the_pattern_reads_it(value: str) -> None:
    from sessionpack.domain.notice_settings import _PERCENT_RE, percent_of

    found = _PERCENT_RE.match(value)
    assert percent_of(value) == (found.group(1) if found else None)


EXPIRY_PIECES = ["3", "10", "0", "9999", "٣", " ", "  ", "\t", "\n", "months", "month", "weeks", "day", "years", "x", "é",
                 "from", "after", "purchase", "sale", "first use", "first-use", "first  use", "firstuse", "on", "2027-06-30", "-"]


@settings(max_examples=600)
@given(st.one_of(st.text(max_size=30), st.lists(st.sampled_from(EXPIRY_PIECES), max_size=7).map("".join)))
def test_a_relative_expiry_is_read_as_the_pattern_reads_it(value: str) -> None:
    from sessionpack.domain import expiry

    found = expiry._RELATIVE_RE.match(value)
    assert expiry._relative(value) == (found.group("n", "unit", "start") if found else None)
    if "-" not in value:
        assert expiry._FIXED_RE.match(value) is None


@settings(max_examples=300)
@given(SHOWN_TEXTS)
def test_free_text_is_checked_as_the_pattern_checks_it(value: str) -> None:
    assume(not set(text.JOINERS) & set(value))
    found = CONTROL.search(value.replace("\r\n", "\n").replace("\n", "").replace("\t", ""))
    try:
        checked = text.check_text(value, "note", 1000)
    except Exception:  # noqa: BLE001 - compared below
        assert found is not None
    else:
        assert found is None and checked == value.strip()


DATE_PIECES = ["2026", "-", "11", "27", "0", "9", "٣", "a", " ", "\n", "20261", "2026-11-27", "x"]


@settings(max_examples=400)
@given(st.one_of(st.text(max_size=14), st.lists(st.sampled_from(DATE_PIECES), max_size=6).map("".join)))
def test_is_plain_date_is_the_date_pattern(value: str) -> None:
    from sessionpack.domain.restrictions import is_plain_date

    assert is_plain_date(value) == bool(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value))
