"""service ...: the services a practice offers (catalog in services/ID.toml)."""

from __future__ import annotations

from typing import List, Optional

import typer

from ..domain.datetimes import ascii_whole

from ..errors import InputError, RuleError
from .app import app, boundary, writer, store
from .output import Col, Format, emit, emit_record, say, warn

service_app = typer.Typer(
    help="Services: what a session is (duration, price, tax).",
    epilog="\b\nExamples:\n  sessionpack service add massage --name \"Massage 60\" --duration 60 --price 90\n  sessionpack service list --all",
    no_args_is_help=True,
)
app.add_typer(service_app, name="service")

SERVICE_COLUMNS = ["id", "name", "duration", "price", "tax", "active", "providers"]
SERVICE_TABLE = [Col("id", keep=True), Col("name"), Col("duration", keep=True), Col("price", keep=True), Col("tax", keep=True),
                 Col("active", keep=True), Col("providers")]


def _service_row(service) -> dict:  # type: ignore[no-untyped-def]
    return {"id": service.id, **service.to_mapping(), "providers": list(service.providers)}


def _packages_including(root: str, currency: str, services: dict, service_id: str) -> list[str]:
    from ..domain.packages import includes_service
    from ..storage.catalog import load_packages

    packages = load_packages(root, currency, services)
    return sorted(pid for pid, package in packages.items() if includes_service(package, service_id))


@service_app.command("add")
@writer
def service_add(
    service_id: str = typer.Argument(..., metavar="ID", help="Slug: lower-case letters, digits, hyphens."),
    name: str = typer.Option(..., "--name", help="Name shown to people."),
    duration: int = typer.Option(..., "--duration", parser=ascii_whole, help="Minutes."),
    price: str = typer.Option(..., "--price", help="Regular price per session, net of tax."),
    tax: str = typer.Option("0", "--tax", help="Tax rate in percent."),
    provider: Optional[List[str]] = typer.Option(None, "--provider", help="Who gives it (repeatable; default anyone)."),
    description: str = typer.Option("", "--description"),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Add a service.

    \b
    Example:
      sessionpack service add massage --name "Massage 60" --duration 60 --price 90
    """
    from ..domain.services import service_from_mapping
    from ..storage.catalog import load_service, save_service

    opened = store()
    data = {"name": name, "duration": duration, "price": price, "tax": tax, "description": description}
    if provider:
        data["providers"] = provider
    try:
        service = service_from_mapping(service_id, data, opened.settings.currency)
    except InputError as err:
        raise InputError(getattr(err, "message", str(err))) from None
    with opened.writing() as tx:
        if load_service(opened.root, opened.settings.currency, service_id) is not None:
            raise RuleError(f"service {service_id!r} already exists; change it with 'sessionpack service edit {service_id}'")
        save_service(tx, service)
    if fmt is Format.table:
        say(f"Added service {service_id}")
    else:
        emit_record(fmt, _service_row(service))


@service_app.command("list")
@boundary
def service_list(
    show_all: bool = typer.Option(False, "--all", help="Include inactive services."),
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
    rows = [_service_row(s) for s in services.values() if show_all or s.active]
    emit(fmt, SERVICE_COLUMNS, rows, title=f"Services ({opened.settings.currency})", table=SERVICE_TABLE,
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
    duration: Optional[int] = typer.Option(None, "--duration", parser=ascii_whole),
    price: Optional[str] = typer.Option(None, "--price", help="New regular price (past bookings keep theirs)."),
    tax: Optional[str] = typer.Option(None, "--tax"),
    provider: Optional[List[str]] = typer.Option(None, "--provider", help="Replace the providers (repeatable)."),
    description: Optional[str] = typer.Option(None, "--description"),
    activate: bool = typer.Option(False, "--activate", help="Make an inactive service bookable again."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Change a service; bookings already made keep the price they were made at.

    \b
    Example:
      sessionpack service edit massage --price 95
    """
    from ..domain.services import service_from_mapping
    from ..storage.catalog import save_service

    opened = store()
    with opened.writing() as tx:
        current = _existing(opened, service_id)
        data = current.to_mapping()
        changes = {"name": name, "duration": duration, "price": price, "tax": tax, "description": description}
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
