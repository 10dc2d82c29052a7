"""service ...: the services a practice offers (catalog in services/ID.toml)."""

from __future__ import annotations

from typing import List, Optional

import typer

from ..domain.datetimes import ascii_whole
from ..domain.money import money_text

from ..errors import InputError, RuleError
from .app import app, boundary, writer, store
from .output import Col, Format, emit, emit_record, say, warn

service_app = typer.Typer(
    help="Services: what a session is (duration, price, tax).",
    epilog="\b\nExamples:\n  sessionpack service add massage --name \"Massage 60\" --duration 60 --price 90\n  sessionpack service list --all",
    no_args_is_help=True,
)
app.add_typer(service_app, name="service")

SERVICE_COLUMNS = ["id", "name", "duration", "price", "tax", "active", "providers", "description", "capacity", "deleted"]
SERVICE_TABLE = [Col("id", keep=True), Col("name"), Col("duration", keep=True), Col("price", keep=True), Col("tax", keep=True),
                 Col("active", keep=True), Col("providers"), Col("description", wide=True)]
CAPACITY = Col("capacity", keep=True)
DELETED = Col("deleted", keep=True)


def _service_row(service) -> dict:  # type: ignore[no-untyped-def]
    """Every documented column, always, in the order of ``SERVICE_COLUMNS``
    (the catalog file leaves out what is empty; a script's columns and keys
    must not come and go): the description (null when there is none),
    places at one start (1: one client at a time), and whether the service
    was deleted."""
    return {"id": service.id, "name": service.name, "duration": service.duration, "price": money_text(service.price),
            "tax": money_text(service.tax), "active": service.active, "providers": list(service.providers),
            "description": service.description or None, "capacity": service.capacity or 1, "deleted": service.deleted}


def _packages_including(root: str, currency: str, services: dict, service_id: str) -> list[str]:
    from ..domain.packages import packages_including
    from ..storage.catalog import load_packages

    return packages_including(load_packages(root, currency, services), service_id)


def _packages_naming(root: str, currency: str, services: dict, service_id: str) -> list[str]:
    """The catalog packages, not deleted, that name the service in their
    contents (a pool of every service names none)."""
    from ..domain.packages import ALL
    from ..storage.catalog import load_packages

    packages = load_packages(root, currency, services)
    return sorted(pid for pid, package in packages.items() if not package.deleted
                  and package.contents.service_ids != ALL and service_id in package.contents.service_ids)


