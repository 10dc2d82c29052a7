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


def find_client_package(tx, client_package: str, owner_id: Optional[str] = None,  # type: ignore[no-untyped-def]
                        known: Optional[dict] = None) -> tuple[dict, dict]:
    """(its owner's view, the client package), or the standard errors.

    ``owner_id``: already parsed from ``client_package`` by the caller;
    ``known``: a view already read, used if it is the owner's.
    """
    from ..domain.ids import parse_client_package_id

    if owner_id is None:
        owner_id, _ = parse_client_package_id(client_package)
    view = known if known is not None and known["id"] == owner_id else client_view(tx, owner_id)
    pkg = view["packages"].get(client_package)
    if pkg is None:
        raise InputError(f"no client package {client_package!r}; see 'sessionpack balance {owner_id}'")
    return view, pkg


def find_booking(tx, booking_id: str) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """(the booking, its attendee's view), or the standard errors."""
    from ..domain.ids import parse_booking_id

    attendee_id, _ = parse_booking_id(booking_id)
    view = client_view(tx, attendee_id)
    booking = view["bookings"].get(booking_id)
    if booking is None:
        raise InputError(f"no booking {booking_id!r}; see 'sessionpack history {attendee_id}'")
    return booking, view


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
    """Show a client's details, and their links with other clients.

    \b
    Example:
      sessionpack client show ana
    """
    from ..reports.sharing_text import relation_rows, relation_text

    opened = store()
    with opened.reading() as tx:
        view = client_view(tx, client_id)
    record = dict(view["client"])
    record["packages"] = sorted(view["packages"])
    rows = relation_rows(view)
    if not rows or fmt is Format.json:
        if rows:
            record["relations"] = rows
        emit_record(fmt, record)
        return
    texts = [relation_text(client_id, row) for row in rows]
    record["relations"] = " | ".join(texts) if fmt is not Format.table else texts[0]
    emit_record(fmt, record)
    if fmt is Format.table:
        for text in texts[1:]:  # one link a line, under the first
            say(f"{'':<{max(len(k) for k in record)}}  {text}")


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
    no_notices: Optional[List[str]] = typer.Option(None, "--no-notices", metavar="KIND",
                                                   help="Stop sending this client notices of KIND: expiring, low, used-up, expired or all (repeatable)."),
    notices: Optional[List[str]] = typer.Option(None, "--notices", metavar="KIND", help="Send notices of KIND again (repeatable; all)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Change a client's details (the change is recorded; nothing is overwritten).

    \b
    Examples:
      sessionpack client edit ana --email ana.lima@example.com --tag vip
      sessionpack client edit ana --no-notices low --no-notices expiring
    """
    from ..domain.clients import edit_client

    opened = store()
    with opened.writing() as tx:
        view = client_view(tx, client_id)
        event = edit_client(view["client"], {"name": name, "email": email, "phone": phone, "notes": notes}, tag or (), untag or (),
                            no_notices or (), notices or ())
        tx.commit([event])
    if fmt is Format.table:
        say(f"Changed client {client_id}: {', '.join(sorted(event['changes']))}")
    else:
        emit_record(fmt, event["changes"])


@client_app.command("relate")
@boundary
def client_relate(
    client_id: str = typer.Argument(..., metavar="A"),
    other_id: str = typer.Argument(..., metavar="B"),
    label: str = typer.Option(..., "--as", metavar="LABEL",
                              help="What A is to B: parent, child, partner, guardian, ward, sibling, grandparent, grandchild, other."),
    can: Optional[List[str]] = typer.Option(None, "--can", metavar="PERMISSION",
                                            help="What A may do regarding B (repeatable): book-for, use-packages, notices."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Link two clients: A is B's LABEL, and each --can is a permission of A regarding B.

    book-for: A may book and manage B's sessions; use-packages: A may use the
    packages B shares with A ('sessionpack share'); notices: A gets copies of
    B's notices. B is A's inverse (parent/child, guardian/ward,
    grandparent/grandchild; partner, sibling and other are their own). B's
    permissions are set with 'relate B A'. Relating again changes the label
    and A's permissions (all of them: list every --can A keeps); taking
    use-packages away ends the shares it allowed.

    \b
    Examples:
      sessionpack client relate carla diogo --as parent --can book-for --can notices
      sessionpack client relate diogo carla --as child --can use-packages
    """
    from ..domain.ids import check_slug
    from ..domain.sharing import active_link, check_label, check_permissions, relate
    from ..reports.sharing_text import ended_lines, ended_record, relation_rows, relation_text

    opened = store()
    check_slug(client_id, "client")
    check_slug(other_id, "client")
    check_label(label)
    check_permissions(can or ())
    with opened.writing() as tx:
        a_view, b_view = client_view(tx, client_id), client_view(tx, other_id)
        event = relate(a_view, b_view, label, can or (), opened.now)
        tx.commit([event])
        views = {client_id: a_view, other_id: b_view}
        after = tx.client(client_id) or a_view
    [row] = [r for r in relation_rows(after) if r["client"] == other_id]
    if fmt is Format.table:
        verb = "Changed the link between" if active_link(a_view, other_id) else "Linked"
        say(f"{verb} {client_id} and {other_id}: {relation_text(client_id, row)}")
        for line in ended_lines(event, views):
            say(line)
    else:
        emit_record(fmt, {"client": client_id, "other": other_id, "as": row["as"], "they_are": row["they_are"],
                          "can": row["can"], "they_can": row["they_can"], "since": row["since"], **ended_record(event, views)})


@client_app.command("unrelate")
@boundary
def client_unrelate(
    client_id: str = typer.Argument(..., metavar="A"),
    other_id: str = typer.Argument(..., metavar="B"),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in both clients' history)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """End the link between two clients, both ways, and the shares it allowed.

    Only future use stops: bookings already drawing on a shared package keep
    their draws (they are listed; cancel or unlink them to give the sessions
    back).

    \b
    Example:
      sessionpack client unrelate carla diogo --reason "moved away"
    """
    from ..domain.ids import check_slug
    from ..domain.sharing import check_reason, unrelate
    from ..reports.sharing_text import ended_lines, ended_record

    opened = store()
    check_slug(client_id, "client")
    check_slug(other_id, "client")
    why = check_reason(reason)
    with opened.writing() as tx:
        a_view, b_view = client_view(tx, client_id), client_view(tx, other_id)
        event = unrelate(a_view, b_view, opened.now, why)
        tx.commit([event])
    views = {client_id: a_view, other_id: b_view}
    if fmt is Format.table:
        say(f"Ended the link between {client_id} and {other_id}")
        for line in ended_lines(event, views):
            say(line)
    else:
        emit_record(fmt, {"client": client_id, "other": other_id, "reason": why, **ended_record(event, views)})
