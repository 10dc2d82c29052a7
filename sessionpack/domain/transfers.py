"""Moving a client package's balance to another client (rule 11 of docs/rules.md).

A transfer moves part -- or, with ``all``, everything that remains -- of a
client package to another client, as a new client package of theirs with
the same terms except the amounts, the same sale date, invoice and expiry,
nothing paid by them, and a fresh access code. Booked sessions stay with
the source. One ``transferred`` event is folded into both clients' views,
so both histories show where the balance came from and where it went.
"""

from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from .text import check_reason
from ..errors import InputError, RuleError
from . import adjustments, balances  # adjustments: used at call time (the modules import each other through ledger)
from .dating import check_not_before
from .ids import client_package_id
from .ledger import handles
from .money import money_text, quantize
from .packages import package_from_terms
from .sales import new_package_record
from .value_moves import transfer_valuation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping


def _scheduled_note(row: Mapping[str, Any], key: str, currency: str) -> str:
    if not row["scheduled"]:
        return ""
    return f" ({adjustments.quantity(key, row['scheduled'], currency)} booked stay with it)"


def amounts_to_move(pkg: Mapping[str, Any], kind: str | None, amount: Any, service: str | None) -> dict[str, Any]:
    """{key: amount} to move: one key (``kind`` and ``amount``) or, when
    ``kind`` is None, everything that remains (unlimited as "unlimited")."""
    cp = pkg["id"]
    currency = pkg["terms"]["currency"]
    rows = balances.balance(pkg)
    if kind is None:
        moved = {}
        for key, row in rows.items():
            if row["remaining"] == balances.UNLIMITED:
                moved[key] = balances.UNLIMITED
            elif row["remaining"] > 0:
                moved[key] = row["remaining"]
        if not moved:
            booked = sum(1 for _ in balances.scheduled_draws(pkg))
            note = f" ({booked} booked session{'s' if booked != 1 else ''} stay with it)" if booked else ""
            raise RuleError(f"{cp} has nothing left to transfer{note}")
        return moved
    key = adjustments.pick_key(pkg, kind, service, verb="transfer")
    row = rows[key]
    if amount > row["remaining"]:
        left = row["remaining"]
        if left <= 0:
            raise RuleError(f"{cp} has no {kind} left to transfer{_scheduled_note(row, key, currency)}")
        raise RuleError(f"{cp} has {adjustments.quantity(key, left, currency)} left to transfer{_scheduled_note(row, key, currency)}; "
                        f"ask for at most {balances.plain(left)}")
    return {key: amount}


def receiver_terms(terms: Mapping[str, Any], moved: Mapping[str, Any]) -> dict[str, Any]:
    """The source's terms with the contents holding just what moved."""
    new = copy.deepcopy(dict(terms))
    contents = new["contents"]
    if "sessions" in contents:
        contents["sessions"] = {sid: moved[sid] for sid in contents["sessions"] if sid in moved}
        fees = new["payment"].get("fees")
        if fees:
            new["payment"]["fees"] = {sid: fee for sid, fee in fees.items() if sid in moved}
    elif contents["pool"] != balances.UNLIMITED:
        value = moved[contents["pool"]]
        contents["amount"] = money_text(value) if contents["pool"] == "money" else value
    package_from_terms(new)  # the receiver's terms must read back like any sold package's
    return new


def plan_transfer(
    pkg: Mapping[str, Any],
    receiver_view: Mapping[str, Any],
    *,
    kind: str | None,
    amount: Any = None,
    service: str | None = None,
    reason: str,
    now: datetime,
    tz: ZoneInfo,
    code_hash: str,
) -> dict[str, Any]:
    """The ``transferred`` event; ``kind`` None moves all that remains (--all)."""
    cp = pkg["id"]
    receiver = receiver_view["id"]
    if not reason or not reason.strip():
        raise InputError("a transfer needs --reason: say why (it stays in both histories)")
    reason = check_reason(reason)
    if receiver == pkg["owner"]:
        raise InputError(f"{receiver} already owns {cp}; name another client to transfer it to")
    if kind is not None and amount <= 0:
        raise InputError(f"--{kind} must be more than 0")
    adjustments.check_changeable(pkg, "transferred")
    check_not_before(pkg, now.astimezone(tz).date())  # nothing dated before the package began
    state = balances.status(pkg, now, tz)
    if state == "expired":
        raise RuleError(f"{cp} has expired; to transfer it, first extend it with "
                        f"'sessionpack adjust {cp} --expires DATE --reason ...'")
    moved = amounts_to_move(pkg, kind, amount, service)
    terms = receiver_terms(pkg["terms"], moved)
    last_day = balances.expiry(pkg)
    currency = pkg["terms"]["currency"]
    zero = money_text(quantize(Decimal(0), currency))
    to_package = client_package_id(receiver, receiver_view["counters"]["p"] + 1)
    return {
        "type": "transferred",
        "clients": [pkg["owner"], receiver],
        "client_package": cp,
        "to_package": to_package,
        "package": to_package,  # so the receiver's package history (history bruno.p1) lists it too
        "amounts": {key: (money_text(v) if isinstance(v, Decimal) else v) for key, v in moved.items()},
        "all": kind is None,
        "terms": terms,
        "sale": {
            "date": pkg["sale"]["date"],
            "price": zero,
            "tax": zero,
            "total": zero,
            "invoice": pkg["sale"]["invoice"],
            "reference": None,
            "assigned": False,
            "transferred_from": cp,
            # the value the moved units had with the giver (valuation fixed at the giver's sale)
            "valuation": transfer_valuation(pkg, moved, now.astimezone(tz).date().isoformat()),
        },
        "paid": zero,
        "expires": last_day.isoformat() if last_day else None,
        "code_hash": code_hash,
        "reason": reason.strip(),
    }


def _add(old: Any, amount: Any, money: bool) -> Any:
    if amount == balances.UNLIMITED:
        return balances.UNLIMITED
    if money:
        return money_text(Decimal(old or "0") + Decimal(amount))
    return int(old or 0) + int(amount)


@handles("transferred")
def _transferred(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    source_owner, receiver = event["clients"][0], event["clients"][1]
    if me == source_owner:
        pkg = view["packages"][event["client_package"]]
        moved = pkg.setdefault("transferred", {})
        for key, amount in event["amounts"].items():
            moved[key] = _add(moved.get(key), amount, key == "money")
        pkg.setdefault("transferred_to", []).append(event["to_package"])
        # Emptied by this transfer (nothing left to book, nothing booked):
        # the package is ``transferred`` until a session draws
        # on it again (``balances.emptied_by_transfer``).
        if balances.fully_transferred(pkg):
            pkg["emptied_by_transfer"] = sorted(pkg.get("draws", {}))
        else:
            pkg.pop("emptied_by_transfer", None)
    if me == receiver:
        cp_id = event["to_package"]
        pkg = new_package_record(cp_id, me, event, event.get("at"), event.get("actor"), [])
        if event.get("expires"):
            pkg["expires_set"] = event["expires"]
            pkg["expires_set_seq"] = event.get("seq", 0)  # its own later pauses move it on
        view["packages"][cp_id] = pkg
        view["counters"]["p"] = max(view["counters"]["p"], int(cp_id.rsplit(".p", 1)[1]))
