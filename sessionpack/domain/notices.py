"""Client notices: which are due, their keys, who gets them,
and what recording them does to a client package.

Four kinds, each sent at most once per key, ever:

- ``expiring``: N days before the last valid day, for each N of
  ``expiring_days`` (e.g. [30, 7]); only the most urgent one that is due is
  sent (a run on day 5 sends the 7-day notice, never the 30-day one, and
  once a nearer one was recorded, a farther one never is), and only while
  something is left to book. Key ``expiring:CP:LASTDAY:Nd``: a
  pause or ``adjust --expires`` moves the last day and so makes new keys.
- ``low``: per balance, what is left to book at or below its limit
  (``low_remaining`` sessions, ``low_minutes``, ``low_money``), when more
  than the limit was bought. Key ``low:CP:ITEM:GEN``.
- ``used-up``: nothing left to book and nothing booked. Key
  ``used-up:CP:GEN``.
- ``expired``: when the sweep records an expiry that forfeited something,
  at most ``late_days`` after it took effect. Key ``expired:CP:ON``.

GEN counts re-arming: once a ``low`` or ``used-up`` notice is recorded, the
package *watches* that balance; an event that lifts it back above the limit
(a cancellation, an adjustment) re-arms it, and the next time it falls, the
notice has a new key. The watch is part of the package's view, folded from
the journal like everything else, so re-arming never depends on when
``notify`` runs.

The owner gets each notice; every linked client holding the ``notices``
permission regarding the owner gets a copy, keyed ``KEY:copy:CLIENT``. A
notice that will not be sent is recorded as suppressed, with the reason
(opted out of that kind, no usable address, or at delivery: the package was
cancelled, refunded or transferred since, or what the notice says has gone
by, ``outdated``).

Recorded notices are kept on the package (``notices``: key -> seq of the
event that decided it), so the views answer "was this sent?" without the
journal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from . import balances, sweep
from .ledger import handles
from .notice_settings import ADDRESS_RE, KINDS, low_money_limit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable

NOTICE_EVENTS = ("notice-pending", "notice-sent", "notice-failed", "notice-suppressed")


@dataclass(frozen=True)
class Rules:
    """The ``[notices]`` settings a run judges by.

    Attributes:
      kinds: the kinds that are sent (empty: none, e.g. no delivery method).
      expiring_days: days before the last valid day, most first.
      low_remaining, low_minutes: limits for sessions and minutes.
      low_money: an amount, or a share of the credit ("10%").
      late_days: an expired notice is sent at most this many days after
        the expiry took effect.
    """

    kinds: frozenset[str] = frozenset(KINDS)
    expiring_days: tuple[int, ...] = (7,)
    low_remaining: int = 1
    low_minutes: int = 60
    low_money: str = "10%"
    late_days: int = 30

    @classmethod
    def from_settings(cls, notices: Mapping[str, Any], enabled: bool = True) -> "Rules":
        return cls(
            kinds=frozenset(notices["kinds"]) if enabled else frozenset(),
            expiring_days=tuple(sorted(notices["expiring_days"], reverse=True)),
            low_remaining=notices["low_remaining"],
            low_minutes=notices["low_minutes"],
            low_money=notices["low_money"],
            late_days=notices["late_days"],
        )


@dataclass(frozen=True)
class Due:
    """A notice due about one client package, before its recipients are known.

    Attributes:
      kind: expiring, low, used-up or expired.
      key: the owner's key (copies add ``:copy:CLIENT``).
      client_package, owner: the package and who owns it.
      facts: what the notice says and what makes it new: ``last_day`` and
        ``days`` / ``days_left`` (expiring), ``item``, ``limit``, ``free``
        and ``gen`` (low), ``gen`` (used-up), ``on`` and ``forfeited``
        (expired).
    """

    kind: str
    key: str
    client_package: str
    owner: str
    facts: Mapping[str, Any] = field(default_factory=dict)


# -- keys ----------------------------------------------------------------------


def expiring_key(cp: str, last_day: date, days: int) -> str:
    return f"expiring:{cp}:{last_day.isoformat()}:{days}d"


def low_key(cp: str, item: str, gen: int) -> str:
    return f"low:{cp}:{item}:{gen}"


def used_up_key(cp: str, gen: int) -> str:
    return f"used-up:{cp}:{gen}"


def expired_key(cp: str, on: str) -> str:
    return f"expired:{cp}:{on}"


def copy_key(key: str, client: str) -> str:
    return f"{key}:copy:{client}"


def recorded(pkg: Mapping[str, Any], key: str) -> bool:
    """Whether a notice with this key was ever recorded (pending, sent,
    failed or suppressed): then it is never due again."""
    return key in (pkg.get("notices") or {})


def nearer_recorded(pkg: Mapping[str, Any], last_day: date, days: int) -> int | None:
    """The days of the nearest "expires soon" notice of the same last valid
    day recorded already (pending, sent, failed or suppressed) that is
    nearer to it than ``days``, or None. Once the 7-day notice was
    recorded, the 30-day one is never sent: not by a run replaying an
    earlier day, nor by a delivery left pending."""
    prefix = f"expiring:{pkg['id']}:{last_day.isoformat()}:"
    nearer = []
    for key in pkg.get("notices") or {}:
        tail = key[len(prefix):] if key.startswith(prefix) else ""
        if tail[:-1].isdigit() and tail.endswith("d") and int(tail[:-1]) < days:  # (a copy's key goes on: not this form)
            nearer.append(int(tail[:-1]))
    return min(nearer) if nearer else None


# -- limits and re-arming --------------------------------------------------------------


def low_limit(pkg: Mapping[str, Any], key: str, total: Any, rules: Rules) -> Any:
    """The "running low" limit of one balance (None: unlimited)."""
    if total == balances.UNLIMITED:
        return None
    if key == "money":
        from .money import quantize

        return quantize(low_money_limit(rules.low_money, Decimal(total)), pkg["terms"]["currency"])
    if key == "minutes":
        return rules.low_minutes
    return rules.low_remaining


def low_items(pkg: Mapping[str, Any], rules: Rules, rows: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, tuple[Any, Any]]:
    """item -> (free, limit) of the balances at or below their limit, among
    those bought (with adjustments) above it: a 1-session package is not
    "running low" the day it is sold."""
    out: dict[str, tuple[Any, Any]] = {}
    for key, row in (rows if rows is not None else balances.balance(pkg)).items():
        if row["total"] == balances.UNLIMITED:
            continue
        available = row["total"] + row["adjusted"] - row["transferred"] - row["voided"]
        limit = low_limit(pkg, key, available, rules)
        if limit is not None and row["remaining"] <= limit < available:
            out[key] = (row["remaining"], limit)
    return out


def generation(pkg: Mapping[str, Any], watch_name: str) -> int:
    """The generation of a low or used-up notice: 1, then one more after
    each re-arming."""
    watch = (pkg.get("watch") or {}).get(watch_name)
    if watch is None:
        return 1
    return watch["gen"] + (1 if watch["rearmed"] else 0)


def _rearmed(pkg: Mapping[str, Any], watch_name: str, watch: Mapping[str, Any]) -> bool:
    if watch_name == "used-up":
        return not balances.is_used_up(pkg)
    item = watch_name.split(":", 1)[1]
    row = balances.balance(pkg).get(item)
    if row is None or row["remaining"] == balances.UNLIMITED:
        return False
    limit = Decimal(watch["limit"]) if balances.is_money(pkg) else int(watch["limit"])
    return row["remaining"] > limit


def rearm(view: dict[str, Any]) -> None:
    """After each event folded into a view that watches something: mark the
    watches whose balance is back above the limit as re-armed."""
    still = []
    for cp_id in view.get("watching", []):
        pkg = view["packages"].get(cp_id)
        if pkg is None:
            continue
        waiting = False
        for name, watch in sorted((pkg.get("watch") or {}).items()):
            if not watch["rearmed"]:
                if _rearmed(pkg, name, watch):
                    watch["rearmed"] = True
                else:
                    waiting = True
        if waiting:
            still.append(cp_id)
    if still:
        view["watching"] = still
    else:
        view.pop("watching", None)


# -- which notices are due --------------------------------------------------------------


def has_free(rows: Mapping[str, Mapping[str, Any]]) -> bool:
    return any(row["remaining"] == balances.UNLIMITED or row["remaining"] > 0 for row in rows.values())


def package_notices(pkg: Mapping[str, Any], rules: Rules, now: datetime, tz: ZoneInfo, *, used_up: bool = False,
                    rows: Mapping[str, Mapping[str, Any]] | None = None, last_day: Any = balances._NOT_GIVEN) -> list[Due]:
    """The notices due about one open client package at ``now`` (its expiry
    not due: the sweep comes first). ``used_up``: also judge "used up" (the
    package was touched since the last run; a used-up package leaves the
    open view, so only a recent event brings it back to judge). ``rows``
    and ``last_day``: its balance and expiry, when known already."""
    if rows is None:
        rows = balances.balance(pkg)
    if last_day is balances._NOT_GIVEN:
        last_day = balances.expiry(pkg)
    state = balances.status(pkg, now, tz, rows, last_day)
    if state not in ("active", "paused", "used up"):
        return []  # cancelled, refunded, transferred or expired: nothing more to tell
    cp, owner = pkg["id"], pkg["owner"]
    today = now.astimezone(tz).date()
    due: list[Due] = []
    if state == "used up":
        if used_up and "used-up" in rules.kinds:
            gen = generation(pkg, "used-up")
            key = used_up_key(cp, gen)
            if not recorded(pkg, key):
                due.append(Due("used-up", key, cp, owner, {"gen": gen}))
        return due
    if "expiring" in rules.kinds and last_day is not None and last_day >= today and has_free(rows):
        days_left = (last_day - today).days
        reached = [n for n in rules.expiring_days if n >= days_left]
        if reached:
            days = min(reached)
            key = expiring_key(cp, last_day, days)
            if not recorded(pkg, key) and nearer_recorded(pkg, last_day, days) is None:
                due.append(Due("expiring", key, cp, owner, {"last_day": last_day.isoformat(), "days": days, "days_left": days_left}))
    if "low" in rules.kinds:
        for item, (free, limit) in sorted(low_items(pkg, rules, rows).items()):
            gen = generation(pkg, f"low:{item}")
            key = low_key(cp, item, gen)
            if not recorded(pkg, key):
                due.append(Due("low", key, cp, owner, {"item": item, "free": balances.plain(free),
                                                       "limit": balances.plain(limit), "gen": gen}))
    return due


def expired_notice(event: Mapping[str, Any], rules: Rules, today: date) -> Due | None:
    """The notice of a recorded expiry: only when it forfeited something,
    and at most ``late_days`` after it took effect."""
    if "expired" not in rules.kinds or not event["forfeited"]:
        return None
    if (date.fromisoformat(event["on"]) - today).days < -rules.late_days:
        return None
    cp = event["client_package"]
    return Due("expired", expired_key(cp, event["on"]), cp, event["clients"][0],
               {"on": event["on"], "last_day": event["last_day"], "forfeited": dict(event["forfeited"]),
                "booked_after": list(event["booked_after"])})


@dataclass
class Plan:
    """What a run records about a set of client packages: expiries first,
    then the notices due (the expiry of a package and its notice are
    recorded in the same commit, so neither is ever recorded alone)."""

    expiries: list[dict[str, Any]] = field(default_factory=list)
    due: list[Due] = field(default_factory=list)


def plan(packages: Iterable[Mapping[str, Any]], rules: Rules, now: datetime, tz: ZoneInfo, touched: frozenset[str] = frozenset()) -> Plan:
    """The expiries to record and the notices due, package by package in the
    order given. ``touched``: packages named by events since the last run
    (judged for "used up" too)."""
    today = now.astimezone(tz).date()
    out = Plan()
    for pkg in packages:
        if pkg.get("status", "active") in ("cancelled", "refunded") or pkg.get("expired_at"):
            continue
        rows = balances.balance(pkg)
        last_day = balances.expiry(pkg)
        if sweep.expiry_due(pkg, today, rows, last_day) is not None:
            event = sweep.expired_event(pkg, last_day, rows)
            out.expiries.append(event)
            notice = expired_notice(event, rules, today)
            if notice is not None:
                out.due.append(notice)
            continue
        if rules.kinds:
            out.due.extend(package_notices(pkg, rules, now, tz, used_up=pkg["id"] in touched, rows=rows, last_day=last_day))
    return out


# -- recipients ----------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Who gets one notice (the owner, or a linked client's copy).

    Attributes:
      client, name, email: the recipient.
      copy: True for a linked client's copy.
      relation: what the recipient is to the owner (copies), e.g. "parent".
      suppressed: why nothing will be sent to them, or None.
    """

    client: str
    name: str
    email: str
    copy: bool = False
    relation: str | None = None
    suppressed: str | None = None


