"""Sales: one path for ``sell``, ``assign``, ``sell --csv`` and imported balances.

``plan_sales`` takes requests as typed -- one from the command line, or one
per row of a CSV file -- and returns a ``SalePlan``: the events to record
(in one commit), one output row per request (``created`` or
``unchanged``), and every problem, each with its line and column (or
option). Every rule is the domain's: the fields of a sale
(``sales.check_reference``, ``sales.sale_day``...), the sale itself
(``sales.sell``, which makes every ``sold`` event), imported balances
(``imports.plan_import``), references (``references``) and new clients
(``clients.plan_clients``).

Order of the checks for one request (a one-request command reports the
first problem): the typed fields (price, paid, date, reference, invoice,
note, shared clients), the client, the clients shared with, the reference
(recorded already: the cells of an imported balance read as a new row's
are, then unchanged or a conflict), the package, the imported balance,
then the sale's own rules. A row of a file gets the sale's errors worded
for a file (its columns, ``assign --csv``).
"""

from __future__ import annotations

from decimal import Decimal

from ..domain import references, sales
from ..domain.ids import check_slug
from ..domain.imports import _amount as read_amount  # (the one reading of an imported amount, for a re-run's cells)
from ..domain.imports import ACTIVATED, EXPIRES, REMAINING, USED_BEFORE, ImportCells, check_unlimited_cell, column, plan_import
from ..domain.money import money_text, parse_money
from ..domain.records import field, record
from ..domain.regex import pattern
from ..errors import InputError, RuleError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping

    from .csvtable import Row
    from .problems import Problem

SALE_COLUMNS = ("client", "package", "ref", "price", "paid", "date", "share", "invoice", "note")
IMPORT_COLUMNS = (REMAINING, USED_BEFORE, EXPIRES, ACTIVATED)
CLIENT_COLUMNS = ("name", "email")
REQUIRED = ("client", "package", "ref")
OPTION_LABELS = {"client": "CLIENT", "package": "PACKAGE", "ref": "--ref", "price": "--price", "paid": "--paid",
                 "date": "--date", "share": "--share", "invoice": "--invoice", "note": "--note"}
# (compiled when first used: a sale typed on the command line uses neither)
_KEYED = pattern(r"(remaining|used_before)\.([a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,63})\Z")
_SPLIT = pattern(r"[\s,;]+")


def known_column(name: str, create_clients: bool) -> bool:
    return (name in SALE_COLUMNS or name in IMPORT_COLUMNS or _KEYED.match(name) is not None
            or (create_clients and name in CLIENT_COLUMNS))


def known_text(create_clients: bool) -> str:
    names = [*SALE_COLUMNS, "remaining (or remaining.KEY)", "used_before (or used_before.KEY)", EXPIRES, ACTIVATED]
    if create_clients:
        names += CLIENT_COLUMNS
    return ", ".join(names)


def unknown_hint(name: str) -> str | None:
    if name in CLIENT_COLUMNS:
        return "is read only with --create-clients (it names the clients to create); add the option, or remove the column"
    return None


@record(frozen=False)
class SaleRequest:
    """One sale (or imported balance) as typed; None: not given.

    ``line`` is the file line of a CSV row (None on the command line);
    ``labels`` name the fields in messages (options or columns).
    """

    client: str
    package: str
    ref: str | None = None
    price: str | None = None
    paid: str | None = None
    date: str | None = None
    share: tuple[str, ...] = ()
    invoice: str | None = None
    note: str | None = None
    imports: ImportCells = field(default_factory=ImportCells)
    name: str | None = None
    email: str | None = None
    line: int | None = None
    labels: Mapping[str, str] = field(default_factory=lambda: OPTION_LABELS)

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


_BALANCE_COLUMNS: dict[str, tuple[str, str | None] | None] = {}  # column -> (remaining or used_before, key), as met


