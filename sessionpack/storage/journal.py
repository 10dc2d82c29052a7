"""The append-only JSON-lines journal: the source of truth.

Line 1 is a header ``{"journal":"sessionpack","format":1,"seq":0}``; every
other line is one event whose ``seq`` is its line number minus one, so a
problem is always reported as ``journal.jsonl:LINE``. Events are encoded
with sorted keys and no spaces, so the same events give the same bytes.

A command of several events marks every event but its last with
``"more": true``: a journal whose last complete line still says ``more``
ends in a command whose write was interrupted, and that whole command is
treated like a torn line (moved aside, never half recorded).
"""

from __future__ import annotations

import os

from .. import jsontext
from ..domain.settings import FORMAT_VERSION
from ..errors import FileProblem
from .fsio import open_binary

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator

JOURNAL = "journal.jsonl"


def encode(record: dict[str, Any]) -> bytes:
    return jsontext.canonical_bytes(record) + b"\n"


def header() -> bytes:
    return encode({"journal": "sessionpack", "format": FORMAT_VERSION, "seq": 0})


def check_header(line: bytes, display: str) -> None:
    try:
        record = jsontext.loads(line)
    except (ValueError, RecursionError):
        record = None
    if not isinstance(record, dict) or record.get("journal") != "sessionpack":
        raise FileProblem(display, 1, "is not a sessionpack journal header", "restore the journal from a backup")
    fmt = record.get("format")
    if not isinstance(fmt, int) or fmt > FORMAT_VERSION:
        raise FileProblem(display, 1, f"was written by a newer sessionpack (format {fmt}); this one reads format {FORMAT_VERSION}", "upgrade sessionpack")


def parse_line(raw: bytes, line: int, display: str, expect_seq: int | None) -> dict[str, Any]:
    """One event line, checked for shape; damage is a FileProblem."""
    try:
        event = jsontext.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise FileProblem(display, line, "is not valid JSON", "the journal is damaged: restore it from a backup (views are rebuilt from it)") from None
    if not isinstance(event, dict) or not isinstance(event.get("type"), str) or not isinstance(event.get("seq"), int):
        raise FileProblem(display, line, "is not a sessionpack event (no type or seq)", "restore the journal from a backup")
    if expect_seq is not None and event["seq"] != expect_seq:
        raise FileProblem(display, line, f"has seq {event['seq']} where {expect_seq} was expected", "restore the journal from a backup")
    return event


def read_events(path: str, display: str, offset: int, first_seq: int, end: int | None = None) -> Iterator[dict[str, Any]]:
    """Events from byte ``offset`` (the start of the event with ``first_seq``)
    to byte ``end`` (default: the end of the file)."""
    with open_binary(path) as handle:
        handle.seek(offset)
        seq = first_seq
        left = None if end is None else end - offset
        for raw in handle:
            if left is not None:
                if left <= 0:
                    return
                left -= len(raw)
            if not raw.endswith(b"\n"):
                raise FileProblem(display, seq + 1, "is an incomplete last line", "run any sessionpack command to move it aside")
            yield parse_line(raw, seq + 1, display, seq)
            seq += 1


def first_problem(path: str, display: str) -> FileProblem | None:
    """The first damaged line of the whole journal (slow: for error reports)."""
    with open_binary(path) as handle:
        try:
            check_header(handle.readline(), display)
        except FileProblem as err:
            return err
        for line, raw in enumerate(handle, start=2):
            if not raw.endswith(b"\n"):
                return FileProblem(display, line, "is an incomplete last line", "run any sessionpack command to move it aside")
            try:
                parse_line(raw, line, display, line - 1)
            except FileProblem as err:
                return err
    return None


def torn_tail(path: str) -> tuple[int, bytes]:
    """(size of the complete part, the torn bytes after it); no torn part -> b''.

    The torn part is an incomplete last line plus, before it, the complete
    lines of a command whose last event is missing (marked ``more``). Time
    and memory grow with the torn part, never with the square of a line.
    """
    keep, size = torn_extent(path)
    if keep == size:
        return keep, b""
    with open_binary(path) as handle:
        handle.seek(keep)
        return keep, handle.read()


def torn_extent(path: str) -> tuple[int, int]:
    """(end of the complete commands, size of the file): the torn part is
    what lies between, found without reading it into memory."""
    with open_binary(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        keep = _last_newline_end(handle, size)
        return _unfinished_command_start(handle, keep), size


_BLOCK = 1 << 16


def _last_newline_end(handle, end: int) -> int:  # type: ignore[no-untyped-def]
    """The offset just after the last newline before ``end`` (0: none)."""
    pos = end
    while pos > 0:
        step = min(_BLOCK, pos)
        pos -= step
        handle.seek(pos)
        cut = handle.read(step).rfind(b"\n")
        if cut != -1:
            return pos + cut + 1
    return 0


def line_ending_at(path: str, end: int) -> tuple[int, bytes] | None:
    """(offset, bytes) of the complete line that ends at byte ``end`` (its
    newline included), or None when no line ends there."""
    with open_binary(path) as handle:
        if end <= 0:
            return None
        handle.seek(end - 1)
        if handle.read(1) != b"\n":
            return None
        start = _last_newline_end(handle, end - 1)
        handle.seek(start)
        return start, handle.read(end - start)


def _lines_backwards(handle, end: int) -> Iterator[tuple[int, bytes]]:  # type: ignore[no-untyped-def]
    """(offset, line) of the complete lines before byte ``end`` (which
    follows a newline), last first. Each byte is read once."""
    line_end = end
    while line_end > 0:
        start = _last_newline_end(handle, line_end - 1)
        handle.seek(start)
        yield start, handle.read(line_end - start)
        line_end = start


_MORE = b'"more":true'


def _unfinished_command_start(handle, end: int) -> int:  # type: ignore[no-untyped-def]
    """Where the trailing events of an unfinished command begin (``end``: none)."""
    start = end
    for offset, line in _lines_backwards(handle, end):
        if _MORE not in line:
            break
        try:
            record = jsontext.loads(line)
        except (ValueError, UnicodeDecodeError, RecursionError):
            break
        if not isinstance(record, dict) or record.get("more") is not True:
            break
        start = offset
    return start
