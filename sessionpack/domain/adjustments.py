"""Adjusting what a client package holds (rules 2 and 8 of docs/rules.md).

Remaining sessions (per service, or a count pool), minutes or money can be
changed by +N, -N or to N (N being the remaining that ``balance`` shows),
and the expiry can be set to a date, always with a reason. An adjustment is
one ``adjusted`` event: the balance keeps it in its "adjusted" column and
the history shows who, when, what and why.

An adjustment that would leave less than the package's booked sessions
already hold (remaining below 0), or an expiry before one of them, is
refused unless forced; it can never take back more than is left and
scheduled together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .text import check_reason
from ..errors import InputError, RuleError
from . import balances
from .dating import check_not_before
from .balances import after_expiry, bookings_text  # noqa: F401 - (they live with the balances; also imported from here)
from .ledger import handles
from .money import money_text, parse_money

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

KINDS = ("sessions", "minutes", "money")
_WHOLE_RE = re.compile(r"^([+-]?)([0-9]+)$")
MOST = 9_999_999  # the largest number of sessions or minutes a change names


@dataclass(frozen=True)
class Change:
    """A requested balance change.

    Attributes:
      kind: "sessions", "minutes" or "money" (the option it came from).
      relative: True for +N / -N (by), False for N (to).
      value: the signed amount for a relative change, else the target;
        int for sessions and minutes, Decimal for money.
    """

    kind: str
    relative: bool
    value: Any


def parse_change(text: str, kind: str, currency: str) -> Change:
    """``+2`` (by +2), ``-2`` (by -2) or ``2`` (to 2) for --sessions, --minutes or --money."""
    option = f"--{kind}"
    clean = text.strip()
    if kind == "money":
        sign = clean[:1] if clean[:1] in "+-" else ""
        rest = clean[len(sign):]
        amount = parse_money(rest, currency, option) if rest and rest[:1] not in "+-" else None  # (one sign: ++20 is a slip)
        if amount is None:
            raise InputError(f"{option} must be +X, -X or X (an amount like 20 or 20.50), not {text!r}")
        return Change(kind, bool(sign), -amount if sign == "-" else amount)
    match = _WHOLE_RE.match(clean)
    if not match:
        raise InputError(f"{option} must be +N, -N or N (a whole number), not {text!r}")
    sign, digits = match.groups()
    if len(digits.lstrip("0")) > len(str(MOST)):
        raise InputError(f"{option} is too large: {text!r}; use at most {MOST}")
    number = int(digits)
    return Change(kind, bool(sign), -number if sign == "-" else number)


def _contents_word(contents: Mapping[str, Any]) -> str:
    if "sessions" in contents:
        return "sessions"
    return {"count": "sessions", "minutes": "minutes", "money": "money"}.get(contents["pool"], "unlimited")


def pick_key(pkg: Mapping[str, Any], kind: str, service: str | None, verb: str = "adjust") -> str:
    """The balance key that --sessions / --minutes / --money (with --service) names.

    A mismatch (minutes of a count package, any amount of an unlimited one)
    is an InputError saying what to use instead.
    """
    cp = pkg["id"]
    contents = pkg["terms"]["contents"]
    holds = _contents_word(contents)
    if service is not None and kind != "sessions":
        raise InputError(f"--service goes with --sessions; {cp} holds {holds}")
    if holds == "unlimited":
        other = "only --expires" if verb == "adjust" else "transfer all of it with --all"
        raise InputError(f"{cp} is unlimited: there is no amount to {verb} ({other})")
    if holds != kind:
        raise InputError(f"{cp} holds {holds}, not {kind}; use --{holds}")
    if "sessions" not in contents:
        if service is not None:
            raise InputError(f"{cp} is one pool of sessions for all its services; leave out --service")
        return contents["pool"]
    services = list(contents["sessions"])
    if service is None:
        if len(services) > 1:
            choices = " or ".join(f"--service {s}" for s in services)
            raise InputError(f"{cp} holds sessions of {', '.join(services)}; say which with {choices}")
        service = services[0]
    elif service not in contents["sessions"]:
        raise InputError(f"{cp} has no {service} sessions; it holds {', '.join(services)}")
    if contents["sessions"][service] == balances.UNLIMITED:
        other = "only --expires" if verb == "adjust" else "transfer all of it with --all"
        raise InputError(f"{service} is unlimited in {cp}: there is no amount to {verb} ({other})")
    return service


def quantity(key: str, value: Any, currency: str) -> str:
    """'2 massage sessions', '1 session', '90 minutes', '20.00 EUR'."""
    if key == "money":
        return f"{balances.plain(value)} {currency}"
    plural = "" if value in (1, -1) else "s"
    if key == "minutes":
        return f"{value} minute{plural}"
    if key == "count":
        return f"{value} session{plural}"
    return f"{value} {key} session{plural}"




def check_changeable(pkg: Mapping[str, Any], what: str) -> None:
    state = pkg.get("status", "active")
    if state in ("cancelled", "refunded"):
        raise RuleError(f"{pkg['id']} is {state}: its balance was voided, so it cannot be {what}")


def plan_adjust(
    pkg: Mapping[str, Any],
    change: Change | None,
    *,
    service: str | None = None,
    expires: date | None = None,
    reason: str,
    force: bool = False,
    today: date | None = None,
) -> dict[str, Any] | None:
    """The ``adjusted`` event, or None when nothing would change.

    ``today``: the day it is recorded on (the command's clock, in the
    practice zone); neither it nor ``expires`` may be before the package
    began (``dating``).
    """
    if not reason or not reason.strip():
        raise InputError("an adjustment needs --reason: say why (it stays in the history)")
    reason = check_reason(reason)
    if change is None and expires is None:
        raise InputError("nothing to adjust: give --sessions, --minutes, --money or --expires")
    check_changeable(pkg, "adjusted")
    if today is not None:
        check_not_before(pkg, today)
    if expires is not None:
        check_not_before(pkg, expires, "--expires", "it would be expired from the start")
    cp = pkg["id"]
    if pkg.get("expired_at") and change is not None and expires is None:
        raise RuleError(f"{cp} expired on {pkg['expired_at']} (recorded by 'sessionpack notify'); to change its balance, "
                        "extend it in the same command with --expires DATE")
    currency = pkg["terms"]["currency"]
    changes: dict[str, Any] = {}
    forced = False
    if change is not None:
        key = pick_key(pkg, change.kind, service)
        row = balances.balance(pkg)[key]
        current = row["remaining"]
        delta = change.value if change.relative else change.value - current
        left = current + delta
        if delta and left < 0:
            taken = quantity(key, -delta, currency)
            if left + row["scheduled"] < 0:
                if not row["scheduled"] and current <= 0:
                    raise RuleError(f"{cp} has {quantity(key, current, currency)} left: there is nothing to take away")
                if not row["scheduled"]:
                    raise RuleError(f"{cp} has only {quantity(key, current, currency)} left; taking {taken} would leave "
                                    f"{balances.plain(left)}: use --{change.kind} 0 to leave none")
                raise RuleError(f"{cp} has {quantity(key, current, currency)} left and {quantity(key, row['scheduled'], currency)} "
                                f"booked; taking {taken} is more than both: take at most "
                                f"{quantity(key, current + row['scheduled'], currency)} (with --force)")
            if not force:
                booked = [(bid, day) for bid, day in balances.scheduled_draws(pkg) if pkg["draws"][bid]["key"] == key]
                raise RuleError(f"{cp} has {quantity(key, current, currency)} left besides what its bookings hold "
                                f"({bookings_text(booked)}); taking {taken} would leave {balances.plain(left)}: "
                                "cancel or unlink bookings first, or confirm with --force")
            forced = True
        if delta:
            changes[key] = money_text(delta) if key == "money" else delta
    new_expiry = None
    if expires is not None and expires != balances.expiry(pkg):
        late = after_expiry(pkg, expires)
        if late and not force:
            raise RuleError(f"{cp} would expire on {expires.isoformat()}, before its bookings {bookings_text(late)}; "
                            "move or cancel them, or confirm with --force")
        forced = forced or bool(late)
        new_expiry = expires.isoformat()
    if not changes and new_expiry is None:
        return None
    event = {
        "type": "adjusted",
        "clients": [pkg["owner"]],
        "client_package": cp,
        "changes": changes,
        "expires": new_expiry,
        "reason": reason.strip(),
        "forced": forced,
    }
    if new_expiry is not None and pkg.get("expired_at"):
        # A new expiry takes the recorded one back: what it forfeited is
        # restored, and the next sweep judges the package by the new date.
        event["reopens"] = {"expired_on": pkg["expired_at"],
                            "restored": {key: balances.plain(value) for key, value in (pkg.get("lapsed") or {}).items()}}
    return event


@handles("adjusted")
def _adjusted(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    pkg = view["packages"][event["client_package"]]
    adjustments = pkg.setdefault("adjustments", {})
    for key, delta in event["changes"].items():
        if key == "money":
            adjustments[key] = money_text(Decimal(adjustments.get(key, "0")) + Decimal(delta))
        else:
            adjustments[key] = int(adjustments.get(key, 0)) + int(delta)
    if event.get("reopens"):
        pkg.pop("expired_at", None)
        pkg.pop("lapsed", None)
    if event.get("expires"):
        pkg["expires_set"] = event["expires"]
        pkg["expires_set_seq"] = event.get("seq", 0)  # later pauses move this date on; earlier ones do not
