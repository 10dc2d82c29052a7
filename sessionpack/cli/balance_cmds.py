"""balance and history: what is left, and how it came to be.

Declared without importing Typer (``cli/declare.py``): these are hot
commands, run by the quick path when their command line is plain.
"""

from __future__ import annotations

from ..domain.datetimes import ascii_whole
from ..errors import InputError
from .declare import Argument, Option, command
from .lookup import client_view, find_client_package
from .output import Col, Format, emit
from .runtime import boundary, store

FMT = Option(Format.table, "--format", help="Output format.")
# A table for people: fewer, better columns (every one with --wide).
BALANCE_TABLE = [Col("client", wide=True), Col("id", keep=True), Col("label", "package"), Col("item", keep=True),
                 Col("left", keep=True), Col("booked", keep=True), Col("valid", keep=True), Col("status_text", "status"),
                 Col("total_text", "total", keep=True, wide=True), Col("used_text", "used", keep=True, wide=True),
                 Col("scheduled", wide=True), Col("out_text", "taken out", keep=True, wide=True), Col("remaining", wide=True)]
HISTORY_TABLE = [Col("seq", keep=True), Col("when", keep=True), Col("at", wide=True), Col("actor", wide=True), Col("story", "what"),
                 Col("package", keep=True, wide=True), Col("change", keep=True), Col("balance", "after", keep=True)]


