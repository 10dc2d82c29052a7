"""``statement CLIENT``: what a client bought, paid and used, to hand to them (pure).

For each client package of the client: a header (package, sold on, invoice,
price, paid or due, expiry and why), one summary line ("used 3 of 10 · 2
booked · 5 free to book · valid through 30 Jun 2027"), then every entry in
date order: the purchase, each session ("session n of N") with its
attendee when shared, its status and the running balance, the payments,
refunds, adjustments, transfers and the expiry, with their reasons. The
running balance ends at the remaining balance ``balance`` shows.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from ..domain import balances
from ..domain.datetimes import clock_text, utc_text
from ..domain.expiry import parse_expiry_option
from ..domain.money import money_shown
from ..domain.sales import payment_state

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ENTRY_COLUMNS = ("date", "entry", "detail", "change", "balance")


def long_date(day: date) -> str:
    """'30 Jun 2027' (English month abbreviations, whatever the locale)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _amount(value: Any) -> str:
    return str(balances.plain(value))


def _unit(key: str, amount: Any) -> str:
    text = _amount(amount)
    if key == "minutes":
        return f"{text} min"
    if key in ("money", "count", "unlimited"):
        return text
    return f"{key} {text}"


def _balance_text(left: dict[str, Any]) -> str:
    return ", ".join(_unit(key, value) for key, value in left.items())


def _expiry_reason(pkg: Mapping[str, Any]) -> str:
    rule = parse_expiry_option(pkg["terms"].get("expiry", "none"))
    if pkg.get("imported", {}).get("expires") if pkg.get("imported") else False:
        why = "as imported"
    elif pkg.get("expires_set"):
        why = "set by adjustment" if not pkg["sale"].get("transferred_from") else "kept from the transfer"
    else:
        why = rule.text() if rule.kind != "fixed" else "fixed date"
    paused = balances.pause_extension(pkg)
    if paused:
        why += f", +{paused} paused day" + ("s" if paused != 1 else "")
    return why


# What left a balance other than by use, in the words of ``balance --wide``.
_GONE = (("before_import", "before import"), ("transferred", "transferred"), ("voided", "voided"), ("expired", "expired"))


def _summary_line(pkg: Mapping[str, Any], last_day: date | None, state: str) -> str:
    rows = balances.balance(pkg)
    used = sum((r["used"] + r["forfeited"] for r in rows.values()), 0)
    booked = sum((r["scheduled"] for r in rows.values()), 0)
    unlimited = any(r["total"] == balances.UNLIMITED for r in rows.values())
    # What went before an import, was transferred to another client, voided
    # by a refund or cancellation or lapsed at expiry is said, as ``balance
    # --wide`` says it, so used, booked and free still add up to what was
    # bought (an unlimited package adds up to no end: only what went before
    # an import is said).
    counted = [r for r in rows.values() if r["total"] != balances.UNLIMITED]
    gone = [(sum((r.get(figure, 0) for r in counted), 0), words) for figure, words in (_GONE[:1] if unlimited else _GONE)]
    used_text = "".join([_amount(used), *(f" + {_amount(amount)} {words}" for amount, words in gone if amount)])
    parts = []
    if unlimited:
        parts.append(f"used {used_text} (unlimited)")
    else:
        bought = sum((r["total"] + r["adjusted"] for r in rows.values()), 0)
        parts.append(f"used {used_text} of {_amount(bought)}")
    # An unlimited balance transferred away, or of a closed package, has nothing left to book.
    free = [r["remaining"] for r in rows.values()]
    free_text = "unlimited" if balances.UNLIMITED in free else _amount(sum(free, 0))
    parts.append(f"{_amount(booked)} booked")
    parts.append(f"{free_text} free to book")
    if last_day is not None:
        verb = "valid through" if state not in ("expired",) else "expired after"
        parts.append(f"{verb} {long_date(last_day)}")
    elif balances.starts_at_first_use(pkg):
        parts.append("valid from first use")
    else:
        parts.append("no expiry")
    if state not in ("active", "used up", "expired"):
        parts.append(state)
    return " · ".join(parts)


