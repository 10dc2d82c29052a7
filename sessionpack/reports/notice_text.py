"""Words for expiries and notices in ``history`` (pure)."""

from __future__ import annotations

from .adjust_text import amounts_text
from .balances import describes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping


@describes("expired")
def expired_text(event: Mapping[str, Any]) -> str:
    lost = f"forfeited {amounts_text(event['forfeited'])}" if event["forfeited"] else "nothing left to forfeit"
    text = f"{event['client_package']} expired on {event['on']} (valid through {event['last_day']}); {lost}"
    if event["booked_after"]:
        text += f"; still booked after it: {', '.join(event['booked_after'])}"
    return text


def _whom(event: Mapping[str, Any]) -> str:
    return f"a copy for {event['recipient']}" if event.get("copy") else event["recipient"]


@describes("notice-pending")
def pending_text(event: Mapping[str, Any]) -> str:
    return f"{event['kind']} notice of {event['client_package']} to {_whom(event)} <{event['to']}> queued: {event['message']['subject']}"


@describes("notice-sent")
def sent_text(event: Mapping[str, Any]) -> str:
    return f"{event['kind']} notice of {event['client_package']} sent to {_whom(event)} <{event['to']}> by {event['via']}: {event['reply']}"


@describes("notice-failed")
def failed_text(event: Mapping[str, Any]) -> str:
    return (f"{event['kind']} notice of {event['client_package']} to {_whom(event)} <{event['to']}> failed: {event['reply']} "
            f"(send it again with 'sessionpack notify --retry {event['key']}')")


@describes("notice-suppressed")
def suppressed_text(event: Mapping[str, Any]) -> str:
    """The reason is the event's ``reason``, which ``history`` shows as the
    row's ``why`` (as for every event with a reason): not repeated here."""
    return f"{event['kind']} notice of {event['client_package']} to {_whom(event)} not sent"
