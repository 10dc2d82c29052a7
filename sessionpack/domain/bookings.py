"""Booking sessions against client packages (rules 3, 4 and 5 of docs/rules.md).

``choose`` applies rule 3: among the client packages the attendee may use,
the eligible ones are ranked by soonest expiry (none last), then most
restrictive, then oldest sale; the booking records which one and why, and
why each other candidate was not used. ``plan_booking`` turns a requested
session into a ``booked`` event with exactly what it draws and the fee due.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .text import check_line, check_reason
from ..errors import InputError, RuleError
from . import balances
from .ids import booking_id
from .ledger import closed_for_good, dispatch
from .money import money_text, quantize, tax_on
from .packages import package_from_terms, restriction_count, restrictions_allow
from .records import record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

    from .guards import Checks


@record
class Session:
    """A requested session.

    Attributes:
      attendee: client id of who attends.
      service: the Service record (price and tax are copied onto the booking).
      start: zone-aware start.
      duration: minutes (default the service's).
      provider: who gives it, or None.
    """

    attendee: str
    service: Any
    start: datetime
    duration: int
    provider: str | None = None

    def __post_init__(self) -> None:
        if self.provider is not None:
            object.__setattr__(self, "provider", check_line(self.provider, "--provider", 200))


@record
class Candidate:
    pkg: Mapping[str, Any]
    key: str
    amount: Any  # what the session would draw: 1, minutes, or money
    expiry: date | None
    restrictiveness: int


def _number_text(value: Any) -> Any:
    return money_text(value) if isinstance(value, Decimal) else value


def sold_after(pkg: Mapping[str, Any], day: date) -> str | None:
    """Why a session on ``day`` never draws by itself on ``pkg``: it was sold
    after that day (rule 21 of docs/rules.md); None when it was not."""
    sold = pkg["sale"]["date"]
    if day.isoformat() < sold:
        return f"sold on {sold}, after the session on {day.isoformat()}"
    return None


def judge(pkg: Mapping[str, Any], session: Session, now: datetime, tz: ZoneInfo, *, before_sale: bool = False,
          private: bool = False) -> Candidate | str:
    """A Candidate if ``pkg`` can pay for ``session``, else the reason it cannot.

    A package sold after the session's date cannot, unless ``before_sale``
    (a link with a reason: ``links.plan_link``). ``private``: the reason is
    for the holder of the package's access code, and names no other client
    (``plan_booking``)."""
    terms = pkg["terms"]
    state = pkg.get("status", "active")
    if state in ("cancelled", "refunded"):
        return f"{state}"
    if pkg.get("expired_at"):
        return "expired"
    key = balances.balance_key(terms, session.service.id)
    if key is None:
        return f"does not include {session.service.id}"
    day = session.start.astimezone(tz).date()
    late_sale = None if before_sale else sold_after(pkg, day)
    if late_sale:
        return late_sale
    first = balances.first_use(pkg)
    hypothetical = min(first, day) if first else day
    last_day = balances.expiry(pkg, hypothetical if balances.starts_at_first_use(pkg) else None)
    limits = terms["policies"].get("expiry_limits", "session")
    judged_day = day if limits == "session" else now.astimezone(tz).date()
    if last_day is not None and judged_day > last_day:
        what = "the session" if limits == "session" else "booking"
        return f"expires on {last_day.isoformat()}, before {what} on {judged_day.isoformat()}"
    why_not = balances.blocked(pkg, day, key, private)  # paused on that day, or its unlimited balance transferred
    if why_not:
        return why_not
    package = package_from_terms(terms)
    refused = restrictions_allow(package, session.start.astimezone(tz), session.duration, session.provider, tz=tz)
    if refused:
        return refused
    left = balances.remaining(pkg, key)
    if left == balances.UNLIMITED:
        amount: Any = 1
    elif key == "minutes":
        if left < session.duration:
            return f"only {left} minutes left, the session needs {session.duration}"
        amount = session.duration
    elif key == "money":
        if left <= 0:
            return "no credit left"
        amount = min(left, session.service.price)
    else:
        if left < 1:
            return f"no {key} sessions left" if key not in ("count",) else "no sessions left"
        amount = 1
    return Candidate(pkg, key, amount, last_day, restriction_count(package))


def _rank(candidate: Candidate) -> tuple:
    pkg = candidate.pkg
    number = int(pkg["id"].rsplit(".p", 1)[1])
    return (
        candidate.expiry is None,
        candidate.expiry or date.max,
        -candidate.restrictiveness,
        pkg["sale"]["date"],
        pkg["sale"]["at"],
        number,
    )


def _why(best: Candidate, others: list[Candidate]) -> str:
    if not others:
        return "the only eligible package"
    runner = others[0]
    if best.expiry != runner.expiry:
        return f"expires soonest ({best.expiry.isoformat()})" if best.expiry else "expires soonest"
    if best.restrictiveness != runner.restrictiveness:
        return "most restrictive of those expiring first"
    return "oldest sale of equally good packages"


def choose(candidates: list[Mapping[str, Any]], session: Session, now: datetime, tz: ZoneInfo) -> tuple[Candidate | None, str, list[str]]:
    """(chosen, why, ["ana.p1: expired", ...]) per rule 3 (docs/rules.md)."""
    eligible: list[Candidate] = []
    rejected: list[str] = []
    for pkg in candidates:
        verdict = judge(pkg, session, now, tz)
        if isinstance(verdict, str):
            rejected.append(f"{pkg['id']}: {verdict}")
        else:
            eligible.append(verdict)
    if not eligible:
        return None, "", rejected
    eligible.sort(key=_rank)
    best = eligible[0]
    return best, _why(best, eligible[1:]), rejected


def usable_packages(attendee_view: Mapping[str, Any], owner_views: Mapping[str, Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The attendee's own packages, then packages shared with them -- only
    while both the share and a link with use-packages hold (rule 12)."""
    found = list(attendee_view["packages"].values())
    if attendee_view.get("shared_in"):
        from .sharing import shared_and_linked
    for cp_id, owner in sorted(attendee_view.get("shared_in", {}).items()):
        view = owner_views.get(owner)
        if shared_and_linked(attendee_view, view, cp_id):
            found.append(view["packages"][cp_id])
    return found


def take_payment(booking: dict[str, Any], event: Mapping[str, Any]) -> None:
    """A booking takes what an event that decides again how it is paid (a
    link, a move) recorded: the package and its owner, the draw, the fee."""
    booking["package"] = event["package"]
    booking["owner"] = event["owner"]
    booking["draw"] = dict(event["draw"]) if event["draw"] else None
    booking["fee"] = event["fee"]
    booking["fee_tax"] = event["fee_tax"]


def fee_for(session: Session, candidate: Candidate | None, currency: str) -> tuple[Decimal, Decimal]:
    """(net fee due, its tax) for the session as drawn on ``candidate``."""
    service = session.service
    if candidate is None:
        return service.price, tax_on(service.price, service.tax, currency)
    terms = candidate.pkg["terms"]
    if terms["payment"]["mode"] == "per-session":
        fee = Decimal(terms["payment"]["fees"][service.id])
        return fee, tax_on(fee, service.tax, currency)
    if candidate.key == "money":
        due = service.price - candidate.amount
        return due, tax_on(due, service.tax, currency)
    return quantize(Decimal(0), currency), quantize(Decimal(0), currency)


def pick(
    candidates: list[Mapping[str, Any]],
    session: Session,
    *,
    now: datetime,
    tz: ZoneInfo,
    package: str | None = None,
    no_package: bool = False,
    require_package: bool = False,
    said: frozenset[str] = frozenset(),
    owners: Mapping[str, Mapping[str, Any]] | None = None,
    private: bool = False,
) -> tuple[Candidate | None, str]:
    """(the package that pays, or None; why) for ``session`` among the
    ``candidates`` the attendee may use: ``--no-package`` takes none,
    ``--package`` names one (refused when it cannot pay), else rule 3 chooses,
    and without an eligible package the session is at the regular fee
    (refused with ``require_package``); ``said``: packages whose reason the
    caller gives itself. ``book`` and ``move`` both choose here.
    ``owners``: views that may hold the ``package`` named (a package that
    exists but is not the attendee's to use is refused as ``link`` refuses
    it: ``cannot_use``); ``private``: refusals for the holder of the
    package's access code (``plan_booking``)."""
    if no_package:
        return None, "booked without a package (--no-package)"
    if package is not None:
        pkg = next((p for p in candidates if p["id"] == package), None)
        if pkg is None:
            owner = (owners or {}).get(package.rsplit(".p", 1)[0]) or {}
            if package in owner.get("packages", {}):
                raise cannot_use(session.attendee, package, owner["id"])
            from .ids import CLIENT_PACKAGE_RE

            if not CLIENT_PACKAGE_RE.match(package):  # a catalog package's id, say, where a client package's is asked for
                raise InputError(f"--package {package!r} is not a client package id like {session.attendee}.p1; "
                                 f"see 'sessionpack balance {session.attendee}'")
            raise InputError(f"no client package {package!r} that {session.attendee} can use; "
                             f"see 'sessionpack balance {session.attendee}'")
        verdict = judge(pkg, session, now, tz, private=private)
        if isinstance(verdict, str):
            hint = "" if private else _late_sale_hint(pkg, session, tz)  # (linking is the practice's to do)
            raise RuleError(f"{package} cannot pay for this session: {verdict}{hint}")
        return verdict, "chosen with --package"
    chosen, why, rejected = choose(candidates, session, now, tz)
    if chosen is None:
        if require_package:
            reasons = "; ".join(rejected) if rejected else f"{session.attendee} has no packages"
            from .guards import when_text

            raise RuleError(f"no package can pay for {session.service.id} on {when_text(session.start, tz)}: {reasons}")
        why = "no eligible package: " + ("; ".join(rejected) if rejected else "no packages")
        return chosen, why
    # The others that could not pay, and why not (rule 3); a package closed
    # for good (a client's old packages, by the dozen) is not listed.
    closed = said | {pkg["id"] for pkg in candidates if closed_for_good(pkg)}  # type: ignore[arg-type]
    open_rejected = [text for text in rejected if text.split(": ", 1)[0] not in closed]
    if open_rejected:
        why += "; not eligible: " + "; ".join(open_rejected)
    return chosen, why


def cannot_use(attendee: str, cp_id: str, owner: str) -> RuleError:
    """The refusal (exit 1) of a client package that exists but that
    ``attendee`` may not draw on: it is another client's and not shared with
    them (or the link that lets them use it has ended). ``book --package``
    and ``link`` both refuse with it."""
    return RuleError(f"{attendee} cannot use {cp_id}: it is {owner}'s and not shared with them; "
                     f"see 'sessionpack balance {attendee}' for the packages they can use")


def _late_sale_hint(pkg: Mapping[str, Any], session: Session, tz: ZoneInfo) -> str:
    """How to draw on a package sold after the session anyway: a link, with a reason."""
    if sold_after(pkg, session.start.astimezone(tz).date()) is None:
        return ""
    return f"; book it without --package, then 'sessionpack link BOOKING {pkg['id']} --reason R' if it is meant"


def plan_booking(
    attendee_view: Mapping[str, Any],
    owner_views: Mapping[str, Mapping[str, Any]],
    session: Session,
    *,
    now: datetime,
    tz: ZoneInfo,
    currency: str,
    checks: "Checks | None" = None,
    package: str | None = None,
    no_package: bool = False,
    require_package: bool = False,
    series: str | None = None,
    private: bool = False,
) -> dict[str, Any]:
    """The ``booked`` event for one session (no state is changed).

    ``checks`` carries the practice's calendar around the session and the
    person's overrides (a front end reads it with
    ``actions.calendar.checks_for``): the session's time is judged by
    ``guards.check_session`` (rule 21 of docs/rules.md) before anything else.
    Without it the calendar is taken as empty and nothing is overridden.

    ``owner_views`` may hold, besides the views of the clients sharing
    packages with the attendee, the owner of the ``package`` named, so
    that a package not theirs to use is refused by name (``pick``).
    ``private``: booked with the package's access code (``book --code``):
    a refusal about the package names no other client, nor any booking of
    theirs.
    """
    from .guards import Checks, check_session

    checks = checks if checks is not None else Checks()

    if session.service.deleted:
        raise RuleError(f"service {session.service.id!r} was deleted and cannot be booked; see 'sessionpack service list'")
    check_session(session, session.service, checks, now=now, tz=tz)
    candidates = usable_packages(attendee_view, owner_views)
    chosen, why = pick(candidates, session, now=now, tz=tz, package=package, no_package=no_package,
                       require_package=require_package, owners=owner_views, private=private)
    if not session.service.active and chosen is None:
        raise RuleError(f"service {session.service.id!r} is inactive: only clients whose packages include it can still book it")
    number = attendee_view["counters"]["b"] + 1
    if chosen is not None:
        check_clock(chosen.pkg, session.start.astimezone(tz).date(), booking_id(session.attendee, number), checks.force,
                    private=private)
    fee, fee_tax = fee_for(session, chosen, currency)
    booking = {
        "id": booking_id(session.attendee, number),
        "attendee": session.attendee,
        "service": session.service.id,
        "service_name": session.service.name,
        "start": session.start.astimezone(tz).isoformat(),
        "duration": session.duration,
        "provider": session.provider,
        "price": money_text(session.service.price),
        "tax_rate": str(session.service.tax),
        "fee": money_text(fee),
        "fee_tax": money_text(fee_tax),
        "package": chosen.pkg["id"] if chosen else None,
        "owner": chosen.pkg["owner"] if chosen else None,
        "draw": {"key": chosen.key, "amount": _number_text(chosen.amount)} if chosen else None,
        "why": why,
        "series": series,
        "booked_on": now.astimezone(tz).date().isoformat(),
    }
    clients = [session.attendee]
    if chosen and chosen.pkg["owner"] != session.attendee:
        clients.append(chosen.pkg["owner"])
    return {"type": "booked", "clients": clients, "booking": booking}


def check_clock(pkg: Mapping[str, Any], day: date, bid: str, force: bool, private: bool = False) -> None:
    """A session ``bid`` on ``day`` drawing on ``pkg``: when it moves the
    package's last valid day earlier (an expiry that runs from first use
    starts with it), refused if a session booked on the package would then
    fall after it, as ``adjust --expires`` refuses it, unless ``force``.
    ``private``: said to the holder of the access code, with the dates of
    those sessions only (they may be booked by a client the package is
    shared with, whose booking ids name them)."""
    from .guards import SessionRefused

    if force:
        return
    before = balances.expiry(pkg)
    draws = {key: value for key, value in pkg.get("draws", {}).items() if key != bid}
    trial = {**pkg, "draws": {**draws, bid: {"amount": 1, "attendee": "", "date": day.isoformat(), "key": "", "state": "booked"}}}
    last = balances.expiry(trial)
    if last is None or (before is not None and last >= before):
        return
    late = [(other, when) for other, when in balances.after_expiry(trial, last) if other != bid]
    if late and private:
        days = ", ".join(sorted({when for _, when in late}))
        raise SessionRefused(f"a session on {day.isoformat()} starts {pkg['id']}'s clock then: it would expire on "
                             f"{last.isoformat()}, before sessions booked on it on {days}; choose a later time")
    if late:
        raise SessionRefused(f"a session on {day.isoformat()} starts {pkg['id']}'s clock then: it would expire on "
                             f"{last.isoformat()}, before its bookings {balances.bookings_text(late)}; choose a later time, "
                             "move those bookings, or confirm with --force")


def simulate(views: dict[str, dict[str, Any]], event: dict[str, Any]) -> None:
    """Apply an event to working copies of views (to plan the next booking)."""
    for client_id in event["clients"]:
        if client_id in views:
            dispatch(views[client_id], event)


def _working_copy(view: Mapping[str, Any]) -> dict[str, Any]:
    """A copy to plan on, without the history (planning never reads it)."""
    import copy

    copied = copy.deepcopy({key: value for key, value in view.items() if key != "events"})
    copied["events"] = []
    return copied


def plan_series(
    attendee_view: Mapping[str, Any],
    owner_views: Mapping[str, Mapping[str, Any]],
    sessions: list[Session],
    **options: Any,
) -> list[dict[str, Any]]:
    """One ``booked`` event per date; each draws while the balance lasts (rule 5).

    Each date is checked like a single booking (rule 21), against the
    practice's calendar and the dates of the series before it; a refusal
    names the session of the series it is about."""
    from .guards import Agenda, Checks, SessionRefused, agenda_record, when_text

    # Planning reads the views and never changes them; the working copies the
    # next dates of a series are planned on are made only when a series has
    # a next date (one booking copies nothing).
    views: dict[str, Any] = {attendee_view["id"]: attendee_view}
    for owner, view in owner_views.items():
        views.setdefault(owner, view)
    copied = False
    events = []
    series = options.pop("series", None)
    checks: Checks = options.pop("checks", None) or Checks()
    agenda = Agenda(checks.agenda.records())
    checks = Checks(agenda, checks.allow_overlap, checks.force)
    chosen = options.get("package")
    tz = options["tz"]
    for number, session in enumerate(sessions, start=1):
        attendee = views[attendee_view["id"]]
        owners = {k: v for k, v in views.items() if k != attendee_view["id"]}
        verdict = None
        if chosen is not None and events and not options.get("require_package"):
            # A later date of a series drawn on --package: covered while the
            # package can pay, then at the regular fee (rule 5), not refused.
            pkg = next((p for p in usable_packages(attendee, owners) if p["id"] == chosen), None)
            verdict = judge(pkg, session, options["now"], tz) if pkg is not None else None
        try:
            if isinstance(verdict, str):
                event = plan_booking(attendee, owners, session, series=series, checks=checks,
                                     **dict(options, package=None, no_package=True))
                event["booking"]["why"] = f"{chosen} cannot pay for this session: {verdict}"
            else:
                event = plan_booking(attendee, owners, session, series=series, checks=checks, **options)
        except SessionRefused as err:
            if len(sessions) == 1:
                raise
            raise SessionRefused(f"session {number} of the series ({when_text(session.start, tz)}): {err}") from None
        agenda.add(agenda_record(event["booking"]))
        events.append(event)
        if number < len(sessions):  # the next date is planned on the views as this one leaves them
            if not copied:
                views = {client_id: _working_copy(view) for client_id, view in views.items()}
                copied = True
            simulate(views, event)
    return events


def repeat_starts(start: datetime, rule: str, count: int | None, until: date | None, tz: ZoneInfo) -> list[datetime]:
    """Start times of a series: 'daily', 'weekly', 'fortnightly', 'monthly', 'every N days|weeks|months'."""
    from dateutil.relativedelta import relativedelta

    words = rule.lower().replace("every other", "every 2").replace("fortnightly", "every 2 weeks").split()
    units = {"day": "days", "days": "days", "daily": "days", "week": "weeks", "weeks": "weeks", "weekly": "weeks",
             "month": "months", "months": "months", "monthly": "months"}
    interval = 1
    if len(words) == 1 and words[0] in ("daily", "weekly", "monthly"):
        freq = units[words[0]]
    elif len(words) == 2 and words[0] == "every" and words[1] in units:
        freq = units[words[1]]
    elif len(words) == 3 and words[0] == "every" and words[1].isascii() and words[1].isdigit() and len(words[1]) < 6 and words[2] in units:
        interval, freq = int(words[1]), units[words[2]]
    else:
        raise InputError(f"--repeat {rule!r} is not understood: use daily, weekly, fortnightly, monthly, or 'every N days|weeks|months'")
    if interval < 1:
        raise InputError("--repeat interval must be at least 1")
    if count is None and until is None:
        raise InputError("a repeat needs --count N or --until DATE")
    if count is not None and not 1 <= count <= 200:
        raise InputError("--count must be between 1 and 200")
    local = start.astimezone(tz).replace(tzinfo=None)
    limit = datetime.combine(until, datetime.max.time()) if until else None
    # Each date is computed from the first in one step (like expiry dates): a
    # monthly series from 31 Jan is 28 Feb, 31 Mar, 30 Apr -- no month is skipped.
    dates: list[datetime] = []
    while (count is None or len(dates) < count) and len(dates) <= 200:
        try:
            when = local + relativedelta(**{freq: interval * len(dates)})
        except (OverflowError, ValueError):
            raise InputError("the series runs past the year 9999; use a smaller interval or fewer sessions") from None
        if limit is not None and when > limit:
            break
        dates.append(when)
    if len(dates) > 200:
        raise InputError("a series can have at most 200 sessions; use a nearer --until")
    if not dates:
        raise InputError("the series has no dates: --until is before the first session")
    from .datetimes import check_range, wall_clock

    out = []
    for number, when in enumerate(dates, start=1):
        what = f"session {number} of the series,"
        check_range(when.date(), what)
        out.append(wall_clock(when, tz, what) if number > 1 else start.astimezone(tz))
    return out


# -- status changes ---------------------------------------------------------------


def _late(booking: Mapping[str, Any], hours: int, now: datetime) -> bool:
    if hours <= 0:
        return False  # a window of 0 hours: no cancel is ever late (Policies)
    start = datetime.fromisoformat(booking["start"])
    return now >= start - timedelta(hours=hours)


def change_status(
    booking: Mapping[str, Any],
    owner_view: Mapping[str, Any] | None,
    action: str,
    *,
    now: datetime,
    currency: str,
    reason: str | None = None,
    override: str | None = None,
    force: bool = False,
    tz: ZoneInfo | None = None,
) -> dict[str, Any]:
    """The event for attend / no-show / cancel of one booking.

    ``override`` (return | forfeit), with a reason, replaces the package's
    policy for a no-show or a late cancel. Attended or no-show before the
    session starts needs ``force`` (rule 21 of docs/rules.md).
    """
    from .guards import check_marking

    current = booking["status"]
    if current != "booked":
        raise RuleError(f"booking {booking['id']} is already {current}; nothing was changed (to change that, undo the command "
                        f"that did it: 'sessionpack log --client {booking['attendee']}' shows its id)")
    check_marking(booking, action, now, force, tz)
    pkg = owner_view["packages"][booking["package"]] if owner_view and booking.get("package") else None
    if override and pkg is None:
        # --return and --forfeit act on what a booking drew from its package:
        # on one that draws on none they would do nothing, so they are refused.
        again = "mark it a no-show" if action == "no-show" else f"{action} it"
        raise InputError(f"booking {booking['id']} draws on no package, so --{override} has nothing to act on; "
                         f"{again} without --{override}")
    if override and not reason:
        raise InputError("overriding the package's policy needs --reason")
    reason = check_reason(reason)
    event: dict[str, Any] = {
        "clients": [booking["attendee"]] + ([booking["owner"]] if booking.get("owner") and booking["owner"] != booking["attendee"] else []),
        "booking": booking["id"],
        "package": booking.get("package"),
    }
    if reason:
        event["reason"] = reason
    if action == "attend":
        event["type"] = "attended"
        return event
    policies = pkg["terms"]["policies"] if pkg else {}
    draw = booking.get("draw")
    if action == "no-show":
        event["type"] = "no-show"
        outcome = override or policies.get("no_show", "return")
        event["outcome"] = outcome if pkg else None
        return event
    if action != "cancel":
        raise ValueError(action)
    late = _late(booking, int(policies.get("late_cancel_hours", 24)), now) if pkg else False
    event["type"] = "cancelled"
    event["late"] = late
    if not pkg:
        event["outcome"] = None
        return event
    outcome = override or (policies.get("late_cancel", "return") if late else "return")
    event["outcome"] = outcome
    if outcome == "charge":
        percent = Decimal(str(policies.get("charge_percent", 0)))
        # charge_percent is of the service price on the booking, never more than was drawn.
        kept = min(Decimal(draw["amount"]), quantize(Decimal(booking["price"]) * percent / 100, currency))
        event["kept"] = money_text(kept)
    return event


def booking_payment(booking: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """fee (with tax), paid, due, and the payment state: due, partly paid, paid,
    overpaid, nothing due, or covered by package."""
    total = quantize(Decimal(booking["fee"]) + Decimal(booking["fee_tax"]), currency)
    paid = quantize(Decimal(booking.get("paid") or 0), currency)
    if paid > total:
        state = "overpaid"
    elif total == 0:
        covered = booking.get("package") and booking["status"] not in ("cancelled", "late-cancelled")
        state = "covered by package" if covered else "nothing due"
    elif paid == total:
        state = "paid"
    else:
        state = "partly paid" if paid > 0 else "due"
    due = max(total - paid, quantize(Decimal(0), currency))
    return {"total": money_text(total), "paid": money_text(paid), "due": money_text(due), "payment": state}


def owed_back(booking: Mapping[str, Any], currency: str) -> Decimal:
    """What was paid on a booking beyond its fee (with tax), which the
    practice owes the client back: 0 when the payments fit the fee.

    A booking is paid too much when its fee drops below what was paid on
    it: cancelled after it was paid, or moved or linked to a package that
    pays for it (docs/corrections.md, "Money paid on a booking")."""
    total = quantize(Decimal(booking["fee"]) + Decimal(booking["fee_tax"]), currency)
    paid = quantize(Decimal(booking.get("paid") or 0), currency)
    return max(paid - total, quantize(Decimal(0), currency))


def check_paid_fits(booking: Mapping[str, Any], fee: Decimal, fee_tax: Decimal, *, currency: str, after: str, verb: str,
                    forced: bool) -> str | None:
    """The one rule of every command that sets a booking's fee anew (``link``,
    ``move``): a fee below what was already paid on the booking is refused,
    unless ``forced`` (--force with --reason), because the difference would
    become money owed back to the client. ``after`` says what the command
    does ("linked to ana.p1"), ``verb`` names it ("link").

    None when the payments fit the new fee; when they do not and it is
    forced, what was forced past ("already paid 73.80"), for the history."""
    paid = Decimal(booking.get("paid") or 0)
    cost = fee + fee_tax
    if paid <= cost:
        return None
    if not forced:
        raise RuleError(f"booking {booking['id']} is already paid ({money_text(paid)} {currency}); {after} it would cost "
                        f"{money_text(cost)}, so {money_text(paid - cost)} would be paid too much; "
                        f"to {verb} it anyway, add --force --reason R")
    return f"already paid {money_text(paid)}"
