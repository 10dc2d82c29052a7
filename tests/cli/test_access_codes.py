"""Access codes through the CLI (rule 14 of docs/rules.md): shown once at sale, only a
hash recorded, balance and book with the code alone, reset, one answer for
every code that opens nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sessionpack.domain.codes import code_hash, normalise

from cli_util import clean, events, journal, ok, ok_json, write_package

NO_CODE = "error: no client package has this access code; check it, or ask the practice for a new one\n"
CODE_RE = r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}"
FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400", "tax": "23"}}
TWO = {"name": "2 massages", "contents": {"sessions": {"massage": 2}}, "payment": {"price": "170"}}


def snapshot(data_dir: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file() and p.name != "lock"}


def refused(sp, data_dir: Path, args: tuple[str, ...], code: int, stderr: str) -> None:  # type: ignore[no-untyped-def]
    """Exits ``code`` with exactly ``stderr`` and no stdout, changing no file."""
    before = snapshot(data_dir)
    result = sp(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr), args
    assert snapshot(data_dir) == before


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    write_package(data_dir, "two", TWO)
    return practice


def sold_code(sp, *args: str) -> str:  # type: ignore[no-untyped-def]
    record = ok_json(sp("sell", *args, "--format", "json"))
    assert re.fullmatch(CODE_RE, record["code"])
    return record["code"]


# ---------------------------------------------------------------- shown once, at sale


def test_sell_shows_the_code_once_in_the_table(shop) -> None:  # type: ignore[no-untyped-def]
    out = ok(shop("sell", "ana", "five"))
    first, second = out.splitlines()
    assert first == "Sold five to ana: ana.p1 (invoice 000001, total 492.00 EUR, paid; expires: 2027-02-20)"
    match = re.fullmatch(rf"Access code: ({CODE_RE}), shown only now; 'sessionpack code reset ana.p1' issues a new one", second)
    assert match
    assert ok_json(shop("balance", "--code", match.group(1), "--format", "json"))["id"] == "ana.p1"
    clean(shop)


def test_sell_and_assign_json_and_csv_carry_the_code(shop) -> None:  # type: ignore[no-untyped-def]
    record = ok_json(shop("sell", "ana", "five", "--format", "json"))
    code = record.pop("code")
    assert re.fullmatch(CODE_RE, code)
    assert record == {"id": "ana.p1", "package": "five", "client": "ana", "invoice": "000001", "total": "492.00",
                      "paid": "492.00", "payment": "paid", "expires": "2027-02-20", "remaining": {"massage": 5},
                      "shared_with": [], "unchanged": False}
    assigned = ok_json(shop("assign", "ana", "two", "--price", "0", "--format", "json"))
    assert assigned["id"] == "ana.p2" and re.fullmatch(CODE_RE, assigned["code"]) and assigned["code"] != code
    header, row = ok(shop("sell", "ana", "two", "--format", "csv")).splitlines()
    assert header.split(",")[-1] == "code" and re.fullmatch(CODE_RE, row.split(",")[-1])
    assert len({code, assigned["code"], row.split(",")[-1]}) == 3
    clean(shop)


def test_selling_again_with_a_recorded_reference_shows_no_code(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five", "--ref", "shop-1"))
    again = ok_json(shop("sell", "ana", "five", "--ref", "shop-1", "--format", "json"))
    assert {k: again[k] for k in ("id", "package", "client", "unchanged", "code")} == {
        "id": "ana.p1", "package": "five", "client": "ana", "unchanged": True, "code": None}


def test_only_the_hash_is_in_the_data_directory(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code = sold_code(shop, "ana", "five")
    shown = [code]
    shown.append(ok_json(shop("code", "reset", "ana.p1", "--format", "json"))["code"])
    shown.append(sold_code(shop, "ana", "two"))
    ok(shop("book", "--code", shown[1], "massage", "2026-12-01T10:00"))
    ok(shop("check", "--rebuild"))
    files = snapshot(data_dir)
    assert len(files) > 5
    for text in shown:
        for form in (text, normalise(text), normalise(text).lower(), text.lower()):
            assert not [p for p, raw in files.items() if form.encode() in raw], form
    sales = [e for e in events(data_dir) if e["type"] == "sold"]
    assert [e["code_hash"] for e in sales] == [code_hash(shown[0]), code_hash(shown[2])]
    view = json.loads((data_dir / "views" / "clients" / "ana.json").read_bytes())
    assert view["packages"]["ana.p1"]["code_hash"] == code_hash(shown[1])
    clean(shop)


# ---------------------------------------------------------------- balance --code


def test_balance_with_the_code_shows_that_package_only(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("client", "add", "bia", "--name", "Bia Secret", "--email", "bia@example.com"))
    ok(shop("sell", "bia", "five"))
    ok(shop("sell", "ana", "two", "--invoice", "INV-OTHER"))
    code = sold_code(shop, "ana", "five", "--invoice", "INV-77")
    ok(shop("book", "ana", "massage", "2026-12-01T10:00", "--package", "ana.p2"))
    ok(shop("book", "ana", "massage", "2026-11-25T15:30", "--package", "ana.p2"))
    ok(shop("book", "ana", "massage", "2026-11-21T10:00", "--package", "ana.p2"))
    ok(shop("attend", "ana.b3", now="2026-11-21T11:00"))  # once the session has started (rule 21)
    ok(shop("book", "ana", "massage", "2026-11-22T10:00", "--package", "ana.p2"))
    ok(shop("cancel", "ana.b4"))
    ok(shop("book", "ana", "massage", "2026-12-02T10:00", "--package", "ana.p1"))
    record = ok_json(shop("balance", "--code", code, "--format", "json"))
    assert record == {
        "id": "ana.p2", "package": "five", "name": "5 massages", "status": "active", "expires": "2027-02-20",
        "starts_at_first_use": False, "remaining": {"massage": 2},
        "balances": {"massage": {"total": 5, "adjusted": 0, "used": 1, "forfeited": 0, "scheduled": 2, "transferred": 0,
                                 "voided": 0, "expired": 0, "remaining": 2}},
        "booked": [
            {"start": "2026-11-25T15:30:00+00:00", "service": "massage", "service_name": "Massage 60", "duration": 60,
             "item": "massage", "amount": 1},
            {"start": "2026-12-01T10:00:00+00:00", "service": "massage", "service_name": "Massage 60", "duration": 60,
             "item": "massage", "amount": 1},
        ],
    }
    assert ok(shop("balance", "--code", code.lower().replace("-", " "), "--format", "csv")) == (
        "row,id,package,name,item,total,adjusted,used,forfeited,scheduled,transferred,voided,expired,remaining,expires,"
        "starts_at_first_use,status,start,service,service_name,duration,amount\n"
        "balance,ana.p2,five,5 massages,massage,5,0,1,0,2,0,0,0,2,2027-02-20,no,active,,,,,\n"
        "session,ana.p2,five,5 massages,massage,,,,,,,,,,,,,2026-11-25T15:30:00+00:00,massage,Massage 60,60,1\n"
        "session,ana.p2,five,5 massages,massage,,,,,,,,,,,,,2026-12-01T10:00:00+00:00,massage,Massage 60,60,1\n")
    table = ok(shop("balance", "--code", code))
    assert table == (
        "ana.p2 (5 massages) at 2026-11-20 09:00\n"
        "item     left  booked  valid           status\n"
        "massage  2/5   2       to 20 Feb 2027  active\n"
        "\n"
        "Booked, not yet marked\n"
        "when              service     minutes  draws\n"
        "Wed 25 Nov 15:30  Massage 60  60       1 massage\n"
        "Tue 1 Dec 10:00   Massage 60  60       1 massage\n")
    for text in (table, json.dumps(record)):
        for secret in ("Ana Lima", "ana@example.com", "bia", "Bia", "ana.p1", "ana.p3", "INV", "492", "400", "170", "ana.b"):
            assert secret not in text, secret
    clean(shop)


def test_sessions_of_a_client_it_is_shared_with_show_without_their_name(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("client", "add", "leo", "--name", "Leo Hidden"))
    ok(shop("client", "relate", "leo", "ana", "--as", "other", "--can", "use-packages"))
    code = sold_code(shop, "ana", "five", "--share", "leo")
    ok(shop("book", "leo", "massage", "2026-12-05T10:00"))
    assert ok_json(shop("book", "--code", code, "massage", "2026-12-04T10:00", "--format", "json"))["id"] == "ana.b1"
    record = ok_json(shop("balance", "--code", code, "--format", "json"))
    assert [(s["start"], s["service"]) for s in record["booked"]] == [
        ("2026-12-04T10:00:00+00:00", "massage"), ("2026-12-05T10:00:00+00:00", "massage")]
    assert record["remaining"] == {"massage": 3}
    text = json.dumps(record) + ok(shop("balance", "--code", code, "--format", "csv"))
    assert "leo" not in text and "Leo" not in text and "shared" not in text
    clean(shop)


def test_balance_code_and_client_together_is_bad_usage(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code = sold_code(shop, "ana", "five")
    refused(shop, data_dir, ("balance", "ana", "--code", code), 2, "error: give either CLIENT or --code, not both\n")
    refused(shop, data_dir, ("balance", "--all", "--code", code), 2,
            "error: --all lists every client's packages; --code shows one package: give one of them\n")


# ---------------------------------------------------------------- book --code


def test_book_with_the_code_draws_on_that_package(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))  # expires first: a plain booking would choose it
    code = sold_code(shop, "ana", "two")
    assert ok(shop("book", "--code", code, "massage", "2026-12-01T10:00")) == (
        "Booked ana.b1: massage on 2026-12-01 10:00 (60 min), drawn from ana.p2 (1 massage); fee 0.00 + 0.00 tax EUR\n")
    assert ok_json(shop("book", "--code", code, "massage", "2026-12-08T10:00", "--duration", "45", "--format", "json")) == {
        "id": "ana.b2", "package": "ana.p2", "service": "massage", "start": "2026-12-08T10:00:00+00:00", "duration": 45,
        "draw": {"key": "massage", "amount": 1}, "fee": "0.00", "fee_tax": "0.00"}
    balance = ok_json(shop("balance", "ana", "--format", "json"))
    assert [(b["id"], b["remaining"]) for b in balance] == [("ana.p1", {"massage": 5}), ("ana.p2", {"massage": 0})]
    [booked] = [e for e in events(data_dir) if e["type"] == "booked"][:1]
    assert booked["booking"]["why"] == "booked with the package's access code"
    # Used up: refused with the reason about this package only, though ana.p1 could pay.
    refused(shop, data_dir, ("book", "--code", code, "massage", "2026-12-15T10:00"), 1,
            "error: ana.p2 cannot pay for this session: no massage sessions left\n")
    refused(shop, data_dir, ("book", "--code", code, "thai", "2026-12-15T10:00"), 1,
            "error: ana.p2 cannot pay for this session: does not include thai\n")
    clean(shop)


def test_book_code_usage_errors(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code = sold_code(shop, "ana", "five")
    conflict = ("error: --code books one session on the code's own package: leave out --package, --no-package, --repeat, "
                "--allow-overlap and --force\n")
    for extra in (("--package", "ana.p1"), ("--no-package",), ("--repeat", "weekly", "--count", "2"), ("--allow-overlap",),
                  ("--force",)):
        refused(shop, data_dir, ("book", "--code", code, "massage", "2026-12-01T10:00", *extra), 2, conflict)
    positional = "error: with --code give SERVICE WHEN only (the code names the client); see 'sessionpack book --help'\n"
    refused(shop, data_dir, ("book", "--code", code, "ana", "massage", "2026-12-01T10:00"), 2, positional)
    refused(shop, data_dir, ("book", "--code", code, "massage"), 2, positional)
    refused(shop, data_dir, ("book", "--code", code, "massage", "tomorrow"), 2,
            "error: WHEN needs a time of day, e.g. tomorrow 10:00\n")
    refused(shop, data_dir, ("book", "--code", code, "sauna", "2026-12-01T10:00"), 2,
            "error: no service 'sauna'; see 'sessionpack service list'\n")
    refused(shop, data_dir, ("book", "ana", "massage"), 2, "error: Missing argument 'WHEN'; see 'sessionpack book --help'\n")
    refused(shop, data_dir, ("book",), 2, "error: Missing argument 'CLIENT'; see 'sessionpack book --help'\n")


def test_without_a_valid_code_the_catalog_is_not_consulted(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    for service, when in (("massage", "2026-12-01T10:00"), ("sauna", "2026-12-01T10:00"), ("Massage!", "2026-12-01T10:00"),
                          ("massage", "not-a-date")):  # (nor the input: a wrong code gets the one answer)
        refused(shop, data_dir, ("book", "--code", "WRONG", service, when), 2, NO_CODE)


def test_a_code_s_refusals_name_no_one_else_and_no_override(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code = sold_code(shop, "ana", "five")
    ok(shop("client", "add", "bo", "--name", "Bo"))
    ok(shop("book", "bo", "massage", "2026-12-01T10:00", "--no-package"))
    refused(shop, data_dir, ("book", "--code", code, "massage", "2026-12-01T10:30"), 1,
            "error: that time is not free; choose another time\n")
    refused(shop, data_dir, ("book", "--code", code, "massage", "2028-01-05T10:00"), 1,
            "error: the session on 2028-01-05 is more than a year after today (2026-11-20); choose another time\n")


# ---------------------------------------------------------------- code reset


def test_code_reset_replaces_the_code(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    old = sold_code(shop, "ana", "five")
    out = ok(shop("code", "reset", "ana.p1", "--reason", "client lost it"))
    match = re.fullmatch(rf"New access code for ana.p1: ({CODE_RE}), shown only now; the old code no longer works\n", out)
    assert match
    new = match.group(1)
    refused(shop, data_dir, ("balance", "--code", old), 2, NO_CODE)
    refused(shop, data_dir, ("book", "--code", old, "massage", "2026-12-01T10:00"), 2, NO_CODE)
    assert ok_json(shop("balance", "--code", new, "--format", "json"))["id"] == "ana.p1"
    assert ok_json(shop("book", "--code", new, "massage", "2026-12-01T10:00", "--format", "json"))["package"] == "ana.p1"
    [reset] = [e for e in events(data_dir) if e["type"] == "code-reset"]
    assert {k: reset[k] for k in ("clients", "client_package", "code_hash", "reason", "actor")} == {
        "clients": ["ana"], "client_package": "ana.p1", "code_hash": code_hash(new), "reason": "client lost it", "actor": "tester"}
    history = ok_json(shop("history", "ana.p1", "--format", "json"))
    assert [(h["what"], h["why"]) for h in history if h["seq"] == reset["seq"]] == [
        ("access code of ana.p1 replaced; the old code no longer works", "client lost it")]
    again = ok_json(shop("code", "reset", "ana.p1", "--format", "json"))
    assert list(again) == ["id", "code"] and again["id"] == "ana.p1" and again["code"] not in (old, new)
    refused(shop, data_dir, ("balance", "--code", new), 2, NO_CODE)
    clean(shop)


def test_a_package_recorded_without_a_code_gets_one_by_reset(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    # A sale recorded before codes existed: no code_hash in its event.
    lines = journal(data_dir).splitlines(keepends=True)
    sold = json.loads(lines[-1])
    del sold["code_hash"]
    (data_dir / "journal.jsonl").write_bytes(b"".join(lines[:-1]) + json.dumps(sold).encode() + b"\n")
    (data_dir / "views" / "clients" / "ana.json").unlink()  # the edit meant: the documented way to take it in
    ok(shop("check", "--rebuild"))
    refused(shop, data_dir, ("balance", "--code", "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"), 2, NO_CODE)
    code = ok_json(shop("code", "reset", "ana.p1", "--format", "json"))["code"]
    assert ok_json(shop("balance", "--code", code, "--format", "json"))["id"] == "ana.p1"
    clean(shop)


def test_code_reset_refusals(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    refused(shop, data_dir, ("code", "reset", "ana.p9"), 2, "error: no client package 'ana.p9'; see 'sessionpack balance ana'\n")
    refused(shop, data_dir, ("code", "reset", "zed.p1"), 2,
            "error: no client 'zed'; see 'sessionpack client list' or add one with 'sessionpack client add'\n")
    refused(shop, data_dir, ("code", "reset", "ana"), 2,
            "error: client package id 'ana' is not valid: it looks like 'ana.p1' (see 'sessionpack balance CLIENT')\n")
    refused(shop, data_dir, ("code", "reset", "ana.p1", "--reason", " "), 2, "error: --reason must be one line of 1 to 500 printable characters\n")


# ---------------------------------------------------------------- one answer for every code that opens nothing


def test_wrong_unknown_malformed_and_replaced_codes_look_the_same(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    replaced = sold_code(shop, "ana", "five")
    ok(shop("code", "reset", "ana.p1"))
    sold_code(shop, "ana", "two")
    wrong = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH"  # well formed, no package
    almost = replaced[:-1] + ("A" if replaced[-1] != "A" else "B")  # one character off
    for code in (wrong, almost, replaced, replaced.lower(), "", "-", "nope", "0000", "ü" * 50, "x" * 5000, "ana.p1", code_hash(replaced)):
        refused(shop, data_dir, ("balance", "--code", code), 2, NO_CODE)
        refused(shop, data_dir, ("balance", "--code", code, "--format", "json"), 2, NO_CODE)
        refused(shop, data_dir, ("book", "--code", code, "massage", "2026-12-01T10:00"), 2, NO_CODE)
    clean(shop)


def test_the_code_path_compares_with_compare_digest(shop, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import hmac

    from sessionpack.domain import codes

    code = sold_code(shop, "ana", "five")
    calls: list[bytes] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append(b)
        return real(a, b)

    monkeypatch.setattr(codes.hmac, "compare_digest", spy)
    ok(shop("balance", "--code", code, "--format", "json"))
    assert shop("balance", "--code", "WRONG").exit_code == 2
    ok(shop("book", "--code", code, "massage", "2026-12-01T10:00"))
    assert calls[0] == calls[2] == code_hash(code).encode() and len(calls) == 3 and len(calls[1]) == 64


# ---------------------------------------------------------------- a real process, as a script would use it


def test_a_script_uses_the_code_alone(shop) -> None:  # type: ignore[no-untyped-def]
    sold = shop.proc("sell", "ana", "five", "--format", "json")
    assert (sold.returncode, sold.stderr) == (0, "")
    code = json.loads(sold.stdout)["code"]
    booked = shop.proc("book", "--code", code.lower(), "massage", "2026-12-01T10:00", "--format", "json")
    assert (booked.returncode, booked.stderr) == (0, "")
    assert json.loads(booked.stdout)["id"] == "ana.b1"
    balance = shop.proc("balance", "--code", code, "--format", "json")
    assert (balance.returncode, balance.stderr) == (0, "")
    assert json.loads(balance.stdout)["remaining"] == {"massage": 4}
    wrong = shop.proc("balance", "--code", code[:-4] + "AAAA" if not code.endswith("AAAA") else code[:-4] + "BBBB")
    unknown = shop.proc("book", "--code", "garbage", "massage", "2026-12-01T10:00")
    assert (wrong.returncode, wrong.stdout, wrong.stderr) == (unknown.returncode, unknown.stdout, unknown.stderr) == (2, "", NO_CODE)
    checked = shop.proc("check")
    assert (checked.returncode, checked.stdout) == (0, "No problems found\n")
