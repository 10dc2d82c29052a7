"""The expiry sweep: recording that packages past their date expired.

A client package whose last valid day is before today (in the practice's
time zone) gets one ``expired`` event::

    {"type": "expired", "clients": [OWNER], "client_package": "ana.p1",
     "on": "2027-02-21", "last_day": "2027-02-20",
     "forfeited": {"massage": 3}, "booked_after": ["ana.b9"]}

- ``on`` is the day after the last valid day: the date the expiry takes
  effect, whenever the sweep runs, so a week without cron moves nothing
  into another period. Reports date the expiry by it.
- ``forfeited`` is what was left to book, per balance key, as ``balance``
  shows ``remaining`` (a number, or money as a string); only keys with
  something left are listed (an unlimited balance forfeits nothing that
  can be counted, so it is never listed).
- ``booked_after`` lists the sessions still booked on the package and dated
  after its last day (a package whose expiry limits the booking date may
  hold them). They stay booked.

The package is judged by its current expiry: pauses and ``adjust
--expires`` count. Once recorded, the package's view keeps ``expired_at``
(the ``on`` date) and ``lapsed`` (the forfeited amounts, which the balance
shows in its ``expired`` column). Recording is idempotent: a package whose
expiry is recorded is never swept again. ``adjust --expires`` on such a
package takes the recorded expiry back (see ``adjustments``): the next
sweep judges it by the new date.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from . import balances
from .ledger import handles

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping


def forfeitable(pkg: Mapping[str, Any], rows: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """What an expiry forfeits now: per key with something left to book, the
    amount as balance JSON shows it. Unlimited balances forfeit nothing
    that can be counted, so they are not listed."""
    out: dict[str, Any] = {}
    for key, row in (rows if rows is not None else balances.balance(pkg)).items():
        left = row["remaining"]
        if left != balances.UNLIMITED and left > 0:
            out[key] = balances.plain(left)
    return out


def booked_after(pkg: Mapping[str, Any], last_day: date) -> list[str]:
    """Booked sessions drawing on ``pkg`` dated after ``last_day``, by date."""
    return [bid for bid, day in balances.scheduled_draws(pkg) if day > last_day.isoformat()]


def expiry_due(pkg: Mapping[str, Any], today: date, rows: Mapping[str, Mapping[str, Any]] | None = None,
               last_day: Any = balances._NOT_GIVEN) -> date | None:
    """The last valid day when the package's expiry is due to be recorded
    (its last day is before ``today``, and it is not cancelled, refunded,
    used up -- nothing left and nothing booked -- or already recorded),
    else None."""
    if pkg.get("status", "active") in ("cancelled", "refunded") or pkg.get("expired_at"):
        return None
    if last_day is balances._NOT_GIVEN:
        last_day = balances.expiry(pkg)
    if last_day is None or last_day >= today or balances.is_used_up(pkg, rows):
        return None
    return last_day


def expired_event(pkg: Mapping[str, Any], last_day: date, rows: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "type": "expired",
        "clients": [pkg["owner"]],
        "client_package": pkg["id"],
        "on": (last_day + timedelta(days=1)).isoformat(),
        "last_day": last_day.isoformat(),
        "forfeited": forfeitable(pkg, rows),
        "booked_after": booked_after(pkg, last_day),
    }


def lapsed_amounts(forfeited: Mapping[str, Any], money: bool) -> dict[str, Any]:
    """The forfeited amounts as the package record keeps them (``lapsed``)."""
    return {key: format(Decimal(value), "f") if money else int(value) for key, value in forfeited.items()}


@handles("expired")
def _expired(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    pkg = view["packages"].get(event["client_package"])
    if pkg is None or pkg["owner"] != me:
        return
    pkg["expired_at"] = event["on"]
    pkg["lapsed"] = lapsed_amounts(event["forfeited"], balances.is_money(pkg))
