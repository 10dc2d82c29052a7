"""Balance and history rows from a client's view (pure: data in, rows out)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from ..domain import balances
from ..domain.ledger import dispatch, empty_client_view
from ..domain.money import money_shown
from ..domain.sales import payment_state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable


def _show(value: Any) -> Any:
    return balances.plain(value)


def package_summary(pkg: Mapping[str, Any], now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    """One client package as the JSON of ``balance`` shows it (docs/formats.md):
    money with exactly the currency's decimals, as recorded or not."""
    rows = balances.balance(pkg)
    currency = pkg["terms"]["currency"]
    last_day = balances.expiry(pkg)
    state = balances.status(pkg, now, tz)
    return {
        "id": pkg["id"],
        "package": pkg["package"],
        "name": pkg["terms"]["name"],
        "owner": pkg["owner"],
        "status": state,
        "expires": last_day.isoformat() if last_day else None,
        "starts_at_first_use": balances.starts_at_first_use(pkg) and balances.first_use(pkg) is None,
        "remaining": {key: _show(row["remaining"]) for key, row in rows.items()},
        "balances": {key: {k: _show(v) for k, v in row.items()} for key, row in rows.items()},
        "forfeited_at_expiry": forfeited_at_expiry(pkg, state),
        "sold": pkg["sale"]["date"],
        "invoice": pkg["sale"]["invoice"] or None,  # an import given no invoice: null
        "total": money_shown(pkg["sale"]["total"], currency),
        "paid": money_shown(pkg["paid"], currency),
        "refunded": money_shown(pkg.get("refunded") or "0", currency),
        "payment": payment_state(pkg),
        "shared_with": list(pkg.get("shared_with", [])),
        "shared_by": None,
        **({"imported": pkg["imported"]} if pkg.get("imported") else {}),
    }


def forfeited_at_expiry(pkg: Mapping[str, Any], state: str) -> dict[str, Any]:
    """What the expiry forfeited: as recorded by the sweep (``lapsed``), or,
    for a package past its date whose expiry is not recorded yet, what it
    would forfeit now."""
    if pkg.get("expired_at"):
        return {key: _show(value) for key, value in (pkg.get("lapsed") or {}).items()}
    if state != "expired":
        return {}
    from ..domain.sweep import forfeitable

    return forfeitable(pkg)


def expiry_text(summary: Mapping[str, Any]) -> str:
    if summary["expires"]:
        return summary["expires"]
    return "starts at first use" if summary["starts_at_first_use"] else "never"


BALANCE_CSV_COLUMNS = ["client", "id", "package", "name", "item", "total", "adjusted", "used", "forfeited", "scheduled",
                       "transferred", "voided", "expired", "before_import", "remaining", "expires", "starts_at_first_use",
                       "status", "shared_by"]


def balance_table_rows(summaries: list[Mapping[str, Any]], client: str | None = None, now: datetime | None = None,
                       tz: ZoneInfo | None = None) -> list[dict[str, Any]]:
    """One row per balance key of each client package, for tables and CSV.

    CSV and TSV have one number per column (``BALANCE_CSV_COLUMNS``: the
    package id, its name, each balance figure, the expiry as an ISO date);
    a table for people shows ``left`` (remaining of total: ``3/10``),
    ``booked``, a human expiry (``to 30 Jun``, made with ``now`` and ``tz``)
    and, with ``--wide``, the figures as words (``5 +2``, ``1 + 1 forfeited``).
    """
    from .when import human_date

    rows = []
    for summary in summaries:
        for key, row in summary["balances"].items():
            used = row["used"] if row["forfeited"] in (0, "0", "0.00") else f"{row['used']} + {row['forfeited']} forfeited"
            if row.get("before_import") not in (None, 0, "0", "0.00"):
                used = f"{used} + {row['before_import']} before import"
            total = row["total"] if row["adjusted"] in (0, "0", "0.00") else f"{row['total']} {'+' if not str(row['adjusted']).startswith('-') else ''}{row['adjusted']}"
            rows.append({
                "client": summary["owner"],
                "id": summary["id"],
                "package": summary["package"],
                "name": summary["name"],
                "label": _package_text(summary),
                "item": key,
                **{figure: row[figure] for figure in ("total", "adjusted", "used", "forfeited", "scheduled", "transferred",
                                                      "voided", "expired", "remaining")},
                "before_import": row.get("before_import", str(Decimal(row["expired"]) * 0) if isinstance(row["expired"], str) else 0),
                "expires": summary["expires"],
                "starts_at_first_use": summary["starts_at_first_use"],
                "status": summary["status"],
                "shared_by": summary.get("shared_by"),
                "total_text": total,
                "used_text": used,
                "out_text": _taken_out(row),
                "status_text": _status_text(summary, key),
                "left": _left(row),
                "booked": row["scheduled"],
                "valid": (f"to {human_date(summary['expires'], now, tz)}" if summary["expires"] and now and tz
                          else expiry_text(summary)),
            })
    return rows


