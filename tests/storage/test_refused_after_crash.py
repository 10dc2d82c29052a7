"""A command refused after a crash changes nothing: what the crash left (a
torn last line, views behind the journal, temporary files) is put right by
the next command that records something, at its commit, never by one that
is refused or records nothing."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from storage_util import assert_check_clean, run
from tree import tree_hash

NOW = "2026-03-02T09:00"


def test_a_refused_command_after_a_torn_line_changes_nothing(example: Path) -> None:
    with open(example / "journal.jsonl", "ab") as journal:
        journal.write(b'{"seq": 67, "at": "2026-03-02T09:00:00+00:00", "typ')
    before = tree_hash(example)
    refused = run(example, "book", "ana", "masage", "2026-03-10T10:00", now=NOW)  # a typo in the service
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr.splitlines() == [
        "error: no service 'masage'; see 'sessionpack service list'",
        "warning: the journal ends in 51 bytes of a command that was interrupted while writing them and was not "
        "recorded; the next command that records something moves them aside",
    ]
    assert tree_hash(example) == before
    done = run(example, "book", "ana", "massage-60", "2026-03-10T10:00", now=NOW)
    assert done.returncode == 0, done.stderr
    assert "its 51 bytes were moved to torn/" in done.stderr
    assert len(os.listdir(example / "torn")) == 1
    assert_check_clean(example)


def test_a_refused_command_with_views_behind_the_journal_changes_nothing(example: Path) -> None:
    killed = run(example, "book", "ana", "massage-60", "2026-03-10T10:00", now=NOW,
                 env={"SESSIONPACK_TEST_CRASH_AT": "journal-written"})
    assert killed.returncode == -signal.SIGKILL
    before = tree_hash(example)
    for args in (("attend", "ana.b9"), ("client", "add", "ana", "--name", "Another Ana"),
                 ("book", "bruno", "massage-60", "2026-03-10T10:00")):  # the killed booking holds that time
        refused = run(example, *args, now=NOW)
        assert refused.returncode in (1, 2), (args, refused.stderr)
        assert tree_hash(example) == before, args
    shown = run(example, "balance", "ana", "--format", "json", now=NOW)
    assert shown.returncode == 0 and tree_hash(example) == before
    done = run(example, "book", "bruno", "massage-60", "2026-03-10T12:00", now=NOW)  # records: repairs first
    assert done.returncode == 0, done.stderr
    assert_check_clean(example)
    history = run(example, "history", "ana", "--format", "json", now=NOW)
    assert '"ana.b' in history.stdout


def test_leftover_temporary_files_are_taken_away_by_a_commit_not_by_a_refusal(example: Path) -> None:
    leftover = example / ".settings.toml.12345.0123456789abcdef.tmp"
    leftover.write_bytes(b"half")
    before = tree_hash(example)
    assert run(example, "client", "add", "ana", "--name", "Another Ana", now=NOW).returncode == 1
    assert tree_hash(example) == before
    assert run(example, "client", "add", "zed", "--name", "Zed", now=NOW).returncode == 0
    assert not leftover.exists()
    assert_check_clean(example)
