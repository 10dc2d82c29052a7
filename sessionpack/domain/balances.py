"""What a client package holds, derived from what was recorded about it.

A client package in a view records its terms (copied at sale), its draws
(one per booking drawing on it: key, amount, state), its adjustments, pauses
and status events. Every number shown — total, used, scheduled, remaining,
expiry, status — is computed here from those records, never stored.

Balance keys: the service id for fixed contents; ``count``, ``minutes``,
``money`` or ``unlimited`` for a pool.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .expiry import expiry_date, is_expired, parse_expiry_option
from .money import quantize

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

UNLIMITED = "unlimited"


def is_money(pkg: Mapping[str, Any]) -> bool:
    return pkg["terms"]["contents"].get("pool") == "money"


def _number(value: Any, money: bool) -> Any:
    if value == UNLIMITED:
        return UNLIMITED
    return Decimal(value) if money else int(value)


def totals(terms: Mapping[str, Any]) -> dict[str, Any]:
    """The amount bought per balance key (int, Decimal, or "unlimited")."""
    contents = terms["contents"]
    if "sessions" in contents:
        return {sid: (UNLIMITED if n == UNLIMITED else int(n)) for sid, n in contents["sessions"].items()}
    pool = contents["pool"]
    if pool == UNLIMITED:
        return {UNLIMITED: UNLIMITED}
    return {pool: _number(contents["amount"], pool == "money")}


def balance_key(terms: Mapping[str, Any], service_id: str) -> str | None:
    """Which balance a session of ``service_id`` draws on, or None if not included."""
    contents = terms["contents"]
    if "sessions" in contents:
        return service_id if service_id in contents["sessions"] else None
    services = contents.get("services", "all")
    if services != "all" and service_id not in services:
        return None
    return contents["pool"]


def balance(pkg: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per key: total, adjusted, used, forfeited, scheduled, transferred, voided,
    expired and remaining (what is left to book); for a client package
    imported from another system also ``before_import`` (what it held that
    was used or lapsed there, see ``imports``)."""
    money = is_money(pkg)
    # Money zeros in the currency's minor unit ("0.00"), like every other amount.
    zero: Any = quantize(Decimal(0), pkg["terms"]["currency"]) if money else 0
    rows: dict[str, dict[str, Any]] = {}
    for key, total in totals(pkg["terms"]).items():
        rows[key] = {"total": total, "adjusted": zero, "used": zero, "forfeited": zero, "scheduled": zero,
                     "transferred": zero, "voided": zero, "expired": zero}
    for key, delta in pkg.get("adjustments", {}).items():
        if key in rows:
            rows[key]["adjusted"] += _number(delta, money)
    for draw in pkg.get("draws", {}).values():
        row = rows.get(draw["key"])
        if row is None:
            continue
        amount = _number(draw["amount"], money)
        state = draw["state"]
        if state == "scheduled":
            row["scheduled"] += amount
        elif state == "used":
            row["used"] += amount
        elif state == "forfeited":
            row["forfeited"] += amount
    # A client package sold in another system starts with what was left
    # there: the rest of what it holds was used (or lapsed) before the import.
    imported = pkg.get("imported")
    if imported:
        for key, left in imported["remaining"].items():
            row = rows.get(key)
            if row is not None and row["total"] != UNLIMITED and left != UNLIMITED:
                row["before_import"] = row["total"] - _number(left, money)
    # Amounts taken out of the balance as a whole: moved to another client
    # (transfer), voided by a refund or cancellation, lapsed at expiry.
    for field, column in (("transferred", "transferred"), ("voided", "voided"), ("lapsed", "expired")):
        for key, amount in (pkg.get(field) or {}).items():
            if key in rows and rows[key]["total"] != UNLIMITED:
                rows[key][column] += _number(amount, money)
    moved_away = pkg.get("transferred") or {}
    ended = is_closed(pkg)
    for key, row in rows.items():
        if row["total"] == UNLIMITED:
            # An unlimited pool transferred away (``transfer --all``) is the
            # receiver's now, and one refunded, cancelled or whose expiry is
            # recorded is closed: nothing of it is left here to book
            # (nothing that can be counted was voided or lapsed).
            gone = moved_away.get(key) == UNLIMITED
            row["remaining"] = 0 if gone or ended else UNLIMITED
            if gone:
                row["transferred"] = UNLIMITED
        else:
            row["remaining"] = (row["total"] + row["adjusted"] - row["used"] - row["forfeited"] - row["scheduled"]
                                - row["transferred"] - row["voided"] - row["expired"] - row.get("before_import", 0))
    return rows