def _taken_out(row: Mapping[str, Any]) -> Any:
    """What left the balance as a whole, in words (``20.00 transferred + 120
    voided``): transferred to another client, voided by a refund or
    cancellation, lapsed at expiry; so that, with ``--wide``, total - used
    - scheduled - taken out = remaining. The zero of the balance when
    nothing was taken out."""
    parts = [f"{row[figure]} {figure}" for figure in ("transferred", "voided", "expired") if not _zero(row[figure])]
    return " + ".join(parts) if parts else row["voided"]


def _zero(value: Any) -> bool:
    return value != balances.UNLIMITED and Decimal(str(value)) == 0


def _left(row: Mapping[str, Any]) -> str:
    """``3/10``: what remains of the total (``unlimited`` when it has no end)."""
    if row["remaining"] == balances.UNLIMITED:
        return "unlimited"
    if row["total"] == balances.UNLIMITED:  # transferred away: none of it is left here
        return "0"
    return f"{row['remaining']}/{balances.plain(_total(row))}"


def _total(row: Mapping[str, Any]) -> Any:
    total, adjusted = row["total"], row["adjusted"]
    try:
        return total + adjusted if not isinstance(total, str) else Decimal(total) + Decimal(adjusted)
    except (TypeError, ArithmeticError):
        return total


def _package_text(summary: Mapping[str, Any]) -> str:
    if summary.get("shared_by"):
        return f"{summary['name']} (shared by {summary['shared_by']})"
    if summary.get("shared_with"):
        return f"{summary['name']} (shared with {', '.join(summary['shared_with'])})"
    return summary["name"]


