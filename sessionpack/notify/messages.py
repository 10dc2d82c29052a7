"""The words and the mail of a notice: templates, placeholders, the message.

Each kind has a template: the built-in one below, or ``templates/KIND.txt``
in the data directory (``expiring.txt``, ``low.txt``, ``used-up.txt``,
``expired.txt``). A template is a ``Subject:`` line, a blank line and the
body, written with ``string.Template`` placeholders (``$name`` or
``${name}``; ``$$`` is a dollar sign). The placeholders are ``PLACEHOLDERS``;
any other is refused before anything is recorded. The file is UTF-8, with
or without a byte-order mark (which is not part of the subject).

The message is built with ``email.message.EmailMessage`` and the SMTP
policy. Every header value is made of one line of printable text: control
characters in a name or a subject (which input refuses, but a hand-edited
file could hold) become spaces, so nothing a client typed can add a header.
The headers made of text someone typed (``From``, ``To``, ``Subject``) are
written here, not by the email package's parser and folder: text that looks
like an RFC 2047 encoded word (``=?utf-8?q?...?=``) or like an address list
stays text (see ``header_words`` and ``Written``).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from datetime import date, datetime
from string import Template
from typing import Any, Mapping

from ..domain import balances
from ..domain.notices import Due, Recipient
from ..errors import CatalogProblem

PLACEHOLDERS = {
    "practice": "the practice's name",
    "name": "the recipient's name",
    "client_name": "the package owner's name (the recipient's, unless this is a copy)",
    "package": "the package's name, e.g. 5 massages",
    "client_package": "the client package's id, e.g. ana.p1",
    "left": "what is left to book, in words, e.g. 2 massage sessions (nothing: 'nothing')",
    "summary": "per balance: used N of M, booked, free",
    "validity": "valid through 30 Jun 2027 / no expiry / valid from the first session",
    "expires": "the last valid day, e.g. 30 Jun 2027 (empty without one)",
    "last_day": "the last valid day as 2027-06-30 (empty without one)",
    "days_left": "days until the last valid day (expiring notices)",
    "valid_for": "valid for 24 more days, through 30 Jun 2027 / for 1 more day, through ... / through today, 30 Jun 2027 (expiring notices)",
    "forfeited": "what the expiry forfeited, in words (expired notices)",
    "expired_on": "the day the expiry took effect, e.g. 1 Jul 2027 (expired notices)",
    "how_to_book": "[notices] how_to_book in settings.toml",
    "copy_note": "for a linked client's copy: whose notice it is and why they get it; empty otherwise",
}

DEFAULTS = {
    "expiring": """Subject: $package: $left left, $validity

Hello $name,

$client_name's package $package ($client_package) is $valid_for.

$summary

$how_to_book

$practice
$copy_note
""",
    "low": """Subject: $package: $left left, $validity

Hello $name,

$client_name's package $package ($client_package) is running low: $left left to book, $validity.

$summary

$how_to_book

$practice
$copy_note
""",
    "used-up": """Subject: $package: all used

Hello $name,

Every session of $client_name's package $package ($client_package) has been used.

$summary

Thank you! $how_to_book

$practice
$copy_note
""",
    "expired": """Subject: $package: expired on $expired_on, $forfeited not used

Hello $name,

$client_name's package $package ($client_package) was valid through $expires and has expired; $forfeited had not been used.

$summary

$how_to_book

$practice
$copy_note
""",
}

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_BODY_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """Header-safe text: control characters (CR, LF, ...) become spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def load_templates(root: str) -> dict[str, tuple[Template, Template]]:
    """kind -> (subject, body) templates, each file checked first."""
    out = {}
    for kind, text in DEFAULTS.items():
        name = f"templates/{kind}.txt"
        path = os.path.join(root, "templates", f"{kind}.txt")
        if os.path.isfile(path):
            try:  # "utf-8-sig": a byte-order mark, as some editors write first, is not part of the text
                with open(path, encoding="utf-8-sig") as handle:
                    text = handle.read()
            except UnicodeDecodeError:
                raise CatalogProblem(name, None, "is not UTF-8 text", "save it as UTF-8") from None
            except OSError as err:
                raise CatalogProblem(name, None, f"cannot be read ({err.strerror})", "fix its permissions") from None
        out[kind] = parse_template(text, name)
    return out


def parse_template(text: str, name: str) -> tuple[Template, Template]:
    first, sep, rest = text.partition("\n")
    if not first.startswith("Subject:") or not sep or rest[:1] not in ("\n", ""):
        raise CatalogProblem(name, 1, "must start with a 'Subject: ...' line and a blank line", "then write the body")
    subject, body = Template(first[len("Subject:"):].strip()), Template(rest[1:])
    for number, part in ((1, subject), (3, body)):
        if not part.is_valid():
            raise CatalogProblem(name, _line_of(text, "$", number), "has a '$' that starts no placeholder", "write $$ for a dollar sign")
        unknown = [p for p in part.get_identifiers() if p not in PLACEHOLDERS]
        if unknown:
            raise CatalogProblem(name, _line_of(text, unknown[0], number), f"has an unknown placeholder ${unknown[0]}",
                                 f"use {', '.join('$' + p for p in PLACEHOLDERS)}")
    return subject, body