def opted_out(record: Mapping[str, Any], kind: str) -> bool:
    chosen = record.get("no_notices") or []
    return kind in chosen or "all" in chosen


def _why_not(record: Mapping[str, Any], kind: str) -> str | None:
    if opted_out(record, kind):
        return f"{record['id']} opted out of {kind} notices"
    email = record.get("email") or ""
    if not email:
        return f"{record['id']} has no email address"
    if not ADDRESS_RE.match(email):
        return f"{record['id']}'s email address {email!r} cannot be used for mail"
    return None


def recipients(owner_view: Mapping[str, Any], others: Mapping[str, Mapping[str, Any]], kind: str) -> list[Recipient]:
    """The owner, then each linked client holding ``notices`` regarding the
    owner (their views in ``others``), in id order."""
    from .sharing import notice_copies

    owner = owner_view["client"]
    out = [Recipient(owner["id"], owner["name"], owner.get("email") or "", suppressed=_why_not(owner, kind))]
    for other in notice_copies(owner_view):
        view = others.get(other)
        if view is None or view.get("client") is None:
            continue
        record = view["client"]
        relation = owner_view["relations"][other].get("they_are")
        out.append(Recipient(other, record["name"], record.get("email") or "", True, relation, _why_not(record, kind)))
    return out


def key_for(due: Due, recipient: Recipient) -> str:
    return copy_key(due.key, recipient.client) if recipient.copy else due.key


