"""book, cancel, attend, no-show: sessions and what they draw.

Declared without importing Typer (``cli/declare.py``): these are hot
commands, run by the quick path when their command line is plain.
"""

from __future__ import annotations

from ..domain.datetimes import ascii_whole
from ..errors import InputError
from .declare import Argument, Option, command
from .lookup import client_view, find_booking, owner_views  # noqa: F401 - (owner_views: also imported from here)
from .output import Format, emit, emit_record, say, warn
from .runtime import store, writer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any

FMT = Option(Format.table, "--format", help="Output format.")
ALLOW_OVERLAP = Option(False, "--allow-overlap", help="Book even when the provider already has a session then (rule 21 of docs/rules.md).")
FORCE_DATE = Option(False, "--force", help="Book even more than a year before or after today, or so early that a first-use clock would end before later bookings (rule 21 of docs/rules.md).")


def parse_when(text: str, tz: Any, now: datetime) -> datetime:
    from ..domain.datetimes import parse_datetime

    return parse_datetime(text, "WHEN", tz, now=now)


def booking_line(b: dict, currency: str, tz: Any) -> str:
    from ..domain.guards import when_text

    when = when_text(b["start"], tz)
    head = f"{b['id']}: {b['service']} on {when} ({b['duration']} min)"
    fee = f"fee {b['fee']} + {b['fee_tax']} tax {currency}"
    if b["package"]:
        return f"{head}, drawn from {b['package']} ({b['why']}); {fee}"
    return f"{head}, at the regular fee: {b['why']}; {fee}"


@command("book")
@writer
def book_cmd(
    client: str | None = Argument(None, metavar="[CLIENT]", help="Who attends (leave out with --code)."),
    service: str | None = Argument(None, metavar="SERVICE"),
    when: str | None = Argument(None, metavar="WHEN", help="Start, ISO date-time (practice time zone if no offset)."),
    duration: int | None = Option(None, "--duration", metavar="N", parser=ascii_whole, help="Minutes (default the service's)."),
    provider: str | None = Option(None, "--provider", help="Who gives the session."),
    package: str | None = Option(None, "--package", help="Draw on this client package (overrides the choice)."),
    no_package: bool = Option(False, "--no-package", help="Book at the regular fee, drawing on no package."),
    require_package: bool = Option(False, "--require-package", help="Refuse (exit 1) when no package can pay."),
    repeat: str | None = Option(None, "--repeat", help="weekly, daily, monthly, or 'every N weeks|days|months'."),
    count: int | None = Option(None, "--count", metavar="N", parser=ascii_whole, help="Number of sessions in the series."),
    until: str | None = Option(None, "--until", help="Last date of the series (ISO date)."),
    code: str | None = Option(None, "--code", help="Book for the owner of the package with this access code, on that package only (give SERVICE WHEN)."),
    allow_overlap: bool = ALLOW_OVERLAP,
    force: bool = FORCE_DATE,
    fmt: Format = FMT,
) -> None:
    """Book a session; the package it draws on is chosen by rule 3 (docs/rules.md).

    Eligible packages: the client's own (or shared with them), active, not
    paused, within expiry, including the service, meeting restrictions, with
    enough balance, sold on or before the session's date. The soonest
    expiring wins, then the most restrictive, then the oldest sale. Without
    one, the session is at the regular fee and the reasons are shown. A
    series draws while the balance lasts.

    Sanity checks (rule 21 of docs/rules.md), for every session of a series
    too: a provider the service does not list is refused; a session that
    overlaps another of the same provider (bookings without --provider are
    the practice's one practitioner's) is refused, naming it, unless
    --allow-overlap; a group class (a service with a capacity) shares a start
    up to its capacity, then is full; a date more than a year away needs
    --force.

    With --code ACCESS-CODE the arguments are SERVICE WHEN: the session is
    booked for the package's owner on that package alone, refused (exit 1)
    when it cannot pay, and nothing else of the practice is shown.

    \b
    Examples:
      sessionpack book ana massage 2026-12-01T10:00
      sessionpack book ana massage 2026-12-01T10:00 --repeat weekly --count 6
      sessionpack book ana massage 2026-12-01T10:00 --no-package --format json
      sessionpack book --code K7QF-3MZP-... massage 2026-12-01T10:00 --format json
    """
    if code is not None:
        from .code_cmds import book_by_code

        book_by_code(code, (client, service, when), duration, provider, fmt,
                     refused=package is not None or no_package or repeat is not None or count is not None or until is not None
                     or allow_overlap or force)
        return
    if client is None or service is None or when is None:
        missing = "CLIENT" if client is None else "SERVICE" if service is None else "WHEN"
        raise InputError(f"Missing argument '{missing}'; see 'sessionpack book --help'")
    from ..actions.calendar import checks_for
    from ..domain.bookings import Session, plan_series, repeat_starts
    from ..domain.ids import check_slug
    from ..domain.services import check_duration
    from ..storage.catalog import load_service

    opened = store()
    tz = opened.settings.tz
    start = parse_when(when, tz, opened.now)
    if package and no_package:
        raise InputError("give either --package or --no-package, not both")
    if no_package and require_package:
        raise InputError("give either --no-package or --require-package, not both")
    if (count is not None or until is not None) and repeat is None:
        raise InputError("--count and --until need --repeat")
    until_day = None
    if until is not None:
        from ..domain.datetimes import parse_date

        until_day = parse_date(until, "--until", "2027-01-31", today=opened.today)
    starts = repeat_starts(start, repeat, count, until_day, tz) if repeat else [start]
    check_slug(service, "service")
    minutes = check_duration(duration) if duration is not None else None
    with opened.writing() as tx:
        attendee = client_view(tx, client)
        record = load_service(opened.root, opened.settings.currency, service)
        if record is None:
            raise InputError(f"no service {service!r}; see 'sessionpack service list'")
        sessions = [Session(client, record, s, minutes or record.duration, provider) for s in starts]
        series = f"{client}.b{attendee['counters']['b'] + 1}" if repeat else None
        checks = checks_for(tx, [(s.start, s.duration) for s in sessions], tz, allow_overlap=allow_overlap, force=force)
        owners = owner_views(tx, attendee, package)  # a package not theirs to use is refused by name (exit 1)
        events = plan_series(attendee, owners, sessions, now=opened.now, tz=tz,
                             currency=opened.settings.currency, package=package, no_package=no_package,
                             require_package=require_package, series=series, checks=checks)
        tx.commit(events)
    bookings = [e["booking"] for e in events]
    if fmt is Format.table:
        for b in bookings:
            say("Booked " + booking_line(b, opened.settings.currency, tz))
        if repeat:
            covered = sum(1 for b in bookings if b["package"])
            say(f"Series {series}: {len(bookings)} sessions, {covered} drawn from a package, {len(bookings) - covered} at the regular fee")
        return
    if fmt in (Format.json, Format.jsonl) and not repeat:
        emit_record(fmt, bookings[0])  # one booking: one object (docs/formats.md)
    else:
        emit(fmt, list(bookings[0]), bookings)


