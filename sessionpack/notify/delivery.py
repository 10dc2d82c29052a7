"""Delivering a notice: SMTP, sendmail, or JSON lines on standard output.

Every transport answers one ``Outcome`` per notice:

- ``sent``: accepted (the server's reply, sendmail's exit status, or
  "written to standard output");
- ``failed``: refused for good (an SMTP 5xx to the recipient or the
  message, a sendmail exit status that means so): recorded as
  ``notice-failed``; ``notify --retry KEY`` sends it again;
- ``temporary``: try again later (an SMTP 4xx, a refused or timed-out
  connection, sendmail's EX_TEMPFAIL): the run stops with exit 75 and the
  notice stays pending.

A problem of the set-up (a certificate that does not verify, a login the
server refuses, a missing password, a sendmail program that cannot run)
stops the run with exit 2 and leaves the notice pending: no notice is
marked failed for what only the practitioner can fix.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import InputError
from . import messages

# sendmail exit statuses (sysexits.h) that mean "try again later".
_SENDMAIL_TEMPORARY = {71: "EX_OSERR", 73: "EX_CANTCREAT", 74: "EX_IOERR", 75: "EX_TEMPFAIL"}


@dataclass(frozen=True)
class Outcome:
    kind: str  # sent | failed | temporary
    reply: str


class SetupError(InputError):
    """The delivery set-up is wrong: exit 2, the notice stays pending."""


def printable(text: str, limit: int = 300) -> str:
    """A reply from a server or program, as one line of printable text."""
    return messages.one_line(text)[:limit]


def transport(delivery: Mapping[str, Any], sender: str):  # type: ignore[no-untyped-def]
    method = delivery["method"]
    if method == "jsonl":
        return JsonLines()
    if method == "sendmail":
        return Sendmail(delivery["program"], float(delivery["timeout"]))
    if method == "smtp":
        return Smtp(delivery, sender)
    raise SetupError("no delivery method: set [delivery] method in settings.toml (smtp, sendmail or jsonl)")


class JsonLines:
    """One JSON object per notice on standard output, for another program."""

    via = "jsonl"

    def deliver(self, entry: Mapping[str, Any]) -> Outcome:
        import json

        message = entry["message"]
        line = {
            "key": entry["key"], "kind": entry["kind"], "client_package": entry["client_package"],
            "client": entry["client_package"].rsplit(".p", 1)[0], "recipient": entry["recipient"], "copy": entry["copy"],
            "to": entry["to"], "to_name": message.get("to_name", ""), "from": message.get("from", ""),
            "reply_to": message.get("reply_to", ""), "subject": message["subject"], "date": message["date"],
            "message_id": entry["message_id"], "body": message["body"], "facts": entry.get("facts") or {},
        }
        from ..cli.output import for_output, json_escaped

        try:  # (what a message holds is escaped as in every JSON output, and kept valid JSON on any output encoding)
            sys.stdout.write(for_output(json_escaped(json.dumps(line, ensure_ascii=False, sort_keys=True)) + "\n", json=True))
            sys.stdout.flush()
        except (BrokenPipeError, OSError) as err:
            return Outcome("temporary", f"standard output could not be written ({getattr(err, 'strerror', None) or type(err).__name__})")
        return Outcome("sent", "written to standard output")

    def close(self) -> None:
        pass


class Sendmail:
    """``PROGRAM -i -- RECIPIENT`` with the message on standard input: the
    recipient is given explicitly (never ``-t``, which would read the
    headers for addresses)."""

    via = "sendmail"

    def __init__(self, program: str, timeout: float) -> None:
        self.program = program
        self.timeout = timeout

    def deliver(self, entry: Mapping[str, Any]) -> Outcome:
        import subprocess
        import tempfile

        data = messages.build(entry["message"], entry["message_id"]).as_bytes()
        with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stderr:
            stdin.write(data)
            stdin.seek(0)
            try:
                proc = subprocess.Popen([self.program, "-i", "--", entry["to"]], stdin=stdin, stdout=subprocess.DEVNULL,
                                        stderr=stderr, start_new_session=True)
            except OSError as err:
                raise SetupError(f"the sendmail program {self.program} could not run ({err.strerror}); "
                                 "set [delivery] program in settings.toml") from None
            from .hooks import wait_or_kill

            finished = wait_or_kill(proc, self.timeout)
            stderr.seek(0)
            lines = stderr.read(4000).decode("utf-8", "replace").strip().splitlines()
            said = printable(lines[-1]) if lines else ""
        if not finished:
            return Outcome("temporary", f"{self.program} took longer than {self.timeout:g} s and was stopped")
        code = proc.returncode
        detail = f": {said}" if said else ""
        if code == 0:
            return Outcome("sent", f"{os.path.basename(self.program)} exit 0{detail}")
        if code < 0 or code in _SENDMAIL_TEMPORARY:
            name = _SENDMAIL_TEMPORARY.get(code, f"signal {-code}" if code < 0 else str(code))
            return Outcome("temporary", f"{os.path.basename(self.program)} exit {code} ({name}){detail}")
        return Outcome("failed", f"{os.path.basename(self.program)} exit {code}{detail}")

    def close(self) -> None:
        pass


def _loopback(host: str) -> bool:
    """Whether every address ``host`` names is a loopback address."""
    import ipaddress
    import socket

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(found) and all(ipaddress.ip_address(info[4][0].split("%", 1)[0]).is_loopback for info in found)


def password(delivery: Mapping[str, Any]) -> str | None:
    """The SMTP password, from the environment variable or the private file named."""
    if "password_env" in delivery:
        value = os.environ.get(delivery["password_env"], "")
        if not value:
            raise SetupError(f"the environment variable {delivery['password_env']} (settings.toml [delivery] password_env) "
                             "is not set; export it with the mail password before 'sessionpack notify'")
        return value
    if "password_file" in delivery:
        path = os.path.expanduser(delivery["password_file"])
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError as err:
            raise SetupError(f"password_file {path} cannot be read ({err.strerror}); create it with mode 0600") from None
        try:
            info = os.fstat(fd)
            if info.st_mode & 0o077:
                raise SetupError(f"password_file {path} can be read by others (mode {info.st_mode & 0o777:04o}); "
                                 f"make it private with 'chmod 600 {path}'")
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                raise SetupError(f"password_file {path} belongs to another user; it must be yours, with mode 0600")
            value = os.read(fd, 4096).decode("utf-8", "replace").rstrip("\r\n")
        finally:
            os.close(fd)
        if not value:
            raise SetupError(f"password_file {path} is empty")
        return value
    return None


class Smtp:
    """SMTP with STARTTLS (587) or implicit TLS (465), the certificate
    verified by ``ssl.create_default_context()`` (with ``ca_file`` for a
    private server); plain text only to a loopback address. One connection
    for the whole run."""

    via = "smtp"

    def __init__(self, delivery: Mapping[str, Any], sender: str) -> None:
        self.host = delivery["host"]
        self.port = int(delivery["port"])
        self.security = delivery["security"]
        self.timeout = float(delivery["timeout"])
        self.username = delivery.get("username")
        self.ca_file = delivery.get("ca_file")
        self.delivery = delivery
        self.sender = sender
        self.conn: Any = None
        if self.security == "none" and not _loopback(self.host):
            raise SetupError(f"[delivery] security = \"none\" sends mail as plain text and is only allowed to a loopback "
                             f"address (127.0.0.1, ::1, localhost), not {self.host!r}; use \"starttls\" (port 587) or \"tls\" (port 465)")
        self.secret = password(delivery) if self.username else None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def _context(self):  # type: ignore[no-untyped-def]
        import ssl

        if self.ca_file:
            path = os.path.expanduser(self.ca_file)
            try:
                return ssl.create_default_context(cafile=path)
            except (OSError, ssl.SSLError) as err:
                raise SetupError(f"ca_file {path} is not a readable certificate file ({getattr(err, 'strerror', None) or err}); "
                                 "name the PEM file of your mail server's certificate authority") from None
        return ssl.create_default_context()

    def _connect(self) -> Outcome | None:
        import smtplib
        import ssl

        try:
            if self.security == "tls":
                conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._context())
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                conn.ehlo()
                if self.security == "starttls":
                    if not conn.has_extn("starttls"):
                        raise SetupError(f"the mail server at {self.where} does not offer STARTTLS, so the password and the "
                                         "messages would travel as plain text; use security = \"tls\" on port 465, or another server")
                    conn.starttls(context=self._context())
                    conn.ehlo()
                if self.username:
                    conn.login(self.username, self.secret or "")
            except BaseException:
                conn.close()
                raise
        except ssl.SSLCertVerificationError as err:
            raise SetupError(f"the certificate of the mail server at {self.where} could not be verified ({printable(err.verify_message or str(err))}); "
                             "for a private server, name its CA certificate in [delivery] ca_file") from None
        except smtplib.SMTPNotSupportedError:
            raise SetupError(f"the mail server at {self.where} does not offer a login (SMTP AUTH) to {self.username}; "
                             "leave out username and the password, or use the server's submission port") from None
        except smtplib.SMTPAuthenticationError as err:
            if 400 <= err.smtp_code < 500:
                return Outcome("temporary", _reply(err.smtp_code, err.smtp_error))
            raise SetupError(f"the mail server at {self.where} refused the login of {self.username}: "
                             f"{_reply(err.smtp_code, err.smtp_error)}; check username and password") from None
        except smtplib.SMTPResponseException as err:
            if 400 <= err.smtp_code < 500 or err.smtp_code < 0:
                return Outcome("temporary", _reply(err.smtp_code, err.smtp_error))
            raise SetupError(f"the mail server at {self.where} answered {_reply(err.smtp_code, err.smtp_error)}") from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as err:
            if isinstance(err, ssl.SSLError) and err.reason == "WRONG_VERSION_NUMBER":  # TLS spoken to a plain-text port
                raise SetupError(f"the mail server at {self.where} does not speak TLS on that port (security = {self.security!r}); "
                                 "port 465 is for security = \"tls\", 587 for \"starttls\"") from None
            return Outcome("temporary", f"cannot talk to the mail server at {self.where}: {printable(str(err) or type(err).__name__)}")
        self.conn = conn
        return None

    def deliver(self, entry: Mapping[str, Any]) -> Outcome:
        import smtplib

        if self.conn is None:
            failed = self._connect()
            if failed is not None:
                return failed
        conn = self.conn
        _, sender = _split(self.sender)
        data = messages.build(entry["message"], entry["message_id"]).as_bytes()
        try:
            code, text = conn.mail(sender)
            if code != 250:
                conn.rset()
                if 500 <= code < 600:
                    raise SetupError(f"the mail server at {self.where} refused the sender {sender}: {_reply(code, text)}; "
                                     "check [notices] from in settings.toml")
                return Outcome("temporary", _reply(code, text))
            code, text = conn.rcpt(entry["to"])
            if code not in (250, 251):
                conn.rset()
                return Outcome("failed" if 500 <= code < 600 else "temporary", _reply(code, text))
            code, text = conn.data(data)
            if code != 250:
                return Outcome("failed" if 500 <= code < 600 else "temporary", _reply(code, text))
            return Outcome("sent", _reply(code, text))
        except smtplib.SMTPResponseException as err:
            self._drop()
            if 500 <= err.smtp_code < 600:
                return Outcome("failed", _reply(err.smtp_code, err.smtp_error))
            return Outcome("temporary", _reply(err.smtp_code, err.smtp_error))
        except (smtplib.SMTPException, OSError) as err:
            self._drop()
            return Outcome("temporary", f"the connection to {self.where} failed: {printable(str(err) or type(err).__name__)}")

    def _drop(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            pass
        self.conn = None

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except Exception:  # noqa: BLE001 - the run's notices are recorded; a failed goodbye changes nothing
                pass
            self._drop()


def _split(sender: str) -> tuple[str, str]:
    from ..domain.notice_settings import split_sender

    return split_sender(sender)


def _reply(code: int, text: Any) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    words = " ".join(str(text).split())
    return printable(f"{code} {words}")
