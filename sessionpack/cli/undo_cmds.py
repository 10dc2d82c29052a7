"""log and undo: commands as the unit of history, and taking one back."""

from __future__ import annotations

import os
from typing import Any, Optional

import typer

from ..errors import InputError, RuleError
from .app import app, boundary, store, writer
from .runtime import GLOBALS
from .output import Col, Format, bulk_work, emit, emit_record, say, warn

LOG_COLUMNS = [Col("id", keep=True), Col("when", keep=True), Col("actor", wide=True), Col("what"), Col("clients"),
               Col("undone_by", "undone", keep=True), Col("why")]
LOG_CSV = ["id", "at", "actor", "what", "clients", "events", "undone_by", "why"]


def command_reason(events: list[dict[str, Any]]) -> str | None:
    """Why the command was run, as it said: an undo's reason, or the reason
    its events keep (a cancel, an adjustment, a refund), or None."""
    undo = next((e for e in events if e["type"] == "undone"), None)
    if undo is not None:
        return undo.get("reason")
    return next((e["reason"] for e in events if isinstance(e.get("reason"), str) and e["reason"]), None)


@app.command("log")
@boundary
def log_cmd(
    client: Optional[str] = typer.Option(None, "--client", help="Only commands that touched this client."),
    actor: Optional[str] = typer.Option(None, "--actor", metavar="ACTOR", help="Only commands of this actor."),
    since: Optional[str] = typer.Option(None, "--from", metavar="DATE", help="From this day on (ISO date, today, -7d...)."),
    until: Optional[str] = typer.Option(None, "--to", metavar="DATE", help="Up to and including this day."),
    limit: int = typer.Option(20, "--limit", metavar="N", help="At most N commands, newest first (0: all)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """List recent commands, newest first: id, time, actor, what, clients, undone, why.

    Every command that records something is one entry, with the id that
    'sessionpack undo' takes.

    \b
    Examples:
      sessionpack log
      sessionpack log --client ana --from 2026-11-01 --format json
    """
    from ..domain import undo as rules
    from ..domain.datetimes import parse_date
    from ..reports.when import human_time
    from ..storage.commands import backwards, command_id
    from ..actions.undoing import summary

    if limit < 0:
        raise InputError("--limit must be 0 (all) or more")
    opened = store()
    tz = opened.settings.tz
    first = parse_date(since, "--from", today=opened.today) if since else None
    last = parse_date(until, "--to", today=opened.today) if until else None
    if first and last and last < first:
        raise InputError("--to is before --from")
    rows: list[dict[str, Any]] = []
    with opened.reading() as tx:
        marks: list[dict[str, Any]] = []  # undo marks newer than the command at hand
        if client:
            from .client_cmds import client_view

            from ..domain.ids import SLUG_RE

            view = tx.client(client) if SLUG_RE.match(client) else None
            # A client whose adding was undone still has the commands that touched them.
            source = _commands_of(opened, tx, view if view and view["events"] else client_view(tx, client))
        else:
            source = backwards(opened.root, tx.index["offset"])
        for events in source:
            marks[:0] = [e for e in events if e["type"] == "undone"]
            from datetime import datetime

            day = datetime.fromisoformat(events[0]["at"]).astimezone(tz).date()
            if first and day < first:
                break
            if last and day > last:
                continue
            clients = sorted({c for e in events for c in e.get("clients", [])})
            if client and client not in clients:
                continue
            if actor and events[0].get("actor") != actor:
                continue
            cid = command_id(events)
            rows.append({"id": cid, "at": events[0]["at"], "actor": events[0].get("actor"), "what": summary(events, tz),
                         "clients": clients, "events": len(events),
                         "undone_by": rules.undone_commands(marks).get(cid), "why": command_reason(events)})
            if limit and len(rows) >= limit:
                break
    if fmt in (Format.csv, Format.tsv):
        flat = [dict(r, clients=" ".join(r["clients"]), undone_by=r["undone_by"] or "", why=r["why"] or "") for r in rows]
        emit(fmt, LOG_CSV, flat)
        return
    table = [dict(r, when=human_time(r["at"], opened.now, tz), clients=clients_cell(r["clients"]), undone_by=r["undone_by"] or "",
                  why=r["why"] or "") for r in rows]
    emit(fmt, LOG_COLUMNS, table if fmt is Format.table else rows, data=rows, title="Commands, newest first",
         empty="No commands recorded")


SHOWN_CLIENTS = 5  # of a command's clients, those a table row names (JSON and CSV list them all)


def clients_cell(clients: list[str]) -> str:
    """The clients of a command as a table shows them: a file of sales
    names thousands, so past six only the first five and how many more."""
    if len(clients) <= SHOWN_CLIENTS + 1:
        return ", ".join(clients)
    return f"{', '.join(clients[:SHOWN_CLIENTS])} and {len(clients) - SHOWN_CLIENTS} more"


def _commands_of(opened: Any, tx: Any, view: dict[str, Any]) -> Any:
    """The commands that touched one client, newest first, found from the
    events their view keeps (each read whole from the journal by its seq):
    no scan of the whole journal."""
    from ..storage.commands import command_at

    seen: set[int] = set()
    for event in reversed(view["events"]):
        if event["seq"] in seen:
            continue
        events = command_at(opened.root, event["seq"], tx.index["offset"])
        if events is None:  # the views know more than the journal: 'check' says why
            continue
        seen.update(e["seq"] for e in events)
        yield events


@app.command("undo")
@writer
def undo_cmd(
    command: Optional[str] = typer.Argument(None, metavar="[COMMAND-ID]", help="The command to take back (see 'sessionpack log')."),
    last: bool = typer.Option(False, "--last", help="Take back the most recent command."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (required; kept in the history)."),
    cascade: bool = typer.Option(False, "--cascade", help="Also take back the later commands that depend on it, newest first."),
    force: bool = typer.Option(False, "--force", help="Undo anyway: a refund (the money stays refunded), a booking "
                               "left paid beyond its fee, a balance forced below zero taken further."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Take back a whole command with new events; nothing is deleted.

    Balances, expiry, fees and payment state come back as they were before
    it. The history keeps both, marked "undone". Undoing an undo does the
    command again. Refused when later commands depend on it, unless
    --cascade (which asks first). Notices sent, hooks run and money
    refunded are outside the data directory and are not called back.

    \b
    Examples:
      sessionpack undo --last --reason "booked the wrong client"
      sessionpack undo c42 --reason "sold twice" --cascade --yes
    """
    from ..actions import undoing
    from ..domain.text import check_reason
    from ..storage.commands import command_id
    from .confirm import confirm

    if command is None and not last:
        raise InputError("name the command to undo (an id from 'sessionpack log') or give --last")
    if command is not None and last:
        raise InputError("name the command to undo or give --last, not both")
    why = check_reason(reason)
    if why is None:
        raise InputError("undo needs --reason R (it stays in the history)")
    opened = store()
    with bulk_work(), opened.writing() as tx:  # (an undo of a file of sales names thousands of clients)
        events = undoing.last_command(opened, tx) if last else undoing.find_command(opened, tx, command or "")
        target = command_id(events)
        by = undoing.undone_by(opened, tx, events)
        if by is not None:
            raise RuleError(f"{target} is already undone (by {by}); undo {by} to do it again")
        plan = undoing.plan_undo(opened, tx, events, cascade, force)
        if len(plan.commands) > 1:
            confirm(f"undo {len(plan.commands)} commands",
                    [f"{cid}: {undoing.summary(evs, opened.settings.tz)}" for cid, evs in plan.commands])
        recorded = undoing.record(tx, plan, why)
        from .book_cmds import owed_back_line
        from .client_cmds import client_view

        owed = [line for attendee, bid in plan.owed_back  # paid beyond the fee the undo gives it (--force)
                if (line := owed_back_line(client_view(tx, attendee)["bookings"][bid], opened.settings.currency))]
    notes = plan.notes + _outside(opened, plan)
    undo_id = recorded[0]["command"] if recorded else None
    record = {"id": undo_id, "reason": why, "undone": [{"command": cid, "what": undoing.summary(evs, opened.settings.tz),
                                                          "events": len(evs)}
                                                         for cid, evs in plan.commands], "notes": notes}
    if fmt is not Format.table:
        emit_record(fmt, record)
        for line in owed:
            warn(line)
        return
    for item in record["undone"]:
        say(f"Undid {item['command']}: {item['what']}")
    if GLOBALS.dry_run:  # (no instruction to undo what was not recorded)
        say(f"It would be recorded as {undo_id}")
    else:
        say(f"Recorded as {undo_id}; 'sessionpack undo {undo_id} --reason ...' does it again")
    for line in owed:
        say(line)
    for note in notes:
        say(f"Note: {note}")


def _outside(opened: Any, plan: Any) -> list[str]:
    """What happened outside the data directory and stays: hooks that ran,
    notices sent since about the packages it touched."""
    from ..storage import layout

    notes = []
    types = sorted({e["type"] for _, evs in plan.commands for e in evs})
    hooks = [t for t in types if os.path.exists(os.path.join(opened.root, layout.HOOKS, t))]
    if hooks:
        notes.append(f"hooks ran for {', '.join(hooks)} when it was recorded; undo does not run them back")
    first = min(e["seq"] for _, evs in plan.commands for e in evs)
    packages = {e.get("client_package") for _, evs in plan.commands for e in evs} - {None}
    clients = sorted({c for _, evs in plan.commands for e in evs for c in e.get("clients", [])})
    sent = sorted({e["key"] for c in clients for e in (opened.load_client_view(c) or {"events": []})["events"]
                   if e["type"] == "notice-sent" and e["seq"] > first and e.get("client_package") in packages})
    if sent:
        notes.append(f"notices already sent are not called back: {', '.join(sent)}")
    return notes
