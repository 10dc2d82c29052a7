"""Sale references: one external id per sale, unique across the practice.

A reference (``sell --ref``, the ``ref`` column of ``sell --csv``) is the id
a sale has in the world outside: a shop order, a row of the old system, a
payment. Selling again with a reference that is already recorded never
sells twice:

- the same sale (``same_sale``) is *unchanged*: nothing is recorded and the
  command reports the client package it made then;
- a different sale under the same reference is a *conflict*, refused with
  what differs. As with the idempotency keys of payment services, a
  reference is never quietly re-used or "updated".

What is compared is what no later command can change: the client, the
package, and, when the new request gives them, the sale date, the net
price, the invoice number, and for a balance brought in from another
system what was left (``remaining``), used before, the expiry set and the
activation date. Whether it is an imported balance or a sale here is
always compared. The amount paid, the note and the clients it is shared
with are not: payments and shares change after a sale (``pay``,
``share``). A cell or option left out takes its default at the first run
and is not compared at the next one, so a file re-run another day (when
"today", the default date, has moved on) is still unchanged.

The practice-wide index (``views/refs``) maps each reference to the client
packages holding it and what their sales recorded (``recorded``).
"""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SALE_FIELDS = ("client", "package", "date", "price", "invoice")
IMPORT_FIELDS = ("remaining", "used_before", "expires", "activated")


def recorded(pkg: Mapping[str, Any]) -> dict[str, Any]:
    """What a client package's sale recorded that a new request is compared
    with (the index stores it with the reference)."""
    sale = pkg["sale"]
    fields: dict[str, Any] = {"client": pkg["owner"], "package": pkg["package"], "date": sale["date"],
                              "price": sale["price"], "invoice": sale["invoice"]}
    imported = pkg.get("imported")
    if imported:
        fields["imported"] = {key: imported.get(key) for key in IMPORT_FIELDS}
    return fields


def wanted(client: str, package: str, *, date: str | None = None, price: str | None = None,
           invoice: str | None = None, imported: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What a new request says, in the form of ``recorded``: only what it
    gives (``None``: not given, not compared). ``imported`` holds the
    ``remaining`` and ``used_before`` amounts it gives, by balance key, in
    the recorded form, and ``expires`` and ``activated`` (None: not given)."""
    fields: dict[str, Any] = {"client": client, "package": package}
    for key, value in (("date", date), ("price", price), ("invoice", invoice)):
        if value is not None:
            fields[key] = value
    if imported is not None:
        fields["imported"] = {
            "remaining": dict(imported["remaining"]),
            "used_before": dict(imported["used_before"]),
            "expires": imported.get("expires"),
            "activated": imported.get("activated"),
        }
    return fields


def _shown(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
    return "none" if value is None else str(value)


def _same(key: str, recorded: Any, asked: Any) -> bool:
    """A price is compared as an amount: a per-session sale recorded before
    amounts were written with the currency's decimals holds "0" for 0.00."""
    if key == "price" and isinstance(recorded, str) and isinstance(asked, str):
        from decimal import Decimal, InvalidOperation

        try:
            return Decimal(recorded) == Decimal(asked)
        except InvalidOperation:
            return False
    return recorded == asked


def differences(recorded_fields: Mapping[str, Any], request: Mapping[str, Any]) -> list[str]:
    """What the request asks that differs from what was recorded, each as
    'client bruno, not ana' (recorded first); empty: the same sale."""
    found = []
    for key in SALE_FIELDS:
        if key in request and not _same(key, recorded_fields.get(key), request[key]):
            found.append(f"{key} {_shown(recorded_fields.get(key))}, not {_shown(request[key])}")
    was, now = recorded_fields.get("imported"), request.get("imported")
    if (was is None) != (now is None):
        found.append("a sale here, not a balance brought in" if was is None else "a balance brought in, not a sale here")
        return found
    if was is not None and now is not None:
        for part in ("remaining", "used_before"):
            recorded_part = was.get(part) or {}
            for key, value in now[part].items():
                if recorded_part.get(key) != value:
                    found.append(f"{part} {key} {_shown(recorded_part.get(key))}, not {_shown(value)}")
        for key in ("expires", "activated"):
            if now.get(key) is not None and now[key] != was.get(key):
                found.append(f"{key} {_shown(was.get(key))}, not {_shown(now[key])}")
    return found


def same_sale(recorded_fields: Mapping[str, Any], request: Mapping[str, Any]) -> bool:
    return not differences(recorded_fields, request)
