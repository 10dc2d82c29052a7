"""kill -9 at every write point, and torn journal lines, with real processes."""

from __future__ import annotations

import json
import os
import signal
import sys
import textwrap
from pathlib import Path

import pytest

from tree import tree_hash
from storage_util import (
    assert_check_clean,
    assert_journal_valid,
    client_ids_in_journal,
    inproc,
    project_env,
    parse_client_csv,
    run,
    snapshot,
    stderr_lines,
)

TORN_WARNING = "warning: the journal's last line was incomplete (a command was interrupted while writing it and was not recorded); its "
PENDING_TORN = ("warning: the journal ends in {} bytes of a command that was interrupted while writing them and was not "
                "recorded; the next command that records something moves them aside")
CHECK_TORN = ("note: the journal ends in {} bytes of a command that was interrupted while writing them and was not recorded; "
              "the next command that records something moves them to torn/")
CHECK_PENDING = ("note: {} recorded event(s) are not yet in the view files (a command was interrupted after recording them); "
                 "checked in memory, and the next command that records something writes them")


def checked_with_notes(root: Path) -> list[str]:
    """``check`` passes (exit 0, nothing on stderr) and prints these notes."""
    result = inproc(root, "check")
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    first, *notes = result.stdout.splitlines()
    assert first == "No problems found"
    return notes


def crash(root: Path, point: str, *args: str):  # type: ignore[no-untyped-def]
    result = run(root, *args, env={"SESSIONPACK_TEST_CRASH_AT": point})
    assert result.returncode == -signal.SIGKILL, (result.returncode, result.stderr)
    assert result.stdout == ""  # killed before it acknowledged anything
    return result


def restart(root: Path, how: str):  # type: ignore[no-untyped-def]
    """Any command after the crash: a reader or a writer."""
    if how == "reader":
        return run(root, "client", "list", "--format", "csv")
    return run(root, "client", "add", "carol", "--name", "Carol Reis")


def listed(root: Path) -> list[str]:
    result = inproc(root, "client", "list", "--format", "csv")
    assert (result.returncode, result.stderr) == (0, "")
    return parse_client_csv(result.stdout)


@pytest.mark.parametrize(
    "point, how",
    [("journal-written", "reader"), ("journal-written", "writer"), ("view-written", "reader"), ("before-index", "writer")],
)
def test_kill_after_the_journal_line_is_written(practice, data_dir: Path, point: str, how: str) -> None:
    journal_before = (data_dir / "journal.jsonl").read_bytes()
    crash(data_dir, point, "client", "add", "bob", "--name", "Bob Reis")
    # The journal line was written and fsynced before the kill; the views lag behind.
    assert (data_dir / "journal.jsonl").read_bytes().startswith(journal_before)
    index = json.loads((data_dir / "views" / "index.json").read_bytes())
    assert index["offset"] == len(journal_before)

    assert checked_with_notes(data_dir) == [CHECK_PENDING.format(1)]  # not damage: check says so, exit 0
    before = tree_hash(data_dir)
    result = restart(data_dir, how)
    assert (result.returncode, result.stderr) == (0, "")
    if how == "reader":
        assert tree_hash(data_dir) == before  # a reader sees the event, and writes nothing

    # Nuance: the command was killed before it acknowledged (no "Added client
    # bob" was printed), but a fully written, fsynced journal line is a
    # recorded event: readers fold it in memory, the next writer into the
    # views, and bob IS present. Everything acknowledged before the crash
    # (ana) is present as well.
    expected = ["ana", "bob"] + (["carol"] if how == "writer" else [])
    assert sorted(client_ids_in_journal(data_dir)) == expected
    assert parse_client_csv(result.stdout if how == "reader" else listed_now(data_dir)) == expected
    show = inproc(data_dir, "client", "show", "bob", "--format", "json")
    assert show.returncode == 0 and json.loads(show.stdout)["name"] == "Bob Reis"
    assert not list((data_dir / "torn").iterdir())
    if how == "reader":
        assert run(data_dir, "client", "add", "carol", "--name", "Carol Reis").returncode == 0
    assert_check_clean(data_dir)


def listed_now(root: Path) -> str:
    result = inproc(root, "client", "list", "--format", "csv")
    assert (result.returncode, result.stderr) == (0, "")
    return result.stdout


