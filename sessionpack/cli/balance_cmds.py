"""balance and history: what is left, and how it came to be.

Declared without importing Typer (``cli/declare.py``): these are hot
commands, run by the quick path when their command line is plain.
"""

from __future__ import annotations

from .declare import Argument, Option, command, completion
from .lookup import client_view, find_client_package
from .output import Format, emit, write_json
from .runtime import boundary, store

FMT = Option(Format.table, "--format", help="Output format.")
BALANCE_COLUMNS = ["client", "id", "package", "item", "total", "used", "scheduled", "remaining", "expires", "status"]
HISTORY_COLUMNS = ["seq", "at", "actor", "what", "why", "package", "change", "balance"]


@command("balance")
@boundary
def balance_cmd(
    client: str | None = Argument(None, metavar="[CLIENT]", help="Default: every client with an active package.", autocompletion=completion("clients")),
    show_all: bool = Option(False, "--all", help="Include used-up, expired, cancelled and refunded packages (without CLIENT: reads every client's view, slower)."),
    code: str | None = Option(None, "--code", help="Only the client package with this access code (give no CLIENT)."),
    fmt: Format = FMT,
) -> None:
    """What each client package holds: total, used, scheduled, remaining, expiry, status.

    With CLIENT, every package of that client; without, every client with an
    active package. Status and expiry are judged at --now. With --code, only
    the package the access code opens and the sessions booked on it, nothing
    else of the practice (for a script or web form).

    \b
    Examples:
      sessionpack balance ana
      sessionpack balance --format csv
      sessionpack balance --code K7QF-3MZP-... --format json
    """
    if code is not None:
        from .code_cmds import balance_by_code

        balance_by_code(client, show_all, code, fmt)
        return
    from ..reports.balances import balance_table_rows, client_summaries, shared_summaries
    from .lookup import owner_views

    opened = store()
    tz = opened.settings.tz
    summaries = []
    with opened.reading() as tx:
        if client is not None:
            view = client_view(tx, client)
            summaries = client_summaries(view, opened.now, tz, include_inactive=True)
            summaries += shared_summaries(view, owner_views(tx, view), opened.now, tz)
        else:
            from ..storage.shards import practice_packages

            for packages in practice_packages(tx, opened.now, everything=show_all):
                summaries.extend(client_summaries({"packages": packages}, opened.now, tz, include_inactive=show_all))
    if fmt is Format.json:
        write_json(summaries)
        return
    title = f"Balances at {opened.now:%Y-%m-%d %H:%M} ({opened.settings.currency})"
    empty = f"{client} has no packages" if client else "No client has an active package"
    emit(fmt, BALANCE_COLUMNS, balance_table_rows(summaries), title=title, empty=empty)


@command("history")
@boundary
def history_cmd(
    target: str = Argument(..., metavar="CLIENT|CLIENT-PACKAGE", autocompletion=completion("clients_or_packages")),
    fmt: Format = FMT,
) -> None:
    """Every event that touched a client or client package, oldest first,
    with who, when, what, why and the balance after it.

    \b
    Examples:
      sessionpack history ana
      sessionpack history ana.p1 --format json
    """
    from ..domain.ids import CLIENT_PACKAGE_RE, check_slug
    from ..reports.balances import history_rows

    opened = store()
    match = CLIENT_PACKAGE_RE.match(target)
    client_id = match.group(1) if match else check_slug(target, "client")
    with opened.reading() as tx:
        view = find_client_package(tx, target, client_id)[0] if match else client_view(tx, client_id)
    rows = history_rows(view, target if match else None)
    for row in rows:
        row.pop("_change")
    emit(fmt, HISTORY_COLUMNS, rows, title=f"History of {target}", empty=f"No events for {target}")
