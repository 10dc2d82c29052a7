"""report ... and statement: the agenda, sales, usage, money owed, expiring
packages, the liability roll-forward, and a client's statement.

Each command reads the report views (``storage.report_shards``) or one
client's view, calls one pure function of ``reports`` and draws its rows.
JSON is one object: ``rows`` and, apart, ``totals`` (amounts as strings).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import Enum
from typing import Any, Callable, Optional

import typer

from ..errors import InputError
from .app import app, boundary, store
from .output import Format, bulk_work, write_delimited, write_json, write_jsonl

report_app = typer.Typer(
    help="Reports over the whole practice: agenda, sales, usage, money owed, expiring packages, liability.",
    epilog="\b\nExamples:\n  sessionpack report bookings\n  sessionpack report sales --from 2026-03-01 --to 2026-03-31\n"
           "  sessionpack report liability --by month --format csv",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")

FMT = typer.Option(Format.table, "--format", help="Output format.")
FROM = typer.Option(None, "--from", help="First day (inclusive): YYYY-MM-DD, today, tomorrow, yesterday, a weekday, +Nd, -Nd, +Nw, -Nw.")
TO = typer.Option(None, "--to", help="Last day (inclusive), same forms as --from.")
CLIENT = typer.Option(None, "--client", help="Only this client.")


class By(str, Enum):
    month = "month"
    package = "package"
    client = "client"
    service = "service"


class StatementFormat(str, Enum):
    table = "table"
    text = "text"
    md = "md"
    json = "json"
    csv = "csv"
    tsv = "tsv"


def _today(opened: Any) -> date:
    return opened.now.astimezone(opened.settings.tz).date()


def _period(opened: Any, start: Optional[str], end: Optional[str], around: Callable[[date], tuple[date, date]],
            day_by_day: bool = True) -> Any:
    """``--from``/``--to`` of a report whose default period is ``around(today)``
    (``reports.periods.period_around``); a report that goes ``day_by_day``
    takes at most a hundred years."""
    from ..reports.periods import MAX_DAYS, period_around

    return period_around(start, end, _today(opened), around, MAX_DAYS if day_by_day else None)


def _week(day: date) -> tuple[date, date]:
    """The agenda's default: the day and the next 7."""
    return day, day + timedelta(days=7)


def _month(day: date) -> tuple[date, date]:
    """The default of sales and usage: the day's month."""
    from ..reports.periods import month_end, month_start

    return month_start(day), month_end(day)


def _year(day: date) -> tuple[date, date]:
    """The liability roll-forward's default: the 12 months through the day
    (from the first of the 11th month before it)."""
    from ..reports.periods import month_start

    return month_start(month_start(day) - timedelta(days=330)), day


def _slug(value: Optional[str], what: str) -> Optional[str]:
    from ..domain.ids import check_slug

    return None if value is None else check_slug(value, what)


def _known(tx: Any, client: Optional[str] = None, service: Optional[str] = None, package: Optional[str] = None,
           client_package: Optional[str] = None) -> None:
    """Refuse a filter naming what the practice does not have (exit 2), as
    every other command refuses an unknown id: a typo in ``--client`` would
    otherwise be an empty report ("Nothing is owed") that reads as an answer."""
    import os

    from ..storage import layout
    from .lookup import client_view, find_client_package

    if client is not None:
        client_view(tx, client)
    if service is not None and not os.path.isfile(layout.service_path(tx.store.root, service)):
        raise InputError(f"no service {service!r}; see 'sessionpack service list --all'")
    if package is not None and not os.path.isfile(layout.package_path(tx.store.root, package)):
        raise InputError(f"no package {package!r}; see 'sessionpack package list --all'")
    if client_package is not None:
        find_client_package(tx, client_package)