def is_closed(pkg: Mapping[str, Any]) -> bool:
    """Refunded, cancelled, or its expiry recorded (``expired_at``): closed
    whatever the clock says, until an adjustment reopens an expired one."""
    return pkg.get("status") in ("cancelled", "refunded") or bool(pkg.get("expired_at"))


def remaining(pkg: Mapping[str, Any], key: str) -> Any:
    row = balance(pkg).get(key)
    return None if row is None else row["remaining"]


def first_use(pkg: Mapping[str, Any]) -> date | None:
    """The date of the earliest session drawing on the package (not
    cancelled), or of its first use in another system (``imports``)."""
    dates = [date.fromisoformat(d["date"]) for d in pkg.get("draws", {}).values()]
    activated = (pkg.get("imported") or {}).get("activated")
    if activated:
        dates.append(date.fromisoformat(activated))
    return min(dates) if dates else None


def pause_end(pause: Mapping[str, Any]) -> str:
    """The last paused day (ISO) of a pause: ``ended`` once resumed early."""
    return pause.get("ended") or pause["until"]


def pause_on(pkg: Mapping[str, Any], day: date) -> Mapping[str, Any] | None:
    """The pause covering ``day`` (inclusive at both ends), or None."""
    text = day.isoformat()
    for pause in pkg.get("pauses", []):
        if pause["from"] <= text <= pause_end(pause):
            return pause
    return None


def pause_length(pause: Mapping[str, Any]) -> int:
    """Days in a pause, counted inclusively: 1-10 March is 10 days."""
    start = date.fromisoformat(pause["from"])
    end = date.fromisoformat(pause_end(pause))
    return (end - start).days + 1 if end >= start else 0


def paused_days(pkg: Mapping[str, Any], after_seq: int | None = None) -> int:
    """Days added to the expiry by pauses (each pause counts its days inclusive).

    With ``after_seq``, only pauses recorded after that journal position
    count: a date set by an adjustment is extended by later pauses only.
    """
    return sum(pause_length(p) for p in pkg.get("pauses", []) if after_seq is None or p.get("seq", 0) > after_seq)


def pause_extension(pkg: Mapping[str, Any]) -> int:
    """Days the pauses add to the expiry: those recorded after a date set by
    ``adjust`` (or kept by a transfer), else every pause (a "from first use"
    package not started yet gets them once it starts); none for a package
    without expiry, which a pause only blocks."""
    if pkg.get("expires_set"):
        return paused_days(pkg, after_seq=pkg.get("expires_set_seq", 0))
    if parse_expiry_option(pkg["terms"].get("expiry", "none")).kind == "none":
        return 0
    return paused_days(pkg)


def expiry(pkg: Mapping[str, Any], first_use_date: date | None = None) -> date | None:
    """The last valid day, or None (no expiry, or first use not yet known).

    ``first_use_date`` lets a caller ask "what if this session were the first".
    A date set by ``adjust`` (or kept by a transfer) is taken as given and
    moved on only by pauses recorded after it was set (``pause_extension``).
    """
    if pkg.get("expires_set"):
        return date.fromisoformat(pkg["expires_set"]) + timedelta(days=pause_extension(pkg))
    rule = parse_expiry_option(pkg["terms"].get("expiry", "none"))
    base = expiry_date(rule, date.fromisoformat(pkg["sale"]["date"]), first_use_date or first_use(pkg))
    if base is None:
        return None
    return base + timedelta(days=pause_extension(pkg))


