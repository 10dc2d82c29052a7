"""notify: the expiry sweep, notices exactly once, JSON lines, sendmail, opt-out, copies (issue 11)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cli_util import balance, clean, events, history_of, journal, ok, ok_json, dry_ok, dry_ok_json
from notify_util import FakeSendmail, notice_events, set_settings, tree_bytes

NOTICES = {"expiring_days": [30, 7], "from": "Studio Test <studio@example.com>", "how_to_book": "Call 912 345 678 to book."}


@pytest.fixture
def shop(practice):  # type: ignore[no-untyped-def]
    """ana holds ana.p1 (5 massages, valid through 2026-12-20); JSON-lines delivery."""
    ok(practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400", "--expires", "1 month"))
    ok(practice("sell", "ana", "five"))
    set_settings(practice.data_dir, notices=NOTICES, delivery={"method": "jsonl"})
    return practice


def words(line: str) -> str:
    return " ".join(line.split())


def quiet(sp, now: str):  # type: ignore[no-untyped-def]
    result = sp("notify", "--quiet", now=now)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return result


def lines(result) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(line) for line in result.stdout.splitlines()]


# ---------------------------------------------------------------- the sweep


def test_the_sweep_records_each_expiry_once_dated_the_day_after_the_last_valid_day(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("book", "ana", "massage", "2026-11-25T10:00"))
    ok(shop("attend", "ana.b1", now="2026-11-25T12:00"))
    ok(shop("book", "ana", "massage", "2026-12-10T10:00"))
    set_settings(shop.data_dir, notices=dict(NOTICES, kinds=["expiring", "low", "used-up"]))
    result = shop("notify", "--format", "json", now="2027-01-09T08:00")  # cron was off for three weeks
    assert (result.exit_code, result.stdout) == (0, "")  # JSON-lines delivery: the report goes to stderr
    assert json.loads(result.stderr) == [{"action": "expired", "client_package": "ana.p1", "kind": "expiry", "recipient": "", "to": "",
                                          "detail": "valid through 2026-12-20; forfeits 3 Massage 60 sessions", "key": ""}]
    [expired] = [e for e in events(shop.data_dir) if e["type"] == "expired"]
    assert {k: expired[k] for k in ("clients", "client_package", "on", "last_day", "forfeited", "booked_after")} == {
        "clients": ["ana"], "client_package": "ana.p1", "on": "2026-12-21", "last_day": "2026-12-20",
        "forfeited": {"massage": 3}, "booked_after": []}
    [summary] = balance(shop, now="2027-01-09T08:00")
    assert (summary["status"], summary["remaining"], summary["forfeited_at_expiry"]) == ("expired", {"massage": 0}, {"massage": 3})
    assert summary["balances"]["massage"]["expired"] == 3 and summary["balances"]["massage"]["scheduled"] == 1
    every = ok(shop("balance", "--all", now="2027-01-09T08:00"))
    assert "expired (3 forfeited)" in every
    assert history_of(shop, "ana.p1")[-1]["what"] == "ana.p1 expired on 2026-12-21 (valid through 2026-12-20); forfeited massage 3"
    before = journal(shop.data_dir)
    again = shop("notify", now="2027-01-10T08:00")
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "Nothing to do: no expiry to record and no notice due\n")
    assert journal(shop.data_dir) == before
    clean(shop)


def test_dry_run_shows_what_a_run_would_do_and_writes_nothing(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("client", "add", "bo", "--name", "Bo"))  # no email
    ok(shop("sell", "bo", "five"))
    before = tree_bytes(shop.data_dir)
    result = shop("notify", "--dry-run", now="2026-12-14T09:00")
    assert (result.exit_code, result.stderr) == (0, "warning: dry run: nothing was recorded\n")
    assert [words(line) for line in result.stdout.splitlines()] == [
        "Notify at 2026-12-14 09:00 (dry run: nothing recorded or sent)",
        "action client package kind recipient to detail key",
        "send ana.p1 expiring ana ana@example.com 5 massages: 5 Massage 60 sessions left, valid through 20 Dec 2026 expiring:ana.p1:2026-12-20:7d",
        "suppress bo.p1 expiring bo bo has no email address expiring:bo.p1:2026-12-20:7d"]
    as_json = dry_ok_json(shop("notify", "--dry-run", "--format", "json", now="2026-12-21T09:00"))
    assert [(r["action"], r["client_package"], r["kind"]) for r in as_json] == [
        ("expire", "ana.p1", "expiry"), ("expire", "bo.p1", "expiry"), ("send", "ana.p1", "expired"), ("suppress", "bo.p1", "expired")]
    assert as_json[0]["detail"] == "valid through 2026-12-20; forfeits 5 Massage 60 sessions"
    csv = dry_ok(shop("notify", "--dry-run", "--format", "csv", now="2026-12-21T09:00"))
    assert csv.splitlines()[0] == "action,client_package,kind,recipient,to,detail,key"
    assert dry_ok(shop("notify", "--dry-run", "--format", "tsv", now="2026-12-21T09:00")).count("\n") == 5
    assert tree_bytes(shop.data_dir) == before


# ---------------------------------------------------------------- notices


def test_json_lines_one_object_per_notice_each_sent_once(shop) -> None:  # type: ignore[no-untyped-def]
    result = shop("notify", now="2026-11-21T09:00")  # 29 days left: the 30-day notice
    assert result.exit_code == 0
    [line] = lines(result)
    assert {k: line[k] for k in ("key", "kind", "client_package", "client", "recipient", "copy", "to", "to_name", "from", "subject")} == {
        "key": "expiring:ana.p1:2026-12-20:30d", "kind": "expiring", "client_package": "ana.p1", "client": "ana",
        "recipient": "ana", "copy": False, "to": "ana@example.com", "to_name": "Ana Lima", "from": "Studio Test <studio@example.com>",
        "subject": "5 massages: 5 Massage 60 sessions left, valid through 20 Dec 2026"}
    assert line["date"] == "Sat, 21 Nov 2026 09:00:00 +0000"
    assert line["message_id"].startswith("<notice.") and line["message_id"].endswith("@example.com>")
    assert line["body"] == ("Hello Ana Lima,\n\nAna Lima's package 5 massages (ana.p1) is valid for 29 more days, through 20 Dec 2026.\n\n"
                            "Massage 60: used 0 of 5 · 0 booked · 5 free\n\nCall 912 345 678 to book.\n\nStudio Test\n")
    assert line["facts"] == {"days": 30, "days_left": 29, "last_day": "2026-12-20"}
    # The report goes to stderr: stdout carries only the notices.
    assert [words(line) for line in result.stderr.splitlines()[1:]] == [
        "action client package kind recipient to detail key",
        "sent ana.p1 expiring ana ana@example.com written to standard output expiring:ana.p1:2026-12-20:30d"]
    assert [e["type"] for e in notice_events(shop.data_dir)] == ["notice-pending", "notice-sent"]
    for when in ("2026-11-22T09:00", "2026-12-01T09:00"):
        assert shop("notify", now=when).stdout == ""
    [seven] = lines(shop("notify", now="2026-12-15T09:00"))
    assert seven["key"] == "expiring:ana.p1:2026-12-20:7d"
    assert shop("notify", now="2026-12-16T09:00").stdout == ""
    clean(shop)


def test_low_and_used_up_notices_and_no_expired_notice_for_a_used_up_package(shop) -> None:  # type: ignore[no-untyped-def]
    set_settings(shop.data_dir, notices=dict(NOTICES, expiring_days=[3]))
    quiet(shop, "2026-11-20T09:30")  # the first run: records where it judged up to
    for n in range(1, 5):
        ok(shop("book", "ana", "massage", f"2026-11-2{n}T10:00"))
    assert [x["key"] for x in lines(shop("notify", now="2026-11-20T10:00"))] == ["low:ana.p1:massage:1"]
    ok(shop("book", "ana", "massage", "2026-11-26T10:00"))
    assert shop("notify", now="2026-11-20T11:00").stdout == ""  # 0 left: the same low notice
    for n in range(1, 6):
        ok(shop("attend", f"ana.b{n}", now="2026-11-26T12:00"))
    [used] = lines(shop("notify", now="2026-11-27T09:00"))
    assert (used["key"], used["subject"]) == ("used-up:ana.p1:1", "5 massages: all used")
    assert shop("notify", now="2026-12-21T09:00").stdout == ""  # used up: nothing forfeited, nothing to say
    assert not [e for e in events(shop.data_dir) if e["type"] == "expired"]
    clean(shop)


def test_a_cancellation_rearms_the_low_notice(shop) -> None:  # type: ignore[no-untyped-def]
    for n in range(1, 5):
        ok(shop("book", "ana", "massage", f"2026-11-2{n}T10:00"))
    assert [x["key"] for x in lines(shop("notify", now="2026-11-20T10:00"))] == ["expiring:ana.p1:2026-12-20:30d", "low:ana.p1:massage:1"]
    ok(shop("cancel", "ana.b4", now="2026-11-20T11:00"))
    ok(shop("cancel", "ana.b3", now="2026-11-20T11:00"))  # 3 left: above the limit again
    assert shop("notify", now="2026-11-20T12:00").stdout == ""
    ok(shop("book", "ana", "massage", "2026-11-27T10:00"))
    ok(shop("book", "ana", "massage", "2026-11-28T10:00"))
    assert [x["key"] for x in lines(shop("notify", now="2026-11-20T13:00"))] == ["low:ana.p1:massage:2"]


def test_copies_go_to_linked_clients_with_the_notices_permission(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("client", "add", "carla", "--name", "Carla Lima", "--email", "carla@example.com"))
    ok(shop("client", "add", "rui", "--name", "Rui Lima", "--email", "rui@example.com"))
    ok(shop("client", "relate", "carla", "ana", "--as", "parent", "--can", "notices"))
    ok(shop("client", "relate", "rui", "ana", "--as", "sibling", "--can", "book-for"))
    sent = lines(shop("notify", now="2026-12-14T09:00"))
    assert [(x["key"], x["to"], x["copy"]) for x in sent] == [
        ("expiring:ana.p1:2026-12-20:7d", "ana@example.com", False),
        ("expiring:ana.p1:2026-12-20:7d:copy:carla", "carla@example.com", True)]
    assert sent[0]["message_id"] != sent[1]["message_id"]
    assert sent[1]["body"].endswith("Studio Test\nYou receive a copy of Ana Lima's notices as their parent.\n")
    whats = [row["what"] for row in history_of(shop, "ana")[-4:]]
    assert whats[-1] == ("expiring notice of ana.p1 sent to a copy for carla <carla@example.com> by jsonl: written to standard output")


def test_opting_out_of_a_kind_records_the_notice_as_suppressed(shop) -> None:  # type: ignore[no-untyped-def]
    result = shop("client", "edit", "ana", "--no-notices", "expiring")
    assert (result.exit_code, result.stdout) == (0, "Changed client ana: no_notices\n")
    assert ok_json(shop("client", "show", "ana", "--format", "json"))["no_notices"] == ["expiring"]
    result = shop("notify", now="2026-12-14T09:00")
    assert (result.stdout, words(result.stderr.splitlines()[2])) == (
        "", "suppressed ana.p1 expiring ana ana opted out of expiring notices expiring:ana.p1:2026-12-20:7d")
    [event] = notice_events(shop.data_dir)
    assert (event["type"], event["reason"]) == ("notice-suppressed", "ana opted out of expiring notices")
    ok(shop("client", "edit", "ana", "--notices", "all"))
    assert shop("notify", now="2026-12-15T09:00").stdout == ""  # suppressed is decided: never sent later
    refused = shop("client", "edit", "ana", "--no-notices", "weekly")
    assert (refused.exit_code, refused.stderr) == (2, "error: --no-notices 'weekly' is not a notice kind: use expiring, low, used-up, expired or all\n")


def test_without_a_delivery_method_notify_only_records_expiries(shop) -> None:  # type: ignore[no-untyped-def]
    set_settings(shop.data_dir, delivery={"method": "none"})
    result = shop("notify", now="2026-12-21T09:00")
    assert [words(line) for line in result.stdout.splitlines()[2:]] == [
        "expired ana.p1 expiry valid through 2026-12-20; forfeits 5 Massage 60 sessions",
        'note: notices are off: [delivery] method is "none" in settings.toml (set smtp, sendmail or jsonl)']
    assert [e["type"] for e in events(shop.data_dir)][-2:] == ["expired", "notices-checked"]


def test_quiet_prints_nothing_and_the_incremental_check_follows_notify(shop, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SESSIONPACK_FULL_CHECK_BELOW", "0")
    ok(shop("check"))  # leaves a checkpoint
    ok(shop("client", "add", "carla", "--name", "Carla Lima", "--email", "carla@example.com"))
    ok(shop("client", "relate", "carla", "ana", "--as", "parent", "--can", "notices"))
    result = shop("notify", "--quiet", now="2026-12-21T09:00")
    assert (result.exit_code, len(lines(result)), result.stderr) == (0, 2, "")
    seq = len(events(shop.data_dir))
    # since: a client, a link, an expiry, two notices pending and sent, where the run judged up to
    assert ok(shop("check")) == f"No problems found (checked 8 events since the last check at seq {seq - 8}; use --full to replay all)\n"
    assert ok(shop("check", "--full")) == "No problems found\n"
    views = tree_bytes(shop.data_dir / "views")
    ok(shop("check", "--rebuild"))
    assert {k: v for k, v in tree_bytes(shop.data_dir / "views").items() if k != "checkpoint.json"} == \
        {k: v for k, v in views.items() if k != "checkpoint.json"}


# ---------------------------------------------------------------- sendmail and the message


def test_sendmail_gets_the_recipient_explicitly_and_a_safe_message(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeSendmail(tmp_path)
    set_settings(shop.data_dir, delivery={"method": "sendmail", "program": str(fake.program)})
    result = shop("notify", now="2026-12-14T09:00")
    assert result.exit_code == 0, result.stderr
    [(argv, message)] = fake.calls()
    assert argv == ["-i", "--", "ana@example.com"]
    assert (message["From"], message["To"], message["Subject"], message["Auto-Submitted"]) == (
        "Studio Test <studio@example.com>", "Ana Lima <ana@example.com>", "5 massages: 5 Massage 60 sessions left, valid through 20 Dec 2026",
        "auto-generated")
    assert message["Date"] == "Mon, 14 Dec 2026 09:00:00 +0000"
    assert message["Message-ID"] == notice_events(shop.data_dir)[0]["message_id"]
    assert "fake-sendmail exit 0" in notice_events(shop.data_dir)[-1]["reply"]


def test_a_name_with_a_line_break_in_a_hand_edited_journal_adds_no_header(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeSendmail(tmp_path)
    set_settings(shop.data_dir, delivery={"method": "sendmail", "program": str(fake.program)})
    path = shop.data_dir / "journal.jsonl"
    text = path.read_text().replace('"name":"Ana Lima"', '"name":"Ana\\r\\nBcc: thief@evil.example\\r\\nX-Evil: 1"')
    path.write_text(text)
    # An edited line is named and never taken in unasked; the documented way to mean it: delete the view, rebuild.
    named = shop("check", "--rebuild")
    assert named.exit_code == 3 and "journal.jsonl:" in named.stdout and "views/clients/ana.json" in named.stdout
    (shop.data_dir / "views" / "clients" / "ana.json").unlink()
    ok(shop("check", "--rebuild"))
    assert shop("package", "edit", "five", "--name", "x").exit_code == 0  # the client package keeps the name it was sold with
    assert shop("notify", now="2026-12-14T09:00").exit_code == 0
    [(argv, message)] = fake.calls()
    assert argv == ["-i", "--", "ana@example.com"]
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert message["To"] == '"Ana Bcc: thief@evil.example X-Evil: 1" <ana@example.com>'
    assert len(message.get_all("To")) == 1


def test_sendmail_temporary_failure_exits_75_and_a_later_run_sends(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeSendmail(tmp_path)
    set_settings(shop.data_dir, delivery={"method": "sendmail", "program": str(fake.program)})
    fake.exit_with(75)
    result = shop("notify", now="2026-12-14T09:00")
    assert result.exit_code == 75
    assert result.stderr == ("error: fake-sendmail exit 75 (EX_TEMPFAIL): fake sendmail says 75; 1 notice(s) stay pending: "
                             "the next 'sessionpack notify' delivers them (exit 75: try again later)\n")
    assert result.stdout.splitlines()[-1].startswith("pending  ana.p1")
    fake.exit_with(None)
    assert shop("notify", now="2026-12-14T10:00").exit_code == 0
    calls = fake.calls()
    assert len(calls) == 2 and calls[0][1]["Message-ID"] == calls[1][1]["Message-ID"]
    assert [e["type"] for e in notice_events(shop.data_dir)] == ["notice-pending", "notice-sent"]


@pytest.mark.parametrize("program", ["missing", "not-executable", "no-such-name-on-path"])
def test_a_sendmail_program_that_cannot_run_is_found_before_anything_is_recorded(shop, tmp_path: Path, program: str) -> None:  # type: ignore[no-untyped-def]
    from tree import tree_hash

    path = {"missing": str(tmp_path / "nowhere" / "sendmail"), "no-such-name-on-path": "no-such-sendmail-here"}.get(program)
    if path is None:
        plain = tmp_path / "sendmail"
        plain.write_text("#!/bin/sh\nexit 0\n")
        plain.chmod(0o644)
        path = str(plain)
    set_settings(shop.data_dir, delivery={"method": "sendmail", "program": path})
    before = tree_hash(shop.data_dir)
    for args in (("notify",), ("notify", "--dry-run")):
        result = shop(*args, now="2026-12-14T09:00")
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == (f"error: the sendmail program {path} could not run (not found, or not executable); "
                                 "set [delivery] program in settings.toml\n")
    assert tree_hash(shop.data_dir) == before


def test_report_expiring_says_what_became_of_the_expiring_notice(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def notice(now: str) -> dict[str, str]:
        rows = ok_json(shop("report", "expiring", "--within", "60", "--format", "json", now=now))["rows"]
        return {row["id"]: row["notice"] for row in rows}

    assert notice("2026-11-20T09:00") == {"ana.p1": "not sent"}
    fake = FakeSendmail(tmp_path)
    set_settings(shop.data_dir, delivery={"method": "sendmail", "program": str(fake.program)})
    fake.exit_with(75)
    assert shop("notify", now="2026-11-25T09:00").exit_code == 75  # 25 days left: the 30-day notice waits in the outbox
    assert notice("2026-11-25T09:30") == {"ana.p1": "pending (30 days before)"}
    fake.exit_with(None)
    assert shop("notify", now="2026-11-25T10:00").exit_code == 0
    assert notice("2026-11-26T09:00") == {"ana.p1": "sent (30 days before)"}
    fake.exit_with(67)
    assert shop("notify", now="2026-12-14T09:00").exit_code == 0  # the 7-day notice is refused for good
    assert notice("2026-12-14T09:30") == {"ana.p1": "failed (7 days before)"}
    # A pause moves the last day: the notices about the old one do not count.
    ok(shop("pause", "ana.p1", "2026-12-15", "2026-12-16", now="2026-12-14T10:00"))
    assert notice("2026-12-14T10:30") == {"ana.p1": "not sent"}
    ok(shop("client", "edit", "ana", "--no-notices", "expiring"))
    assert shop("notify", now="2026-12-14T11:00").exit_code == 0
    assert notice("2026-12-14T11:30") == {"ana.p1": "not sent: ana opted out of expiring notices"}
    assert [e["key"] for e in notice_events(shop.data_dir) if e["type"] == "notice-suppressed"] == ["expiring:ana.p1:2026-12-22:30d"]


def test_a_command_recorded_between_two_deliveries_stays_in_the_views(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The lock is free while a notice is delivered: a booking recorded then
    (here by the mail program itself, during the second delivery, after the
    run has recorded the first) is in ana's views after the run."""
    import stat
    import sys

    ok(shop("sell", "ana", "five", now="2026-11-20T09:00"))  # ana.p2: a second notice, a second delivery
    program = tmp_path / "busy-sendmail"
    program.write_text(f"""#!/bin/sh
cat > /dev/null
if [ ! -f "{tmp_path}/first" ]; then
  touch "{tmp_path}/first"
elif [ ! -f "{tmp_path}/booked" ]; then
  touch "{tmp_path}/booked"
  "{sys.executable}" -m sessionpack --data-dir "{shop.data_dir}" --now 2026-12-14T09:00 book ana massage 2026-12-18T10:00 > /dev/null || exit 1
fi
exit 0
""")
    program.chmod(stat.S_IRWXU)
    set_settings(shop.data_dir, delivery={"method": "sendmail", "program": str(program)})
    result = shop.proc("notify", now="2026-12-14T09:00")
    assert (result.returncode, result.stderr) == (0, "")
    assert [e["type"] for e in notice_events(shop.data_dir)] == ["notice-pending", "notice-pending", "notice-sent", "notice-sent"]
    assert [e["type"] for e in events(shop.data_dir) if e["type"] == "booked"] == ["booked"]
    checked = shop("check")
    assert (checked.exit_code, checked.stdout) == (0, "No problems found\n"), checked.stdout
    [booking] = ok_json(shop("report", "bookings", "--from", "2026-12-18", "--to", "2026-12-18", "--format", "json",
                             now="2026-12-14T10:00"))["rows"]
    assert (booking["attendee"], booking["package"]) == ("ana", "ana.p1")


