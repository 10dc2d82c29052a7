"""Pausing a client package for a date range, and resuming it (rule 9 of docs/rules.md).

A pause blocks sessions dated from its first to its last day (both
included) and moves the expiry on by its days, counted inclusively:
1-10 March is 10 days. It extends whatever the expiry is -- computed from
the sale or first use, a fixed date, or a date set by ``adjust`` before the
pause (a date set after a pause is taken as given). A package without an
expiry is only blocked. A pause starts on or after the day the package
began (its sale: ``dating``): before it, the package could not be used.

``resume`` ends the current (or next) pause early: resumed on DATE, its
last paused day becomes DATE - 1, and a pause resumed on or before its
first day is removed. The extension shrinks with it.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .text import check_reason
from ..errors import InputError, RuleError
from . import adjustments, balances  # adjustments: used at call time (the modules import each other through ledger)
from .dating import check_not_before
from .ledger import handles

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping


def days_in(start: date, until: date) -> int:
    """Inclusive count: 28 Feb to 3 Mar is 4 days (5 in a leap year)."""
    return (until - start).days + 1


def plan_pause(
    pkg: Mapping[str, Any],
    start: date,
    until: date,
    *,
    now: datetime,
    tz: ZoneInfo,
    reason: str | None = None,
    keep_bookings: bool = False,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The ``paused`` event and the booked sessions it keeps inside the pause."""
    cp = pkg["id"]
    reason = check_reason(reason)
    if until < start:
        raise InputError(f"UNTIL {until.isoformat()} is before FROM {start.isoformat()}; give the first and the last paused day")
    adjustments.check_changeable(pkg, "paused")
    check_not_before(pkg, now.astimezone(tz).date())
    check_not_before(pkg, start, "FROM", "a pause covers only days the package could be used")
    if balances.status(pkg, now, tz) == "expired":
        raise RuleError(f"{cp} has expired; to pause it, first extend it with "
                        f"'sessionpack adjust {cp} --expires DATE --reason ...'")
    for pause in sorted(pkg.get("pauses", []), key=lambda p: p["from"]):
        end = balances.pause_end(pause)
        if start.isoformat() <= end and pause["from"] <= until.isoformat():
            raise RuleError(f"{cp} is already paused from {pause['from']} to {end}; a pause cannot overlap another: "
                            f"choose other dates, or resume that pause first ('sessionpack resume {cp} --on DATE')")
    last_day = balances.expiry(pkg)
    if last_day is not None and start > last_day:
        raise RuleError(f"{cp} expires on {last_day.isoformat()}, before the pause would start on {start.isoformat()}; "
                        "a pause starts on or before the last valid day")
    days = days_in(start, until)
    if last_day is not None:
        try:
            last_day + timedelta(days=days)
        except OverflowError:
            raise InputError("the pause would move the expiry past the year 9999; use a shorter pause") from None
    # A pause says the package could not be used on its days: a session that
    # did use it then (attended, or a no-show that forfeited it) contradicts
    # that, and no option records it anyway.
    drawn = sorted((d["date"], bid, d["state"]) for bid, d in pkg.get("draws", {}).items()
                   if d["state"] in ("used", "forfeited") and start.isoformat() <= d["date"] <= until.isoformat())
    if drawn:
        used = ", ".join(f"{bid} on {day} ({'attended' if state == 'used' else 'forfeited'})" for day, bid, state in drawn)
        raise RuleError(f"{cp} was used inside the pause: {used}; a pause covers only days it was not used, "
                        f"so start it after {drawn[-1][0]} or end it before {drawn[0][0]}")
    inside = [(bid, day) for bid, day in balances.scheduled_draws(pkg) if start.isoformat() <= day <= until.isoformat()]
    if inside and not keep_bookings:
        raise RuleError(f"{cp} has bookings inside the pause: {adjustments.bookings_text(inside)}; "
                        "move or cancel them, or confirm with --keep-bookings")
    event: dict[str, Any] = {
        "type": "paused",
        "clients": [pkg["owner"]],
        "client_package": cp,
        "from": start.isoformat(),
        "until": until.isoformat(),
        "days": days,
        "kept": [bid for bid, _ in inside],
    }
    if reason:
        event["reason"] = reason
    return event, inside


def pause_to_resume(pkg: Mapping[str, Any], on: date) -> Mapping[str, Any] | None:
    """The pause still running on ``on`` or the next one after it."""
    for pause in sorted(pkg.get("pauses", []), key=lambda p: p["from"]):
        if balances.pause_end(pause) >= on.isoformat():
            return pause
    return None


def resumed(pkg: Mapping[str, Any], pause_from: str, on: str) -> dict[str, Any]:
    """A copy of ``pkg`` with the pause starting on ``pause_from`` resumed on ``on``."""
    after = copy.deepcopy(dict(pkg))
    pauses = after.get("pauses", [])
    for index, pause in enumerate(pauses):
        if pause["from"] == pause_from:
            if on <= pause["from"]:
                del pauses[index]  # resumed before it began: no pause at all
            else:
                pause["ended"] = (date.fromisoformat(on) - timedelta(days=1)).isoformat()
            break
    return after


def plan_resume(pkg: Mapping[str, Any], on: date, *, reason: str | None = None, force: bool = False,
                today: date | None = None) -> dict[str, Any]:
    """The ``resumed`` event ending the current (or next) pause on ``on``
    (``today``: the day it is recorded on, not before the package began)."""
    cp = pkg["id"]
    reason = check_reason(reason)
    adjustments.check_changeable(pkg, "resumed")
    if today is not None:
        check_not_before(pkg, today)
    pause = pause_to_resume(pkg, on)
    if pause is None:
        raise RuleError(f"{cp} has no pause on or after {on.isoformat()} to resume; see 'sessionpack history {cp}'")
    after = resumed(pkg, pause["from"], on.isoformat())
    new_last = balances.expiry(after)
    late = adjustments.after_expiry(after, new_last) if new_last != balances.expiry(pkg) else []
    if late and not force:
        raise RuleError(f"resuming on {on.isoformat()} moves {cp}'s expiry back to {new_last.isoformat()}, before its "
                        f"bookings {adjustments.bookings_text(late)}; move or cancel them, or confirm with --force")
    kept = [p for p in after.get("pauses", []) if p["from"] == pause["from"]]
    event: dict[str, Any] = {
        "type": "resumed",
        "clients": [pkg["owner"]],
        "client_package": cp,
        "on": on.isoformat(),
        "pause_from": pause["from"],
        "pause_until": balances.pause_end(pause),
        "days": balances.pause_length(kept[0]) if kept else 0,
        "forced": bool(late),
    }
    if reason:
        event["reason"] = reason
    return event


@handles("paused")
def _paused(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    pkg = view["packages"][event["client_package"]]
    pkg.setdefault("pauses", []).append({"from": event["from"], "until": event["until"], "seq": event.get("seq", 0)})


@handles("resumed")
def _resumed(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    cp = event["client_package"]
    view["packages"][cp]["pauses"] = resumed(view["packages"][cp], event["pause_from"], event["on"])["pauses"]
