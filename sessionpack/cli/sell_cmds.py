"""sell, assign, pay: a client gets a package; money comes in."""

from __future__ import annotations

from datetime import date
from typing import List, Optional

import typer

from ..errors import InputError
from .app import app, boundary, store
from .client_cmds import client_view, find_client_package
from .output import Format, emit_record, say


def load_offer(opened, package_id: str):  # type: ignore[no-untyped-def]
    from ..domain.ids import check_slug
    from ..storage.catalog import load_package, load_services

    check_slug(package_id, "package")
    services = load_services(opened.root, opened.settings.currency)
    package = load_package(opened.root, opened.settings.currency, package_id, services)
    if package is None:
        raise InputError(f"no package {package_id!r}; see 'sessionpack package list --all'")
    return package


def regular_prices(opened, package):  # type: ignore[no-untyped-def]
    """Regular net prices of a fixed mix's services at the sale (they weigh its
    valuation); None for other packages (no catalog read needed)."""
    if package.contents.kind != "fixed" or len(package.contents.sessions) < 2:
        return None
    from ..storage.catalog import load_service

    found = {sid: load_service(opened.root, opened.settings.currency, sid) for sid, _ in package.contents.sessions}
    return {sid: service.price for sid, service in found.items() if service is not None}


def _money(text: Optional[str], currency: str, what: str):  # type: ignore[no-untyped-def]
    from ..domain.money import parse_money

    return None if text is None else parse_money(text, currency, what)


def _sell(client: str, package_id: str, price: Optional[str], paid: Optional[str], unpaid: bool, invoice: Optional[str],
          sale_date: Optional[str], reference: Optional[str], assign: bool, fmt: Format, share: Optional[List[str]] = None) -> None:
    from ..domain.codes import code_hash, new_code
    from ..domain.ids import check_slug
    from ..domain.sales import find_reference, payment_state, sell
    from ..reports.balances import expiry_text, package_summary

    opened = store()
    currency = opened.settings.currency
    if paid is not None and unpaid:
        raise InputError("give either --paid AMOUNT or --unpaid, not both")
    price_value = _money(price, currency, "--price")
    paid_value = _money("0", currency, "--paid") if unpaid else _money(paid, currency, "--paid")
    if sale_date is not None:
        from ..domain.datetimes import parse_date

        day = parse_date(sale_date, "--date", "2026-11-02", today=opened.today)
    else:
        day = opened.now.date()
    if day > opened.now.date():
        raise InputError(f"--date {day.isoformat()} is in the future; a sale can be back-dated, not post-dated")
    from ..domain.text import has_control

    if reference is not None and (not reference.strip() or len(reference) > 200 or has_control(reference)):
        raise InputError("--ref must be one line of at most 200 characters")
    if invoice is not None and (not invoice.strip() or len(invoice) > 64 or has_control(invoice)):
        raise InputError("--invoice must be one line of at most 64 characters")
    share_with = tuple(share or ())
    for other in share_with:
        check_slug(other, "client")
    with opened.writing() as tx:
        owner = client_view(tx, client)
        for other in share_with:
            client_view(tx, other)
        if reference is not None:
            existing = find_reference(owner, reference)
            if existing:
                summary = package_summary(owner["packages"][existing], opened.now, opened.settings.tz)
                if fmt is Format.table:
                    say(f"Unchanged: reference {reference!r} is already recorded as {existing}")
                else:
                    emit_record(fmt, {"id": existing, "package": summary["package"], "client": client, "unchanged": True})
                return
        package = load_offer(opened, package_id)
        sold = opened.load_sold()
        number = invoice or f"{sold.get('sales', 0) + 1:06d}"
        event = sell(owner, package, currency=currency, sale_date=day, invoice=number, price=price_value,
                     paid=paid_value, reference=reference, assign=assign, share_with=share_with,
                     regular_prices=regular_prices(opened, package))
        code = new_code()  # shown once, below; only its hash is recorded
        event["code_hash"] = code_hash(code)
        tx.commit([event])
        pkg = (tx.client(client) or owner)["packages"][event["client_package"]]
    summary = package_summary(pkg, opened.now, opened.settings.tz)
    record = {"id": event["client_package"], "package": package.id, "client": client, "invoice": number,
              "total": event["sale"]["total"], "paid": event["paid"], "payment": payment_state(pkg),
              "expires": summary["expires"], "remaining": summary["remaining"], "shared_with": list(share_with),
              "unchanged": False}
    record["code"] = code
    if fmt is Format.table:
        verb = "Assigned" if assign else "Sold"
        shared = f"; shared with {', '.join(share_with)}" if share_with else ""
        say(f"{verb} {package.id} to {client}: {event['client_package']} (invoice {number}, total {event['sale']['total']} {currency}, "
            f"{payment_state(pkg)}; expires: {expiry_text(summary)}{shared})")
        say(f"Access code: {code}, shown only now; 'sessionpack code reset {event['client_package']}' issues a new one")
    else:
        emit_record(fmt, record)