def test_a_run_killed_at_its_third_delivery_keeps_the_first_two_and_the_views_follow(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each outcome is durable in the journal before the next delivery; the
    views are written once at the end of a run. Killed in between, the
    journal is ahead of the views: readers see every outcome, and the next
    run brings the views up to date and sends only what was left."""
    import stat

    for _ in range(2):
        ok(shop("sell", "ana", "five", now="2026-11-20T09:00"))  # three packages: three notices
    program = tmp_path / "dying-sendmail"
    program.write_text(f"""#!/bin/sh
cat > /dev/null
n=$(ls "{tmp_path}" | grep -c '^call-')
touch "{tmp_path}/call-$n"
if [ "$n" = 2 ] && [ ! -f "{tmp_path}/killed" ]; then
  touch "{tmp_path}/killed"
  kill -9 $PPID
fi
exit 0
""")
    program.chmod(stat.S_IRWXU)
    set_settings(shop.data_dir, delivery={"method": "sendmail", "program": str(program)})
    killed = shop.proc("notify", now="2026-12-14T09:00")
    assert killed.returncode == -9
    assert [e["type"] for e in notice_events(shop.data_dir)] == ["notice-pending"] * 3 + ["notice-sent"] * 2
    index = json.loads((shop.data_dir / "views" / "index.json").read_text())
    assert index["seq"] < events(shop.data_dir)[-1]["seq"]  # the two outcomes are in the journal, not yet in the views
    sent = [row["what"].split(" sent to ")[0] for row in history_of(shop, "ana") if " sent to " in row["what"]]
    assert sent == ["expiring notice of ana.p1", "expiring notice of ana.p2"]  # a reader folds them in
    checked = shop("check")
    assert checked.exit_code == 0 and checked.stdout.startswith("No problems found"), checked.stdout
    again = shop.proc("notify", "--quiet", now="2026-12-14T09:20")
    assert (again.returncode, again.stderr) == (0, "")
    assert len(list(tmp_path.glob("call-*"))) == 4  # the third notice once more, nothing else
    assert [e["type"] for e in notice_events(shop.data_dir)].count("notice-sent") == 3
    assert ok(shop("check")) == "No problems found\n"


def test_sendmail_permanent_failure_is_recorded_listed_and_retried_on_request(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeSendmail(tmp_path)
    set_settings(shop.data_dir, delivery={"method": "sendmail", "program": str(fake.program)})
    fake.exit_with(67)  # EX_NOUSER
    result = shop("notify", now="2026-12-14T09:00")
    key = "expiring:ana.p1:2026-12-20:7d"
    assert result.exit_code == 0
    assert result.stderr == (f"warning: notice {key} to ana@example.com failed: fake-sendmail exit 67: fake sendmail says 67; "
                             f"fix what the reply says and send it again with 'sessionpack notify --retry {key}'\n")
    [failed] = ok_json(shop("notify", "--failed", "--format", "json"))
    assert (failed["key"], failed["reply"], failed["to"]) == (key, "fake-sendmail exit 67: fake sendmail says 67", "ana@example.com")
    assert shop("notify", now="2026-12-15T09:00").exit_code == 0 and len(fake.calls()) == 1  # not sent again by itself
    refused = shop("notify", "--retry", "low:ana.p1:massage:9", now="2026-12-15T09:00")
    assert (refused.exit_code, refused.stderr) == (2, "error: no failed notice 'low:ana.p1:massage:9'; 'sessionpack notify --failed' lists the failed ones\n")
    fake.exit_with(None)
    ok(shop("client", "edit", "ana", "--email", "ana.lima@example.com"))
    assert shop("notify", "--retry", key, now="2026-12-15T09:00").exit_code == 0
    assert fake.calls()[-1][0] == ["-i", "--", "ana.lima@example.com"]
    assert ok(shop("notify", "--failed")) == "No failed notices\n"
    assert [e["type"] for e in notice_events(shop.data_dir)] == ["notice-pending", "notice-failed", "notice-pending", "notice-sent"]


def test_a_notice_pending_from_a_killed_run_is_suppressed_if_the_package_was_cancelled_since(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeSendmail(tmp_path)
    set_settings(shop.data_dir, delivery={"method": "sendmail", "program": str(fake.program)})
    killed = shop.proc("notify", now="2026-12-14T09:00", env={"SESSIONPACK_TEST_CRASH_AT": "notice-delivered"})
    assert killed.returncode == -9 and len(fake.calls()) == 1
    ok(shop("cancel", "--yes", "ana.p1", "--reason", "moved away"))
    result = shop("notify", now="2026-12-14T10:00")
    assert result.exit_code == 0 and len(fake.calls()) == 1
    assert notice_events(shop.data_dir)[-1]["reason"] == "ana.p1 was cancelled"


def test_templates_in_the_data_directory_change_the_wording(shop) -> None:  # type: ignore[no-untyped-def]
    (shop.data_dir / "templates").mkdir()
    (shop.data_dir / "templates" / "expiring.txt").write_text("Subject: $$ Last call, $name\n\n$left until $expires ($days_left days).\n")
    [line] = lines(shop("notify", now="2026-12-14T09:00"))
    assert (line["subject"], line["body"]) == ("$ Last call, Ana Lima", "5 Massage 60 sessions until 20 Dec 2026 (6 days).\n")


def test_a_template_with_an_unknown_placeholder_is_refused_before_anything_is_recorded(shop) -> None:  # type: ignore[no-untyped-def]
    (shop.data_dir / "templates").mkdir()
    (shop.data_dir / "templates" / "low.txt").write_text("Subject: hi\n\nDear $nmae,\n")
    before = tree_bytes(shop.data_dir)
    result = shop("notify", now="2026-12-21T09:00")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: templates/low.txt:3: has an unknown placeholder $nmae; use $practice, $name, ")
    assert tree_bytes(shop.data_dir) == before


def test_two_runs_never_deliver_at_once(shop) -> None:  # type: ignore[no-untyped-def]
    import fcntl

    fd = os.open(shop.data_dir / "notify.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        result = shop("notify", now="2026-12-14T09:00")
    finally:
        os.close(fd)
    assert (result.exit_code, result.stderr) == (75, "error: another 'sessionpack notify' is running on this data directory; try again when it has finished\n")
    assert notice_events(shop.data_dir) == []


@pytest.mark.parametrize("dangling", [False, True])
def test_the_notify_lock_is_never_opened_through_a_link(shop, tmp_path: Path, dangling: bool) -> None:  # type: ignore[no-untyped-def]
    victim = tmp_path / "victim.txt"
    if not dangling:
        victim.write_text("precious\n")
    os.symlink(victim, shop.data_dir / "notify.lock")
    before = tree_bytes(shop.data_dir)
    for args in (("notify",), ("notify", "--retry", "low:ana.p1:massage:1")):
        result = shop(*args, now="2026-12-14T09:00")
        assert (result.exit_code, result.stdout) == (3, ""), result.stderr
        assert result.stderr == (f"error: {shop.data_dir / 'notify.lock'} is a symbolic link; sessionpack never reads or writes "
                                 "through a link inside its data directory: put the file itself there (nothing was changed)\n")
    assert tree_bytes(shop.data_dir) == before
    assert notice_events(shop.data_dir) == []
    if dangling:
        assert not victim.exists()  # not created through the link
    else:
        assert victim.read_text() == "precious\n"


def test_sending_mail_needs_a_sender(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    set_settings(shop.data_dir, notices={"expiring_days": 7}, delivery={"method": "sendmail", "program": "/bin/true"})
    result = shop("notify", now="2026-12-14T09:00")
    assert (result.exit_code, result.stderr) == (2, "error: settings.toml: [notices] from is needed to send mail with method 'sendmail'; "
                                                    "add e.g. from = \"Studio Lima <studio@example.com>\"\n")


def test_json_lines_stay_json_on_an_output_that_is_not_utf8(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("client", "add", "jose", "--name", "José Ñandú", "--email", "jose@example.com"))
    ok(shop("sell", "jose", "five"))
    done = shop.proc("notify", "--quiet", now="2026-11-21T08:00", env={"PYTHONIOENCODING": "ascii"})
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.isascii()
    [notice] = [line for line in map(json.loads, done.stdout.splitlines()) if line["client"] == "jose"]
    assert (notice["to_name"], notice["to"]) == ("José Ñandú", "jose@example.com")