def shared_summaries(view: Mapping[str, Any], owners: Mapping[str, Mapping[str, Any]], now: datetime, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Packages other clients share with this one (share and link both
    holding), marked ``shared_by``."""
    if not view.get("shared_in"):
        return []
    from ..domain.sharing import shared_and_linked

    out = []
    for cp_id, owner in sorted(view.get("shared_in", {}).items()):
        if shared_and_linked(view, owners.get(owner), cp_id):
            pkg = owners[owner]["packages"][cp_id]
            summary = package_summary(pkg, now, tz)
            summary["shared_by"] = owner
            out.append(summary)
    return out


def _status_text(summary: Mapping[str, Any], key: str) -> str:
    """The status, and for an expired package what its expiry forfeited."""
    lost = summary["forfeited_at_expiry"].get(key)
    if summary["status"] == "expired" and lost not in (None, 0, "0", "0.00", balances.UNLIMITED):
        return f"expired ({lost} forfeited)"
    return summary["status"]


def client_summaries(view: Mapping[str, Any], now: datetime, tz: ZoneInfo, include_inactive: bool = True) -> list[dict[str, Any]]:
    out = []
    for cp_id in sorted(view["packages"], key=lambda c: int(c.rsplit(".p", 1)[1])):
        summary = package_summary(view["packages"][cp_id], now, tz)
        if include_inactive or summary["status"] in ("active", "paused"):
            out.append(summary)
    return out


# -- history ---------------------------------------------------------------------


def _packages_named(event: Mapping[str, Any]) -> list[str]:
    """The client packages an event names (a transfer names two)."""
    named = [event.get("client_package"), event.get("to_package"), event.get("package"), event.get("from_package")]
    booking = event.get("booking")
    if isinstance(booking, dict):  # (recorded events are plain dicts)
        named.append(booking.get("package"))
    return [cp for cp in named if isinstance(cp, str) and cp]


def _package_of(named: list[str], view: Mapping[str, Any]) -> str | None:
    """The package of this view an event naming ``named`` is about (else the first it names)."""
    for cp in named:
        if cp in view["packages"]:
            return cp
    return named[0] if named else None


def _remaining(view: Mapping[str, Any], cp_id: str | None) -> dict[str, Any]:
    if not cp_id or cp_id not in view["packages"]:
        return {}
    return {key: row["remaining"] for key, row in balances.balance(view["packages"][cp_id]).items()}


ENDED = "-unlimited"  # the change of an unlimited balance that closed: nothing of it is left


def _delta(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, old in before.items():  # a package an undo took away: all it held goes
        if key not in after and old != 0:
            out[key] = ENDED if old == balances.UNLIMITED else -old
    for key, value in after.items():
        old = before.get(key, 0 if not isinstance(value, Decimal) else Decimal(0))
        if value == balances.UNLIMITED or old == balances.UNLIMITED:
            if value != old:  # became unlimited (a reopened pass), or ended (transferred, refunded, expired): as statements say it
                out[key] = value if value == balances.UNLIMITED else ENDED
            continue
        if value != old:
            out[key] = value - old
    return out


def _fmt(values: Mapping[str, Any], signed: bool = False) -> str:
    parts = []
    for key, value in values.items():
        if value in (balances.UNLIMITED, ENDED):
            parts.append(f"{key} {value}")
            continue
        text = balances.plain(value)
        if signed and not str(text).startswith("-"):
            text = f"+{text}"
        parts.append(f"{key} {text}")
    return ", ".join(parts)


_DESCRIBERS: dict[str, Callable[[Mapping[str, Any]], str]] = {}


def describes(*types: str) -> Callable[[Callable[[Mapping[str, Any]], str]], Callable[[Mapping[str, Any]], str]]:
    """Register the words for event types (modules beside this one add theirs)."""

    def register(fn: Callable[[Mapping[str, Any]], str]) -> Callable[[Mapping[str, Any]], str]:
        for name in types:
            _DESCRIBERS[name] = fn
        return fn

    return register


_DESCRIBED_HERE = frozenset({"undone", "catalog-changed", "client-added", "client-edited", "sold", "paid", "booked", "attended", "no-show",
                             "cancelled"})


def describe_event(event: Mapping[str, Any], tz: Any = None) -> str:
    """What happened, in words (a session's time in the practice's zone ``tz``: ``guards.when_text``)."""
    kind = event["type"]
    if kind not in _DESCRIBERS and kind not in _DESCRIBED_HERE:
        # Words for the events of corrections, sharing and codes live beside
        # this module; they are loaded on the first event that needs them, so
        # a balance or the history of sales and bookings never imports their rules.
        from . import adjust_text, codes_text, links_text, notice_text, sharing_text  # noqa: F401
    if kind in _DESCRIBERS:
        return _DESCRIBERS[kind](event)
    if kind == "undone":
        # A client's view keeps, of each command undone, the seqs of that
        # client's own events (``undo.kept_in_view``): a command that did
        # not touch the client (another client's payment a cascade took
        # back too) is not the client's to read about.
        targets = [t for t in event["undo"] if t.get("seqs", True)] or event["undo"]
        taken = "; ".join(f"{t['command']} (an undo: what it undid counts again)" if t.get("what", "").startswith("undid ")
                          else f"{t['command']} ({t.get('what', 'a command')})" for t in targets)
        return f"undid {taken}"
    if kind == "catalog-changed":
        verb = "added" if event["before"] is None else "removed" if event["after"] is None else "changed"
        return f"{verb} {event['file']}"
    if kind == "client-added":
        return f"client {event['client']['id']} added ({event['client']['name']})"
    if kind == "client-edited":
        return "client details changed: " + ", ".join(sorted(event["changes"]))
    if kind == "sold" and event.get("imported"):
        return imported_text(event)
    if kind == "sold":
        sale = event["sale"]
        verb = "assigned" if sale.get("assigned") else "sold"
        currency = event["terms"]["currency"]
        return (f"{verb} {event['terms']['id']} as {event['client_package']} for {money_shown(sale['total'], currency)} "
                f"(invoice {sale['invoice']}, paid {money_shown(event['paid'], currency)})")
    if kind == "paid":
        return f"payment of {event['amount']} on {event['client_package']}"
    if kind == "booked":
        b = event["booking"]
        from ..domain.guards import when_text

        when = when_text(b["start"], tz)
        if b.get("draw"):
            drew = f"draws {balances.plain(b['draw']['amount'])} {b['draw']['key']} from {b['package']}"
        else:
            drew = f"regular fee {b['fee']} + {b['fee_tax']} tax"
        return f"booked {b['id']}: {b['service']} on {when} for {b['attendee']}; {drew}"
    if kind == "moved":
        from ..domain.moves import move_words

        return move_words(event, tz)
    if kind in ("attended", "no-show", "cancelled"):
        words = {"attended": "attended", "no-show": "no-show", "cancelled": "late cancel" if event.get("late") else "cancelled"}[kind]
        outcome = event.get("outcome")
        tail = {"return": f"; returned to {event.get('package')}", "forfeit": "; session forfeited", "charge": f"; {event.get('kept')} charged"}.get(outcome or "", "")
        return f"{event['booking']}: {words}{tail}"
    return kind


def imported_text(event: Mapping[str, Any]) -> str:
    """'imported five as ana.p1: 6 of 10 left, sold 2026-03-01 elsewhere'
    (per balance key when the package holds several)."""
    imported = event["imported"]
    totals = balances.totals(event["terms"])
    parts = []
    for key, left in imported["remaining"].items():
        what = "unlimited" if left == balances.UNLIMITED else f"{left} of {balances.plain(totals.get(key))} left"
        parts.append(what if len(totals) == 1 else f"{key} {what}")
    tail = ""
    if imported.get("expires"):
        tail = f", valid through {imported['expires']}"
    elif imported.get("activated"):
        tail = f", first used {imported['activated']}"
    return f"imported {event['terms']['id']} as {event['client_package']}: {', '.join(parts)}, sold {imported['sold_on']} elsewhere{tail}"


def history_rows(view: Mapping[str, Any], cp_id: str | None = None, tz: Any = None) -> list[dict[str, Any]]:
    """Every event of the view (or touching ``cp_id``), oldest first, with the
    change it made and the balance after it (times of sessions in ``tz``).

    The events are folded again from an empty view. They are folded as
    they are, not copied: folding never changes an event, nor what a view
    keeps of one (the store folds each recorded event into every client it
    names, then writes it in each one's history, on the same rule), and an
    ``undone`` event folds the client again from copies (``undo.refold``).
    The balance of a package right after one event is its balance right
    before the next, so it is computed once for both."""
    from ..domain.ledger import apply_to_client

    working = empty_client_view(view["id"])
    undone: dict[int, Any] = {}
    if view.get("undone") or any(e["type"] == "undone" for e in view["events"]):
        from ..domain.undo import undone_by_seq

        undone = undone_by_seq(view["events"])
    reasons = {e["command"]: e.get("reason") for e in view["events"] if e["type"] == "undone"}
    rows = []
    last: tuple[str | None, dict[str, Any]] = (None, {})  # (package, its balance after the event just folded)
    for event in view["events"]:
        refolds = event["type"] == "undone"  # folds the client again: any package may change
        names = [] if refolds else _packages_named(event)
        # A link ended or changed (``unrelated``, ``related`` without
        # use-packages) ends the shares it names: it touched those packages.
        if cp_id is not None and not refolds and cp_id not in names and cp_id not in event.get("ends_shares", ()):
            apply_to_client(working, event)  # not about this package: folded, no row
            last = (None, {})
            continue
        named = [cp_id] if cp_id else sorted(working["packages"]) if refolds else names
        before_all = {cp: last[1] if cp == last[0] else _remaining(working, cp) for cp in named}
        apply_to_client(working, event)
        last = (None, {})
        if refolds:
            moved = [cp for cp in named if _remaining(working, cp) != before_all[cp]]
            target = cp_id or (moved[0] if moved else None)
            if cp_id is not None and cp_id not in moved:
                continue
        else:
            target = cp_id or _package_of(names, working)
        before = before_all.get(target, {}) if target else {}
        after = _remaining(working, target)
        last = (target, after)
        change = _delta(before, after)
        rows.append({
            "seq": event["seq"],
            "at": event["at"],
            "actor": event["actor"],
            "type": event["type"],
            "command": event.get("command"),
            "booking": _booking_of(event),
            "what": describe_event(event, tz) + (f" (undone by {undone[event['seq']]}: {reasons.get(undone[event['seq']])})"
                                             if event["seq"] in undone else ""),
            "undone_by": undone.get(event["seq"]),
            "why": event.get("reason") or (event["booking"].get("why") if isinstance(event.get("booking"), dict) else "")
                   or (event.get("why") if event["type"] == "moved" else "") or "",
            "package": target or "",
            "change": _fmt(change, signed=True),
            "balance": _fmt(after),
            "_change": change,
            "_after": after,
        })
    return rows


def _booking_of(event: Mapping[str, Any]) -> str | None:
    booking = event.get("booking")
    if isinstance(booking, dict):
        return booking.get("id")
    return booking if isinstance(booking, str) else None


HISTORY_CSV_COLUMNS = ["seq", "at", "actor", "type", "command", "client_package", "booking", "what", "why", "key", "change", "balance"]


def history_csv_rows(rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """History for CSV and TSV, in documented columns, nothing flattened: one
    row per balance key of the package the event is about (its change, 0 when
    it did not move, and the balance after), or one row with no key."""
    out = []
    for row in rows:
        record = history_record(row)
        base = {k: record[k] for k in HISTORY_CSV_COLUMNS if k in record}
        keys = list(record["balance"]) or list(record["change"]) or [None]
        for key in keys:
            out.append(dict(base, key=key, change=record["change"].get(key, 0 if key else None) if key else None,
                            balance=record["balance"].get(key) if key else None))
    return out


def history_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One history row for programs (``history --format json``): the change
    and the balance after it as numbers per balance key (money as strings,
    ``"unlimited"``), and the sentence in ``what``."""
    return {
        "seq": row["seq"], "at": row["at"], "actor": row["actor"], "type": row["type"], "command": row["command"],
        "client_package": row["package"] or None, "booking": row["booking"],
        "change": {key: balances.plain(value) for key, value in row["_change"].items()},
        "balance": {key: balances.plain(value) for key, value in row["_after"].items()},
        "what": row["what"], "why": row["why"] or None, "undone_by": row.get("undone_by"),
    }