PRICE = typer.Option(None, "--price", help="Net price charged (default the package's); tax follows the package.")
PAID = typer.Option(None, "--paid", help="Amount paid now (default: all of it).")
UNPAID = typer.Option(False, "--unpaid", help="Nothing paid yet ('sessionpack pay' records it later).")
INVOICE = typer.Option(None, "--invoice", help="Invoice number (default the next number).")
DATE = typer.Option(None, "--date", help="Sale date, to back-date a sale (ISO date).")
REF = typer.Option(None, "--ref", help="External reference; selling again with the same one changes nothing.")
FMT = typer.Option(Format.table, "--format", help="Output format.")
SHARE = typer.Option(None, "--share", metavar="CLIENT", help="Another client who may use it (repeatable).")


@app.command("sell")
@boundary
def sell_cmd(
    client: str = typer.Argument(..., metavar="CLIENT"),
    package: str = typer.Argument(..., metavar="PACKAGE"),
    price: Optional[str] = PRICE, paid: Optional[str] = PAID, unpaid: bool = UNPAID, invoice: Optional[str] = INVOICE,
    sale_date: Optional[str] = DATE, reference: Optional[str] = REF, share: Optional[List[str]] = SHARE, fmt: Format = FMT,
) -> None:
    """Sell a package to a client; prints the client package id.

    The package's terms are copied into the sale: later edits of the package
    never change what the client bought.

    \b
    Examples:
      sessionpack sell ana five-massages
      sessionpack sell ana five-massages --unpaid --ref shop-1042 --format json
      sessionpack sell carla family-10 --share diogo
    """
    _sell(client, package, price, paid, unpaid, invoice, sale_date, reference, False, fmt, share)


@app.command("assign")
@boundary
def assign_cmd(
    client: str = typer.Argument(..., metavar="CLIENT"),
    package: str = typer.Argument(..., metavar="PACKAGE"),
    price: Optional[str] = PRICE, paid: Optional[str] = PAID, unpaid: bool = UNPAID, invoice: Optional[str] = INVOICE,
    sale_date: Optional[str] = DATE, reference: Optional[str] = REF, share: Optional[List[str]] = SHARE, fmt: Format = FMT,
) -> None:
    """Assign a package to a client, including not-for-sale ones.

    \b
    Example:
      sessionpack assign ana sauna-week --price 0
    """
    _sell(client, package, price, paid, unpaid, invoice, sale_date, reference, True, fmt, share)


@app.command("pay")
@boundary
def pay_cmd(
    client_package: str = typer.Argument(..., metavar="CLIENT-PACKAGE|BOOKING"),
    amount: str = typer.Argument(..., metavar="AMOUNT"),
    method: str = typer.Option("", "--method", help="How it was paid (cash, card, transfer...)."),
    fmt: Format = FMT,
) -> None:
    """Record a later payment on a client package, or on a booking's fee.

    \b
    Examples:
      sessionpack pay ana.p1 200 --method card
      sessionpack pay ana.b3 90 --method cash
    """
    from ..domain.ids import BOOKING_RE, parse_client_package_id
    from ..domain.money import money_text, parse_money
    from ..domain.sales import pay, payment_state

    opened = store()
    if BOOKING_RE.match(client_package):
        from .link_cmds import pay_booking_cmd

        pay_booking_cmd(opened, client_package, parse_money(amount, opened.settings.currency, "amount"), method.strip(), fmt)
        return
    owner_id, _ = parse_client_package_id(client_package)
    value = parse_money(amount, opened.settings.currency, "amount")
    with opened.writing() as tx:
        _, pkg = find_client_package(tx, client_package, owner_id)
        event = pay(pkg, value, opened.settings.currency, method.strip())
        tx.commit([event])
    from decimal import Decimal

    pkg = dict(pkg, paid=money_text(Decimal(pkg["paid"]) + value))
    record = {"id": client_package, "paid": pkg["paid"], "total": pkg["sale"]["total"], "payment": payment_state(pkg)}
    if fmt is Format.table:
        say(f"Recorded {money_text(value)} {opened.settings.currency} on {client_package}: paid {pkg['paid']} of {pkg['sale']['total']} ({record['payment']})")
    else:
        emit_record(fmt, record)