def _line_of(text: str, needle: str, default: int) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line and (number > 1 or default == 1):
            return number
    return default


# -- placeholders -------------------------------------------------------------------


def short_date(day: date | str) -> str:
    value = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{value.day} {value:%b} {value.year}"


def item_word(key: str, names: Mapping[str, str]) -> str:
    return {"count": "", "minutes": "", "money": "", "unlimited": ""}.get(key, names.get(key, key))


def amount_words(key: str, value: Any, currency: str, names: Mapping[str, str]) -> str:
    """'2 Thai massage sessions', '1 session', '90 minutes', '45.00 EUR', 'unlimited use'."""
    if value == balances.UNLIMITED:
        return "unlimited use" if key == "unlimited" else f"unlimited {item_word(key, names)}"
    if key == "money":
        return f"{balances.plain(value)} {currency}"
    plural = "" if value in (1, -1) else "s"
    if key == "minutes":
        return f"{value} minute{plural}"
    word = item_word(key, names)
    return f"{value} {word + ' ' if word else ''}session{plural}"


def _summary(pkg: Mapping[str, Any], names: Mapping[str, str]) -> str:
    currency = pkg["terms"]["currency"]
    rows = balances.balance(pkg)
    lines = []
    for key, row in rows.items():
        head = f"{item_word(key, names) or {'count': 'Sessions', 'minutes': 'Minutes', 'money': 'Credit', 'unlimited': 'Use'}[key]}: "
        if row["total"] == balances.UNLIMITED:
            lines.append(f"{head}unlimited, {balances.plain(row['used'])} used, {balances.plain(row['scheduled'])} booked")
            continue
        total = row["total"] + row["adjusted"] - row["transferred"] - row["voided"]
        used = row["used"] + row["forfeited"]
        unit = f" {currency}" if key == "money" else (" minutes" if key == "minutes" else "")
        lines.append(f"{head}used {balances.plain(used)} of {balances.plain(total)}{unit} · "
                     f"{balances.plain(row['scheduled'])} booked · {balances.plain(row['remaining'])} free")
    return "\n".join(lines)


def valid_for(days_left: Any, last_day: date | None) -> str:
    """How long an expiring package stays valid, in words: ``valid for 24
    more days, through 30 Jun 2027``, ``valid for 1 more day, through ...``,
    and on the last valid day itself ``valid through today, 30 Jun 2027``
    (not "0 more days"). Empty when the notice tells no days left."""
    if not isinstance(days_left, int) or last_day is None:
        return ""
    if days_left <= 0:
        return f"valid through today, {short_date(last_day)}"
    return f"valid for {days_left} more day{'' if days_left == 1 else 's'}, through {short_date(last_day)}"


def facts_for(due: Due, pkg: Mapping[str, Any], owner: Mapping[str, Any], recipient: Recipient,
              practice: str, how_to_book: str, names: Mapping[str, str]) -> dict[str, str]:
    """The placeholders' values for one recipient of one notice."""
    currency = pkg["terms"]["currency"]
    rows = balances.balance(pkg)
    last_day = balances.expiry(pkg)
    if due.kind == "expired":
        last_day = date.fromisoformat(due.facts["last_day"])
    left = ", ".join(amount_words(k, r["remaining"], currency, names) for k, r in rows.items()
                     if r["remaining"] == balances.UNLIMITED or r["remaining"] > 0) or "nothing"
    if last_day is not None:
        validity = f"valid through {short_date(last_day)}"
    elif balances.starts_at_first_use(pkg) and balances.first_use(pkg) is None:
        validity = "valid from the first session"
    else:
        validity = "no expiry"
    forfeited = due.facts.get("forfeited") or {}
    copy_note = ""
    if recipient.copy:
        copy_note = (f"You receive a copy of {owner['name']}'s notices as their {recipient.relation or 'linked client'}.")
    values = {
        "practice": practice,
        "name": recipient.name,
        "client_name": owner["name"],
        "package": pkg["terms"]["name"],
        "client_package": pkg["id"],
        "left": left,
        "summary": _summary(pkg, names),
        "validity": validity,
        "expires": short_date(last_day) if last_day else "",
        "last_day": last_day.isoformat() if last_day else "",
        "days_left": str(due.facts.get("days_left", "")),
        "valid_for": valid_for(due.facts.get("days_left"), last_day),
        "forfeited": ", ".join(amount_words(k, v, currency, names) for k, v in forfeited.items()),
        "expired_on": short_date(due.facts["on"]) if due.facts.get("on") else "",
        "how_to_book": how_to_book,
        "copy_note": copy_note,
    }
    return {key: str(value) for key, value in values.items()}


# -- the message --------------------------------------------------------------------


def message_id(key: str, address: str, sender: str) -> str:
    """Deterministic: the same key and recipient always give the same id."""
    digest = hashlib.sha256(f"{key}\n{address.lower()}".encode("utf-8")).hexdigest()[:40]
    domain = sender.rsplit("@", 1)[1].rstrip(">").strip() if "@" in sender else "sessionpack.invalid"
    return f"<notice.{digest}@{domain}>"