MARK_COLUMNS = ["id", "status", "package", "outcome", "late", "fee"]


def _change(booking_ids: list[str], action: str, reason: str | None, override: str | None, fmt: Format, *,
            client: str | None = None, day: str | None = None, force: bool = False) -> None:
    """attend, no-show, cancel: every booking named (or a client's sessions of
    a day) in one commit, or none (rule 26 of docs/rules.md)."""
    from ..actions.marking import plan_marks

    opened = store()
    from ..domain.text import check_reason

    reason = check_reason(reason)
    on_day = None
    if day is not None:
        from ..domain.datetimes import parse_date

        on_day = parse_date(day, "--date", today=opened.today)
    with opened.writing() as tx:
        plan = plan_marks(tx, action, booking_ids, client=client, day=on_day, now=opened.now, tz=opened.settings.tz,
                          currency=opened.settings.currency, reason=reason.strip() if reason else None, override=override,
                          force=force)
        if plan.voided > 1:  # voiding several sessions asks first (rule 18 of docs/rules.md)
            from .confirm import confirm

            confirm(f"cancel {plan.voided} sessions", plan.lines())
        tx.commit(plan.events)
        rows = []
        paid_back = []  # what was paid on a session beyond its fee now: owed back to the client
        for event in plan.events:
            updated = client_view(tx, event["booking"].rsplit(".b", 1)[0])["bookings"][event["booking"]]
            rows.append({"id": event["booking"], "status": updated["status"], "package": updated.get("package"),
                         "outcome": event.get("outcome"), "late": event.get("late", False), "fee": updated["fee"]})
            paid_back.append(owed_back_line(updated, opened.settings.currency))
    if fmt is Format.table:
        for line, back in zip(plan.lines(), paid_back):
            say(line)
            if back:
                say(back)
    elif len(rows) == 1 and client is None:
        emit_record(fmt, rows[0])  # one booking named: one object, as always
    else:
        emit(fmt, MARK_COLUMNS, rows)
    if fmt is not Format.table:
        for back in paid_back:  # standard output holds only the rows
            if back:
                warn(back)


def owed_back_line(booking: dict, currency: str) -> str:
    """'ana.b1: 73.80 EUR was paid on it and its fee is now 0.00, so 73.80 EUR
    is owed back to ana (...)', or "" when the payments fit the booking's fee."""
    from ..domain.bookings import booking_payment, owed_back

    back = owed_back(booking, currency)
    if not back:
        return ""
    money, who = booking_payment(booking, currency), booking["attendee"]
    return (f"{booking['id']}: {money['paid']} {currency} was paid on it and its fee is now {money['total']}, "
            f"so {back} {currency} is owed back to {who} (see 'sessionpack client show {who}')")


