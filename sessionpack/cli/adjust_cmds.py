"""adjust, pause, resume, transfer: corrections to a client package, each with its reason on record."""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

import typer

from ..domain.datetimes import ascii_whole

from ..errors import InputError
from .app import app, store, writer
from .client_cmds import client_view, find_client_package
from .output import Format, emit_record, say

FMT = typer.Option(Format.table, "--format", help="Output format.")
CP = typer.Argument(..., metavar="CLIENT-PACKAGE")


def parse_day(text: str, what: str, today: date) -> date:
    from ..domain.datetimes import parse_date

    return parse_date(text, what, "2027-03-01", today=today)


def one_line(text: Optional[str], what: str, required: bool = False) -> Optional[str]:
    """A reason (``text.check_reason``), which may be required."""
    from ..domain.text import check_reason

    if text is None and required:
        raise InputError(f"{what} is required: say why (it stays in the history)")
    return check_reason(text)


def _after(tx, pkg: dict) -> dict:  # type: ignore[no-untyped-def]
    """The package as recorded after the commit."""
    view = tx.client(pkg["owner"]) or {"packages": {pkg["id"]: pkg}}
    return view["packages"][pkg["id"]]


def _summary(pkg: dict, opened) -> dict:  # type: ignore[no-untyped-def]
    from ..reports.balances import package_summary

    return package_summary(pkg, opened.now, opened.settings.tz)


def _remaining_text(summary: dict) -> str:
    from ..reports.adjust_text import amounts_text

    return amounts_text(summary["remaining"])


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _expiry_change(before: dict, after: dict) -> str:
    from ..reports.balances import expiry_text

    if before["expires"] != after["expires"]:
        return f"expires {expiry_text(after)} (was {expiry_text(before)})"
    return f"expires: {expiry_text(after)}"


# ---------------------------------------------------------------- adjust


@app.command("adjust")
@writer
def adjust_cmd(
    client_package: str = CP,
    sessions: Optional[str] = typer.Option(None, "--sessions", metavar="+N|-N|N", help="Remaining sessions: +N, -N, or N (set to N)."),
    minutes: Optional[str] = typer.Option(None, "--minutes", metavar="+N|-N|N", help="Remaining minutes of a minutes pool."),
    money: Optional[str] = typer.Option(None, "--money", metavar="+X|-X|X", help="Remaining credit of a money pool."),
    service: Optional[str] = typer.Option(None, "--service", help="With --sessions: which service (needed when it holds several)."),
    expires: Optional[str] = typer.Option(None, "--expires", metavar="DATE", help="Set the last valid day (ISO date)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (required; kept in the history)."),
    force: bool = typer.Option(False, "--force", help="Allow less than booked sessions hold, or an expiry before one."),
    fmt: Format = FMT,
) -> None:
    """Adjust what a client package has left, or its expiry, with a reason.

    +N and -N change the remaining by N; a bare N sets it to N (the
    remaining that 'balance' shows). --expires sets a fixed last day; later
    pauses move it on. Taking away what booked sessions hold, or an expiry
    before one of them, needs --force.

    \b
    Examples:
      sessionpack adjust ana.p1 --sessions +2 --reason "goodwill, late start"
      sessionpack adjust ana.p2 --sessions 3 --service thai \\
          --reason "migrated balance"
      sessionpack adjust ana.p3 --money -20.50 \\
          --reason "paid a product from credit"
      sessionpack adjust ana.p1 --expires 2027-06-30 --reason "back from surgery"
    """
    from ..domain.adjustments import parse_change, plan_adjust

    opened = store()
    given = [(kind, text) for kind, text in (("sessions", sessions), ("minutes", minutes), ("money", money)) if text is not None]
    if len(given) > 1:
        raise InputError("give one of --sessions, --minutes or --money (a package holds one kind of balance)")
    if service is not None and (not given or given[0][0] != "sessions"):
        raise InputError("--service goes with --sessions")
    change = parse_change(given[0][1], given[0][0], opened.settings.currency) if given else None
    new_expiry = parse_day(expires, "--expires", opened.today) if expires is not None else None
    why = one_line(reason, "--reason", required=True)
    with opened.writing() as tx:
        _, pkg = find_client_package(tx, client_package)
        event = plan_adjust(pkg, change, service=service, expires=new_expiry, reason=why or "", force=force,
                            today=opened.today)
        if event is not None:
            tx.commit([event])
            after = _after(tx, pkg)
        else:
            after = pkg
    summary = _summary(after, opened)
    record = {"id": client_package, "changes": event["changes"] if event else {}, "expires": summary["expires"],
              "remaining": summary["remaining"], "forced": bool(event and event["forced"]), "unchanged": event is None}
    if fmt is not Format.table:
        emit_record(fmt, record)
        return
    from ..reports.balances import describe_event, expiry_text

    if event is None:
        say(f"Unchanged: {client_package} already has {_remaining_text(summary)} left; expires: {expiry_text(summary)}")
        return
    say(_cap(describe_event(event)))
    say(f"Now {client_package} has {_remaining_text(summary)} left; {_expiry_change(_summary(pkg, opened), summary)}")


