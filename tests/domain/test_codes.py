"""Access codes, pure (rule 14 of docs/rules.md): 160 random bits, only a hash recorded,
constant-time comparison, one answer for every code that opens nothing."""

from __future__ import annotations

import copy
import hashlib
import re
from datetime import datetime
from typing import Any

import pytest

from sessionpack.domain import codes
from sessionpack.domain.bookings import Session, plan_booking
from sessionpack.domain.ledger import apply_to_client, empty_client_view
from sessionpack.domain.packages import package_from_mapping
from sessionpack.domain.sales import sell
from sessionpack.reports.balances import describe_event, history_rows
from sessionpack.reports.codes_text import code_csv_rows, code_session_rows, code_summary, code_table_rows

from practice_data import MASSAGE, NOW, SERVICES, SOLD, TZ, at

FIXED = bytes(range(20))
FIXED_CODE = "AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT"


# ---------------------------------------------------------------- making codes


def test_a_code_is_160_bits_from_the_system_source_in_groups_of_four(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []

    def urandom(n: int) -> bytes:
        asked.append(n)
        return FIXED

    monkeypatch.setattr(codes.os, "urandom", urandom)
    assert codes.new_code() == FIXED_CODE
    assert asked == [20]  # 20 bytes = 160 bits


def test_fixed_bytes_give_a_fixed_code() -> None:
    assert codes.new_code(FIXED) == FIXED_CODE
    assert codes.new_code(b"\xff" * 20) == "7777-7777-7777-7777-7777-7777-7777-7777"
    assert codes.new_code(bytes(20)) == "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"


def test_fresh_codes_differ_and_look_alike() -> None:
    made = {codes.new_code() for _ in range(50)}
    assert len(made) == 50
    for code in made:
        assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}", code)


# ---------------------------------------------------------------- hashing and comparing


def test_only_a_sha256_of_the_normalised_code_is_recorded() -> None:
    bare = FIXED_CODE.replace("-", "")
    assert codes.code_hash(FIXED_CODE) == hashlib.sha256(bare.encode()).hexdigest()
    assert FIXED_CODE not in codes.code_hash(FIXED_CODE) and bare not in codes.code_hash(FIXED_CODE)


@pytest.mark.parametrize("typed", [
    FIXED_CODE, FIXED_CODE.lower(), FIXED_CODE.replace("-", ""), FIXED_CODE.replace("-", " "),
    " " + FIXED_CODE.lower().replace("-", "") + " ", "aaaq eaye-auda ocaj-bifq ydio-b4ib ceqt",
])
def test_case_spaces_and_dashes_do_not_matter(typed: str) -> None:
    assert codes.normalise(typed) == "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT"
    assert codes.matches(typed, codes.code_hash(FIXED_CODE))


@pytest.mark.parametrize("typed", ["", "-", "nope", "AAAQ-EAYE", "ü" * 40, "\udcff\udc80", "x" * 10000])
def test_any_text_hashes_and_matches_nothing(typed: str) -> None:
    assert len(codes.code_hash(typed)) == 64
    assert not codes.matches(typed, codes.code_hash(FIXED_CODE))


def test_matches_compares_in_constant_time_on_every_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    import hmac

    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    recorded = codes.code_hash(FIXED_CODE)
    assert codes.matches(FIXED_CODE, recorded) is True
    assert codes.matches("WRONG", recorded) is False
    assert codes.matches(FIXED_CODE, None) is False  # a package sold before codes existed
    assert codes.matches("", "") is False
    assert len(calls) == 4
    assert all(len(a) == len(b) == 64 for a, b in calls)


# ---------------------------------------------------------------- finding a package by its code


def _offer():  # type: ignore[no-untyped-def]
    return package_from_mapping("five", {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}},
                                         "payment": {"price": "400"}}, "EUR", SERVICES)


