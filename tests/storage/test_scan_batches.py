"""The full replay's scan reads well-formed lines in batches (``heads_reader``)
and the rest line by line: both ways must leave the same result.

A journal with sales, bookings, undone commands and a command of several
events (``more``) is damaged at random (bytes put in or taken out, lines
dropped or repeated, an unfinished end), then scanned twice, with the
batches and with every line read on its own, in one process and split
between two, with batches of a few lines to a whole journal. Every part
of the outcome must be equal: each client's event places, the small
views, the journal position, seq and digest, and the problems.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from sessionpack import jsontext
from sessionpack.storage import layout, replay
from sessionpack.storage.replay import Replayed
from conftest import Runner

STEPS = [
    ("init", "--name", "Studio Test", "--currency", "EUR", "--timezone", "Europe/Lisbon"),
    ("service", "add", "massage", "--name", "Massage 60", "--duration", "60", "--price", "90"),
    ("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400"),
    ("client", "add", "ana", "--name", "Ana Lima"),
    ("client", "add", "bea", "--name", "Beatriz Sá"),
    ("sell", "bea", "five"), ("sell", "ana", "five"),
    ("undo", "--last", "--reason", "wrong client", "--yes"),
    ("sell", "ana", "five"),
    ("book", "ana", "massage", "2026-10-05T10:00", "--repeat", "weekly", "--count", "3"),
    ("client", "relate", "bea", "ana", "--as", "partner", "--can", "use-packages"),
    ("share", "ana.p2", "bea"),
    ("book", "bea", "massage", "2026-10-06T10:00", "--package", "ana.p2"),
    ("attend", "ana.b1", "--force"),
    ("undo", "--last", "--reason", "not yet", "--yes"),
    ("client", "add", "cid", "--name", "Cid"),
    ("sell", "cid", "five"),
    ("book", "cid", "massage", "2026-10-07T10:00", "--repeat", "weekly", "--count", "3"),  # (events marked more)
]


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    data_dir = tmp_path_factory.mktemp("scan") / "practice"
    run = Runner(data_dir)
    for args in STEPS:
        result = run(*args, now="2026-10-01T09:00")
        assert result.exit_code == 0, (args, result.output, result.stderr)
    data = (data_dir / layout.JOURNAL).read_bytes()
    assert b'"more":true' in data and b'"type":"undone"' in data and b'"clients":["ana","bea"]' in data
    return data


def damaged(data: bytes, edits: list[tuple[str, int, bytes]]) -> bytes:
    lines = data.splitlines(keepends=True)
    for kind, where, put in edits:
        if kind == "bytes":
            whole = b"".join(lines)
            at = 1 + where % len(whole)
            lines = (whole[:at] + put + whole[at + len(put) % 3:]).splitlines(keepends=True)
        elif kind == "drop" and len(lines) > 2:
            del lines[1 + where % (len(lines) - 1)]
        elif kind == "repeat":
            at = 1 + where % (len(lines) - 1)
            lines.insert(at, lines[at])
        elif kind == "more":  # a command's last event marked as if more were to come (0: the journal's last)
            at = len(lines) - 1 - where % (len(lines) - 1)
            lines[at] = lines[at].replace(b'"seq":', b'"more":true,"seq":', 1)
        elif kind == "end" and lines:
            lines[-1] = lines[-1].rstrip(b"\n")
    return b"".join(lines)


EDITS = st.lists(st.tuples(st.sampled_from(["bytes", "bytes", "drop", "repeat", "more", "end"]),
                           st.integers(min_value=0, max_value=10**6),
                           st.sampled_from([b"", b"{", b"}", b"[", b"]", b'"', b",", b":", b"\\", b"0", b"7", b" ", b"\n",
                                            b"\xff", b"\xc3", b"\xc3\xa1", b"NaN", b"\\ud800", b"true", b"null", b'"x"'])),
                 max_size=3)


def scanned(path: Path, batches: bool, processes: int) -> dict[str, Any]:
    reader = jsontext.heads_reader
    if not batches:
        jsontext.heads_reader = lambda fields: None  # every line read on its own
    try:
        found = Replayed(str(path))
        found.scan(None, processes)
    finally:
        jsontext.heads_reader = reader
    return {"spans": {client: list(places) for client, places in found.spans.items()}, "small": found.small,
            "offset": found.offset, "seq": found.seq, "digest": found.digest.value, "problems": found.problems}


@given(edits=EDITS, batch=st.sampled_from([1, 150, 700, 1 << 20]), processes=st.sampled_from([1, 2]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(edits=[], batch=1 << 20, processes=1)
@example(edits=[], batch=150, processes=2)
@example(edits=[("end", 0, b"")], batch=700, processes=2)
@example(edits=[("more", 0, b"")], batch=150, processes=1)  # an unfinished end over several batches
@example(edits=[("more", 0, b"")], batch=700, processes=2)
@example(edits=[("bytes", 3000, b"\xff")], batch=700, processes=2)
@example(edits=[("bytes", 257079, b"\\ud800"), ("bytes", 60472, b"\\ud800"), ("bytes", 257082, b"{")], batch=1, processes=1)  # ana{p2
def test_a_scan_in_batches_ends_as_a_scan_line_by_line(journal: bytes, edits: list[Any], batch: int, processes: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    jsontext.engage()
    monkeypatch.setattr(replay, "_BATCH", batch)
    folder = Path(tempfile.mkdtemp())
    try:
        path = folder / layout.JOURNAL
        path.write_bytes(damaged(journal, edits))
        assert scanned(path, True, processes) == scanned(path, False, processes)
    finally:
        shutil.rmtree(folder)


def test_a_well_formed_journal_is_read_in_batches(journal: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jsontext.engage()
    lines = journal.count(b"\n") - 1  # (the header)
    read: list[int] = []
    after = replay._unfinished_after

    def counted(heads: list[Any], unfinished: int, first_line: int) -> int:
        read.append(len(heads))
        return after(heads, unfinished, first_line)

    monkeypatch.setattr(replay, "_unfinished_after", counted)
    monkeypatch.setattr(replay, "_BATCH", 500)
    path = tmp_path / layout.JOURNAL
    path.write_bytes(journal)
    found = scanned(path, True, 1)
    assert found["problems"] == [] and found["seq"] == lines
    assert sum(read) == lines and len(read) > 5  # every line, in many batches