def _balance_column(name: str) -> tuple[str, str | None] | None:
    """(``remaining`` or ``used_before``, balance key or None) of a column of
    an imported balance; None for another column. (Worked out once per
    column name: the same few names come on every row of a file.)"""
    if name not in _BALANCE_COLUMNS:
        keyed = _KEYED.match(name) if name not in (REMAINING, USED_BEFORE) else None
        _BALANCE_COLUMNS[name] = (name, None) if name in (REMAINING, USED_BEFORE) else (
            (keyed.group(1), keyed.group(2)) if keyed else None)
    return _BALANCE_COLUMNS[name]


def request_from_row(row: Row) -> SaleRequest:
    """The request of one CSV row (cells as typed; checked by ``plan_sales``)."""
    cells = row.cells
    imports = ImportCells()
    for name, text in cells.items():
        balance = _BALANCE_COLUMNS[name] if name in _BALANCE_COLUMNS else _balance_column(name)
        if balance is not None:
            getattr(imports, balance[0])[balance[1]] = text
    imports.expires = cells.get(EXPIRES)
    imports.activated = cells.get(ACTIVATED)
    share = tuple(part for part in _SPLIT.split(cells["share"].strip()) if part) if "share" in cells else ()
    return SaleRequest(
        client=cells.get("client", "").strip(), package=cells.get("package", "").strip(), ref=cells.get("ref"),
        price=cells.get("price"), paid=cells.get("paid"), date=cells.get("date"), share=share,
        invoice=cells.get("invoice"), note=cells.get("note"), imports=imports,
        name=cells.get("name"), email=cells.get("email"), line=row.line, labels={},
    )


@record(frozen=False)
class SaleRow:
    """One output row: the request's line, what became of it, the client
    package (made now or recorded before) and, once, its access code."""

    line: int | None
    ref: str | None
    status: str  # created | unchanged
    client: str
    package: str
    id: str
    invoice: str
    code: str = ""
    new_client: bool = False
    event: dict[str, Any] | None = field(default=None, repr=False)

    def record(self) -> dict[str, Any]:
        return {"line": self.line, "ref": self.ref, "status": self.status, "client": self.client, "package": self.package,
                "id": self.id, "invoice": self.invoice or None, "code": self.code or None, "new_client": self.new_client}  # none: null


@record(frozen=False)
class SalePlan:
    rows: list[SaleRow] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)  # client-added first, then sold, in row order
    problems: list[Problem] = field(default_factory=list)
    clients_created: list[str] = field(default_factory=list)
    new_clients: list[Any] = field(default_factory=list)  # their rows (``clients.ClientRow``), for the look-alike warnings

    def created(self) -> int:
        return sum(1 for row in self.rows if row.status == "created")


@record(frozen=False)
class _Fields:
    """A request's typed fields, checked."""

    client: str = ""
    package: str = ""
    ref: str | None = None
    price: Decimal | None = None
    paid: Decimal | None = None
    day: Any = None
    invoice: str | None = None
    note: str | None = None
    share: tuple[str, ...] = ()
    ok: bool = True


def _fields(req: SaleRequest, practice: Any, add: Callable[[str, Exception], None], csv_row: bool,
            days: dict[tuple[str | None, str], Any] | None = None) -> _Fields:
    """Check every typed field of a request; each problem goes to ``add(field, error)``
    (``days``: the sale dates already read, by text and label: a file's rows
    mostly share a few)."""
    out = _Fields()

    def attempt(name: str, check: Callable[[], Any]) -> Any:
        try:
            return check()
        except InputError as err:
            add(name, err)
            out.ok = False
            return None

    currency = practice.currency
    if req.price is not None:
        out.price = attempt("price", lambda: parse_money(req.price, currency, req.label("price")))
    if req.paid is not None:
        out.paid = attempt("paid", lambda: parse_money(req.paid, currency, req.label("paid")))
    if req.imports.any() and req.date is None:
        add("date", InputError("an imported balance needs the date it was sold (in the other system); write it, e.g. 2026-03-01"))
        out.ok = False
    label = req.label("date")
    out.day = days.get((req.date, label)) if days is not None else None
    if out.day is None:
        out.day = attempt("date", lambda: sales.sale_day(req.date, practice.today, label))
        if days is not None and out.day is not None:
            days[(req.date, label)] = out.day
    if req.ref is not None:
        out.ref = attempt("ref", lambda: sales.check_reference(req.ref, req.label("ref")))
    elif csv_row:
        add("ref", InputError("the reference is empty; give each row its own reference (e.g. the other system's sale "
                              "number), so the file can be run again without selling twice"))
        out.ok = False
    if req.invoice is not None:
        out.invoice = attempt("invoice", lambda: sales.check_invoice(req.invoice, req.label("invoice")))
    if req.note is not None:
        out.note = attempt("note", lambda: sales.check_note(req.note, req.label("note")))
    shared = []
    for other in req.share:
        shared.append(attempt("share", lambda other=other: check_slug(other, "client")))
    out.share = tuple(s for s in shared if s)
    out.client = attempt("client", lambda: check_slug(req.client, "client")) or ""
    out.package = attempt("package", lambda: check_slug(req.package, "package")) or ""
    return out


