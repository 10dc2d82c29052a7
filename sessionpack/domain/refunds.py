"""Refunding or cancelling a client package (rule 10 of docs/rules.md).

Both close the package: what is left of its balance is voided (recorded, so
remaining shows 0 and the voided amount stays visible), and the sessions
still to come that draw on it — the owner's and those of clients it is
shared with — are unlinked (booked on, at the regular fee) or cancelled
(giving back what they drew). A refund also records money given back.
The command's events (unlinks or cancels, then the refund) are one commit.

Refund amounts, never more than was paid less what was already refunded:

- full: everything paid;
- partial: the amount given;
- pro-rata: paid x remaining / available, where available is what was
  bought plus adjustments (remaining counted after the future bookings
  are given back; never above 1);
- used-at-regular: paid - the regular fee (price and tax stored on the
  booking) of each used or forfeited session - fee, never below 0; a late
  cancel its package's policy charged counts at the share of that fee the
  policy kept (what it kept of the credit / the price on the booking).

What left the package without a booking has no regular fee, so
used-at-regular charges it at its share of the price (paid x units /
available): what was transferred to another client, what an imported
package held that was used or lapsed in the other system
(``before_import``), and what lapsed at the expiry here (``expired``).
Pro-rata counts only what remains, so it never includes them. Full gives
back everything paid, as it does for sessions used here, except what was
transferred: the receiver still holds it, so full gives back the rest.

Each share is the value of what was held before it less the value of what
was held after it (the value of ``u`` units: paid x u / available, rounded
half up), so the shares and what remains add up to exactly what was paid:
with nothing used, full and pro-rata agree to the cent. A package that
holds (or gave away) unlimited sessions has no such share: give the
amount (partial).

A fee (``--fee``) is kept back from full, pro-rata and used-at-regular.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from .text import check_reason
from ..errors import InputError, RuleError
from . import balances
from . import bookings  # module, not names: bookings imports the ledger, which imports this module
from .dating import check_not_before
from .ledger import dispatch, handles
from . import links  # module, not names (see above)
from .money import money_text, quantize, tax_on

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

METHODS = ("full", "partial", "pro-rata", "used-at-regular")
CLOSED = ("cancelled", "refunded")


@dataclass(frozen=True)
class Refund:
    """How much to give back.

    Attributes:
      method: full, partial, pro-rata or used-at-regular.
      amount: the amount for ``partial``, else None.
      fee: kept back from a computed refund (None: no fee).
    """

    method: str
    amount: Decimal | None = None
    fee: Decimal | None = None


def attendees_of(pkg: Mapping[str, Any]) -> list[str]:
    """Every client whose bookings may draw on the package (views to read)."""
    found = {pkg["owner"], *pkg.get("shared_with", []), *(d["attendee"] for d in pkg.get("draws", {}).values())}
    return sorted(found)


def open_bookings(cp_id: str, views: Mapping[str, Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Bookings still "booked" on the package, in every view given, by start."""
    found = [b for view in views.values() for b in view["bookings"].values()
             if b.get("package") == cp_id and b["status"] == "booked"]
    return sorted(found, key=lambda b: (datetime.fromisoformat(b["start"]), b["id"]))


def refunded_so_far(pkg: Mapping[str, Any]) -> Decimal:
    return Decimal(pkg.get("refunded") or 0)


def _regular_fee(booking: Mapping[str, Any], currency: str) -> Decimal:
    price = Decimal(booking["price"])
    return price + tax_on(price, Decimal(booking["tax_rate"]), currency)


