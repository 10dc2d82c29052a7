"""Reading a report view file in one parse (``report_shards.decode_file``)
gives exactly what reading it line by line gives, or declines (None) so
that the caller reads it line by line and names a damaged line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionpack.storage import report_shards

FIELDS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
GOOD = st.builds(lambda kind, rest: json.dumps([kind, *rest], sort_keys=True).encode(),
                 st.sampled_from(["s", "b", "u"]), st.lists(FIELDS, max_size=3))
BAD = st.sampled_from([b"", b" ", b"[", b'["b"', b"{}", b"[]", b"[1]", b'"b"', b"\r", b"\x00", b"\xff", b"[\"b\"]x"])
LINES = st.lists(st.one_of(GOOD, GOOD, GOOD, BAD), max_size=6)
ENDS = st.sampled_from([b"\n", b"\r\n", b"\r"])


def line_by_line(data: bytes) -> list[list[Any]] | None:
    """What the line-by-line reading finds: every line, or None when one is
    not a non-empty list whose first item is a text."""
    found = []
    for line in data.splitlines():
        try:
            fields = json.loads(line)
        except ValueError:
            return None
        if type(fields) is not list or not fields or type(fields[0]) is not str:
            return None
        found.append(fields)
    return found


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("views")


def on_disk(root: Path):  # type: ignore[no-untyped-def]
    """A reader of the files under ``root`` (None: no such file), as ``Store.view_bytes`` reads them."""
    return lambda name: (root / name).read_bytes() if (root / name).exists() else None


@settings(max_examples=200, deadline=None)
@given(lines=LINES, end=ENDS, last=st.booleans())
def test_one_parse_is_the_line_by_line_reading_or_declines(views: Path, lines: list[bytes], end: bytes, last: bool) -> None:
    root = views
    data = end.join(lines) + (end if last and lines else b"")
    (root / "p.jsonl").write_bytes(data)
    whole = report_shards.decode_file(on_disk(root), "p.jsonl")
    expected = line_by_line(data)
    if whole is not None:
        assert whole == expected
    if expected is not None and end != b"\r" and b"" not in lines:
        assert whole == expected  # a sound file with usual line ends is read in one parse


def test_a_missing_or_empty_file_holds_no_lines(tmp_path: Path) -> None:
    assert report_shards.decode_file(on_disk(tmp_path), "none.jsonl") == []
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert report_shards.decode_file(on_disk(tmp_path), "empty.jsonl") == []


def test_a_damaged_line_makes_the_one_parse_decline(tmp_path: Path) -> None:
    (tmp_path / "p.jsonl").write_bytes(b'["b","bob","bob.b1",{}]\n["b","bob"\n')
    assert report_shards.decode_file(on_disk(tmp_path), "p.jsonl") is None
    (tmp_path / "p.jsonl").write_bytes(b'["b","bob","bob.b1",{}]\n\n')
    assert report_shards.decode_file(on_disk(tmp_path), "p.jsonl") is None
    (tmp_path / "p.jsonl").write_bytes(b'["b","bob","bob.b1",{}]\r\n["s","ann","ann.p1",{}]')
    assert report_shards.decode_file(on_disk(tmp_path), "p.jsonl") == [["b", "bob", "bob.b1", {}], ["s", "ann", "ann.p1", {}]]


# -- the fields a booking's line is filtered by, without a pattern ------------------------------

FIELD_PIECES = [b'"start":"', b'"duration":', b"2026-11-27T10:00:00+00:00", b"2026-11-27", b"T", b":", b"+", b"-", b".",
                b"0", b"60", b"123456", b'"', b",", b"}", b"x", b"\xc3\xa9", b" ", b"9" * 41]


@settings(max_examples=800)
@given(st.lists(st.sampled_from(FIELD_PIECES), max_size=10).map(b"".join) | st.binary(max_size=40))
def test_the_start_and_duration_of_a_line_are_the_patterns(line: bytes) -> None:
    import re

    for quick, source in ((report_shards._start, rb'"start":"([0-9T:+.-]{16,40})"'),
                          (report_shards._duration, rb'"duration":([0-9]{1,5})[,}]')):
        found = re.search(source, line)
        assert quick(line) == (found.group(1) if found else None)
