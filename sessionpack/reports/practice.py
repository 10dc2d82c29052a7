"""The agenda, sales, usage, outstanding and expiring reports (pure: records in, rows out).

Each function takes the records the report views hold (``storage.report_shards``:
bookings, sales and draws by day; pending sales and bookings; open packages)
and returns rows (dicts of plain values and Decimals) and totals.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from operator import itemgetter
from typing import Any, Callable, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from ..domain import balances, valuation, value_moves
from ..domain.booking_events import still_draws
from ..domain.datetimes import clock_text
from ..domain.text import shown  # noqa: F401  (tables show stored text through the CLI)
from .when import start_order

ZERO = Decimal(0)


def _money(text: Any) -> Decimal:
    return Decimal(text) if text not in (None, "") else ZERO


def money_rows(rows: list[dict[str, Any]], totals: dict[str, Any], currency: str) -> None:
    """Every amount (Decimal) of the rows and totals in the currency's minor unit."""
    shown_as = minor_unit(currency)

    def fix(record: dict[str, Any]) -> None:
        for key, value in record.items():
            kind = type(value)
            if kind is Decimal:
                record[key] = shown_as(value)
            elif kind is dict:
                fix(value)

    for row in rows:
        fix(row)
    fix(totals)


def minor_unit(currency: str) -> Callable[[Decimal], Decimal]:
    """An amount in the currency's minor unit, as reports show it: rounded
    half up, and a zero never signed."""
    from ..domain.money import minor_digits, quantize

    exponent = -minor_digits(currency)

    def shown_as(value: Decimal) -> Decimal:
        if value.as_tuple().exponent == exponent and not (value.is_zero() and value.is_signed()):
            return value  # already in the minor unit
        fixed = quantize(value, currency)
        return fixed if fixed else abs(fixed)

    return shown_as


def _draw_text(draw: Mapping[str, Any] | None) -> str:
    if not draw:
        return ""
    amount = balances.plain(draw["amount"])
    key = draw["key"]
    if key == "minutes":
        return f"{amount} min"
    if key == "money":
        return f"{amount} credit"
    if key == "unlimited":
        return "unlimited"
    return f"{amount} session" + ("" if str(amount) == "1" else "s")


