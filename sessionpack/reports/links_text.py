"""Words in the history for links, unlinks, booking payments, refunds and
cancelled client packages."""

from __future__ import annotations

from ..domain import balances
from ..domain.links import link_words, unlink_words
from .balances import describes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping


def _fee(event: Mapping[str, Any]) -> str:
    return f"fee {event['fee']} + {event['fee_tax']} tax"


@describes("linked")
def _linked(event: Mapping[str, Any]) -> str:
    return f"{link_words(event)}; {_fee(event)}"


@describes("unlinked")
def _unlinked(event: Mapping[str, Any]) -> str:
    return f"{unlink_words(event)}; regular {_fee(event)}"


@describes("booking-paid")
def _booking_paid(event: Mapping[str, Any]) -> str:
    how = f" ({event['method']})" if event.get("method") else ""
    return f"payment of {event['amount']} on {event['booking']}{how}"


def _voided(event: Mapping[str, Any]) -> str:
    voided = event.get("voided") or {}
    if not voided:
        return "nothing left to void"
    return "voided " + ", ".join(f"{key} {balances.plain(amount)}" for key, amount in voided.items())


@describes("refunded")
def _refunded(event: Mapping[str, Any]) -> str:
    return f"refunded {event['client_package']}: {event['method']} {event['amount']}; {_voided(event)}"


@describes("package-cancelled")
def _package_cancelled(event: Mapping[str, Any]) -> str:
    return f"cancelled {event['client_package']} (no refund); {_voided(event)}"
