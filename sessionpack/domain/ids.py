"""Identifiers: validated before they ever become part of a path.

Slugs (services, packages, clients) are lower-case letters, digits and
single hyphens, starting with a letter or digit, at most 64 characters.
Client package ids are ``CLIENT.pN`` and booking ids ``CLIENT.bN``: the
owner (or attendee) is part of the id, so one small file answers for it.
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import InputError
from .regex import pattern

SLUG_RE = pattern(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63}\Z")
CLIENT_PACKAGE_RE = pattern(r"^([a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63})\.p([1-9][0-9]{0,8})\Z")
BOOKING_RE = pattern(r"^([a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63})\.b([1-9][0-9]{0,8})\Z")


def check_slug(value: str, kind: str) -> str:
    """Return ``value`` if it is a valid slug, else raise a clear InputError."""
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise InputError(
            f"{kind} id {value!r} is not valid: use lower-case letters, digits and "
            "single hyphens (at most 64 characters), e.g. 'massage-60'"
        )
    return value


def slugify(text: str) -> str:
    """A slug made from a name: 'Ana Lima' -> 'ana-lima'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:64].rstrip("-")


def client_package_id(client: str, number: int) -> str:
    return f"{client}.p{number}"


def booking_id(client: str, number: int) -> str:
    return f"{client}.b{number}"


def parse_client_package_id(value: str) -> tuple[str, int]:
    match = CLIENT_PACKAGE_RE.match(value or "")
    if not match:
        raise InputError(
            f"client package id {value!r} is not valid: it looks like 'ana.p1' "
            "(see 'sessionpack balance CLIENT')"
        )
    return match.group(1), int(match.group(2))


def parse_booking_id(value: str) -> tuple[str, int]:
    match = BOOKING_RE.match(value or "")
    if not match:
        raise InputError(
            f"booking id {value!r} is not valid: it looks like 'ana.b3' "
            "(see 'sessionpack history CLIENT')"
        )
    return match.group(1), int(match.group(2))