def held_draw(booking: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """What a booking draws on its package as it stands: nothing once its
    draw went back (cancelled in time, a no-show or late cancel whose policy
    returns it), what a late-cancel charge kept, else what it was booked to
    draw."""
    draw = booking.get("draw")
    if not draw or not still_draws(booking["status"], booking.get("outcome")):
        return None
    if booking.get("kept") is not None:
        return {**draw, "amount": booking["kept"]}
    return draw


# -- bookings -------------------------------------------------------------------------


def agenda(bookings: Iterable[Mapping[str, Any]], tz: ZoneInfo, *, client: str | None = None, provider: str | None = None,
           service: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    """One row per session, in the order they happen (``start_order``):
    weekday, date, time, attendee, service, duration, provider, the package
    drawn on (or "regular fee"), fee due."""
    rows = []
    for b in bookings:
        if client and b["attendee"] != client and b.get("owner") != client:
            continue
        if provider and (b.get("provider") or "") != provider:
            continue
        if service and b["service"] != service:
            continue
        if status and b["status"] != status:
            continue
        start = datetime.fromisoformat(b["start"]).astimezone(tz)
        fee = _money(b["fee"]) + _money(b["fee_tax"])
        rows.append({
            "day": start.strftime("%a"), "date": start.date().isoformat(), "time": clock_text(start),
            "booking": b["id"], "attendee": b["attendee"], "service": b["service"], "minutes": int(b["duration"]),
            "provider": b.get("provider") or "", "package": b.get("package") or "regular fee",
            "draws": _draw_text(held_draw(b)), "fee": fee, "status": b["status"],
            "_order": start_order(b["start"], b["id"]),
        })
    rows.sort(key=itemgetter("_order"))
    for row in rows:
        del row["_order"]
    return rows


def started_by(now: datetime) -> Callable[[str], bool]:
    """Whether a session recorded to start at a time (ISO 8601 with its UTC
    offset) started before ``now``: the two compared as instants, never as
    wall-clock text, which goes wrong when the clocks go back (01:15-05:00
    starts 55 minutes after 01:20-04:00). ``report bookings --unmarked`` and
    ``report outstanding`` judge a session by this one rule.

    A session whose local date is two days or more before ``now``'s date
    in UTC started before it whatever the offsets (they are within a day of
    UTC): only those near ``now`` are parsed, as a report of tens of
    thousands of fees asks for each."""
    settled = (now.astimezone(timezone.utc) - timedelta(days=2)).date().isoformat()

    def started(start: str) -> bool:
        return start[:10] < settled or datetime.fromisoformat(start) < now

    return started


def unmarked(bookings: Iterable[Mapping[str, Any]], now: datetime, tz: ZoneInfo, **filters: Any) -> list[dict[str, Any]]:
    """Past sessions still "booked": started before ``now`` and never marked."""
    started = started_by(now)
    past = [b for b in bookings if b["status"] == "booked" and started(b["start"])]
    return agenda(past, tz, **filters)


# -- sales ----------------------------------------------------------------------------

SALE_TOTALS = ("price", "tax", "total", "paid", "due")


def sales(records: Iterable[Mapping[str, Any]], today: str, *, client: str | None = None, package: str | None = None,
          status: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One row per sale or assignment: date, invoice, client, package, price,
    tax, total, paid, due, payment state and status today."""
    from ..storage.report_shards import status_at

    rows = []
    for s in records:
        state = status_at(s["state"], today)
        if client and s["owner"] != client:
            continue
        if package and s["package"] != package:
            continue
        if status and state != status:
            continue
        total = _money(s["total"])
        paid = _money(s["paid"])
        refunded = _money(s.get("refunded"))
        due = ZERO if s["state"]["status"] in ("cancelled", "refunded") else max(total - paid, ZERO)
        rows.append({
            "date": s["date"], "invoice": s["invoice"], "client": s["owner"], "id": s["id"], "package": s["package"],
            "price": _money(s["price"]), "tax": _money(s["tax"]), "total": total, "paid": paid,
            "refunded": refunded, "due": due, "payment": s["payment"], "status": state,
            "kind": "assigned" if s["assigned"] else "sold",
        })
    rows.sort(key=lambda r: (r["date"], r["invoice"], r["id"]))
    totals: dict[str, Any] = {"sales": len(rows)}
    for column in (*SALE_TOTALS, "refunded"):
        totals[column] = sum((r[column] for r in rows), ZERO)
    return rows, totals


# -- usage ----------------------------------------------------------------------------


def _usage_status(booking: Mapping[str, Any] | None, draw: Mapping[str, Any]) -> str:
    if booking is None:
        return draw["state"]
    state = booking["status"]
    outcome = booking.get("outcome")
    if state == "no-show":
        return "no-show forfeited" if draw["state"] == "forfeited" else "no-show"  # (a returned one holds no draw: not listed)
    if state == "late-cancelled":
        return "late-cancel charged" if outcome == "charge" else "late-cancel forfeited"
    if state == "booked":
        return "booked"
    return state


def usage(draws: Iterable[tuple[str, str, Mapping[str, Any]]], bookings: Mapping[str, Mapping[str, Any]],
          *, client: str | None = None, package: str | None = None, service: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One row per draw: date, booking, attendee, owner (when shared), client
    package, service, provider, what was drawn, its value and its status.
    ``draws``: (date, owner, {draw}) with the booking id in the draw."""
    rows = []
    for day, owner, d in draws:
        booking = bookings.get(d["booking"])
        svc = booking["service"] if booking else ""
        if client and d["attendee"] != client and owner != client:
            continue
        if package and d["package"] != package:
            continue
        if service and svc != service:
            continue
        rows.append({
            "date": day, "booking": d["booking"], "attendee": d["attendee"],
            "owner": owner if owner != d["attendee"] else "", "id": d["package"], "service": svc,
            "provider": (booking.get("provider") or "") if booking else "",
            "drawn": _draw_text(d), "value": _money(d.get("value")), "status": _usage_status(booking, d),
            "_order": (day, *start_order(booking.get("start") if booking else None, d["booking"])),
        })
    rows.sort(key=itemgetter("_order"))  # a day's sessions by when they start
    for row in rows:
        del row["_order"]
    totals = {"draws": len(rows), "value": sum((r["value"] for r in rows), ZERO),
              "used": sum((r["value"] for r in rows if r["status"] == "attended"), ZERO),
              "forfeited": sum((r["value"] for r in rows if "forfeit" in r["status"] or "charged" in r["status"]), ZERO)}
    return rows, totals


# -- outstanding ----------------------------------------------------------------------


def _fee_kind(status: str, package: str | None, draw: str | None) -> str:
    if status == "late-cancelled":
        return "late-cancel charge"
    if status == "no-show":
        return "no-show fee"
    if package:
        return "credit short" if draw == "money" else "per-session fee"
    return "regular fee"


def outstanding(sales_due: Iterable[Mapping[str, Any]], bookings_due: Iterable[Sequence[Any]], today: date,
                now: datetime, *, client: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Money owed: sales not paid in full, and fees due on sessions that have
    started (per-session, regular fee, late-cancel charge, no-show), each
    with its age in days; and money owed back (paid on a session beyond its
    fee, whenever the session is), with a due below zero; totals per client
    and overall (what is owed back taken off, and ``owed_back`` on its
    own). Amounts stay the texts the views hold (already in the currency's
    minor unit).

    ``bookings_due``: each fee as the pending views hold it
    (``storage.report_shards.fees``): attendee, booking id, due, start,
    total, paid, package, the key of what the booking draws, status and
    service.

    A practice that never records its session fees as paid owes tens of
    thousands of them, so each row is made with as little work as can be:
    the age of each day, the wording of each kind of fee and the zero of
    each amount are found once."""
    found: list[tuple[str, str, str, str, str, str, str, str, str, int]] = []
    ordinal = today.toordinal()
    started = started_by(now)  # as report bookings --unmarked judges it
    ages: dict[str, int] = {}

    for s in sales_due:
        if client and s["owner"] != client:
            continue
        day = s["date"]
        age = ages.get(day)
        if age is None:
            age = ages[day] = ordinal - date.fromisoformat(day).toordinal()
        owner, item = s["owner"], s["id"]
        found.append((f"{owner}\0{day}\0{item}", owner, day, item, f"sale {s['package']}", f"invoice {s['invoice']}",
                      s["total"], s["paid"], s["due"], age))
    zeros: dict[str, str] = {}
    nothing = frozenset("0.-")
    owing: dict[str, bool] = {}  # each due amount: is it more than nothing? (the texts repeat)
    whats: dict[tuple[str, str, str | None, str], str] = {}  # the few kinds of fee and service, worded once
    for attendee, item, due, start, total, paid, package, draw, status, service in bookings_due:
        owed = owing.get(due)
        if owed is None:
            owed = owing[due] = not nothing.issuperset(due)
        if not owed:
            continue
        back = due[0] == "-"  # paid beyond the fee: owed back to the client, whenever the session is
        if not back and not started(start):
            continue
        if client and attendee != client:
            continue
        day = start[:10]
        age = ages.get(day)
        if age is None:
            age = ages[day] = ordinal - date.fromisoformat(day).toordinal()
        if not paid:
            paid = zeros.get(total) or zeros.setdefault(total, _zero_like(total))
        if back and age < 0:  # owed back on a session still to come: owed from today
            age = 0
        shape = (status, service, "package" if package else None, draw, back)
        what = whats.get(shape)
        if what is None:
            what = whats[shape] = (f"owed back, {status} {service}" if back
                                   else f"{_fee_kind(status, package, draw)} {service}")
        found.append((f"{attendee}\0{day}\0{item}", attendee, day, item, what, package or "", total, paid, due, age))
    # By client, date and item: one text per row sorts as the three would
    # (ids, dates and client ids hold no NUL, which sorts before anything;
    # item ids are unique, so no two texts are equal). The rows are made in
    # that order, so that each later pass over them reads memory in order.
    found.sort()
    rows = [{"client": client_id, "date": day, "item": item, "what": what, "reference": reference, "total": total,
             "paid": paid, "due": due, "age": age}
            for _, client_id, day, item, what, reference, total, paid, due, age in found]
    per_client: dict[str, Decimal] = {}
    amounts: dict[str, Decimal] = {}
    back = ZERO
    for row in rows:
        due = row["due"]
        amount = amounts.get(due)
        if amount is None:
            amount = amounts[due] = Decimal(due)
        owner = row["client"]
        per_client[owner] = per_client.get(owner, ZERO) + amount
        if amount < 0:
            back -= amount
    totals = {"due": sum(per_client.values(), ZERO), "items": len(rows), "clients": {c: per_client[c] for c in sorted(per_client)},
              "owed_back": back}
    return rows, totals


def _zero_like(amount: str) -> str:
    head, dot, tail = amount.partition(".")
    return "0" + (dot + "0" * len(tail) if dot else "")


# -- expiring -------------------------------------------------------------------------


def expiring_notice_recorded(pkg: Mapping[str, Any], last_day: date) -> tuple[str, int] | None:
    """The owner's "expires soon" notice ``notify`` recorded for the
    package's current last valid day (the nearest to it, when several were:
    30 and then 7 days before), as (key, seq of the event that decided it);
    None when none was. Not the highest seq: a 30-day notice left pending
    is settled (suppressed) after the 7-day one was recorded. A pause or a
    new expiry makes new keys, so a notice about an earlier last day does
    not count. Copies to linked clients are not the owner's notice."""
    prefix = f"expiring:{pkg['id']}:{last_day.isoformat()}:"
    found = [(int(key[len(prefix):].rstrip("d")), seq, key) for key, seq in (pkg.get("notices") or {}).items()
             if key.startswith(prefix) and ":copy:" not in key]
    if not found:
        return None
    _, seq, key = min(found)
    return key, seq


def expiring_notice_text(key: str, state: str, reason: str = "") -> str:
    """The ``notice`` column: ``sent``, ``pending`` or ``failed`` with how
    many days before the last day it was due, or why it will not be sent."""
    days = key.rsplit(":", 1)[-1].rstrip("d")
    if state == "suppressed":
        return f"not sent: {reason}" if reason else "not sent"
    return f"{state} ({days} day{'s' if days != '1' else ''} before)"


def expiring(packages: Iterable[Mapping[str, Any]], now: datetime, tz: ZoneInfo, first: date, last: date,
             *, client: str | None = None,
             notice_outcome: Callable[[str, str, int], tuple[str, str]] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Open client packages whose last valid day is in ``first`` .. ``last``:
    client, what is left (free to book and booked), its value, the notice.

    ``notice_outcome(owner, key, seq)``: what became of a recorded notice,
    (``sent`` | ``pending`` | ``failed`` | ``suppressed``, the reason of a
    suppression), from the notice state (the outbox and the owner's
    history); the column says ``not sent`` when no notice was recorded."""
    rows = []
    today = now.astimezone(tz).date()
    for pkg in packages:
        state = balances.status(pkg, now, tz)
        if state not in ("active", "paused"):
            continue
        last_day = balances.expiry(pkg)
        if last_day is None or not first <= last_day <= last:
            continue
        if client and pkg["owner"] != client:
            continue
        rows_now = balances.balance(pkg)
        free, booked = [], []
        for key, row in rows_now.items():
            free.append(f"{key} {balances.plain(row['remaining'])}")
            if row["scheduled"]:
                booked.append(f"{key} {balances.plain(row['scheduled'])}")
        rows.append({"expires": last_day.isoformat(), "days": (last_day - today).days,
                     "client": pkg["owner"], "id": pkg["id"], "package": pkg["package"],
                     "free": ", ".join(free), "booked": ", ".join(booked), "value": value_held(pkg, rows_now, today, last_day),
                     "notice": _notice(pkg, last_day, notice_outcome)})
    rows.sort(key=lambda r: (r["expires"], r["client"], r["id"]))
    return rows, {"packages": len(rows), "value": sum((r["value"] for r in rows), ZERO)}


def value_held(pkg: Mapping[str, Any], rows: Mapping[str, Mapping[str, Any]], day: date, last_day: date | None) -> Decimal:
    """The value a client package holds at the end of ``day``, as ``report
    liability --as-of`` values it: what is left and booked of each counted
    part at its unit value, and an unlimited part by the liability's own
    spread over its term (``value_moves``: evenly per day from its first
    day through its last valid day), not by a count it does not have.
    ``rows``: ``balances.balance(pkg)``; ``last_day``: ``balances.expiry(pkg)``."""
    val = valuation.of_package(pkg)
    currency = pkg["terms"]["currency"]
    moved = pkg.get("transferred") or {}
    value = ZERO
    spread: dict[str, Decimal] | None = None
    for key, row in rows.items():
        part = val["parts"].get(key)
        if part is None:
            continue
        if part[1] != valuation.UNLIMITED and row["remaining"] != balances.UNLIMITED:
            value += valuation.value_of(part, row["remaining"] + row["scheduled"], currency)
        elif moved.get(key) != balances.UNLIMITED:  # (an unlimited part transferred away holds nothing here)
            if spread is None:
                spread = value_moves.held_by_key(value_moves.package_value(pkg, (), last_day=last_day), day.isoformat())
            value += spread.get(key, ZERO)
    return value


def _notice(pkg: Mapping[str, Any], last_day: date, outcome: Callable[[str, str, int], tuple[str, str]] | None) -> str:
    found = expiring_notice_recorded(pkg, last_day)
    if found is None:
        return "not sent"
    key, seq = found
    state, reason = outcome(pkg["owner"], key, seq) if outcome is not None else ("recorded", "")
    return expiring_notice_text(key, state, reason)
