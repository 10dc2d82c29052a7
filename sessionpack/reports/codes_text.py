"""What an access code shows, and the words for a code reset (pure).

``code_summary`` is the one client package a code opens, as ``balance
--code`` shows it: the package, its balances and the sessions booked on
it -- never the owner's name or contact, other packages, the clients it is
shared with, invoices or prices.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ..domain import balances
from .balances import describes, expiry_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

CODE_COLUMNS = ["id", "package", "item", "total", "used", "scheduled", "remaining", "expires", "status", "booked"]


def _booked(pkg: Mapping[str, Any], bookings: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Sessions drawing on the package and not yet marked, earliest first."""
    out = []
    for booking_id, draw in pkg.get("draws", {}).items():
        if draw["state"] != "scheduled":
            continue
        b = bookings.get(booking_id) or {}
        out.append({
            "start": b.get("start") or draw["date"],
            "service": b.get("service"),
            "service_name": b.get("service_name"),
            "duration": b.get("duration"),
            "item": draw["key"],
            "amount": draw["amount"],
        })
    out.sort(key=lambda s: (s["start"], s["service"] or ""))
    return out


def code_summary(pkg: Mapping[str, Any], bookings: Mapping[str, Mapping[str, Any]], now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    """The package ``pkg`` as its access code shows it.

    ``bookings`` maps booking id to booking for the sessions drawing on it
    (the owner's and those of clients it is shared with).
    """
    rows = balances.balance(pkg)
    last_day = balances.expiry(pkg)
    return {
        "id": pkg["id"],
        "package": pkg["package"],
        "name": pkg["terms"]["name"],
        "status": balances.status(pkg, now, tz),
        "expires": last_day.isoformat() if last_day else None,
        "starts_at_first_use": balances.starts_at_first_use(pkg) and balances.first_use(pkg) is None,
        "remaining": {key: balances.plain(row["remaining"]) for key, row in rows.items()},
        "balances": {key: {k: balances.plain(v) for k, v in row.items()} for key, row in rows.items()},
        "booked": _booked(pkg, bookings),
    }


def _session_text(session: Mapping[str, Any]) -> str:
    when = session["start"][:16].replace("T", " ")
    return f"{when} {session['service']}" if session["service"] else when


def code_table_rows(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per balance item, with the sessions booked on that item."""
    rows = []
    for key, row in summary["balances"].items():
        adjusted = str(row["adjusted"])
        total = row["total"] if adjusted in ("0", "0.00") else f"{row['total']} {'' if adjusted.startswith('-') else '+'}{adjusted}"
        used = row["used"] if str(row["forfeited"]) in ("0", "0.00") else f"{row['used']} + {row['forfeited']} forfeited"
        rows.append({
            "id": summary["id"],
            "package": summary["name"],
            "item": key,
            "total": total,
            "used": used,
            "scheduled": row["scheduled"],
            "remaining": row["remaining"],
            "expires": expiry_text(summary),
            "status": summary["status"],
            "booked": "; ".join(_session_text(s) for s in summary["booked"] if s["item"] == key),
        })
    return rows


@describes("code-reset")
def _code_reset(event: Mapping[str, Any]) -> str:
    return f"access code of {event['client_package']} replaced; the old code no longer works"
