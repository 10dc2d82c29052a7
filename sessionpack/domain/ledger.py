"""Folding events into derived views (pure: plain data in, plain data out).

A *client view* is everything one client's commands need: the client's
record, the client packages they own (terms copied at sale, balances), the
bookings they attend and the events that touched them (their history).
The *directory* lists every client by id; *sold* counts sales per package.
Three sharded whole-practice views are functions of the client views alone
(whatever events made them): the *open* packages (``open_rows``: every
client package not closed for good, with its last valid day), the
*access codes* (``code_entries``: code hash -> client package) and the
*references* (``ref_entries``: sale reference -> client package and what
its sale recorded).
The same functions build the views after each commit, repair them after a
crash and rebuild them from scratch in ``check --rebuild``, so the three can
never disagree.
"""

from __future__ import annotations

from ..errors import FileProblem
from . import balances

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

    Handler = Callable[[dict[str, Any], dict[str, Any], str], None]

# 2: the open-package and access-code shards (views/open, views/codes).
# 3: the report views (views/days, views/value, views/pending).
# 4: the directory keeps each client's phone (client list --search).
# 5: the practice-wide index of sale references (views/refs).
# 6: a marked booking's fee due is a flat line of views/pending.
# 7: a package's value movements in one order however its view was made
#    (parts by key, sessions of one day by booking id): lines written by a
#    commit and by a rebuild could differ, and a commit then left the old
#    line of a package beside its new one.
# 8: a client view keeps of an undo only what concerns that client (its own
#    events' seqs, itself as the client named): a view kept the whole undo,
#    so undoing a command of N clients wrote N copies of a list of N clients.
# 9: the value lines (``views/value``) keep the first day each unlimited span
#    is recognised from (an imported package: the day it was recorded; a
#    reopen: its day); an expiry taken back by a reopen stays a movement, and
#    the reopen brings back what it took; a transferred "from first use"
#    package not started yet is recognised from its first use.
# 10: an unlimited pool transferred away leaves nothing on its source
#    (``balances.balance``: remaining 0), so the sale lines' state of such a
#    package reads used up, as every other kind transferred whole does.
# 11: money paid on a booking beyond its fee has a line in views/pending,
#    its due below zero (owed back), for ``report outstanding``.
# 12: the sold view keeps the highest invoice number the practice gave
#    (``invoice``): the next automatic number follows it, so a number typed
#    by hand is never given again.
# 13: a client package a transfer emptied keeps which sessions had drawn on
#    it then (``emptied_by_transfer``): it is ``transferred`` until its owner
#    uses it again, and one emptied by use after a transfer is ``used up``
#    (the sale lines' state follows).
# 14: an expiry that forfeited nothing (every session left was booked) is
#    a movement of 0 in the value lines, so ``report liability --as-of``
#    knows the expiry was recorded.
# 15: the index records how many files each shard folder holds
#    (``storage.inventory``), so a shard file deleted by hand is damage,
#    not "nothing there".
# 16: an index of the invoice numbers of the practice's sales
#    (``views/invoices``), so a number given by hand is never another
#    client's or another day's invoice (``domain.invoices``).
# 17: a refunded or cancelled unlimited pool, or one whose expiry is
#    recorded, has nothing left to book (``balances.balance``: remaining 0),
#    so the sale lines' state of such a package reads used up.
# 18: a late-cancel charge keeps what it kept on the booking too (``kept``),
#    so the agenda shows what the booking draws as it stands; a refund or
#    cancellation closes what a forced draw took below zero (the value
#    lines of such a package change).
VIEW_FORMAT = 18

_CLIENT_HANDLERS: dict[str, Handler] = {}


def handles(*types: str) -> Callable[[Handler], Handler]:
    """Register a client-view handler for event types (modules add theirs)."""

    def register(fn: Handler) -> Handler:
        for name in types:
            _CLIENT_HANDLERS[name] = fn
        return fn

    return register


def empty_client_view(client_id: str) -> dict[str, Any]:
    return {
        "format": VIEW_FORMAT,
        "seq": 0,
        "id": client_id,
        "client": None,
        "packages": {},
        "bookings": {},
        "relations": {},
        "counters": {"p": 0, "b": 0},
        "events": [],
    }


# What folding an event raises when it does not fit the events before it (a
# hand-edited journal line: an id that is not one, a field of the wrong kind):
# each front end that folds the journal names that line, never an internal error.
FOLD_ERRORS = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, IndexError)