def _clients(due: Due, recipient: Recipient) -> list[str]:
    """Notice events are kept in the owner's history (a copy's too: the
    owner's history says who got one), and only there: a delivery then
    rewrites one client's view."""
    return [due.owner]


def pending_event(due: Due, recipient: Recipient, message_id: str, message: Mapping[str, Any]) -> dict[str, Any]:
    """``notice-pending``: the first step of the outbox (then deliver, then
    ``notice-sent``). It holds the whole message, so a re-delivery after a
    crash sends the same message with the same Message-ID."""
    return {
        "type": "notice-pending", "clients": _clients(due, recipient), "key": key_for(due, recipient), "base": due.key,
        "kind": due.kind, "client_package": due.client_package, "recipient": recipient.client, "copy": recipient.copy,
        "to": recipient.email, "message_id": message_id, "message": dict(message), "facts": dict(due.facts),
    }


def suppressed_event(due: Due, recipient: Recipient, reason: str) -> dict[str, Any]:
    return {
        "type": "notice-suppressed", "clients": _clients(due, recipient), "key": key_for(due, recipient), "base": due.key,
        "kind": due.kind, "client_package": due.client_package, "recipient": recipient.client, "copy": recipient.copy,
        "reason": reason, "facts": dict(due.facts),
    }