def events_by_package(view: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    """The view's events that count, by the client package they name (as
    ``client_package`` or ``package``), in the view's order: worked out once
    for a statement of every package (a client of thousands of packages
    would otherwise have every event read once per package)."""
    undone = set(view.get("undone", ()))  # events of undone commands no longer count (domain.undo)
    found: dict[str, list[Mapping[str, Any]]] = {}
    for event in view.get("events", []):
        if event.get("seq") in undone:
            continue
        named = {event.get("client_package"), event.get("package")}
        for cp_id in named:
            if isinstance(cp_id, str):
                found.setdefault(cp_id, []).append(event)
    return found


def _received(pkg: Mapping[str, Any], events: list[Mapping[str, Any]]) -> dict[str, Any] | None:
    """For a client package received by transfer: the day it was received
    (the transfer's, in the practice zone), from whom (the giver's client id
    and client package) and why; None for any other."""
    sale = pkg["sale"]
    source = sale.get("transferred_from")
    if not source:
        return None
    found = next((e for e in events if e.get("type") == "transferred" and e.get("to_package") == pkg["id"]), None)
    at = (found or {}).get("at") or sale.get("at")
    return {
        "date": at[:10] if at else sale["date"],  # an event's ``at`` is recorded in the practice zone
        "from": found["clients"][0] if found else source.rpartition(".p")[0],
        "package": source,
        "reason": (found or {}).get("reason") or "",
    }


def _before_import_text(pkg: Mapping[str, Any]) -> str:
    """For an imported package, where it was sold and what of it went there:
    ", sold elsewhere: 4 used before import" (", 1 lapsed" when ``used_before``
    is less than what was not left); "" for any other package."""
    imported = pkg.get("imported")
    if not imported:
        return ""
    gone = {key: row["before_import"] for key, row in balances.balance(pkg).items() if row.get("before_import")}
    used = {key: balances.plain(amount) for key, amount in (imported.get("used_before") or {}).items()
            if key in gone and amount not in (0, "0", "0.00", "0.000")}
    lapsed = {}
    for key, amount in gone.items():
        rest = amount - (Decimal(imported["used_before"].get(key, 0)) if isinstance(amount, Decimal)
                         else int(imported["used_before"].get(key, 0)))
        if rest > 0:
            lapsed[key] = balances.plain(rest)
    parts = [f"{_balance_text(used)} used before import"] if used else []
    if lapsed:
        parts.append(f"{_balance_text(lapsed)} lapsed there")
    return ", sold elsewhere" + (": " + ", ".join(parts) if parts else "")


def _fee_text(booking: Mapping[str, Any], currency: str) -> str:
    """What a session that draws on a package also costs (a per-session
    package's fee, a charge), and whether it is paid: "" when nothing."""
    if not booking or booking.get("status") == "cancelled":
        return ""
    total = Decimal(booking.get("fee") or 0) + Decimal(booking.get("fee_tax") or 0)
    if total <= 0:
        return ""
    paid = Decimal(booking.get("paid") or 0)
    state = "paid" if paid >= total else "due" if paid <= 0 else f"paid {paid}"
    return f", fee {total} {currency}, {state}"


def _entries(pkg: Mapping[str, Any], view: Mapping[str, Any], attendee_views: Mapping[str, Mapping[str, Any]], currency: str,
             about: list[Mapping[str, Any]] | None = None, *, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Every dated entry of one client package, oldest first, with the
    running balance (``about``: its events from ``events_by_package``;
    sessions' times in the practice's zone ``tz``)."""
    money = balances.is_money(pkg)
    left: dict[str, Any] = {}
    bought = balances.totals(pkg["terms"])
    imported = (pkg.get("imported") or {}).get("remaining") or {}
    used_before = (pkg.get("imported") or {}).get("used_before") or {}
    # Sessions used in the other system come first: the first here is the one after them.
    numbers: dict[str, int] = {key: int(used) for key, used in used_before.items() if key not in ("money", "minutes")}
    # (date, order within the day, start of a session as UTC text, seq, what, data)
    raw: list[tuple[str, int, str, int, str, dict[str, Any]]] = []
    sale = pkg["sale"]
    events = events_by_package(view).get(pkg["id"], []) if about is None else about
    for key, total in bought.items():
        start = imported.get(key, total)
        left[key] = start if start == balances.UNLIMITED else (Decimal(start) if money else int(start))
    received = _received(pkg, events)
    first_what = "received by transfer" if received else ("imported" if pkg.get("imported") else ("assigned" if sale.get("assigned") else "bought"))
    raw.append((received["date"] if received else sale["date"], 0, "", 0, "start",
                {"what": first_what, "change": dict(left), "received": received}))
    for bid, draw in pkg.get("draws", {}).items():
        booking = (attendee_views.get(draw["attendee"]) or {}).get("bookings", {}).get(bid, {})
        raw.append((draw["date"], 2, utc_text(booking.get("start")), 0, bid, {"draw": draw, "booking": booking}))
    for event in events:
        kind = event["type"]
        if kind in ("paid", "adjusted", "refunded", "package-cancelled", "paused", "resumed", "code-reset") or (
                kind == "transferred" and event["client_package"] == pkg["id"]):
            raw.append((event["at"][:10], 1 if kind != "refunded" and kind != "package-cancelled" else 3, "", event["seq"], kind, {"event": event}))
    if pkg.get("expired_at"):
        raw.append((pkg["expired_at"], 4, "", 0, "expired", {"lapsed": pkg.get("lapsed") or {}}))
    # Sessions of one day by their start (then booking id): numbered in that order.
    raw.sort(key=lambda r: r[:5])
    # Sessions are numbered "of" what the package holds for its clients:
    # bought and adjusted, less what was transferred to another client.
    total_sessions = {key: row["total"] if row["total"] == balances.UNLIMITED else row["total"] + row["adjusted"] - row["transferred"]
                      for key, row in balances.balance(pkg).items()}
    out = []

    def take(key: str, amount: Any) -> None:
        if key in left and left[key] != balances.UNLIMITED:
            left[key] -= Decimal(amount) if money else int(amount)

    def close_unlimited(keys: Any = None) -> dict[str, Any]:
        """Unlimited balances (of ``keys``, else all) that a refund, a
        cancellation, a recorded expiry or a transfer ends: none of them is
        left here (``balances.balance``); what ended, for the change column."""
        ended = {}
        for key, value in left.items():
            if value == balances.UNLIMITED and (keys is None or key in keys):
                left[key] = 0
                ended[key] = balances.UNLIMITED
        return ended

    for day, _, _, _, what, data in raw:
        entry = {"date": day, "entry": "", "detail": "", "change": "", "balance": ""}
        if what == "start":
            entry["entry"] = data["what"]
            received = data["received"]
            if received:
                entry["detail"] = f"from {received['package']}" + (f": {received['reason']}" if received["reason"] else "")
            else:
                entry["detail"] = f"{pkg['terms']['name']} ({pkg['package']})" + _before_import_text(pkg)
            entry["change"] = "+" + _balance_text(data["change"])
        elif "draw" in data:
            draw = data["draw"]
            key = draw["key"]
            booking = data["booking"]
            numbers[key] = numbers.get(key, 0) + 1
            of = total_sessions.get(key)
            counted = key not in ("money", "minutes") and of != balances.UNLIMITED
            label = f"session {numbers[key]}" + (f" of {_amount(of)}" if counted else "")
            entry["entry"] = label
            state = booking.get("status", draw["state"])
            who = f", {draw['attendee']}" if draw["attendee"] != pkg["owner"] else ""
            service = booking.get("service_name") or booking.get("service") or key
            start = booking.get("start")
            time = clock_text(datetime.fromisoformat(start).astimezone(tz)) if start else ""
            entry["detail"] = f"{service} {time}{who}, {state}".replace("  ", " ") + _fee_text(booking, currency)
            take(key, draw["amount"])
            entry["change"] = "-" + _unit(key, draw["amount"])
        elif what == "expired":
            entry["entry"] = "expired"
            entry["detail"] = "what was left lapsed"
            for key, amount in data["lapsed"].items():
                take(key, amount)
            gone = {**data["lapsed"], **close_unlimited()}
            entry["change"] = "-" + _balance_text(gone) if gone else ""
        else:
            event = data["event"]
            reason = f": {event['reason']}" if event.get("reason") else ""
            if what == "paid":
                entry["entry"] = "payment"
                entry["detail"] = f"{event['amount']} {currency}" + (f" ({event['method']})" if event.get("method") else "")
            elif what == "adjusted":
                entry["entry"] = "adjustment"
                changes = event.get("changes") or {}
                for key, delta in changes.items():
                    if key in left and left[key] != balances.UNLIMITED:
                        left[key] += Decimal(delta) if money else int(delta)
                pieces = [f"{'+' if not str(d).startswith('-') else ''}{_unit(k, d)}" for k, d in changes.items()]
                entry["change"] = ", ".join(pieces)
                entry["detail"] = (f"expiry set to {event['expires']}" if event.get("expires") else "") + reason.lstrip(": ") if not changes else reason.lstrip(": ")
                if event.get("expires") and changes:
                    entry["detail"] = f"expiry set to {event['expires']}; " + entry["detail"]
                if event.get("expires") and not changes:
                    entry["detail"] = f"expiry set to {event['expires']}" + reason
            elif what in ("refunded", "package-cancelled"):
                entry["entry"] = "refund" if what == "refunded" else "cancelled"
                entry["detail"] = (f"{event['amount']} {currency} refunded" if what == "refunded" else "closed") + reason
                for key, amount in (event.get("voided") or {}).items():
                    take(key, amount)
                gone = {**(event.get("voided") or {}), **close_unlimited()}
                entry["change"] = ("-" + _balance_text(gone)) if gone else ""
            elif what == "transferred":
                entry["entry"] = "transfer"
                entry["detail"] = f"to {event['to_package']}" + reason
                for key, amount in event["amounts"].items():
                    if amount != balances.UNLIMITED:
                        take(key, amount)
                close_unlimited([key for key, amount in event["amounts"].items() if amount == balances.UNLIMITED])
                entry["change"] = "-" + _balance_text(event["amounts"])
            elif what == "paused":
                entry["entry"] = "paused"
                entry["detail"] = f"{event['from']} to {event['until']}" + reason
            elif what == "resumed":
                entry["entry"] = "resumed"
                entry["detail"] = f"on {event['on']}" + reason
            elif what == "code-reset":
                entry["entry"] = "new access code"
                entry["detail"] = reason.lstrip(": ")
        entry["balance"] = _balance_text(left)
        out.append(entry)
    return out


def package_statement(pkg: Mapping[str, Any], view: Mapping[str, Any], attendee_views: Mapping[str, Mapping[str, Any]],
                      now: datetime, tz: ZoneInfo, currency: str, first: date | None = None, last: date | None = None,
                      about: list[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The statement of one client package (entries of ``first`` .. ``last``
    only, when given; ``about``: its events from ``events_by_package``)."""
    last_day = balances.expiry(pkg)
    state = balances.status(pkg, now, tz)
    sale = pkg["sale"]
    total = Decimal(sale["total"])
    paid = Decimal(pkg["paid"])
    about = events_by_package(view).get(pkg["id"], []) if about is None else about
    entries = _entries(pkg, view, attendee_views, currency, about, tz=tz)
    received = _received(pkg, about)
    earlier = [e for e in entries if first is not None and e["date"] < first.isoformat()]
    shown = [e for e in entries if (first is None or e["date"] >= first.isoformat()) and (last is None or e["date"] <= last.isoformat())]
    if earlier:
        shown.insert(0, {"date": first.isoformat(), "entry": "brought forward", "detail": "", "change": "", "balance": earlier[-1]["balance"]})
    return {
        "id": pkg["id"], "package": pkg["package"], "name": pkg["terms"]["name"],
        # a package received by transfer was not sold to this client: no sale date or invoice of theirs;
        # one imported was sold elsewhere, with an invoice number only when the import gave one
        "sold": None if received else sale["date"], "invoice": None if received else (sale["invoice"] or None),
        "received": {k: received[k] for k in ("date", "from", "package")} if received else None,
        "imported": _imported_header(pkg),
        # money with exactly the currency's decimals, whatever was recorded (a per-session sale: once "0")
        "total": money_shown(total, currency), "paid": money_shown(paid, currency),
        "due": money_shown(max(total - paid, Decimal(0)) if pkg.get("status") not in ("cancelled", "refunded") else Decimal(0), currency),
        "payment": payment_state(pkg), "status": state,
        "expires": last_day.isoformat() if last_day else None, "expiry_reason": _expiry_reason(pkg),
        "summary": _summary_line(pkg, last_day, state),
        "remaining": {key: balances.plain(row["remaining"]) for key, row in balances.balance(pkg).items()},
        "shared_with": list(pkg.get("shared_with", [])),
        "entries": shown,
    }


def _imported_header(pkg: Mapping[str, Any]) -> dict[str, Any] | None:
    """For a package sold in another system and brought in: the day it was
    recorded here and what it held that went before (``before_import`` by
    balance key, as ``balance`` writes it); None for any other."""
    if not pkg.get("imported"):
        return None
    at = pkg["sale"].get("at")
    gone = {key: balances.plain(row["before_import"]) for key, row in balances.balance(pkg).items() if "before_import" in row}
    return {"date": at[:10] if at else pkg["sale"]["date"], "before_import": gone}  # ``at``: in the practice zone


def statement(view: Mapping[str, Any], attendee_views: Mapping[str, Mapping[str, Any]], now: datetime, tz: ZoneInfo,
              currency: str, package: str | None = None, first: date | None = None, last: date | None = None) -> list[dict[str, Any]]:
    """Every client package of the client (or only ``package``), oldest sale first."""
    def order(cp: str) -> int:
        tail = cp.rpartition(".p")[2]
        return int(tail) if tail.isdigit() else 0

    by_package = events_by_package(view)
    return [package_statement(view["packages"][cp], view, attendee_views, now, tz, currency, first, last, by_package.get(cp, []))
            for cp in sorted(view["packages"], key=order) if package is None or cp == package]


def header_lines(pkg: Mapping[str, Any], currency: str) -> list[str]:
    paid = "paid per session" if pkg["payment"] == "per session" else f"paid {pkg['paid']}" if pkg["due"] in ("0", "0.00", "0.000") or Decimal(pkg["due"]) == 0 else f"paid {pkg['paid']}, due {pkg['due']}"
    expiry = f"expires {pkg['expires']} ({pkg['expiry_reason']})" if pkg["expires"] else f"no expiry date ({pkg['expiry_reason']})"
    shared = f" · shared with {', '.join(pkg['shared_with'])}" if pkg["shared_with"] else ""
    received = pkg.get("received")
    if received:  # not sold to this client: when and from whom it came, never the giver's sale or invoice
        if pkg["payment"] != "per session" and Decimal(pkg["total"]) == 0 and Decimal(pkg["paid"]) == 0:
            paid = "nothing to pay"
        elif pkg["payment"] != "per session":
            paid = f"{pkg['total']} {currency} · {paid}"
        sold = f"received {received['date']} by transfer from {received['from']} ({received['package']}) · {paid}{shared}"
    elif pkg.get("imported"):  # sold in another system: its sale date there, and an invoice number only when it had one
        invoice = f" · invoice {pkg['invoice']}" if pkg["invoice"] else ""
        sold = (f"sold {pkg['sold']} elsewhere, imported {pkg['imported']['date']}{invoice} · {pkg['total']} {currency} · "
                f"{paid}{shared}")
    else:
        sold = f"sold {pkg['sold']} · invoice {pkg['invoice']} · {pkg['total']} {currency} · {paid}{shared}"
    return [
        f"{pkg['name']} ({pkg['id']})",
        sold,
        expiry,
        pkg["summary"],
    ]
