"""Selling and assigning packages; recording payments (rule 1 of docs/rules.md).

A sale copies the package's terms into the event, so later edits of the
package never change what a client bought.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from .text import check_line
from ..errors import InputError, RuleError
from .ids import client_package_id
from .ledger import handles
from .money import money_text, tax_on
from .valuation import at_sale as valuation_at_sale


def payment_state(pkg: Mapping[str, Any]) -> str:
    """paid, partly paid, unpaid, per session (nothing due at sale), or, once
    money was given back, refunded (all of it) or partly refunded."""
    sale = pkg["sale"]
    total = Decimal(sale["total"])
    paid = Decimal(pkg.get("paid", "0"))
    refunded = Decimal(pkg.get("refunded") or "0")
    if refunded > 0:
        return "refunded" if refunded >= paid else "partly refunded"
    if pkg["terms"]["payment"]["mode"] == "per-session" and total == 0:
        return "per session"
    if paid >= total:
        return "paid"
    return "partly paid" if paid > 0 else "unpaid"


def sell(
    owner_view: Mapping[str, Any],
    package: Any,
    *,
    currency: str,
    sale_date: date,
    invoice: str,
    price: Decimal | None = None,
    paid: Decimal | None = None,
    reference: str | None = None,
    assign: bool = False,
    share_with: tuple[str, ...] = (),
    regular_prices: Mapping[str, Decimal] | None = None,
) -> dict[str, Any]:
    """The ``sold`` event for selling (or assigning) ``package`` to a client.

    ``share_with`` lists other clients who may book sessions on it (each
    linked to the owner with the use-packages permission); their bookings
    draw on this client package and record attendee and owner.
    """
    if owner_view["id"] in share_with:
        raise InputError(f"{owner_view['id']} owns the package; --share names other clients")
    if len(set(share_with)) != len(share_with):
        raise InputError("--share names the same client twice")
    from .sharing import check_may_share

    for other in sorted(share_with):
        check_may_share(owner_view, other)  # a linked client with use-packages (rule 12)
    if package.deleted:
        raise RuleError(f"package {package.id!r} was deleted; clone it to sell something like it")
    if package.status != "active":
        raise RuleError(f"package {package.id!r} is inactive; activate it with 'sessionpack package edit {package.id} --active' to sell it")
    if package.visibility == "not-for-sale" and not assign:
        raise RuleError(f"package {package.id!r} is not for sale; assign it with 'sessionpack assign {owner_view['id']} {package.id}'")
    terms = package.terms()
    per_session = terms["payment"]["mode"] == "per-session"
    if per_session:
        if price is not None and price != 0:
            raise InputError(f"package {package.id!r} is paid per session: it has no price at sale (leave out --price)")
        net = Decimal(0)
        tax = Decimal(0)
    else:
        net = Decimal(terms["payment"]["price"]) if price is None else price
        tax = tax_on(net, Decimal(terms["payment"].get("tax", "0")), currency)
    total = net + tax
    amount_paid = total if paid is None else paid
    if amount_paid > total:
        raise InputError(f"paid {money_text(amount_paid)} is more than the sale's total {money_text(total)} {currency}")
    number = owner_view["counters"]["p"] + 1
    return {
        "type": "sold",
        "clients": [owner_view["id"], *sorted(share_with)],
        "shared_with": sorted(share_with),
        "client_package": client_package_id(owner_view["id"], number),
        "terms": terms,
        "sale": {
            "date": sale_date.isoformat(),
            "price": money_text(net),
            "tax": money_text(tax),
            "total": money_text(total),
            "invoice": invoice,
            "reference": reference,
            "assigned": assign,
            "valuation": valuation_at_sale(terms, net, currency, regular_prices),  # fixed at the sale (see valuation)
        },
        "paid": money_text(amount_paid),
    }


def pay(pkg: Mapping[str, Any], amount: Decimal, currency: str, method: str = "") -> dict[str, Any]:
    """A ``paid`` event for a later payment on a client package."""
    if amount <= 0:
        raise InputError("the amount paid must be more than 0")
    if pkg.get("status") == "refunded":
        raise RuleError(f"{pkg['id']} is refunded; no payment can be recorded on it")
    due = Decimal(pkg["sale"]["total"]) - Decimal(pkg.get("paid", "0"))
    if due <= 0:
        raise RuleError(f"{pkg['id']} is already paid in full")
    if amount > due:
        raise RuleError(f"{pkg['id']} has {money_text(due)} {currency} left to pay; {money_text(amount)} is more than that")
    method = check_line(method, "--method", 100, empty=True)
    return {"type": "paid", "clients": [pkg["owner"]], "client_package": pkg["id"], "amount": money_text(amount), "method": method}


def find_reference(view: Mapping[str, Any], reference: str) -> str | None:
    for cp_id, pkg in view["packages"].items():
        if pkg["sale"].get("reference") == reference:
            return cp_id
    return None


# -- folding into views ---------------------------------------------------------


def new_package_record(cp_id: str, owner: str, event: Mapping[str, Any], at: Any, actor: Any,
                       shared_with: list[str]) -> dict[str, Any]:
    """A new client package as its owner's view holds it, from a ``sold`` or
    ``transferred`` event (``terms``, ``sale``, ``paid``, ``code_hash``): the
    one place the shape of a client package is defined. ``at`` and ``actor``
    stamp the sale."""
    sale = dict(event["sale"])
    sale["at"] = at
    sale["actor"] = actor
    return {
        "id": cp_id,
        "owner": owner,
        "package": event["terms"]["id"],
        "terms": event["terms"],
        "sale": sale,
        "paid": event["paid"],
        "status": "active",
        "draws": {},
        "adjustments": {},
        "pauses": [],
        "shared_with": shared_with,
        "code_hash": event.get("code_hash"),
    }


@handles("sold")
def _sold(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    cp_id = event["client_package"]
    owner = event["clients"][0]
    if me != owner:  # a client the package is shared with
        view.setdefault("shared_in", {})[cp_id] = owner
        return
    view["packages"][cp_id] = new_package_record(cp_id, me, event, event["at"], event["actor"],
                                                 list(event.get("shared_with", [])))
    view["counters"]["p"] = max(view["counters"]["p"], int(cp_id.rsplit(".p", 1)[1]))


@handles("paid")
def _paid(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    pkg = view["packages"][event["client_package"]]
    pkg["paid"] = money_text(Decimal(pkg["paid"]) + Decimal(event["amount"]))