def dispatch(view: dict[str, Any], event: dict[str, Any]) -> None:
    """Change the view's state by one event (without recording it)."""
    handler = _CLIENT_HANDLERS.get(event["type"])
    if handler is None:
        _load_handler(event["type"])
        handler = _CLIENT_HANDLERS.get(event["type"])
    if handler is None:
        raise FileProblem("journal.jsonl", event.get("seq", 0) + 1, f"has an unknown event type {event['type']!r}", "upgrade sessionpack or restore the journal")
    if event["type"] in _CREATES:  # (most events create no record: the check is skipped, not called)
        taken = taken_id(view, event)
        if taken is not None:
            raise IdTaken(view["id"], taken)
    handler(view, event, view["id"])
    if view.get("watching"):
        # A package whose low or used-up notice was recorded watches its
        # balance: an event lifting it back re-arms the notice (domain.notices).
        from .notices import rearm

        rearm(view)


_CREATES = frozenset({"booked", "sold", "transferred"})  # the event types that give out an id (taken_id)


class IdTaken(ValueError):
    """An event gives a booking or client package an id the client's view
    holds already: two bookings (or sales) under one id would be one in
    every view, the other lost. It does not fit the events before it."""

    def __init__(self, client: str, taken: str) -> None:
        super().__init__(f"it gives out {taken}, which {client}'s earlier events gave out already")
        self.client = client
        self.taken = taken


def taken_id(view: dict[str, Any], event: dict[str, Any]) -> str | None:
    """'booking ID' or 'client package ID' when ``event`` creates a record
    under an id ``view`` holds already, else None. Ids are never given out
    twice (an undo keeps its ids given out), so only a view older than the
    journal (a copy put back) or a hand-edited line can lead to one."""
    me, kind = view["id"], event["type"]
    if kind == "booked":
        booking = event["booking"]
        if booking["attendee"] == me and booking["id"] in view["bookings"]:
            return f"booking {booking['id']}"
        if booking.get("owner") == me and booking.get("draw"):
            pkg = view["packages"].get(booking["package"])
            if pkg is not None and booking["id"] in pkg.get("draws", {}):
                return f"booking {booking['id']}"
    elif kind == "sold":
        if event["clients"][0] == me and event["client_package"] in view["packages"]:
            return f"client package {event['client_package']}"
    elif kind == "transferred":
        if event["clients"][1] == me and event["to_package"] in view["packages"]:
            return f"client package {event['to_package']}"
    return None


def apply_to_client(view: dict[str, Any], event: dict[str, Any]) -> None:
    """Apply one event to the view of one of the clients it names (what the
    view keeps of it: ``kept``)."""
    if event["seq"] <= view["seq"]:
        return  # already applied (repair after a crash is idempotent)
    event = kept(view, event)
    dispatch(view, event)
    view["events"].append(event)
    view["seq"] = event["seq"]


