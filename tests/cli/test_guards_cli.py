"""Mistakes made cheap through the CLI (rules 21, 25-28 of docs/rules.md): the
sanity checks of book, book --repeat, book --code and move; move itself;
marking several sessions at once; service delete; ISO 4217 currencies.

Each refusal is checked word for word, with its exit code, and by a hash
of the whole data directory before and after.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cli_util import balance_of, clean, events, history_of, ok, write_package, dry_ok
from tree import tree_hash

FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}
FIRST_USE = {"name": "5 massages", "expiry": "1 month from first use", "contents": {"sessions": {"massage": 5}},
             "payment": {"price": "400"}}


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    write_package(data_dir, "first", FIRST_USE)
    ok(practice("client", "add", "bob", "--name", "Bob Reis"))
    return practice


def refused(sp, args: tuple[str, ...], code: int, message: str, now: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Exit ``code``, exactly ``message`` on stderr, nothing on stdout, not a byte of the data directory changed."""
    before = tree_hash(sp.data_dir)
    result = sp(*args, now=now) if now else sp(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", f"error: {message}\n")
    assert tree_hash(sp.data_dir) == before


def booked(sp, *args: str, now: str | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = sp("book", *args, "--format", "json", now=now) if now else sp("book", *args, "--format", "json")
    return json.loads(ok(result))


BUSY = ("the practitioner is already booked then: ana.b1 (massage, 2026-12-01 10:00-11:00); "
        "choose another time, or give --allow-overlap to book it anyway")


# ---------------------------------------------------------------- overlap and providers (rule 21)


def test_an_overlapping_booking_is_refused_naming_the_other(shop) -> None:  # type: ignore[no-untyped-def]
    booked(shop, "ana", "massage", "2026-12-01T10:00")
    refused(shop, ("book", "bob", "massage", "2026-12-01T10:30"), 1, BUSY)
    refused(shop, ("book", "bob", "thai", "2026-12-01T09:00"), 1, BUSY)  # 90 minutes: until 10:30
    assert booked(shop, "bob", "massage", "2026-12-01T11:00")["id"] == "bob.b1"  # touching is no overlap
    record = booked(shop, "bob", "massage", "2026-12-01T10:30", "--allow-overlap")
    assert (record["id"], record["start"]) == ("bob.b2", "2026-12-01T10:30:00+00:00")
    assert booked(shop, "bob", "massage", "2026-12-01T10:00", "--provider", "rita")["provider"] == "rita"
    ok(shop("cancel", "ana.b1"))  # a cancelled session frees its time
    assert booked(shop, "ana", "massage", "2026-12-01T09:30", "--provider", "joao")["id"] == "ana.b2"
    clean(shop)


def test_a_series_overlapping_a_booking_is_refused_whole(shop) -> None:  # type: ignore[no-untyped-def]
    booked(shop, "bob", "massage", "2026-12-15T10:30")
    refused(shop, ("book", "ana", "massage", "2026-12-01T10:00", "--repeat", "weekly", "--count", "4"), 1,
            "session 3 of the series (2026-12-15 10:00): the practitioner is already booked then: bob.b1 "
            "(massage, 2026-12-15 10:30-11:30); choose another time, or give --allow-overlap to book it anyway")
    rows = booked(shop, "ana", "massage", "2026-12-01T10:00", "--repeat", "weekly", "--count", "4", "--allow-overlap")
    assert [r["id"] for r in rows] == ["ana.b1", "ana.b2", "ana.b3", "ana.b4"]


def test_a_provider_the_service_does_not_list_is_refused(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("service", "add", "physio", "--name", "Physio", "--duration", "45", "--price", "55", "--provider", "marta",
            "--provider", "joao"))
    refused(shop, ("book", "ana", "physio", "2026-12-01T10:00", "--provider", "rita"), 1,
            "rita does not give physio (its providers: marta, joao); book one of them with --provider, "
            "or add rita with 'sessionpack service edit physio --provider ...'")
    assert booked(shop, "ana", "physio", "2026-12-01T10:00", "--provider", "joao")["provider"] == "joao"
    assert booked(shop, "bob", "physio", "2026-12-01T10:00", "--provider", "marta")["provider"] == "marta"


def test_a_group_class_shares_its_start_up_to_its_capacity(shop) -> None:  # type: ignore[no-untyped-def]
    result = shop("service", "add", "yoga", "--name", "Yoga class", "--duration", "60", "--price", "15", "--capacity", "2",
                  "--format", "json")
    assert json.loads(ok(result))["capacity"] == 2
    assert "capacity = 2\n" in (shop.data_dir / "services" / "yoga.toml").read_text()
    booked(shop, "ana", "yoga", "2026-12-01T18:00")
    booked(shop, "bob", "yoga", "2026-12-01T18:00")
    ok(shop("client", "add", "cy", "--name", "Cy"))
    full = ("yoga at 2026-12-01 18:00 is full (2 of 2 places taken); choose another time, "
            "or raise its capacity with 'sessionpack service edit yoga --capacity N'")
    refused(shop, ("book", "cy", "yoga", "2026-12-01T18:00"), 1, full)
    refused(shop, ("book", "cy", "yoga", "2026-12-01T18:00", "--allow-overlap"), 1, full)
    refused(shop, ("book", "cy", "yoga", "2026-12-01T18:30"), 1,
            "the practitioner is already booked then: ana.b1 (yoga, 2026-12-01 18:00-19:00) and 1 more; "
            "choose another time, or give --allow-overlap to book it anyway")
    ok(shop("service", "edit", "yoga", "--capacity", "3"))
    assert booked(shop, "cy", "yoga", "2026-12-01T18:00")["id"] == "cy.b1"
    ok(shop("service", "edit", "yoga", "--capacity", "1"))
    assert "capacity" not in (shop.data_dir / "services" / "yoga.toml").read_text()
    refused(shop, ("service", "add", "pilates", "--name", "Pilates", "--duration", "60", "--price", "15", "--capacity", "0"), 2,
            "capacity must be between 1 and 10000 places, not 0")


def test_a_session_more_than_a_year_away_needs_force(shop) -> None:  # type: ignore[no-untyped-def]
    write_package(shop.data_dir, "five", FIVE, expiry="none")
    ok(shop("sell", "ana", "five"))
    refused(shop, ("book", "ana", "massage", "2027-12-01T10:00"), 1,
            "the session on 2027-12-01 is more than a year after today (2026-11-20); check the date, or give --force if it is right")
    refused(shop, ("book", "ana", "massage", "2025-11-01T10:00"), 1,
            "the session on 2025-11-01 is more than a year before today (2026-11-20); check the date, or give --force if it is right")
    refused(shop, ("book", "ana", "massage", "2026-12-01T10:00", "--repeat", "monthly", "--count", "13"), 1,
            "session 13 of the series (2027-12-01 10:00): the session on 2027-12-01 is more than a year after today "
            "(2026-11-20); check the date, or give --force if it is right")
    assert booked(shop, "ana", "massage", "2027-12-01T10:00", "--force")["package"] == "ana.p1"


def test_book_with_a_code_is_checked_too_and_cannot_override(shop) -> None:  # type: ignore[no-untyped-def]
    sold = ok(shop("sell", "ana", "five"))
    code = re.search(r"Access code: (\S+),", sold).group(1)  # type: ignore[union-attr]
    booked(shop, "bob", "massage", "2026-12-01T10:00")
    refused(shop, ("book", "--code", code, "massage", "2026-12-01T10:30"), 1,
            "that time is not free; choose another time")  # (checked as any booking; said without bob's booking)


# ---------------------------------------------------------------- sold after the session (rule 21)


def test_a_session_before_the_sale_never_draws_on_it_by_itself(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five", "--date", "2026-11-10"))
    record = booked(shop, "ana", "massage", "2026-11-08T10:00")
    assert (record["package"], record["why"]) == (None, "no eligible package: ana.p1: sold on 2026-11-10, after the session on 2026-11-08")
    refused(shop, ("book", "ana", "massage", "2026-11-09T10:00", "--package", "ana.p1"), 1,
            "ana.p1 cannot pay for this session: sold on 2026-11-10, after the session on 2026-11-09; "
            "book it without --package, then 'sessionpack link BOOKING ana.p1 --reason R' if it is meant")
    refused(shop, ("link", "ana.b1", "ana.p1"), 1,
            "ana.p1 was sold on 2026-11-10, after the session on 2026-11-08; to link it anyway, give --reason R (it stays in the history)")
    ok(shop("link", "ana.b1", "ana.p1", "--reason", "paid from the package bought two days later"))
    assert balance_of(shop, "ana", "ana.p1")["remaining"] == {"massage": 4}
    assert history_of(shop, "ana.p1")[-1]["why"] == "paid from the package bought two days later"
    assert booked(shop, "ana", "massage", "2026-11-10T10:00")["package"] == "ana.p1"  # on the day of the sale it may


# ---------------------------------------------------------------- attend and no-show before the start (rule 21)


def test_attend_or_no_show_before_the_start_needs_force(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    booked(shop, "ana", "massage", "2026-12-01T10:00")
    for command, words in (("attend", "attended"), ("no-show", "a no-show")):
        refused(shop, (command, "ana.b1"), 1,
                f"ana.b1 starts at 2026-12-01 10:00, after now (2026-11-20 09:00): it cannot be marked {words} before it starts; "
                "give --force if it is right")
    assert ok(shop("attend", "ana.b1", now="2026-12-01T10:00")) == "ana.b1: attended\n"
    booked(shop, "ana", "massage", "2026-12-02T10:00")
    assert ok(shop("no-show", "ana.b2", "--force", "--reason", "told us she will not come")) == "ana.b2: no-show; returned to ana.p1\n"
    clean(shop)


# ---------------------------------------------------------------- move (rule 25)


def test_move_keeps_the_package_and_first_use_expiry_follows(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "first"))
    booked(shop, "ana", "massage", "2026-12-01T10:00")
    assert balance_of(shop, "ana", "ana.p1")["expires"] == "2027-01-01"
    out = ok(shop("move", "ana.b1", "2026-12-10T15:00"))
    assert out == ("Moved ana.b1: massage on 2026-12-10 15:00 (60 min), drawn from ana.p1 (the same package, still eligible "
                   "at the new time); fee 0.00 + 0.00 tax EUR; was 2026-12-01 10:00\n")
    assert balance_of(shop, "ana", "ana.p1")["expires"] == "2027-01-10"
    assert balance_of(shop, "ana", "ana.p1")["remaining"] == {"massage": 4}
    [row] = [r for r in history_of(shop, "ana.p1") if r["type"] == "moved"]
    assert (row["what"], row["why"], row["change"]) == (
        "ana.b1 moved from 2026-12-01 10:00 to 2026-12-10 15:00; draws 1 massage from ana.p1",
        "the same package, still eligible at the new time", {})
    [event] = [e for e in events(shop.data_dir) if e["type"] == "moved"]
    assert (event["from"], event["to"], event["clients"]) == ("2026-12-01T10:00:00+00:00", "2026-12-10T15:00:00+00:00", ["ana"])
    agenda = json.loads(ok(shop("report", "bookings", "--from", "2026-12-01", "--to", "2026-12-31", "--format", "json")))
    assert [(r["booking"], r["date"], r["time"]) for r in agenda["rows"]] == [("ana.b1", "2026-12-10", "15:00")]
    assert ok(shop("report", "bookings", "--from", "2026-12-01", "--to", "2026-12-01", "--format", "csv")).count("\n") == 1
    clean(shop)
    assert ok(shop("check", "--full")).startswith("No problems found")


def test_the_expiry_sweep_and_the_reports_see_the_new_time(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "first"))
    booked(shop, "ana", "massage", "2026-12-01T10:00")
    sweep = json.loads(dry_ok(shop("notify", "--dry-run", "--format", "json", now="2027-01-05T09:00")))
    assert [(n["action"], n["client_package"], n["detail"]) for n in sweep] == [
        ("expire", "ana.p1", "valid through 2027-01-01; forfeits 4 Massage 60 sessions")]
    expiring = ok(shop("report", "expiring", "--format", "csv", now="2026-12-05T09:00"))
    assert expiring.splitlines()[1].startswith("2027-01-01,27,ana,ana.p1,first,")
    ok(shop("move", "ana.b1", "2026-12-20T10:00"))
    assert json.loads(dry_ok(shop("notify", "--dry-run", "--format", "json", now="2027-01-05T09:00"))) == []
    assert ok(shop("report", "expiring", "--format", "csv", now="2026-12-05T09:00")).count("\n") == 1
    ok(shop("attend", "ana.b1", now="2027-01-05T09:00"))
    usage = json.loads(ok(shop("report", "usage", "--from", "2026-12-01", "--to", "2026-12-31", "--format", "json",
                               now="2027-01-05T09:00")))
    assert [(r["date"], r["booking"], r["status"]) for r in usage["rows"]] == [("2026-12-20", "ana.b1", "attended")]
    clean(shop)


def test_move_chooses_again_when_the_package_cannot_pay_then(shop) -> None:  # type: ignore[no-untyped-def]
    write_package(shop.data_dir, "short", FIVE, expiry="on 2026-12-31")
    write_package(shop.data_dir, "five", FIVE, expiry="none")
    ok(shop("sell", "ana", "short"))
    ok(shop("sell", "ana", "five"))
    assert booked(shop, "ana", "massage", "2026-12-01T10:00")["package"] == "ana.p1"
    record = json.loads(ok(shop("move", "ana.b1", "2027-01-05T10:00", "--format", "json")))
    assert {k: record[k] for k in ("id", "start", "package", "moved_from", "why", "fee")} == {
        "id": "ana.b1", "start": "2027-01-05T10:00:00+00:00", "package": "ana.p2", "moved_from": "2026-12-01T10:00:00+00:00",
        "why": "ana.p1 cannot pay at the new time (expires on 2026-12-31, before the session on 2027-01-05); the only eligible package",
        "fee": "0.00"}
    assert balance_of(shop, "ana", "ana.p1")["remaining"] == {"massage": 5}
    assert balance_of(shop, "ana", "ana.p2")["remaining"] == {"massage": 4}
    moved = json.loads(ok(shop("move", "ana.b1", "2026-12-02T10:00", "--no-package", "--format", "json")))
    assert (moved["package"], moved["fee"], moved["why"]) == (None, "90.00", "moved without a package (--no-package)")
    again = json.loads(ok(shop("move", "ana.b1", "2026-12-03T10:00", "--package", "ana.p1", "--format", "json")))
    assert (again["package"], again["fee"]) == ("ana.p1", "0.00")
    assert [r["what"] for r in history_of(shop, "ana") if r["type"] == "moved"] == [
        "ana.b1 moved from 2026-12-01 10:00 to 2027-01-05 10:00; draws 1 massage from ana.p2 (was ana.p1)",
        "ana.b1 moved from 2027-01-05 10:00 to 2026-12-02 10:00; regular fee 90.00 + 0.00 tax (was ana.p2)",
        "ana.b1 moved from 2026-12-02 10:00 to 2026-12-03 10:00; draws 1 massage from ana.p1"]
    clean(shop)


def test_move_of_a_series_session(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    rows = booked(shop, "ana", "massage", "2026-12-01T10:00", "--repeat", "weekly", "--count", "3")
    assert {r["series"] for r in rows} == {"ana.b1"}
    refused(shop, ("move", "ana.b2", "2026-12-15T10:30"), 1,
            "the practitioner is already booked then: ana.b3 (massage, 2026-12-15 10:00-11:00); "
            "choose another time, or give --allow-overlap to book it anyway")
    record = json.loads(ok(shop("move", "ana.b2", "2026-12-09T10:00", "--reason", "asked by phone", "--format", "json")))
    assert (record["series"], record["package"], record["start"]) == ("ana.b1", "ana.p1", "2026-12-09T10:00:00+00:00")
    [row] = [r for r in history_of(shop, "ana") if r["type"] == "moved"]
    assert row["why"] == "asked by phone"
    clean(shop)


def test_what_move_refuses(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    booked(shop, "ana", "massage", "2026-12-01T10:00")
    booked(shop, "bob", "massage", "2026-12-02T10:00")
    refused(shop, ("move", "ana.b1", "2026-12-02T10:30"), 1,
            "the practitioner is already booked then: bob.b1 (massage, 2026-12-02 10:00-11:00); "
            "choose another time, or give --allow-overlap to book it anyway")
    refused(shop, ("move", "ana.b1", "2027-12-02T10:00"), 1,
            "the session on 2027-12-02 is more than a year after today (2026-11-20); check the date, or give --force if it is right")
    refused(shop, ("move", "ana.b1", "2026-12-01T10:00"), 1, "booking ana.b1 is already at 2026-12-01 10:00; nothing to move")
    refused(shop, ("move", "ana.b1", "2026-12-03T10:00", "--package", "ana.p1", "--no-package"), 2,
            "give either --package or --no-package, not both")
    refused(shop, ("move", "ana.b9", "2026-12-03T10:00"), 2, "no booking 'ana.b9'; see 'sessionpack history ana'")
    refused(shop, ("move", "ana.b1", "someday"), 2,
            "WHEN must be an ISO date-time like 2026-12-01T10:00, not 'someday'")
    ok(shop("cancel", "ana.b1"))
    refused(shop, ("move", "ana.b1", "2026-12-03T10:00"), 1, "booking ana.b1 is cancelled: only a booked session can be moved")
    moved = json.loads(ok(shop("move", "bob.b1", "2026-12-02T10:30", "--format", "json")))  # never an overlap with itself
    assert moved["start"] == "2026-12-02T10:30:00+00:00"


def test_move_runs_its_hook_and_works_as_a_real_process(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    booked(shop, "ana", "massage", "2026-12-01T10:00")
    hooks = shop.data_dir / "hooks"
    hooks.mkdir(exist_ok=True)
    log = shop.data_dir.parent / "moved.json"
    (hooks / "moved").write_text(f"#!/bin/sh\ncat > '{log}'\n")
    (hooks / "moved").chmod(0o755)
    result = shop.proc("move", "ana.b1", "2026-12-04T11:00")
    assert (result.returncode, result.stderr) == (0, "")
    payload = json.loads(log.read_text())
    assert (payload["type"], payload["booking"], payload["to"], payload["package_state"]["remaining"]) == (
        "moved", "ana.b1", "2026-12-04T11:00:00+00:00", {"massage": 4})


# ---------------------------------------------------------------- batch marking (rule 26)


def test_attend_several_in_one_commit(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    booked(shop, "ana", "massage", "2026-12-01T10:00")
    booked(shop, "ana", "massage", "2026-12-01T14:00")
    booked(shop, "bob", "massage", "2026-12-01T12:00")
    out = ok(shop("attend", "ana.b1", "bob.b1", "ana.b2", now="2026-12-01T18:00"))
    assert out == "ana.b1: attended\nbob.b1: attended\nana.b2: attended\n"
    marked = [e for e in events(shop.data_dir) if e["type"] == "attended"]
    assert [e["booking"] for e in marked] == ["ana.b1", "bob.b1", "ana.b2"]
    assert len({e["command"] for e in marked}) == 1
    assert balance_of(shop, "ana", "ana.p1")["remaining"] == {"massage": 3}
    clean(shop)


def test_a_batch_is_all_or_nothing(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    booked(shop, "ana", "massage", "2026-12-01T10:00")
    booked(shop, "ana", "massage", "2026-12-02T10:00")
    booked(shop, "bob", "massage", "2026-12-01T12:00")
    ok(shop("cancel", "ana.b2"))
    refused(shop, ("attend", "ana.b1", "ana.b2", "bob.b1"), 1, "booking ana.b2 is already cancelled; nothing was changed (to change that, undo the command "
        "that did it: 'sessionpack log --client ana' shows its id)",
            now="2026-12-03T09:00")
    refused(shop, ("no-show", "ana.b1", "bob.b1"), 1,
            "bob.b1 starts at 2026-12-01 12:00, after now (2026-12-01 11:00): it cannot be marked a no-show before it starts; "
            "give --force if it is right", now="2026-12-01T11:00")
    refused(shop, ("attend", "ana.b1", "ana.b1"), 2, "booking ana.b1 is given twice; give each booking once", now="2026-12-03T09:00")
    refused(shop, ("attend", "ana.b1", "cy.b1"), 2,
            "no client 'cy'; see 'sessionpack client list' or add one with 'sessionpack client add'", now="2026-12-03T09:00")
    refused(shop, ("attend",), 2, "give one or more booking ids, or --client CLIENT --date DATE")
    refused(shop, ("attend", "--client", "ana"), 2, "--client and --date go together: give both, or booking ids")
    refused(shop, ("attend", "ana.b1", "--client", "ana", "--date", "2026-12-01"), 2,
            "give booking ids, or --client and --date, not both")
    refused(shop, ("cancel", "ana.b1", "ana.p1"), 2,
            "a client package is cancelled on its own: give one client package id, or booking ids only")


def test_cancel_several_returns_each_session(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    for day in ("01", "02", "03"):
        booked(shop, "ana", "massage", f"2026-12-{day}T10:00")
    rows = json.loads(ok(shop("cancel", "ana.b1", "ana.b3", "--reason", "away", "--format", "json", "--yes")))
    assert rows == [
        {"id": "ana.b1", "status": "cancelled", "package": "ana.p1", "outcome": "return", "late": False, "fee": "0.00"},
        {"id": "ana.b3", "status": "cancelled", "package": "ana.p1", "outcome": "return", "late": False, "fee": "0.00"}]
    assert balance_of(shop, "ana", "ana.p1")["remaining"] == {"massage": 4}
    one = json.loads(ok(shop("cancel", "ana.b2", "--format", "json")))  # one booking named: one object, as before
    assert one["id"] == "ana.b2"


def test_mark_a_clients_day(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    booked(shop, "ana", "massage", "2026-12-01T10:00")
    booked(shop, "ana", "massage", "2026-12-01T16:00")
    booked(shop, "ana", "massage", "2026-12-02T10:00")
    booked(shop, "bob", "massage", "2026-12-01T12:00")
    refused(shop, ("attend", "--client", "ana", "--date", "today"), 1,
            "ana.b2 starts at 2026-12-01 16:00, after now (2026-12-01 12:00): it cannot be marked attended before it starts; "
            "give --force if it is right", now="2026-12-01T12:00")
    rows = json.loads(ok(shop("attend", "--client", "ana", "--date", "today", "--format", "json", now="2026-12-01T18:00")))
    assert [(r["id"], r["status"]) for r in rows] == [("ana.b1", "attended"), ("ana.b2", "attended")]
    refused(shop, ("attend", "--client", "ana", "--date", "2026-12-01"), 1,
            "ana has no booked sessions on 2026-12-01; nothing was changed", now="2026-12-01T18:00")
    assert json.loads(ok(shop("report", "bookings", "--from", "2026-12-01", "--to", "2026-12-01", "--client", "bob",
                              "--format", "json")))["rows"][0]["status"] == "booked"
    out = ok(shop("cancel", "--client", "ana", "--date", "2026-12-02", "--reason", "ill"))
    assert out == "ana.b3: cancelled; returned to ana.p1\n"
    clean(shop)


def test_batch_marking_as_a_real_process(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    booked(shop, "ana", "massage", "2026-12-01T10:00")
    booked(shop, "bob", "massage", "2026-12-01T12:00")
    result = shop.proc("no-show", "ana.b1", "bob.b1", "--format", "csv", now="2026-12-01T13:00")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == ("id,status,package,outcome,late,fee\n"
                             "ana.b1,no-show,ana.p1,return,no,0.00\nbob.b1,no-show,,,no,90.00\n")


# ---------------------------------------------------------------- service delete (rule 27)


def test_service_delete_is_refused_when_a_sold_package_includes_it(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    refused(shop, ("service", "delete", "massage"), 1,
            "service 'massage' is in packages sold 1 time and cannot be deleted; deactivate it with 'sessionpack service deactivate massage'")
    write_package(shop.data_dir, "draft", FIVE, contents={"sessions": {"thai": 2}})
    refused(shop, ("service", "delete", "thai"), 1,
            "package draft includes thai; take it out with 'sessionpack package edit' or delete that package first")
    ok(shop("package", "delete", "draft"))
    assert ok(shop("service", "delete", "thai")) == "Deleted service thai\n"


def test_a_deleted_service_keeps_its_history_and_is_never_booked_again(shop) -> None:  # type: ignore[no-untyped-def]
    booked(shop, "ana", "thai", "2026-12-01T10:00")
    assert ok(shop("service", "delete", "thai")) == "Deleted service thai\n"
    assert "deleted = true\n" in (shop.data_dir / "services" / "thai.toml").read_text()
    assert [s["id"] for s in json.loads(ok(shop("service", "list", "--format", "json")))] == ["massage"]
    listed = json.loads(ok(shop("service", "list", "--all", "--format", "json")))
    assert [(s["id"], s["deleted"]) for s in listed] == [("massage", False), ("thai", True)]
    refused(shop, ("book", "bob", "thai", "2026-12-02T10:00"), 1,
            "service 'thai' was deleted and cannot be booked; see 'sessionpack service list'")
    refused(shop, ("service", "delete", "thai"), 1, "service 'thai' is already deleted")
    refused(shop, ("service", "edit", "thai", "--price", "100"), 1, "service 'thai' is deleted and cannot be edited; add a new service instead")
    refused(shop, ("service", "deactivate", "thai"), 1, "service 'thai' is deleted, so it is not booked anyway")
    refused(shop, ("service", "add", "thai", "--name", "Thai", "--duration", "60", "--price", "90"), 1,
            "service 'thai' exists (deleted; its id stays taken); choose another id")
    refused(shop, ("package", "create", "thai-3", "--name", "3 Thai", "--service", "thai=3", "--price", "300"), 1,
            "service 'thai' was deleted and cannot be in a package; choose another service")
    assert history_of(shop, "ana")[-1]["what"].startswith("booked ana.b1: thai on 2026-12-01 10:00")
    assert ok(shop("move", "ana.b1", "2026-12-03T10:00")).startswith("Moved ana.b1: thai on 2026-12-03 10:00")
    assert ok(shop("attend", "ana.b1", now="2026-12-03T12:00")) == "ana.b1: attended\n"
    clean(shop)


# ---------------------------------------------------------------- currencies (rule 28)


def test_init_takes_only_iso_4217_codes(sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    data_dir.mkdir()
    before = tree_hash(data_dir)
    for code, said in (("ABC", "is not an ISO 4217 code"), ("BTC", "is not an ISO 4217 code"),
                       ("XAU", "is in ISO 4217, but as a precious metal, not money a practice is paid in")):
        result = sp("init", "--currency", code, "--timezone", "UTC")
        assert (result.exit_code, result.stdout, result.stderr) == (
            2, "", f"error: currency '{code}' {said}; use one such as EUR, USD, GBP, BRL or JPY\n")
        assert tree_hash(data_dir) == before
    ok(sp("init", "--currency", "chf", "--timezone", "UTC"))
    assert 'currency = "CHF"' in (data_dir / "settings.toml").read_text()
