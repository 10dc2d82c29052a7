"""How booking events change a client view: booked, attended, no-show, cancelled.

The fold of these events lives apart from the planning of bookings
(``bookings``) so that reading a history, which folds every event of a
client again, loads only this: no catalog records, restrictions or rules
of choice.
"""

from __future__ import annotations

from decimal import Decimal

from . import balances
from .ledger import handles
from .money import money_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@handles("booked")
def _booked(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    booking = event["booking"]
    if booking["attendee"] == me:
        record = dict(booking)
        record["status"] = "booked"
        record["booked_at"] = event.get("at")
        view["bookings"][booking["id"]] = record
        view["counters"]["b"] = max(view["counters"]["b"], int(booking["id"].rsplit(".b", 1)[1]))
    if booking.get("owner") == me and booking.get("draw"):
        pkg = view["packages"][booking["package"]]
        pkg["draws"][booking["id"]] = {
            "key": booking["draw"]["key"],
            "amount": booking["draw"]["amount"],
            "state": "scheduled",
            "date": booking["start"][:10],
            "attendee": booking["attendee"],
        }


_DRAW_AFTER = {"attended": "used", "no-show": {"return": None, "forfeit": "forfeited"}, "cancelled": {"return": None, "forfeit": "forfeited", "charge": "forfeited"}}
_STATUS_AFTER = {"attended": "attended", "no-show": "no-show"}
_MARKED_AS = {"attended": "attended", "no-show": "no-show", "cancelled": "cancelled", "late-cancelled": "cancelled"}  # status -> event


def draw_state_after(kind: str, outcome: str | None) -> str | None:
    """What a booking's draw becomes when it is marked ``kind`` (attended,
    no-show, cancelled) with ``outcome``: used, forfeited, or None (given back)."""
    after = _DRAW_AFTER[kind]
    return after if isinstance(after, str) else after.get(outcome or "return")


def still_draws(status: str, outcome: str | None) -> bool:
    """Whether a booking in ``status``, marked with ``outcome``, still draws
    on its package (a booked one does; one whose draw went back does not)."""
    kind = _MARKED_AS.get(status)
    return kind is None or draw_state_after(kind, outcome) is not None


@handles("attended", "no-show", "cancelled")
def _status_changed(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    kind = event["type"]
    booking = view["bookings"].get(event["booking"])
    if booking is not None and booking["attendee"] == me:
        if kind == "cancelled":
            booking["status"] = "late-cancelled" if event.get("late") else "cancelled"
            if event.get("outcome") != "forfeit":  # a forfeited late cancel is billed like the session
                booking["fee"] = money_text(Decimal(0) * Decimal(booking["fee"]))
                booking["fee_tax"] = money_text(Decimal(0) * Decimal(booking["fee_tax"]))
        else:
            booking["status"] = _STATUS_AFTER[kind]
        booking["outcome"] = event.get("outcome")
        if "kept" in event:  # a late-cancel charge: what the booking still draws
            booking["kept"] = event["kept"]
        if event.get("reason"):
            booking["reason"] = event["reason"]
    cp_id = event.get("package")
    if cp_id and cp_id in view["packages"] and view["packages"][cp_id]["owner"] == me:
        draws = view["packages"][cp_id]["draws"]
        draw = draws.get(event["booking"])
        if draw is None:
            return
        state = draw_state_after(kind, event.get("outcome"))
        if state is None:
            balances.give_back(view["packages"][cp_id], event["booking"])
        else:
            draw["state"] = state
            if "kept" in event:
                draw["amount"] = event["kept"]