@service_app.command("add")
@writer
def service_add(
    service_id: str = typer.Argument(..., metavar="ID", help="Slug: lower-case letters, digits, hyphens."),
    name: str = typer.Option(..., "--name", help="Name shown to people."),
    duration: int = typer.Option(..., "--duration", metavar="N", parser=ascii_whole, help="Minutes."),
    price: str = typer.Option(..., "--price", help="Regular price per session, net of tax."),
    tax: str = typer.Option("0", "--tax", help="Tax rate in percent."),
    provider: Optional[List[str]] = typer.Option(None, "--provider", help="Who gives it (repeatable; default anyone); others are refused."),
    description: str = typer.Option("", "--description"),
    capacity: Optional[int] = typer.Option(None, "--capacity", metavar="N", parser=ascii_whole, help="Places at one start: a group class (default 1)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Add a service.

    With --capacity N (a yoga class of 12, say), bookings of the service at
    the same start with the same provider share it up to N places; past
    that it is full (rule 21 of docs/rules.md).

    \b
    Examples:
      sessionpack service add massage --name "Massage 60" --duration 60 --price 90
      sessionpack service add yoga --name "Yoga class" --duration 60 --price 15 \\
          --capacity 12
    """
    from ..domain.services import service_from_mapping
    from ..storage.catalog import load_service, save_service

    opened = store()
    data = {"name": name, "duration": duration, "price": price, "tax": tax, "description": description}
    if provider:
        data["providers"] = provider
    if capacity is not None:
        data["capacity"] = capacity
    try:
        service = service_from_mapping(service_id, data, opened.settings.currency)
    except InputError as err:
        raise InputError(getattr(err, "message", str(err))) from None
    with opened.writing() as tx:
        existing = load_service(opened.root, opened.settings.currency, service_id)
        if existing is not None and existing.deleted:
            raise RuleError(f"service {service_id!r} exists (deleted; its id stays taken); choose another id")
        if existing is not None:
            raise RuleError(f"service {service_id!r} already exists; change it with 'sessionpack service edit {service_id}'")
        save_service(tx, service)
    if fmt is Format.table:
        say(f"Added service {service_id}")
    else:
        emit_record(fmt, _service_row(service))


@service_app.command("list")
@boundary
def service_list(
    show_all: bool = typer.Option(False, "--all", help="Include inactive and deleted services."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """List services.

    \b
    Example:
      sessionpack service list --all --format csv
    """
    from ..storage.catalog import load_services

    opened = store()
    with opened.reading():
        services = load_services(opened.root, opened.settings.currency)
    shown = [s for s in services.values() if show_all or (s.active and not s.deleted)]
    rows = [_service_row(s) for s in shown]
    if fmt is Format.table:  # a description's tabs as spacing
        from ..domain.text import shown_lines

        rows = [{**row, "description": "\n".join(shown_lines(row["description"]))} if row["description"] else row for row in rows]
    table = SERVICE_TABLE + ([CAPACITY] if any(s.capacity for s in shown) else []) + ([DELETED] if any(s.deleted for s in shown) else [])
    emit(fmt, SERVICE_COLUMNS, rows, title=f"Services ({opened.settings.currency})", table=table,
         empty="No services yet: add one with 'sessionpack service add'")


@service_app.command("show")
@boundary
def service_show(
    service_id: str = typer.Argument(..., metavar="ID"),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Show one service.

    \b
    Example:
      sessionpack service show massage --format json
    """
    opened = store()
    with opened.reading():
        service = _existing(opened, service_id)
    emit_record(fmt, _service_row(service))


def _existing(opened, service_id: str):  # type: ignore[no-untyped-def]
    from ..domain.ids import check_slug
    from ..storage.catalog import load_service

    check_slug(service_id, "service")
    service = load_service(opened.root, opened.settings.currency, service_id)
    if service is None:
        raise InputError(f"no service {service_id!r}; see 'sessionpack service list --all'")
    return service


@service_app.command("edit")
@writer
def service_edit(
    service_id: str = typer.Argument(..., metavar="ID"),
    name: Optional[str] = typer.Option(None, "--name"),
    duration: Optional[int] = typer.Option(None, "--duration", metavar="N", parser=ascii_whole),
    price: Optional[str] = typer.Option(None, "--price", help="New regular price (past bookings keep theirs)."),
    tax: Optional[str] = typer.Option(None, "--tax"),
    provider: Optional[List[str]] = typer.Option(None, "--provider", help="Replace the providers (repeatable)."),
    description: Optional[str] = typer.Option(None, "--description"),
    activate: bool = typer.Option(False, "--activate", help="Make an inactive service bookable again."),
    capacity: Optional[int] = typer.Option(None, "--capacity", metavar="N", parser=ascii_whole, help="Places at one start (1: one client at a time)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Change a service; bookings already made keep the price they were made at.

    \b
    Examples:
      sessionpack service edit massage --price 95
      sessionpack service edit yoga --capacity 14
    """
    from ..domain.services import service_from_mapping
    from ..storage.catalog import save_service

    opened = store()
    with opened.writing() as tx:
        current = _existing(opened, service_id)
        if current.deleted:
            raise RuleError(f"service {service_id!r} is deleted and cannot be edited; add a new service instead")
        data = current.to_mapping()
        changes = {"name": name, "duration": duration, "price": price, "tax": tax, "description": description,
                   "capacity": capacity}
        for key, value in changes.items():
            if value is not None:
                data[key] = value
        if provider is not None:
            data["providers"] = provider
        if activate:
            data["active"] = True
        try:
            service = service_from_mapping(service_id, data, opened.settings.currency)
        except InputError as err:
            raise InputError(getattr(err, "message", str(err))) from None
        if service == current:
            raise RuleError(f"nothing to change for service {service_id}: give at least one new value")
        save_service(tx, service)
    if fmt is Format.table:
        say(f"Changed service {service_id}")
    else:
        emit_record(fmt, _service_row(service))


@service_app.command("deactivate")
@writer
def service_deactivate(service_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Stop offering a service; its history and packages that include it stay.

    Client packages already sold keep it: their sessions can still be booked.

    \b
    Example:
      sessionpack service deactivate massage
    """
    from ..storage.catalog import load_services, save_service

    opened = store()
    with opened.writing() as tx:
        current = _existing(opened, service_id)
        if current.deleted:
            raise RuleError(f"service {service_id!r} is deleted, so it is not booked anyway")
        if not current.active:
            raise RuleError(f"service {service_id} is already inactive")
        services = load_services(opened.root, opened.settings.currency)
        including = _packages_including(opened.root, opened.settings.currency, services, service_id)
        save_service(tx, current.with_changes(active=False))
    say(f"Deactivated service {service_id}")
    if including:
        if len(including) == 1:
            which, them, those = f"package {including[0]} includes", "it", "that package"
        else:
            which, them, those = f"packages {', '.join(including)} include", "them", "those packages"
        warn(
            f"{which} {service_id}: clients who bought {them} can still book it; "
            f"edit or deactivate {those} to stop new sales"
        )


@service_app.command("delete")
@writer
def service_delete(service_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Delete a service no sold package includes (a sold one can only be deactivated).

    The file stays, marked deleted = true, so every booking of it keeps its
    history: 'service list --all' still shows it, but it cannot be booked,
    edited or put in a package, and its id stays taken. Refused while a
    package of the catalog (not deleted) includes it (rule 27 of
    docs/rules.md).

    \b
    Example:
      sessionpack service delete draft-class
    """
    from ..storage.catalog import load_services, save_service

    opened = store()
    with opened.writing() as tx:
        current = _existing(opened, service_id)
        if current.deleted:
            raise RuleError(f"service {service_id!r} is already deleted")
        from ..domain.services import kept_for_sales

        kept = kept_for_sales(service_id, int(opened.load_sold().get("services", {}).get(service_id, 0)))
        if kept:
            raise RuleError(f"{kept}; deactivate it with 'sessionpack service deactivate {service_id}'")
        services = load_services(opened.root, opened.settings.currency)
        including = _packages_naming(opened.root, opened.settings.currency, services, service_id)
        if including:
            which = f"package {including[0]} includes" if len(including) == 1 else f"packages {', '.join(including)} include"
            raise RuleError(f"{which} {service_id}; take it out with 'sessionpack package edit' or delete "
                            f"{'that package' if len(including) == 1 else 'them'} first")
        save_service(tx, current.with_changes(deleted=True))
    say(f"Deleted service {service_id}")
