"""Undo as an action: which commands to take back, checked, as one commit.

The rules live in ``domain.undo``; this module reads what they need (the
commands from the journal, the views of the clients they touched, the
catalog files) inside the caller's write transaction.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ..domain import undo as rules
from ..errors import InputError, RuleError

_ID_RE = re.compile(r"c[1-9][0-9]{0,11}\Z")


MAIN_EVENTS = ("undone", "refunded", "package-cancelled", "sold")  # a command that records one of these is that, first of all


def summary(events: list[dict[str, Any]], tz: Any = None) -> str:
    """A command in one line: what its main event did, and how many more
    (a session's time in the practice's zone ``tz``).

    The main event is what the command was run to do, not what it did on
    the way: an undo says what it undid, a refund or a cancel of a client
    package says so (before the bookings it unlinked or cancelled), and a
    file of sales or of clients says how many (``_many``)."""
    from ..reports.balances import describe_event

    many = _many(events)
    if many is not None:
        text, covered = many
    else:
        main = next((e for kind in MAIN_EVENTS for e in events if e["type"] == kind), events[0])
        text, covered = describe_event(main, tz), 1
    if len(events) > covered:
        more = len(events) - covered
        text += f" and {more} more event{'s' if more > 1 else ''}"
    return text


def _many(events: list[dict[str, Any]]) -> tuple[str, int] | None:
    """A file of sales (``sold 3 packages to 3 clients (file of sales)``,
    with the clients it added) or of clients (``added 3 clients (file of
    clients)``), and how many of its events that says; None for a command
    of one sale or one client."""
    sold = [e for e in events if e["type"] == "sold"]
    added = [e for e in events if e["type"] == "client-added"]
    if len(sold) > 1:
        verb = "assigned" if all((e.get("sale") or {}).get("assigned") for e in sold) else "sold"
        clients = len({e["clients"][0] for e in sold if e.get("clients")})
        text = (f"{verb} {len(sold)} packages to {clients} client{'s' if clients != 1 else ''} "
                f"(file of {'assignments' if verb == 'assigned' else 'sales'})")
        if added:
            text += f", adding {len(added)} client{'s' if len(added) != 1 else ''}"
        return text, len(sold) + len(added)
    if len(added) > 1 and not sold:
        return f"added {len(added)} clients (file of clients)", len(added)
    return None


class Plan:
    def __init__(self) -> None:
        self.commands: list[tuple[str, list[dict[str, Any]]]] = []  # newest first
        self.catalog: list[tuple[str, bytes | None]] = []  # (file, text to put back)
        self.notes: list[str] = []
        self.owed_back: list[tuple[str, str]] = []  # (attendee, booking) paid beyond the fee the undo gives it (--force)


def find_command(opened: Any, tx: Any, command: str) -> list[dict[str, Any]]:
    from ..storage.commands import command_at, command_id

    if not _ID_RE.match(command):
        raise InputError(f"{command!r} is not a command id like c42; 'sessionpack log' lists them")
    events = command_at(opened.root, int(command[1:]), tx.index["offset"])
    if not events or command_id(events) != command:
        raise InputError(f"no command {command}; 'sessionpack log' lists them")
    return events


def last_command(opened: Any, tx: Any) -> list[dict[str, Any]]:
    from ..storage.commands import backwards

    for events in backwards(opened.root, tx.index["offset"]):
        return events
    raise RuleError("nothing has been recorded yet: there is nothing to undo")


def undone_by(opened: Any, tx: Any, events: list[dict[str, Any]]) -> str | None:
    """The undo that took this command back (and was not itself undone), or None."""
    from ..storage.commands import backwards

    marks = []
    for later in backwards(opened.root, tx.index["offset"]):
        if later[0]["seq"] <= events[0]["seq"]:
            break
        marks.extend(e for e in later if e["type"] == "undone")
    from ..storage.commands import command_id

    return rules.undone_commands(reversed(marks)).get(command_id(events))


def plan_undo(opened: Any, tx: Any, first: list[dict[str, Any]], cascade: bool, force: bool) -> Plan:
    """The commands to take back (``first`` and, with ``cascade``, those
    that depend on it), or RuleError naming what stands in the way."""
    from ..storage.commands import command_at, command_id

    plan = Plan()
    end = tx.index["offset"]
    taken: dict[str, list[dict[str, Any]]] = {command_id(first): first}
    dependents: dict[str, list[dict[str, Any]]] = {}
    views: dict[str, dict[str, Any]] = {}
    # client -> the seqs of its own events the commands taken back named when
    # they were found to fit: only those decide (rules.fold_without), so a
    # client is checked again only when a command added since names its events
    # (a file of sales with a few bookings on it has thousands of clients)
    fitting: dict[str, list[tuple[str, list[int]]]] = {}
    folded: dict[str, dict[str, Any]] = {}  # client -> their view as the undo leaves it (for the share in ``fitting``)
    while True:
        targets = [(cid, [e["seq"] for e in events]) for cid, events in [*taken.items(), *dependents.items()]]
        clients = sorted({c for events in [*taken.values(), *dependents.values()] for e in events for c in e.get("clients", [])})
        found = None
        for client_id in clients:
            if client_id not in views:
                views[client_id] = tx.client(client_id) or {"events": []}
            own = [e["seq"] for e in views[client_id]["events"]]
            share = [(cid, seqs) for cid, seqs in ((cid, rules.own_share(own, seqs)) for cid, seqs in targets) if seqs]
            if fitting.get(client_id) == share:
                continue
            misfit, after = rules.fold_without(client_id, views[client_id]["events"], share, force)
            if misfit is not None:
                found = command_at(opened.root, misfit["seq"], end)
                break
            fitting[client_id] = share
            folded[client_id] = after
        if found is None:
            break
        if any(e["type"] == "notices-checked" for e in found):  # a sweep since judged the records as they are
            raise RuleError(f"{command_id(first)} cannot be undone: the 'sessionpack notify' run {command_id(found)} since "
                            f"recorded what it would change ({summary(found, tx.settings.tz)}), and a run stands; correct the package "
                            "with 'sessionpack adjust' instead")
        if command_id(found) in taken or command_id(found) in dependents:
            raise RuleError(f"undoing {command_id(first)} would leave {command_id(found)} ({summary(found, tx.settings.tz)}) "
                            "not fitting the records; nothing was changed")
        (taken if cascade else dependents)[command_id(found)] = found
    if dependents:
        listed = "; ".join(f"{cid} ({summary(events, tx.settings.tz)})" for cid, events in
                           sorted(dependents.items(), key=lambda item: -item[1][0]["seq"]))
        raise RuleError(f"{command_id(first)} cannot be undone alone: later commands depend on it: {listed}; "
                        "undo them first, or add --cascade to undo them too")
    plan.commands = sorted(taken.items(), key=lambda item: -item[1][0]["seq"])
    for cid, events in plan.commands:
        if any(e["type"] in rules.NOTICE_TYPES and e["type"] != "notices-checked" for e in events):
            raise RuleError(f"{cid} recorded notices for clients ('sessionpack notify'); what was sent cannot be taken back, "
                            "so it cannot be undone")
        if any(e["type"] == "notices-checked" for e in events):
            raise RuleError(f"{cid} is a 'sessionpack notify' run (the expiry sweep); what it recorded stands: "
                            "correct a package it expired with 'sessionpack adjust' (for example --expires)")
        if any(e["type"] == "refunded" for e in events) and not force:
            raise RuleError(f"{cid} refunded money; undo does not take the money back from the client; "
                            "add --force to undo it anyway")
        if any(e["type"] == "refunded" for e in events):
            plan.notes.append(f"{cid}: the money refunded stays refunded; undo changes only the records")
    _refuse_what_is_taken_since(opened, tx, plan, views, folded)
    _refuse_owed_back(opened, plan, views, folded, force)
    _plan_catalog(opened, tx, plan)
    return plan


def _brought_back(tx: Any, plan: Plan, views: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(the undo being undone, event) for each event an undo of an undo brings back."""
    back = []
    for cid, events in plan.commands:
        for event in events:
            if event["type"] != "undone":
                continue
            seqs = {seq for entry in event["undo"] for seq in entry["seqs"]}
            for client_id in event.get("clients", []):
                if client_id not in views:
                    views[client_id] = tx.client(client_id) or {"events": []}
                back.extend((cid, own) for own in views[client_id]["events"] if own["seq"] in seqs)
    return back