# ---------------------------------------------------------------- pause / resume


@app.command("pause")
@writer
def pause_cmd(
    client_package: str = CP,
    start: str = typer.Argument(..., metavar="FROM", help="First paused day (ISO date)."),
    until: str = typer.Argument(..., metavar="UNTIL", help="Last paused day (ISO date), included."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the history)."),
    keep_bookings: bool = typer.Option(False, "--keep-bookings", help="Keep sessions already booked inside the range."),
    fmt: Format = FMT,
) -> None:
    """Pause a client package: no sessions from FROM to UNTIL, and the expiry moves on by those days.

    Days are counted inclusively: 1 to 10 March is 10 days. Sessions
    already booked in the range are refused unless --keep-bookings.

    \b
    Examples:
      sessionpack pause ana.p1 2027-03-01 2027-03-10 --reason "travelling"
      sessionpack pause ana.p1 2027-02-28 2027-03-03 --keep-bookings --format json
    """
    from ..domain.pauses import plan_pause

    opened = store()
    first = parse_day(start, "FROM", opened.today)
    last = parse_day(until, "UNTIL", opened.today)
    why = one_line(reason, "--reason")
    with opened.writing() as tx:
        _, pkg = find_client_package(tx, client_package)
        event, kept = plan_pause(pkg, first, last, now=opened.now, tz=opened.settings.tz, reason=why,
                                 keep_bookings=keep_bookings)
        tx.commit([event])
        after = _after(tx, pkg)
    before, summary = _summary(pkg, opened), _summary(after, opened)
    if fmt is not Format.table:
        emit_record(fmt, {"id": client_package, "from": event["from"], "until": event["until"], "days": event["days"],
                          "expires": summary["expires"], "was": before["expires"], "status": summary["status"],
                          "kept": [{"id": bid, "date": day} for bid, day in kept]})
        return
    days = f"{event['days']} day" + ("" if event["days"] == 1 else "s")
    tail = _expiry_change(before, summary)
    if not summary["expires"]:
        tail += " (the pause only blocks sessions)" if not summary["starts_at_first_use"] else f" (plus {days} when it starts)"
    say(f"Paused {client_package} from {event['from']} to {event['until']} ({days}); {tail}")
    if kept:
        say("Kept inside the pause: " + ", ".join(f"{bid} on {day}" for bid, day in kept))


@app.command("resume")
@writer
def resume_cmd(
    client_package: str = CP,
    on: Optional[str] = typer.Option(None, "--on", metavar="DATE", help="First day usable again (default: today)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the history)."),
    force: bool = typer.Option(False, "--force", help="Allow an expiry that moves back before a booked session."),
    fmt: Format = FMT,
) -> None:
    """End a pause early: the current pause (or the next one) stops the day before --on.

    The expiry extension shrinks to the days actually paused; a pause
    resumed on or before its first day is removed.

    \b
    Examples:
      sessionpack resume ana.p1
      sessionpack resume ana.p1 --on 2027-03-02 --reason "back early"
    """
    from ..domain.pauses import plan_resume

    opened = store()
    day = parse_day(on, "--on", opened.today) if on is not None else opened.today
    why = one_line(reason, "--reason")
    with opened.writing() as tx:
        _, pkg = find_client_package(tx, client_package)
        event = plan_resume(pkg, day, reason=why, force=force, today=opened.today)
        tx.commit([event])
        after = _after(tx, pkg)
    before, summary = _summary(pkg, opened), _summary(after, opened)
    if fmt is not Format.table:
        last = None
        if event["days"]:
            last = [p for p in after["pauses"] if p["from"] == event["pause_from"]][0]["ended"]
        emit_record(fmt, {"id": client_package, "on": event["on"], "from": event["pause_from"], "until": last,
                          "days": event["days"], "removed": not event["days"], "expires": summary["expires"],
                          "was": before["expires"], "status": summary["status"]})
        return
    from ..reports.balances import describe_event

    say(f"{_cap(describe_event(event))}; {_expiry_change(before, summary)}")