def render(templates: Mapping[str, tuple[Template, Template]], kind: str, values: Mapping[str, str],
           sender: str, reply_to: str, recipient: Recipient, when: datetime) -> dict[str, str]:
    """The stored form of a message (what ``notice-pending`` records)."""
    from email.utils import format_datetime

    subject_t, body_t = templates[kind]
    subject = one_line(subject_t.substitute(values))
    body = _BODY_CONTROL.sub(" ", body_t.substitute(values).replace("\r\n", "\n").replace("\r", "\n"))
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in body.split("\n"))).strip("\n") + "\n"
    return {
        "from": sender,
        "reply_to": reply_to,
        "to": recipient.email,
        "to_name": one_line(recipient.name),
        "subject": subject,
        "date": format_datetime(when),
        "body": body,
    }


# -- headers -----------------------------------------------------------------------

# Words written as typed: printable ASCII (atoms only, in a display name),
# none long. Anything else, and any text holding "=?" (which a reader would
# take for the start of an encoded word), is written otherwise (below).
_PLAIN_WORD = re.compile(r"[!-~]{1,60}")
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,60}")
_QUOTABLE = re.compile(r"[ -~]{1,200}")
_EW_BYTES = 39  # UTF-8 bytes per encoded word of a subject: "=?utf-8?b?" + 52 + "?=", 64 characters
_PHRASE_EW_BYTES = 600  # a display name is one encoded word up to this (see header_words)


def header_words(text: str, phrase: bool = False) -> list[str]:
    """User text as the words of a header value that a reader decodes to
    exactly ``one_line(text)``, and to nothing else.

    Printable ASCII without ``=?`` is written as typed (a ``phrase``, i.e. a
    display name, only if it is all atoms, else as one quoted string, so
    no comma, angle bracket or colon is read as address syntax). Any other
    text is written as base64 encoded words (RFC 2047) of its UTF-8, cut
    between characters. A display name is one encoded word (up to
    ``_PHRASE_EW_BYTES``): between two encoded words in a display name some
    readers (Python's email package) keep the space that RFC 2047 drops."""
    text = one_line(text)
    if not text:
        return []
    words = text.split(" ")
    if "=?" not in text:
        if all((_ATOM if phrase else _PLAIN_WORD).fullmatch(word) for word in words):
            return words
        if phrase and _QUOTABLE.fullmatch(text):
            return ['"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"']
    size = _PHRASE_EW_BYTES if phrase else _EW_BYTES
    chunks, chunk = [], b""
    for char in text:
        data = char.encode("utf-8", "replace")
        if len(chunk) + len(data) > size:
            chunks.append(chunk)
            chunk = b""
        chunk += data
    chunks.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(part).decode('ascii')}?=" for part in chunks]


def mailbox_words(name: str, address: str) -> list[str]:
    """``Name <address>`` (or the bare address without a name) as header
    words. ``address`` must be a plain address (``ADDRESS_RE``): no space,
    quote, angle bracket or line break."""
    from ..domain.notice_settings import ADDRESS_RE

    if not ADDRESS_RE.match(address):
        raise ValueError(f"not a plain address: {address!r}")
    words = header_words(name, phrase=True)
    return [*words, f"<{address}>"] if words else [address]


class Written(str):
    """A header value written here, kept by ``EmailMessage`` as it is (its
    ``name`` tells the policy it is already a header) and folded by
    ``fold``: never parsed, so nothing in it is decoded or read as syntax.
    Its text is the words joined by single spaces."""

    name: str
    words: tuple[str, ...]

    def __new__(cls, name: str, words: list[str]) -> "Written":
        value = super().__new__(cls, " ".join(words))
        value.name, value.words = name, tuple(words)
        return value

    def fold(self, *, policy: Any) -> str:
        """``Name: words``, a line break and a space between two words
        where a line would pass the policy's length (never inside a word,
        so never inside a quoted string or an encoded word)."""
        limit = policy.max_line_length or 78
        lines = [f"{self.name}:"]
        for word in self.words:
            if len(lines[-1]) + 1 + len(word) > limit and lines[-1] != f"{self.name}:":
                lines.append("")
            lines[-1] += f" {word}"
        return policy.linesep.join(lines) + policy.linesep


def build(message: Mapping[str, str], msg_id: str) -> Any:
    """The EmailMessage of a stored message (the same bytes every time)."""
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.policy import SMTP

    from ..domain.notice_settings import split_sender

    mail = EmailMessage(policy=SMTP)
    if message.get("from"):
        name, address = split_sender(message["from"])
        mail["From"] = Written("From", mailbox_words(name, address))
    mail["To"] = Written("To", mailbox_words(message.get("to_name", ""), message["to"]))
    if message.get("reply_to"):
        mail["Reply-To"] = Address(addr_spec=split_sender(message["reply_to"])[1])
    mail["Subject"] = Written("Subject", header_words(message["subject"]))
    mail["Date"] = one_line(message["date"])
    mail["Message-ID"] = one_line(msg_id)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message["body"], charset="utf-8")
    return mail