def _refuse_what_is_taken_since(opened: Any, tx: Any, plan: Plan, views: dict[str, dict[str, Any]],
                                folded: dict[str, dict[str, Any]]) -> None:
    """An undo brings back what its commands took away: refused when a
    sale's reference was given to another sale since (a reference is unique
    across the practice, rule 17; only an undo of an undo brings a sale
    back), or when a session's time was given to another since (the
    calendar's checks of rule 21, as for a booking): a booking whose cancel
    or move is undone, or that an undo of an undo brings back."""
    back = _brought_back(tx, plan, views)
    references: dict[str, tuple[str, str]] = {}  # reference -> (client package, the undo that brings it back)
    for cid, event in back:
        reference = (event.get("sale") or {}).get("reference") if event["type"] == "sold" else None
        if reference:
            references[reference] = (event["client_package"], cid)
    if references:
        from ..storage.shards import ref_holders

        for reference, holders in sorted(ref_holders(opened.view_bytes, references).items()):
            cp_id, cid = references[reference]
            others = [holder[1] for holder in holders if holder[1] != cp_id]
            if others:
                raise RuleError(f"undoing {cid} would bring back {cp_id} with the reference {reference!r}, which {others[0]} "
                                f"has since; a reference is unique in the practice: undo the sale of {others[0]} first")
    sessions = rules.sessions_brought_back(views, folded)
    if sessions:
        _refuse_taken_times(opened, tx, plan, sessions, rules.bookings_changed(views, folded))


