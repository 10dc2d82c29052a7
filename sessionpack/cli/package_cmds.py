"""package ...: the offers (templates) a practice sells (catalog in packages/ID.toml).

Options are parsed into a ``Given`` (only what was typed), then laid over a
base package (nothing for ``create``, the package itself for ``edit``, or the
JSON of ``--from-json``) by ``build``. Errors name the option to fix, so they
read differently from the catalog's, which name the TOML key.
"""

from __future__ import annotations

import os
from enum import Enum
from typing import List, Optional

import typer

from ..domain.datetimes import ascii_whole

from ..errors import FieldError, InputError, RuleError
from .app import app, boundary, writer, store
from .output import Col, Format, emit, emit_record, say, warn
from .package_build import _opt, _read_json_source, build, package_from_json, parse_given

package_app = typer.Typer(
    help="Packages: the offers clients buy (contents, price, expiry, restrictions, policies).",
    epilog=(
        "\b\nExamples:\n"
        "  sessionpack package create five-massages --name \"5 massages\" \\\n"
        "      --service massage=5 --price 400\n"
        "  sessionpack package create ten --name \"10 sessions\" --pool count=10 \\\n"
        "      --services massage,thai --price 700 --expires \"2 months from first use\"\n"
        "  sessionpack package list --all"
    ),
    no_args_is_help=True,
)
app.add_typer(package_app, name="package")

PACKAGE_COLUMNS = ["id", "name", "category", "contents", "price", "expiry", "status", "visibility"]
PACKAGE_TABLE = [Col("id", keep=True), Col("name"), Col("category", wide=True), Col("contents"), Col("price", keep=True),
                 Col("expiry"), Col("status", keep=True), Col("visibility", keep=True, wide=True)]


class Visibility(str, Enum):
    listed = "listed"
    hidden = "hidden"
    not_for_sale = "not-for-sale"


class NoShow(str, Enum):
    return_ = "return"
    forfeit = "forfeit"


class LateCancel(str, Enum):
    return_ = "return"
    forfeit = "forfeit"
    charge = "charge"


class ExpiryLimits(str, Enum):
    session = "session"
    booking = "booking"


class Clearable(str, Enum):
    provider = "provider"
    weekdays = "weekdays"
    time = "time"
    between = "between"
    dates = "dates"
    restrictions = "restrictions"


# Options shared by create and edit (edit: every one optional).
ID_ARG = typer.Argument(..., metavar="ID", help="Slug: lower-case letters, digits, hyphens.")
NAME = typer.Option(None, "--name", metavar="TEXT", help="Name shown to people.")
SERVICE = typer.Option(None, "--service", metavar="SERVICE=N",
                       help="Fixed contents: N sessions (or 'unlimited') of SERVICE; repeat for each service.")
POOL = typer.Option(None, "--pool", metavar="VALUE",
                    help="Pool contents, one balance: count=10, minutes=180, money=300 or unlimited.")
SERVICES = typer.Option(None, "--services", metavar="A,B",
                        help="With --pool: the services it can be spent on (default: all).")
PRICE = typer.Option(None, "--price", metavar="AMOUNT", help="Upfront price, net of tax (0 for a free package).")
TAX = typer.Option(None, "--tax", metavar="PERCENT", help="Tax rate in percent on the upfront price (default 0).")
UPFRONT = typer.Option(False, "--upfront", help="Paid upfront: price plus tax invoiced at sale (the default).")
PER_SESSION = typer.Option(False, "--per-session",
                           help="Nothing upfront: each session is billed at its --fee plus the service's tax.")
FEE = typer.Option(None, "--fee", metavar="SERVICE=AMOUNT",
                   help="With --per-session: the fee per session, net of tax, for each included service.")
EXPIRES = typer.Option(None, "--expires", metavar="TEXT",
                       help="'none', '3 months' (from purchase), '10 weeks from purchase', "
                            "'2 months from first use' or 'on 2027-06-30'.")
