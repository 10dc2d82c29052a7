"""move: a booking to another time, as one event (rule 25 of docs/rules.md)."""

from __future__ import annotations

from typing import Optional

import typer

from ..errors import InputError
from .app import app, store, writer
from .book_cmds import FMT, booking_line, owed_back_line, owner_views, parse_when
from .client_cmds import client_view, find_booking
from .output import Format, emit_record, say, warn


@app.command("move")
@writer
def move_cmd(
    booking: str = typer.Argument(..., metavar="BOOKING"),
    when: str = typer.Argument(..., metavar="WHEN", help="New start, ISO date-time (practice time zone if no offset)."),
    package: Optional[str] = typer.Option(None, "--package", help="Draw on this client package at the new time."),
    no_package: bool = typer.Option(False, "--no-package", help="At the new time, draw on no package (regular fee)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the history)."),
    allow_overlap: bool = typer.Option(False, "--allow-overlap", help="Move even when the provider already has a session then "
                                       "(rule 21 of docs/rules.md)."),
    force: bool = typer.Option(False, "--force", help="Move even to more than a year before or after today, or so early that a first-use clock would end before later bookings (rule 21 of docs/rules.md); with --reason, even when the new fee is less than what was paid."),
    fmt: Format = FMT,
) -> None:
    """Move a booking to another time; who pays is judged again for it.

    The booking keeps its id, service, duration, provider and price. A
    booking drawing on a package keeps it when it can still pay at the new
    time (a first-use package's clock follows the session); otherwise the
    reason is recorded and a package is chosen as for a new booking (rule 3),
    or the session is at the regular fee. A booking at the regular fee stays
    so. --package and --no-package choose, as for 'book'. The new time passes
    the checks of a new booking (rule 21): provider, overlap, capacity, a
    date more than a year away. A new fee below what was already paid on the
    booking is refused, as 'link' refuses it; --force --reason moves it
    anyway, and the difference is owed back to the client. The history shows
    "moved from ... to ..." (rule 25 of docs/rules.md).

    \b
    Examples:
      sessionpack move ana.b3 2026-12-03T11:00
      sessionpack move ana.b3 "fri 10:00" --reason "asked by phone"
      sessionpack move ana.b3 2027-01-05T10:00 --package ana.p2 --format json
    """
    from ..actions.calendar import checks_for
    from ..domain.guards import when_text
    from ..domain.moves import plan_move
    from ..domain.text import check_reason
    from ..storage.catalog import load_service

    if package and no_package:
        raise InputError("give either --package or --no-package, not both")
    reason = check_reason(reason)
    opened = store()
    tz = opened.settings.tz
    start = parse_when(when, tz, opened.now)
    with opened.writing() as tx:
        found, attendee = find_booking(tx, booking)
        owners = owner_views(tx, attendee, package)
        old_owner = found.get("owner")
        if old_owner and old_owner != attendee["id"] and old_owner not in owners:
            view = tx.client(old_owner)
            if view is not None:
                owners[old_owner] = view
        checks = checks_for(tx, [(start, int(found["duration"]))], tz, allow_overlap=allow_overlap, force=force)
        catalog = load_service(opened.root, opened.settings.currency, found["service"])
        event = plan_move(found, attendee, owners, start, catalog=catalog, checks=checks, now=opened.now, tz=tz,
                          currency=opened.settings.currency, package=package, no_package=no_package,
                          reason=reason.strip() if reason else None)
        tx.commit([event])
        moved = dict(client_view(tx, attendee["id"])["bookings"][booking])
    back = owed_back_line(moved, opened.settings.currency)  # only when moved with --force past what was paid
    if fmt is Format.table:
        say(f"Moved {booking_line(moved, opened.settings.currency, tz)}; was {when_text(event['from'], tz)}")
        if back:
            say(back)
        return
    moved["moved_from"] = event["from"]
    emit_record(fmt, moved)
    if back:
        warn(back)