def kept(view: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """The event as the view of one of the clients it names keeps it in its
    history: the event itself, but for an undo, which keeps only what
    concerns this client (``undo.kept_in_view``)."""
    if event.get("type") != "undone":
        return event
    from .undo import kept_in_view

    return kept_in_view(view, event)


@handles("client-added")
def _client_added(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    record = dict(event["client"])
    record["since"] = event["at"]
    record["active"] = True
    view["client"] = record


@handles("client-edited")
def _client_edited(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    view["client"].update(event["changes"])


# -- small whole-practice views ---------------------------------------------


def empty_directory() -> dict[str, Any]:
    return {"format": VIEW_FORMAT, "seq": 0, "clients": {}}


def directory_entry(record: dict[str, Any]) -> dict[str, Any]:
    """A client's entry in the directory, from its record (an event's or a view's)."""
    return {"name": record["name"], "email": record["email"], "phone": record.get("phone", ""), "tags": record["tags"]}


def apply_to_directory(directory: dict[str, Any], event: dict[str, Any]) -> bool:
    """Keep id -> {name, email, phone, tags}; True when the directory changed."""
    kind = event["type"]
    if kind == "client-added":
        record = event["client"]
        directory["clients"][record["id"]] = directory_entry(record)
    elif kind == "client-edited":
        entry = directory["clients"][event["clients"][0]]
        for key in ("name", "email", "phone", "tags"):
            if key in event["changes"]:
                entry[key] = event["changes"][key]
    else:
        return False
    directory["seq"] = event["seq"]
    return True


def empty_sold() -> dict[str, Any]:
    return {"format": VIEW_FORMAT, "seq": 0, "packages": {}, "services": {}, "sales": 0}


def apply_to_sold(sold: dict[str, Any], event: dict[str, Any]) -> bool:
    """Count sales per package id (a sold package can never be deleted)."""
    if event["type"] != "sold":
        return False
    package = event["terms"]["id"]
    sold["packages"][package] = sold["packages"].get(package, 0) + 1
    contents = event["terms"]["contents"]
    services = contents.get("sessions") or contents.get("services") or "all"
    for service in ([] if services == "all" else services):
        sold["services"][service] = sold["services"].get(service, 0) + 1
    if not event.get("imported"):  # invoiced here: numbers the practice's own invoices
        sold["sales"] = sold.get("sales", 0) + 1
    sold["seq"] = event["seq"]
    return True


# -- sharded whole-practice views, derived from client views ---------------------


def closed_for_good(pkg: dict[str, Any], rows: Any = None) -> bool:
    """True when no clock (``--now`` may go back) can show the package as
    active or paused: cancelled or refunded, its expiry recorded, or used up
    with nothing scheduled. A package merely past its last day stays open.
    (``rows``: ``balances.balance(pkg)`` when the caller has it already.)"""
    return balances.is_closed(pkg) or balances.is_used_up(pkg, rows)


def package_facts(view: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """client package id -> (``balances.balance``, ``balances.expiry``) of
    every package the view owns: what the shard lines of a view ask of each
    package several times, worked out once (the view must not change while
    they are used)."""
    return {cp_id: package_fact(pkg) for cp_id, pkg in view.get("packages", {}).items()}


def package_fact(pkg: dict[str, Any]) -> tuple[Any, Any]:
    """(``balances.balance``, ``balances.expiry``) of one client package."""
    return balances.balance(pkg), balances.expiry(pkg)


def open_rows(view: dict[str, Any], facts: dict[str, tuple[Any, Any]] | None = None) -> list[tuple[str | None, str, str, dict[str, Any]]]:
    """(last valid day or None, client, client package id, record) of every
    package the view owns that is not closed for good, by package id
    (``facts``: ``package_facts`` of the view, or of some of its packages,
    when the caller has them)."""
    rows = []
    for cp_id in sorted(view.get("packages", {})):
        pkg = view["packages"][cp_id]
        known = facts.get(cp_id) if facts is not None else None
        if not closed_for_good(pkg, known[0] if known else None):
            last_day = known[1] if known else balances.expiry(pkg)
            rows.append((last_day.isoformat() if last_day else None, view["id"], cp_id, pkg))
    return rows


def code_entries(view: dict[str, Any]) -> set[tuple[str, str]]:
    """(code hash, client package id) of every package the view owns with a code."""
    return {(pkg["code_hash"], cp_id) for cp_id, pkg in view.get("packages", {}).items() if pkg.get("code_hash")}


def ref_entries(view: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(reference, client package id) -> what its sale recorded, for every
    package the view owns that was sold with a reference."""
    from .references import recorded

    return {(pkg["sale"]["reference"], cp_id): recorded(pkg) for cp_id, pkg in view.get("packages", {}).items()
            if pkg["sale"].get("reference")}


def invoice_entries(view: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(invoice number, client package id) -> the sale's date, for every
    package the view owns that the practice sold or assigned with an
    invoice number (an imported balance's number is the other system's, and
    a transferred package was not sold: neither names an invoice of the
    practice; see ``domain.invoices``)."""
    return {(pkg["sale"]["invoice"], cp_id): {"date": pkg["sale"]["date"]} for cp_id, pkg in view.get("packages", {}).items()
            if pkg["sale"].get("invoice") and not pkg.get("imported") and not pkg["sale"].get("transferred_from")}


# Which module (in sessionpack.domain) holds the handler of each event type.
# Handlers live beside their rules; a module is imported (registering its
# handlers) on the first event of one of its types, so a command folds with
# only the rules it needs. A new event type is added here and in its module.
HANDLER_MODULES = {
    "sold": "sales", "paid": "sales",
    "booked": "booking_events", "attended": "booking_events", "no-show": "booking_events", "cancelled": "booking_events",
    "moved": "moves",
    "linked": "links", "unlinked": "links", "booking-paid": "links",
    "refunded": "refunds", "package-cancelled": "refunds",
    "adjusted": "adjustments", "paused": "pauses", "resumed": "pauses", "transferred": "transfers",
    "related": "sharing", "unrelated": "sharing", "shared": "sharing", "unshared": "sharing",
    "code-reset": "codes",
    "expired": "sweep",
    "notice-pending": "notices", "notice-sent": "notices", "notice-failed": "notices", "notice-suppressed": "notices",
    "notices-checked": "notices",
    "undone": "undo",
}


def _load_handler(event_type: str) -> None:
    module = HANDLER_MODULES.get(event_type)
    if module is not None:
        # (``__import__``, not ``importlib.import_module``: importing the
        # importlib package costs more than most handler modules.)
        __import__(f"{__package__}.{module}")
