"""Words for adjustments, pauses and transfers in ``history`` (pure)."""

from __future__ import annotations

from datetime import date, timedelta

from ..domain.balances import UNLIMITED
from .balances import describes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping


def _signed(value: Any) -> str:
    text = str(value)
    return text if text.startswith("-") else f"+{text}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def amounts_text(amounts: Mapping[str, Any]) -> str:
    """'massage 2', 'money 50.00', 'unlimited', 'thai unlimited'."""
    parts = []
    for key, value in amounts.items():
        if value == UNLIMITED:
            parts.append(UNLIMITED if key == UNLIMITED else f"{key} unlimited")
        else:
            parts.append(f"{key} {value}")
    return ", ".join(parts)


@describes("adjusted")
def adjusted_text(event: Mapping[str, Any]) -> str:
    parts = [f"{key} {_signed(delta)}" for key, delta in event["changes"].items()]
    if event.get("expires"):
        parts.append(f"expires {event['expires']}")
    forced = " (forced)" if event.get("forced") else ""
    reopened = ""
    if event.get("reopens"):
        back = event["reopens"]["restored"]
        reopened = f"; takes back the expiry of {event['reopens']['expired_on']}" + (f" (restores {amounts_text(back)})" if back else "")
    return f"adjusted {event['client_package']}: {', '.join(parts)}{forced}{reopened}"


@describes("paused")
def paused_text(event: Mapping[str, Any]) -> str:
    kept = f"; bookings kept inside it: {', '.join(event['kept'])}" if event.get("kept") else ""
    return f"paused {event['client_package']} from {event['from']} to {event['until']} ({_days(event['days'])}){kept}"


@describes("resumed")
def resumed_text(event: Mapping[str, Any]) -> str:
    cp, on = event["client_package"], event["on"]
    forced = " (forced)" if event.get("forced") else ""
    if not event["days"]:
        return f"resumed {cp} on {on}: the pause from {event['pause_from']} to {event['pause_until']} is removed{forced}"
    last = (date.fromisoformat(on) - timedelta(days=1)).isoformat()
    return f"resumed {cp} on {on}: paused from {event['pause_from']} to {last} ({_days(event['days'])}){forced}"


@describes("transferred")
def transferred_text(event: Mapping[str, Any]) -> str:
    return f"transferred {amounts_text(event['amounts'])} from {event['client_package']} to {event['to_package']}"
