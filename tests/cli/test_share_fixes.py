"""Sharing, transfers, access codes and hooks: a package emptied by its
owner after a gift is used up; what a code holder is told names no other
client; hooks a hook's sessionpack would run; dry runs make no access code;
a failed hook's last line; every figure of ``balance --wide``; the history
of a package whose share a link's end ended; ``book --package`` on a
package not the attendee's to use."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import sys
import time
from pathlib import Path

import pytest

from cli_util import balance_of, clean, dry_ok, dry_ok_json, events, history_of, journal, ok, ok_json, refused, write_package
from notify_util import set_settings
from test_adjust import CREDIT, FIVE, MINUTES, UNLIMITED

FIRST_USE = {"name": "4 massages", "expiry": "3 months from first use", "contents": {"sessions": {"massage": 4}},
             "payment": {"price": "320"}}
CODE = r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}"


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    for pid, data in (("five", FIVE), ("credit", CREDIT), ("unlimited", UNLIMITED), ("first-use", FIRST_USE),
                      ("minutes", MINUTES)):
        write_package(data_dir, pid, data)
    ok(practice("client", "add", "bruno", "--name", "Bruno Reis", "--email", "bruno@example.com"))
    return practice


def _hook(runner, name: str, body: str) -> None:  # type: ignore[no-untyped-def]
    path = runner.data_dir / "hooks" / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(stat.S_IRWXU)


def _record_payloads(runner, name: str) -> None:  # type: ignore[no-untyped-def]
    path = runner.data_dir / "hooks" / name
    path.write_text(f"#!{sys.executable}\nimport os, sys\n"
                    "with open(os.path.join(os.environ['SESSIONPACK_DATA_DIR'], 'payloads.jsonl'), 'a') as out:\n"
                    "    out.write(sys.stdin.read().strip() + '\\n')\n")
    path.chmod(stat.S_IRWXU)


def _payloads(runner) -> list[dict]:  # type: ignore[no-untyped-def]
    path = runner.data_dir / "payloads.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _status(runner, client: str, cp: str, now: str | None = None) -> str:  # type: ignore[no-untyped-def]
    summaries = ok_json(runner("balance", client, "--all", "--format", "json", **({"now": now} if now else {})))
    return next(s["status"] for s in summaries if s["id"] == cp)


def _sale_status(runner, cp: str, now: str) -> str:  # type: ignore[no-untyped-def]
    """The status ``report sales`` gives the sale of ``cp`` (its sale lines judge it as ``balance`` does)."""
    rows = ok_json(runner("report", "sales", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json", now=now))
    rows = rows["rows"] if isinstance(rows, dict) else rows
    return next(r["status"] for r in rows if r.get("id") == cp)


def _code(result) -> str:  # type: ignore[no-untyped-def]
    return ok_json(result)["code"]


# ---------------------------------------------------------------- 1. used up after a gift, transferred when a transfer empties it


def test_a_package_its_owner_empties_after_giving_some_away_is_used_up_with_its_notice_and_hook(shop) -> None:  # type: ignore[no-untyped-def]
    set_settings(shop.data_dir, notices={"expiring_days": [30, 7], "from": "Studio Test <studio@example.com>",
                                         "how_to_book": "Call.", "kinds": ["used-up"]}, delivery={"method": "jsonl"})
    _record_payloads(shop, "used-up")
    ok(shop("sell", "ana", "five"))
    for day in range(23, 27):
        ok(shop("book", "ana", "massage", f"2026-11-{day}T10:00"))
    assert shop("notify", "--quiet").exit_code == 0  # the first run: used-up notices are judged from here on
    ok(shop("transfer", "ana.p1", "bruno", "--sessions", "1", "--reason", "a gift"))  # her last free session
    assert _status(shop, "ana", "ana.p1") == "active"
    ok(shop("attend", "ana.b1", "ana.b2", "ana.b3", "ana.b4", now="2026-11-26T12:00"))
    assert _status(shop, "ana", "ana.p1", now="2026-11-26T12:00") == "used up"
    assert [(p["type"], p["client_package"], p["booking"], p["package_state"]["status"]) for p in _payloads(shop)] == [
        ("used-up", "ana.p1", "ana.b4", "used up")]
    result = shop("notify", now="2026-11-27T09:00")  # JSON-lines delivery: the notices on stdout, the report on stderr
    assert result.exit_code == 0
    assert [json.loads(line)["key"] for line in result.stdout.splitlines()] == ["used-up:ana.p1:1"]
    # the report's sale lines judge the status as balance does
    assert _sale_status(shop, "ana.p1", "2026-11-27T09:00") == "used up"
    clean(shop)


def test_a_transfer_that_empties_a_package_leaves_it_transferred_until_its_owner_uses_it_again(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("transfer", "--yes", "ana.p1", "bruno", "--all", "--reason", "moved abroad"))
    assert _status(shop, "ana", "ana.p1") == "transferred"
    assert _sale_status(shop, "ana.p1", "2026-11-20T10:00") == "transferred"
    ok(shop("undo", "--last", "--reason", "she stays"))
    assert _status(shop, "ana", "ana.p1") == "active"
    ok(shop("transfer", "--yes", "ana.p1", "bruno", "--all", "--reason", "moved abroad after all"))
    assert _status(shop, "ana", "ana.p1") == "transferred"
    ok(shop("adjust", "ana.p1", "--sessions", "+1", "--reason", "goodwill"))
    assert _status(shop, "ana", "ana.p1") == "active"
    ok(shop("book", "ana", "massage", "2026-11-23T10:00"))
    ok(shop("attend", "ana.b1", now="2026-11-23T12:00"))
    assert _status(shop, "ana", "ana.p1", now="2026-11-23T12:00") == "used up"  # emptied by her own session
    assert _sale_status(shop, "ana.p1", "2026-11-23T12:00") == "used up"
    clean(shop)


# ---------------------------------------------------------------- 2. a code holder is told nothing of other clients


@pytest.fixture
def shared(shop):  # type: ignore[no-untyped-def]
    """ana.p1 (4 massages, 3 months from first use) shared with bruno, who booked on it in March."""
    ok(shop("client", "relate", "bruno", "ana", "--as", "partner", "--can", "use-packages"))
    code = _code(shop("sell", "ana", "first-use", "--format", "json"))
    ok(shop("share", "ana.p1", "bruno"))
    ok(shop("book", "bruno", "massage", "2027-03-01T10:00", "--package", "ana.p1", "--force"))
    return shop, code


def test_a_code_holder_whose_session_would_start_the_clock_too_early_is_not_told_whose_booking_is_in_the_way(shared) -> None:  # type: ignore[no-untyped-def]
    shop, code = shared
    refused(shop, shop.data_dir, ("book", "--code", code, "massage", "2026-11-23T10:00"), 1,
            "a session on 2026-11-23 starts ana.p1's clock then: it would expire on 2027-02-23, before sessions booked "
            "on it on 2027-03-01; choose another time")
    # the desk is told whose booking it is, and its override
    refused(shop, shop.data_dir, ("book", "ana", "massage", "2026-11-23T10:00", "--package", "ana.p1"), 1,
            "a session on 2026-11-23 starts ana.p1's clock then: it would expire on 2027-02-23, before its bookings "
            "bruno.b1 on 2027-03-01; choose a later time, move those bookings, or confirm with --force")


def test_a_code_holder_whose_time_is_taken_by_another_client_is_not_told_whose(shared) -> None:  # type: ignore[no-untyped-def]
    shop, code = shared
    ok(shop("book", "bruno", "thai", "2026-11-23T10:00", "--no-package"))
    refused(shop, shop.data_dir, ("book", "--code", code, "massage", "2026-11-23T10:30"), 1,
            "that time is not free; choose another time")


def test_a_code_holder_is_not_told_who_received_an_unlimited_package(shop) -> None:  # type: ignore[no-untyped-def]
    code = _code(shop("sell", "ana", "unlimited", "--format", "json"))
    ok(shop("transfer", "--yes", "ana.p1", "bruno", "--all", "--reason", "moved abroad"))
    refused(shop, shop.data_dir, ("book", "--code", code, "massage", "2026-11-23T10:00"), 1,
            "ana.p1 cannot pay for this session: its unlimited use was transferred")
    refused(shop, shop.data_dir, ("book", "ana", "massage", "2026-11-23T10:00", "--package", "ana.p1"), 1,
            "ana.p1 cannot pay for this session: its unlimited use was transferred to bruno.p1")


def test_a_code_holder_is_not_sent_to_the_practice_s_link_command(shop) -> None:  # type: ignore[no-untyped-def]
    code = _code(shop("sell", "ana", "five", "--format", "json"))
    refused(shop, shop.data_dir, ("book", "--code", code, "massage", "2026-11-10T10:00"), 1,
            "ana.p1 cannot pay for this session: sold on 2026-11-20, after the session on 2026-11-10")
    refused(shop, shop.data_dir, ("book", "ana", "massage", "2026-11-10T10:00", "--package", "ana.p1"), 1,
            "ana.p1 cannot pay for this session: sold on 2026-11-20, after the session on 2026-11-10; book it without "
            "--package, then 'sessionpack link BOOKING ana.p1 --reason R' if it is meant")


# ---------------------------------------------------------------- 3. a sessionpack run by a hook runs no hooks


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="checks processes through /proc (Linux)")
def test_a_sessionpack_a_hook_runs_runs_no_hooks_so_nothing_outlives_the_command(shop) -> None:  # type: ignore[no-untyped-def]
    set_settings(shop.data_dir, hooks={"time_budget": 5})
    _hook(shop, "shared", "sessionpack client edit ana --tag from-hook >/dev/null 2>&1\n")
    _hook(shop, "client-edited", 'echo $$ > "$SESSIONPACK_DATA_DIR/inner.pid"\nexec sleep 778\n')
    ok(shop("sell", "ana", "five"))
    ok(shop("client", "relate", "bruno", "ana", "--as", "partner", "--can", "use-packages"))
    pid_file = shop.data_dir / "inner.pid"
    try:
        result = shop.proc("share", "ana.p1", "bruno", timeout=120)
        assert (result.returncode, result.stderr) == (0, ""), result.stderr
        assert "from-hook" in ok_json(shop("client", "show", "ana", "--format", "json"))["tags"]  # the hook's command ran
        assert not pid_file.exists()  # and ran no hook of its own
    finally:
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass


def test_a_hook_that_records_its_own_event_again_runs_once(shop) -> None:  # type: ignore[no-untyped-def]
    set_settings(shop.data_dir, hooks={"time_budget": 5})
    _hook(shop, "client-edited", 'n=$(cat "$SESSIONPACK_DATA_DIR/n" 2>/dev/null || echo 0); echo $((n + 1)) > "$SESSIONPACK_DATA_DIR/n"\n'
                                 "sessionpack client edit ana --tag edited-by-hook >/dev/null 2>&1\n")
    result = shop.proc("client", "edit", "ana", "--tag", "vip", timeout=120)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert (shop.data_dir / "n").read_text() == "1\n"
    assert len([e for e in events(shop.data_dir) if e["type"] == "client-edited"]) == 2


# ---------------------------------------------------------------- 4. a dry run makes no access code


def test_a_dry_run_of_a_transfer_shows_no_access_code(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    before = journal(shop.data_dir)
    assert dry_ok(shop("transfer", "ana.p1", "bruno", "--sessions", "2", "--reason", "gift", "--dry-run")) == (
        "Transferred massage 2 from ana.p1 to bruno.p1 (for bruno; expires: 2027-02-20)\n"
        "Left on ana.p1: massage 3\n"
        "Dry run: nothing was recorded (the access code is made when the transfer is)\n")
    record = dry_ok_json(shop("transfer", "ana.p1", "bruno", "--sessions", "2", "--reason", "gift", "--dry-run", "--format", "json"))
    assert (record["id"], record["code"]) == ("bruno.p1", None)
    assert dry_ok(shop("transfer", "ana.p1", "bruno", "--sessions", "2", "--reason", "gift", "--dry-run", "--format", "csv")
                  ).splitlines()[1].endswith(",")
    assert journal(shop.data_dir) == before


def test_a_dry_run_of_a_code_reset_shows_no_code_and_the_old_one_still_works(shop) -> None:  # type: ignore[no-untyped-def]
    code = _code(shop("sell", "ana", "five", "--format", "json"))
    before = journal(shop.data_dir)
    assert dry_ok(shop("code", "reset", "ana.p1", "--dry-run")) == (
        "Dry run: nothing was recorded (the new access code for ana.p1 is made when the reset is; the old code still works)\n")
    assert dry_ok_json(shop("code", "reset", "ana.p1", "--dry-run", "--format", "json")) == {"id": "ana.p1", "code": None}
    assert journal(shop.data_dir) == before
    assert ok_json(shop("balance", "--code", code, "--format", "json"))["id"] == "ana.p1"


# ---------------------------------------------------------------- 6. a failed hook's last line


def test_a_failed_hook_is_quoted_by_the_last_line_it_wrote_however_much_it_wrote(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    _hook(shop, "code-reset", 'for i in $(seq 1 1000); do echo "sending reminder batch $i" >&2; done\n'
                              'echo "fatal: SMTP login refused" >&2\necho "" >&2\nexit 1\n')
    result = shop("code", "reset", "ana.p1")
    assert (result.exit_code, result.stderr) == (
        0, "warning: hooks/code-reset failed with exit 1: fatal: SMTP login refused; event 6 stays recorded\n")
    _hook(shop, "code-reset", "head -c 20000 /dev/zero | tr '\\0' x >&2\nexit 3\n")  # one line, longer than what is read
    result = shop("code", "reset", "ana.p1")
    assert (result.exit_code, result.stderr) == (
        0, "warning: hooks/code-reset failed with exit 3: ..." + "x" * 294 + "...; event 7 stays recorded\n")


# ---------------------------------------------------------------- 7. balance --wide adds up


def test_balance_wide_shows_what_was_transferred_voided_and_lapsed(shop) -> None:  # type: ignore[no-untyped-def]
    code = _code(shop("sell", "ana", "credit", "--format", "json"))
    ok(shop("transfer", "ana.p1", "bruno", "--money", "20", "--reason", "gift"))
    ok(shop("sell", "ana", "minutes", "--paid", "400"))
    ok(shop("book", "ana", "massage", "2026-11-23T10:00", "--package", "ana.p2"))
    ok(shop("attend", "ana.b1", now="2026-11-23T12:00"))
    ok(shop("refund", "ana.p2", "--amount", "100", "--yes", "--reason", "moving", now="2026-11-23T12:00"))
    lines = ok(shop("balance", "ana", "--all", "--wide", now="2026-11-23T12:00")).splitlines()
    assert re.split(r"  +", lines[1])[-3:] == ["scheduled", "taken out", "remaining"]
    cells = [re.split(r"  +", line) for line in lines[2:]]
    assert [row[-4:] for row in cells] == [["0.00", "0.00", "20.00 transferred", "280.00"],
                                           ["60", "0", "240 voided", "0"]]
    coded = ok(shop("balance", "--code", code, "--wide")).splitlines()
    assert coded[1].split() == ["item", "left", "booked", "valid", "status", "total", "used", "scheduled", "taken", "out", "remaining"]
    assert coded[2].split() == ["money", "280.00/300.00", "0.00", "never", "active", "300.00", "0.00", "0.00", "20.00",
                                "transferred", "280.00"]


# ---------------------------------------------------------------- 8. history of a package shows the end of its share


def test_history_of_a_package_shows_the_share_a_link_s_end_ended(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("client", "relate", "bruno", "ana", "--as", "partner", "--can", "use-packages"))
    ok(shop("share", "ana.p1", "bruno"))
    ok(shop("client", "relate", "bruno", "ana", "--as", "partner"))  # use-packages taken away
    assert history_of(shop, "ana.p1")[-1]["what"] == ("changed the link between bruno and ana: bruno is ana's partner "
                                                      "(no permissions); ana.p1 no longer shared with bruno")
    ok(shop("client", "relate", "bruno", "ana", "--as", "partner", "--can", "use-packages"))
    ok(shop("share", "ana.p1", "bruno"))
    ok(shop("client", "unrelate", "bruno", "ana", "--reason", "moved away"))
    [last] = history_of(shop, "ana.p1")[-1:]
    assert (last["type"], last["what"], last["why"], last["client_package"]) == (
        "unrelated", "ended the link between bruno and ana; ana.p1 no longer shared with bruno", "moved away", "ana.p1")
    assert [r["type"] for r in history_of(shop, "ana.p1")] == ["sold", "shared", "related", "shared", "unrelated"]


# ---------------------------------------------------------------- 9. book --package on a package not theirs to use


def test_book_on_a_package_not_shared_with_the_attendee_is_refused_as_link_refuses_it(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    message = ("bruno cannot use ana.p1: it is ana's and not shared with them; "
               "see 'sessionpack balance bruno' for the packages they can use")
    refused(shop, shop.data_dir, ("book", "bruno", "massage", "2026-11-23T10:00", "--package", "ana.p1"), 1, message)
    ok(shop("book", "bruno", "massage", "2026-11-24T10:00"))
    refused(shop, shop.data_dir, ("link", "bruno.b1", "ana.p1"), 1, message)
    refused(shop, shop.data_dir, ("move", "bruno.b1", "2026-11-25T10:00", "--package", "ana.p1"), 1, message)
    # shared, then no longer: the same
    ok(shop("client", "relate", "bruno", "ana", "--as", "partner", "--can", "use-packages"))
    ok(shop("share", "ana.p1", "bruno"))
    ok(shop("unshare", "ana.p1", "bruno", "--reason", "x"))
    refused(shop, shop.data_dir, ("book", "bruno", "massage", "2026-11-23T10:00", "--package", "ana.p1"), 1, message)
    # a package that does not exist stays bad input
    refused(shop, shop.data_dir, ("book", "bruno", "massage", "2026-11-23T10:00", "--package", "ana.p9"), 2,
            "no client package 'ana.p9' that bruno can use; see 'sessionpack balance bruno'")
    refused(shop, shop.data_dir, ("book", "bruno", "massage", "2026-11-23T10:00", "--package", "zoe.p1"), 2,
            "no client package 'zoe.p1' that bruno can use; see 'sessionpack balance bruno'")