@pytest.mark.parametrize("how", ["reader", "writer"])
def test_kill_mid_journal_write_moves_the_torn_line_aside(practice, data_dir: Path, how: str) -> None:
    journal_before = (data_dir / "journal.jsonl").read_bytes()
    views_before = {k: v for k, v in snapshot(data_dir).items() if k.startswith("views")}
    crash(data_dir, "journal-partial", "client", "add", "bob", "--name", "Bob Reis")
    torn_bytes = (data_dir / "journal.jsonl").read_bytes()[len(journal_before):]
    assert torn_bytes and not torn_bytes.endswith(b"\n")

    # check only reports (it never writes): an interrupted command is no damage.
    assert checked_with_notes(data_dir) == [CHECK_TORN.format(len(torn_bytes))]

    if how == "reader":
        before = tree_hash(data_dir)
        result = restart(data_dir, how)
        assert (result.returncode, stderr_lines(result.stderr)) == (0, [PENDING_TORN.format(len(torn_bytes))])
        assert parse_client_csv(result.stdout) == ["ana"]
        assert tree_hash(data_dir) == before  # nothing moved: a reader never writes
        assert (data_dir / "journal.jsonl").read_bytes() == journal_before + torn_bytes
        assert {k: v for k, v in snapshot(data_dir).items() if k.startswith("views")} == views_before
        assert not list((data_dir / "torn").iterdir())
    result = restart(data_dir, "writer")
    assert result.returncode == 0
    lines = stderr_lines(result.stderr)
    assert len(lines) == 1
    assert lines[0].startswith(TORN_WARNING + f"{len(torn_bytes)} bytes were moved to torn/journal-{len(journal_before)}-")
    aside = list((data_dir / "torn").iterdir())
    assert len(aside) == 1 and lines[0].endswith(aside[0].name)
    assert aside[0].read_bytes() == torn_bytes
    assert os.stat(aside[0]).st_mode & 0o777 == 0o600

    # The interrupted command was never acknowledged and is not recorded.
    expected = ["ana", "carol"]
    assert sorted(client_ids_in_journal(data_dir)) == expected
    assert listed(data_dir) == expected
    assert not (data_dir / "views" / "clients" / "bob.json").exists()
    assert_check_clean(data_dir)
    # bob can simply be added again.
    again = run(data_dir, "client", "add", "bob", "--name", "Bob Reis")
    assert (again.returncode, again.stderr) == (0, "")
    assert_check_clean(data_dir)


def test_two_interrupted_writes_in_a_row_keep_both_torn_files(practice, data_dir: Path) -> None:
    """The same offset torn twice (often within one second) must not collide in torn/."""
    for number in range(2):
        crash(data_dir, "journal-partial", "client", "add", "bob", "--name", "Bob Reis")
        result = run(data_dir, "client", "edit", "ana", "--phone", f"+351 912 345 67{number}")
        assert result.returncode == 0, result.stderr
        assert result.stderr.startswith(TORN_WARNING)
        assert parse_client_csv(listed_now(data_dir)) == ["ana"]
    assert len(list((data_dir / "torn").iterdir())) == 2
    assert_check_clean(data_dir)


def test_hand_torn_last_line_is_moved_aside(practice, data_dir: Path) -> None:
    journal = data_dir / "journal.jsonl"
    good = journal.read_bytes()
    half = b'{"actor":"tester","at":"2026-11-20T09:00:00+00:00","client":{"email":"","id":"zed"'
    with open(journal, "ab") as handle:
        handle.write(half)

    shown = run(data_dir, "client", "show", "ana", "--format", "json")
    assert (shown.returncode, stderr_lines(shown.stderr)) == (0, [PENDING_TORN.format(len(half))])
    assert json.loads(shown.stdout)["id"] == "ana"
    result = run(data_dir, "client", "edit", "ana", "--phone", "+351 912 345 678")
    assert result.returncode == 0
    lines = stderr_lines(result.stderr)
    assert len(lines) == 1
    assert lines[0].startswith("warning: the journal's last line was incomplete ")
    assert f"its {len(half)} bytes were moved to torn/journal-{len(good)}-" in lines[0]
    (aside,) = (data_dir / "torn").iterdir()
    assert aside.read_bytes() == half
    assert journal.read_bytes().startswith(good) and good.endswith(b"\n")
    assert_journal_valid(data_dir, events=4)  # two catalog events (services added) come first

    # The next command sees nothing more to repair.
    quiet = run(data_dir, "client", "add", "bob", "--name", "Bob Reis")
    assert (quiet.returncode, quiet.stderr) == (0, "")
    assert_check_clean(data_dir)


