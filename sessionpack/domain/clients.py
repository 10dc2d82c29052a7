"""Clients: who buys packages and attends sessions."""

from __future__ import annotations

import re

from ..errors import InputError, RuleError
from .ids import check_slug, slugify
from .services import check_name
from .text import check_text, folded, has_control  # noqa: F401 - (folded: also imported from here)
from .regex import pattern

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

EMAIL_RE = pattern(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = pattern(r"^\+?[0-9 ()./-]{5,30}$")
TAG_RE = pattern(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
CLIENT_FIELDS = ("name", "email", "phone", "notes", "tags")


def check_email(value: str) -> str:
    value = value.strip()
    if value and (not EMAIL_RE.match(value) or has_control(value)):
        raise InputError(f"email {value!r} is not an address like ana@example.com")
    return value


def check_phone(value: str) -> str:
    value = value.strip()
    if value and (not PHONE_RE.match(value) or sum(ch.isdigit() for ch in value) < 5):
        raise InputError(f"phone {value!r} is not a phone number like +351 912 345 678")
    return value


def check_notes(value: str) -> str:
    return check_text(value, "notes", 2000)


def check_tags(values: list[str] | tuple[str, ...]) -> list[str]:
    tags: list[str] = []
    for raw in values:
        for tag in raw.split(","):
            tag = tag.strip()
            if not tag:
                continue
            if not TAG_RE.match(tag):
                raise InputError(f"tag {tag!r} is not valid: use letters, digits, '-' and '_' (at most 40)")
            if tag not in tags:
                tags.append(tag)
    return sorted(tags)


def choose_client_id(name: str, exists) -> str:  # type: ignore[no-untyped-def]
    """A free id made from the name: 'Ana Lima' -> 'ana-lima', then 'ana-lima-2'..."""
    base = slugify(name)[:60].rstrip("-") or "client"
    if not base[0].isalnum():
        base = "client"
    candidate = base
    number = 1
    while exists(candidate):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


RECORD_FIELDS = ("id", "name", "email", "phone", "notes", "tags")  # what a client-added event records, in order


def client_record(client_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The validated record stored in a client-added event."""
    check_slug(client_id, "client")
    return {
        "id": client_id,
        "name": check_name(fields.get("name", ""), "client name"),
        "email": check_email(fields.get("email") or ""),
        "phone": check_phone(fields.get("phone") or ""),
        "notes": check_notes(fields.get("notes") or ""),
        "tags": check_tags(fields.get("tags") or []),
    }


def add_client(client_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    record = client_record(client_id, fields)
    return {"type": "client-added", "clients": [client_id], "client": record}


def notice_kinds(values, option: str) -> set[str]:  # type: ignore[no-untyped-def]
    """Notice kinds named by --no-notices / --notices (repeatable or comma-separated; 'all')."""
    from .notice_settings import KINDS

    chosen: set[str] = set()
    for value in values:
        for kind in value.split(","):
            kind = kind.strip()
            if kind == "all":
                chosen.update(KINDS)
            elif kind in KINDS:
                chosen.add(kind)
            else:
                raise InputError(f"{option} {kind!r} is not a notice kind: use {', '.join(KINDS)} or all")
    return chosen


# A value of each field that passes its check, standing for a field an edit does not give.
_ACCEPTED = {"name": "x", "email": "", "phone": "", "notes": "", "tags": []}


def edit_client(current: Mapping[str, Any], changes: Mapping[str, Any], add_tags=(), remove_tags=(), no_notices=(), notices=()) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A client-edited event holding only the fields that change.

    ``no_notices`` / ``notices``: notice kinds the client stops or starts
    receiving (kept as ``no_notices``, a sorted list, in the record)."""
    # Only what is given is checked: a field as recorded stays as it is, even
    # one an older sessionpack let in that today's rules refuse (an invisible
    # character in a name), so an email can be changed without retyping it.
    given = {key: value for key, value in changes.items() if value is not None}
    typed = client_record(current["id"], {**{key: _ACCEPTED[key] for key in CLIENT_FIELDS}, **given})
    record = {key: typed[key] if key in given else current.get(key) for key in CLIENT_FIELDS}
    removed = set(check_tags(list(remove_tags)))
    record["tags"] = sorted({t for t in (record.get("tags") or []) if t not in removed} | set(check_tags(list(add_tags))))
    changed = {key: record[key] for key in CLIENT_FIELDS if record[key] != current.get(key)}
    if no_notices or notices:
        from .notice_settings import KINDS

        stop, start = notice_kinds(no_notices, "--no-notices"), notice_kinds(notices, "--notices")
        both = stop & start
        if both:
            raise InputError(f"--no-notices and --notices both name {', '.join(sorted(both))}; give each kind once")
        before = set(current.get("no_notices") or [])
        after = (before | stop) - start
        if after != before:
            changed["no_notices"] = [kind for kind in KINDS if kind in after]
    if not changed:
        raise RuleError(f"nothing to change for client {current['id']}: give at least one new value")
    return {"type": "client-edited", "clients": [current["id"]], "changes": changed}


def matches(client_id: str, entry: Mapping[str, Any], words: str) -> bool:
    """Whether every word of ``words`` is found in the client's id, name, email
    or phone (case and accents ignored; a phone also digits only)."""
    haystack = folded(" ".join([client_id, entry.get("name", ""), entry.get("email", ""), entry.get("phone", "")]))
    digits = "".join(ch for ch in entry.get("phone", "") if ch.isdigit())
    for word in folded(words).split():
        bare = "".join(ch for ch in word if ch.isdigit())
        if word not in haystack and not (bare and bare == word.lstrip("+") and bare in digits):
            return False
    return True


class Alikes:
    """Clients by name (case and accents ignored) and by email, to find
    look-alikes of many new clients at once (a file of clients) without
    comparing each with every other."""

    def __init__(self, clients: Mapping[str, Mapping[str, Any]]) -> None:
        self.clients: dict[str, Mapping[str, Any]] = {}
        self._names: dict[str, list[str]] = {}
        self._emails: dict[str, list[str]] = {}
        for other, entry in sorted(clients.items()):
            self.add(other, entry)

    def add(self, client_id: str, entry: Mapping[str, Any]) -> None:
        self.clients[client_id] = entry
        if entry.get("name"):
            self._names.setdefault(folded(entry["name"]), []).append(client_id)
        if entry.get("email"):
            self._emails.setdefault(entry["email"].casefold(), []).append(client_id)

    def of(self, name: str, email: str, me: str | None = None) -> list[str]:
        """Other clients with the same name or email: one warning line each."""
        same_name = set(self._names.get(folded(name), ())) if name else set()
        same_email = set(self._emails.get(email.casefold(), ())) if email else set()
        found = []
        for other in sorted((same_name | same_email) - {me}):
            entry = self.clients[other]
            if other in same_name:
                found.append(f"{other} already has the name {entry['name']!r}")
            else:
                found.append(f"{other} already has the email {entry['email']}")
        return found


def look_alikes(clients: Mapping[str, Mapping[str, Any]], name: str, email: str, me: str | None = None) -> list[str]:
    """Other clients with the same name (case and accents ignored) or email:
    one warning line each, for ``client add`` and ``client edit``."""
    return Alikes(clients).of(name, email, me)
