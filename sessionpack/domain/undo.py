"""Undo: taking back whole commands with new events, never deleting any.

A command is one commit; its events carry its id (``c`` and the seq of its
first event). ``undo`` records one ``undone`` event naming the commands it
takes back, each with the seqs of its events, and the reason. From then on
those events no longer count: every client view they touched is folded
again from its own events, leaving them out (``refold``). The events stay
in the journal and in the history, marked as undone.

Undoing an undo redoes: a command is undone when some ``undone`` event
names it and that event's own command is not itself undone
(``undone_commands``). Client and booking ids are never given out twice,
even after the command that made them was undone.

A later command *depends* on an undone one when, folded without it, it no
longer fits (``fold_without``): its events fail (a booking on a package
that was never sold), concern a client who would no longer be recorded,
make again what exists (a client added again since, a client package of
that id, a share) or end what is no longer there (a resume of a pause, an
unshare of a share) or leave a balance below zero, more refunded than paid, a
booked session after its package's last valid day or something free to
book on a package whose expiry was recorded or that was refunded or
cancelled, or a share its link does not allow, or place what ``book`` and
``pause`` never place (``_misplaced``: a session inside a pause that did
not keep it, a booking on a package not the attendee's to use, a fee left
on a money credit with money free) or give a transfer's receiver an
expiry the giver no longer has, where the records as they stand do not (a
balance a command forced below zero is its own, not the undo's, as long
as the undo takes it no further). Undo refuses then, naming those
commands; with ``--cascade`` it takes them back too, in the same commit.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Mapping

from . import balances, ledger
from .ledger import handles

# Events that record what left the data directory (notices sent to people):
# a command holding one cannot be taken back.
NOTICE_TYPES = frozenset({"notice-pending", "notice-sent", "notice-failed", "notice-suppressed", "notices-checked"})

_FOLD_ERRORS = ledger.FOLD_ERRORS


def command_of(event: Mapping[str, Any]) -> str | None:
    return event.get("command")


def undone_commands(events: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Command id -> the id of the undo that takes it back, for every
    command the ``undone`` events among ``events`` take back (an undo that
    was itself undone takes back nothing)."""
    undoers: dict[str, list[str]] = {}
    for event in events:
        if event.get("type") == "undone":
            for target in event["undo"]:
                undoers.setdefault(target["command"], []).append(event["command"])
    memo: dict[str, str | None] = {}

    def by(command: str) -> str | None:
        # The first undoer of ``command`` that is not itself undone. Worked
        # with a stack of its own, not by recursion: a chain of undos each
        # undoing the one before is as long as the journal allows.
        if command in memo:
            return memo[command]
        memo[command] = None  # being worked out: an undo met again on the way counts as not undone
        stack: list[list[Any]] = [[command, 0]]
        while stack:
            frame = stack[-1]
            options = undoers.get(frame[0], ())
            if frame[1] == len(options):
                memo[frame[0]] = None
                stack.pop()
                continue
            undoer = options[frame[1]]
            if undoer not in memo:
                memo[undoer] = None
                stack.append([undoer, 0])
            elif memo[undoer] is None:
                memo[frame[0]] = undoer
                stack.pop()
            else:
                frame[1] += 1
        return memo[command]

    return {command: undoer for command in undoers if (undoer := by(command)) is not None}


def excluded_seqs(events: list[Mapping[str, Any]]) -> set[int]:
    """The seqs of the events that no longer count (their command was undone)."""
    undone = undone_commands(events)
    seqs: set[int] = set()
    for event in events:
        if event.get("type") == "undone":
            for target in event["undo"]:
                if target["command"] in undone:
                    seqs.update(target["seqs"])
    return seqs


def undone_by_seq(events: list[Mapping[str, Any]]) -> dict[int, str]:
    """Seq -> the undo that took its event back, for every event that no longer counts."""
    undone = undone_commands(events)
    out: dict[int, str] = {}
    for event in events:
        if event.get("type") == "undone":
            for target in event["undo"]:
                if target["command"] in undone:
                    for seq in target["seqs"]:
                        out[seq] = undone[target["command"]]
    return out


