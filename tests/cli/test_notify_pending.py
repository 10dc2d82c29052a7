"""notify: notices left pending by a stopped run, --retry given a key twice, and
a dry run that judges pending and retried notices as the real run does."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest

from cli_util import DRY_RUN_NOTE, ok
from notify_util import FakeSendmail, Server, notice_events, set_settings

NOTICES = {"expiring_days": [7], "from": "Studio Test <studio@example.com>"}
WHEN = "2026-12-14T09:00"  # 6 days before the last valid day of every package sold below
KEY = "expiring:ana.p1:2026-12-20:7d"
SUBJECT = "5 massages: 5 Massage 60 sessions left, valid through 20 Dec 2026"
TEMPFAIL = ("error: fake-sendmail exit 75 (EX_TEMPFAIL): fake sendmail says 75; 1 notice(s) stay pending: "
            "the next 'sessionpack notify' delivers them (exit 75: try again later)\n")


def row(action: str, cp: str, recipient: str, to: str, detail: str, key: str, kind: str = "expiring") -> dict[str, str]:
    return {"action": action, "client_package": cp, "kind": kind, "recipient": recipient, "to": to, "detail": detail, "key": key}


@pytest.fixture
def shop(practice):  # type: ignore[no-untyped-def]
    """ana holds ana.p1 (5 massages, valid through 2026-12-20)."""
    ok(practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400", "--expires", "1 month"))
    ok(practice("sell", "ana", "five"))
    return practice


@pytest.fixture
def fake(shop, tmp_path: Path) -> FakeSendmail:  # type: ignore[no-untyped-def]
    sendmail = FakeSendmail(tmp_path)
    set_settings(shop.data_dir, notices=NOTICES, delivery={"method": "sendmail", "program": str(sendmail.program)})
    return sendmail


def json_rows(result, code: int = 0):  # type: ignore[no-untyped-def]
    assert result.exit_code == code, result.stderr
    return json.loads(result.stdout)


# ---------------------------------------------------------------- one row per notice when a run stops


def test_a_run_stopped_by_a_temporary_failure_lists_each_notice_once(shop) -> None:  # type: ignore[no-untyped-def]
    gone = Server()
    gone.stop()  # nothing listens on its port: every connection is refused (temporary, exit 75)
    set_settings(shop.data_dir, notices=NOTICES, delivery={"method": "smtp", "host": "127.0.0.1", "port": gone.port, "security": "none"})
    first = shop("notify", "--format", "json", now=WHEN)
    assert json_rows(first, 75) == [row("pending", "ana.p1", "ana", "ana@example.com", "not sent yet", KEY)]
    # a notice left by the first run and one recorded by this one: each once, in every format
    ok(shop("client", "add", "bo", "--name", "Bo", "--email", "bo@example.com"))
    ok(shop("sell", "bo", "five"))
    expected = [row("pending", "bo.p1", "bo", "bo@example.com", "not sent yet", "expiring:bo.p1:2026-12-20:7d"),
                row("pending", "ana.p1", "ana", "ana@example.com", "not sent yet", KEY)]
    second = shop("notify", "--dry-run", "--format", "json", now="2026-12-14T10:00")
    assert json_rows(second) == [row("send", "bo.p1", "bo", "bo@example.com", SUBJECT, "expiring:bo.p1:2026-12-20:7d"),
                                 row("resend", "ana.p1", "ana", "ana@example.com", SUBJECT, KEY)]
    as_csv = shop("notify", "--format", "csv", now="2026-12-14T10:00")
    assert as_csv.exit_code == 75
    assert list(csv.DictReader(io.StringIO(as_csv.stdout))) == expected
    assert [e["type"] for e in notice_events(shop.data_dir)] == ["notice-pending"] * 2
    table = shop("notify", now="2026-12-14T11:00")
    assert table.exit_code == 75
    assert [line.split()[:2] for line in table.stdout.splitlines()[2:]] == [["pending", "ana.p1"], ["pending", "bo.p1"]]


# ---------------------------------------------------------------- --retry KEY --retry KEY


def test_a_key_given_twice_to_retry_is_retried_once(shop, fake: FakeSendmail) -> None:  # type: ignore[no-untyped-def]
    hook = shop.data_dir / "hooks" / "notice-pending"
    hook.write_text('#!/bin/sh\ncat >> "$PWD/pending-hook.jsonl"; echo >> "$PWD/pending-hook.jsonl"\n')
    hook.chmod(stat.S_IRWXU)
    fake.exit_with(67)  # EX_NOUSER: failed for good
    assert shop("notify", "--quiet", now=WHEN).exit_code == 0
    fake.exit_with(None)
    dry = shop("notify", "--retry", KEY, "--retry", KEY, "--dry-run", "--format", "json", now="2026-12-15T09:00")
    assert dry.stderr == DRY_RUN_NOTE
    assert json_rows(dry) == [row("retry", "ana.p1", "ana", "ana@example.com", SUBJECT, KEY)]
    result = shop("notify", "--retry", KEY, "--retry", KEY, "--format", "json", now="2026-12-15T09:00")
    assert json_rows(result) == [row("sent", "ana.p1", "ana", "ana@example.com", "fake-sendmail exit 0", KEY)]
    assert [e["type"] for e in notice_events(shop.data_dir)] == ["notice-pending", "notice-failed", "notice-pending", "notice-sent"]
    assert len(fake.calls()) == 2
    ran = [json.loads(line) for line in (shop.data_dir / "pending-hook.jsonl").read_text().split("\n") if line.strip()]
    assert [(e["type"], e["key"]) for e in ran] == [("notice-pending", KEY)] * 2  # the first run's, then the retry's: once


# ---------------------------------------------------------------- the dry run judges as the run does


def _left_pending(shop, fake: FakeSendmail) -> None:  # type: ignore[no-untyped-def]
    fake.exit_with(75)
    result = shop("notify", now=WHEN)
    assert (result.exit_code, result.stderr) == (75, TEMPFAIL)
    fake.exit_with(None)


def _failed(shop, fake: FakeSendmail) -> None:  # type: ignore[no-untyped-def]
    fake.exit_with(67)
    assert shop("notify", "--quiet", now=WHEN).exit_code == 0
    fake.exit_with(None)


def _dry_then_real(shop, *args: str) -> tuple[list[dict], list[dict]]:  # type: ignore[no-untyped-def]
    dry = shop("notify", *args, "--dry-run", "--format", "json", now="2026-12-15T09:00")
    assert dry.stderr == DRY_RUN_NOTE
    real = shop("notify", *args, "--format", "json", now="2026-12-15T09:00")
    assert real.stderr == ""
    return json_rows(dry), json_rows(real)


@pytest.mark.parametrize(("change", "why"), [
    (("cancel", "ana.p1", "--reason", "moved away", "--yes"), "ana.p1 was cancelled"),
    (("client", "edit", "ana", "--email", ""), "ana has no email address"),
    (("client", "edit", "ana", "--no-notices", "expiring"), "ana opted out of expiring notices"),
])
def test_a_pending_notice_the_run_would_suppress_is_shown_suppressed_by_the_dry_run(shop, fake: FakeSendmail, change, why) -> None:  # type: ignore[no-untyped-def]
    _left_pending(shop, fake)
    ok(shop(*change))
    dry, real = _dry_then_real(shop)
    assert dry == [row("suppress", "ana.p1", "ana", "", why, KEY)]
    assert real == [row("suppressed", "ana.p1", "ana", "", why, KEY)]
    assert len(fake.calls()) == 1  # only the first, refused, attempt
    assert notice_events(shop.data_dir)[-1]["reason"] == why


def test_a_pending_notice_is_resent_as_recorded_by_both(shop, fake: FakeSendmail) -> None:  # type: ignore[no-untyped-def]
    _left_pending(shop, fake)
    ok(shop("client", "edit", "ana", "--email", "ana.lima@example.com"))  # a pending notice is delivered as recorded
    dry, real = _dry_then_real(shop)
    assert dry == [row("resend", "ana.p1", "ana", "ana@example.com", SUBJECT, KEY)]
    assert real == [row("sent", "ana.p1", "ana", "ana@example.com", "fake-sendmail exit 0", KEY)]


def test_a_retry_goes_to_the_address_the_client_has_now_in_the_dry_run_too(shop, fake: FakeSendmail) -> None:  # type: ignore[no-untyped-def]
    _failed(shop, fake)
    ok(shop("client", "edit", "ana", "--email", "new@example.com"))
    dry, real = _dry_then_real(shop, "--retry", KEY)
    assert dry == [row("retry", "ana.p1", "ana", "new@example.com", SUBJECT, KEY)]
    assert real == [row("sent", "ana.p1", "ana", "new@example.com", "fake-sendmail exit 0", KEY)]
    assert fake.calls()[-1][0] == ["-i", "--", "new@example.com"]


def test_a_retry_of_a_cancelled_package_is_shown_suppressed_by_the_dry_run(shop, fake: FakeSendmail) -> None:  # type: ignore[no-untyped-def]
    _failed(shop, fake)
    ok(shop("cancel", "ana.p1", "--reason", "moved away", "--yes"))
    dry, real = _dry_then_real(shop, "--retry", KEY)
    assert dry == [row("suppress", "ana.p1", "ana", "", "ana.p1 was cancelled", KEY)]
    assert real == [row("suppressed", "ana.p1", "ana", "", "ana.p1 was cancelled", KEY)]
    assert len(fake.calls()) == 1


def test_a_retry_the_run_refuses_is_refused_by_the_dry_run_alike(shop, fake: FakeSendmail) -> None:  # type: ignore[no-untyped-def]
    _failed(shop, fake)
    ok(shop("client", "edit", "ana", "--email", ""))
    message = f"error: notice {KEY} cannot be sent again: ana has no email address\n"
    for args in (("--dry-run",), ()):
        result = shop("notify", "--retry", KEY, *args, now="2026-12-15T09:00")
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)


# ---------------------------------------------------------------- a pending notice whose facts have gone by


def test_a_pending_notice_outdated_by_a_long_outage_is_suppressed_not_sent(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fake = FakeSendmail(tmp_path)
    set_settings(shop.data_dir, notices=dict(NOTICES, expiring_days=[30, 7]),
                 delivery={"method": "sendmail", "program": str(fake.program)})
    fake.exit_with(75)  # the mail server is down from the 30-day notice on ...
    assert shop("notify", "--quiet", now="2026-11-21T09:00").exit_code == 75
    thirty = "expiring:ana.p1:2026-12-20:30d"
    tried = len(fake.calls())
    fake.exit_with(None)  # ... and back 6 days before the end: the 7-day notice goes, the 30-day one no longer
    dry = json_rows(shop("notify", "--dry-run", "--format", "json", now=WHEN))
    real = json_rows(shop("notify", "--format", "json", now=WHEN))
    outdated = "the 7-day notice of ana.p1 is due instead"
    assert row("suppress", "ana.p1", "ana", "", outdated, thirty) in dry
    assert row("suppressed", "ana.p1", "ana", "", outdated, thirty) in real
    sent = fake.calls()[tried:]
    ids = {e["key"]: e["message_id"] for e in notice_events(shop.data_dir) if e["type"] == "notice-pending"}
    assert [call[1]["Message-ID"] for call in sent] == [ids[KEY]]  # one mail: the 7-day notice
    assert [(e["type"], e["key"]) for e in notice_events(shop.data_dir)] == [
        ("notice-pending", thirty), ("notice-pending", KEY), ("notice-suppressed", thirty), ("notice-sent", KEY)]


def test_a_pending_notice_whose_last_day_moved_is_suppressed(shop, fake: FakeSendmail) -> None:  # type: ignore[no-untyped-def]
    fake.exit_with(75)
    assert shop("notify", "--quiet", now=WHEN).exit_code == 75
    ok(shop("adjust", "ana.p1", "--expires", "2027-01-31", "--reason", "goodwill", now="2026-12-14T10:00"))
    tried = len(fake.calls())
    fake.exit_with(None)
    real = json_rows(shop("notify", "--format", "json", now="2026-12-14T11:00"))
    assert row("suppressed", "ana.p1", "ana", "", "the last valid day of ana.p1 is no longer 2026-12-20", KEY) in real
    assert fake.calls()[tried:] == []
