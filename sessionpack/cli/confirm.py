"""Confirmation of what cannot be taken back lightly.

Cancelling or refunding a client package, ``transfer --all``, ``undo
--cascade`` and anything that voids more than one session ask first. The
command works out what it would record and calls ``confirm`` with those
lines, before its commit:

- with ``--yes``, or in a ``--dry-run`` (which records nothing), it goes on;
- on a terminal, the command stops without recording anything; the
  boundary (``app.boundary``) shows the lines, asks ``Go ahead? [y/N]``
  and, on yes, runs the command again. If what it would do changed in the
  meantime (another command recorded something), it refuses rather than do
  what was not shown;
- without a terminal (a script, cron), it is refused with exit code 2:
  a script says ``--yes`` when it means it.
"""

from __future__ import annotations

import sys
from typing import Sequence

from ..errors import InputError, RuleError


class NeedsConfirmation(Exception):
    """Raised inside a command (before its commit) to ask on the terminal."""

    def __init__(self, action: str, lines: Sequence[str]) -> None:
        super().__init__(action)
        self.action = action
        self.lines = list(lines)


def confirm(action: str, lines: Sequence[str]) -> None:
    """Go on when the person agreed to exactly ``lines``; else ask or refuse.

    ``action`` says what is asked in a few words (``cancel ana.p1``)."""
    from .app import GLOBALS

    if GLOBALS.dry_run or GLOBALS.yes:
        return
    if GLOBALS.confirmed is not None:
        if GLOBALS.confirmed == [action, *lines]:
            return
        raise RuleError(f"{action}: what it would do changed while you were asked; nothing was recorded; run it again")
    if not _terminal():
        raise InputError(f"{action} asks for confirmation and there is no terminal to ask on; "
                         "add --yes to go ahead (or --dry-run to see what it would do)")
    raise NeedsConfirmation(action, lines)


def _terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def ask(needed: NeedsConfirmation) -> bool:
    """Show what would happen and ask; True on y or yes."""
    from ..domain.text import shown

    err = sys.stderr
    err.write(f"This will {shown(needed.action)}:\n")
    for line in needed.lines:
        err.write(f"  {shown(line)}\n")
    err.write("Go ahead? [y/N] ")
    err.flush()
    try:
        answer = sys.stdin.readline()
    except (OSError, ValueError, KeyboardInterrupt):
        answer = ""
    if not answer.endswith("\n"):
        err.write("\n")
    return answer.strip().lower() in ("y", "yes")