PROVIDER = typer.Option(None, "--provider", metavar="NAME", help="Only with this provider; repeatable.")
WEEKDAYS = typer.Option(None, "--weekdays", metavar="DAYS", help="Only on these days, e.g. mon,wed or mon-fri.")
TIME = typer.Option(None, "--time", metavar="HH:MM-HH:MM",
                    help="Only sessions that fit in this time of day, e.g. 10:00-13:00.")
BETWEEN = typer.Option(None, "--between", metavar="FROM..TO",
                       help="Only on dates in this range, e.g. 2026-12-01..2026-12-24; repeatable.")
DATES = typer.Option(None, "--dates", metavar="D1,D2",
                     help="Only on these dates, e.g. 2026-12-01,2026-12-08 (with --between: either).")
NO_SHOW = typer.Option(None, "--no-show", help="What a no-show does (default: settings.toml [policies]).")
LATE_HOURS = typer.Option(None, "--late-cancel-hours", metavar="N", parser=ascii_whole,
                          help="A cancel less than N hours before the start is late (0: never late).")
LATE = typer.Option(None, "--late-cancel", help="What a late cancel does; charge: money pools only.")
CHARGE = typer.Option(None, "--charge-percent", metavar="N",
                      help="With --late-cancel charge: the share of the session's price a late cancel keeps from what it drew (never more).")
LIMITS = typer.Option(None, "--expiry-limits",
                      help="session: sessions must take place by the expiry date; booking: be booked by it.")
INACTIVE = typer.Option(False, "--inactive", help="Not sold now (it can be activated later).")
VISIBILITY = typer.Option(None, "--visibility", help="listed, hidden (not listed) or not-for-sale (assign only).")
CATEGORY = typer.Option(None, "--category", metavar="TEXT", help="Group heading in lists.")
ORDER = typer.Option(None, "--order", metavar="N", parser=ascii_whole, help="Display order in lists, lower first (default 0).")
DESCRIPTION = typer.Option(None, "--description", metavar="TEXT", help="Free text for clients.")
FROM_JSON = typer.Option(None, "--from-json", metavar="FILE|-",
                         help="Start from the JSON 'package show ID --format json' prints; options override it.")
FORMAT = typer.Option(Format.table, "--format", help="Output format.")


# ---------------------------------------------------------------- store helpers


def _services(opened) -> dict:  # type: ignore[no-untyped-def]
    from ..storage.catalog import load_services

    return load_services(opened.root, opened.settings.currency)


def _existing(opened, package_id: str, services: dict):  # type: ignore[no-untyped-def]
    from ..domain.ids import check_slug
    from ..storage.catalog import load_package

    check_slug(package_id, "package")
    package = load_package(opened.root, opened.settings.currency, package_id, services)
    if package is None:
        raise InputError(f"no package {package_id!r}; see 'sessionpack package list --all'")
    return package


def _refuse_taken(opened, package_id: str) -> None:  # type: ignore[no-untyped-def]
    from ..storage import layout
    from ..storage.tomlfile import read_toml

    path = layout.package_path(opened.root, package_id)
    if os.path.exists(path):
        data, _ = read_toml(path, f"{layout.PACKAGES}/{package_id}.toml")
        if data.get("deleted") is True:
            raise RuleError(f"package {package_id!r} exists (deleted; its id stays taken); choose another id")
        raise RuleError(f"package {package_id!r} already exists; change it with "
                        f"'sessionpack package edit {package_id}' or choose another id")
    sold = _times_sold(opened, package_id)
    if sold:  # its file was removed by hand: a new offer under the id would inherit its sales
        raise RuleError(f"package {package_id!r} was sold {_times(sold)}, and its file {layout.PACKAGES}/{package_id}.toml "
                        "is gone; choose another id, or put the file back from a backup")