@command("balance")
@boundary
def balance_cmd(
    client: str | None = Argument(None, metavar="[CLIENT]", help="Default: every client with an active package."),
    show_all: bool = Option(False, "--all", help="Include used-up, expired, cancelled and refunded packages (without CLIENT: reads every client's view, slower)."),
    code: str | None = Option(None, "--code", help="Only the client package with this access code (give no CLIENT)."),
    status: list[str] | None = Option(None, "--status", help="Only packages in this status: active, paused, used-up, expired, cancelled, refunded (repeatable)."),
    expiring: int | None = Option(None, "--expiring", metavar="DAYS", parser=ascii_whole, help="Only packages whose last valid day is within DAYS days from today."),
    tag: str | None = Option(None, "--tag", help="Only the packages of clients with this tag."),
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
      sessionpack balance --expiring 30 --tag vip
      sessionpack balance --status expired --format json
      sessionpack balance --code K7QF-3MZP-... --format json
    """
    if code is not None:
        from .code_cmds import balance_by_code

        balance_by_code(client, show_all, code, fmt)
        return
    from ..reports.balances import BALANCE_CSV_COLUMNS, balance_table_rows, client_summaries, shared_summaries
    from .lookup import owner_views

    from ..domain.balances import STATUSES

    wanted = {s.replace("-", " ") for s in status or []}
    unknown = sorted(wanted - set(STATUSES))
    if unknown:
        raise InputError(f"--status {unknown[0]!r} is not a status: use {', '.join(s.replace(' ', '-') for s in STATUSES)}")
    if expiring is not None and not 0 <= expiring <= 3650:
        raise InputError("--expiring takes a number of days from 0 to 3650")
    opened = store()
    tz = opened.settings.tz
    summaries = []
    everything = show_all or bool(wanted - {"active", "paused"})
    with opened.reading() as tx:
        if client is not None:
            view = client_view(tx, client)
            owners = owner_views(tx, view)
            summaries = client_summaries(view, opened.now, tz, include_inactive=True)
            summaries += shared_summaries(view, owners, opened.now, tz)
            # The directory's entries of these clients, made from their own views
            # (the same rule, ledger.directory_entry): no need to read every client's.
            from ..domain.ledger import directory_entry

            directory = {cid: directory_entry(v["client"]) for cid, v in {client: view, **owners}.items() if v.get("client")}
        else:
            directory = opened.load_directory()["clients"]
            from ..storage.shards import practice_packages

            for packages in practice_packages(tx, opened.now, everything=everything):
                summaries.extend(client_summaries({"packages": packages}, opened.now, tz, include_inactive=everything))
    summaries = [s for s in summaries if _kept(s, wanted, expiring, tag, directory, opened.today)]
    for summary in summaries:
        entry = directory.get(summary["owner"], {})
        summary["client"] = {"id": summary["owner"], "name": entry.get("name", ""), "email": entry.get("email", "")}
    if fmt in (Format.json, Format.jsonl):
        emit(fmt, BALANCE_CSV_COLUMNS, [], data=summaries)
        return
    title = f"Balances at {opened.now:%Y-%m-%d %H:%M} ({opened.settings.currency})"
    filtered = bool(wanted or expiring is not None or tag)
    empty = ("No package matches" if filtered else f"{client} has no packages" if client else "No client has an active package")
    emit(fmt, BALANCE_CSV_COLUMNS, balance_table_rows(summaries, now=opened.now, tz=tz), title=title, empty=empty, table=BALANCE_TABLE)


def _kept(summary: dict, wanted: set, expiring: int | None, tag: str | None, directory: dict, today) -> bool:  # type: ignore[no-untyped-def]
    from datetime import date, timedelta

    if wanted and summary["status"] not in wanted:
        return False
    if expiring is not None:
        if not summary["expires"] or summary["status"] not in ("active", "paused"):
            return False
        if not today <= date.fromisoformat(summary["expires"]) <= today + timedelta(days=expiring):
            return False
    return tag is None or tag in directory.get(summary["owner"], {}).get("tags", [])


@command("history")
@boundary
def history_cmd(
    target: str = Argument(..., metavar="CLIENT|CLIENT-PACKAGE"),
    fmt: Format = FMT,
) -> None:
    """Every event that touched a client or client package, oldest first,
    with who, when, what, why and the balance after it.

    \b
    Examples:
      sessionpack history ana
      sessionpack history ana.p1 --format json
    """
    from ..domain.ids import check_slug, match_client_package
    from ..reports.balances import HISTORY_CSV_COLUMNS, history_csv_rows, history_record, history_rows

    opened = store()
    match = match_client_package(target)
    client_id = match.group(1) if match else check_slug(target, "client")
    gone = None  # the undo that took back the client or client package, which the history still shows
    with opened.reading() as tx:
        try:
            view = find_client_package(tx, target, client_id)[0] if match else client_view(tx, client_id)
        except InputError as err:
            view, gone = _undone_view(tx, target, client_id, bool(match), err)
    rows = history_rows(view, target if match else None, opened.settings.tz)
    if fmt in (Format.json, Format.jsonl):
        emit(fmt, HISTORY_CSV_COLUMNS, rows, data=[history_record(row) for row in rows])
        return
    if fmt in (Format.csv, Format.tsv):
        emit(fmt, HISTORY_CSV_COLUMNS, history_csv_rows(rows))
        return
    from ..domain.text import shown
    from ..reports.when import human_time

    for row in rows:  # what and why are one line each (a line break a hand-edited journal put there is shown escaped)
        row["when"] = human_time(row["at"], opened.now, opened.settings.tz)
        row["story"] = shown(row["what"]) + (f"\nwhy: {shown(row['why'])}" if row["why"] else "")
    emit(fmt, HISTORY_CSV_COLUMNS, rows, title=f"History of {target}", empty=f"No events for {target}", table=HISTORY_TABLE)
    if gone is not None:
        from .output import say

        say(f"{target} is no longer recorded: {gone['command']} that made it was undone by {gone['undone_by']}; "
            "its events stay in this history")


def _undone_view(tx: object, target: str, client_id: str, package: bool, err: InputError) -> tuple[dict, dict]:
    """The view of a client, or of the owner of a client package, that an
    undo took back (``client add`` or the sale undone), and the history row
    of the event that made it; the lookup's own error when nothing made
    it (the history keeps both the command and its undo)."""
    from ..reports.balances import history_rows

    view = tx.client(client_id)  # type: ignore[attr-defined]
    if not view or not view.get("events"):
        raise err
    made = ("sold", "transferred") if package else ("client-added",)
    rows = history_rows(view, target if package else None)
    gone = next((r for r in rows if r["type"] in made and r["undone_by"]
                 and (not package or r["package"] == target)), None)
    if gone is None:
        raise err
    return view, gone