def scheduled_draws(pkg: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(booking id, session date) of every booked session drawing on it, by date."""
    found = [(bid, d["date"]) for bid, d in pkg.get("draws", {}).items() if d["state"] == "scheduled"]
    return sorted(found, key=lambda item: (item[1], item[0]))


def bookings_text(found: list[tuple[str, str]]) -> str:
    return ", ".join(f"{bid} on {day}" for bid, day in found)


def after_expiry(pkg: Mapping[str, Any], last_day: date | None) -> list[tuple[str, str]]:
    """Booked sessions on ``pkg`` dated after ``last_day`` (when the expiry limits the session date)."""
    if last_day is None or pkg["terms"]["policies"].get("expiry_limits", "session") != "session":
        return []
    return [(bid, day) for bid, day in scheduled_draws(pkg) if day > last_day.isoformat()]


def blocked(pkg: Mapping[str, Any], day: date, key: str, private: bool = False) -> str | None:
    """Why no new session on ``day`` may draw on ``key``: paused, or its
    unlimited balance was transferred away; None when nothing blocks it.
    ``private``: said to the holder of the package's access code, who is
    never told which client package received it."""
    pause = pause_on(pkg, day)
    if pause is not None:
        return f"paused from {pause['from']} to {pause_end(pause)}"
    if (pkg.get("transferred") or {}).get(key) == UNLIMITED:
        moved = [] if private else pkg.get("transferred_to") or []
        what = "its unlimited use" if key == UNLIMITED else f"its unlimited {key}"
        return f"{what} was transferred" + (f" to {moved[-1]}" if moved else "")
    return None


def fully_transferred(pkg: Mapping[str, Any], rows: Mapping[str, Mapping[str, Any]] | None = None) -> bool:
    """Something was transferred away and nothing is left to book or scheduled.
    (``rows``: ``balance(pkg)`` when the caller has it already.)"""
    moved = pkg.get("transferred") or {}
    if not moved:
        return False
    for key, row in (rows if rows is not None else balance(pkg)).items():
        if row["scheduled"]:
            return False
        if row["remaining"] == UNLIMITED:
            if moved.get(key) != UNLIMITED:
                return False
        elif row["remaining"] > 0:
            return False
    return True


def emptied_by_transfer(pkg: Mapping[str, Any], rows: Mapping[str, Mapping[str, Any]] | None = None) -> bool:
    """A transfer emptied the package and it has not been drawn on since:
    its status is ``transferred``. One emptied by its own sessions after
    something of it was given away is ``used up`` like any other.

    The ``transferred`` event records, when it left nothing to book and
    nothing booked, which sessions had drawn on the package then
    (``emptied_by_transfer``, booking ids); a session drawing on it later
    is its own use (by its owner or a client it is shared with)."""
    before = pkg.get("emptied_by_transfer")
    if before is None or not fully_transferred(pkg, rows):
        return False
    if len(pkg.get("draws", {})) > len(before):
        return False
    known = set(before)
    return all(bid in known for bid in pkg.get("draws", {}))


def starts_at_first_use(pkg: Mapping[str, Any]) -> bool:
    return parse_expiry_option(pkg["terms"].get("expiry", "none")).kind == "from-first-use"


_NOT_GIVEN: Any = object()


def is_used_up(pkg: Mapping[str, Any], rows: Mapping[str, Mapping[str, Any]] | None = None) -> bool:
    values = (rows if rows is not None else balance(pkg)).values()
    return all(r["remaining"] != UNLIMITED and r["remaining"] <= 0 and not r["scheduled"] for r in values)


STATUSES = ("active", "paused", "used up", "expired", "transferred", "cancelled", "refunded")


def status(pkg: Mapping[str, Any], now: datetime, tz: ZoneInfo, rows: Mapping[str, Mapping[str, Any]] | None = None,
           last_day: Any = _NOT_GIVEN) -> str:
    """active, paused, used up, expired, transferred, cancelled or refunded — at ``now``.

    ``rows`` and ``last_day``: ``balance(pkg)`` and ``expiry(pkg)`` when the
    caller has them already (judging thousands of packages)."""
    recorded = pkg.get("status", "active")
    if recorded in ("cancelled", "refunded"):
        return recorded
    if rows is None:
        rows = balance(pkg)
    if emptied_by_transfer(pkg, rows):
        return "transferred"
    if last_day is _NOT_GIVEN:
        last_day = expiry(pkg)
    if pkg.get("expired_at") or (last_day is not None and is_expired(last_day, now, tz)):
        return "expired"
    if is_used_up(pkg, rows):
        return "used up"
    if pause_on(pkg, now.astimezone(tz).date()) is not None:
        return "paused"
    return "active"


def give_back(pkg: dict[str, Any], booking_id: str) -> None:
    """Take a booking's draw off ``pkg`` (cancelled or a no-show with what
    it drew returned, unlinked, moved to another package): what it drew is
    the package's again -- unless the package's expiry is recorded, which
    forfeited what was left then: what comes back after it lapses with it
    (``lapsed``, the balance's expired column), never to be held for ever
    by a package no sweep looks at again."""
    draw = pkg.get("draws", {}).pop(booking_id, None)
    if draw is None or not pkg.get("expired_at") or draw["amount"] == UNLIMITED:
        return
    row = totals(pkg["terms"]).get(draw["key"])
    if row is None or row == UNLIMITED:
        return
    money = is_money(pkg)
    lapsed = pkg.setdefault("lapsed", {})
    total = _number(lapsed.get(draw["key"], 0), money) + _number(draw["amount"], money)
    lapsed[draw["key"]] = format(total, "f") if money else total


def plain(value: Any) -> Any:
    """JSON form of a balance number: int, money string, or "unlimited"."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value