def _check_services(package, services: dict) -> list[str]:  # type: ignore[no-untyped-def]
    """Refuse unknown services (exit 2) and deleted ones (a rule: exit 1);
    return warnings about inactive ones."""
    from ..domain.packages import ALL, check_package, deleted_service

    try:
        check_package(package, services)
    except FieldError as err:
        if deleted_service(package, services):
            raise RuleError(f"{err.message}; choose another service") from None
        raise InputError(err.message) from None
    included = package.contents.service_ids
    return [
        f"service {sid} is inactive: {package.id} cannot be used for it until you run "
        f"'sessionpack service edit {sid} --activate'"
        for sid in ([] if included == ALL else included) if not services[sid].active
    ]


def _past(package, today) -> bool:  # type: ignore[no-untyped-def]
    """Whether the package's fixed expiry date has passed: it is not sold
    then (``sales.sell``), though it may be kept, or prepared, as it is."""
    from ..domain.expiry import ends_before

    return not package.deleted and ends_before(package.expiry, today)


def _past_warning(package, today) -> list[str]:  # type: ignore[no-untyped-def]
    if not _past(package, today):
        return []
    return [f"package {package.id} is valid only through {package.expiry.on.isoformat()}, which has passed: it cannot "
            f"be sold until it has a later expiry date ('sessionpack package edit {package.id} --expires ...')"]


def _times_sold(opened, package_id: str) -> int:  # type: ignore[no-untyped-def]
    return int(opened.load_sold().get("packages", {}).get(package_id, 0))


def _times(count: int) -> str:
    return f"{count} time{'' if count == 1 else 's'}"


# ---------------------------------------------------------------- rendering


def _price_text(package) -> str:  # type: ignore[no-untyped-def]
    from ..domain.money import money_text

    pay = package.payment
    if pay.mode == "per-session":
        return "per session: " + ", ".join(f"{sid} {money_text(fee)}" for sid, fee in pay.fees)
    return money_text(pay.price) + (f" + {money_text(pay.tax)}% tax" if pay.tax else "")


def package_row(package, today=None) -> dict:  # type: ignore[no-untyped-def]
    """One row of ``list``; with ``today``, an active package whose fixed
    expiry date has passed has the status "expired" (it is not sold)."""
    from ..domain.packages import describe

    status = "deleted" if package.deleted else package.status
    if status == "active" and today is not None and _past(package, today):
        status = "expired"
    return {
        "id": package.id, "name": package.name, "category": package.category,
        "contents": describe(package)[0], "price": _price_text(package), "expiry": package.expiry.text(),
        "status": status, "visibility": package.visibility,
    }


def in_display_order(packages: list) -> list:
    """Grouped by category, uncategorized last; categories by their lowest
    display order, then name; inside a category by display order, then id."""
    groups: dict[str, list] = {}
    for package in packages:
        groups.setdefault(package.category, []).append(package)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", min(p.order for p in kv[1]), kv[0]))
    return [p for _, members in ordered for p in sorted(members, key=lambda p: (p.order, p.id))]


def _render(fmt: Format, package, message: str) -> None:  # type: ignore[no-untyped-def]
    if fmt is Format.table:
        say(message)
    elif fmt in (Format.json, Format.jsonl):
        emit_record(fmt, package.terms())
    else:
        emit(fmt, PACKAGE_COLUMNS, [package_row(package)])


def _show_lines(package, services: dict, sold: int, today=None) -> list[str]:  # type: ignore[no-untyped-def]
    from ..domain.packages import describe

    lines = [f"{package.name} ({package.id})"]
    if package.category or package.order:
        lines.append(", ".join(part for part in (
            f"category {package.category}" if package.category else "",
            f"display order {package.order}" if package.order else "") if part))
    if package.description:
        from ..domain.text import shown_lines

        lines.extend(shown_lines(package.description))
    lines.extend(describe(package, services))
    if today is not None and _past(package, today):
        lines.append("its last valid day has passed: not sold until it has a later expiry date")
    lines.append(f"sold {_times(sold)}" if sold else "not sold yet")
    return lines