# ---------------------------------------------------------------- transfer


@app.command("transfer")
@writer
def transfer_cmd(
    client_package: str = CP,
    client: str = typer.Argument(..., metavar="CLIENT", help="Who receives it."),
    sessions: Optional[int] = typer.Option(None, "--sessions", metavar="N", parser=ascii_whole, help="Move N sessions."),
    service: Optional[str] = typer.Option(None, "--service", help="With --sessions: of this service (needed when it holds several)."),
    minutes: Optional[int] = typer.Option(None, "--minutes", metavar="N", parser=ascii_whole, help="Move N minutes of a minutes pool."),
    money: Optional[str] = typer.Option(None, "--money", metavar="X", help="Move X of a money pool's credit."),
    everything: bool = typer.Option(False, "--all", help="Move everything that remains (booked sessions stay)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (required; kept in both histories)."),
    fmt: Format = FMT,
) -> None:
    """Move part, or all that remains, of a client package to another client.

    The receiver gets a new client package with the same terms, sale date,
    invoice and expiry, holding what moved, nothing paid by them, and its
    own access code (shown once). Booked sessions stay with the source.

    \b
    Examples:
      sessionpack transfer ana.p1 bruno --sessions 2 --reason "a gift to bruno"
      sessionpack transfer ana.p2 bruno --all --reason "moved abroad" \\
          --format json
    """
    from ..domain.codes import code_hash, new_code
    from ..domain.money import parse_money
    from ..domain.transfers import plan_transfer

    opened = store()
    given = [k for k, v in (("sessions", sessions), ("minutes", minutes), ("money", money)) if v is not None]
    if everything:
        given.append("all")
    if len(given) != 1:
        raise InputError("say how much with one of --sessions N, --minutes N, --money X or --all")
    if service is not None and given != ["sessions"]:
        raise InputError("--service goes with --sessions")
    kind = None if everything else given[0]
    amount: Any = {"sessions": sessions, "minutes": minutes}.get(kind or "")
    if kind == "money":
        amount = parse_money(money, opened.settings.currency, "--money")
    if kind is not None and amount <= 0:
        raise InputError(f"--{kind} must be more than 0")
    why = one_line(reason, "--reason", required=True)
    code = new_code()  # shown once, below; only its hash is recorded
    with opened.writing() as tx:
        _, pkg = find_client_package(tx, client_package)
        receiver = client_view(tx, client)
        event = plan_transfer(pkg, receiver, kind=kind, amount=amount, service=service, reason=why or "",
                              now=opened.now, tz=opened.settings.tz, code_hash=code_hash(code))
        if everything:
            from ..reports.balances import describe_event as describe
            from .confirm import confirm

            confirm(f"transfer all of {client_package} to {client}", [describe(event)])
        tx.commit([event])
        source_after = _after(tx, pkg)
        new_pkg = (tx.client(client) or {"packages": {}})["packages"][event["to_package"]]
    source, summary = _summary(source_after, opened), _summary(new_pkg, opened)
    to_package = event["to_package"]
    shown_code = None if opened.dry_run else code  # a dry run makes no code (null in JSON)
    if fmt is not Format.table:
        emit_record(fmt, {"id": to_package, "client": client, "from": client_package, "amounts": event["amounts"],
                          "expires": summary["expires"], "remaining": summary["remaining"],
                          "source_remaining": source["remaining"], "code": shown_code})
        return
    from ..reports.balances import describe_event, expiry_text

    say(f"{_cap(describe_event(event))} (for {client}; expires: {expiry_text(summary)})")
    say(f"Left on {client_package}: {_remaining_text(source)}")
    if shown_code is None:
        say("Dry run: nothing was recorded (the access code is made when the transfer is)")
    else:
        say(f"Access code: {code}, shown only now; 'sessionpack code reset {to_package}' issues a new one")