def outcome_event(entry: Mapping[str, Any], kind: str, reply: str, via: str) -> dict[str, Any]:
    """``notice-sent`` or ``notice-failed`` for a pending notice (``kind``: sent | failed)."""
    return {
        "type": f"notice-{kind}", "clients": _entry_clients(entry), "key": entry["key"], "kind": entry["kind"],
        "client_package": entry["client_package"], "recipient": entry["recipient"], "copy": entry["copy"],
        "to": entry["to"], "message_id": entry["message_id"], "via": via, "reply": reply,
    }


def late_suppressed_event(entry: Mapping[str, Any], reason: str) -> dict[str, Any]:
    """A pending notice not delivered after all (the package was cancelled
    since, the recipient opted out, ...)."""
    return {
        "type": "notice-suppressed", "clients": _entry_clients(entry), "key": entry["key"], "base": entry["base"],
        "kind": entry["kind"], "client_package": entry["client_package"], "recipient": entry["recipient"],
        "copy": entry["copy"], "reason": reason, "facts": dict(entry.get("facts") or {}),
    }


def _entry_clients(entry: Mapping[str, Any]) -> list[str]:
    return [entry["client_package"].rsplit(".p", 1)[0]]


def still_wanted(entry: Mapping[str, Any], owner_view: Mapping[str, Any] | None, recipient_view: Mapping[str, Any] | None) -> str | None:
    """Why a pending notice must not be delivered now, or None."""
    pkg = (owner_view or {}).get("packages", {}).get(entry["client_package"])
    if pkg is None or recipient_view is None or recipient_view.get("client") is None:
        return "the package or the recipient is no longer recorded"
    state = pkg.get("status", "active")
    if state in ("cancelled", "refunded"):
        return f"{pkg['id']} was {state}"
    if balances.emptied_by_transfer(pkg):
        return f"{pkg['id']} was transferred"
    if not ADDRESS_RE.match(entry.get("to") or ""):
        return f"the address {entry.get('to')!r} cannot be used for mail"
    record = recipient_view["client"]
    if opted_out(record, entry["kind"]):
        return f"{record['id']} opted out of {entry['kind']} notices"
    if not record.get("email"):
        return f"{record['id']} has no email address"
    if entry["copy"]:
        from .sharing import notice_copies

        if entry["recipient"] not in notice_copies(owner_view):
            return f"{entry['recipient']} no longer receives copies of {pkg['owner']}'s notices"
    return None