# ---------------------------------------------------------------- commands


@package_app.command("create")
@writer
def package_create(
    package_id: str = ID_ARG,
    name: Optional[str] = NAME,
    service: Optional[List[str]] = SERVICE,
    pool: Optional[str] = POOL,
    services: Optional[str] = SERVICES,
    price: Optional[str] = PRICE,
    tax: Optional[str] = TAX,
    upfront: bool = UPFRONT,
    per_session: bool = PER_SESSION,
    fee: Optional[List[str]] = FEE,
    expires: Optional[str] = EXPIRES,
    provider: Optional[List[str]] = PROVIDER,
    weekdays: Optional[str] = WEEKDAYS,
    time: Optional[str] = TIME,
    between: Optional[List[str]] = BETWEEN,
    dates: Optional[List[str]] = DATES,
    no_show: Optional[NoShow] = NO_SHOW,
    late_cancel_hours: Optional[int] = LATE_HOURS,
    late_cancel: Optional[LateCancel] = LATE,
    charge_percent: Optional[str] = CHARGE,
    expiry_limits: Optional[ExpiryLimits] = LIMITS,
    inactive: bool = INACTIVE,
    visibility: Optional[Visibility] = VISIBILITY,
    category: Optional[str] = CATEGORY,
    order: Optional[int] = ORDER,
    description: Optional[str] = DESCRIPTION,
    from_json: Optional[str] = FROM_JSON,
    fmt: Format = FORMAT,
) -> None:
    """Create a package: contents, price, expiry, restrictions, policies.

    Policies not given come from settings.toml [policies].

    \b
    Examples:
      sessionpack package create five-massages --name "5 massages" \\
          --service massage=5 --price 400
      sessionpack package create sampler --name "Sampler" \\
          --service massage=1 --service thai=2 --price 250 --tax 23
      sessionpack package create ten --name "10 sessions" --pool count=10 \\
          --services massage,thai --price 700 \\
          --expires "2 months from first use" \\
          --weekdays mon,wed --time 10:00-13:00
      sessionpack package create credit --name "300 credit" --pool money=300 \\
          --price 270 --expires "on 2027-06-30"
      sessionpack package show ten --format json \\
          | sessionpack package create ten-b --from-json - --name "10 (B)"
    """
    options = dict(locals())  # every option, before anything else is defined
    from ..domain.ids import check_slug
    from ..storage.catalog import save_package

    opened = store()
    currency = opened.settings.currency
    check_slug(package_id, "package")
    given = parse_given(currency, options)
    base = None
    if from_json is not None:
        base = package_from_json(_read_json_source(from_json), package_id, currency, opened.settings.policies)
    package = build(package_id, currency, given, base, opened.settings.policies)
    with opened.writing() as tx:
        _refuse_taken(opened, package_id)
        warnings = _check_services(package, _services(opened)) + _past_warning(package, opened.today)
        save_package(tx, package)
    _render(fmt, package, f"Created package {package_id}")
    for text in warnings:
        warn(text)


@package_app.command("clone")
@writer
def package_clone(
    source_id: str = typer.Argument(..., metavar="SRC", help="The package to copy (it may be deleted)."),
    new_id: str = typer.Argument(..., metavar="NEW", help="The new package's id."),
    name: Optional[str] = typer.Option(None, "--name", metavar="TEXT", help="Name of the copy (default: the same name)."),
    fmt: Format = FORMAT,
) -> None:
    """Copy a package under a new id; the two are independent from then on.

    Every term is copied (status included); a deleted source gives a copy that is not deleted.

    \b
    Example:
      sessionpack package clone five-massages ten-massages --name "10 massages"
      sessionpack package edit ten-massages --service massage=10 --price 750
    """
    from ..domain.ids import check_slug
    from ..domain.services import check_name
    from ..storage.catalog import save_package

    opened = store()
    check_slug(source_id, "package")
    check_slug(new_id, "package")
    new_name = _opt("--name", check_name, name) if name is not None else None
    with opened.writing() as tx:
        services = _services(opened)
        source = _existing(opened, source_id, services)
        _refuse_taken(opened, new_id)
        package = source.with_changes(id=new_id, name=new_name or source.name, deleted=False)
        warnings = _check_services(package, services)
        save_package(tx, package)
    _render(fmt, package, f"Cloned package {source_id} as {new_id}")
    for text in warnings:
        warn(text)