def _render(fmt: Format, name: str, columns: list[str], rows: list[dict[str, Any]], totals: Any, title: str,
            meta: dict[str, Any], total_row: Optional[dict[str, Any]] = None, wrap: tuple[str, ...] = (),
            empty: str = "", warnings: list[str] = (), in_minor_unit: bool = False, wide: tuple[str, ...] = ()) -> None:
    """``in_minor_unit``: the rows' amounts are already in the currency's
    minor unit (texts the views hold, or amounts the report rounded); only
    the totals are put in it here. ``wide``: columns a table shows only with
    --wide (every format for programs has them all)."""
    from ..reports.practice import money_rows
    from .output import say, warn

    if isinstance(totals, dict) and meta.get("currency"):
        money_rows([] if in_minor_unit else rows, totals, meta["currency"])
        if total_row is not None and total_row is not totals:
            money_rows([total_row], {}, meta["currency"])
    for text in warnings:
        warn(text)
    if fmt is Format.json:
        write_json({"report": name, **meta, "rows": rows, "totals": totals, "warnings": list(warnings)})
        return
    if fmt is Format.jsonl:  # the rows, one object per line (the period and totals are in JSON)
        write_jsonl(rows)
        return
    if fmt in (Format.csv, Format.tsv):
        write_delimited(columns, rows, "," if fmt is Format.csv else "\t")
        return
    if not rows and empty:
        say(title)
        say(empty)
        return
    from .report_output import write_report_table

    body = list(rows) + ([total_row] if total_row and rows else [])
    write_report_table(columns, body, title, wrap=wrap, wide=wide)


# -- bookings ---------------------------------------------------------------------------

AGENDA = ["day", "date", "time", "booking", "attendee", "service", "minutes", "provider", "package", "draws", "fee", "status"]


@report_app.command("bookings")
@boundary
def bookings_cmd(
    start: Optional[str] = FROM, end: Optional[str] = TO, client: Optional[str] = CLIENT,
    provider: Optional[str] = typer.Option(None, "--provider", help="Only this provider."),
    service: Optional[str] = typer.Option(None, "--service", help="Only this service."),
    status: Optional[str] = typer.Option(None, "--status", help="Only this status: booked, attended, no-show, cancelled, late-cancelled."),
    unmarked: bool = typer.Option(False, "--unmarked", help="Past sessions still booked (never marked attended, no-show or cancelled)."),
    fmt: Format = FMT,
) -> None:
    """The agenda: sessions from today through the next 7 days (or --from/--to).

    With --unmarked: every past session still "booked", the ones to mark.

    \b
    Examples:
      sessionpack report bookings
      sessionpack report bookings --from tomorrow --to +14d --provider marta
      sessionpack report bookings --unmarked
    """
    from ..reports import practice
    from ..storage import report_shards

    statuses = ("booked", "attended", "no-show", "cancelled", "late-cancelled")
    if status is not None and status not in statuses:
        raise InputError(f"--status {status!r} is not a booking status; use one of {', '.join(statuses)}")
    if unmarked and status is not None:
        raise InputError("--unmarked lists booked sessions only; leave out --status")
    client, service = _slug(client, "client"), _slug(service, "service")
    opened = store()
    tz = opened.settings.tz
    filters = {"client": client, "provider": provider, "service": service}
    with opened.reading() as tx:
        _known(tx, client=client, service=service)
        if unmarked:
            if start is not None or end is not None:
                raise InputError("--unmarked covers every past day; leave out --from and --to")
            records = [fields[3] for fields in _pending(tx, b"u")]
            rows = practice.unmarked(records, opened.now, tz, **filters)
            meta = {"before": opened.now.isoformat(), "currency": opened.settings.currency}
            title = f"Past sessions not marked, before {opened.now:%Y-%m-%d %H:%M}"
        else:
            span = _period(opened, start, end, _week)
            records = [fields[3] for fields in report_shards.day_records(opened, [d.isoformat() for d in span.days()]) if fields[0] == "b"]
            rows = practice.agenda(records, tz, status=status, **filters)
            meta = {"from": span.first.isoformat(), "to": span.last.isoformat(), "currency": opened.settings.currency}
            title = f"Sessions {span.text()}"
    from decimal import Decimal

    totals = {"sessions": len(rows), "fees": sum((r["fee"] for r in rows), Decimal(0))}
    _render(fmt, "bookings", AGENDA, rows, totals, title, meta, wrap=("attendee", "service", "provider", "draws", "status"),
            empty="No sessions")


def _pending(tx: Any, kinds: bytes = b"sbu") -> list[list[Any]]:
    from ..storage.report_shards import read_pending

    return read_pending(tx.store, kinds)


# -- sales ----------------------------------------------------------------------------

SALES = ["date", "invoice", "client", "id", "package", "price", "tax", "total", "paid", "refunded", "due", "payment", "status", "kind"]


