"""Commands as the journal holds them: one commit, one command.

The events of one command are consecutive lines; all but the last say
``"more": true``. A command's id is ``c`` and the seq of its first event
(recorded on each event as ``command``; for events recorded before ids
were, it is worked out the same way). ``log`` reads commands newest first
from the end of the journal; ``undo`` finds one by its id with a binary
search over the journal's lines, which are in seq order.
"""

from __future__ import annotations

import os
from typing import Any, Iterator

from .. import jsontext
from ..errors import FileProblem
from . import layout
from .fsio import open_binary
from .journal import _lines_backwards


def command_id(events: list[dict[str, Any]]) -> str:
    return events[0].get("command") or f"c{events[0]['seq']}"


def _parse(line: bytes, offset: int) -> dict[str, Any]:
    try:
        record = jsontext.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        record = None
    if not isinstance(record, dict) or not isinstance(record.get("seq"), int):
        raise FileProblem(layout.JOURNAL, None, f"has a damaged line at byte {offset}", "run 'sessionpack check'")
    return record


LONG_COMMAND = 256  # events of a command from which its lines are read by the bulk engine (jsontext.engage)


def backwards(root: str, end: int) -> Iterator[list[dict[str, Any]]]:
    """Every command before byte ``end`` of the journal, newest first (each
    as its events, oldest first). A long command (a file of sales, an undo
    of one: tens of thousands of events) has the rest of its lines read by
    the bulk engine."""
    with open_binary(os.path.join(root, layout.JOURNAL)) as handle:
        group: list[dict[str, Any]] = []  # (newest first while it is read)
        for offset, line in _lines_backwards(handle, end):
            record = _parse(line, offset)
            if record["seq"] == 0 and "journal" in record:
                break  # the header
            if group and record.get("more") is not True:
                group.reverse()
                yield group
                group = []
            group.append(record)
            if len(group) == LONG_COMMAND:
                jsontext.engage()
        if group:
            group.reverse()
            yield group


def _line_at(handle: Any, seq: int, end: int) -> tuple[int, dict[str, Any]] | None:
    """(offset, event) of the line with ``seq``: a binary search by offset."""
    lo, hi = 0, end
    while lo < hi:
        mid = (lo + hi) // 2
        start = _line_start_after(handle, mid, end)
        if start >= end:
            hi = mid
            continue
        handle.seek(start)
        record = _parse(handle.readline(), start)
        if record["seq"] < seq:
            lo = start + 1
        elif record["seq"] > seq:
            hi = mid
        else:
            return start, record
    return None


def _line_start_after(handle: Any, pos: int, end: int) -> int:
    """The start of the first line beginning at or after ``pos``."""
    if pos == 0:
        return 0
    handle.seek(pos - 1)
    while True:
        chunk = handle.read(4096)
        if not chunk:
            return end
        cut = chunk.find(b"\n")
        if cut != -1:
            return min(handle.tell() - len(chunk) + cut + 1, end)


def command_at(root: str, seq: int, end: int) -> list[dict[str, Any]] | None:
    """The events of the command holding the event with ``seq``, or None."""
    with open_binary(os.path.join(root, layout.JOURNAL)) as handle:
        found = _line_at(handle, seq, end)
        if found is None or found[1].get("journal"):
            return None
        offset, record = found
        events = [record]
        for back_offset, line in _lines_backwards(handle, offset):
            earlier = _parse(line, back_offset)
            if earlier.get("more") is not True or "journal" in earlier:
                break
            events.append(earlier)
            if len(events) == LONG_COMMAND:
                jsontext.engage()
        events.reverse()
        handle.seek(offset)
        handle.readline()
        last = record
        while last.get("more") is True and handle.tell() < end:
            position = handle.tell()
            last = _parse(handle.readline(), position)
            events.append(last)
        return events
