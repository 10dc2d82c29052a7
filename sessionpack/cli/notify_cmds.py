"""notify: the daily run of cron -- record expiries, send each notice once."""

from __future__ import annotations

import sys
from contextlib import redirect_stdout
from typing import List, Optional

import typer

from .app import app, store, writer
from .output import Format, bulk_work, emit, say

COLUMNS = ["action", "client_package", "kind", "recipient", "to", "detail", "key"]
FAILED_COLUMNS = ["key", "client_package", "kind", "recipient", "to", "reply", "at"]


@app.command("notify")
@writer
def notify_cmd(
    dry_run: bool = typer.Option(False, "--dry-run", help="Show every expiry, notice and suppression a run would record or send; write and send nothing."),
    retry: Optional[List[str]] = typer.Option(None, "--retry", metavar="KEY", help="Send a failed notice again (repeatable); see --failed."),
    show_failed: bool = typer.Option(False, "--failed", help="List the notices that failed for good, with the server's reply; change nothing."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but warnings and errors (for cron)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Record the expiry of packages past their date, then send each notice
    due (expiring, low, used up, expired) exactly once.

    Today is --now's date in the practice's time zone. Notices are set in
    settings.toml [notices] and sent by [delivery] (smtp, sendmail, or
    jsonl: one JSON object per notice on standard output, the report then
    going to standard error). A notice is recorded as pending before it is
    delivered and as sent after, so a run cut short repeats at most one
    notice, with the same Message-ID. Exit 75 when the mail server cannot
    take mail now: the notices left stay pending for the next run.

    \b
    Examples:
      sessionpack notify --dry-run
      sessionpack notify --quiet          # in a crontab
      sessionpack notify --failed
      sessionpack notify --retry low:ana.p1:massage:1
    """
    from ..notify import run as notify_run

    if show_failed and (dry_run or retry):
        from ..errors import InputError

        raise InputError("--failed only lists the failed notices; give it without --dry-run and --retry")
    opened = store()
    if show_failed:
        rows = notify_run.failed(opened)
        if not quiet:
            emit(fmt, FAILED_COLUMNS, rows, title="Failed notices", empty="No failed notices")
        return
    with bulk_work():  # a sweep reads every open package, and the first one every package ever sold
        if dry_run:
            report = notify_run.dry_run(opened, list(retry or []))
            _show(report, fmt, quiet, dry_run=True, now=opened.now, to_stderr=False)
            return
        to_stderr = opened.settings.delivery["method"] == "jsonl"
        try:
            report = notify_run.run(opened, list(retry or []))
        except notify_run.Stopped as stopped:
            if stopped.report.rows or stopped.report.notes:  # (stopped before doing anything: the error alone)
                _show(stopped.report, fmt, quiet, dry_run=False, now=opened.now, to_stderr=to_stderr)
            raise
        _show(report, fmt, quiet, dry_run=False, now=opened.now, to_stderr=to_stderr)


def _show(report, fmt: Format, quiet: bool, dry_run: bool, now, to_stderr: bool) -> None:  # type: ignore[no-untyped-def]
    from ..domain.text import shown

    if quiet:
        return
    rows = [{key: shown(value) if isinstance(value, str) and fmt is Format.table else value for key, value in row.items()}
            for row in report.rows]
    title = f"Notify at {now.isoformat()[:16].replace('T', ' ')}" + (" (dry run: nothing recorded or sent)" if dry_run else "")
    empty = "Nothing to do: no expiry to record and no notice due" + (" (dry run)" if dry_run else "")
    stream = sys.stderr if to_stderr else sys.stdout
    with redirect_stdout(stream):
        emit(fmt, COLUMNS, rows, title=title, empty=empty)
        if fmt is Format.table:
            for note in report.notes:
                say(f"note: {note}")