@report_app.command("sales")
@boundary
def sales_cmd(
    start: Optional[str] = FROM, end: Optional[str] = TO, client: Optional[str] = CLIENT,
    package: Optional[str] = typer.Option(None, "--package", help="Only sales of this package."),
    status: Optional[str] = typer.Option(None, "--status", help="Only client packages with this status today (active, used up, expired, ...)."),
    fmt: Format = FMT,
) -> None:
    """Sales and assignments of a period (default this month), with totals.

    \b
    Examples:
      sessionpack report sales
      sessionpack report sales --from 2026-01-01 --to 2026-03-31 --format csv
    """
    from ..reports import practice
    from ..storage import report_shards

    client, package = _slug(client, "client"), _slug(package, "package")
    statuses = ("active", "paused", "used up", "expired", "transferred", "cancelled", "refunded")
    if status is not None and status not in statuses:
        raise InputError(f"--status {status!r} is not a client package status; use one of {', '.join(statuses)}")
    opened = store()
    today = _today(opened)
    span = _period(opened, start, end, _month)
    with opened.reading() as tx:
        _known(tx, client=client, package=package)
        records = [f[3] for f in report_shards.day_records(tx.store, [d.isoformat() for d in span.days()]) if f[0] == "s"]
    rows, totals = practice.sales(records, today.isoformat(), client=client, package=package, status=status)
    total_row = {"date": "total", **{k: totals[k] for k in (*practice.SALE_TOTALS, "refunded")}}
    _render(fmt, "sales", SALES, rows, totals, f"Sales {span.text()} ({opened.settings.currency})",
            {"from": span.first.isoformat(), "to": span.last.isoformat(), "currency": opened.settings.currency},
            total_row, wrap=("package", "payment", "status"), empty="No sales", wide=("refunded", "kind"))


# -- usage ----------------------------------------------------------------------------

USAGE = ["date", "booking", "attendee", "owner", "id", "service", "provider", "drawn", "value", "status"]


@report_app.command("usage")
@boundary
def usage_cmd(
    start: Optional[str] = FROM, end: Optional[str] = TO, client: Optional[str] = CLIENT,
    package: Optional[str] = typer.Option(None, "--package", help="Only draws on this client package."),
    service: Optional[str] = typer.Option(None, "--service", help="Only this service."),
    fmt: Format = FMT,
) -> None:
    """Every session drawn on a package in a period (default this month):
    what it drew, its value and what became of it.

    \b
    Examples:
      sessionpack report usage
      sessionpack report usage --from 2026-01-01 --to 2026-01-31 --format json
    """
    from ..reports import practice
    from ..storage import report_shards

    client, service = _slug(client, "client"), _slug(service, "service")
    opened = store()
    span = _period(opened, start, end, _month)
    draws, bookings = [], {}
    with opened.reading() as tx:
        _known(tx, client=client, service=service, client_package=package)
        for day in span.days():
            for fields in report_shards.day_records(tx.store, [day.isoformat()]):
                if fields[0] == "d":
                    draws.append((day.isoformat(), fields[1], dict(fields[3], booking=fields[2])))
                elif fields[0] == "b":
                    bookings[fields[2]] = fields[3]
    rows, totals = practice.usage(draws, bookings, client=client, package=package, service=service)
    total_row = {"date": "total", "value": totals["value"]}
    _render(fmt, "usage", USAGE, rows, totals, f"Usage {span.text()} ({opened.settings.currency})",
            {"from": span.first.isoformat(), "to": span.last.isoformat(), "currency": opened.settings.currency},
            total_row, wrap=("attendee", "owner", "service", "provider", "status"), empty="No sessions drawn on a package")


# -- outstanding ----------------------------------------------------------------------

OUTSTANDING = ["client", "date", "item", "what", "reference", "total", "paid", "due", "age"]


@report_app.command("outstanding")
@boundary
def outstanding_cmd(client: Optional[str] = CLIENT, fmt: Format = FMT) -> None:
    """Money owed: sales not paid in full and fees due on past sessions,
    each with its age in days, and money owed back (paid on a session
    beyond its fee), due below zero; totals per client and overall.

    \b
    Examples:
      sessionpack report outstanding
      sessionpack report outstanding --client bruno --format json
    """
    from ..reports import practice

    client = _slug(client, "client")
    opened = store()
    with bulk_work():  # tens of thousands of rows, no cycles
        _outstanding(opened, client, fmt)