def counts(event: Mapping[str, Any], excluded: set[int]) -> bool:
    """True when ``event`` changes state: not an undo mark, not undone."""
    return event.get("type") != "undone" and event["seq"] not in excluded


def effective_events(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The view's events that count (undone ones and undo marks left out)."""
    excluded = set(view.get("undone", ()))
    return [e for e in view.get("events", []) if counts(e, excluded)]


def refold(view: dict[str, Any], events: list[dict[str, Any]]) -> None:
    """Fold ``view`` again from ``events`` (all of the client's events,
    oldest first), leaving out those of undone commands. Ids already given
    out stay given out. The events list and seq are the caller's."""
    excluded = excluded_seqs(events)
    fresh = ledger.empty_client_view(view["id"])
    for event in events:
        if counts(event, excluded):
            ledger.dispatch(fresh, copy.deepcopy(event))
    counters = {k: max(view.get("counters", {}).get(k, 0), fresh["counters"].get(k, 0))
                for k in set(fresh["counters"]) | set(view.get("counters", {}))}
    for key in list(view):
        if key not in ("events", "seq", "format", "id"):
            del view[key]
    for key, value in fresh.items():
        if key not in ("events", "seq", "format", "id"):
            view[key] = value
    view["counters"] = counters
    if excluded:
        view["undone"] = sorted(excluded)


def kept_in_view(view: Mapping[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """What a client's view keeps of an ``undone`` event: the event with
    only this client named, and for each command it takes back only the
    seqs of this client's own events (those in the view before it, the
    only ones that change this client), in the order of those events. An
    undo of a command of thousands of clients is one journal line naming
    them all; each view keeps a copy the size of that client's share.
    Kept again, it stays the same, so a view folded again from its own
    events is the same view."""
    own = [e["seq"] for e in view.get("events", ())]
    return {**event, "clients": [view["id"]],
            "undo": [{**target, "seqs": own_share(own, target["seqs"])} for target in event["undo"]]}


def own_share(own: list[int], seqs: list[int]) -> list[int]:
    """The seqs of ``own`` (a client's events, in order) that ``seqs`` (a
    command's events) names. The set of a command's seqs is made once for
    all the clients that ask about the same list (``_seq_set``): an undo of
    a command of N clients asks N times, and a set each time would cost
    N times the command's size."""
    named = _seq_set(seqs)
    return [seq for seq in own if seq in named]


_SEQ_SETS: dict[int, tuple[list[int], frozenset[int]]] = {}  # id of a list of seqs -> (that list, its set)


def _seq_set(seqs: list[int]) -> frozenset[int]:
    """``frozenset(seqs)``, kept for the next call with the same list (a
    list of an event, which never changes once made; the list is held while
    kept, so its id is not given to another)."""
    known = _SEQ_SETS.get(id(seqs))
    if known is not None and known[0] is seqs:
        return known[1]
    if len(_SEQ_SETS) >= 64:
        _SEQ_SETS.clear()
    made = frozenset(seqs)
    _SEQ_SETS[id(seqs)] = (seqs, made)
    return made


@handles("undone")
def _undone(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    refold(view, [*view["events"], event])


def sold_counts(view: Mapping[str, Any]) -> dict[tuple[str, str], int]:
    """(``package`` or ``service``, id) -> how many of the client's sales that
    count include it: what the client adds to the practice's sales count."""
    out: dict[tuple[str, str], int] = {}
    for event in effective_events(view):
        if event["type"] != "sold":
            continue
        out[("package", event["terms"]["id"])] = out.get(("package", event["terms"]["id"]), 0) + 1
        contents = event["terms"]["contents"]
        services = contents.get("sessions") or contents.get("services") or "all"
        for service in ([] if services == "all" else services):
            out[("service", service)] = out.get(("service", service), 0) + 1
    return out


# -- what depends on what ------------------------------------------------------


def _named_packages(view: Mapping[str, Any], event: Mapping[str, Any]) -> set[str]:
    named = set()
    for field in ("client_package", "to_package", "package"):
        if isinstance(event.get(field), str):
            named.add(event[field])
    booking = event.get("booking")
    if isinstance(booking, Mapping) and isinstance(booking.get("package"), str):
        named.add(booking["package"])
    elif isinstance(booking, str) and booking in view.get("bookings", {}):
        package = view["bookings"][booking].get("package")
        if package:
            named.add(package)
    return named


def out_of_bounds(view: Mapping[str, Any], named: Iterable[str]) -> Decimal:
    """How far the packages ``named`` are past what they may hold: what is
    below zero of their balances, what was refunded beyond what was paid,
    and how many of their booked sessions fall after their last valid day
    (0 when within bounds)."""
    past = Decimal(0)
    for cp_id in named:
        pkg = view.get("packages", {}).get(cp_id)
        if pkg is None:
            continue
        past += len(balances.after_expiry(pkg, balances.expiry(pkg)))
        expired = bool(pkg.get("expired_at"))  # an expiry recorded by the sweep forfeited what was free then
        # A refunded or cancelled package holds nothing: its refund or cancel
        # voided what was free and took its future bookings off it.
        closed = pkg.get("status") in ("refunded", "cancelled")
        for row in balances.balance(pkg).values():
            left = row["remaining"]
            if left != balances.UNLIMITED and Decimal(left) < 0:
                past -= Decimal(left)
            elif (expired or closed) and left != balances.UNLIMITED and Decimal(left) > 0:
                past += Decimal(left)  # free to book after its recorded expiry or its close: judged otherwise then
        if closed:
            past += len(balances.scheduled_draws(pkg))  # a close is refused while a session on it is still booked
        if pkg.get("refunded"):
            past += max(Decimal(0), Decimal(pkg["refunded"]) - Decimal(pkg.get("paid") or 0))
    return past


def unlinked_shares(view: Mapping[str, Any]) -> int:
    """Shares the links no longer allow: a package of the client shared with
    someone who does not hold ``use-packages`` regarding the client, or one
    the client is marked to use without holding it (clients.md: a share
    holds only while the link does)."""
    from .sharing import active_link, may

    count = 0
    for pkg in view.get("packages", {}).values():
        for user in pkg.get("shared_with") or ():
            link = active_link(view, user)
            count += not (link and "use-packages" in link.get("they_can", ()))
    for owner in (view.get("shared_in") or {}).values():
        count += not may(view, owner, "use-packages")
    return count


def _worsens(view: dict[str, Any], event: dict[str, Any]) -> Decimal:
    """Fold ``event`` into ``view``; how much further it takes what it names
    out of bounds (``out_of_bounds``), how many more shares it leaves that
    their link does not allow (``unlinked_shares``), and what it places
    against the records around it (``_misplaced``): 0 when it fits. Raises
    what the fold raises."""
    named = _named_packages(view, event)
    before = out_of_bounds(view, named) + unlinked_shares(view)
    against = _expiry_not_kept(view, event)
    ledger.dispatch(view, copy.deepcopy(event))
    after = out_of_bounds(view, named | _named_packages(view, event)) + unlinked_shares(view)
    return max(Decimal(0), after - before) + against + _misplaced(view, event)


def _booking_id(event: Mapping[str, Any]) -> str | None:
    booking = event.get("booking")
    if isinstance(booking, Mapping):
        return booking.get("id") if isinstance(booking.get("id"), str) else None
    return booking if isinstance(booking, str) else None


def _expiry_not_kept(view: Mapping[str, Any], event: Mapping[str, Any]) -> int:
    """1 when ``event`` is a transfer out of this client's package whose
    receiver got an expiry other than the one the package has here (before
    the transfer is folded): the receiver's package keeps the expiry of the
    day of the transfer, so a pause or an ``adjust --expires`` it counted
    cannot be taken back from the giver alone."""
    if event.get("type") != "transferred" or event["clients"][0] != view.get("id"):
        return 0
    pkg = view.get("packages", {}).get(event.get("client_package"))
    if pkg is None:
        return 0
    last_day = balances.expiry(pkg)
    return int((last_day.isoformat() if last_day else None) != event.get("expires"))


PLACING = frozenset({"booked", "linked", "moved"})  # events that place a booking's draw on a package and a day


def _misplaced(view: Mapping[str, Any], event: Mapping[str, Any]) -> int:
    """What ``event``, just folded into ``view``, placed where ``book`` and
    ``pause`` never place it: a booked session drawing on a package on a day
    the package is paused (a pause keeps only the bookings it was told to
    keep, ``--keep-bookings``), a booking drawing on a package that is
    neither the attendee's nor shared with them, or a booking on a money
    credit left with a fee to pay while the credit has money free (the
    credit was short when it was booked, and no longer is)."""
    packages = view.get("packages", {})
    if event.get("type") == "paused":
        pkg = packages.get(event.get("client_package"))
        if pkg is None:
            return 0
        kept = set(event.get("kept") or ())
        return sum(1 for bid, day in balances.scheduled_draws(pkg)
                   if event["from"] <= day <= event["until"] and bid not in kept)
    if event.get("type") not in PLACING:
        return 0
    bid = _booking_id(event)
    count = 0
    booking = view.get("bookings", {}).get(bid)
    if booking is not None and booking.get("status") != "cancelled" and booking.get("package"):
        cp = booking["package"]
        if cp not in packages and cp not in (view.get("shared_in") or {}):
            count += 1
    for cp in _named_packages(view, event):
        pkg = packages.get(cp)
        draw = (pkg or {}).get("draws", {}).get(bid)
        if pkg is None or draw is None or draw["state"] != "scheduled":
            continue
        if balances.pause_on(pkg, date.fromisoformat(draw["date"])) is not None:
            count += 1
        if (booking is not None and booking.get("package") == cp and balances.is_money(pkg)
                and Decimal(booking.get("fee") or 0) > 0):
            left = balances.remaining(pkg, draw["key"])
            if left is not None and left != balances.UNLIMITED and Decimal(left) > 0:
                count += 1
    return count


def _makes_existing(view: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """True when the event would make what the view already holds: the
    client (added again since an undo) or a client package of that id."""
    kind = event["type"]
    if kind == "client-added":
        return view.get("client") is not None
    if kind == "sold":
        return event.get("client_package") in view.get("packages", {})
    if kind == "shared":
        return _is_shared(view, event)
    return False


def _ends_what_is_not_there(view: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """True when the event ends what the view no longer holds: a resume of a
    pause that is not there, an unshare of a share that is not (the pause or
    share was taken back)."""
    kind = event["type"]
    if kind == "resumed":
        pkg = view.get("packages", {}).get(event.get("client_package"))
        return pkg is not None and not any(p["from"] == event.get("pause_from") for p in pkg.get("pauses", ()))
    if kind == "unshared":
        return not _is_shared(view, event)
    return False


def _is_shared(view: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether the package a ``shared``/``unshared`` event names is shared
    with its user, as this view (the owner's or the user's) holds it."""
    cp_id, user = event.get("client_package"), event.get("with")
    if view.get("id") == user:
        return cp_id in (view.get("shared_in") or {})
    pkg = view.get("packages", {}).get(cp_id)
    return pkg is None or user in pkg.get("shared_with", ())


def fold_without(client_id: str, events: list[dict[str, Any]], targets: list[tuple[str, list[int]]],
                 force: bool = False) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Fold the client's ``events`` as they would count once the commands
    ``targets`` ((command id, seqs of its events)) are taken back: the first
    event that no longer fits (its fold fails or leaves a balance below
    zero), or None, and the client's view as it would be then (folded up to
    that misfit, when one is found). An event a command of its own forced out of bounds in the
    records as they stand (``adjust --force``, ``link --force``) is that
    command's, not the undo's, as long as it goes no further than it did;
    with ``force`` (undo ``--force``) as far as it then goes."""
    own = [e["seq"] for e in events]
    mark = {"type": "undone", "command": "c-planned", "seq": (events[-1]["seq"] if events else 0) + 1,
            "undo": [{"command": command, "seqs": own_share(own, seqs)} for command, seqs in targets]}
    excluded = excluded_seqs([*events, mark])
    recorded = excluded_seqs(events)  # what counts today
    view = ledger.empty_client_view(client_id)
    was = ledger.empty_client_view(client_id)  # the records as they stand, to tell a new misfit from an old one
    for event in events:
        forced = Decimal(0)  # how far the event takes a package out of bounds in the records as they stand
        if counts(event, recorded):
            try:
                forced = _worsens(was, event)
            except _FOLD_ERRORS:
                pass
        if not counts(event, excluded):
            continue
        if _makes_existing(view, event) or _ends_what_is_not_there(view, event):
            return event, view
        if view.get("client") is None and event["type"] not in ("client-added", "undone"):
            return event, view  # the client it concerns would no longer be recorded
        try:
            worse = _worsens(view, event)
        except _FOLD_ERRORS:
            return event, view
        if _names_missing(view, event, client_id):
            return event, view
        if worse > forced and not (force and forced > 0):
            return event, view
    return None, view


def _names_missing(view: Mapping[str, Any], event: Mapping[str, Any], client_id: str) -> bool:
    """True when the event names a client package or booking of this client
    (ids start with the client's) that the view does not hold: what made it
    was taken back."""
    own = client_id + "."
    for field in ("client_package", "to_package"):
        cp = event.get(field)
        if isinstance(cp, str) and cp.startswith(own) and cp not in view.get("packages", {}):
            return True
    booking = event.get("booking")
    if isinstance(booking, str) and booking.startswith(own) and booking not in view.get("bookings", {}):
        return True
    return False


# -- what an undo leaves on the calendar and in money owed ---------------------


def names_booking(event: Mapping[str, Any], booking_id: str) -> bool:
    """Whether ``event`` is about the booking ``booking_id``."""
    return _booking_id(event) == booking_id


_PLACE = ("start", "duration", "provider", "service", "attendee")  # where and when a booking holds time


def _holds_time(booking: Mapping[str, Any] | None) -> bool:
    from .guards import HOLDS_TIME

    return booking is not None and booking.get("status") in HOLDS_TIME


def _moved(was: Mapping[str, Any], will: Mapping[str, Any]) -> bool:
    return any(was.get(k) != will.get(k) for k in _PLACE)


def _booking_pairs(now: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]
                   ) -> Iterable[tuple[str, Mapping[str, Any] | None, Mapping[str, Any] | None]]:
    """(client id, booking as it stands, booking as the undo leaves it) for
    every booking of the clients ``after`` holds (their views folded without
    the commands taken back), by client and booking id."""
    for client_id in sorted(after):
        was = (now.get(client_id) or {}).get("bookings") or {}
        will = after[client_id].get("bookings") or {}
        for bid in sorted(set(was) | set(will)):
            yield client_id, was.get(bid), will.get(bid)


def sessions_brought_back(now: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The bookings an undo gives a time they do not hold today: a cancel
    or a move undone (the old time comes back), or a booking an undo of an
    undo brings back. Each must pass the calendar's checks again, as a new
    booking would: the time may have been given to someone else since."""
    found = []
    for _, was, will in _booking_pairs(now, after):
        if will is None or not _holds_time(will):
            continue
        if was is None or not _holds_time(was) or _moved(was, will):
            found.append(dict(will))
    return found


def bookings_changed(now: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The bookings whose place on the calendar an undo changes, as it
    leaves them (a booking it takes away with status ``undone``, which holds
    no time): the calendar the sessions it brings back are checked against."""
    changed = []
    for _, was, will in _booking_pairs(now, after):
        if will is None:
            if was is not None:
                changed.append({**was, "status": "undone"})
        elif was is None or _holds_time(was) != _holds_time(will) or _moved(was, will):
            changed.append(dict(will))
    return changed


def owed_back_after(now: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]],
                    currency: str) -> list[tuple[dict[str, Any], Decimal]]:
    """(booking as the undo leaves it, what is owed back on it) for each
    booking the undo leaves paid further beyond its fee than it is today:
    an unlink or a refund undone puts the booking back on its package at
    no fee, while what was paid on it since stays paid."""
    from .bookings import owed_back

    found = []
    for _, was, will in _booking_pairs(now, after):
        if will is None:
            continue
        back = owed_back(will, currency)
        if back > (owed_back(was, currency) if was is not None else 0):
            found.append((dict(will), back))
    return found
