"""Helpers for the notify tests: settings, a fake sendmail, a real SMTP server.

The SMTP server is aiosmtpd on 127.0.0.1, started by the tests. TLS tests
need a self-signed certificate, made with the ``openssl`` command (the
``cryptography`` package is not among aiosmtpd's dependencies); without
``openssl`` those tests are skipped, and say why.
"""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import ssl
import stat
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w


def set_settings(data_dir: Path, **sections: dict[str, Any]) -> None:
    """Replace whole sections of settings.toml (e.g. notices=..., delivery=...)."""
    path = data_dir / "settings.toml"
    data = tomllib.loads(path.read_text())
    for name, table in sections.items():
        data[name] = table
    path.write_text(tomli_w.dumps(data))


def notice_events(data_dir: Path) -> list[dict[str, Any]]:
    lines = (data_dir / "journal.jsonl").read_bytes().splitlines()[1:]
    return [e for e in map(json.loads, lines) if e["type"].startswith("notice-") or e["type"] == "expired"]


def tree_bytes(data_dir: Path) -> dict[str, bytes]:
    """Every file of the data directory (to prove a command wrote nothing)."""
    return {str(p.relative_to(data_dir)): p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- a fake sendmail


FAKE_SENDMAIL = """#!/bin/sh
# Records its arguments and the message; exits with the code in $DIR/exit (0 without it).
dir="{dir}"
n=$(ls "$dir" | grep -c '^msg-')
n=$((n + 1))
printf '%s\\n' "$@" > "$dir/argv-$n"
cat > "$dir/msg-$n"
if [ -f "$dir/exit" ]; then
  code=$(cat "$dir/exit")
  echo "fake sendmail says $code" >&2
  exit "$code"
fi
exit 0
"""


class FakeSendmail:
    def __init__(self, directory: Path) -> None:
        self.dir = directory / "sendmail-out"
        self.dir.mkdir()
        self.program = directory / "fake-sendmail"
        self.program.write_text(FAKE_SENDMAIL.format(dir=self.dir))
        self.program.chmod(stat.S_IRWXU)

    def exit_with(self, code: int | None) -> None:
        path = self.dir / "exit"
        if code is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(str(code))

    def calls(self) -> list[tuple[list[str], email.message.EmailMessage]]:
        out = []
        n = 1
        while (self.dir / f"msg-{n}").exists():
            argv = (self.dir / f"argv-{n}").read_text().splitlines()
            message = email.message_from_bytes((self.dir / f"msg-{n}").read_bytes(), policy=email.policy.default)
            out.append((argv, message))
            n += 1
        return out


# ---------------------------------------------------------------- certificates


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA), with openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a self-signed certificate for the TLS tests, and it is not installed")
    cert, key = directory / "server.pem", directory / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-addext", "basicConstraints=critical,CA:TRUE"],
                   check=True, capture_output=True)
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    return context


# ---------------------------------------------------------------- an SMTP server


class Recorder:
    """aiosmtpd handler: keeps every message; answers what ``answer`` says."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.answer: str | None = None  # e.g. "451 4.3.0 try later", "550 5.1.1 no such user"
        self.rcpt_answer: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        if self.rcpt_answer:
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        if self.answer:
            return self.answer
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 queued as test"

    def ids(self) -> list[str]:
        return [m["Message-ID"] for _, _, m in self.messages]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """An SMTP server on 127.0.0.1 and a free port, for one test."""

    def __init__(self, tls: ssl.SSLContext | None = None, implicit: bool = False, auth: tuple[str, str] | None = None) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.recorder = Recorder()
        kwargs: dict[str, Any] = {}
        if auth is not None:
            def authenticate(server, session, envelope, mechanism, data):  # type: ignore[no-untyped-def]
                ok = data.login.decode() == auth[0] and data.password.decode() == auth[1]
                return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself

            kwargs.update(authenticator=authenticate, auth_require_tls=tls is not None and not implicit)
        if tls is not None and not implicit:
            kwargs.update(tls_context=tls, require_starttls=True)
        if tls is not None and implicit:
            kwargs.update(ssl_context=tls)
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