def _outstanding(opened: Any, client: str | None, fmt: Format) -> None:
    from ..reports import practice

    with opened.reading() as tx:
        _known(tx, client=client)
        pending = _pending(tx)
    from ..storage.report_shards import fees

    sales_due = [dict(f[3], id=f[2], owner=f[1]) for f in pending if f[0] == "s"]
    bookings_due = fees(pending)
    rows, totals = practice.outstanding(sales_due, bookings_due, _today(opened), opened.now, client=client)
    out_rows = rows
    if fmt is Format.table:  # each client's rows, then their total (a row of texts, as the others are)
        from itertools import groupby
        from operator import itemgetter

        blank = dict.fromkeys(OUTSTANDING, "")
        shown_as = practice.minor_unit(opened.settings.currency)
        out_rows = []
        for owner, group in groupby(rows, key=itemgetter("client")):
            out_rows.extend(group)
            out_rows.append({**blank, "client": f"{owner} total", "due": format(shown_as(totals["clients"][owner]), "f")})
    _render(fmt, "outstanding", OUTSTANDING, out_rows, totals,
            f"Outstanding at {opened.now:%Y-%m-%d %H:%M} ({opened.settings.currency})",
            {"at": opened.now.isoformat(), "currency": opened.settings.currency},
            {"client": "total", "due": totals["due"]}, wrap=("what",), empty="Nothing is owed", in_minor_unit=True)


# -- expiring -------------------------------------------------------------------------

EXPIRING = ["expires", "days", "client", "id", "package", "free", "booked", "value", "notice"]


@report_app.command("expiring")
@boundary
def expiring_cmd(
    within: int = typer.Option(30, "--within", min=0, max=36600, help="Days from today (default 30)."),
    client: Optional[str] = CLIENT, fmt: Format = FMT,
) -> None:
    """Open client packages whose last valid day is within the next N days,
    with what is left, its value and whether the notice was sent.

    \b
    Examples:
      sessionpack report expiring
      sessionpack report expiring --within 7 --format csv
    """
    from ..reports import practice
    from ..storage.shards import open_packages

    client = _slug(client, "client")
    opened = store()
    today = _today(opened)
    last = today + timedelta(days=within)
    with opened.reading() as tx:
        _known(tx, client=client)
        found = open_packages(tx.store, today.isoformat(), until=last.isoformat())
        packages = [pkg for owner in sorted(found) for pkg in found[owner].values()]
        rows, totals = practice.expiring(packages, opened.now, opened.settings.tz, today, last, client=client,
                                         notice_outcome=_notice_outcome(tx))
    _render(fmt, "expiring", EXPIRING, rows, totals,
            f"Expiring {today.isoformat()} to {last.isoformat()} ({opened.settings.currency})",
            {"from": today.isoformat(), "to": last.isoformat(), "currency": opened.settings.currency},
            {"expires": "total", "value": totals["value"]}, wrap=("package", "free", "booked"), empty="Nothing expires in that window")


def _notice_outcome(tx: Any) -> Any:
    """What became of a recorded notice, from the notice state: still in the
    outbox (pending, or failed), else the event that decided it in the
    owner's history (a suppression, with its reason; a notice pending then
    settled without failing was sent)."""
    from bisect import bisect_left

    from ..storage import layout

    outbox = tx.store.load_small(layout.OUTBOX)

    def outcome(owner: str, key: str, seq: int) -> tuple[str, str]:
        if key in outbox["pending"]:
            return "pending", ""
        if key in outbox["failed"]:
            return "failed", ""
        events = (tx.client(owner) or {}).get("events", [])
        at = bisect_left(events, seq, key=lambda event: event["seq"])
        event = events[at] if at < len(events) and events[at]["seq"] == seq else {}
        if event.get("type") == "notice-suppressed":
            return "suppressed", event.get("reason") or ""
        return ("sent", "") if event.get("type") == "notice-pending" else ("recorded", "")

    return outcome


# -- liability ------------------------------------------------------------------------


@report_app.command("liability")
@boundary
def liability_cmd(
    start: Optional[str] = FROM, end: Optional[str] = TO,
    by: By = typer.Option(By.month, "--by", help="One row per month, package, client or service."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="A snapshot on this day instead: each client package holding value, with its age."),
    fmt: Format = FMT,
) -> None:
    """Prepaid value held for sessions not yet given, rolled forward:
    opening + sold + imported + adjusted - redeemed - forfeited - expired
    - refunded - refund difference = closing. Amounts are net of tax.
    Default period: the last 12 months through today.

    \b
    Examples:
      sessionpack report liability
      sessionpack report liability --from 2026-01-01 --to 2026-12-31 --by package
      sessionpack report liability --as-of 2026-06-30
    """
    with bulk_work():  # every package that moves or holds value in the period: tens of thousands
        _liability(start, end, by, as_of, fmt)