@package_app.command("edit")
@writer
def package_edit(
    package_id: str = typer.Argument(..., metavar="ID"),
    name: Optional[str] = NAME,
    service: Optional[List[str]] = typer.Option(None, "--service", metavar="SERVICE=N",
                                                help="Replace the contents with fixed sessions; repeatable."),
    pool: Optional[str] = typer.Option(None, "--pool", metavar="VALUE",
                                       help="Replace the contents with a pool (keeps a pool's services)."),
    services: Optional[str] = SERVICES,
    price: Optional[str] = PRICE,
    tax: Optional[str] = TAX,
    upfront: bool = typer.Option(False, "--upfront", help="Switch to upfront payment (give --price)."),
    per_session: bool = typer.Option(False, "--per-session", help="Switch to per-session fees (give --fee)."),
    fee: Optional[List[str]] = typer.Option(None, "--fee", metavar="SERVICE=AMOUNT",
                                            help="Set the per-session fee of a service; repeatable."),
    expires: Optional[str] = EXPIRES,
    provider: Optional[List[str]] = typer.Option(None, "--provider", metavar="NAME", help="Replace the providers; repeatable."),
    weekdays: Optional[str] = WEEKDAYS,
    time: Optional[str] = TIME,
    between: Optional[List[str]] = typer.Option(None, "--between", metavar="FROM..TO",
                                                help="Replace the date ranges; repeatable."),
    dates: Optional[List[str]] = DATES,
    clear: Optional[List[Clearable]] = typer.Option(None, "--clear",
                                                    help="Remove a restriction (or all of them); repeatable."),
    no_show: Optional[NoShow] = NO_SHOW,
    late_cancel_hours: Optional[int] = LATE_HOURS,
    late_cancel: Optional[LateCancel] = LATE,
    charge_percent: Optional[str] = CHARGE,
    expiry_limits: Optional[ExpiryLimits] = LIMITS,
    active: bool = typer.Option(False, "--active", help="Sell it again."),
    inactive: bool = typer.Option(False, "--inactive", help="Stop selling it (same as 'package deactivate')."),
    visibility: Optional[Visibility] = VISIBILITY,
    category: Optional[str] = typer.Option(None, "--category", metavar="TEXT", help="Group heading in lists ('' for none)."),
    order: Optional[int] = ORDER,
    description: Optional[str] = DESCRIPTION,
    from_json: Optional[str] = typer.Option(None, "--from-json", metavar="FILE|-",
                                            help="Replace every term with this JSON; options override it."),
    fmt: Format = FORMAT,
) -> None:
    """Change a package. Only new sales get the change: clients who bought it keep their terms.

    Contents and payment change only when given; other terms keep their values.

    \b
    Examples:
      sessionpack package edit five-massages --price 420 --expires "6 months"
      sessionpack package edit ten --weekdays mon-fri --clear time
    """
    options = dict(locals())  # every option, before anything else is defined
    from ..domain.ids import check_slug
    from ..storage.catalog import save_package

    opened = store()
    currency = opened.settings.currency
    check_slug(package_id, "package")
    given = parse_given(currency, options)
    json_base = None
    if from_json is not None:
        json_base = package_from_json(_read_json_source(from_json), package_id, currency, opened.settings.policies)
    with opened.writing() as tx:
        services = _services(opened)
        current = _existing(opened, package_id, services)
        if current.deleted:
            raise RuleError(f"package {package_id!r} is deleted and cannot be edited; copy it with "
                            f"'sessionpack package clone {package_id} NEW'")
        package = build(package_id, currency, given, json_base or current)
        if package == current:
            raise RuleError(f"nothing to change for package {package_id}: give at least one new value")
        warnings = _check_services(package, services) + _past_warning(package, opened.today)
        save_package(tx, package)
        sold = _times_sold(opened, package_id)
    _render(fmt, package, f"Changed package {package_id}")
    if sold:
        warn(f"package {package_id} has been sold {_times(sold)}: the change applies to new sales only; "
             "clients who bought it keep the terms they bought")
    for text in warnings:
        warn(text)


