"""The outbox: a small whole-practice view of the notices still to deliver.

Folded from the notice events alone (``views/outbox.json``):

- ``pending``: key -> what a ``notice-pending`` recorded (recipient,
  address, Message-ID and the whole message), until ``notice-sent``,
  ``notice-failed`` or a late ``notice-suppressed`` settles it;
- ``failed``: key -> the failure (address, Message-ID, the server's reply),
  until ``notify --retry KEY`` records it as pending again;
- ``checked``: the journal position (seq and byte offset) the last run
  judged up to, and the rules it judged by, from ``notices-checked``: the
  next run looks for packages touched after it.

Only ``notify`` writes these events, so no other command rewrites this file.
"""

from __future__ import annotations

from .ledger import VIEW_FORMAT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

TYPES = frozenset({"notice-pending", "notice-sent", "notice-failed", "notice-suppressed", "notices-checked"})
_PENDING_FIELDS = ("key", "base", "kind", "client_package", "recipient", "copy", "to", "message_id", "message", "facts", "seq")
_FAILED_FIELDS = ("key", "kind", "client_package", "recipient", "copy", "to", "message_id", "reply", "seq", "at")


def empty_outbox() -> dict[str, Any]:
    return {"format": VIEW_FORMAT, "seq": 0, "pending": {}, "failed": {}, "checked": None}


def fold_outbox(view: dict[str, Any], event: dict[str, Any]) -> bool:
    kind = event["type"]
    if kind not in TYPES:
        return False
    key = event.get("key")
    if kind == "notice-pending":
        view["pending"][key] = {name: event.get(name) for name in _PENDING_FIELDS}
        view["failed"].pop(key, None)
    elif kind == "notice-sent":
        view["pending"].pop(key, None)
    elif kind == "notice-failed":
        view["pending"].pop(key, None)
        view["failed"][key] = {name: event.get(name) for name in _FAILED_FIELDS}
    elif kind == "notice-suppressed":
        view["pending"].pop(key, None)
    else:
        view["checked"] = {**event["through"], "rules": event.get("rules")}
    view["seq"] = event["seq"]
    return True
