"""A client's page (``client show``): who they are, their links, every
client package with what is left, the sessions to come, the money owed and
the money owed back.

Pure: a client's view (and the views of the clients sharing packages with
them) in, one record out.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..domain.links import booking_payment
from ..domain.money import money_text, quantize
from .balances import client_summaries, shared_summaries
from .sharing_text import relation_rows
from .when import start_order

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

OPEN_BOOKING = "booked"


def upcoming(view: Mapping[str, Any], now: datetime, currency: str) -> list[dict[str, Any]]:
    """The client's sessions still booked that start at ``now`` or later, soonest first."""
    rows = []
    for booking in view.get("bookings", {}).values():
        if booking["status"] != OPEN_BOOKING or datetime.fromisoformat(booking["start"]) < now:
            continue
        money = booking_payment(booking, currency)
        rows.append({"id": booking["id"], "start": booking["start"], "service": booking["service"],
                     "duration": booking["duration"], "provider": booking.get("provider"),
                     "package": booking.get("package"), "due": money["due"], "payment": money["payment"]})
    return sorted(rows, key=lambda row: start_order(row["start"], row["id"]))


def owed(view: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """What the client owes: unpaid and partly paid sales, and fees due on
    bookings (per-session fees, regular fees, late-cancel charges)."""
    items = []
    zero = quantize(Decimal(0), currency)
    for cp_id in sorted(view.get("packages", {}), key=lambda c: int(c.rsplit(".p", 1)[1])):
        pkg = view["packages"][cp_id]
        if pkg.get("status") in ("cancelled", "refunded") or pkg.get("refunded"):
            continue
        due = quantize(Decimal(pkg["sale"]["total"]) - Decimal(pkg.get("paid", "0")), currency)
        if due > 0:
            items.append({"what": cp_id, "kind": "sale", "date": pkg["sale"]["date"], "due": money_text(due)})
    for booking in sorted(view.get("bookings", {}).values(), key=lambda b: start_order(b["start"], b["id"])):
        if booking["status"] == "cancelled":
            continue
        money = booking_payment(booking, currency)
        if Decimal(money["due"]) > 0:
            items.append({"what": booking["id"], "kind": "booking", "date": booking["start"][:10], "due": money["due"]})
    total = sum((Decimal(item["due"]) for item in items), zero)
    return {"items": items, "total": money_text(quantize(total, currency))}


def owed_back(view: Mapping[str, Any], currency: str, package: str | None = None) -> dict[str, Any]:
    """What the practice owes the client back: every booking of theirs paid
    more than its fee (cancelled after it was paid, or moved or linked by
    force to a package that pays for it), oldest session first, with what
    was paid, the fee now and the difference (``package``: only the bookings
    drawing on that client package)."""
    from ..domain.bookings import owed_back as paid_too_much

    items = []
    zero = quantize(Decimal(0), currency)
    for booking in sorted(view.get("bookings", {}).values(), key=lambda b: start_order(b["start"], b["id"])):
        if package is not None and booking.get("package") != package:
            continue
        back = paid_too_much(booking, currency)
        if back > 0:
            money = booking_payment(booking, currency)
            items.append({"what": booking["id"], "date": booking["start"][:10], "status": booking["status"],
                          "paid": money["paid"], "fee": money["total"], "owed_back": money_text(back)})
    total = sum((Decimal(item["owed_back"]) for item in items), zero)
    return {"items": items, "total": money_text(quantize(total, currency))}


def client_page(view: Mapping[str, Any], owners: Mapping[str, Mapping[str, Any]], now: datetime, tz: ZoneInfo,
                currency: str) -> dict[str, Any]:
    """Everything ``client show`` shows, as one record (its JSON)."""
    record = dict(view["client"])
    record["packages"] = sorted(view["packages"], key=lambda c: int(c.rsplit(".p", 1)[1]))
    record["relations"] = relation_rows(view)
    record["balances"] = client_summaries(view, now, tz, include_inactive=True) + shared_summaries(view, owners, now, tz)
    record["upcoming"] = upcoming(view, now, currency)
    record["owed"] = owed(view, currency)
    record["owed_back"] = owed_back(view, currency)
    return record