MULTI_EVENT_COMMIT = textwrap.dedent(
    """
    import sys
    from datetime import datetime
    from sessionpack.domain.clients import add_client
    from sessionpack.storage.store import Store, load_settings

    root = sys.argv[1]
    settings = load_settings(root)
    store = Store(root, settings, datetime(2026, 11, 20, 9, tzinfo=settings.tz), "tester")
    with store.writing() as tx:
        tx.commit([
            add_client("bob", {"name": "Bob", "email": "", "phone": "", "notes": "", "tags": []}),
            add_client("carol", {"name": "Carol " + "x" * 150, "email": "", "phone": "", "notes": "", "tags": []}),
        ])
    print("committed")
    """
)


def commit_two_events(root: Path, point: str | None):  # type: ignore[no-untyped-def]
    import subprocess

    env = project_env()
    if point:
        env["SESSIONPACK_TEST_CRASH_AT"] = point
    return subprocess.run([sys.executable, "-c", MULTI_EVENT_COMMIT, str(root)], capture_output=True, text=True, env=env, timeout=60)


def test_a_command_of_several_events_is_recorded_whole_or_not_at_all(practice, data_dir: Path) -> None:
    """A write torn after the first complete line must not leave half a command."""
    journal_before = (data_dir / "journal.jsonl").read_bytes()
    result = commit_two_events(data_dir, "journal-partial")
    assert result.returncode == -signal.SIGKILL, result.stderr
    written = (data_dir / "journal.jsonl").read_bytes()[len(journal_before):]
    assert written.count(b"\n") == 1  # bob's line is complete, carol's is torn

    assert checked_with_notes(data_dir) == [CHECK_TORN.format(len(written))]
    after = run(data_dir, "client", "edit", "ana", "--phone", "+351 912 345 678")
    assert after.returncode == 0
    assert after.stderr.startswith("warning: ")
    assert "torn/" in after.stderr
    assert parse_client_csv(listed_now(data_dir)) == ["ana"]
    assert (data_dir / "journal.jsonl").read_bytes()[: len(journal_before)] == journal_before
    assert len(assert_journal_valid(data_dir)) == 4  # two catalog events (services added) come first
    (aside,) = (data_dir / "torn").iterdir()
    assert aside.read_bytes() == written
    assert_check_clean(data_dir)

    # Uninterrupted, the same command records both events.
    whole = commit_two_events(data_dir, None)
    assert (whole.returncode, whole.stdout) == (0, "committed\n"), whole.stderr
    assert listed(data_dir) == ["ana", "bob", "carol"]
    assert_check_clean(data_dir)


def test_a_command_of_several_events_killed_after_the_write_is_recorded_whole(practice, data_dir: Path) -> None:
    result = commit_two_events(data_dir, "journal-written")
    assert result.returncode == -signal.SIGKILL
    assert listed(data_dir) == ["ana", "bob", "carol"]
    assert checked_with_notes(data_dir) == [CHECK_PENDING.format(2)]
    assert run(data_dir, "client", "edit", "ana", "--phone", "+351 912 345 678").returncode == 0
    assert not list((data_dir / "torn").iterdir())
    assert_check_clean(data_dir)


def test_a_write_torn_exactly_at_a_line_end_is_still_moved_aside(practice, data_dir: Path) -> None:
    """Only complete lines written, but the command's last event is missing."""
    journal = data_dir / "journal.jsonl"
    journal_before = journal.read_bytes()
    whole = commit_two_events(data_dir, "journal-partial")
    assert whole.returncode == -signal.SIGKILL
    raw = journal.read_bytes()
    first_line_end = raw.index(b"\n", len(journal_before)) + 1
    with open(journal, "r+b") as handle:
        handle.truncate(first_line_end)
    assert json.loads(journal.read_bytes()[len(journal_before):])["more"] is True

    unfinished = len(journal.read_bytes()) - len(journal_before)
    assert checked_with_notes(data_dir) == [CHECK_TORN.format(unfinished)]

    after = run(data_dir, "client", "edit", "ana", "--phone", "+351 912 345 678")
    assert after.returncode == 0
    assert "torn/journal-" in after.stderr
    assert parse_client_csv(listed_now(data_dir)) == ["ana"]
    assert journal.read_bytes()[: len(journal_before)] == journal_before
    assert_check_clean(data_dir)


def test_only_the_last_event_of_a_command_lacks_the_more_mark(practice, data_dir: Path) -> None:
    result = commit_two_events(data_dir, None)
    assert result.returncode == 0, result.stderr
    events = assert_journal_valid(data_dir, events=5)  # two catalog events (services added) come first
    assert [e.get("more") for e in events] == [None, None, None, True, None]
    # A finished command ends the journal: nothing is moved aside.
    quiet = run(data_dir, "client", "list", "--format", "csv")
    assert (quiet.returncode, quiet.stderr) == (0, "")
    assert_check_clean(data_dir)
