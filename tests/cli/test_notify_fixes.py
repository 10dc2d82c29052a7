"""notify and report expiring: notices after an undo, the nearest expiring
notice, pending notices about an expired package, templates with a
byte-order mark, --now given a date where midnight does not exist, and
the words of a suppressed notice and of the last valid day."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_util import DRY_RUN_NOTE, clean, events, history_of, ok, ok_json
from notify_util import FakeSendmail, notice_events, set_settings, tree_bytes

NOTICES = {"expiring_days": [30, 7], "from": "Studio Test <studio@example.com>"}


def row(action: str, cp: str, kind: str, recipient: str, to: str, detail: str, key: str) -> dict[str, str]:
    return {"action": action, "client_package": cp, "kind": kind, "recipient": recipient, "to": to, "detail": detail, "key": key}


def sold(practice, contents: str, expires: str = "1 month"):  # type: ignore[no-untyped-def]
    """ana holds ana.p1 (``contents`` of massage, valid through 2026-12-20
    with the default expiry); JSON-lines delivery."""
    ok(practice("package", "create", "pack", "--name", "Pack", "--service", f"massage={contents}", "--price", "100", "--expires", expires))
    ok(practice("sell", "ana", "pack"))
    set_settings(practice.data_dir, notices=NOTICES, delivery={"method": "jsonl"})
    return practice


def last_command(data_dir: Path) -> str:
    return events(data_dir)[-1]["command"]


def dry_rows(sp, now: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    result = sp("notify", "--dry-run", "--format", "json", now=now)
    assert (result.exit_code, result.stderr) == (0, DRY_RUN_NOTE), result.stderr
    return json.loads(result.stdout)


def sendmail(sp, tmp_path: Path) -> FakeSendmail:  # type: ignore[no-untyped-def]
    fake = FakeSendmail(tmp_path)
    set_settings(sp.data_dir, notices=NOTICES, delivery={"method": "sendmail", "program": str(fake.program)})
    return fake


# ---------------------------------------------------------------- 1. notices after an undo


def test_undoing_the_undo_of_an_attendance_sends_the_used_up_notice(practice) -> None:  # type: ignore[no-untyped-def]
    shop = sold(practice, "2", expires="on 2027-12-31")
    ok(shop("notify", "--quiet"))  # a first run: it records where the next one starts
    ok(shop("book", "ana", "massage", "2026-11-21T09:00"))
    ok(shop("book", "ana", "massage", "2026-11-21T10:00"))
    ok(shop("attend", "ana.b1", now="2026-11-21T12:00"))
    ok(shop("attend", "ana.b2", now="2026-11-21T12:00"))
    attended = last_command(shop.data_dir)
    ok(shop("undo", attended, "--reason", "marked too early", "--yes", now="2026-11-21T12:00"))
    undo = last_command(shop.data_dir)
    sent = shop("notify", now="2026-11-21T12:00")  # 0 free, 1 booked: running low
    assert [json.loads(line)["key"] for line in sent.stdout.splitlines()] == ["low:ana.p1:massage:1"]
    ok(shop("undo", undo, "--reason", "it did happen after all", "--yes", now="2026-11-21T12:00"))
    assert ok_json(shop("balance", "ana", "--format", "json", now="2026-11-21T12:00"))[0]["status"] == "used up"
    assert dry_rows(shop, "2026-11-21T12:00") == [
        row("send", "ana.p1", "used-up", "ana", "ana@example.com", "Pack: all used", "used-up:ana.p1:1")]
    result = shop("notify", now="2026-11-21T12:00")
    assert result.exit_code == 0
    assert [json.loads(line)["key"] for line in result.stdout.splitlines()] == ["used-up:ana.p1:1"]
    clean(shop)


def test_undoing_a_cancellation_sends_the_running_low_notice(practice) -> None:  # type: ignore[no-untyped-def]
    shop = sold(practice, "5", expires="on 2027-12-31")
    for day in ("02", "03", "04", "05"):
        ok(shop("book", "ana", "massage", f"2026-12-{day}T10:00"))
    ok(shop("cancel", "ana.b4"))
    cancelled = last_command(shop.data_dir)
    assert shop("notify").exit_code == 0  # 2 left to book: nothing due
    ok(shop("undo", cancelled, "--reason", "cancelled by mistake", "--yes"))
    assert dry_rows(shop, "2026-11-20T09:30") == [
        row("send", "ana.p1", "low", "ana", "ana@example.com", "Pack: 1 Massage 60 session left, valid through 31 Dec 2027",
            "low:ana.p1:massage:1")]


def test_an_undo_judges_only_the_packages_it_changed(practice) -> None:  # type: ignore[no-untyped-def]
    shop = sold(practice, "1", expires="on 2027-12-31")  # ana.p1: one session, used before notices were set up
    ok(shop("book", "ana", "massage", "2026-11-19T10:00"))
    ok(shop("attend", "ana.b1"))
    ok(shop("sell", "ana", "pack"))  # ana.p2
    ok(shop("notify", "--quiet"))  # the first run sends nothing about ana.p1, used up before it
    ok(shop("book", "ana", "massage", "2026-12-01T10:00"))
    ok(shop("cancel", "ana.b2"))
    ok(shop("undo", last_command(shop.data_dir), "--reason", "x", "--yes"))
    before = tree_bytes(shop.data_dir)
    assert dry_rows(shop, "2026-11-20T09:30") == []  # ana.p2 is booked, not used up; ana.p1 was not touched
    assert tree_bytes(shop.data_dir) == before


# ---------------------------------------------------------------- 2. report expiring: the nearest notice


def expiring_notice(sp, now: str) -> str:  # type: ignore[no-untyped-def]
    [found] = ok_json(sp("report", "expiring", "--format", "json", now=now))["rows"]
    return found["notice"]


def test_report_expiring_names_the_7_day_notice_sent_not_the_30_day_one_settled_after_it(practice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shop = sold(practice, "5")
    fake = sendmail(shop, tmp_path)
    fake.exit_with(75)  # the mail server is down: the 30-day notice stays pending
    assert shop("notify", "--quiet").exit_code == 75
    fake.exit_with(None)
    result = ok_json(shop("notify", "--format", "json", now="2026-12-14T09:00"))
    assert [(r["action"], r["key"]) for r in result] == [("sent", "expiring:ana.p1:2026-12-20:7d"),
                                                         ("suppressed", "expiring:ana.p1:2026-12-20:30d")]
    assert expiring_notice(shop, "2026-12-14T09:00") == "sent (7 days before)"


def test_report_expiring_after_a_retry_of_an_out_of_date_30_day_notice(practice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shop = sold(practice, "5")
    fake = sendmail(shop, tmp_path)
    fake.exit_with(67)  # refused for good
    assert shop("notify", "--quiet").exit_code == 0
    fake.exit_with(None)
    assert shop("notify", "--quiet", now="2026-12-14T09:00").exit_code == 0
    result = ok_json(shop("notify", "--retry", "expiring:ana.p1:2026-12-20:30d", "--format", "json", now="2026-12-14T10:00"))
    assert [(r["action"], r["detail"]) for r in result] == [("suppressed", "the 7-day notice of ana.p1 is due instead")]
    assert expiring_notice(shop, "2026-12-14T10:00") == "sent (7 days before)"


# ---------------------------------------------------------------- 3. a pending notice about a package that expired


def test_a_pending_low_notice_is_not_delivered_once_the_package_expired(practice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shop = sold(practice, "2")
    fake = sendmail(shop, tmp_path)
    ok(shop("notify", "--quiet", now="2026-12-14T09:00"))  # the 7-day notice
    ok(shop("book", "ana", "massage", "2026-12-15T10:00", now="2026-12-14T09:00"))
    ok(shop("attend", "ana.b1", now="2026-12-15T12:00"))  # 1 left: running low
    fake.exit_with(75)
    assert shop("notify", "--quiet", now="2026-12-16T07:30").exit_code == 75  # the low notice stays pending
    fake.exit_with(None)
    mailed = len(fake.calls())
    result = ok_json(shop("notify", "--format", "json", now="2026-12-28T07:30"))
    assert [(r["action"], r["kind"], r["detail"]) for r in result] == [
        ("expired", "expiry", "valid through 2026-12-20; forfeits 1 Massage 60 session"),
        ("sent", "expired", "fake-sendmail exit 0"),
        ("suppressed", "low", "ana.p1 expired on 2026-12-21"),
    ]
    assert [call[1]["Subject"] for call in fake.calls()[mailed:]] == ["Pack: expired on 21 Dec 2026, 1 Massage 60 session not used"]
    [suppressed] = [e for e in notice_events(shop.data_dir) if e["type"] == "notice-suppressed"]
    assert (suppressed["key"], suppressed["reason"]) == ("low:ana.p1:massage:1", "ana.p1 expired on 2026-12-21")


# ---------------------------------------------------------------- 4. replaying an earlier day


def test_replaying_an_earlier_day_never_sends_the_30_day_notice_after_the_7_day_one(practice) -> None:  # type: ignore[no-untyped-def]
    shop = sold(practice, "5")
    sent = shop("notify", now="2026-12-14T09:00")
    assert [json.loads(line)["key"] for line in sent.stdout.splitlines()] == ["expiring:ana.p1:2026-12-20:7d"]
    before = tree_bytes(shop.data_dir)
    assert dry_rows(shop, "2026-11-25T09:00") == []
    assert tree_bytes(shop.data_dir) == before
    replay = shop("notify", now="2026-11-25T09:00")
    assert (replay.exit_code, replay.stdout) == (0, "")
    assert replay.stderr == "Nothing to do: no expiry to record and no notice due\n"


# ---------------------------------------------------------------- 5. a template with a byte-order mark


def test_a_template_with_a_byte_order_mark_is_read_as_utf8(practice) -> None:  # type: ignore[no-untyped-def]
    shop = sold(practice, "5")
    (shop.data_dir / "templates").mkdir(exist_ok=True)
    (shop.data_dir / "templates" / "expiring.txt").write_bytes(
        "\ufeffSubject: $package ends on $expires\n\nHello $name,\n$summary\n".encode("utf-8"))
    [line] = [json.loads(text) for text in shop("notify", now="2026-12-14T09:00").stdout.splitlines()]
    assert (line["subject"], line["body"]) == ("Pack ends on 20 Dec 2026", "Hello Ana Lima,\nMassage 60: used 0 of 5 · 0 booked · 5 free\n")


# ---------------------------------------------------------------- 6. --now DATE where midnight does not exist


@pytest.fixture
def santiago(sp):  # type: ignore[no-untyped-def]
    """A practice in America/Santiago, where the clocks go from 23:59 on 5
    Sep 2026 to 01:00 on 6 Sep (summer time begins at midnight)."""
    ok(sp("init", "--name", "Studio", "--currency", "CLP", "--timezone", "America/Santiago", now="2026-09-01T09:00"))
    ok(sp("service", "add", "massage", "--name", "Massage 60", "--duration", "60", "--price", "30000", now="2026-09-01T09:00"))
    ok(sp("client", "add", "ana", "--name", "Ana", "--email", "ana@example.com", now="2026-09-01T09:00"))
    return sp


def test_now_given_a_date_alone_is_the_first_time_of_that_day_that_exists(santiago) -> None:  # type: ignore[no-untyped-def]
    result = santiago("notify", "--dry-run", now="2026-09-06")
    assert (result.exit_code, result.stderr) == (0, DRY_RUN_NOTE)
    ok(santiago("client", "add", "bo", "--name", "Bo", now="2026-09-06"))
    assert events(santiago.data_dir)[-1]["at"] == "2026-09-06T01:00:00-03:00"
    ok(santiago("client", "add", "cy", "--name", "Cy", now="2026-09-07"))  # an ordinary day: midnight
    assert events(santiago.data_dir)[-1]["at"] == "2026-09-07T00:00:00-03:00"


def test_now_given_a_time_the_clocks_skip_is_still_refused(santiago) -> None:  # type: ignore[no-untyped-def]
    result = santiago("notify", "--dry-run", now="2026-09-06T00:30")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("error: --now 2026-09-06T00:30 does not exist in America/Santiago (the clocks go forward): "
                             "the valid times on either side are 23:59 and 01:00\n")


# ---------------------------------------------------------------- 7. history: the reason of a suppression once


def test_history_shows_the_reason_of_a_suppressed_notice_once(practice) -> None:  # type: ignore[no-untyped-def]
    shop = sold(practice, "5")
    ok(shop("client", "edit", "ana", "--no-notices", "expiring"))
    assert shop("notify", "--quiet").exit_code == 0
    [entry] = [e for e in history_of(shop, "ana.p1") if e["type"] == "notice-suppressed"]
    assert (entry["what"], entry["why"]) == ("expiring notice of ana.p1 to ana not sent", "ana opted out of expiring notices")
    table = ok(shop("history", "ana.p1"))
    assert table.count("ana opted out of expiring notices") == 1


# ---------------------------------------------------------------- 8. the last valid day, in words


@pytest.mark.parametrize(("now", "words"), [
    ("2026-12-19T09:00", "is valid for 1 more day, through 20 Dec 2026."),
    ("2026-12-20T09:00", "is valid through today, 20 Dec 2026."),
    ("2026-12-14T09:00", "is valid for 6 more days, through 20 Dec 2026."),
])
def test_the_expiring_mail_says_how_long_in_words(practice, now: str, words: str) -> None:  # type: ignore[no-untyped-def]
    shop = sold(practice, "5")
    [line] = [json.loads(text) for text in shop("notify", now=now).stdout.splitlines()]
    assert line["body"].splitlines()[2] == f"Ana Lima's package Pack (ana.p1) {words}"
