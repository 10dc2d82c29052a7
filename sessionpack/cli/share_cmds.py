"""share, unshare: one client package, used by a linked client (rule 12 of docs/rules.md)."""

from __future__ import annotations

from typing import Optional

import typer

from .app import app, store, writer
from .client_cmds import client_view
from .output import Format, emit_record, say

FMT = typer.Option(Format.table, "--format", help="Output format.")


def _parse(client_package: str, client: str) -> str:
    from ..domain.ids import check_slug, parse_client_package_id

    owner, _ = parse_client_package_id(client_package)
    check_slug(client, "client")
    return owner


@app.command("share")
@writer
def share_cmd(
    client_package: str = typer.Argument(..., metavar="CLIENT-PACKAGE"),
    client: str = typer.Argument(..., metavar="CLIENT"),
    fmt: Format = FMT,
) -> None:
    """Let CLIENT's bookings draw on one client package of another client.

    CLIENT must be linked to the owner with the use-packages permission
    ('sessionpack client relate CLIENT OWNER --as LABEL --can use-packages').
    Sharing is per package: the owner's other packages stay theirs.

    \b
    Example:
      sessionpack share carla.p1 diogo
    """
    from ..domain.sharing import share

    opened = store()
    owner = _parse(client_package, client)
    with opened.writing() as tx:
        owner_view = client_view(tx, owner)
        user_view = client_view(tx, client)
        event = share(owner_view, user_view, client_package, today=opened.today)
        tx.commit([event])
        shared_with = (tx.client(owner) or owner_view)["packages"][client_package]["shared_with"]
    if fmt is Format.table:
        say(f"Shared {client_package} with {client}: {client}'s bookings can draw on it "
            f"(shared with: {', '.join(shared_with)})")
    else:
        emit_record(fmt, {"id": client_package, "owner": owner, "client": client, "shared_with": shared_with})


@app.command("unshare")
@writer
def unshare_cmd(
    client_package: str = typer.Argument(..., metavar="CLIENT-PACKAGE"),
    client: str = typer.Argument(..., metavar="CLIENT"),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (kept in both clients' history)."),
    fmt: Format = FMT,
) -> None:
    """Stop sharing a client package with CLIENT.

    Only future use stops: CLIENT's bookings already drawing on it keep
    their draws (they are listed; cancel or unlink them to give the sessions
    back).

    \b
    Example:
      sessionpack unshare carla.p1 diogo --reason "has his own package now"
    """
    from ..domain.sharing import check_reason, unshare
    from ..reports.sharing_text import ended_lines, ended_record

    opened = store()
    owner = _parse(client_package, client)
    why = check_reason(reason)
    with opened.writing() as tx:
        owner_view = client_view(tx, owner)
        user_view = client_view(tx, client)
        event = unshare(owner_view, user_view, client_package, opened.now, why, today=opened.today)
        tx.commit([event])
        shared_with = (tx.client(owner) or owner_view)["packages"][client_package]["shared_with"]
    views = {owner: owner_view, client: user_view}
    if fmt is Format.table:
        say(f"{client_package} is no longer shared with {client}")
        for line in ended_lines(event, views, opened.settings.tz):
            say(line)
    else:
        emit_record(fmt, {"id": client_package, "owner": owner, "client": client, "shared_with": shared_with,
                          "reason": why, **ended_record(event, views)})
