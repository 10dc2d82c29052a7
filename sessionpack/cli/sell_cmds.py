"""sell, assign, pay: a client gets a package; money comes in.

Declared without importing Typer (``cli/declare.py``): these are hot
commands, run by the quick path when their command line is plain.
"""

from __future__ import annotations

import sys

from ..errors import InputError
from .declare import Argument, Option, command
from .lookup import find_client_package
from .output import Format, emit_record, say
from .runtime import store, writer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _sell(client: str | None, package_id: str | None, opts: dict, assign: bool, fmt: Format, dry_run: bool) -> None:
    """One sale (or assignment): the plan of one request, committed, rendered."""
    from ..actions.practice import Practice
    from ..actions.selling import SaleRequest, plan_sales
    from ..domain.sales import new_package_record, payment_state
    from ..reports.balances import expiry_text, package_summary

    if client is None or package_id is None:
        raise InputError("give CLIENT and PACKAGE, or --csv FILE; see 'sessionpack sell --help'")
    if opts["paid"] is not None and opts["unpaid"]:
        raise InputError("give either --paid AMOUNT or --unpaid, not both")
    request = SaleRequest(client=client, package=package_id, ref=opts["reference"], price=opts["price"],
                          paid="0" if opts["unpaid"] else opts["paid"], date=opts["sale_date"],
                          share=tuple(opts["share"] or ()), invoice=opts["invoice"], note=opts["note"])
    opened = store()
    currency = opened.settings.currency
    with opened.writing() as tx:
        plan = plan_sales(Practice(opened, tx), [request], assign=assign)
        if plan.problems:
            from ..actions.problems import first_error

            raise first_error(plan.problems)
        [row] = plan.rows
        if row.status == "unchanged":
            if fmt is Format.table:
                say(f"Unchanged: reference {row.ref!r} is already recorded as {row.id}")
            else:  # the same keys as a sale, as the package stands now; no code (it was shown once)
                emit_record(fmt, _sale_record(tx.client(row.client)["packages"][row.id], opened, unchanged=True, code=None))
            return
        tx.commit(plan.events)
    event = row.event
    pkg = new_package_record(row.id, client, event, opened.now.isoformat(), opened.actor, list(event["shared_with"]))
    summary = package_summary(pkg, opened.now, opened.settings.tz)
    shared_with = list(event["shared_with"])
    code = None if dry_run else row.code  # (null in JSON: a dry run makes no code)
    record = _sale_record(pkg, opened, unchanged=False, code=code, summary=summary)
    if fmt is Format.table:
        verb = "Assigned" if assign else "Sold"
        shared = f"; shared with {', '.join(shared_with)}" if shared_with else ""
        say(f"{verb} {row.package} to {client}: {row.id} (invoice {row.invoice}, total {event['sale']['total']} {currency}, "
            f"{payment_state(pkg)}; expires: {expiry_text(summary)}{shared})")
        if dry_run:
            say("Dry run: nothing was recorded (the access code is made when the sale is)")
        else:
            say(f"Access code: {code}, shown only now; 'sessionpack code reset {row.id}' issues a new one")
    else:
        emit_record(fmt, record)


def _sale_record(pkg: dict, opened: Any, unchanged: bool, code: str | None, summary: dict | None = None) -> dict:
    """What ``sell`` prints of a client package for a program: the same keys
    for a new sale and for one whose ``--ref`` was already recorded."""
    from ..domain.sales import payment_state
    from ..reports.balances import package_summary

    summary = summary or package_summary(pkg, opened.now, opened.settings.tz)
    return {"id": pkg["id"], "package": pkg["package"], "client": pkg["owner"], "invoice": pkg["sale"]["invoice"],
            "total": summary["total"], "paid": summary["paid"], "payment": payment_state(pkg),
            "expires": summary["expires"], "remaining": summary["remaining"], "shared_with": list(pkg["shared_with"]),
            "unchanged": unchanged, "code": code}


