"""Identifiers: validated before they ever become part of a path.

Slugs (services, packages, clients) are lower-case letters, digits and
single hyphens, starting with a letter or digit, at most 64 characters.
Client package ids are ``CLIENT.pN`` and booking ids ``CLIENT.bN``: the
owner (or attendee) is part of the id, so one small file answers for it.
"""

from __future__ import annotations

from ..errors import InputError
from .regex import pattern

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SLUG_RE = pattern(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63}\Z")
CLIENT_PACKAGE_RE = pattern(r"^([a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63})\.p([1-9][0-9]{0,8})\Z")
BOOKING_RE = pattern(r"^([a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63})\.b([1-9][0-9]{0,8})\Z")


_SLUG_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def is_slug(value: str) -> bool:
    """Whether ``value`` matches ``SLUG_RE``: 1 to 64 lower-case letters,
    digits and single hyphens, first and last a letter or digit. Checked
    without the pattern: compiling it would cost a command that names one
    client more than all its other checks."""
    return (0 < len(value) <= 64 and value[0] != "-" and value[-1] != "-" and "--" not in value
            and _SLUG_CHARACTERS.issuperset(value))


def match_client_package(value: str) -> Any:
    """``CLIENT_PACKAGE_RE.match(value)``; text without ``.p`` cannot be a
    client package id, and is answered without compiling the pattern."""
    return CLIENT_PACKAGE_RE.match(value) if ".p" in value else None


def check_slug(value: str, kind: str) -> str:
    """Return ``value`` if it is a valid slug, else raise a clear InputError:
    for a client id, one that says so when the text is a client package or
    a booking id (the usual slip), with a client's id as the example; a
    byte that is not UTF-8 is named as the byte (``\\xe9``)."""
    if isinstance(value, str) and is_slug(value):
        return value
    if isinstance(value, str) and not value.isprintable():
        from .text import _refuse_not_utf8

        for ch in value:
            _refuse_not_utf8(f"{kind} id", ch)
    if kind == "client" and isinstance(value, str):
        package = match_client_package(value)
        if package is not None:
            raise InputError(f"{value} is a client package, not a client; give a client id such as "
                             f"{package.group(1)!r}, or use 'sessionpack history {value}'")
        booking = BOOKING_RE.match(value) if ".b" in value else None
        if booking is not None:
            raise InputError(f"{value} is a booking, not a client; give a client id such as "
                             f"{booking.group(1)!r} (the booking is in 'sessionpack history {booking.group(1)}')")
    example = "ana-lima" if kind == "client" else "massage-60"
    raise InputError(
        f"{kind} id {value!r} is not valid: use lower-case letters, digits and "
        f"single hyphens (at most 64 characters), e.g. {example!r}"
    )


def slugify(text: str) -> str:
    """A slug made from a name: 'Ana Lima' -> 'ana-lima'."""
    import re
    import unicodedata

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
