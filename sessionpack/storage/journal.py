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

import json
import os
from typing import Any, Iterator

from ..domain.settings import FORMAT_VERSION
from ..errors import FileProblem

JOURNAL = "journal.jsonl"


def encode(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def header() -> bytes:
    return encode({"journal": "sessionpack", "format": FORMAT_VERSION, "seq": 0})


def check_header(line: bytes, display: str) -> None:
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict) or record.get("journal") != "sessionpack":
        raise FileProblem(display, 1, "is not a sessionpack journal header", "restore the journal from a backup")
    fmt = record.get("format")
    if not isinstance(fmt, int) or fmt > FORMAT_VERSION:
        raise FileProblem(display, 1, f"was written by a newer sessionpack (format {fmt}); this one reads format {FORMAT_VERSION}", "upgrade sessionpack")


def parse_line(raw: bytes, line: int, display: str, expect_seq: int | None) -> dict[str, Any]:
    """One event line, checked for shape; damage is a FileProblem."""
    try:
        event = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise FileProblem(display, line, "is not valid JSON", "the journal is damaged: restore it from a backup (views are rebuilt from it)") from None
    if not isinstance(event, dict) or not isinstance(event.get("type"), str) or not isinstance(event.get("seq"), int):
        raise FileProblem(display, line, "is not a sessionpack event (no type or seq)", "restore the journal from a backup")
    if expect_seq is not None and event["seq"] != expect_seq:
        raise FileProblem(display, line, f"has seq {event['seq']} where {expect_seq} was expected", "restore the journal from a backup")
    return event


def read_events(path: str, display: str, offset: int, first_seq: int) -> Iterator[dict[str, Any]]:
    """Events from byte ``offset`` (the start of the event with ``first_seq``)."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        seq = first_seq
        for raw in handle:
            if not raw.endswith(b"\n"):
                raise FileProblem(display, seq + 1, "is an incomplete last line", "run any sessionpack command to move it aside")
            yield parse_line(raw, seq + 1, display, seq)
            seq += 1


def first_problem(path: str, display: str) -> FileProblem | None:
    """The first damaged line of the whole journal (slow: for error reports)."""
    with open(path, "rb") as handle:
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
    lines of a command whose last event is missing (marked ``more``).
    """
    keep, torn = _incomplete_line(path)
    with open(path, "rb") as handle:
        start = _unfinished_command_start(handle, keep)
        if start < keep:
            handle.seek(start)
            return start, handle.read()
    return keep, torn


def _lines_backwards(handle, end: int) -> Iterator[tuple[int, bytes]]:  # type: ignore[no-untyped-def]
    """(offset, line) of the complete lines before byte ``end``, last first."""
    pos = end
    buf = b""
    while pos > 0:
        step = min(4096, pos)
        pos -= step
        handle.seek(pos)
        buf = handle.read(step) + buf
        while True:
            cut = buf.rfind(b"\n", 0, len(buf) - 1)
            if cut == -1:
                break
            yield pos + cut + 1, buf[cut + 1 :]
            buf = buf[: cut + 1]
    if buf:
        yield 0, buf


def _unfinished_command_start(handle, end: int) -> int:  # type: ignore[no-untyped-def]
    """Where the trailing events of an unfinished command begin (``end``: none)."""
    start = end
    for offset, line in _lines_backwards(handle, end):
        try:
            record = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            break
        if not isinstance(record, dict) or record.get("more") is not True:
            break
        start = offset
    return start


def _incomplete_line(path: str) -> tuple[int, bytes]:
    size = os.path.getsize(path)
    if size == 0:
        return 0, b""
    with open(path, "rb") as handle:
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return size, b""
        # Walk back to the last newline.
        block = 4096
        pos = size
        tail = b""
        while pos > 0:
            step = min(block, pos)
            pos -= step
            handle.seek(pos)
            chunk = handle.read(step)
            tail = chunk + tail
            cut = tail.rfind(b"\n")
            if cut != -1:
                keep = pos + cut + 1
                handle.seek(keep)
                return keep, handle.read()
        handle.seek(0)
        return 0, handle.read()
