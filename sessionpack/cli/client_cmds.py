"""client ...: the people who buy packages and attend sessions."""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from ..errors import InputError
from .app import app, boundary, writer, store
from .lookup import client_view, find_booking, find_client_package  # noqa: F401 - (also imported from here)
from .output import Col, Format, emit, emit_record, say, warn

client_app = typer.Typer(
    help="Clients: who buys packages and attends sessions.",
    epilog="\b\nExamples:\n  sessionpack client add ana --name \"Ana Lima\" --email ana@example.com\n  sessionpack client list --format csv",
    no_args_is_help=True,
)
app.add_typer(client_app, name="client")

CLIENT_COLUMNS = ["id", "name", "email", "phone", "tags"]
CLIENT_TABLE = [Col("id", keep=True), Col("name"), Col("email", keep=True), Col("phone", keep=True, wide=True), Col("tags")]


@client_app.command("add")
@writer
def client_add(
    client_id: Optional[str] = typer.Argument(None, metavar="[ID]", help="Slug; default made from the name."),
    name: Optional[str] = typer.Option(None, "--name", show_default=False),
    email: str = typer.Option("", "--email"),
    phone: str = typer.Option("", "--phone"),
    notes: str = typer.Option("", "--notes"),
    tag: Optional[List[str]] = typer.Option(None, "--tag", help="Repeatable, or comma-separated."),
    force: bool = typer.Option(False, "--force", help="Add without the warning about a name or email another client has."),
    csv_path: Optional[str] = typer.Option(None, "--csv", metavar="FILE|-", help="Add one client per row of a CSV file ('-': standard input): all rows or none."),
    template: bool = typer.Option(False, "--csv-template", help="Print a CSV file with every column, to fill in."),
    hooks: bool = typer.Option(False, "--hooks", help="With --csv: run the hooks of the clients added (a file runs none by default)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything and print what would be recorded; record nothing."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Add a client; adding one already recorded with the same details changes nothing.

    An id recorded with other details is refused (exit 1): change a client
    with 'sessionpack client edit'. With --csv FILE, one client per row
    (columns: name, and optionally id, email, phone, tags, notes); every row
    is checked first and any problem is listed as FILE:LINE:COLUMN with
    nothing recorded; otherwise all are added in one commit. Rows already
    recorded (same id, or without an id the same name and details) are
    reported unchanged, so the file can be run again.

    A name (case and accents ignored) or email another client already has
    is added all the same, with a warning naming that client; --force
    silences it.

    \b
    Examples:
      sessionpack client add ana --name "Ana Lima" --email ana@example.com
      sessionpack client add --name "Bruno Costa" --tag runner   # id: bruno-costa
      sessionpack client add --csv clients.csv --dry-run
    """
    from ..actions.clients import ClientRequest

    if template:
        from .bulk_out import refuse_with_template

        refuse_with_template([("ID", client_id is not None), ("--csv", csv_path is not None), ("--name", name is not None),
                              ("--email", bool(email)), ("--phone", bool(phone)), ("--notes", bool(notes)), ("--tag", bool(tag)),
                              ("--force", force), ("--hooks", hooks), ("--dry-run", dry_run), ("--format", fmt is not Format.table)],
                             "sessionpack client add --csv-template > clients.csv")
        sys.stdout.write(CLIENT_TEMPLATE)
        return
    if csv_path is not None:
        given = [opt for opt, value in (("ID", client_id), ("--name", name), ("--email", email), ("--phone", phone),
                                        ("--notes", notes), ("--tag", tag)) if value]
        if given:
            raise InputError(f"{given[0]} goes with one client; with --csv put it in the file")
        _add_csv(csv_path, hooks, dry_run, fmt, force)
        return
    if hooks:
        raise InputError("--hooks goes with --csv FILE")
    if name is None:
        raise InputError("Missing option '--name'; see 'sessionpack client add --help'")
    request = ClientRequest(id=client_id, name=name, email=email or None, phone=phone or None, notes=notes or None,
                            tags=tuple(tag) if tag else None)
    _add_one(request, dry_run, fmt, force)


# (The phone has no leading '+': a spreadsheet reads "+351 912..." as a formula.)
CLIENT_TEMPLATE = """id,name,email,phone,tags,notes
ana,Ana Lima,ana@example.com,00351 912 345 678,regular,
,Bruno Costa,bruno@example.com,,runner vip,"Prefers mornings, not Mondays"
"""
CLIENT_ROW_COLUMNS = ["line", "id", "status", "name"]


def _add_one(request, dry_run: bool, fmt: Format, force: bool = False) -> None:  # type: ignore[no-untyped-def]
    from ..actions.clients import plan_clients
    from ..actions.practice import Practice
    from ..actions.problems import first_error
    from ..domain.clients import look_alikes

    opened = store()
    alike: list[str] = []
    with opened.writing() as tx:
        plan = plan_clients(Practice(opened, tx), [request], match_details=False)
        if plan.problems:
            raise first_error(plan.problems)
        [row] = plan.rows
        if row.status == "created" and not force:
            record = row.event["client"]
            alike = look_alikes(opened.load_directory()["clients"], record["name"], record["email"], me=record["id"])
        if row.status == "created":
            tx.commit(plan.events)
            details = row.event["client"]
        else:  # the same keys, as recorded
            details = (tx.client(row.id) or {}).get("client") or {}
    for text in alike:
        warn(f"{text}; is {row.id} the same person? (--force adds without this warning)")
    if fmt is not Format.table:
        from ..domain.clients import RECORD_FIELDS

        emit_record(fmt, {**{key: details.get(key, "") for key in RECORD_FIELDS}, "unchanged": row.status == "unchanged"})
    elif row.status == "unchanged":
        say(f"Unchanged: client {row.id} is already recorded with these details")
    else:
        say(f"Added client {row.id}")


def _add_csv(path: str, hooks: bool, dry_run: bool, fmt: Format, force: bool = False) -> None:
    from ..actions import clients
    from ..actions.csvtable import read_table
    from ..actions.practice import Practice
    from ..actions.problems import ProblemsFound
    from .bulk_out import emit_rows, leave_for_exit, progress, read_input, refuse, warn_alikes
    from .output import bulk_work

    opened = store()
    if not hooks:
        opened.after_commit = None  # a file of clients runs no hooks unless asked (--hooks)
    data, source = read_input(path)
    with bulk_work():  # (from the rows read to the rows printed: tens of thousands of objects, no cycles)
        table = read_table(data, known=lambda name: name in clients.COLUMNS, required=clients.REQUIRED,
                           known_text=", ".join(clients.COLUMNS))
        if table.problems:
            refuse(ProblemsFound(table.problems, source))
        requests = [clients.request_from_row(row) for row in table.rows]
        with progress(len(requests), source) as advance:
            with opened.writing() as tx:
                plan = clients.plan_clients(Practice(opened, tx), requests, match_details=True, progress=advance)
                if plan.problems:
                    refuse(ProblemsFound(plan.problems, source, table.columns))
                if plan.events:
                    tx.commit(plan.events)
        if not force:
            warn_alikes(opened, plan.created_rows(), source, "--force adds without this warning")
        created = len(plan.created_rows())
        title = f"From {source}: {created} created, {len(plan.rows) - created} unchanged"
        if dry_run:
            title += " (dry run: nothing was recorded)"
        if not plan.rows and fmt is Format.table:
            say(f"No rows in {source}: nothing to do")
            return
        emit_rows(fmt, CLIENT_ROW_COLUMNS, [row.record() for row in plan.rows], title)
        leave_for_exit(len(plan.rows))


@client_app.command("list")
@boundary
def client_list(
    tag: Optional[str] = typer.Option(None, "--tag", help="Only clients with this tag."),
    search: Optional[str] = typer.Option(None, "--search", help="Only clients whose id, name, email or phone hold every word (case and accents ignored)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """List clients.

    \b
    Examples:
      sessionpack client list --tag runner --format csv
      sessionpack client list --search "joana gon"
    """
    from ..domain.clients import matches

    opened = store()
    with opened.reading():
        directory = opened.load_directory()
    rows = [{"id": cid, "name": entry["name"], "email": entry["email"], "phone": entry.get("phone", ""), "tags": entry["tags"]}
            for cid, entry in sorted(directory["clients"].items())
            if (tag is None or tag in entry["tags"]) and (search is None or matches(cid, entry, search))]
    empty = "No client matches" if (tag or search) and directory["clients"] else "No clients yet: add one with 'sessionpack client add'"
    if fmt is Format.table:  # one line each, even a name a hand-edited journal gave a line break (shown escaped)
        from ..domain.text import shown

        rows = [{**row, "name": shown(row["name"]), "email": shown(row["email"]), "phone": shown(row["phone"])} for row in rows]
    emit(fmt, CLIENT_COLUMNS, rows, title="Clients", empty=empty, table=CLIENT_TABLE)


@client_app.command("show")
@boundary
def client_show(
    client_id: str = typer.Argument(..., metavar="ID"),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """A client's page: details, links, every client package with what is
    left, the sessions to come, the money owed and the money owed back.

    \b
    Examples:
      sessionpack client show ana
      sessionpack client show ana --format json
    """
    from ..reports.client_page import client_page
    from .book_cmds import owner_views

    opened = store()
    with opened.reading() as tx:
        view = client_view(tx, client_id)
        page = client_page(view, owner_views(tx, view), opened.now, opened.settings.tz, opened.settings.currency)
    if fmt is not Format.table:
        flat = {k: v for k, v in page.items() if k not in ("balances", "upcoming", "owed", "owed_back")}
        if fmt in (Format.csv, Format.tsv):  # one row of the client's own details (no nested values)
            flat = {k: v for k, v in flat.items() if k not in ("relations", "packages")}
        emit_record(fmt, page if fmt in (Format.json, Format.jsonl) else flat)
        return
    show_page(page, opened)


def show_page(page: dict, opened) -> None:  # type: ignore[no-untyped-def]
    from ..domain.text import shown
    from ..reports.balances import balance_table_rows
    from ..reports.sharing_text import relation_text
    from ..reports.when import human_time
    from .balance_cmds import BALANCE_TABLE
    from .fit import MARKS
    from .output import hanging, say_fitted, screen, write_table

    now, tz, currency = opened.now, opened.settings.tz, opened.settings.currency
    # One-line fields stay one line (a line break a hand-edited journal put there is shown escaped); notes keep theirs.
    say_fitted(f"{shown(page['name'])} ({page['id']})")
    details = [f"email {shown(page['email'])}" if page.get("email") else "", f"phone {shown(page['phone'])}" if page.get("phone") else "",
               f"tags {shown(', '.join(page['tags']))}" if page.get("tags") else "", f"client since {page['since'][:10]}"]
    say_fitted(MARKS[screen().utf8][1].join(part for part in details if part))  # (" | " where the output is not UTF-8)
    if page.get("notes"):
        say_fitted(hanging("notes: ", page["notes"]))
    for row in page["relations"]:
        say_fitted(f"link: {relation_text(page['id'], row)}")
    say("")
    if page["balances"]:
        write_table(BALANCE_TABLE, balance_table_rows(page["balances"], now=now, tz=tz), title="Packages")
    else:
        say("Packages: none")
    say("")
    if page["upcoming"]:
        rows = [dict(row, when=human_time(row["start"], now, tz), drawn=row["package"] or "regular fee",
                     fee=row["due"] if row["payment"] != "covered by package" else "") for row in page["upcoming"]]
        write_table([Col("id", keep=True), Col("when", keep=True), Col("service", keep=True), Col("drawn", "package", keep=True),
                     Col("fee", "due", keep=True)], rows, title="Upcoming sessions")
    else:
        say("Upcoming sessions: none")
    say("")
    owed = page["owed"]
    if owed["items"]:
        write_table([Col("what", keep=True), Col("kind"), Col("date", keep=True), Col("due", keep=True)], owed["items"],
                    title=f"Owed: {owed['total']} {currency}")
    else:
        say(f"Owed: nothing ({owed['total']} {currency})")
    back = page["owed_back"]
    if back["items"]:  # paid more than a booking's fee now: the practice owes it back
        say("")
        write_table([Col("what", keep=True), Col("date", keep=True), Col("status"), Col("paid", keep=True), Col("fee", keep=True),
                     Col("owed_back", keep=True)], back["items"], title=f"Owed back to the client: {back['total']} {currency}")


@client_app.command("edit")
@writer
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
@writer
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
      sessionpack client relate carla diogo --as parent \\
          --can book-for --can notices
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
        for line in ended_lines(event, views, opened.settings.tz):
            say(line)
    else:
        emit_record(fmt, {"client": client_id, "other": other_id, "as": row["as"], "they_are": row["they_are"],
                          "can": row["can"], "they_can": row["they_can"], "since": row["since"], **ended_record(event, views)})


@client_app.command("unrelate")
@writer
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
        for line in ended_lines(event, views, opened.settings.tz):
            say(line)
    else:
        emit_record(fmt, {"client": client_id, "other": other_id, "reason": why, **ended_record(event, views)})
