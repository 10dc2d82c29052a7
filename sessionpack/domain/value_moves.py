"""How the value a client package holds moves over time (pure).

``package_value`` reads a client package as its owner's view holds it, with
the events of that view that concern it, and returns every dated movement
of its prepaid value (see ``valuation`` for what a unit is worth):

- ``sold`` on the sale date (``imported`` on the day an imported package
  was recorded, ``adjusted`` on the day a transfer brought it in); an
  imported unlimited part brings what its term still holds that day;
- ``redeemed`` on the date of each attended session, ``forfeited`` on the
  date of each forfeited one (no-show, late cancel, late-cancel charge);
- ``adjusted`` on the day of an adjustment (and of a transfer out, and of
  a reopen: what the expiry it takes back took);
- ``expired`` on the date an expiry takes effect (the day after the last
  valid day, as recorded by the expiry sweep), even when a reopen later
  takes it back (the reopen's ``adjusted`` event says what it took);
- ``refunded`` (the refund, net of tax) and ``refund_difference`` (the value
  held less that refund) on the day of a refund; a cancellation is a refund
  of nothing.

Each movement's value is the change in the value held, computed from units
(``valuation.value_of``), so a package's movements always add up exactly to
what it holds on any day. Unlimited parts are recognised evenly per day
over their term (``lin``), from its first day (an imported package: from
the day it was recorded) to its last valid day or the day before a change
ends it; after a reopen, from the reopen to the new last day.

Dates are ISO texts in the practice zone (an event's ``at`` is recorded in
it, so its first ten characters are the local date).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from . import balances, valuation
from .dating import began_on
from .expiry import parse_expiry_option
from .money import money_text, quantize

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable, Mapping

COLUMNS = ("sold", "imported", "redeemed", "forfeited", "expired", "refunded", "refund_difference", "adjusted")
ADDS = frozenset({"sold", "imported", "adjusted"})
UNLIMITED = valuation.UNLIMITED
PACKAGE_EVENTS = frozenset({"adjusted", "transferred", "refunded", "package-cancelled"})


def sign(column: str) -> int:
    return 1 if column in ADDS else -1


def _day(at: str) -> str:
    return at[:10]


def _prev(day: str) -> str:
    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()


def _units(value: Any, money: bool) -> Any:
    if value == UNLIMITED:
        return UNLIMITED
    return Decimal(value) if money else int(value)


def _split(total: Decimal, weights: dict[str, Decimal], currency: str) -> dict[str, Decimal]:
    """``total`` split across keys in proportion to ``weights`` (to the cent)."""
    keys = list(weights)
    if not keys:
        return {}
    whole = sum(weights.values())
    if whole == 0:
        return {key: (total if i == 0 else quantize(Decimal(0), currency)) for i, key in enumerate(keys)}
    out: dict[str, Decimal] = {}
    given = Decimal(0)
    for key in keys[:-1]:
        share = quantize(total * weights[key] / whole, currency)
        out[key] = share
        given += share
    out[keys[-1]] = quantize(total - given, currency)
    return out


def term_start(pkg: Mapping[str, Any]) -> str | None:
    """The first day of an unlimited package's term: its first use when its
    clock starts then and has not started yet (a transfer of such a package
    carries no date, so the clock starts at the receiver's first use), else
    the day it came to this client (sale, or a transfer in); None until a
    first use."""
    if parse_expiry_option(pkg["terms"].get("expiry", "none")).kind == "from-first-use" and not pkg.get("expires_set"):
        first = balances.first_use(pkg)
        return first.isoformat() if first else None
    if pkg["sale"].get("transferred_from") and pkg["sale"].get("at"):
        return _day(pkg["sale"]["at"])
    return pkg["sale"]["date"]


_NOT_GIVEN: Any = object()


def _ends_unlimited(kind: str, payload: Any) -> bool:
    """Whether a change ends the recognition of the unlimited parts."""
    return kind in ("refunded", "package-cancelled", "expired") or (
        kind == "transferred" and any(v == UNLIMITED for v in payload["amounts"].values()))


def _spans(changes: list[tuple[str, int, int, str, str, Any]]) -> list[list[Any]]:
    """The spans over which the unlimited parts are recognised, each
    ``[first day (None: the term's), index of the change that ends it or
    None, index of the reopen that starts it or None]``: the first runs to
    the first change that ends it; only a reopen after an expiry starts
    another."""
    spans: list[list[Any]] = [[None, None, None]]
    by_expiry = False
    for index, (day, _, _, kind, _, payload) in enumerate(changes):
        if spans[-1][1] is None:
            if _ends_unlimited(kind, payload):
                spans[-1][1] = index
                by_expiry = kind == "expired"
        elif by_expiry and kind == "reopened":
            spans.append([day, None, index])
    return spans


def package_value(pkg: Mapping[str, Any], events: Iterable[Mapping[str, Any]], last_day: Any = _NOT_GIVEN) -> dict[str, Any]:
    """The dated value movements of one client package (``last_day``:
    ``balances.expiry(pkg)`` when the caller has it already).

    ``events``: the owner's view events (any; those about this package are
    used). Returns ``{"id", "owner", "package", "sold_on", "method",
    "parts", "moves": [[date, column, key, value, units, ref]...],
    "lin": [[key, first day, last day, value, last day recognised, first
    day recognised]...], "at_sale": bool}`` with moves in date order;
    ``ref`` is the booking id of a session, else None. A ``lin`` entry's
    first and last day are its term's; it recognises only its own days.
    """
    cp = pkg["id"]
    currency = pkg["terms"]["currency"]
    val = valuation.of_package(pkg)
    parts = val["parts"]
    money = balances.is_money(pkg)
    zero = quantize(Decimal(0), currency)
    sale = pkg["sale"]
    start_day = began_on(pkg)  # (the one rule of when a package began: ``dating``)
    start_col = "adjusted" if sale.get("transferred_from") else "imported" if pkg.get("imported") else "sold"
    imported_left = (pkg.get("imported") or {}).get("remaining") or {}
    units: dict[str, Any] = {}
    moves: list[list[Any]] = []
    lin: list[list[Any]] = []
    at_sale = False
    # Parts, and the parts named by an event, in the order of their keys: a
    # view holds them in the order they were written (a catalog file's at a
    # sale, the journal's sorted keys when folded again), and the lines must
    # be the same bytes either way.
    counted = [key for key in sorted(parts) if parts[key][1] != UNLIMITED]
    unlimited = [key for key in sorted(parts) if parts[key][1] == UNLIMITED]
    for key in counted:
        bought = _units(parts[key][1], money)
        units[key] = _units(imported_left[key], money) if key in imported_left and imported_left[key] != UNLIMITED else bought
        moves.append([start_day, start_col, key, valuation.value_of(parts[key], units[key], currency), units[key], None])
    # Each change: (day, order within the day, seq, kind, booking id, what).
    # Within a day: adjustments, transfers and reopens in the order they
    # were recorded (a transfer is valued at this point: transfer_valuation),
    # then sessions, then an expiry, then a refund or cancellation. Sessions
    # of one day come in the order of their booking ids (as text, as the
    # statement lists them): the draws of a view folded from the journal are
    # in booking order, those of a view read back from its file in the order
    # of their ids, and the lines must be the same bytes.
    changes: list[tuple[str, int, int, str, str, Any]] = []
    for bid, draw in pkg.get("draws", {}).items():
        if draw["state"] in ("used", "forfeited"):
            changes.append((draw["date"], 2, 0, "draw", bid, (bid, draw)))
    for event in events:
        kind = event.get("type")
        if kind not in PACKAGE_EVENTS or event.get("client_package") != cp:
            continue
        if kind == "transferred" and event["clients"][0] != pkg["owner"]:
            continue
        if kind == "adjusted" and event.get("reopens"):
            # A reopen takes a recorded expiry back by a new event: the expiry
            # stays where it was (its period is closed; just before the
            # reopen when both fall on one day), and what it took comes back
            # on the day of the reopen.
            seq, expired_on, day = event.get("seq", 0), event["reopens"]["expired_on"], _day(event["at"])
            changes.append((expired_on, 3 if expired_on < day else 1, seq, "expired", "", event["reopens"].get("restored") or {}))
            changes.append((day, 1, seq, "reopened", "", event))
            continue
        order = 4 if kind in ("refunded", "package-cancelled") else 1
        changes.append((_day(event["at"]), order, event.get("seq", 0), kind, "", event))
    if pkg.get("expired_at"):
        changes.append((pkg["expired_at"], 3, 0, "expired", "", pkg.get("lapsed") or {}))
    changes.sort(key=lambda c: c[:5])

    # The unlimited parts are recognised over spans of days: from the first
    # day of the term (an imported package: from the day it was recorded)
    # to the day before the first change that ends it (refund, cancellation,
    # expiry, a transfer of the unlimited part); a reopen after an expiry
    # starts a new span on its day. ``ends``: change index -> value of each
    # part when its span ends there; ``reopens``: change index -> value each
    # part holds again (what the term, as it is now, still holds that day).
    ends: dict[int, dict[str, Decimal]] = {}
    reopens: dict[int, dict[str, Decimal]] = {}
    recognised_at_sale: list[list[Any]] = []
    if unlimited:
        spans = _spans(changes)
        last = balances.expiry(pkg) if last_day is _NOT_GIVEN else last_day
        last_text = last.isoformat() if last is not None else None
        first = term_start(pkg) if val.get("spread") == "term" else None
        if first is not None and last_text is not None:
            spans[0][0] = max(first, start_day) if start_col == "imported" else first
        for key in unlimited:
            value = Decimal(parts[key][0])
            if val.get("spread") != "term":
                moves.append([start_day, start_col, key, value, UNLIMITED, None])
                recognised_at_sale.append([start_day, "redeemed", key, value, UNLIMITED, None])
                at_sale = True
                if spans[0][1] is not None:
                    ends[spans[0][1]] = dict(ends.get(spans[0][1], {}), **{key: zero})
                continue
            if first is None or last_text is None:  # its term has not started: it holds its value until it ends
                moves.append([start_day, start_col, key, value, UNLIMITED, None])
                if spans[0][1] is not None:
                    ends.setdefault(spans[0][1], {})[key] = value
                continue
            for number, (begin, end, _) in enumerate(spans):
                closing = changes[end][0] if end is not None else None
                # a span an expiry ended and a reopen took back: its term was through the day before that expiry
                term_last = _prev(closing) if closing is not None and number < len(spans) - 1 else last_text
                held = held_unlimited(value, first, term_last, _prev(begin))
                if number == 0:
                    moves.append([start_day, start_col, key, held, UNLIMITED, None])
                else:
                    reopens.setdefault(spans[number][2], {})[key] = held
                stop = term_last if closing is None else min(term_last, _prev(closing))
                if stop >= begin:
                    lin.append([key, first, term_last, value, stop, begin])
                    held = held_unlimited(value, first, term_last, stop)
                if end is not None:
                    ends.setdefault(end, {})[key] = held
        moves.extend(recognised_at_sale)

    left: dict[str, Decimal] = {}  # unlimited parts whose span has ended, not yet taken out
    for index, (day, _, _, kind, _, payload) in enumerate(changes):
        left.update(ends.get(index, {}))
        if kind == "draw":
            bid, draw = payload
            key = draw["key"]
            if key not in units:
                continue
            before = valuation.value_of(parts[key], units[key], currency)
            units[key] -= _units(draw["amount"], money)
            after = valuation.value_of(parts[key], units[key], currency)
            column = "redeemed" if draw["state"] == "used" else "forfeited"
            moves.append([day, column, key, before - after, _units(draw["amount"], money), bid])
            continue
        if kind in ("adjusted", "reopened"):
            deltas = sorted(payload.get("changes", {}).items())
            if kind == "reopened":
                deltas = sorted((payload["reopens"].get("restored") or {}).items()) + deltas
                for key in sorted(reopens.get(index, {})):
                    moves.append([day, "adjusted", key, reopens[index][key], UNLIMITED, None])
            for key, delta in deltas:
                if key not in units or delta == UNLIMITED:
                    continue
                before = valuation.value_of(parts[key], units[key], currency)
                units[key] += _units(delta, money)
                after = valuation.value_of(parts[key], units[key], currency)
                moves.append([day, "adjusted", key, after - before, _units(delta, money), None])
            continue
        if kind == "transferred":
            for key, amount in sorted(payload["amounts"].items()):
                if key in units and amount != UNLIMITED:
                    before = valuation.value_of(parts[key], units[key], currency)
                    units[key] -= _units(amount, money)
                    after = valuation.value_of(parts[key], units[key], currency)
                    moves.append([day, "adjusted", key, after - before, -_units(amount, money), None])
                elif key in left and amount == UNLIMITED:
                    moves.append([day, "adjusted", key, -left.pop(key), UNLIMITED, None])
            continue
        if kind == "expired":
            count = len(moves)
            for key, amount in sorted(payload.items()):
                if key in units and amount != UNLIMITED:
                    before = valuation.value_of(parts[key], units[key], currency)
                    units[key] -= _units(amount, money)
                    after = valuation.value_of(parts[key], units[key], currency)
                    moves.append([day, "expired", key, before - after, _units(amount, money), None])
            for key in sorted(left):
                moves.append([day, "expired", key, left.pop(key), UNLIMITED, None])
            if len(moves) == count and parts:  # it forfeited nothing (all booked): still an expiry recorded that day
                moves.append([day, "expired", sorted(parts)[0], zero, 0, None])
            continue
        # refunded or package-cancelled: what is left is voided
        drops: dict[str, Decimal] = {}
        voided: dict[str, Any] = {}
        for key, amount in sorted((payload.get("voided") or {}).items()):
            if key in units and amount != UNLIMITED:
                before = valuation.value_of(parts[key], units[key], currency)
                voided[key] = _units(amount, money)
                units[key] -= voided[key]
                drops[key] = before - valuation.value_of(parts[key], units[key], currency)
        for key in sorted(left):
            drops[key] = drops.get(key, zero) + left.pop(key)
        for key, value, amount in _close_overdrawn(parts, units, currency):
            drops[key] = drops.get(key, zero) + value
            voided[key] = voided.get(key, 0) + amount
        refund = zero
        if kind == "refunded":
            total = Decimal(sale["total"])
            refund = quantize(Decimal(payload["amount"]) * Decimal(sale["price"]) / total, currency) if total else zero
        keys = sorted(drops) or sorted(parts)[:1]
        weights = {key: drops.get(key, zero) for key in keys}
        shares = _split(refund, weights, currency)
        for key in keys:
            drop = drops.get(key, zero)
            if kind == "refunded":
                moves.append([day, "refunded", key, shares[key], None, None])
            moves.append([day, "refund_difference", key, drop - shares.get(key, zero), voided.get(key), None])
    moves.sort(key=lambda m: m[0])
    return {
        "id": cp,
        "owner": pkg["owner"],
        "package": pkg["package"],
        "sold_on": (pkg.get("imported") or {}).get("sold_on") or sale["date"],
        "method": val["method"],
        "parts": parts,
        "moves": [[d, c, k, money_text(v), (balances.plain(u) if u is not None else None), r] for d, c, k, v, u, r in moves],
        "lin": [[k, s, e, money_text(v), stop, begin] for k, s, e, v, stop, begin in lin],
        "at_sale": at_sale,
        "groups": {key: group_of(pkg["terms"], key) for key in parts},
        "expires": (lambda d: d.isoformat() if d else None)(balances.expiry(pkg) if last_day is _NOT_GIVEN else last_day),
    }


def _close_overdrawn(parts: Mapping[str, Any], units: dict[str, Any], currency: str) -> list[tuple[str, Decimal, Any]]:
    """Close what a package forced below zero holds at a refund or a
    cancellation: each overdrawn key goes back to 0 units, and its (negative)
    value and units are returned, so a closed package holds nothing. (An
    expiry leaves an overdrawn key alone: it lapses nothing, and the package
    shows what its client took beyond what was paid until it is closed.)"""
    closed = []
    for key in sorted(units):
        if units[key] < 0:
            value = valuation.value_of(parts[key], units[key], currency)
            closed.append((key, value, units[key]))
            units[key] = units[key] - units[key]
    return closed


def group_of(terms: Mapping[str, Any], key: str) -> str:
    """The service (or services) a part's value belongs to: the service of a
    fixed part; for a pool, the services it may be spent on."""
    contents = terms["contents"]
    if "sessions" in contents:
        return key
    services = contents.get("services", "all")
    return "all services" if services == "all" else "+".join(services)


def held_unlimited(value: Decimal, first: str, last: str, day: str) -> Decimal:
    """What an unlimited part still holds at the end of ``day``."""
    currency_step = value.as_tuple().exponent
    days = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
    if day < first:
        return value
    left = (date.fromisoformat(last) - date.fromisoformat(day)).days
    held = value * max(0, min(days, left)) / days if days > 0 else Decimal(0)
    return held.quantize(Decimal(1).scaleb(currency_step), rounding="ROUND_HALF_UP")


def recognised(entry: list[Any], first_day: str, last_day: str) -> Decimal:
    """What an unlimited part (a ``lin`` entry) recognises on the days from
    ``first_day`` to ``last_day`` (both included)."""
    _, start, end, value_text, stop, begin = entry
    value = Decimal(value_text)
    lo = max(first_day, begin)
    hi = min(last_day, stop)
    if hi < lo:
        return value * 0
    return held_unlimited(value, start, end, _prev(lo)) - held_unlimited(value, start, end, hi)


def held_on(summary: Mapping[str, Any], day: str) -> Decimal:
    """The value a package (``package_value``) holds at the end of ``day``."""
    total = Decimal(0)
    for move in summary["moves"]:
        if move[0] > day:
            break
        total += sign(move[1]) * Decimal(move[3])
    for entry in summary["lin"]:
        if day >= entry[5]:
            total -= recognised(entry, entry[5], day)
    return total


def held_by_key(summary: Mapping[str, Any], day: str) -> dict[str, Decimal]:
    """The value held per part at the end of ``day``."""
    held: dict[str, Decimal] = {}
    for move in summary["moves"]:
        if move[0] > day:
            break
        held[move[2]] = held.get(move[2], Decimal(0)) + sign(move[1]) * Decimal(move[3])
    for entry in summary["lin"]:
        if day >= entry[5]:
            held[entry[0]] = held.get(entry[0], Decimal(0)) - recognised(entry, entry[5], day)
    return held


def units_on(summary: Mapping[str, Any], day: str) -> dict[str, Any]:
    """Units left per counted key at the end of ``day`` (unlimited keys: "unlimited")."""
    left: dict[str, Any] = {}
    for move in summary["moves"]:
        if move[0] > day:
            break
        key, column, units = move[2], move[1], move[4]
        if units is None or units == UNLIMITED:
            left.setdefault(key, UNLIMITED if units == UNLIMITED else left.get(key, 0))
            continue
        amount = Decimal(str(units))
        if column in ("sold", "imported"):
            left[key] = left.get(key, 0) + amount
        elif column == "adjusted":
            left[key] = left.get(key, 0) + amount
        elif column in ("redeemed", "forfeited", "expired", "refund_difference"):
            left[key] = left.get(key, 0) - amount
    return left


_UNIT_SIGNS = {"sold": 1, "imported": 1, "adjusted": 1, "redeemed": -1, "forfeited": -1, "expired": -1, "refund_difference": -1}


def state_on(summary: Mapping[str, Any], day: str) -> tuple[dict[str, Decimal], dict[str, Any], bool]:
    """In one pass over the movements: ``held_by_key`` and ``units_on`` of
    ``day``, and whether an expiry was recorded by then."""
    held: dict[str, Decimal] = {}
    left: dict[str, Any] = {}
    expired = False
    zero = Decimal(0)
    signs = _UNIT_SIGNS
    for when, column, key, value, units, *_ in summary["moves"]:
        if when > day:
            break
        if column in ADDS:
            held[key] = held.get(key, zero) + Decimal(value)
        else:
            held[key] = held.get(key, zero) - Decimal(value)
            if column == "expired":
                expired = True
        if units is None or units == UNLIMITED:
            left.setdefault(key, UNLIMITED if units == UNLIMITED else left.get(key, 0))
            continue
        step = signs.get(column)
        if step is not None:
            amount = Decimal(units) if units.__class__ is str else units
            left[key] = left.get(key, 0) + amount if step > 0 else left.get(key, 0) - amount
    for entry in summary["lin"]:
        if day >= entry[5]:
            held[entry[0]] = held.get(entry[0], zero) - recognised(entry, entry[5], day)
    return held, left, expired


def transfer_valuation(pkg: Mapping[str, Any], moved: Mapping[str, Any], day: str) -> dict[str, Any]:
    """The valuation of what a transfer on ``day`` moves out of ``pkg``: each
    part keeps the value it had with the giver (the value held before less
    the value held after), so a transfer moves value without making or
    losing any."""
    currency = pkg["terms"]["currency"]
    val = valuation.of_package(pkg)
    money = balances.is_money(pkg)
    rows = balances.balance(pkg)
    parts: dict[str, list[Any]] = {}
    total = quantize(Decimal(0), currency)
    for key, amount in moved.items():
        part = val["parts"].get(key)
        if part is None:
            continue
        if part[1] == UNLIMITED or amount == UNLIMITED:
            first = term_start(pkg)
            last = balances.expiry(pkg)
            value = Decimal(part[0])
            if val.get("spread") != "term":
                value = quantize(Decimal(0), currency)
            elif first is not None and last is not None and _prev(day) >= first:
                value = held_unlimited(value, first, last.isoformat(), _prev(day))
            parts[key] = [money_text(value), UNLIMITED]
        else:
            # What the part holds where package_value places the transfer:
            # before the sessions of its day, so a session of that day (or a
            # later one) already marked still counts as held.
            row = rows[key]
            held = row["remaining"] + row["scheduled"]
            for draw in pkg.get("draws", {}).values():
                if draw["key"] == key and draw["state"] in ("used", "forfeited") and draw["date"] >= day:
                    held += _units(draw["amount"], money)
            value = valuation.value_of(part, held, currency) - valuation.value_of(part, held - _units(amount, money), currency)
            parts[key] = [money_text(value), balances.plain(_units(amount, money))]
        total += Decimal(parts[key][0])
    record: dict[str, Any] = {"method": val["method"], "price": money_text(total), "parts": parts, "transferred": True}
    if any(p[1] == UNLIMITED for p in parts.values()):
        record["spread"] = "term"
    return record