def _liability(start: Optional[str], end: Optional[str], by: By, as_of: Optional[str], fmt: Format) -> None:
    from ..reports import liability
    from ..reports.periods import parse_day
    from ..storage import report_shards

    opened = store()
    today = _today(opened)
    currency = opened.settings.currency
    if as_of is not None:
        if start is not None or end is not None:
            raise InputError("--as-of gives a snapshot of one day; leave out --from and --to")
        day = parse_day(as_of, today, "--as-of")
        with opened.reading() as tx:
            summaries = list(read_values(tx.store, None, day.isoformat()))
        rows, totals = liability.snapshot(summaries, day, currency)
        columns = ["client", "id", "package", "sold", "left", "unit_value", "held", "age", "band", "expires", "note"]
        _render(fmt, "liability", columns, rows, totals, f"Value held at the end of {day.isoformat()} ({currency}, net of tax)",
                {"as_of": day.isoformat(), "currency": currency}, {"client": "total", "held": totals["held"]},
                wrap=("left", "unit_value", "note", "package"), empty="No client package holds prepaid value", in_minor_unit=True)
        return
    span = _period(opened, start, end, _year)
    first_text = (span.first - timedelta(days=1)).isoformat()
    with opened.reading() as tx:
        if by is By.month:
            constant = [0]
            summaries = list(read_values(tx.store, first_text, span.last.isoformat(), constant))
            rows, totals, at_sale = liability.rollforward(summaries, span.first, span.last, "month", currency, sum_constant(constant))
        elif by in (By.package, By.client):
            held: dict[str, list[str]] = {}
            label = b"package" if by is By.package else b"owner"
            summaries = list(read_values(tx.store, first_text, span.last.isoformat(), held, label))
            rows, totals, at_sale = liability.rollforward(summaries, span.first, span.last, by.value, currency,
                                                          held=sum_constant(held))
        else:
            summaries = list(read_values(tx.store, first_text, span.last.isoformat()))
            rows, totals, at_sale = liability.rollforward(summaries, span.first, span.last, by.value, currency)
    warnings = []
    if at_sale:
        warnings.append(f"{at_sale} unlimited package{'s' if at_sale != 1 else ''} without an expiry "
                        f"{'were' if at_sale != 1 else 'was'} recognised in full at the sale (no term to spread {'them' if at_sale != 1 else 'it'} over)")
    columns = [by.value, *liability.ROLL_COLUMNS]
    _render(fmt, "liability", columns, rows, totals, f"Liability {span.text()} by {by.value} ({currency}, net of tax)",
            {"from": span.first.isoformat(), "to": span.last.isoformat(), "by": by.value, "currency": currency},
            totals, wrap=() if by is By.month else (by.value,), empty="No prepaid value in that period", warnings=warnings)


def sum_constant(box: Any) -> Any:
    """The values held that ``read_values`` put aside, added up: one sum,
    or one per label."""
    from decimal import Decimal

    if isinstance(box, dict):
        return {label: sum((Decimal(v) for v in values), Decimal(0)) for label, values in box.items()}
    return sum((Decimal(v) for v in box[1:]), Decimal(0))


def _field(line: bytes, key: bytes) -> Optional[str]:
    """A top-level text field of a value line's summary, read without
    decoding it (ids are slugs: the text ends at the next quote); None when
    it is not there."""
    start = line.rfind(b',"' + key + b'":"')
    if start < 0:
        return None
    start += len(key) + 5
    end = line.find(b'"', start)
    return line[start:end].decode("utf-8") if end > start else None


