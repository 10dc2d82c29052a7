"""Putting back events a journal lost, from the copies the client views keep.

Every event names at least one client, and each client view keeps a copy of
every event that touched it (``events``), encoded exactly as the journal
encodes it. When the journal was truncated or replaced by an older copy,
the views may still hold the events it lost: ``restore_journal`` appends
them again, in order, after checking that together they are every missing
event, one after the other, and that two copies of one event agree. A torn
last line (part of a lost event) is moved to ``torn/`` first. Runs under the
exclusive lock; the caller then replays the whole journal (``check --full``)
to prove the result.
"""

from __future__ import annotations

import os

from .. import jsontext
from ..errors import DataDirError
from . import journal, layout
from .fsio import append_durably, read_bytes
from .store import Store
from .verify import existing_views, replay, views_beyond

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NOTHING = "the journal holds every event the views record; nothing to restore"


def kept_copies(store: Store, after: int, until: int) -> tuple[dict[int, dict[str, Any]], list[str]]:
    """The events ``after`` < seq <= ``until`` that client views keep, by seq,
    and the problems found (two copies that differ, unreadable views)."""
    found: dict[int, dict[str, Any]] = {}
    problems: list[str] = []
    for name in sorted(existing_views(store.root)):
        if os.path.dirname(name) != layout.CLIENT_VIEWS:
            continue
        try:
            view = jsontext.loads(read_bytes(store.path(name)))
            events = view["events"]
            if not isinstance(events, list):
                raise TypeError
        except (ValueError, KeyError, TypeError, RecursionError):
            problems.append(f"{name} cannot be read; its copies of events were not used")
            continue
        for event in events:
            if not isinstance(event, dict) or not isinstance(event.get("seq"), int):
                continue
            seq = event["seq"]
            if after < seq <= until:
                if seq in found and journal.encode(found[seq]) != journal.encode(event):
                    problems.append(f"{name}: its copy of event {seq} differs from another view's")
                found.setdefault(seq, event)
    return found, problems


def restore_journal(store: Store, dry_run: bool = False) -> str:
    """Append the lost events; one line saying what was done (or nothing;
    with ``dry_run``, what would be done, changing nothing).

    Raises DataDirError, changing nothing, when the copies do not cover every
    lost event or disagree.
    """
    path = store.path(layout.JOURNAL)
    keep, size = journal.torn_extent(path)
    replayed = replay(store, keep)
    replayed.fold_all()
    problems = replayed.problems
    if problems:
        raise DataDirError(f"the journal cannot be read up to its end, so nothing can be appended to it: {problems[0]}")
    last = views_beyond(store, replayed.seq)
    if not last:
        return NOTHING
    copies, problems = kept_copies(store, replayed.seq, last)
    missing = [seq for seq in range(replayed.seq + 1, last + 1) if seq not in copies]
    if problems or missing:
        what = problems[0] if problems else (
            f"no client view keeps a copy of event{'s' if len(missing) > 1 else ''} "
            + ", ".join(str(seq) for seq in missing[:10]) + (" ..." if len(missing) > 10 else ""))
        raise DataDirError(
            f"cannot restore events {replayed.seq + 1} to {last} from the client views: {what}; restore the "
            "journal from a backup (nothing was changed)"
        )
    count = last - replayed.seq
    events = (f"{count} event{'s' if count > 1 else ''} ({replayed.seq + 1} to {last}) to {layout.JOURNAL} from the "
              "copies the client views keep")
    if dry_run:
        cut = f"; the {size - keep} bytes left of the cut event would be moved to torn/" if size > keep else ""
        return f"Would restore {events}{cut}"
    aside = ""
    if size > keep:  # the start of a lost event, cut short: kept, as evidence
        aside = f"; the {size - keep} bytes left of the cut event were moved to {store.move_torn_aside(keep, warn=False)}"
    data = b"".join(journal.encode(copies[seq]) for seq in range(replayed.seq + 1, last + 1))
    append_durably(path, data)
    return f"Restored {events}{aside}"