def _command_of_booking(plan: Plan, booking_id: str) -> str:
    """The command of the plan that concerns a booking (the oldest one
    naming it), to name in a refusal; the first undone otherwise."""
    for cid, events in reversed(plan.commands):
        if any(rules.names_booking(event, booking_id) for event in events):
            return cid
    return plan.commands[-1][0]


def _refuse_taken_times(opened: Any, tx: Any, plan: Plan, sessions: list[dict[str, Any]],
                        changed: list[dict[str, Any]]) -> None:
    """Each session brought back through the calendar's checks
    (``guards.check_calendar``), as a booking is, against the calendar as
    the undo leaves it (``changed``: the bookings it moves, cancels, brings
    back or takes away)."""
    from ..domain.guards import SessionRefused, check_calendar
    from ..domain.links import booking_service, session_of
    from ..storage.catalog import load_services
    from .calendar import checks_for

    tz = opened.settings.tz
    services = load_services(opened.root, opened.settings.currency)
    booked = [(session_of(booking, booking_service(booking)), booking["id"]) for booking in sessions]
    agenda = checks_for(tx, [(session.start, session.duration) for session, _ in booked], tz).agenda
    for booking in changed:
        agenda.add(booking)
    for session, bid in booked:
        service = services.get(session.service.id)
        try:
            check_calendar(session, service.capacity if service else None, agenda, tz, allow_overlap=False, ignore=bid)
        except SessionRefused as err:
            found = str(err).split("; ")[0]
            raise RuleError(f"undoing {_command_of_booking(plan, bid)} would bring back {bid} at "
                            f"{session.start.astimezone(tz):%Y-%m-%d %H:%M}, but {found}; "
                            "undo or move that booking first") from None


def _refuse_owed_back(opened: Any, plan: Plan, views: dict[str, dict[str, Any]], folded: dict[str, dict[str, Any]],
                      force: bool) -> None:
    """Money paid on a booking beyond its fee is owed back and never left
    unsaid (as ``link`` and ``move`` refuse it): an undo that leaves a
    booking paid beyond its fee is refused, unless ``force``; then the
    command says what is owed back (``plan.owed_back``)."""
    from ..domain.bookings import booking_payment

    currency = opened.settings.currency
    found = rules.owed_back_after(views, folded, currency)
    if found and not force:
        booking, back = found[0]
        money = booking_payment(booking, currency)
        raise RuleError(f"undoing {_command_of_booking(plan, booking['id'])} would give {booking['id']} a fee of "
                        f"{money['total']} {currency} while {money['paid']} {currency} was paid on it, so {back} {currency} "
                        f"would be owed back to {booking['attendee']}; add --force to undo it anyway")
    plan.owed_back = [(booking["attendee"], booking["id"]) for booking, _ in found]


