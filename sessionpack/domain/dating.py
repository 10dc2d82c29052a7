"""Nothing about a client package is dated before it began (docs/corrections.md).

A client package begins on its sale date (which may be back-dated); one
that a transfer brought in, or that was imported from another system,
begins on the day it was recorded here, the day its value starts in the
reports (``value_moves``). Before that day it held nothing, so nothing can
be recorded about it then: no payment, adjustment, pause, resume, transfer,
refund, cancellation, sharing, end of a sharing or new access code on a
day (the command's clock, ``--now``) before it
began, no expiry (``adjust --expires``) before it, no pause starting
before it. ``check_not_before`` is that one rule; each command's planning
calls it.
"""

from __future__ import annotations

from datetime import date

from ..errors import RuleError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping


def began_on(pkg: Mapping[str, Any]) -> str:
    """The ISO day ``pkg`` began: its sale date; for one a transfer brought
    in, or one imported, the day it was recorded here (``at`` is in the
    practice zone). The liability report starts its value that day too."""
    sale = pkg["sale"]
    if sale.get("transferred_from") or pkg.get("imported"):
        return (sale.get("at") or sale["date"])[:10]
    return sale["date"]


def began(pkg: Mapping[str, Any]) -> tuple[date, str, str]:
    """(the day ``pkg`` began, how it began, a noun for that), e.g.
    ``(2026-03-01, "was sold on 2026-03-01", "its sale")``."""
    sale = pkg["sale"]
    day = date.fromisoformat(began_on(pkg))
    if sale.get("transferred_from"):
        return day, f"was transferred to {pkg['owner']} on {day.isoformat()}", "the transfer"
    if pkg.get("imported"):
        return day, f"was imported on {day.isoformat()}", "its import"
    verb = "assigned" if sale.get("assigned") else "sold"
    return day, f"was {verb} on {day.isoformat()}", "its sale"


def check_not_before(pkg: Mapping[str, Any], day: date, what: str | None = None, why: str = "") -> None:
    """Refuse ``day`` when it is before ``pkg`` began (RuleError, exit 1).

    ``what`` None: ``day`` is today, the day the command records on.
    Otherwise ``what`` names the option or argument that gave ``day``
    (``--expires``, ``FROM``) and ``why`` says what that day would do.
    """
    first, how, noun = began(pkg)
    if day >= first:
        return
    if what is None:
        raise RuleError(f"{pkg['id']} {how}, after today ({day.isoformat()}): nothing about it can be dated before "
                        f"{noun}; check --now")
    raise RuleError(f"{pkg['id']} {how}, after {what} {day.isoformat()}: {why}; give {what} {first.isoformat()} or later")