SINGLE_ONLY = (("price", "--price"), ("paid", "--paid"), ("unpaid", "--unpaid"), ("invoice", "--invoice"),
               ("sale_date", "--date"), ("reference", "--ref"), ("share", "--share"), ("note", "--note"))
CSV_ROW_COLUMNS = ["line", "ref", "status", "client", "package", "id", "invoice", "code"]


def _sell_csv(path: str, client: str | None, package_id: str | None, opts: dict, assign: bool, create_clients: bool,
              hooks: bool, fmt: Format, dry_run: bool) -> None:
    """Every row of a CSV file checked, then all recorded in one commit (or none)."""
    from ..actions.csvtable import read_table
    from ..actions.practice import Practice
    from ..actions.problems import ProblemsFound
    from ..actions.selling import REQUIRED, known_column, known_text, plan_sales, request_from_row, unknown_hint
    from .bulk_out import emit_rows, leave_for_exit, progress, read_input, refuse, warn_alikes
    from .output import bulk_work

    if client is not None or package_id is not None:
        raise InputError("with --csv FILE the clients and packages are columns of the file; give no CLIENT PACKAGE")
    for key, option in SINGLE_ONLY:
        if opts[key]:
            column = {"sale_date": "date", "reference": "ref", "unpaid": "paid"}.get(key, key)
            raise InputError(f"{option} goes with one sale; with --csv put it in the {column} column of the file")
    opened = store()
    if not hooks:
        opened.after_commit = None  # a file of sales or imported balances runs no hooks unless asked (--hooks)
    data, source = read_input(path)
    with bulk_work():  # (from the rows read to the rows printed: tens of thousands of objects, no cycles)
        table = read_table(data, known=lambda name: known_column(name, create_clients), required=REQUIRED,
                           known_text=known_text(create_clients), unknown_hint=unknown_hint)
        if table.problems:
            refuse(ProblemsFound(table.problems, source))
        requests = [request_from_row(row) for row in table.rows]
        with progress(len(requests), source) as advance:
            with opened.writing() as tx:
                plan = plan_sales(Practice(opened, tx), requests, assign=assign, create_clients=create_clients, progress=advance)
                if plan.problems:
                    refuse(ProblemsFound(plan.problems, source, table.columns))
                if plan.events:
                    tx.commit(plan.events)
        warn_alikes(opened, plan.new_clients, source, "if so, write that client's id in the client column")
        rows = []
        for row in plan.rows:
            record = row.record()
            if dry_run:
                record["code"] = None  # made when the sale is recorded (null in JSON, an empty cell in CSV)
            rows.append(record)
        created, unchanged = plan.created(), len(plan.rows) - plan.created()
        title = f"From {source}: {created} created, {unchanged} unchanged"
        if plan.clients_created:
            title += f"; {len(plan.clients_created)} new client{'s' if len(plan.clients_created) != 1 else ''}"
        if dry_run:
            title += " (dry run: nothing was recorded)"
        if not rows and fmt is Format.table:
            say(f"No rows in {source}: nothing to do")
            return
        emit_rows(fmt, CSV_ROW_COLUMNS, rows, title)
        leave_for_exit(len(rows))


# A sale, then two balances brought from another system, of packages of the
# example practice (data-example), which a dry run there accepts as printed.
SELL_TEMPLATE = """client,package,ref,price,paid,date,share,invoice,note,remaining,used_before,expires,activated
ana,massage-trio,shop-1042,,,,,,,,,,
bruno,physio-10,old-0017,,480,2026-02-01,,,from the old booking system,6,4,,2026-02-05
carla,credit-300,old-0018,270,270,2026-01-15,,,,120.50,,2027-01-15,
"""


def _template(create_clients: bool) -> None:
    if not create_clients:
        sys.stdout.write(SELL_TEMPLATE)
        return
    names = {"ana": "Ana Lima,ana@example.com", "bruno": "Bruno Costa,", "carla": "Carla Mendes,carla@example.com"}
    lines = SELL_TEMPLATE.splitlines()
    sys.stdout.write(lines[0] + ",name,email\n" + "".join(f"{line},{names[line.split(',')[0]]}\n" for line in lines[1:]))