def _no_client(client: str, csv_row: bool) -> InputError:
    fix = "see 'sessionpack client list' or add one with 'sessionpack client add'"
    if csv_row:
        fix += ", or run with --create-clients and a name column"
    return InputError(f"no client {client!r}; {fix}")


def plan_sales(practice: Any, requests: list[SaleRequest], *, assign: bool = False, create_clients: bool = False,
               progress: Callable[[int], None] | None = None) -> SalePlan:
    """Check every request and plan its events (nothing is written here)."""
    plan = SalePlan()

    def adder(req: SaleRequest) -> Callable[[str, Exception], None]:
        def add(name: str, err: Exception) -> None:
            from .problems import problem  # (only when a request has a problem)

            plan.problems.append(problem(req.line, req.label(name), err))
        return add

    csv_rows = [req.line is not None for req in requests]
    days: dict[tuple[str | None, str], Any] = {}
    checked = [_fields(req, practice, adder(req), csv_row, days) for req, csv_row in zip(requests, csv_rows)]
    first_line: dict[str, int | None] = {}
    for req, got in zip(requests, checked):
        if got.ref is None:
            continue
        if got.ref in first_line:
            adder(req)("ref", InputError(f"reference {got.ref!r} is also on line {first_line[got.ref]}; give each sale its own reference"))
            got.ok = False
        else:
            first_line[got.ref] = req.line
    if len(requests) > 50:
        practice.use_directory()  # many clients: one file says which exist
    recorded = practice.references(first_line) if first_line else {}
    given = {got.invoice for req, got in zip(requests, checked) if got.invoice and not req.imports.any()}
    invoices_recorded = practice.invoices(given) if given else {}
    invoice_rows: dict[str, tuple[str, str, int | None]] = {}  # number -> (client, date, line) of its first row here
    new_views, not_created = _new_clients(practice, requests, checked, plan) if create_clients else ({}, set())
    counters: dict[str, int] = {}
    series = None  # the practice's invoice numbers (sales.InvoiceSeries), read at the first sale that takes one
    from ..domain.codes import code_hash, new_code  # (once, not once a row)

    for number, (req, got, csv_row) in enumerate(zip(requests, checked, csv_rows), start=1):
        if progress is not None:
            progress(number)
        add = adder(req)
        # The client, the clients shared with and the package are looked up
        # even for a row with other problems, so each problem is listed once.
        known = bool(got.client) and (got.client in new_views or practice.client_exists(got.client))
        if got.client and not known and got.client not in not_created:
            add("client", _no_client(got.client, csv_row))
            got.ok = False
        elif got.client in not_created:
            got.ok = False  # its first row says why it cannot be created
        missing = [other for other in got.share if other not in new_views and not practice.client_exists(other)]
        if missing:
            add("share", _no_client(missing[0], False))
            got.ok = False
        if got.ok and got.ref is not None and got.ref in recorded:
            _recorded_again(req, got, recorded[got.ref], plan, add, practice.currency)
            continue
        package = None
        if got.package:
            try:
                package = practice.package(got.package)
            except InputError as err:
                add("package", err)
                got.ok = False
        if not got.ok or package is None or not known:
            continue
        view = new_views.get(got.client) or practice.client(got.client)
        terms = practice.terms(package)
        imported = None
        if req.imports.any():
            imported, found = plan_import(terms, req.imports, sold_on=got.day, today=practice.today,
                                          currency=practice.currency)
            for column, err in found:
                add(column, err)
            if found:
                continue
        if imported is not None:
            invoice = got.invoice or ""
        else:
            if got.invoice and not _invoice_free(got, req, invoices_recorded, invoice_rows, add):
                continue
            if series is None:
                series = practice.invoice_series()
            invoice = series.take(got.invoice)
        owner = dict(view)
        owner["counters"] = dict(view["counters"], p=counters.get(got.client, view["counters"]["p"]))
        try:
            event = sales.sell(owner, package, currency=practice.currency, sale_date=got.day, invoice=invoice,
                               price=got.price, paid=got.paid, reference=got.ref, assign=assign, share_with=got.share,
                               note=got.note, imported=imported, terms=terms, regular_prices=practice.regular_prices(package),
                               in_file=csv_row)
        except (InputError, RuleError) as err:
            add(getattr(err, "field", "package"), err)
            continue
        counters[got.client] = owner["counters"]["p"] + 1
        code = new_code()  # shown once, in the output; only its hash is recorded
        event["code_hash"] = code_hash(code)
        plan.events.append(event)
        plan.rows.append(SaleRow(req.line, got.ref, "created", got.client, package.id, event["client_package"], invoice,
                                 code, got.client in new_views, event))
    if any(csv_rows):
        plan.problems.sort(key=lambda p: p.line or 0)
    return plan