class Practice:
    """Client views built by folding stamped events, as the store does."""

    def __init__(self) -> None:
        self.views: dict[str, dict[str, Any]] = {}
        self.seq = 0
        for cid in ("ana", "leo"):
            self.views[cid] = empty_client_view(cid)
            self.record({"type": "client-added", "clients": [cid], "client": {"id": cid, "name": cid.title(), "email": "", "tags": []}})

    def record(self, event: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        stamped = dict(copy.deepcopy(event), seq=self.seq, at=NOW.isoformat(), actor="tester")
        for cid in stamped["clients"]:
            apply_to_client(self.views[cid], stamped)
        return stamped

    def sell(self, code: str | None) -> str:
        event = sell(self.views["ana"], _offer(), currency="EUR", sale_date=SOLD, invoice="000001")
        if code is not None:
            event["code_hash"] = codes.code_hash(code)
        return self.record(event)["client_package"]

    def owner_of(self, digest: str) -> str | None:
        for view in self.views.values():
            for cp_id, pkg in view["packages"].items():
                if pkg.get("code_hash") == digest:
                    return cp_id
        return None

    def find(self, code: str):  # type: ignore[no-untyped-def]
        return codes.find_package(code, self.owner_of, self.views.get)


def test_the_right_code_finds_its_package_and_nothing_else_does(monkeypatch: pytest.MonkeyPatch) -> None:
    practice = Practice()
    practice.sell(None)  # ana.p1: sold before codes existed
    cp_id = practice.sell(FIXED_CODE)
    calls: list[int] = []
    import hmac

    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    found = practice.find(FIXED_CODE.lower())
    assert found is not None and found[1]["id"] == cp_id == "ana.p2" and found[0]["id"] == "ana"
    for wrong in ("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "not a code", ""):
        assert practice.find(wrong) is None
    assert len(calls) == 4  # the comparison runs for the right code and for every wrong one


def test_a_lookup_that_finds_a_package_still_compares(monkeypatch: pytest.MonkeyPatch) -> None:
    """An index that answered wrongly would still not open a package."""
    practice = Practice()
    practice.sell(FIXED_CODE)
    assert codes.find_package("WRONG", lambda digest: "ana.p1", practice.views.get) is None
    assert codes.find_package("WRONG", lambda digest: "zed.p1", lambda cid: None) is None
    assert codes.find_package("WRONG", lambda digest: "ana.p9", practice.views.get) is None


def test_reset_replaces_the_hash_and_the_old_code_stops() -> None:
    practice = Practice()
    cp_id = practice.sell(FIXED_CODE)
    new = codes.new_code(b"\x01" * 20)
    event = codes.reset(practice.views["ana"]["packages"][cp_id], codes.code_hash(new), "lost it")
    assert event == {"type": "code-reset", "clients": ["ana"], "client_package": "ana.p1",
                     "code_hash": codes.code_hash(new), "reason": "lost it"}
    stamped = practice.record(event)
    assert practice.find(FIXED_CODE) is None
    assert practice.find(new)[1]["id"] == "ana.p1"  # type: ignore[index]
    assert describe_event(stamped) == "access code of ana.p1 replaced; the old code no longer works"
    [row] = [r for r in history_rows(practice.views["ana"], "ana.p1") if r["seq"] == stamped["seq"]]
    assert (row["why"], row["change"], row["balance"]) == ("lost it", "", "massage 5")


def test_a_package_sold_before_codes_gets_one_by_reset() -> None:
    practice = Practice()
    cp_id = practice.sell(None)
    assert practice.views["ana"]["packages"][cp_id]["code_hash"] is None
    practice.record(codes.reset(practice.views["ana"]["packages"][cp_id], codes.code_hash(FIXED_CODE)))
    assert practice.find(FIXED_CODE)[1]["id"] == cp_id  # type: ignore[index]


# ---------------------------------------------------------------- what a code shows


def test_code_summary_shows_the_package_and_its_booked_sessions_only() -> None:
    practice = Practice()
    cp_id = practice.sell(FIXED_CODE)
    for start in ("2026-12-03T11:00", "2026-12-01T10:00", "2026-12-02T10:00"):
        session = Session("ana", MASSAGE, at(start), 60)
        practice.record(plan_booking(practice.views["ana"], {}, session, now=NOW, tz=TZ, currency="EUR", package=cp_id))
    practice.record({"type": "cancelled", "clients": ["ana"], "booking": "ana.b3", "package": cp_id, "late": False, "outcome": "return"})
    pkg = copy.deepcopy(practice.views["ana"]["packages"][cp_id])
    bookings = dict(practice.views["ana"]["bookings"])
    # A session of a client the package is shared with: their booking, drawn on it.
    pkg["draws"]["leo.b1"] = dict(pkg["draws"].pop("ana.b1"), attendee="leo")
    bookings["leo.b1"] = dict(bookings.pop("ana.b1"), id="leo.b1", attendee="leo")
    summary = code_summary(pkg, bookings, NOW, TZ)
    assert summary == {
        "id": "ana.p1", "package": "five", "name": "5 massages", "status": "active", "expires": "2027-02-20",
        "starts_at_first_use": False, "remaining": {"massage": 3},
        "balances": {"massage": {"total": 5, "adjusted": 0, "used": 0, "forfeited": 0, "scheduled": 2, "transferred": 0,
                                 "voided": 0, "expired": 0, "remaining": 3}},
        "booked": [
            {"start": "2026-12-01T10:00:00+00:00", "service": "massage", "service_name": "Massage 60", "duration": 60, "item": "massage", "amount": 1},
            {"start": "2026-12-03T11:00:00+00:00", "service": "massage", "service_name": "Massage 60", "duration": 60, "item": "massage", "amount": 1},
        ],
    }
    assert "leo" not in repr(summary) and "ana.b" not in repr(summary)
    head = {"id": "ana.p1", "package": "five", "name": "5 massages", "item": "massage"}
    assert code_csv_rows(summary) == [
        {"row": "balance", **head, "total": 5, "adjusted": 0, "used": 0, "forfeited": 0, "scheduled": 2, "transferred": 0,
         "voided": 0, "expired": 0, "remaining": 3, "expires": "2027-02-20", "starts_at_first_use": False, "status": "active"},
        {"row": "session", **head, "start": "2026-12-01T10:00:00+00:00", "service": "massage", "service_name": "Massage 60",
         "duration": 60, "amount": 1},
        {"row": "session", **head, "start": "2026-12-03T11:00:00+00:00", "service": "massage", "service_name": "Massage 60",
         "duration": 60, "amount": 1},
    ]
    [row] = code_table_rows(summary, NOW, TZ)
    assert {k: row[k] for k in ("id", "label", "item", "left", "booked", "valid", "status_text", "total_text", "used_text")} == {
        "id": "ana.p1", "label": "5 massages", "item": "massage", "left": "3/5", "booked": 2, "valid": "to 20 Feb 2027",
        "status_text": "active", "total_text": 5, "used_text": 0}
    assert row["client"] is None  # the owner is never shown
    assert code_session_rows(summary, NOW, TZ) == [
        {"when": "Tue 1 Dec 10:00", "service": "Massage 60", "minutes": 60, "draws": "1 massage"},
        {"when": "Thu 3 Dec 11:00", "service": "Massage 60", "minutes": 60, "draws": "1 massage"},
    ]


def test_an_adjusted_and_expired_package_in_the_code_table() -> None:
    practice = Practice()
    cp_id = practice.sell(FIXED_CODE)
    pkg = practice.views["ana"]["packages"][cp_id]
    summary = code_summary(pkg, {}, NOW, TZ)
    summary["status"] = "expired"
    summary["balances"]["massage"].update(adjusted=2, expired=3, remaining=0)
    [row] = code_table_rows(summary, NOW, TZ)
    assert (row["total_text"], row["left"], row["status_text"]) == ("5 +2", "0/7", "expired (3 forfeited)")


def test_code_summary_of_a_session_whose_booking_is_not_at_hand() -> None:
    practice = Practice()
    cp_id = practice.sell(FIXED_CODE)
    session = Session("ana", MASSAGE, datetime(2026, 12, 1, 10, 0, tzinfo=TZ), 60)
    practice.record(plan_booking(practice.views["ana"], {}, session, now=NOW, tz=TZ, currency="EUR", package=cp_id))
    summary = code_summary(practice.views["ana"]["packages"][cp_id], {}, NOW, TZ)
    assert summary["booked"] == [{"start": "2026-12-01", "service": None, "service_name": None, "duration": None,
                                  "item": "massage", "amount": 1}]
    assert code_session_rows(summary, NOW, TZ) == [{"when": "Tue 1 Dec", "service": "", "minutes": None, "draws": "1 massage"}]
    assert code_csv_rows(summary)[1]["start"] == "2026-12-01"
