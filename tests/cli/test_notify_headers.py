"""notify: text a client typed is data in every header, never an encoded word or
an address list (against a real SMTP server, aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import base64
from email.headerregistry import Address

import pytest

import notify_util
from cli_util import ok
from notify_util import Server, notice_events, set_settings

NOTICES = {"expiring_days": [7], "from": "Studio Test <studio@example.com>"}
WHEN = "2026-12-14T09:00"  # 6 days before the last valid day of every package sold below

INJECT = "=?utf-8?q?a=0D=0ABcc:_x@attacker.example=0D=0A?="  # decodes to a line break and a Bcc line
LIST = "=?utf-8?q?a?= <x@attacker.example>, =?utf-8?q?b?="  # decodes to an address list
QUOTED = 'Lima, Ana "Nita" \\o/'  # address syntax in plain ASCII
ACCENT = "Zoë Ferreira"

HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "Content-Type", "Content-Transfer-Encoding", "MIME-Version"]


class RawRecorder(notify_util.Recorder):
    """Also keeps each message's bytes as the server received them."""

    def __init__(self) -> None:
        super().__init__()
        self.raw: dict[str, bytes] = {}

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        for address in envelope.rcpt_tos:
            self.raw[address] = envelope.content
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(notify_util, "Recorder", RawRecorder)
    started = Server()
    yield started
    started.stop()


def ew(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


def head(raw: bytes) -> list[str]:
    return raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")


def test_names_that_look_like_encoded_words_or_addresses_stay_text_in_to_and_subject(practice, server: Server) -> None:  # type: ignore[no-untyped-def]
    ok(practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400", "--expires", "1 month"))
    names = {"bo": INJECT, "cy": LIST, "di": QUOTED, "eu": ACCENT}
    for cid, name in names.items():
        ok(practice("client", "add", cid, "--name", name, "--email", f"{cid}@example.com"))
        ok(practice("sell", cid, "five"))
    (practice.data_dir / "templates").mkdir()
    (practice.data_dir / "templates" / "expiring.txt").write_text("Subject: For $name, $days_left days left\n\n$left\n")
    set_settings(practice.data_dir, notices=NOTICES, delivery={"method": "smtp", "host": "127.0.0.1", "port": server.port, "security": "none"})
    result = practice("notify", "--quiet", now=WHEN)
    assert (result.exit_code, result.stderr) == (0, "")

    recorder = server.recorder
    assert [(sender, rcpts) for sender, rcpts, _ in recorder.messages] == [
        ("studio@example.com", [f"{cid}@example.com"]) for cid in ("bo", "cy", "di", "eu")]
    for _, [to], message in recorder.messages:
        name = names[to.split("@")[0]]
        assert list(message.keys()) == HEADERS  # no Bcc, no Cc, nothing added
        assert message["To"].addresses == (Address(display_name=name, addr_spec=to),)
        assert str(message["Subject"]) == f"For {name}, 6 days left"

    # The bytes on the wire: a name with "=?" or not ASCII is one encoded word of exactly what was typed;
    # plain ASCII with address syntax is a quoted string; a long subject is encoded words on folded lines.
    assert head(recorder.raw["bo@example.com"])[:5] == [
        "From: Studio Test <studio@example.com>",
        "To: =?utf-8?b?PT91dGYtOD9xP2E9MEQ9MEFCY2M6X3hAYXR0YWNrZXIuZXhhbXBsZT0wRD0wQT89?=",
        " <bo@example.com>",
        "Subject: =?utf-8?b?Rm9yID0/dXRmLTg/cT9hPTBEPTBBQmNjOl94QGF0dGFja2VyLmV4?=",
        " =?utf-8?b?YW1wbGU9MEQ9MEE/PSwgNiBkYXlzIGxlZnQ=?=",
    ]
    assert head(recorder.raw["bo@example.com"])[1] == f"To: {ew(INJECT)}"
    assert head(recorder.raw["cy@example.com"])[1:3] == [f"To: {ew(LIST)}", " <cy@example.com>"]
    assert head(recorder.raw["di@example.com"])[1:3] == ['To: "Lima, Ana \\"Nita\\" \\\\o/" <di@example.com>',
                                                         'Subject: For Lima, Ana "Nita" \\o/, 6 days left']
    assert head(recorder.raw["eu@example.com"])[1:3] == [f"To: {ew(ACCENT)} <eu@example.com>", f"Subject: {ew('For Zoë Ferreira, 6 days left')}"]
    for raw in recorder.raw.values():  # printable ASCII lines; each header starts a line, a continuation starts with a space
        lines = head(raw)
        assert all(line.isascii() and line.isprintable() and len(line) < 100 for line in lines)
        assert [line.split(":")[0] for line in lines if not line.startswith(" ")] == HEADERS


def test_a_plain_name_and_subject_are_written_as_typed(practice, server: Server) -> None:  # type: ignore[no-untyped-def]
    ok(practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400", "--expires", "1 month"))
    ok(practice("sell", "ana", "five"))
    set_settings(practice.data_dir, notices=dict(NOTICES, reply_to="desk@example.com"),
                 delivery={"method": "smtp", "host": "127.0.0.1", "port": server.port, "security": "none"})
    assert practice("notify", "--quiet", now=WHEN).exit_code == 0
    [pending] = [e for e in notice_events(practice.data_dir) if e["type"] == "notice-pending"]
    assert head(server.recorder.raw["ana@example.com"]) == [
        "From: Studio Test <studio@example.com>",
        "To: Ana Lima <ana@example.com>",
        "Reply-To: desk@example.com",
        "Subject: 5 massages: 5 Massage 60 sessions left, valid through 20 Dec 2026",
        "Date: Mon, 14 Dec 2026 09:00:00 +0000",
        f"Message-ID: {pending['message_id']}",
        "Auto-Submitted: auto-generated",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "MIME-Version: 1.0",
    ]
