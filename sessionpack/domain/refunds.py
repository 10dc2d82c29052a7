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
  booking) of each used or forfeited session - fee, never below 0.

What an imported package held that was used or lapsed in the other system
(``before_import``) has no booking, so no regular fee: used-at-regular
charges it at its share of the price (paid x before import / available),
as it does what was transferred. Full gives back everything paid, as it
does for sessions used here.

What was transferred to another client left with its share of the price
(paid x transferred / available): full and used-at-regular give back the
rest only, since the receiver still holds what was transferred; pro-rata
counts only what remains, so it never includes it. A package that gave
away unlimited sessions has no such share: give the amount (partial).

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


def used_fees(pkg: Mapping[str, Any], views: Mapping[str, Mapping[str, Any]], currency: str) -> list[Decimal]:
    """The regular fee of each used or forfeited session drawn on the package."""
    fees = []
    for bid, draw in sorted(pkg.get("draws", {}).items()):
        if draw["state"] in ("used", "forfeited"):
            fees.append(_regular_fee(views[draw["attendee"]]["bookings"][bid], currency))
    return fees


def _number(value: Any) -> str:
    return str(balances.plain(value))


def refund_amount(pkg: Mapping[str, Any], refund: Refund, fees_of_used: list[Decimal], currency: str) -> tuple[Decimal, str]:
    """(amount to give back, how it was computed) — see the module's rules."""
    paid = Decimal(pkg["paid"])
    left = paid - refunded_so_far(pkg)
    zero = quantize(Decimal(0), currency)
    if refund.method == "partial":
        assert refund.amount is not None
        if refund.amount > left:
            raise RuleError(f"{pkg['id']} was paid {money_text(paid)} {currency} ({money_text(quantize(refunded_so_far(pkg), currency))} refunded so far); "
                            f"a refund of {money_text(refund.amount)} is more than that")
        return refund.amount, f"the amount given, {money_text(refund.amount)}"
    moved = _transferred_share(pkg, paid, currency) if refund.method in ("full", "used-at-regular") else None
    if refund.method == "full" and moved is None:
        gross, basis = paid, f"all that was paid, {money_text(paid)}"
    elif refund.method == "full":
        gross, basis = paid - moved[0], f"all that was paid, {money_text(paid)} - {moved[1]}"
    elif refund.method == "pro-rata":
        rows = balances.balance(pkg)
        if any(row["total"] == balances.UNLIMITED for row in rows.values()):
            raise RuleError(f"{pkg['id']} holds unlimited sessions, so it has no pro-rata share; give the amount with --amount X")
        available = sum((row["total"] + row["adjusted"] for row in rows.values()), start=0)
        share = min(sum((max(row["remaining"], 0) for row in rows.values()), start=0), available)
        gross = quantize(paid * share / available, currency) if available > 0 else zero
        basis = f"{money_text(paid)} x {_number(share)}/{_number(available)}"
    elif refund.method == "used-at-regular":
        used = sum(fees_of_used, start=zero)
        before = _before_import_share(pkg, paid, currency)
        gross = paid - used - (moved[0] if moved else zero) - (before[0] if before else zero)
        basis = (f"{money_text(paid)}{f' - {moved[1]}' if moved else ''}{f' - {before[1]}' if before else ''} - "
                 f"{len(fees_of_used)} used or forfeited at the regular fee {money_text(used)}")
    else:
        raise ValueError(refund.method)
    fee = quantize(refund.fee, currency) if refund.fee is not None else zero
    amount = min(max(gross - fee, zero), left)
    if refund.fee is not None:
        basis += f" - fee {money_text(fee)}"
    if refund.method != "full" or refund.fee is not None or amount != gross or moved is not None:
        basis += f" = {money_text(amount)}"
    return amount, basis


def _transferred_share(pkg: Mapping[str, Any], paid: Decimal, currency: str) -> tuple[Decimal, str] | None:
    """(the share of ``paid`` that left with what was transferred to another
    client, how it was computed), or None when nothing was transferred."""
    moved = {key: amount for key, amount in (pkg.get("transferred") or {}).items() if amount}
    if not moved:
        return None
    if balances.UNLIMITED in moved.values():
        raise RuleError(f"{pkg['id']} gave unlimited sessions to another client, so what it has left has no share of the "
                        "price to work out; give the amount with --amount X")
    rows = balances.balance(pkg)
    available = sum((row["total"] + row["adjusted"] for row in rows.values() if row["total"] != balances.UNLIMITED), start=0)
    units = sum((row["transferred"] for row in rows.values() if row["total"] != balances.UNLIMITED), start=0)
    share = min(quantize(paid * units / available, currency), paid) if available > 0 else paid
    return share, f"{_number(units)}/{_number(available)} transferred {money_text(share)}"


def _before_import_share(pkg: Mapping[str, Any], paid: Decimal, currency: str) -> tuple[Decimal, str] | None:
    """(the share of ``paid`` of what an imported package held that was used
    or lapsed in the other system, how it was computed), or None when
    nothing was (or the package was not imported).

    Those sessions were used before the import, but no booking here holds
    their regular fee (nor which service they were, for a pool), so they
    are charged at their share of the price, as transferred ones are:
    paid x before import / available."""
    rows = balances.balance(pkg)
    units = sum((row.get("before_import", 0) for row in rows.values() if row["total"] != balances.UNLIMITED), start=0)
    if not units:
        return None
    available = sum((row["total"] + row["adjusted"] for row in rows.values() if row["total"] != balances.UNLIMITED), start=0)
    share = min(quantize(paid * units / available, currency), paid) if available > 0 else paid
    return share, f"{_number(units)}/{_number(available)} used before import {money_text(share)}"


def _void(pkg: Mapping[str, Any]) -> dict[str, Any]:
    """What is left to void, per key (nothing for unlimited or overdrawn keys)."""
    out: dict[str, Any] = {}
    for key, row in balances.balance(pkg).items():
        left = row["remaining"]
        if left != balances.UNLIMITED and left > 0:
            out[key] = balances.plain(left)
    return out


def _when(booking: Mapping[str, Any]) -> str:
    return booking["start"][:16].replace("T", " ")


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
        listed = ", ".join(f"{b['id']} ({_when(b)})" for b in past)
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
        amount, basis = refund_amount(after, refund, used_fees(after, views, currency), currency)
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
