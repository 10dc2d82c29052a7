"""notify over SMTP, against a real server (aiosmtpd) on 127.0.0.1 (issue 11 items 4, 5, 8)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli_util import ok
from notify_util import Server, make_certificate, notice_events, server_context, set_settings, tree_bytes

NOTICES = {"expiring_days": [7], "from": "Studio Test <studio@example.com>"}
WHEN = "2026-12-14T09:00"  # 6 days before the last valid day of every package sold below


@pytest.fixture
def shop(practice):  # type: ignore[no-untyped-def]
    """ana, bo and carla each hold 5 massages valid through 2026-12-20: three expiring notices due on 14 Dec."""
    ok(practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400", "--expires", "1 month"))
    for cid in ("bo", "carla"):
        ok(practice("client", "add", cid, "--name", cid.title(), "--email", f"{cid}@example.com"))
    for cid in ("ana", "bo", "carla"):
        ok(practice("sell", cid, "five"))
    return practice


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    started = Server()
    yield started
    started.stop()


def plain(shop, server: Server, **extra: object) -> None:  # type: ignore[no-untyped-def]
    set_settings(shop.data_dir, notices=NOTICES, delivery={"method": "smtp", "host": "127.0.0.1", "port": server.port, "security": "none", **extra})


def sent_keys(data_dir: Path) -> list[str]:
    return [e["key"] for e in notice_events(data_dir) if e["type"] == "notice-sent"]


def test_two_runs_deliver_each_notice_exactly_once(shop, server: Server) -> None:  # type: ignore[no-untyped-def]
    plain(shop, server)
    first = shop("notify", "--quiet", now=WHEN)
    assert (first.exit_code, first.stderr) == (0, "")
    second = shop("notify", "--quiet", now="2026-12-14T10:00")
    assert (second.exit_code, second.stderr) == (0, "")
    assert [(sender, rcpts) for sender, rcpts, _ in server.recorder.messages] == [
        ("studio@example.com", ["ana@example.com"]), ("studio@example.com", ["bo@example.com"]), ("studio@example.com", ["carla@example.com"])]
    assert len(set(server.recorder.ids())) == 3
    events = notice_events(shop.data_dir)
    assert [e["reply"] for e in events if e["type"] == "notice-sent"] == ["250 2.0.0 queued as test"] * 3
    assert server.recorder.ids() == [e["message_id"] for e in events if e["type"] == "notice-pending"]


def test_a_run_killed_during_delivery_loses_no_notice_and_repeats_at_most_one(shop, server: Server) -> None:  # type: ignore[no-untyped-def]
    plain(shop, server)
    killed = shop.proc("notify", now=WHEN, env={"SESSIONPACK_TEST_CRASH_AT": "notice-delivered"})
    assert killed.returncode == -9  # killed right after the server took the first message, before recording it
    assert len(server.recorder.messages) == 1
    again = shop.proc("notify", "--quiet", now="2026-12-14T09:05")
    assert (again.returncode, again.stderr) == (0, "")
    ids = server.recorder.ids()
    assert len(ids) == 4 and ids[0] == ids[1] and len(set(ids)) == 3  # the first one twice, with the same Message-ID
    assert len(sent_keys(shop.data_dir)) == 3
    assert ok(shop("check")) == "No problems found\n"


def test_a_temporary_refusal_exits_75_and_a_later_run_delivers(shop, server: Server) -> None:  # type: ignore[no-untyped-def]
    plain(shop, server)
    server.recorder.answer = "451 4.3.0 mailbox busy, try later"
    result = shop("notify", now=WHEN)
    assert result.exit_code == 75
    assert result.stderr == ("error: 451 4.3.0 mailbox busy, try later; 3 notice(s) stay pending: the next 'sessionpack notify' "
                             "delivers them (exit 75: try again later)\n")
    assert [e["type"] for e in notice_events(shop.data_dir)] == ["notice-pending"] * 3
    server.recorder.answer = None
    assert shop("notify", "--quiet", now="2026-12-15T09:00").exit_code == 0
    assert len(server.recorder.messages) == 3 and len(sent_keys(shop.data_dir)) == 3


def test_connection_refused_is_temporary(shop) -> None:  # type: ignore[no-untyped-def]
    gone = Server()
    gone.stop()
    plain(shop, gone)
    result = shop("notify", now=WHEN)
    assert result.exit_code == 75
    assert result.stderr.startswith(f"error: cannot talk to the mail server at 127.0.0.1:{gone.port}: ")
    assert result.stderr.endswith("; 3 notice(s) stay pending: the next 'sessionpack notify' delivers them (exit 75: try again later)\n")


def test_a_permanent_refusal_is_recorded_as_failed_and_the_rest_is_delivered(shop, server: Server) -> None:  # type: ignore[no-untyped-def]
    plain(shop, server)
    server.recorder.rcpt_answer = "550 5.1.1 no such user here"
    result = shop("notify", "--quiet", now=WHEN)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == ("warning: notice expiring:ana.p1:2026-12-20:7d to ana@example.com failed: 550 5.1.1 no such "
                                              "user here; fix what the reply says and send it again with 'sessionpack notify --retry "
                                              "expiring:ana.p1:2026-12-20:7d'")
    failed = [e for e in notice_events(shop.data_dir) if e["type"] == "notice-failed"]
    assert [(e["key"], e["reply"]) for e in failed] == [(f"expiring:{c}.p1:2026-12-20:7d", "550 5.1.1 no such user here") for c in ("ana", "bo", "carla")]
    server.recorder.rcpt_answer = None
    assert shop("notify", "--quiet", "--retry", "expiring:bo.p1:2026-12-20:7d", now="2026-12-15T09:00").exit_code == 0
    assert [rcpts for _, rcpts, _ in server.recorder.messages] == [["bo@example.com"]]


def test_plain_text_only_to_a_loopback_address(shop) -> None:  # type: ignore[no-untyped-def]
    set_settings(shop.data_dir, notices=NOTICES, delivery={"method": "smtp", "host": "192.0.2.25", "port": 25, "security": "none"})
    result = shop("notify", now=WHEN)
    assert result.exit_code == 2
    assert result.stderr == ("error: [delivery] security = \"none\" sends mail as plain text and is only allowed to a loopback address "
                             "(127.0.0.1, ::1, localhost), not '192.0.2.25'; use \"starttls\" (port 587) or \"tls\" (port 465)\n")


# ---------------------------------------------------------------- TLS and passwords


@pytest.fixture
def certificate(tmp_path: Path):  # type: ignore[no-untyped-def]
    return make_certificate(tmp_path)


def test_starttls_to_a_self_signed_server_is_refused_unless_its_ca_file_is_named(shop, certificate) -> None:  # type: ignore[no-untyped-def]
    cert, key = certificate
    server = Server(tls=server_context(cert, key))
    try:
        delivery = {"method": "smtp", "host": "127.0.0.1", "port": server.port, "security": "starttls"}
        set_settings(shop.data_dir, notices=NOTICES, delivery=delivery)
        result = shop("notify", now=WHEN)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"error: the certificate of the mail server at 127.0.0.1:{server.port} could not be verified (")
        assert result.stderr.endswith("); for a private server, name its CA certificate in [delivery] ca_file\n")
        assert server.recorder.messages == [] and sent_keys(shop.data_dir) == []
        set_settings(shop.data_dir, delivery=dict(delivery, ca_file=str(cert)))
        assert shop("notify", "--quiet", now="2026-12-14T10:00").exit_code == 0
        assert len(server.recorder.messages) == 3 and len(sent_keys(shop.data_dir)) == 3
    finally:
        server.stop()


def test_tls_to_a_port_that_speaks_plain_text_is_a_set_up_problem(shop, server: Server, certificate) -> None:  # type: ignore[no-untyped-def]
    cert, _ = certificate
    set_settings(shop.data_dir, notices=NOTICES, delivery={"method": "smtp", "host": "127.0.0.1", "port": server.port, "security": "tls",
                                                           "ca_file": str(cert)})
    result = shop("notify", now=WHEN)
    assert result.exit_code == 2  # not 75: trying again later would never help
    assert result.stderr.endswith(f"error: the mail server at 127.0.0.1:{server.port} does not speak TLS on that port (security = 'tls'); "
                                  'port 465 is for security = "tls", 587 for "starttls"\n')
    assert server.recorder.messages == [] and sent_keys(shop.data_dir) == []


def test_implicit_tls_with_a_password_from_the_environment(shop, certificate, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    cert, key = certificate
    server = Server(tls=server_context(cert, key), implicit=True, auth=("studio", "s3cret"))
    try:
        set_settings(shop.data_dir, notices=NOTICES, delivery={"method": "smtp", "host": "127.0.0.1", "port": server.port, "security": "tls",
                                                               "ca_file": str(cert), "username": "studio", "password_env": "STUDIO_SMTP"})
        missing = shop("notify", now=WHEN)
        assert (missing.exit_code, missing.stderr) == (2, "error: the environment variable STUDIO_SMTP (settings.toml [delivery] "
                                                          "password_env) is not set; export it with the mail password before 'sessionpack notify'\n")
        monkeypatch.setenv("STUDIO_SMTP", "wrong")
        wrong = shop("notify", now=WHEN)
        assert wrong.exit_code == 2 and wrong.stderr.startswith(f"error: the mail server at 127.0.0.1:{server.port} refused the login of studio: 535")
        monkeypatch.setenv("STUDIO_SMTP", "s3cret")
        assert shop("notify", "--quiet", now=WHEN).exit_code == 0
        assert len(server.recorder.messages) == 3
    finally:
        server.stop()


def test_a_password_file_must_be_private(shop, certificate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cert, key = certificate
    server = Server(tls=server_context(cert, key), auth=("studio", "s3cret"))
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cret\n")
    secret.chmod(0o644)
    try:
        set_settings(shop.data_dir, notices=NOTICES, delivery={"method": "smtp", "host": "127.0.0.1", "port": server.port, "ca_file": str(cert),
                                                               "username": "studio", "password_file": str(secret)})
        before = tree_bytes(shop.data_dir)
        result = shop("notify", now=WHEN)
        assert (result.exit_code, result.stderr) == (2, f"error: password_file {secret} can be read by others (mode 0644); "
                                                        f"make it private with 'chmod 600 {secret}'\n")
        assert tree_bytes(shop.data_dir) == before  # checked before anything is recorded
        os.chmod(secret, 0o600)
        assert shop("notify", "--quiet", now=WHEN).exit_code == 0
        assert len(server.recorder.messages) == 3
    finally:
        server.stop()
