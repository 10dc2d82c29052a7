"""init and check: creating a data directory and proving it consistent."""

from __future__ import annotations

import os
import sys
from typing import Optional

import typer

from ..errors import DataDirError, InputError
from .app import app, boundary, data_dir, store, writer
from .output import Format, emit, say

SETTINGS_TEMPLATE = '''\
# sessionpack settings. Edit by hand; `sessionpack check` validates it.
format = 1  # data format version: do not change

[practice]
name = {name}
currency = {currency}  # ISO 4217; every amount is in it
timezone = {timezone}  # IANA name; dates and expiry are judged in it

[policies]  # defaults copied into new packages
no_show = "return"        # return | forfeit the session
late_cancel_hours = 24    # a cancel this close to the start is late
late_cancel = "return"    # return | forfeit | charge (money packages)
expiry_limits = "session" # session | booking: which date must be before expiry

[notices]  # what 'sessionpack notify' sends, and when (see docs/automation.md)
expiring_days = [30, 7]  # days before a package's last valid day (only the most urgent is sent)
low_remaining = 1        # "running low" at this many sessions left to book, or fewer
low_minutes = 60         # ... minutes, for minutes packages
low_money = "10%"        # ... money, for credits: an amount or a share of the credit
# from = "Studio Lima <studio@example.com>"   # the sender: needed for smtp and sendmail
# how_to_book = "Reply to this email to book your next session."

[delivery]  # how notices are sent: none (only expiries are recorded), smtp, sendmail or jsonl
method = "none"
# SMTP with STARTTLS (port 587; security = "tls" for port 465); the password is never kept here:
#   method = "smtp"
#   host = "smtp.example.com"
#   port = 587
#   security = "starttls"
#   username = "studio@example.com"
#   password_env = "SESSIONPACK_SMTP_PASSWORD"   # or password_file = "~/.smtp-password" (mode 0600)
#   ca_file = "/etc/ssl/private-ca.pem"           # only for a server with a private certificate
# The local sendmail:
#   method = "sendmail"
#   program = "/usr/sbin/sendmail"
# JSON lines on standard output, for another program to deliver:
#   method = "jsonl"

[hooks]
time_budget = 30  # seconds for all the hooks of one command
'''


def system_timezone() -> str:
    from ..domain.settings import check_currency, check_timezone

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        with open("/etc/timezone", encoding="utf-8") as handle:
            candidates.append(handle.read().strip())
    except OSError:
        pass
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        try:
            return check_timezone(name)
        except Exception:
            continue
    return "UTC"


def _toml_string(text: str) -> str:
    import tomli_w

    return tomli_w.dumps({"x": text})[4:].strip()


@app.command()
@writer
def init(
    name: str = typer.Option("My practice", "--name", help="The practice's name."),
    currency: str = typer.Option("EUR", "--currency", help="ISO 4217 currency code (rule 28 of docs/rules.md)."),
    timezone: Optional[str] = typer.Option(None, "--timezone", help="IANA time zone (default: this machine's)."),
) -> None:
    """Create a data directory with settings.toml.

    Refuses a non-empty directory that is not a sessionpack one.

    \b
    Example:
      sessionpack --data-dir ~/practice init --name "Studio Lima" \\
          --currency EUR --timezone Europe/Lisbon
    """
    from ..domain.currencies import check_code
    from ..domain.services import check_name
    from ..domain.settings import check_currency, check_timezone
    from ..errors import RuleError
    from ..storage.store import initialise

    root = data_dir()
    if os.path.exists(os.path.join(root, "settings.toml")):
        raise RuleError(f"{root} is already a sessionpack data directory; nothing was changed")
    if os.path.exists(root):
        if not os.path.isdir(root):
            raise DataDirError(f"{root} exists and is not a directory; choose another --data-dir")
        if os.listdir(root):
            raise DataDirError(f"{root} is not empty and is not a sessionpack data directory; choose an empty or new directory")
    text = SETTINGS_TEMPLATE.format(
        name=_toml_string(check_name(name, "practice name")),
        currency=_toml_string(check_code(check_currency(currency))),
        timezone=_toml_string(check_timezone(timezone or system_timezone())),
    )
    from .app import GLOBALS

    if not GLOBALS.dry_run:
        initialise(root, text.encode("utf-8"))
    say(f"Initialised {root}")