def outdated(entry: Mapping[str, Any], pkg: Mapping[str, Any], rules: Rules, today: date) -> str | None:
    """Why a pending notice tells what is no longer true, or None. A notice
    left pending (the mail server was down for days) is not sent once its
    facts have gone by:

    - a "running low" or "used up" notice once the package expired (its
      expiry recorded, or its last valid day before today): a client never
      gets "1 session left" about a package that has ended, least of all
      in the same run as its "expired" notice;
    - an "expires soon" notice when the last valid day moved or passed, or
      when a nearer notice is due instead or was recorded already (a run 5
      days before the end sends the 7-day notice, never the 30-day one:
      neither does a delivery late by three weeks)."""
    kind = entry.get("kind")
    last_day = balances.expiry(pkg)
    if kind in ("low", "used-up"):  # (an "expires soon" notice says why below, in its own words)
        ended = pkg.get("expired_at")
        if not ended and last_day is not None and last_day < today:
            ended = (last_day + timedelta(days=1)).isoformat()
        return f"{pkg['id']} expired on {ended}" if ended else None
    facts = entry.get("facts") or {}
    told, days = facts.get("last_day"), facts.get("days")
    if kind != "expiring" or not told or not isinstance(days, int):
        return None
    if last_day is None or last_day.isoformat() != told:
        return f"the last valid day of {pkg['id']} is no longer {told}"
    days_left = (last_day - today).days
    if days_left < 0:
        return f"the last valid day of {pkg['id']}, {told}, has passed"
    nearer = [n for n in rules.expiring_days if days_left <= n < days]
    if nearer:
        return f"the {min(nearer)}-day notice of {pkg['id']} is due instead"
    recorded_days = nearer_recorded(pkg, last_day, days)
    if recorded_days is not None:
        return f"the {recorded_days}-day notice of {pkg['id']} was recorded already"
    return None