def _used(pkg: Mapping[str, Any], views: Mapping[str, Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """(draw, booking) of each used or forfeited session drawn on the package."""
    return [(draw, views[draw["attendee"]]["bookings"][bid]) for bid, draw in sorted(pkg.get("draws", {}).items())
            if draw["state"] in ("used", "forfeited")]


def _charged(booking: Mapping[str, Any]) -> bool:
    """Whether the booking is a late cancel its package's policy charged."""
    return booking.get("outcome") == "charge"


def used_fees(pkg: Mapping[str, Any], views: Mapping[str, Mapping[str, Any]], currency: str) -> list[Decimal]:
    """The regular fee of each used or forfeited session drawn on the package;
    of a charged late cancel, the share of it the policy kept (what it kept
    of the credit over the price on the booking: 45.00 of 90.00 is half)."""
    fees = []
    for draw, booking in _used(pkg, views):
        fee = _regular_fee(booking, currency)
        if _charged(booking):
            price = Decimal(booking["price"])
            fee = quantize(fee * Decimal(draw["amount"]) / price if price > 0 else Decimal(0), currency)
        fees.append(fee)
    return fees


def charged_cancels(pkg: Mapping[str, Any], views: Mapping[str, Mapping[str, Any]]) -> int:
    """How many of the used or forfeited sessions are charged late cancels."""
    return sum(1 for _, booking in _used(pkg, views) if _charged(booking))


def _number(value: Any) -> str:
    return str(balances.plain(value))


def refund_amount(pkg: Mapping[str, Any], refund: Refund, fees_of_used: list[Decimal], currency: str,
                  charged: int = 0) -> tuple[Decimal, str]:
    """(amount to give back, how it was computed) — see the module's rules.
    ``charged``: how many of ``fees_of_used`` are charged late cancels (for the words)."""
    paid = Decimal(pkg["paid"])
    left = paid - refunded_so_far(pkg)
    zero = quantize(Decimal(0), currency)
    if refund.method == "partial":
        assert refund.amount is not None
        if refund.amount > left:
            raise RuleError(f"{pkg['id']} was paid {money_text(paid)} {currency} ({money_text(quantize(refunded_so_far(pkg), currency))} refunded so far); "
                            f"a refund of {money_text(refund.amount)} is more than that")
        return refund.amount, f"the amount given, {money_text(refund.amount)}"
    shares: list[tuple[Decimal, str]] = []
    if refund.method == "full":
        shares = _shares(pkg, paid, currency, ("transferred",))
        gross = paid - sum((share for share, _ in shares), start=zero)
        basis = f"all that was paid, {money_text(paid)}" + "".join(f" - {how}" for _, how in shares)
    elif refund.method == "pro-rata":
        rows = balances.balance(pkg)
        if any(row["total"] == balances.UNLIMITED for row in rows.values()):
            raise RuleError(f"{pkg['id']} holds unlimited sessions, so it has no pro-rata share; give the amount with --amount X")
        available = sum((row["total"] + row["adjusted"] for row in rows.values()), start=0)
        share = min(sum((max(row["remaining"], 0) for row in rows.values()), start=0), available)
        gross = _worth(paid, share, available, currency)
        basis = f"{money_text(paid)} x {_number(share)}/{_number(available)}"
    elif refund.method == "used-at-regular":
        used = sum(fees_of_used, start=zero)
        shares = _shares(pkg, paid, currency, tuple(_SHARES))
        gross = paid - used - sum((share for share, _ in shares), start=zero)
        note = f" ({charged} late cancel{'s' if charged != 1 else ''} at the share charged)" if charged else ""
        basis = (f"{money_text(paid)}" + "".join(f" - {how}" for _, how in shares) + " - "
                 f"{len(fees_of_used)} used or forfeited at the regular fee{note} {money_text(used)}")
    else:
        raise ValueError(refund.method)
    fee = quantize(refund.fee, currency) if refund.fee is not None else zero
    amount = min(max(gross - fee, zero), left)
    if refund.fee is not None:
        basis += f" - fee {money_text(fee)}"
    if refund.method != "full" or refund.fee is not None or amount != gross or shares:
        basis += f" = {money_text(amount)}"
    return amount, basis


# What left a package without a booking, so without a regular fee: the
# balance's column, in the order the shares are worked out, and its words.
_SHARES = {"transferred": "transferred", "before_import": "used before import", "expired": "expired"}
_GONE = {"transferred": "what was transferred", "before_import": "what was used before the import", "expired": "what expired"}


def _worth(paid: Decimal, units: Any, available: Any, currency: str) -> Decimal:
    """The share of ``paid`` that ``units`` of ``available`` are worth:
    paid x units / available, rounded half up (all of it from ``available`` on)."""
    if available <= 0:
        return quantize(Decimal(0), currency)
    if units >= available:
        return quantize(paid, currency)
    return quantize(paid * max(units, 0) / available, currency)


def _shares(pkg: Mapping[str, Any], paid: Decimal, currency: str, columns: tuple[str, ...]) -> list[tuple[Decimal, str]]:
    """(share of ``paid``, how it was computed) of each of ``columns`` (of
    ``_SHARES``) that holds something: paid x units / available, worked out
    as the value of what was held before less the value of what was held
    after, so the shares and what remains add up to exactly ``paid``."""
    cp = pkg["id"]
    if "transferred" in columns and balances.UNLIMITED in (pkg.get("transferred") or {}).values():
        raise RuleError(f"{cp} gave unlimited sessions to another client, so what it has left has no share of the "
                        "price to work out; give the amount with --amount X")
    rows = balances.balance(pkg)
    counted = [row for row in rows.values() if row["total"] != balances.UNLIMITED]
    units = {column: sum((row.get(column, 0) for row in counted), start=0) for column in _SHARES if column in columns}
    units = {column: n for column, n in units.items() if n}
    if not units:
        return []
    if len(counted) < len(rows):
        raise RuleError(f"{cp} holds unlimited sessions besides counted ones, so {_GONE[next(iter(units))]} has no share "
                        "of the price to work out; give the amount with --amount X")
    # (never less than what left: then all that was paid left with it)
    available = max(sum((row["total"] + row["adjusted"] for row in counted), start=0), sum(units.values()))
    shares = []
    held = available
    for column, n in units.items():
        share = _worth(paid, held, available, currency) - _worth(paid, held - n, available, currency)
        held -= n
        shares.append((share, f"{_number(n)}/{_number(available)} {_SHARES[column]} {money_text(share)}"))
    return shares


def _void(pkg: Mapping[str, Any]) -> dict[str, Any]:
    """What is left to void, per key (nothing for unlimited or overdrawn keys)."""
    out: dict[str, Any] = {}
    for key, row in balances.balance(pkg).items():
        left = row["remaining"]
        if left != balances.UNLIMITED and left > 0:
            out[key] = balances.plain(left)
    return out


def plan_close(
    owner_view: Mapping[str, Any],
    views: Mapping[str, Mapping[str, Any]],
    cp_id: str,
    *,
    refund: Refund | None,
    reason: str,
    cancel_bookings: bool,
    now: datetime,
    tz: ZoneInfo,
    currency: str,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The events that refund (``refund`` given) or cancel a client package, and
    a summary of what they do: amount, basis, voided, the bookings touched."""
    pkg = owner_view["packages"][cp_id]
    check_not_before(pkg, now.astimezone(tz).date())  # nothing dated before the package began
    what = "a refund" if refund else "cancelling a client package"
    if not reason:
        raise InputError(f"{what} needs --reason R (it stays in the history)")
    reason = check_reason(reason)
    if pkg.get("status", "active") in CLOSED:
        raise RuleError(f"{cp_id} is already {pkg['status']}; nothing was changed")
    if refund is not None and refund.method == "partial" and refund.fee is not None:
        raise InputError("--fee is kept back from --full, --pro-rata or --used-at-regular; with --amount give what to refund")
    booked = open_bookings(cp_id, views)
    past = [b for b in booked if datetime.fromisoformat(b["start"]) <= now]
    if past:
        from .guards import when_text

        listed = ", ".join(f"{b['id']} ({when_text(b['start'], tz)})" for b in past)
        raise RuleError(f"{cp_id} has past sessions still marked booked: {listed}; mark each attended, no-show or cancelled "
                        f"first (e.g. 'sessionpack attend {past[0]['id']}')")
    working = copy.deepcopy(dict(owner_view))
    events: list[dict[str, Any]] = []
    touched = []
    nothing = money_text(quantize(Decimal(0), currency))
    for booking in booked:
        if cancel_bookings:
            event = bookings.change_status(booking, owner_view, "cancel", now=now, currency=currency, reason=reason, override="return")
            event["late"] = False  # the practice cancels it: the client's late-cancel policy does not apply
        else:
            event = links.plan_unlink(booking, owner_view, currency=currency, reason=reason)
        events.append(event)
        if owner_view["id"] in event["clients"]:
            dispatch(working, copy.deepcopy(event))
        held = pkg["draws"].get(booking["id"])
        touched.append({
            "id": booking["id"],
            "attendee": booking["attendee"],
            "start": booking["start"],
            "date": booking["start"][:10],
            "action": "cancelled" if cancel_bookings else "unlinked",
            "returned": {"key": held["key"], "amount": held["amount"]} if held else None,
            "fee": nothing if cancel_bookings else event["fee"],
            "fee_tax": nothing if cancel_bookings else event["fee_tax"],
        })
    after = working["packages"][cp_id]
    voided = _void(after)
    summary: dict[str, Any] = {"id": cp_id, "status": "refunded" if refund else "cancelled", "voided": voided, "bookings": touched}
    closing: dict[str, Any] = {"clients": [pkg["owner"]], "client_package": cp_id, "voided": voided}
    if refund is None:
        closing["type"] = "package-cancelled"
    else:
        paid = Decimal(pkg["paid"])
        if paid - refunded_so_far(pkg) <= 0:
            raise RuleError(f"nothing was paid for {cp_id} (paid {money_text(paid)}), so there is nothing to refund; "
                            f"close it with 'sessionpack cancel {cp_id} --reason R'")
        amount, basis = refund_amount(after, refund, used_fees(after, views, currency), currency,
                                      charged=charged_cancels(after, views))
        if amount <= 0:
            raise RuleError(f"{refund.method} leaves nothing to refund on {cp_id} ({basis}); "
                            f"close it with 'sessionpack cancel {cp_id} --reason R'")
        closing.update({"type": "refunded", "method": refund.method, "amount": money_text(amount), "basis": basis})
        if refund.fee is not None:
            closing["fee"] = money_text(refund.fee)
        summary.update({"method": refund.method, "refund": money_text(amount), "basis": basis})
    closing["bookings"] = {b["id"]: b["action"] for b in touched}
    closing["reason"] = reason
    events.append(closing)
    return events, summary


# -- folding into views -----------------------------------------------------------


def _record_void(pkg: dict[str, Any], voided: Mapping[str, Any]) -> None:
    if not voided:
        return
    money = balances.is_money(pkg)
    into = pkg.setdefault("voided", {})
    for key, amount in voided.items():
        if money:
            into[key] = money_text(Decimal(into.get(key, "0")) + Decimal(amount))
        else:
            into[key] = int(into.get(key, 0)) + int(amount)


@handles("refunded")
def _refunded(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    pkg = view["packages"][event["client_package"]]
    pkg["status"] = "refunded"
    pkg["refunded"] = money_text(refunded_so_far(pkg) + Decimal(event["amount"]))
    _record_void(pkg, event["voided"])


@handles("package-cancelled")
def _package_cancelled(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    pkg = view["packages"][event["client_package"]]
    pkg["status"] = "cancelled"
    _record_void(pkg, event["voided"])