@app.command()
@boundary
def check(
    rebuild: bool = typer.Option(False, "--rebuild", help="Regenerate every view from the journal."),
    full: bool = typer.Option(False, "--full", help="Replay the whole journal, even when a checkpoint allows checking only what is new."),
    restore_journal: bool = typer.Option(False, "--restore-journal", help="Put back into a journal that lost its last events the copies the client views keep, then check everything."),
    dry_run: bool = typer.Option(False, "--dry-run", help="With --rebuild or --restore-journal: say what would be done and change nothing (check alone never changes anything)."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Prove the views and the catalog agree with the journal; list every problem.

    check only reads: it never changes a byte of the data directory. A small
    journal is always replayed in full. A large one (4 MiB or more,
    SESSIONPACK_FULL_CHECK_BELOW) is checked against the checkpoint the last
    clean check left in the cache directory (SESSIONPACK_CACHE_DIR): the
    journal before it must be unchanged (its CRC-32), and only the events
    after it and the views they touch are replayed; the other views must be
    the files that check proved. --full replays everything (its time grows
    with the history).

    What an interrupted command leaves behind is not damage: a torn last
    command, or recorded events the views lack, is reported as a note with
    exit 0, and the next command that records something repairs it.

    --rebuild regenerates every view from the journal (refused when the
    views hold events the journal lost). --restore-journal appends to a
    journal that lost its last events the copies the client views keep,
    then replays everything to prove the result. With --dry-run, either
    says what it would do (how many view files it would write and remove;
    which events it would put back) and changes nothing.

    Exit 0 when all is well, 3 when a problem was found (each with file and line).

    \b
    Examples:
      sessionpack check
      sessionpack check --full
      sessionpack check --rebuild --dry-run
      sessionpack check --rebuild
      sessionpack check --restore-journal
    """
    from ..storage import verify

    if rebuild and restore_journal:
        raise InputError("give either --rebuild or --restore-journal, not both")
    opened = store()
    opened.require_journal()  # a missing journal is said as every command says it (exit 3), before anything is looked at
    result = None
    if rebuild:
        with opened.locked(exclusive=not dry_run):
            if dry_run:
                said, problems = verify.rebuild_dry_run(opened)
            else:
                count, problems = verify.rebuild(opened)
                said = f"Rebuilt {count} view files from the journal"
            if not problems:
                problems = verify.catalog_problems(opened)
                say(said)
    elif restore_journal:
        from ..storage.restore import restore_journal as restore

        with opened.locked(exclusive=not dry_run):
            say(restore(opened, dry_run=dry_run))
            if not dry_run:  # (after a dry run the journal still lacks the events: nothing to prove yet)
                result = verify.run_check(opened, full=True)
        problems = result.problems if result is not None else []
    else:
        with opened.locked(exclusive=False):
            result = verify.run_check(opened, full=full)
        problems = result.problems
    notes = result.notes if result is not None else []
    if dry_run:
        from .output import warn

        warn("dry run: nothing was recorded")
    if problems:
        rows = [{"problem": text} for text in problems]
        emit(fmt, ["problem"], rows)
        sys.stdout.flush()
        raise DataDirError(f"{len(problems)} problem(s) found in {opened.root}")
    if fmt is not Format.table:
        emit(fmt, ["problem"], [])
        opened.warnings.extend(notes)
    elif result is not None:
        say("No problems found" + _check_detail(result))
        for text in notes:
            say(f"note: {text}")


def _check_detail(result) -> str:  # type: ignore[no-untyped-def]
    """Which check ran, when it was not the plain full replay of a small journal."""
    if result.incremental:
        return (f" (checked {result.events:,} events since the last check at seq {result.since_seq:,}; "
                "use --full to replay all)")
    if result.fallback:
        return f" (replayed all {result.events:,} events: {result.fallback})"
    return ""
