"""client ...: the people who buy packages and attend sessions."""

from __future__ import annotations

from typing import List, Optional

import typer

from ..errors import InputError, RuleError
from .app import app, boundary, store
from .output import Format, emit, emit_record, say

client_app = typer.Typer(
    help="Clients: who buys packages and attends sessions.",
    epilog="\b\nExamples:\n  sessionpack client add ana --name \"Ana Lima\" --email ana@example.com\n  sessionpack client list --format csv",
    no_args_is_help=True,
)
app.add_typer(client_app, name="client")

CLIENT_COLUMNS = ["id", "name", "email", "tags"]


def client_view(tx, client_id: str) -> dict:  # type: ignore[no-untyped-def]
    """The view of an existing client, or a clear InputError."""
    from ..domain.ids import check_slug

    check_slug(client_id, "client")
    view = tx.client(client_id)
    if view is None or view.get("client") is None:
        raise InputError(f"no client {client_id!r}; see 'sessionpack client list' or add one with 'sessionpack client add'")
    return view


@client_app.command("add")
@boundary
def client_add(
    client_id: Optional[str] = typer.Argument(None, metavar="[ID]", help="Slug; default made from the name."),
    name: str = typer.Option(..., "--name"),
    email: str = typer.Option("", "--email"),
    phone: str = typer.Option("", "--phone"),
    notes: str = typer.Option("", "--notes"),
    tag: Optional[List[str]] = typer.Option(None, "--tag", help="Repeatable, or comma-separated."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Add a client.

    \b
    Examples:
      sessionpack client add ana --name "Ana Lima" --email ana@example.com
      sessionpack client add --name "Bruno Costa" --tag runner   # id: bruno-costa
    """
    from ..domain.clients import add_client, choose_client_id, client_record

    opened = store()
    fields = {"name": name, "email": email, "phone": phone, "notes": notes, "tags": tag or []}
    if client_id is not None:
        client_record(client_id, fields)  # validate before taking the lock
    with opened.writing() as tx:
        if client_id is None:
            client_id = choose_client_id(name, tx.client_exists)
        elif tx.client_exists(client_id):
            raise RuleError(f"client {client_id!r} already exists; change it with 'sessionpack client edit {client_id}'")
        event = add_client(client_id, fields)
        tx.commit([event])
    if fmt is Format.table:
        say(f"Added client {client_id}")
    else:
        emit_record(fmt, event["client"])


@client_app.command("list")
@boundary
def client_list(
    tag: Optional[str] = typer.Option(None, "--tag", help="Only clients with this tag."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """List clients.

    \b
    Example:
      sessionpack client list --tag runner --format csv
    """
    opened = store()
    with opened.reading():
        directory = opened.load_directory()
    rows = [{"id": cid, **entry} for cid, entry in sorted(directory["clients"].items()) if tag is None or tag in entry["tags"]]
    emit(fmt, CLIENT_COLUMNS, rows, title="Clients", empty="No clients yet: add one with 'sessionpack client add'")


@client_app.command("show")
@boundary
def client_show(
    client_id: str = typer.Argument(..., metavar="ID"),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Show a client's details.

    \b
    Example:
      sessionpack client show ana
    """
    opened = store()
    with opened.reading() as tx:
        view = client_view(tx, client_id)
    record = dict(view["client"])
    record["packages"] = sorted(view["packages"])
    emit_record(fmt, record)


@client_app.command("edit")
@boundary
def client_edit(
    client_id: str = typer.Argument(..., metavar="ID"),
    name: Optional[str] = typer.Option(None, "--name"),
    email: Optional[str] = typer.Option(None, "--email", help="New email ('' to clear)."),
    phone: Optional[str] = typer.Option(None, "--phone", help="New phone ('' to clear)."),
    notes: Optional[str] = typer.Option(None, "--notes"),
    tag: Optional[List[str]] = typer.Option(None, "--tag", help="Add a tag (repeatable)."),
    untag: Optional[List[str]] = typer.Option(None, "--untag", help="Remove a tag (repeatable)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Change a client's details (the change is recorded; nothing is overwritten).

    \b
    Example:
      sessionpack client edit ana --email ana.lima@example.com --tag vip
    """
    from ..domain.clients import edit_client

    opened = store()
    with opened.writing() as tx:
        view = client_view(tx, client_id)
        event = edit_client(view["client"], {"name": name, "email": email, "phone": phone, "notes": notes}, tag or (), untag or ())
        tx.commit([event])
    if fmt is Format.table:
        say(f"Changed client {client_id}: {', '.join(sorted(event['changes']))}")
    else:
        emit_record(fmt, event["changes"])