def _invoice_free(got: _Fields, req: SaleRequest, recorded: dict[str, list[list[Any]]],
                  rows: dict[str, tuple[str, str, int | None]], add: Callable[[str, Exception], None]) -> bool:
    """Whether the invoice number a sale gives may be its invoice
    (``domain.invoices``): not another client's or another day's, in the
    practice or earlier in the file."""
    from ..domain import invoices

    day = got.day.isoformat()
    holder = invoices.holder_elsewhere(got.client, day, recorded.get(got.invoice, ()))
    if holder is not None:
        add("invoice", RuleError(invoices.recorded_elsewhere(got.invoice, holder)))
        return False
    first = rows.setdefault(got.invoice, (got.client, day, req.line))
    if first[:2] != (got.client, day):
        add("invoice", InputError(invoices.in_file_elsewhere(got.invoice, first[2])))
        return False
    return True


def _recorded_again(req: SaleRequest, got: _Fields, holders: list[list[Any]], plan: SalePlan,
                    add: Callable[[str, Exception], None], currency: str) -> None:
    """A reference already recorded: the same sale is unchanged, another is a
    conflict. Every cell is read first as a new row's is, so a cell a new row
    would refuse is refused here too, never compared."""
    date = got.day.isoformat() if req.date is not None else None
    price = None if got.price is None else str(got.price)
    compared = []
    for client, cp_id, fields in holders:
        imported = None
        if req.imports.any():
            imported = _imported_as_recorded(req.imports, fields.get("imported"), currency, add, fields["package"])
            if imported is None:
                return
        wanted = references.wanted(got.client, got.package, date=date, price=price, invoice=got.invoice, imported=imported)
        if references.same_sale(fields, wanted):
            plan.rows.append(SaleRow(req.line, got.ref, "unchanged", client, fields["package"], cp_id, fields["invoice"]))
            return
        compared.append((cp_id, fields, wanted))
    cp_id, fields, wanted = compared[0]
    differs = "; ".join(references.differences(fields, wanted))
    add("ref", RuleError(f"reference {got.ref!r} is already recorded as {cp_id} with other details ({differs}); "
                         "if this is another sale, give it its own reference"))


