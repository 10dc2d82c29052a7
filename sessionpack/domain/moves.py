"""Moving a booking to another time (rule 25 of docs/rules.md).

A move is one ``moved`` event: the booking keeps its id, service, duration,
provider, price and series, and gets a new start. Who pays is judged again
for the new time, as ``book`` judges it (``bookings.pick``):

- with ``--package`` or ``--no-package``, as for ``book``;
- a booking drawing on a package keeps it when that package can still pay
  at the new time (its own draw given back first, so it counts as free);
  when it cannot, the reason is recorded and a package is chosen by rule 3,
  or the session goes to the regular fee;
- a booking at the regular fee stays at the regular fee (``--package``, or
  ``link`` afterwards, makes a package pay);
- a booking linked by hand with ``--count-as`` or without drawing is
  refused: unlink it, move it, and link it again;
- a new fee below what was already paid on the booking is refused, as
  ``link`` refuses it (``bookings.check_paid_fits``); ``--force`` with
  ``--reason`` moves it anyway and the difference is owed back.

The new time passes the same sanity checks as a new booking (rule 21,
``guards.check_session``), the booking itself not counted. The session's
draw moves with it, so a first-use package's clock follows the move.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..errors import RuleError
from . import balances
from .bookings import Session, check_clock, check_paid_fits, fee_for, judge, pick, take_payment, usable_packages
from .guards import Checks, check_session, when_text
from .ledger import handles
from .links import booking_service
from .money import money_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping


def _draw_text(amount: Any) -> Any:
    return money_text(amount) if isinstance(amount, Decimal) else amount


def _without_draw(view: Mapping[str, Any], booking_id: str) -> dict[str, Any]:
    """A copy of ``view`` to plan on, with what ``booking_id`` draws given back."""
    copied = copy.deepcopy({key: value for key, value in view.items() if key != "events"})
    copied["events"] = []
    for pkg in copied.get("packages", {}).values():
        pkg.get("draws", {}).pop(booking_id, None)
    return copied


def plan_move(
    booking: Mapping[str, Any],
    attendee_view: Mapping[str, Any],
    owner_views: Mapping[str, Mapping[str, Any]],
    start: datetime,
    *,
    catalog: Any,
    checks: Checks,
    now: datetime,
    tz: ZoneInfo,
    currency: str,
    package: str | None = None,
    no_package: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    """The ``moved`` event for ``booking`` to ``start``.

    The session keeps the service as booked (the price and tax on the
    booking); ``catalog`` is the service as the catalog has it now
    (providers, capacity), or None; ``owner_views`` the views of the
    clients whose packages the attendee may use and of the owner of the
    package the booking draws on.
    """
    bid = booking["id"]
    if booking["status"] != "booked":
        raise RuleError(f"booking {bid} is {booking['status']}: only a booked session can be moved")
    if booking.get("counted_as") or (booking.get("package") and not booking.get("draw")):
        raise RuleError(f"booking {bid} was linked to {booking['package']} by hand; unlink it ('sessionpack unlink {bid}'), "
                        "move it, then link it again")
    before = datetime.fromisoformat(booking["start"])
    # (as instants: Python finds a time of the hour the clocks go back equal
    # to no time of another zone, its own recorded offset included)
    if start.astimezone(timezone.utc) == before.astimezone(timezone.utc):
        raise RuleError(f"booking {bid} is already at {when_text(start, tz)}; nothing to move")
    session = Session(booking["attendee"], booking_service(booking), start, int(booking["duration"]), booking.get("provider"))
    check_session(session, catalog, checks, now=now, tz=tz, ignore=bid)
    attendee = _without_draw(attendee_view, bid)
    owners = {owner: _without_draw(view, bid) for owner, view in owner_views.items() if owner != attendee["id"]}
    candidates = usable_packages(attendee, owners)
    old = booking.get("package")
    if no_package or package is not None:
        chosen, why = pick(candidates, session, now=now, tz=tz, package=package, no_package=no_package, owners=owners)
        if no_package:
            why = "moved without a package (--no-package)"
    elif old is None:
        chosen, why = None, "at the regular fee, as before the move"
    else:
        pkg = next((p for p in candidates if p["id"] == old), None)
        verdict = judge(pkg, session, now, tz) if pkg is not None else f"{booking['attendee']} can no longer use it"
        if isinstance(verdict, str):
            chosen, why = pick(candidates, session, now=now, tz=tz, said=frozenset({old}))
            why = f"{old} cannot pay at the new time ({verdict}); {why}"
        else:
            chosen, why = verdict, "the same package, still eligible at the new time"
    if chosen is not None:
        check_clock(chosen.pkg, start.astimezone(tz).date(), bid, checks.force)
    fee, fee_tax = fee_for(session, chosen, currency)
    # A fee below what was paid on the booking is refused as for 'link'
    # (rule 25): --force with --reason moves it anyway, and the rest is owed back.
    where = f"drawing on {chosen.pkg['id']} at the new time" if chosen else "at the new time"
    too_much = check_paid_fits(booking, fee, fee_tax, currency=currency, after=where, verb="move",
                               forced=checks.force and bool(reason))
    new_owner = chosen.pkg["owner"] if chosen else None
    clients = [booking["attendee"]]
    for owner in (booking.get("owner"), new_owner):
        if owner and owner not in clients:
            clients.append(owner)
    event: dict[str, Any] = {
        "type": "moved",
        "clients": clients,
        "booking": bid,
        "from": booking["start"],
        "to": start.astimezone(tz).isoformat(),
        "from_package": old,
        "from_owner": booking.get("owner"),
        "package": chosen.pkg["id"] if chosen else None,
        "owner": new_owner,
        "draw": {"key": chosen.key, "amount": _draw_text(chosen.amount)} if chosen else None,
        "fee": money_text(fee),
        "fee_tax": money_text(fee_tax),
        "why": why,
    }
    if too_much:
        event["forced"] = too_much
    if reason:
        event["reason"] = reason
    return event


def move_words(event: Mapping[str, Any], tz: tzinfo | None = None) -> str:
    """'ana.b3 moved from 2026-12-01 10:00 to 2026-12-03 11:00; draws 1 massage from ana.p1',
    the times in the practice's zone ``tz`` (``guards.when_text``: with
    their offsets in the hour the clocks go back, 'moved from 2026-11-01
    01:30-04:00 to 2026-11-01 01:30-05:00')."""
    head = f"{event['booking']} moved from {when_text(event['from'], tz)} to {when_text(event['to'], tz)}"
    draw = event.get("draw")
    if draw:
        tail = f"draws {balances.plain(draw['amount'])} {draw['key']} from {event['package']}"
    else:
        tail = f"regular fee {event['fee']} + {event['fee_tax']} tax"
    if event.get("from_package") and event.get("from_package") != event.get("package"):
        tail += f" (was {event['from_package']})"
    if event.get("forced"):
        tail += f"; forced past: {event['forced']}"
    return f"{head}; {tail}"


@handles("moved")
def _moved(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    bid = event["booking"]
    booking = view["bookings"].get(bid)
    if booking is not None and booking["attendee"] == me:
        booking["start"] = event["to"]
        take_payment(booking, event)
        booking["why"] = event["why"] + (f"; forced past: {event['forced']}" if event.get("forced") else "")
    old = event.get("from_package")
    if old and event.get("from_owner") == me and old in view["packages"]:
        balances.give_back(view["packages"][old], bid)
    new = event.get("package")
    if new and event.get("owner") == me and event.get("draw"):
        view["packages"][new]["draws"][bid] = {
            "key": event["draw"]["key"],
            "amount": event["draw"]["amount"],
            "state": "scheduled",
            "date": event["to"][:10],
            "attendee": bid.rsplit(".b", 1)[0],  # a booking's id names its attendee
        }