def _plan_catalog(opened: Any, tx: Any, plan: Plan) -> None:
    """The catalog files to put back, newest change first; refused when a
    file changed since, or when a package or service to remove was sold."""
    from ..storage.fsio import open_binary

    sold = opened.load_sold()
    for cid, events in plan.commands:
        for event in reversed([e for e in events if e["type"] == "catalog-changed"]):
            path = opened.path(event["file"])
            try:
                with open_binary(path) as handle:
                    now: bytes | None = handle.read()
            except FileNotFoundError:
                now = None
            after = None if event["after"] is None else event["after"].encode("utf-8")
            if now != after:
                raise RuleError(f"{event['file']} changed after {cid} (by hand or by a later command); "
                                "undo that change first, or edit the file yourself")
            if event["before"] is None:
                folder, name = os.path.split(event["file"])
                item = name[: -len(".toml")]
                times = sold.get("packages" if folder == "packages" else "services", {}).get(item, 0)
                if times:
                    raise RuleError(f"{cid} added {folder[:-1]} {item!r}, which has been sold since ({times} time"
                                    f"{'s' if times != 1 else ''}); it cannot be taken away: deactivate it instead")
                if folder == "services":
                    _refuse_service_in_use(opened, tx, cid, events, item)
            plan.catalog.append((event["file"], None if event["before"] is None else event["before"].encode("utf-8")))


def _names(value: Any, item: str) -> bool:
    """Whether ``item`` is a key or a list element anywhere in ``value``."""
    if isinstance(value, dict):
        return item in value or any(_names(v, item) for v in value.values())
    if isinstance(value, list):
        return item in value or any(_names(v, item) for v in value)
    return False


def _refuse_service_in_use(opened: Any, tx: Any, cid: str, events: list[dict[str, Any]], item: str) -> None:
    """A service added by ``cid`` cannot be taken away while a package of
    the catalog names it or a booking since is of it (rule 27: a service
    in use is deactivated, never removed)."""
    from ..storage.catalog import load_packages, load_services
    from ..storage.commands import backwards

    currency = opened.settings.currency
    for package_id, package in sorted(load_packages(opened.root, currency, load_services(opened.root, currency)).items()):
        terms = package.terms()
        if _names({"contents": terms.get("contents"), "payment": terms.get("payment"),
                   "restrictions": terms.get("restrictions")}, item):
            raise RuleError(f"{cid} added service {item!r}, which package {package_id!r} names; "
                            "it cannot be taken away: deactivate it instead")
    for later in backwards(opened.root, tx.index["offset"]):
        if later[0]["seq"] <= events[0]["seq"]:
            break
        for event in later:
            booking = event.get("booking")
            if event["type"] == "booked" and isinstance(booking, dict) and booking.get("service") == item:
                raise RuleError(f"{cid} added service {item!r}, which booking {booking.get('id')} is of; "
                                "it cannot be taken away: deactivate it instead")


def record(tx: Any, plan: Plan, reason: str) -> list[dict[str, Any]]:
    """Commit the plan: the catalog files put back, and one ``undone`` event."""
    events = []
    for relative, data in plan.catalog:
        event = tx.write_catalog(relative, data, commit=False)
        if event is not None:
            events.append(event)
    clients = sorted({c for _, evs in plan.commands for e in evs for c in e.get("clients", [])})
    events.append({"type": "undone", "clients": clients, "reason": reason,
                   "undo": [{"command": cid, "seqs": [e["seq"] for e in evs], "what": summary(evs, tx.settings.tz)}
                            for cid, evs in plan.commands]})
    return tx.commit(events)
