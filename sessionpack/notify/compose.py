"""Turning a plan into events and rows: recipients, messages, the report.

``Composer`` words every notice due (templates, placeholders, Message-ID)
and decides, per recipient, whether it is pending or suppressed;
``Report`` holds the rows ``notify`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..domain import ledger, notices


@dataclass
class Report:
    """What a run did (or, with --dry-run, would do): one row per expiry and
    per notice, in order."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # key -> its rows still "pending", oldest first: a run that sends ten
    # thousand notices settles each by its key without reading every row
    _pending: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def add(self, action: str, cp: str, kind: str = "", recipient: str = "", to: str = "", detail: str = "", key: str = "") -> None:
        row = {"action": action, "client_package": cp, "kind": kind, "recipient": recipient, "to": to, "detail": detail, "key": key}
        self.rows.append(row)
        if action == "pending":
            self._pending.setdefault(key, []).append(row)

    def has_pending(self, key: str) -> bool:
        """Whether a row of this notice is still "pending" in this run's report."""
        return bool(self._pending.get(key))

    def settle(self, action: str, key: str, detail: str) -> None:
        """A notice delivered in this run: its (first) "pending" row becomes
        the outcome (a suppressed notice names no address, as every
        suppressed row)."""
        waiting = self._pending.get(key)
        if waiting:
            row = waiting.pop(0)
            row["action"], row["detail"] = action, detail
            if action == "suppressed":
                row["to"] = ""
            return
        self.rows.append({"action": action, "client_package": "", "kind": "", "recipient": "", "to": "", "detail": detail, "key": key})

    def outcome(self, action: str, entry: Mapping[str, Any], detail: str) -> None:
        """What became of the notice ``entry`` in this run: its "pending" row
        settled, or, for a notice an earlier run left, a row of its own."""
        if self.has_pending(entry["key"]):
            self.settle(action, entry["key"], detail)
        else:
            self.add(action, entry["client_package"], entry["kind"], entry["recipient"],
                     "" if action == "suppressed" else entry["to"], detail, entry["key"])

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row["action"] == action)


class Composer:
    """The notice events of a plan: recipients, messages, suppressions."""

    def __init__(self, store: Any) -> None:
        from ..storage.catalog import load_services
        from . import messages

        self.store = store
        self.settings = store.settings
        self.templates = messages.load_templates(store.root)
        self.sender = self.settings.notices["from"]
        problems: list[str] = []
        self.names = {sid: service.name for sid, service in load_services(store.root, self.settings.currency, problems).items()}

    def events(self, tx: Any, plan: notices.Plan, packages: Mapping[str, Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[tuple[notices.Due, Any]]]:
        """(expired events then notice events, the owners' (due, package) pairs)."""
        out = list(plan.expiries)
        expired = {event["client_package"]: event for event in plan.expiries}
        decided = []
        for due in plan.due:
            pkg = packages[due.client_package]
            if due.client_package in expired:
                pkg = after_expiry(pkg, expired[due.client_package])
            owner_view = tx.client(due.owner)
            if owner_view is None or owner_view.get("client") is None:
                continue
            others = {other: tx.client(other) for other in copies_of(owner_view)}
            for recipient in notices.recipients(owner_view, others, due.kind):
                if recipient.suppressed:
                    out.append(notices.suppressed_event(due, recipient, recipient.suppressed))
                else:
                    out.append(self.pending(due, pkg, owner_view["client"], recipient))
            decided.append((due, pkg))
        return out, decided

    def pending(self, due: notices.Due, pkg: Mapping[str, Any], owner: Mapping[str, Any], recipient: notices.Recipient) -> dict[str, Any]:
        from . import messages

        notes = self.settings.notices
        values = messages.facts_for(due, pkg, owner, recipient, self.settings.name, notes["how_to_book"], self.names)
        message = messages.render(self.templates, due.kind, values, self.sender, notes["reply_to"], recipient, self.store.now)
        key = notices.key_for(due, recipient)
        return notices.pending_event(due, recipient, messages.message_id(key, recipient.email, self.sender), message)


def copies_of(owner_view: Mapping[str, Any]) -> list[str]:
    from ..domain.sharing import notice_copies

    return notice_copies(owner_view)


def after_expiry(pkg: Mapping[str, Any], event: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the package as its expiry leaves it (to word the notice)."""
    import copy

    view = {"id": pkg["owner"], "packages": {pkg["id"]: copy.deepcopy(dict(pkg))}}
    ledger.dispatch(view, dict(event))
    return view["packages"][pkg["id"]]


def describe_expiry(event: Mapping[str, Any], names: Mapping[str, str], currency: str) -> str:
    from .messages import amount_words

    parts = [f"valid through {event['last_day']}"]
    if event["forfeited"]:
        parts.append("forfeits " + ", ".join(amount_words(k, v, currency, names) for k, v in event["forfeited"].items()))
    else:
        parts.append("nothing left to forfeit")
    if event["booked_after"]:
        parts.append("still booked after it: " + ", ".join(event["booked_after"]))
    return "; ".join(parts)


def report_events(report: Report, events: Iterable[Mapping[str, Any]], composer: Composer, dry_run: bool) -> None:
    verbs = {"expired": "expire", "pending": "send", "suppressed": "suppress"} if dry_run else \
            {"expired": "expired", "pending": "pending", "suppressed": "suppressed"}
    for event in events:
        kind = event["type"]
        if kind == "expired":
            report.add(verbs["expired"], event["client_package"], "expiry",
                       detail=describe_expiry(event, composer.names, composer.settings.currency))
        elif kind == "notice-pending":
            report.add(verbs["pending"], event["client_package"], event["kind"], event["recipient"], event["to"],
                       event["message"]["subject"], event["key"])
        elif kind == "notice-suppressed":
            report.add(verbs["suppressed"], event["client_package"], event["kind"], event["recipient"], "", event["reason"], event["key"])
