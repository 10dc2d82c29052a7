"""A command that only reads never changes a byte of the data directory:
not with views behind the journal, a torn tail, a damaged journal, views of
an older format, or nothing wrong at all."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest
import tomli_w

from storage_util import inproc, run
from tree import tree_hash

FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}

READERS = [
    ("balance",), ("balance", "--all"), ("balance", "ana"), ("balance", "ana", "--format", "json"), ("history", "ana"),
    ("history", "ana.p1", "--format", "csv"), ("client", "list"), ("client", "show", "ana"), ("package", "list"),
    ("package", "show", "five"), ("service", "list"), ("service", "show", "massage"), ("check",), ("check", "--full"),
    ("--version",), ("--help",), ("balance", "--code", "CODE"),
]


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    (data_dir / "packages" / "five.toml").write_text(tomli_w.dumps(FIVE), encoding="utf-8")
    sold = practice("sell", "ana", "five")
    assert sold.exit_code == 0
    assert practice("book", "ana", "massage", "2026-12-01T10:00").exit_code == 0
    practice.code = re.search(r"Access code: (\S+),", sold.stdout).group(1)  # type: ignore[attr-defined]
    return practice


def damage(data_dir: Path, how: str) -> None:
    journal = data_dir / "journal.jsonl"
    if how == "views behind":
        killed = run(data_dir, "client", "add", "bob", "--name", "Bob", env={"SESSIONPACK_TEST_CRASH_AT": "journal-written"})
        assert killed.returncode == -signal.SIGKILL
    elif how == "torn tail":
        with open(journal, "ab") as handle:
            handle.write(b'{"actor":"x","type":"client-added","seq":')
    elif how == "journal damaged":
        lines = journal.read_bytes().splitlines(keepends=True)
        journal.write_bytes(b"".join(lines[:2] + [b"not json\n"] + lines[2:]))
    elif how == "journal shorter":
        journal.write_bytes(journal.read_bytes()[:-40])
    elif how == "views older":
        for path in (data_dir / "views").rglob("*.json"):
            path.write_bytes(path.read_bytes().replace(b'"format":2,', b'"format":1,'))


@pytest.mark.parametrize("how", ["nothing wrong", "views behind", "torn tail", "journal damaged", "journal shorter", "views older"])
def test_every_reader_leaves_every_byte(shop, data_dir: Path, how: str) -> None:
    damage(data_dir, how)
    before = tree_hash(data_dir)
    for args in READERS:
        args = tuple(shop.code if part == "CODE" else part for part in args)
        result = inproc(data_dir, *args)
        assert result.returncode in (0, 3), (how, args, result.returncode, result.stderr)
        if how in ("nothing wrong", "views behind", "torn tail"):
            assert result.returncode == 0, (how, args, result.stderr)
        assert tree_hash(data_dir) == before, (how, args)