def _run(client: str | None, package_id: str | None, opts: dict, assign: bool, csv_path: str | None, template: bool,
         create_clients: bool, hooks: bool, dry_run: bool, fmt: Format) -> None:
    if template:
        from .bulk_out import refuse_with_template

        single = [(option, bool(opts[key])) for key, option in SINGLE_ONLY]
        refuse_with_template([("CLIENT PACKAGE", client is not None or package_id is not None), ("--csv", csv_path is not None),
                              *single, ("--hooks", hooks), ("--dry-run", dry_run), ("--format", fmt is not Format.table)],
                             f"sessionpack {'assign' if assign else 'sell'} --csv-template > sales.csv")
        _template(create_clients)
        return
    if csv_path is not None:
        _sell_csv(csv_path, client, package_id, opts, assign, create_clients, hooks, fmt, dry_run)
        return
    for flag, option in ((create_clients, "--create-clients"), (hooks, "--hooks")):
        if flag:
            raise InputError(f"{option} goes with --csv FILE")
    _sell(client, package_id, opts, assign, fmt, dry_run)


PRICE = Option(None, "--price", help="Net price charged (default the package's); tax follows the package.")
PAID = Option(None, "--paid", help="Amount paid now (default: all of it).")
UNPAID = Option(False, "--unpaid", help="Nothing paid yet ('sessionpack pay' records it later).")
INVOICE = Option(None, "--invoice", help="Invoice number (default the next number).")
DATE = Option(None, "--date", help="Sale date, to back-date a sale (ISO date).")
REF = Option(None, "--ref", help="External reference, unique in the practice; selling again with it changes nothing.")
NOTE = Option(None, "--note", help="A note kept with the sale (one line).")
FMT = Option(Format.table, "--format", help="Output format.")
SHARE = Option(None, "--share", metavar="CLIENT", help="Another client who may use it (repeatable).")
CSV = Option(None, "--csv", metavar="FILE|-", help="Sell one package per row of a CSV file ('-': standard input): all rows or none.")
TEMPLATE = Option(False, "--csv-template", help="Print a CSV file with every column, to fill in.")
CREATE = Option(False, "--create-clients", help="With --csv: add the clients the file names that are not recorded (name and email columns).")
HOOKS = Option(False, "--hooks", help="With --csv: run the hooks of what is recorded (a file runs none by default).")
DRY_RUN = Option(False, "--dry-run", help="Check everything and print what would be recorded; record nothing.")
CLIENT_ARG = Argument(None, metavar="CLIENT", show_default=False)
PACKAGE_ARG = Argument(None, metavar="PACKAGE", show_default=False)


@command("sell")
@writer
def sell_cmd(
    client: str | None = CLIENT_ARG,
    package: str | None = PACKAGE_ARG,
    price: str | None = PRICE, paid: str | None = PAID, unpaid: bool = UNPAID, invoice: str | None = INVOICE,
    sale_date: str | None = DATE, reference: str | None = REF, share: list[str] | None = SHARE,
    note: str | None = NOTE, csv_path: str | None = CSV, template: bool = TEMPLATE, create_clients: bool = CREATE,
    hooks: bool = HOOKS, dry_run: bool = DRY_RUN, fmt: Format = FMT,
) -> None:
    """Sell a package to a client; prints the client package id and its access code.

    The package's terms are copied into the sale: later edits of the package
    never change what the client bought. A --ref is unique in the whole
    practice: selling again with it records nothing if it is the same sale,
    and is refused (exit 1) if it is another.

    With --csv FILE, one sale per row (columns: client, package, ref, and
    optionally price, paid, date, share, invoice, note; for a balance
    brought from another system also remaining or remaining.KEY,
    used_before, expires, activated). Every row is checked first; any
    problem is listed as FILE:LINE:COLUMN and nothing is recorded (exit 2,
    or 1 when every problem is a refusal, such as a reference recorded with
    other details); otherwise all rows are recorded in one commit. Rows
    already recorded are reported unchanged, so the file can be run again.

    \b
    Examples:
      sessionpack sell ana five-massages
      sessionpack sell ana five-massages --unpaid --ref shop-1042 --format json
      sessionpack sell carla family-10 --share diogo
      sessionpack sell --csv-template > sales.csv
      sessionpack sell --csv sales.csv --dry-run
      sessionpack sell --csv - --create-clients --format jsonl < sales.csv
    """
    opts = dict(price=price, paid=paid, unpaid=unpaid, invoice=invoice, sale_date=sale_date, reference=reference, share=share, note=note)
    _run(client, package, opts, False, csv_path, template, create_clients, hooks, dry_run, fmt)


