"""Client packages sold in another system and brought in (migration).

A practice moving to sessionpack brings each client's unused packages with
it. An imported client package is an ordinary ``sold`` event (made by
``sales.sell``, like every sale) of a package in the catalog that carries
one more object, ``imported``:

``sold_on``
    the ISO date of the original sale (also the sale's ``date``, so an
    expiry "N months from purchase" counts from it);
``remaining``
    per balance key (a service id for fixed contents; ``count``,
    ``minutes``, ``money`` or ``unlimited`` for a pool) what was left in
    the other system, as the balance JSON writes it: a whole number of
    sessions or minutes, money as a string ("45.00"), or "unlimited";
``used_before``
    per balance key (not for unlimited ones), how much was used there; by
    default everything that is not left. It may be less than that: the
    rest lapsed there (expired, forfeited);
``expires``
    the last valid day, when the import sets one (an ISO date; later pauses
    move it on, as for a date set by ``adjust``), else null and the
    package's own rule applies;
``activated``
    for a package whose clock starts at first use, the ISO date that clock
    started in the other system (it counts as the first use), else null.

From then on the client package is like any other: bookings draw on what
was left, it expires, it is paused, adjusted, refunded, reported. Its
balance shows what it held before the import as ``before_import`` (bought
minus what was left), so bought, used here and left still add up.
History says "imported: 6 of 10 left, sold 2026-03-01 elsewhere".

A package that was inactive or not for sale may be imported (the sale
happened elsewhere, earlier); a deleted one may not. A balance whose last
valid day (``expires``, else the package's rule counted from the sale date
or ``activated``) is before the day of the import is refused: it expired
there, and nothing of it is left to bring in.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..errors import InputError
from . import balances
from .expiry import ends_before, expiry_date, parse_expiry_option
from .money import money_text, parse_money
from .records import field, record
from .regex import pattern
from .sales import parse_day

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

REMAINING = "remaining"
USED_BEFORE = "used_before"
EXPIRES = "expires"
ACTIVATED = "activated"
DATE = "date"  # the sale date's column: what an expiry "from purchase" counts from
_WHOLE_RE = pattern(r"[0-9]{1,9}\Z")


@record(frozen=False)
class ImportCells:
    """What a row says about a balance brought in, as typed.

    Attributes:
      remaining: column suffix -> text: None for the plain ``remaining``
        column, else the balance key of ``remaining.KEY``.
      used_before: the same, for ``used_before`` and ``used_before.KEY``.
      expires: the ``expires`` text, or None.
      activated: the ``activated`` text, or None.
    """

    remaining: dict[str | None, str] = field(default_factory=dict)
    used_before: dict[str | None, str] = field(default_factory=dict)
    expires: str | None = None
    activated: str | None = None

    def any(self) -> bool:
        return bool(self.remaining or self.used_before or self.expires or self.activated)


def column(kind: str, key: str | None) -> str:
    return kind if key is None else f"{kind}.{key}"


def _amount(text: str, key: str, currency: str, what: str) -> Any:
    clean = text.strip()
    if key == "money":
        return parse_money(clean, currency, what)
    if not _WHOLE_RE.match(clean):
        unit = "minutes" if key == "minutes" else "sessions"
        raise InputError(f"{what} must be a whole number of {unit}, not {text!r}")
    return int(clean)


def _quantity(value: Any, key: str) -> str:
    if key == "money":
        return money_text(value)
    unit = "minutes" if key == "minutes" else ("sessions" if key == "count" else f"{key} sessions")
    return f"{value} {unit}"


def _by_key(cells: Mapping[str | None, str], kind: str, totals: Mapping[str, Any], package_id: str,
            problems: list[tuple[str, InputError]]) -> dict[str, tuple[str, str]]:
    """Key -> (column, text), from ``remaining``/``remaining.KEY`` style cells."""
    out: dict[str, tuple[str, str]] = {}
    keys = ", ".join(totals)
    for suffix, text in cells.items():
        name = column(kind, suffix)
        if suffix is None:
            if len(totals) != 1:
                listed = ", ".join(column(kind, k) for k in totals)
                problems.append((name, InputError(
                    f"package {package_id!r} holds several balances ({keys}); give {listed} instead of {kind}")))
                continue
            key = next(iter(totals))
        else:
            key = suffix
            if key not in totals:
                problems.append((name, InputError(f"package {package_id!r} has no balance {key!r}; its balances are: {keys}")))
                continue
        if key in out:
            problems.append((name, InputError(f"{kind} of {key} is given twice ({out[key][0]} and {name}); keep one")))
            continue
        out[key] = (name, text)
    return out


def check_unlimited_cell(text: str, key: str, package_id: str) -> None:
    """What was left of an unlimited balance is written ``unlimited`` or left empty."""
    if text.strip() not in ("", balances.UNLIMITED):
        raise InputError(f"{key} of package {package_id!r} is unlimited: write 'unlimited' or leave it empty, not {text!r}")


def plan_import(terms: Mapping[str, Any], cells: ImportCells, *, sold_on: date, today: date,
                currency: str) -> tuple[dict[str, Any] | None, list[tuple[str, InputError]]]:
    """The ``imported`` object for a package with these ``terms``, and every
    problem found (column, error); the object is None when there is one."""
    problems: list[tuple[str, InputError]] = []
    package_id = terms["id"]
    totals = balances.totals(terms)
    given = _by_key(cells.remaining, REMAINING, totals, package_id, problems)
    used_given = _by_key(cells.used_before, USED_BEFORE, totals, package_id, problems)
    remaining: dict[str, Any] = {}
    used_before: dict[str, Any] = {}
    single = len(totals) == 1
    for key, total in totals.items():
        name, text = given.get(key, (column(REMAINING, None if single else key), ""))
        if total == balances.UNLIMITED:
            try:
                check_unlimited_cell(text, key, package_id)
            except InputError as err:
                problems.append((name, err))
            remaining[key] = balances.UNLIMITED
            if key in used_given:
                problems.append((used_given[key][0], InputError(f"{key} is unlimited: it has no used-before amount; leave the cell empty")))
            continue
        if not text.strip():
            problems.append((name, InputError(f"what was left of {key} is missing; write it (0 if nothing was left)")))
            continue
        try:
            left = _amount(text, key, currency, name)
        except InputError as err:
            problems.append((name, err))
            continue
        if left > total:
            problems.append((name, InputError(
                f"{_quantity(left, key)} left is more than package {package_id!r} holds ({_quantity(total, key)}); "
                f"import it with a package that holds at least that much, or import {balances.plain(total)} "
                "and add the rest with 'sessionpack adjust'")))
            continue
        remaining[key] = left
        used_before[key] = total - left
        if key in used_given:
            used_name, used_text = used_given[key]
            try:
                used = _amount(used_text, key, currency, used_name)
            except InputError as err:
                problems.append((used_name, err))
                continue
            if used > total - left:
                problems.append((used_name, InputError(
                    f"{_quantity(used, key)} used before and {_quantity(left, key)} left are more than package "
                    f"{package_id!r} holds ({_quantity(total, key)}); check both cells")))
                continue
            used_before[key] = used
    expires = activated = None
    if cells.expires is not None:
        try:
            expires = parse_day(cells.expires, EXPIRES)
            if expires < sold_on:
                raise InputError(f"expires {expires.isoformat()} is before the sale date {sold_on.isoformat()}; check both")
        except InputError as err:
            problems.append((EXPIRES, err))
    if cells.activated is not None:
        try:
            if cells.expires is not None:
                raise InputError("give either expires (a last valid day) or activated (when its clock started at first use), not both")
            rule = parse_expiry_option(terms.get("expiry", "none"))
            if not rule.starts_at_first_use:
                raise InputError(f"activated is for packages whose expiry starts at first use; package {package_id!r} is "
                                 f"'{rule.describe()}': leave it empty, or give expires")
            activated = parse_day(cells.activated, ACTIVATED)
            if activated < sold_on:
                raise InputError(f"activated {activated.isoformat()} is before the sale date {sold_on.isoformat()}; check both")
            if activated > today:
                raise InputError(f"activated {activated.isoformat()} is in the future; give the day its clock started")
        except InputError as err:
            problems.append((ACTIVATED, err))
    if not problems:
        ended = _ended_before(terms, sold_on, expires, activated, today)
        if ended is not None:
            problems.append(ended)
    if problems:
        return None, problems
    return {
        "sold_on": sold_on.isoformat(),
        "remaining": {key: _plain(value) for key, value in remaining.items()},
        "used_before": {key: _plain(value) for key, value in used_before.items()},
        "expires": expires.isoformat() if expires else None,
        "activated": activated.isoformat() if activated else None,
    }, []


def _ended_before(terms: Mapping[str, Any], sold_on: date, expires: date | None, activated: date | None,
                  today: date) -> tuple[str, InputError] | None:
    """(column, error) when the balance's last valid day -- ``expires``, else
    the package's rule from the sale date (or ``activated``) -- is before
    ``today``, the day of the import; else None.

    Such a balance expired in the other system: nothing of it is left to
    import, and recording it would bring back value that lapsed before the
    import (the liability of closed months would move, and the sweep would
    record its expiry on a day before it was imported). A fixed date before
    the sale date itself is left to ``sales.sell``, which refuses every sale
    of such a package with its own message."""
    if expires is not None:
        if expires >= today:
            return None
        return EXPIRES, InputError(
            f"expires {expires.isoformat()} is before today ({today.isoformat()}): the balance had expired before "
            f"the import, so nothing of it is left to import; give expires for the last day it really runs to, "
            "or leave the row out")
    rule = parse_expiry_option(terms.get("expiry", "none"))
    if ends_before(rule, sold_on):
        return None
    last = expiry_date(rule, sold_on, activated)
    if last is None or last >= today:
        return None
    since = f"activated {activated.isoformat()}" if activated is not None else f"sold {sold_on.isoformat()}"
    return (ACTIVATED if activated is not None else DATE), InputError(
        f"package {terms['id']!r} is {rule.describe()}: {since}, it was valid through {last.isoformat()}, before "
        f"today ({today.isoformat()}), so nothing of it is left to import; give expires for the last day it really "
        "runs to, or leave the row out")


def _plain(value: Any) -> Any:
    return money_text(value) if isinstance(value, Decimal) else value
