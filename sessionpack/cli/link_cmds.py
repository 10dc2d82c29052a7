"""link, unlink: which client package pays for a booking (rule 7 of docs/rules.md)."""

from __future__ import annotations

from typing import Any, Optional

import typer

from ..errors import InputError
from .app import app, store, writer
from .client_cmds import client_view, find_booking, find_client_package
from .output import Format, emit_record, say

FMT = typer.Option(Format.table, "--format", help="Output format.")


def _reason(text: Optional[str]) -> Optional[str]:
    from ..domain.text import check_reason

    return check_reason(text)


def booking_record(booking: dict, pkg: Optional[dict], currency: str, **extra: Any) -> dict:
    """What link and unlink print as JSON: the booking's package, draw, fee and payment."""
    from ..domain import balances
    from ..domain.links import booking_payment

    money = booking_payment(booking, currency)
    record = {"id": booking["id"], "attendee": booking["attendee"], "status": booking["status"],
              "package": booking.get("package"), "draw": booking.get("draw"), **extra,
              "fee": booking["fee"], "fee_tax": booking["fee_tax"], "paid": money["paid"], "due": money["due"],
              "payment": money["payment"]}
    if pkg is not None:
        record["remaining"] = {key: balances.plain(row["remaining"]) for key, row in balances.balance(pkg).items()}
    return record


def fee_text(record: dict, currency: str) -> str:
    return f"fee {record['fee']} + {record['fee_tax']} tax {currency} ({record['payment']})"


def left_text(cp_id: str, remaining: dict) -> str:
    from ..domain.balances import plain

    return f"{cp_id} has " + ", ".join(f"{key} {plain(value)}" for key, value in remaining.items()) + " left"


@app.command("link")
@writer
def link_cmd(
    booking: str = typer.Argument(..., metavar="BOOKING"),
    client_package: str = typer.Argument(..., metavar="CLIENT-PACKAGE"),
    count_as: Optional[str] = typer.Option(None, "--count-as", metavar="SERVICE",
                                           help="Draw as this service (for a service the package does not include)."),
    no_count: bool = typer.Option(False, "--no-count", help="Link without drawing anything from the package."),
    force: bool = typer.Option(False, "--force", help="Link to an expired, used-up, cancelled or otherwise unusable package (needs --reason)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the history; needed with --force)."),
    fmt: Format = FMT,
) -> None:
    """Link a booking to a client package: it draws as booking would, and its fee follows.

    A booking links to one package at a time. A service the package does not
    include needs --count-as SERVICE or --no-count. An expired, used-up,
    cancelled, refunded or paused package (or one whose restrictions the
    session breaks) needs --force with --reason. Linking is how a package
    pays for a booking made at the regular fee.

    \b
    Examples:
      sessionpack link ana.b3 ana.p1
      sessionpack link ana.b4 ana.p1 --count-as massage
      sessionpack link ana.b5 ana.p1 --no-count --reason "free follow-up"
      sessionpack link ana.b6 ana.p2 --force \\
          --reason "expired last week, agreed to honour it"
    """
    from ..domain.ids import check_slug, parse_client_package_id
    from ..domain.links import link_words, plan_link
    from ..storage.catalog import load_service

    opened = store()
    currency = opened.settings.currency
    why = _reason(reason)
    parse_client_package_id(client_package)
    if count_as is not None and no_count:
        raise InputError("give either --count-as SERVICE or --no-count, not both")
    if force and why is None:
        raise InputError("--force needs --reason R (it stays in the history)")
    if count_as is not None:
        check_slug(count_as, "service")
    with opened.writing() as tx:
        found, attendee = find_booking(tx, booking)
        owner, _ = find_client_package(tx, client_package, known=attendee)
        service = None
        if count_as is not None:
            service = load_service(opened.root, currency, count_as)
            if service is None:
                raise InputError(f"no service {count_as!r}; see 'sessionpack service list'")
        event = plan_link(found, attendee, owner, client_package, now=opened.now, tz=opened.settings.tz, currency=currency,
                          count_as=service, no_count=no_count, force=force, reason=why)
        tx.commit([event])
        updated = client_view(tx, found["attendee"])["bookings"][booking]
        pkg = client_view(tx, owner["id"])["packages"][client_package]
    record = booking_record(updated, pkg, currency, counted_as=event["counted_as"], drew=event["draw"] is not None,
                            forced=event["forced"])
    if fmt is Format.table:
        say(f"{link_words(event)}; {fee_text(record, currency)}; {left_text(client_package, record['remaining'])}")
    else:
        emit_record(fmt, record)


@app.command("unlink")
@writer
def unlink_cmd(
    booking: str = typer.Argument(..., metavar="BOOKING"),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in the history)."),
    fmt: Format = FMT,
) -> None:
    """Unlink a booking from its client package: the package gets back exactly
    what the booking drew; the booking stays booked, at its regular fee.

    \b
    Examples:
      sessionpack unlink ana.b3
      sessionpack unlink ana.b3 --reason "paid in cash instead" --format json
    """
    from ..domain.links import plan_unlink, unlink_words

    opened = store()
    currency = opened.settings.currency
    why = _reason(reason)
    with opened.writing() as tx:
        found, attendee = find_booking(tx, booking)
        owner = None
        if found.get("package"):
            owner, _ = find_client_package(tx, found["package"], known=attendee)
        event = plan_unlink(found, owner or attendee, currency=currency, reason=why)
        tx.commit([event])
        updated = client_view(tx, found["attendee"])["bookings"][booking]
        pkg = client_view(tx, event["owner"])["packages"][event["package"]]
    record = booking_record(updated, pkg, currency, unlinked_from=event["package"], returned=event["returned"])
    if fmt is Format.table:
        lapses = f" (expired on {pkg['expired_at']}: what returns lapses with it)" if event["returned"] and pkg.get("expired_at") else ""
        say(f"{unlink_words(event)}{lapses}; {fee_text(record, currency)}; {left_text(event['package'], record['remaining'])}")
    else:
        emit_record(fmt, record)


def pay_booking_cmd(opened, booking_id: str, amount, method: str, fmt: Format) -> None:  # type: ignore[no-untyped-def]
    """``pay BOOKING AMOUNT``: money paid towards a booking's fee."""
    from ..domain.links import booking_payment, pay_booking
    from ..domain.money import money_text

    currency = opened.settings.currency
    with opened.writing() as tx:
        found, _ = find_booking(tx, booking_id)
        event = pay_booking(found, amount, currency, method)
        tx.commit([event])
        updated = client_view(tx, found["attendee"])["bookings"][booking_id]
    money = booking_payment(updated, currency)
    record = {"id": booking_id, "paid": money["paid"], "total": money["total"], "payment": money["payment"]}
    if fmt is Format.table:
        say(f"Recorded {money_text(amount)} {currency} on {booking_id}: paid {money['paid']} of {money['total']} ({money['payment']})")
    else:
        emit_record(fmt, record)