@command("assign")
@writer
def assign_cmd(
    client: str | None = CLIENT_ARG,
    package: str | None = PACKAGE_ARG,
    price: str | None = PRICE, paid: str | None = PAID, unpaid: bool = UNPAID, invoice: str | None = INVOICE,
    sale_date: str | None = DATE, reference: str | None = REF, share: list[str] | None = SHARE,
    note: str | None = NOTE, csv_path: str | None = CSV, template: bool = TEMPLATE, create_clients: bool = CREATE,
    hooks: bool = HOOKS, dry_run: bool = DRY_RUN, fmt: Format = FMT,
) -> None:
    """Assign a package to a client, including not-for-sale ones (as sell does; --csv too).

    \b
    Examples:
      sessionpack assign ana sauna-week --price 0
      sessionpack assign --csv gifts.csv
    """
    opts = dict(price=price, paid=paid, unpaid=unpaid, invoice=invoice, sale_date=sale_date, reference=reference, share=share, note=note)
    _run(client, package, opts, True, csv_path, template, create_clients, hooks, dry_run, fmt)


def _negative_number(text: str) -> bool:
    """'-5', '-5.50', '-.5': what a person means as a negative amount."""
    digits = text[1:].replace(".", "", 1)
    return text.startswith("-") and digits.isascii() and digits.isdigit()


def _amount_command(**kwargs: Any) -> Any:
    """Typer's command for ``pay``, built when Typer is: a negative AMOUNT
    ("-5") is read by the parser as an unknown option; it is named as the
    amount it is, as ``sell --paid -5`` names it."""
    from typer._click.exceptions import NoSuchOption, UsageError
    from typer.core import TyperCommand

    class AmountCommand(TyperCommand):
        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
            given = list(args)  # (the parser takes its items off ``args``)
            try:
                return super().parse_args(ctx, args)
            except NoSuchOption as err:
                name = err.option_name or "-"
                number = next((arg for arg in given if arg.startswith(name) and _negative_number(arg)), None)
                if number is None:
                    raise
                raise UsageError(f"amount must not be negative: {number}", ctx) from None

    return AmountCommand(**kwargs)


@command("pay", cls=_amount_command)
@writer
def pay_cmd(
    client_package: str = Argument(..., metavar="CLIENT-PACKAGE|BOOKING"),
    amount: str = Argument(..., metavar="AMOUNT"),
    method: str = Option("", "--method", help="How it was paid (cash, card, transfer...)."),
    fmt: Format = Option(Format.table, "--format", help="Output format."),
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
        event = pay(pkg, value, opened.settings.currency, method.strip(), today=opened.today)
        tx.commit([event])
    from decimal import Decimal

    pkg = dict(pkg, paid=money_text(Decimal(pkg["paid"]) + value))
    record = {"id": client_package, "paid": pkg["paid"], "total": pkg["sale"]["total"], "payment": payment_state(pkg)}
    if fmt is Format.table:
        say(f"Recorded {money_text(value)} {opened.settings.currency} on {client_package}: paid {pkg['paid']} of {pkg['sale']['total']} ({record['payment']})")
    else:
        emit_record(fmt, record)
