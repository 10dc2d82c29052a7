"""refund (and cancel CLIENT-PACKAGE): close a client package (rule 10 of docs/rules.md)."""

from __future__ import annotations

from typing import Any, Optional

import typer

from ..errors import InputError
from .app import app, store, writer
from .client_cmds import client_view, find_client_package
from .output import Format, emit_record, say, warn

FMT = typer.Option(Format.table, "--format", help="Output format.")
CANCEL_BOOKINGS = typer.Option(False, "--cancel-bookings",
                               help="Cancel its future bookings (default: unlink them; they stay booked at the regular fee).")


def _booking_line(b: dict, cp_id: str, currency: str, tz: Any) -> str:
    from ..domain.balances import plain
    from ..domain.guards import when_text

    when = when_text(b["start"], tz)
    who = "" if b["attendee"] == cp_id.rsplit(".p", 1)[0] else f" for {b['attendee']}"
    back = f"{plain(b['returned']['amount'])} {b['returned']['key']} back to {cp_id}" if b["returned"] else f"nothing back to {cp_id}"
    if b["action"] == "cancelled":
        return f"Cancelled {b['id']} ({when}{who}): {back}"
    return f"Unlinked {b['id']} ({when}{who}): {back}; stays booked at the regular fee {b['fee']} + {b['fee_tax']} tax {currency}"


def close_package(cp_id: str, refund: Any, reason: Optional[str], cancel_bookings: bool, fmt: Format, opened: Any = None) -> None:
    """Refund (``refund`` given) or cancel a client package; print what was done."""
    from decimal import Decimal

    from ..domain.ids import parse_client_package_id
    from ..domain.money import money_text, quantize
    from ..domain.refunds import attendees_of, plan_close
    from ..domain.sales import payment_state
    from ..reports.balances import describe_event, package_summary

    opened = opened or store()
    currency = opened.settings.currency
    owner_id, _ = parse_client_package_id(cp_id)
    with opened.writing() as tx:
        owner, pkg = find_client_package(tx, cp_id, owner_id)
        views = {owner_id: owner}
        for other in attendees_of(pkg):
            if other not in views:
                view = tx.client(other)
                if view is not None:
                    views[other] = view
        events, summary = plan_close(owner, views, cp_id, refund=refund, reason=reason or "", cancel_bookings=cancel_bookings,
                                     now=opened.now, tz=opened.settings.tz, currency=currency)
        from .confirm import confirm

        confirm(f"{'refund' if refund is not None else 'cancel'} {cp_id}",
                [describe_event(events[-1])] + [_booking_line(b, cp_id, currency, opened.settings.tz) for b in summary["bookings"]])
        tx.commit(events)
        pkg = client_view(tx, owner_id)["packages"][cp_id]
        from .book_cmds import owed_back_line

        paid_back = {b["id"]: owed_back_line(client_view(tx, b["attendee"])["bookings"][b["id"]], currency)
                     for b in summary["bookings"] if b["action"] == "cancelled"}  # paid on a session now cancelled
    shown = package_summary(pkg, opened.now, opened.settings.tz)
    paid, refunded = Decimal(pkg["paid"]), quantize(Decimal(pkg.get("refunded") or 0), currency)
    record = {
        "id": cp_id,
        "status": shown["status"],
        "method": summary.get("method"),
        "refund": summary.get("refund", money_text(quantize(Decimal(0), currency))),
        "basis": summary.get("basis"),
        "paid": shown["paid"],
        "refunded": money_text(refunded),
        "net": money_text(paid - refunded),
        "payment": payment_state(pkg),
        "voided": summary["voided"],
        "remaining": shown["remaining"],
        "bookings": summary["bookings"],
    }
    if fmt is Format.table:
        head = describe_event(events[-1])
        if refund is not None:
            head += f" ({record['basis']})"
        say(head[0].upper() + head[1:])
        say(f"Payment: paid {record['paid']}, refunded {record['refunded']}, net {record['net']} {currency} ({record['payment']})")
        for b in summary["bookings"]:
            say(_booking_line(b, cp_id, currency, opened.settings.tz))
            if paid_back.get(b["id"]):
                say(paid_back[b["id"]])
        if not summary["bookings"]:
            say(f"No future bookings drew on {cp_id}")
    else:
        emit_record(fmt, record)
        for back in paid_back.values():  # standard output holds only the record
            if back:
                warn(back)


@app.command("refund")
@writer
def refund_cmd(
    client_package: str = typer.Argument(..., metavar="CLIENT-PACKAGE"),
    full: bool = typer.Option(False, "--full", help="Give back all that was paid."),
    amount: Optional[str] = typer.Option(None, "--amount", metavar="X", help="Give back this amount (not more than was paid)."),
    pro_rata: bool = typer.Option(False, "--pro-rata", help="Give back paid x remaining / available."),
    used_at_regular: bool = typer.Option(False, "--used-at-regular",
                                         help="Give back paid less each used or forfeited session at its regular fee."),
    fee: Optional[str] = typer.Option(None, "--fee", metavar="X", help="Keep this fee back (with --full, --pro-rata, --used-at-regular)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (required; kept in the history)."),
    cancel_bookings: bool = CANCEL_BOOKINGS,
    fmt: Format = FMT,
) -> None:
    """Refund a client package: money back, remaining balance voided, status refunded.

    Its future bookings (the owner's and those of clients it is shared with)
    are unlinked and stay booked at the regular fee, or with --cancel-bookings
    are cancelled; either way they are listed. Past sessions still marked
    booked must be marked attended, no-show or cancelled first.

    \b
    Examples:
      sessionpack refund ana.p1 --full --reason "moved abroad"
      sessionpack refund ana.p1 --pro-rata --reason "injury" --cancel-bookings
      sessionpack refund ana.p1 --used-at-regular --fee 20 \\
          --reason "changed her mind"
      sessionpack refund ana.p1 --amount 100 --reason "goodwill" --format json
    """
    from ..domain.money import parse_money
    from ..domain.refunds import Refund

    opened = store()
    currency = opened.settings.currency
    chosen = [name for name, on in (("full", full), ("partial", amount is not None), ("pro-rata", pro_rata),
                                    ("used-at-regular", used_at_regular)) if on]
    if len(chosen) != 1:
        raise InputError("say how much to refund with one of --full, --amount X, --pro-rata or --used-at-regular")
    value = parse_money(amount, currency, "--amount") if amount is not None else None
    if value is not None and value <= 0:
        raise InputError("--amount must be more than 0")
    kept = parse_money(fee, currency, "--fee") if fee is not None else None
    close_package(client_package, Refund(chosen[0], value, kept), reason, cancel_bookings, fmt, opened)