def judged_by(rules: Rules) -> dict[str, Any]:
    """What of the rules decides notices that only events can change (low,
    used up): a run judged by other limits or kinds judges every package."""
    return {"kinds": sorted(rules.kinds), "low_remaining": rules.low_remaining, "low_minutes": rules.low_minutes,
            "low_money": rules.low_money}


def checked_event(seq: int, offset: int, today: date, rules: Rules) -> dict[str, Any]:
    """Where the run's search for touched packages may start next time, and
    the rules every open package was judged by up to there."""
    return {"type": "notices-checked", "clients": [], "through": {"seq": seq, "offset": offset}, "today": today.isoformat(),
            "rules": judged_by(rules)}


# -- folding ---------------------------------------------------------------------------


@handles("notice-pending", "notice-suppressed")
def _decided(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    pkg = view["packages"].get(event["client_package"])
    if pkg is None or pkg["owner"] != me:
        return
    notices = pkg.setdefault("notices", {})
    new = event["key"] not in notices
    notices[event["key"]] = event["seq"]
    if not new or event["copy"] or event["kind"] not in ("low", "used-up"):
        return
    facts = event["facts"]
    name = "used-up" if event["kind"] == "used-up" else f"low:{facts['item']}"
    watch = {"gen": facts["gen"], "rearmed": False}
    if event["kind"] == "low":
        watch["limit"] = str(facts["limit"])
    pkg.setdefault("watch", {})[name] = watch
    view["watching"] = sorted(set(view.get("watching", [])) | {pkg["id"]})


@handles("notice-sent", "notice-failed", "notices-checked")
def _reported(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    """The outcome is in the history (and the outbox view); the package keeps
    only that the notice was decided."""


def undone_packages(event: Mapping[str, Any], history: Iterable[Mapping[str, Any]]) -> set[str]:
    """The client packages an ``undone`` event changed, found in
    ``history`` (the events of one client it concerns).

    An undo names no package, yet folding its clients' views again without
    what it takes back can leave a package running low or used up; undoing
    an undo puts back what the first one took back. So the packages are
    those named by the events it takes back, and, for an undo it takes
    back, by the events that one took back, and so on. Only these are
    judged again: a package used up years ago and never told about is not
    "touched" by an undo of another one's booking."""
    by_seq = {earlier["seq"]: earlier for earlier in history}
    out: set[str] = set()
    seen: set[int] = set()
    waiting = [event]
    while waiting:
        undo = waiting.pop()
        for target in undo.get("undo") or ():
            for seq in target.get("seqs") or ():
                if seq in seen or seq not in by_seq:
                    continue
                seen.add(seq)
                earlier = by_seq[seq]
                if earlier.get("type") == "undone":
                    waiting.append(earlier)
                else:
                    out.update(packages_named(earlier))
    return out


def packages_named(event: Mapping[str, Any]) -> list[str]:
    """The client packages an event is about (a transfer names two; a
    booking names the one it draws on)."""
    from .ids import CLIENT_PACKAGE_RE

    named = [event.get("client_package"), event.get("to_package"), event.get("package"), event.get("from_package")]
    booking = event.get("booking")
    if isinstance(booking, Mapping):
        named.append(booking.get("package"))
    out: list[str] = []
    for cp in named:
        if isinstance(cp, str) and CLIENT_PACKAGE_RE.match(cp) and cp not in out:
            out.append(cp)
    return out