REASON = Option(None, "--reason", help="Why (kept in the history; needed to override the policy).")
RETURN = Option(False, "--return", help="Return the session whatever the policy (needs --reason).")
FORFEIT = Option(False, "--forfeit", help="Forfeit the session whatever the policy (needs --reason).")


def _override(give_back: bool, forfeit: bool) -> str | None:
    if give_back and forfeit:
        raise InputError("give either --return or --forfeit, not both")
    return "return" if give_back else "forfeit" if forfeit else None


BOOKINGS = Argument(None, metavar="BOOKING...", help="One or more bookings (all are marked, or none).", show_default=False)
CLIENT = Option(None, "--client", help="With --date: every session of this client still booked that day.")
DAY = Option(None, "--date", help="With --client: the day (ISO date, or today, yesterday, fri...; practice time zone).")
FORCE_MARK = Option(False, "--force", help="Mark even before the session has started (rule 21 of docs/rules.md).")


@command("cancel")
@writer
def cancel_cmd(
    booking: list[str] | None = Argument(None, metavar="BOOKING...|CLIENT-PACKAGE", show_default=False,
                                                  help="One or more bookings (all are cancelled, or none), or one client package."),
    reason: str | None = REASON,
    give_back: bool = RETURN,
    forfeit: bool = FORFEIT,
    cancel_bookings: bool = Option(False, "--cancel-bookings", help="With a client package: cancel its future bookings "
                                         "(default: unlink them; they stay booked at the regular fee)."),
    client: str | None = CLIENT,
    day: str | None = DAY,
    fmt: Format = FMT,
) -> None:
    """Cancel bookings; what each drew goes back to the same package.

    Within the package's late-cancel window the package's policy applies
    (return, forfeit, or charge a percentage of a money package). Several
    bookings, or --client C --date D (every session of C still booked that
    day), are cancelled in one go: all of them, or none when one cannot be
    (rule 26 of docs/rules.md).

    Given a client package (like ana.p1) instead, cancel the package: no
    money back, its remaining balance is voided, its future bookings are
    unlinked (or cancelled with --cancel-bookings) and listed; --reason is
    required.

    \b
    Examples:
      sessionpack cancel ana.b3
      sessionpack cancel ana.b3 ana.b4 --reason "away that week"
      sessionpack cancel --client ana --date 2026-12-01 --reason "ill"
      sessionpack cancel ana.b4 --return --reason "snowstorm"
      sessionpack cancel ana.p1 --reason "sold by mistake" --cancel-bookings
    """
    from ..domain.ids import CLIENT_PACKAGE_RE

    ids = list(booking or [])
    packages = [item for item in ids if CLIENT_PACKAGE_RE.match(item)]
    if packages:
        if len(ids) > 1 or client is not None or day is not None:
            raise InputError("a client package is cancelled on its own: give one client package id, or booking ids only")
        if give_back or forfeit:
            raise InputError("--return and --forfeit are for bookings; cancelling a client package gives nothing back to it")
        from .refund_cmds import close_package

        close_package(packages[0], None, reason, cancel_bookings, fmt)
        return
    if cancel_bookings:
        raise InputError("--cancel-bookings goes with a client package (like ana.p1), not a booking")
    _change(ids, "cancel", reason, _override(give_back, forfeit), fmt, client=client, day=day)


@command("attend")
@writer
def attend_cmd(
    booking: list[str] | None = BOOKINGS,
    reason: str | None = REASON,
    client: str | None = CLIENT,
    day: str | None = DAY,
    force: bool = FORCE_MARK,
    fmt: Format = FMT,
) -> None:
    """Mark sessions attended: what each drew counts as used.

    A session cannot be marked before it starts without --force. Several
    bookings, or --client C --date D (every session of C still booked that
    day), are marked in one go: all of them, or none (rule 26 of
    docs/rules.md).

    \b
    Examples:
      sessionpack attend ana.b3
      sessionpack attend ana.b3 bruno.b7
      sessionpack attend --client ana --date today
    """
    _change(list(booking or []), "attend", reason, None, fmt, client=client, day=day, force=force)


@command("no-show")
@writer
def no_show_cmd(
    booking: list[str] | None = BOOKINGS,
    reason: str | None = REASON,
    give_back: bool = RETURN,
    forfeit: bool = FORFEIT,
    client: str | None = CLIENT,
    day: str | None = DAY,
    force: bool = FORCE_MARK,
    fmt: Format = FMT,
) -> None:
    """Mark no-shows: the package's policy returns or forfeits each session.

    A session cannot be marked before it starts without --force. Several
    bookings, or --client C --date D, are marked in one go: all of them, or
    none (rule 26 of docs/rules.md).

    \b
    Examples:
      sessionpack no-show ana.b3
      sessionpack no-show ana.b3 --forfeit --reason "third no-show"
      sessionpack no-show --client ana --date yesterday
    """
    _change(list(booking or []), "no-show", reason, _override(give_back, forfeit), fmt, client=client, day=day, force=force)