def read_values(store: Any, before: Optional[str], last: str, constant: Optional[Any] = None,
                label: Optional[bytes] = None):  # type: ignore[no-untyped-def]
    """The value summaries that matter from ``before`` (the day before the
    period; None: a snapshot on ``last``) through ``last``, decoded shard by
    shard. Lines are skipped or added up without decoding where their fixed
    prefix (``[last change, owner, client package, first change, value held
    after the last change, {...}]``) says enough:

    - a line starting after ``last`` is skipped;
    - a snapshot skips a line whose last change is on or before ``last``
      and that then holds nothing;
    - a line whose last change is on or before ``before`` holds the same
      value throughout the period: it is skipped when it holds nothing, and
      with ``constant`` given its value is put there instead of decoding it:
      appended to the list ``constant`` (by month), or with ``label``
      (``package`` or ``owner``) to ``constant[that field of the line]``.
    """
    from ..storage import report_shards

    last_b = last.encode("ascii")
    before_b = before.encode("ascii") if before else None
    for name in report_shards.view_names(store, report_shards.VALUE):
        wanted = []
        for number, line in enumerate(report_shards.read_lines(store.view_bytes, name), start=1):
            # ["LAST","client","cp","FIRST","HELD",{...}]: ids are slugs, so the
            # fields end at the next quote; a line of another shape is decoded
            try:
                end_client = line.index(b'"', 15)
                end_cp = line.index(b'"', end_client + 3)
                end_held = line.index(b'"', end_cp + 16)
            except ValueError:
                end_cp = end_held = -1
            if end_held < 0 or line[end_cp:end_cp + 3] != b'","' or line[end_cp + 13:end_cp + 16] != b'","' \
                    or line[end_held:end_held + 3] != b'",{' or line[:2] != b'["' or line[12:15] != b'","':
                wanted.append((number, line))
                continue
            if line[end_cp + 3:end_cp + 13] > last_b:  # its first change is after the period
                continue
            held = line[end_cp + 16:end_held]
            if before_b is None:
                if line[2:12] <= last_b and not held.strip(b"0.-"):
                    continue
            elif line[2:12] <= before_b:
                if not held.strip(b"0.-"):
                    continue
                if constant is not None:
                    if label is None:
                        constant.append(held.decode("ascii"))
                        continue
                    key = _field(line, label)
                    if key is not None:
                        constant.setdefault(key, []).append(held.decode("ascii"))
                        continue
            wanted.append((number, line))
        for fields in report_shards.decode_lines(wanted, name):
            yield fields[5]


# -- statement ------------------------------------------------------------------------

STATEMENT_COLUMNS = ["package", "date", "entry", "detail", "change", "balance"]


@app.command("statement")
@boundary
def statement_cmd(
    client: str = typer.Argument(..., metavar="CLIENT"),
    package: Optional[str] = typer.Option(None, "--package", help="Only this client package (e.g. ana.p1)."),
    start: Optional[str] = FROM, end: Optional[str] = TO,
    fmt: StatementFormat = typer.Option(StatementFormat.table, "--format", help="table, text or md (to paste into an email), json, csv, tsv."),
) -> None:
    """A client's statement, to hand to them: each package bought, paid,
    used and left, every session with the running balance, payments,
    refunds and adjustments with their reasons. The same data and --now give
    the same bytes.

    \b
    Examples:
      sessionpack statement ana
      sessionpack statement bruno --package bruno.p1 --format md
      sessionpack statement carla --from 2026-01-01 --to 2026-03-31 --format text
    """
    from ..domain.ids import CLIENT_PACKAGE_RE, check_slug
    from ..reports.statement import statement
    from .client_cmds import client_view

    check_slug(client, "client")
    if package is not None:
        match = CLIENT_PACKAGE_RE.match(package)
        if not match:
            raise InputError(f"--package {package!r} is not a client package id like {client}.p1")
    opened = store()
    today = _today(opened)
    span = None
    if start is not None or end is not None:
        from ..domain.datetimes import FIRST, LAST

        span = _period(opened, start, end, lambda day: (FIRST, LAST), day_by_day=False)  # either bound may be left open
    with opened.reading() as tx:
        view = client_view(tx, client)
        if package is not None and package not in view["packages"]:
            raise InputError(f"{client} has no client package {package!r}; see 'sessionpack balance {client}'")
        attendees = {client: view}
        for pkg in view["packages"].values():
            for draw in pkg.get("draws", {}).values():
                if draw["attendee"] not in attendees:
                    other = tx.client(draw["attendee"])
                    if other is not None:
                        attendees[draw["attendee"]] = other
    del today
    currency = opened.settings.currency
    packages = statement(view, attendees, opened.now, opened.settings.tz, currency, package,
                         span.first if span else None, span.last if span else None)
    from .statement_output import render_statement

    from ..reports.client_page import owed_back

    render_statement(fmt.value, view, packages, opened, span, owed_back(view, currency, package))
