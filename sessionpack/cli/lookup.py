"""Finding what a command names: a client, a client package, a booking.

The standard errors for an unknown or malformed id, shared by every command.
"""

from __future__ import annotations

from ..errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def client_view(tx: Any, client_id: str) -> dict:
    """The view of an existing client, or a clear InputError."""
    from ..domain.ids import check_slug

    check_slug(client_id, "client")
    view = tx.client(client_id)
    if view is None or view.get("client") is None:
        raise InputError(f"no client {client_id!r}; see 'sessionpack client list' or add one with 'sessionpack client add'")
    return view


def find_client_package(tx: Any, client_package: str, owner_id: str | None = None,
                        known: dict | None = None) -> tuple[dict, dict]:
    """(its owner's view, the client package), or the standard errors.

    ``owner_id``: already parsed from ``client_package`` by the caller;
    ``known``: a view already read, used if it is the owner's.
    """
    from ..domain.ids import parse_client_package_id

    if owner_id is None:
        owner_id, _ = parse_client_package_id(client_package)
    view = known if known is not None and known["id"] == owner_id else client_view(tx, owner_id)
    pkg = view["packages"].get(client_package)
    if pkg is None:
        raise InputError(f"no client package {client_package!r}; see 'sessionpack balance {owner_id}'")
    return view, pkg


def owner_views(tx: Any, attendee: dict, package: str | None = None) -> dict:
    """Views of the clients whose packages are shared with the attendee;
    with ``package`` (a client package named by --package), also its
    owner's, so that a package that exists but is not the attendee's to use
    is refused by name, as ``link`` refuses it (``bookings.pick``)."""
    views = {}
    for owner in sorted(set(attendee.get("shared_in", {}).values())):
        view = tx.client(owner)
        if view is not None:
            views[owner] = view
    if package:
        from ..domain.ids import CLIENT_PACKAGE_RE

        named = package.rsplit(".p", 1)[0]
        if CLIENT_PACKAGE_RE.match(package) and named != attendee.get("id") and named not in views:
            found = tx.client(named)
            if found is not None:
                views[named] = found
    return views


def find_booking(tx: Any, booking_id: str) -> tuple[dict, dict]:
    """(the booking, its attendee's view), or the standard errors."""
    from ..domain.ids import parse_booking_id

    attendee_id, _ = parse_booking_id(booking_id)
    view = client_view(tx, attendee_id)
    booking = view["bookings"].get(booking_id)
    if booking is None:
        raise InputError(f"no booking {booking_id!r}; see 'sessionpack history {attendee_id}'")
    return booking, view
