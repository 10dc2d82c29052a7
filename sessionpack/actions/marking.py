"""Marking sessions attended, no-show or cancelled, one or many at once (rule 26 of docs/rules.md).

``plan_marks`` is the one path from a request -- booking ids, or a client
and a day -- to the events: every booking is found and judged
(``bookings.change_status``, which holds the rules of one booking) before
anything is recorded, so the command records all of them in one commit or
none. The returned ``MarkPlan`` says what will happen (``lines``) and how
many sessions a cancellation voids (``voided``), which is what a
confirmation shows before the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..domain.datetimes import utc_text
from ..errors import InputError, RuleError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

WORDS = {"attend": "attended", "no-show": "a no-show", "cancel": "cancelled"}


@dataclass
class MarkPlan:
    """The events of one marking command, and the bookings they are about, in order."""

    action: str
    bookings: list[dict[str, Any]]
    events: list[dict[str, Any]]
    lapsing: dict[str, str] = field(default_factory=dict)  # booking id -> expiry day of the package it goes back to

    def lines(self) -> list[str]:
        """What will happen, one line per session (as the history words it,
        and, where the session goes back to a package whose expiry is
        recorded, that it lapses with it: ``balances.give_back``)."""
        from ..reports.balances import describe_event

        return [describe_event(event) + (f" (expired on {self.lapsing[event['booking']]}: the session lapses with it)"
                                         if event["booking"] in self.lapsing else "")
                for event in self.events]

    @property
    def voided(self) -> int:
        """Sessions this plan cancels (more than one asks for confirmation)."""
        return len(self.events) if self.action == "cancel" else 0


def _booking(tx: Any, booking_id: str, views: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    from ..domain.ids import parse_booking_id

    attendee, _ = parse_booking_id(booking_id)
    view = _view(tx, attendee, views)
    booking = view["bookings"].get(booking_id)
    if booking is None:
        raise InputError(f"no booking {booking_id!r}; see 'sessionpack history {attendee}'")
    return booking, view


def _view(tx: Any, client_id: str, views: dict[str, dict[str, Any]]) -> dict[str, Any]:
    from ..domain.ids import check_slug

    if client_id not in views:
        check_slug(client_id, "client")
        view = tx.client(client_id)
        if view is None or view.get("client") is None:
            raise InputError(f"no client {client_id!r}; see 'sessionpack client list' or add one with 'sessionpack client add'")
        views[client_id] = view
    return views[client_id]


def sessions_on(view: dict[str, Any], day: date) -> list[dict[str, Any]]:
    """The client's sessions still booked on ``day`` (practice zone), by start."""
    text = day.isoformat()
    found = [b for b in view["bookings"].values() if b["status"] == "booked" and b["start"][:10] == text]
    return sorted(found, key=lambda b: (utc_text(b["start"]), int(b["id"].rsplit(".b", 1)[1])))  # (as they happen)


def plan_marks(
    tx: Any,
    action: str,
    booking_ids: list[str],
    *,
    client: str | None,
    day: date | None,
    now: datetime,
    tz: Any,
    currency: str,
    reason: str | None = None,
    override: str | None = None,
    force: bool = False,
) -> MarkPlan:
    """The events marking every booking named (or every booked session of
    ``client`` on ``day``) with ``action``: attend, no-show or cancel."""
    from ..domain.bookings import change_status

    views: dict[str, dict[str, Any]] = {}
    if (client is None) != (day is None):
        raise InputError("--client and --date go together: give both, or booking ids")
    if client is not None and booking_ids:
        raise InputError("give booking ids, or --client and --date, not both")
    if client is None and not booking_ids:
        raise InputError("give one or more booking ids, or --client CLIENT --date DATE")
    if client is not None:
        bookings = sessions_on(_view(tx, client, views), day)  # type: ignore[arg-type]
        if not bookings:
            raise RuleError(f"{client} has no booked sessions on {day.isoformat()}; nothing was changed")  # type: ignore[union-attr]
    else:
        seen: set[str] = set()
        bookings = []
        for booking_id in booking_ids:
            if booking_id in seen:
                raise InputError(f"booking {booking_id} is given twice; give each booking once")
            seen.add(booking_id)
            bookings.append(_booking(tx, booking_id, views)[0])
    events = []
    lapsing: dict[str, str] = {}
    for booking in bookings:
        owner = None
        if booking.get("owner"):
            owner = views.get(booking["owner"]) or tx.client(booking["owner"])
        event = change_status(booking, owner, action, now=now, currency=currency, reason=reason,
                              override=override, force=force, tz=tz)
        if event.get("outcome") == "return":
            held = (owner or views[booking["attendee"]])["packages"].get(event.get("package") or "", {})
            if held.get("expired_at"):
                lapsing[booking["id"]] = held["expired_at"]
        events.append(event)
    return MarkPlan(action, bookings, events, lapsing)
