"""code ...: access codes (rule 14 of docs/rules.md), and finding a package by its code.

``balance --code`` and ``book --code`` use ``package_by_code``: with the
code alone a script or web form sees one client package and books on it.
"""

from __future__ import annotations

from typing import Any, Optional

import typer

from ..errors import InputError, RuleError
from .app import app, store, writer
from .client_cmds import find_client_package
from .output import Col, Format, emit, emit_record, say

code_app = typer.Typer(
    help="Access codes: with a client package's code alone, a script or web form sees its balance and books on it.",
    epilog="\b\nExamples:\n  sessionpack code reset ana.p1 --reason \"code was lost\"\n  sessionpack balance --code K7QF-3MZP-...",
    no_args_is_help=True,
)
app.add_typer(code_app, name="code")


def package_by_code(tx, code: str) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """(owner's view, client package) opened by ``code``, or the one error
    every wrong, malformed or replaced code gets."""
    from ..domain.codes import NO_SUCH_CODE, find_package

    found = find_package(code, tx.code_owner, tx.client)
    if found is None:
        raise InputError(NO_SUCH_CODE)
    return found  # type: ignore[return-value]


def bookings_on(tx, view: dict, pkg: dict) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Bookings drawing on ``pkg`` that are not yet marked, by id (the owner's
    and those of clients it is shared with)."""
    found: dict[str, Any] = {}
    attendees = sorted({d["attendee"] for d in pkg.get("draws", {}).values() if d["state"] == "scheduled"})
    for attendee in attendees:
        other = view if attendee == view["id"] else (tx.client(attendee) or {"bookings": {}})
        for booking_id in pkg["draws"]:
            if booking_id in other["bookings"]:
                found[booking_id] = other["bookings"][booking_id]
    return found


def balance_by_code(client: Optional[str], show_all: bool, code: str, fmt: Format) -> None:
    """``balance --code``: the one package the code opens (one JSON object;
    CSV and TSV in ``CODE_CSV_COLUMNS``; for people, its balance table and
    the sessions booked on it)."""
    from ..reports.codes_text import CODE_CSV_COLUMNS, code_csv_rows, code_summary

    if client is not None:
        raise InputError("give either CLIENT or --code, not both")
    if show_all:
        raise InputError("--all lists every client's packages; --code shows one package: give one of them")
    opened = store()
    with opened.reading() as tx:
        view, pkg = package_by_code(tx, code)
        summary = code_summary(pkg, bookings_on(tx, view, pkg), opened.now, opened.settings.tz)
    if fmt in (Format.json, Format.jsonl):
        emit_record(fmt, summary)
    elif fmt in (Format.csv, Format.tsv):
        emit(fmt, CODE_CSV_COLUMNS, code_csv_rows(summary))
    else:
        _code_tables(summary, opened.now, opened.settings.tz)


# ``balance --code`` for people: the balance columns of ``balance`` (the
# package is in the title), then the sessions booked on it.
CODE_TABLE = [Col("item", keep=True), Col("left", keep=True), Col("booked", keep=True), Col("valid", keep=True),
              Col("status_text", "status"), Col("total_text", "total", keep=True, wide=True),
              Col("used_text", "used", keep=True, wide=True), Col("scheduled", wide=True),
              Col("out_text", "taken out", keep=True, wide=True), Col("remaining", wide=True)]
SESSION_TABLE = [Col("when", keep=True), Col("service"), Col("minutes", keep=True), Col("draws", keep=True)]


def _code_tables(summary: dict, now: Any, tz: Any) -> None:
    from ..reports.codes_text import code_session_rows, code_table_rows
    from .output import screen, write_table

    title = f"{summary['id']} ({summary['name']}) at {now:%Y-%m-%d %H:%M}"
    if screen().terminal:  # a long package name wraps at spaces, as table text does
        from .fit import wrap

        for line in wrap(title, screen().width):
            say(line)
        title = None
    write_table(CODE_TABLE, code_table_rows(summary, now, tz), title=title)
    say("")
    sessions = code_session_rows(summary, now, tz)
    if sessions:
        write_table(SESSION_TABLE, sessions, title="Booked, not yet marked")
    else:
        say("Booked, not yet marked: none")


def _refused_with_code(err: Exception) -> str:
    """A calendar refusal as a code's holder may read it: what is in the way
    is someone else's booking (never named), and the way out is another time
    (the overrides --allow-overlap and --force are the practice's own: the
    hint after '; ' is left out)."""
    from ..domain.guards import TimeTaken

    first = "that time is not free" if isinstance(err, TimeTaken) else str(err).split("; ")[0]
    return f"{first}; choose another time"


def book_by_code(code: str, positional: tuple[Optional[str], ...], duration: Optional[int], provider: Optional[str],
                 fmt: Format, refused: bool = False) -> None:
    """``book --code CODE SERVICE WHEN``: one session for the package's owner,
    drawn on that package alone; the output names nothing else."""
    from ..actions.calendar import checks_for
    from ..domain.bookings import Session, plan_booking
    from ..domain.guards import SessionRefused, when_text
    from ..domain.ids import check_slug
    from ..domain.services import check_duration
    from ..storage.catalog import load_service
    from .book_cmds import parse_when

    if refused:
        raise InputError("--code books one session on the code's own package: leave out --package, --no-package, --repeat, "
                         "--allow-overlap and --force")
    given = [arg for arg in positional if arg is not None]
    if len(given) != 2:
        raise InputError("with --code give SERVICE WHEN only (the code names the client); see 'sessionpack book --help'")
    service, when = given
    opened = store()
    tz = opened.settings.tz
    with opened.writing() as tx:
        view, pkg = package_by_code(tx, code)  # before anything else is looked at, the input itself included
        start = parse_when(when, tz, opened.now)
        check_slug(service, "service")
        minutes = check_duration(duration) if duration is not None else None
        record = load_service(opened.root, opened.settings.currency, service)
        if record is None:
            raise InputError(f"no service {service!r}; see 'sessionpack service list'")
        session = Session(view["id"], record, start, minutes or record.duration, provider)
        checks = checks_for(tx, [(session.start, session.duration)], tz)  # no overrides with a code
        try:
            event = plan_booking(view, {}, session, now=opened.now, tz=tz, currency=opened.settings.currency,
                                 package=pkg["id"], require_package=True, checks=checks, private=True)
        except SessionRefused as err:  # said without other clients' bookings, and without the desk's overrides
            raise RuleError(_refused_with_code(err)) from None
        event["booking"]["why"] = "booked with the package's access code"
        tx.commit([event])
    b = event["booking"]
    out = {"id": b["id"], "package": b["package"], "service": b["service"], "start": b["start"], "duration": b["duration"],
           "draw": b["draw"], "fee": b["fee"], "fee_tax": b["fee_tax"]}
    if fmt is Format.table:
        say(f"Booked {b['id']}: {b['service']} on {when_text(b['start'], tz)} ({b['duration']} min), drawn from {b['package']} "
            f"({b['draw']['amount']} {b['draw']['key']}); fee {b['fee']} + {b['fee_tax']} tax {opened.settings.currency}")
    else:
        emit_record(fmt, out)


@code_app.command("reset")
@writer
def code_reset(
    client_package: str = typer.Argument(..., metavar="CLIENT-PACKAGE"),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the history)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Give a client package a new access code; the old one stops working at once.

    Only a hash of each code is recorded, so a code is shown once (at sale
    or here) and can never be shown again: this is how a client who lost
    theirs gets one. Packages sold before codes existed get their first.

    \b
    Examples:
      sessionpack code reset ana.p1
      sessionpack code reset ana.p1 --reason "code was lost" --format json
    """
    from ..domain import codes
    from ..domain.ids import parse_client_package_id

    opened = store()
    owner_id, _ = parse_client_package_id(client_package)
    from ..domain.text import check_reason

    reason = check_reason(reason)
    code = codes.new_code()
    with opened.writing() as tx:
        _, pkg = find_client_package(tx, client_package, owner_id)
        tx.commit([codes.reset(pkg, codes.code_hash(code), reason, today=opened.today)])
    if opened.dry_run:  # nothing recorded: no new code, and the old one still works (null in JSON)
        if fmt is Format.table:
            say(f"Dry run: nothing was recorded (the new access code for {client_package} is made when the reset is; "
                "the old code still works)")
        else:
            emit_record(fmt, {"id": client_package, "code": None})
        return
    if fmt is Format.table:
        say(f"New access code for {client_package}: {code}, shown only now; the old code no longer works")
    else:
        emit_record(fmt, {"id": client_package, "code": code})