def _imported_as_recorded(cells: ImportCells, was: Mapping[str, Any] | None, currency: str,
                          add: Callable[[str, Exception], None], package_id: str) -> dict[str, Any] | None:
    """What a row says of an imported balance, in the recorded form of
    ``was`` (a plain ``remaining`` cell stands for its one balance key), to
    compare it with ``was``; None when a cell is refused (``add``).

    Each amount is read as ``imports.plan_import`` reads it for its balance
    key (a whole number of sessions or minutes; money with the currency's
    decimals, never rounded) and each date as a date, *before* it is
    compared: "120.501" is refused as on a new row, never taken for the
    "120.50" recorded, and "45" is the "45.00" of a money balance."""
    was = was or {}
    ok = True

    def values(kind: str, given: Mapping[str | None, str], recorded: Mapping[str, Any]) -> dict[str, Any]:
        nonlocal ok
        out: dict[str, Any] = {}
        for suffix, text in given.items():
            key = suffix
            if key is None:
                keys = list(was.get(REMAINING) or {})
                key = keys[0] if len(keys) == 1 else REMAINING
            value: Any = text.strip()
            kept = recorded.get(key)
            if kept == "unlimited":  # read as a new row's cell is: a cell a new row would refuse is refused here too
                try:
                    check_unlimited_cell(text, key, package_id)
                except InputError as err:
                    add(column(kind, suffix), err)
                    ok = False
                    continue
            elif kept is not None:  # (a key not recorded differs, whatever the cell holds)
                try:
                    value = read_amount(text, key, currency, column(kind, suffix))
                except InputError as err:
                    add(column(kind, suffix), err)
                    ok = False
                    continue
                value = money_text(value) if isinstance(value, Decimal) else value
            out[key] = value
        return out

    def day(text: str | None, name: str) -> str | None:
        nonlocal ok
        if text is None or not text.strip():
            return None
        try:
            return sales.parse_day(text, name).isoformat()
        except InputError as err:
            add(name, err)
            ok = False
            return None

    found = {"remaining": values(REMAINING, cells.remaining, was.get("remaining") or {}),
             "used_before": values(USED_BEFORE, cells.used_before, was.get("used_before") or {}),
             "expires": day(cells.expires, EXPIRES), "activated": day(cells.activated, ACTIVATED)}
    return found if ok else None


def _new_clients(practice: Any, requests: list[SaleRequest], checked: list[_Fields],
                 plan: SalePlan) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """With --create-clients: plan the clients the rows name that are not
    recorded (and check the name and email given for recorded ones).
    Returns the new clients' views, and the clients that cannot be created
    (a problem on their first row says why)."""
    from ..domain import ledger
    from .clients import ClientRequest, plan_clients

    first: dict[str, tuple[SaleRequest, _Fields]] = {}
    for req, got in zip(requests, checked):
        if not got.client:
            continue
        if got.client not in first:
            first[got.client] = (req, got)
            continue
        earlier = first[got.client][0]
        for name in CLIENT_COLUMNS:
            mine, theirs = getattr(req, name), getattr(earlier, name)
            if mine is not None and theirs is not None and mine.strip() != theirs.strip():
                from .problems import Problem

                plan.problems.append(Problem(req.line, name, f"client {got.client!r} has {name} {theirs.strip()!r} on line "
                                                             f"{earlier.line}; give one {name} for each client", 2))
                got.ok = False
    wanted = [ClientRequest(line=req.line, id=client, name=req.name, email=req.email, labels={"id": "client"})
              for client, (req, got) in first.items()
              if req.name is not None or req.email is not None or not practice.client_exists(client)]
    if not wanted:
        return {}, set()
    clients = plan_clients(practice, wanted, match_details=False, create_only_missing=True)
    bad_lines = {p.line for p in clients.problems}
    plan.problems.extend(clients.problems)
    not_created = {request.id for request in wanted if request.line in bad_lines and request.id is not None}
    for req, got in zip(requests, checked):
        if req.line in bad_lines:
            got.ok = False
    views: dict[str, dict[str, Any]] = {}
    created = clients.created_rows()
    given_out = practice.counters_left([row.id for row in created])  # added once, then undone: its ids stay given out
    for row, event in zip(created, clients.events):
        view = ledger.empty_client_view(row.id)
        if row.id in given_out:
            view["counters"] = given_out[row.id]
        view["client"] = dict(event["client"])
        views[row.id] = view
        plan.clients_created.append(row.id)
        plan.new_clients.append(row)
    plan.events[:0] = clients.events
    return views, not_created