@package_app.command("list")
@boundary
def package_list(
    show_all: bool = typer.Option(False, "--all", help="Include inactive and deleted packages."),
    fmt: Format = FORMAT,
) -> None:
    """List packages, grouped by category in display order.

    JSON gives every term of each package (as 'package show --format json').

    \b
    Example:
      sessionpack package list --all --format csv
    """
    from ..storage.catalog import load_packages

    opened = store()
    with opened.reading():
        packages = load_packages(opened.root, opened.settings.currency, _services(opened))
    shown = in_display_order([p for p in packages.values() if show_all or (p.status == "active" and not p.deleted)])
    if packages and not shown:
        empty = "No active packages; see 'sessionpack package list --all'"
    else:
        empty = "No packages yet: create one with 'sessionpack package create'"
    emit(fmt, PACKAGE_COLUMNS, [package_row(p, opened.today) for p in shown], title=f"Packages ({opened.settings.currency})", table=PACKAGE_TABLE,
         data=[p.terms() for p in shown], empty=empty)


@package_app.command("show")
@boundary
def package_show(
    package_id: str = typer.Argument(..., metavar="ID"),
    fmt: Format = FORMAT,
) -> None:
    """Show every term of a package in plain words (JSON: enough to recreate it).

    \b
    Examples:
      sessionpack package show ten
      sessionpack package show ten --format json > ten.json
    """
    opened = store()
    with opened.reading():
        services = _services(opened)
        package = _existing(opened, package_id, services)
        sold = _times_sold(opened, package_id)
    if fmt is Format.table:
        for line in _show_lines(package, services, sold, opened.today):
            say(line)
    else:
        _render(fmt, package, "")


@package_app.command("deactivate")
@writer
def package_deactivate(package_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Stop selling a package; clients who bought it keep it.

    Bring it back with 'sessionpack package edit ID --active'.

    \b
    Example:
      sessionpack package deactivate five-massages
    """
    from ..storage.catalog import save_package

    opened = store()
    with opened.writing() as tx:
        current = _existing(opened, package_id, _services(opened))
        if current.deleted:
            raise RuleError(f"package {package_id!r} is deleted, so it is not sold anyway")
        if current.status == "inactive":
            raise RuleError(f"package {package_id} is already inactive")
        save_package(tx, current.with_changes(status="inactive"))
    say(f"Deactivated package {package_id}")


@package_app.command("delete")
@writer
def package_delete(package_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Delete a package that was never sold (a sold one can only be deactivated).

    The file stays, marked deleted = true: 'package list --all' still shows it
    and it can be cloned, but not edited or sold.

    \b
    Example:
      sessionpack package delete draft-offer
    """
    from ..storage.catalog import save_package

    opened = store()
    with opened.writing() as tx:
        current = _existing(opened, package_id, _services(opened))
        if current.deleted:
            raise RuleError(f"package {package_id!r} is already deleted")
        sold = _times_sold(opened, package_id)
        if sold:
            raise RuleError(f"package {package_id!r} has been sold {_times(sold)} and cannot be deleted; "
                            f"deactivate it with 'sessionpack package deactivate {package_id}'")
        save_package(tx, current.with_changes(deleted=True))
    say(f"Deleted package {package_id}")
