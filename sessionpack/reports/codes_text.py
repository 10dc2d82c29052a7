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
from ..domain.datetimes import utc_text
from .balances import describes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

# ``balance --code --format csv``: one ``balance`` row per balance item (one
# number per column), then one ``session`` row per session booked on the
# package and not yet marked (when, what and how much it draws).
CODE_CSV_COLUMNS = ["row", "id", "package", "name", "item", "total", "adjusted", "used", "forfeited", "scheduled",
                    "transferred", "voided", "expired", "remaining", "expires", "starts_at_first_use", "status",
                    "start", "service", "service_name", "duration", "amount"]
_FIGURES = ("total", "adjusted", "used", "forfeited", "scheduled", "transferred", "voided", "expired", "remaining")


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
    out.sort(key=lambda s: (utc_text(s["start"]), s["service"] or ""))  # (as they happen: ``when.start_order``)
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


def code_csv_rows(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of ``CODE_CSV_COLUMNS``: nothing flattened into a string."""
    head = {"id": summary["id"], "package": summary["package"], "name": summary["name"]}
    rows: list[dict[str, Any]] = []
    for key, row in summary["balances"].items():
        rows.append({"row": "balance", **head, "item": key, **{figure: row[figure] for figure in _FIGURES},
                     "expires": summary["expires"], "starts_at_first_use": summary["starts_at_first_use"],
                     "status": summary["status"]})
    for session in summary["booked"]:
        rows.append({"row": "session", **head, "item": session["item"], "start": session["start"],
                     "service": session["service"], "service_name": session["service_name"],
                     "duration": session["duration"], "amount": session["amount"]})
    return rows


def code_table_rows(summary: Mapping[str, Any], now: datetime, tz: ZoneInfo) -> list[dict[str, Any]]:
    """One row per balance item for people, in the words and columns of
    ``balance`` (``left 1/10``, ``booked``, ``valid to 14 Apr``): the same
    rows, made by the same function."""
    from .balances import balance_table_rows

    lapsed = {key: row["expired"] for key, row in summary["balances"].items() if str(row["expired"]) not in ("0", "0.00")}
    return balance_table_rows([dict(summary, owner=None, shared_with=[], shared_by=None, forfeited_at_expiry=lapsed)],
                              now=now, tz=tz)


def code_session_rows(summary: Mapping[str, Any], now: datetime, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The sessions booked on the package and not yet marked, for people:
    when (in the practice's zone), the service's name, minutes and what each draws."""
    from .when import human_date, human_time

    rows = []
    for session in summary["booked"]:
        start = session["start"]
        rows.append({
            "when": human_time(start, now, tz) if len(start) > 10 else human_date(start, now, tz, weekday=True),
            "service": session["service_name"] or session["service"] or "",
            "minutes": session["duration"],
            "draws": f"{session['amount']} {session['item']}",
        })
    return rows


@describes("code-reset")
def _code_reset(event: Mapping[str, Any]) -> str:
    return f"access code of {event['client_package']} replaced; the old code no longer works"
