"""Damage anywhere but a torn last line stops the program, names file and line, writes nothing."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from tree import tree_hash
from storage_util import assert_check_clean, assert_journal_valid, cli, inproc, parse_client_csv, run, snapshot, view_files

REBUILD_HINT = "rebuild the views with 'sessionpack check --rebuild'"


def add_clients(practice, *ids: str) -> None:  # type: ignore[no-untyped-def]
    for cid in ids:
        result = practice("client", "add", cid, "--name", f"Client {cid}", "--tag", "regular")
        assert result.exit_code == 0, result.output


def problems(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["problem"] for row in json.loads(result.stdout)]


# -- the journal ---------------------------------------------------------------


def test_garbage_line_in_the_middle_of_the_journal(practice, data_dir: Path) -> None:
    add_clients(practice, "bob", "carol")
    journal = data_dir / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(b"".join(lines[:2] + [b"this is not json\n"] + lines[2:]))
    before = snapshot(data_dir)

    checked = inproc(data_dir, "check", "--format", "json")
    assert checked.returncode == 3
    assert problems(checked) == [
        "journal.jsonl:3: is not valid JSON; the journal is damaged: restore it from a backup (views are rebuilt from it)"
    ]
    assert checked.stderr == f"error: 1 problem(s) found in {data_dir}\n"

    # Other commands stop too, name the right line, and write nothing.
    for args in (["client", "add", "dan", "--name", "Dan"], ["client", "list", "--format", "csv"], ["check", "--rebuild"]):
        result = cli(data_dir, *args)
        assert result.returncode == 3, args
        assert "journal.jsonl:3: is not valid JSON" in result.stdout + result.stderr, args
    assert snapshot(data_dir) == before

    # Once the journal is restored, all is well again.
    journal.write_bytes(b"".join(lines))
    assert_check_clean(data_dir)


def test_a_byte_that_is_not_utf8_inside_an_event_is_named_by_the_full_replay(practice, data_dir: Path) -> None:
    # The full replay reads most lines through the bulk engine's field
    # reader, which skips the strings it does not need: the line is still
    # read as json reads it, and refused as json refuses it.
    add_clients(practice, "bob", "carol", "dan")
    journal = data_dir / "journal.jsonl"
    raw = journal.read_bytes()
    changed = raw.replace(b'"Client carol"', b'"Client c\xffrol"')
    assert changed != raw and len(changed) == len(raw)
    line = raw[:raw.index(b'"Client carol"')].count(b"\n") + 1
    assert line > 2
    journal.write_bytes(changed)
    before = snapshot(data_dir)
    for args in (["check", "--full", "--format", "json"], ["check", "--rebuild", "--format", "json"]):
        checked = inproc(data_dir, *args)
        assert checked.returncode == 3, args
        assert problems(checked) == [
            f"journal.jsonl:{line}: is not valid JSON; the journal is damaged: restore it from a backup (views are rebuilt from it)"
        ], args
    assert snapshot(data_dir) == before


def test_event_with_a_wrong_seq_is_named_by_check(practice, data_dir: Path) -> None:
    add_clients(practice, "bob")
    journal = data_dir / "journal.jsonl"
    raw = journal.read_bytes()
    changed = raw.replace(b'"seq":2,', b'"seq":7,')
    assert changed != raw and len(changed) == len(raw)
    journal.write_bytes(changed)
    before = snapshot(data_dir)
    checked = inproc(data_dir, "check", "--format", "json")
    assert checked.returncode == 3
    assert problems(checked) == ["journal.jsonl:3: has seq 7 where 2 was expected; restore the journal from a backup"]
    assert snapshot(data_dir) == before


def test_journal_shorter_than_the_views_is_refused_by_every_command_and_restored(practice, data_dir: Path) -> None:
    add_clients(practice, "bob", "carol")
    journal = data_dir / "journal.jsonl"
    recorded = journal.read_bytes()
    lines = recorded.splitlines(keepends=True)
    balance_before = cli(data_dir, "client", "show", "carol", "--format", "json").stdout
    # As 'truncate -s -100 journal.jsonl': the end of carol's acknowledged event is gone.
    journal.write_bytes(recorded[:-100])
    assert 100 < len(lines[-1])
    keep = len(recorded) - len(lines[-1])
    message = (f"journal.jsonl ends at byte {keep}, before the end of the events the views record (byte {len(recorded)}, "
               f"event {len(lines) - 1}): recorded events are missing from it (it was truncated or replaced). Restore it "
               "from a backup, or put back the copies the client views keep with 'sessionpack check --restore-journal' "
               "(then 'sessionpack check --full'); nothing was changed")
    before = tree_hash(data_dir)
    for args in (["client", "show", "ana"], ["client", "add", "dora", "--name", "Dora"], ["balance"]):
        result = cli(data_dir, *args)
        assert (result.returncode, result.stdout, result.stderr) == (3, "", f"error: {message}\n"), args
        assert tree_hash(data_dir) == before, args
    checked = cli(data_dir, "check", "--format", "json")
    assert checked.returncode == 3 and json.loads(checked.stdout) == [{"problem": message}]
    rebuilt = run(data_dir, "check", "--rebuild")  # would drop carol from the views: refused
    assert rebuilt.returncode == 3
    assert json.loads(run(data_dir, "check", "--rebuild", "--format", "json").stdout) == [{"problem": (
        f"journal.jsonl ends at event {len(lines) - 2} but the views record events up to {len(lines) - 1}: a rebuild would "
        f"drop events {len(lines) - 1} to {len(lines) - 1} from the views. Restore the journal from a backup, or put back "
        "the copies the client views keep with 'sessionpack check --restore-journal'")}]
    refused = run(data_dir, "check", "--rebuild", "--dry-run")  # a dry run is refused alike
    assert (refused.returncode, refused.stderr) == (3, f"warning: dry run: nothing was recorded\nerror: 1 problem(s) found in {data_dir}\n")
    assert refused.stdout == rebuilt.stdout
    assert tree_hash(data_dir) == before
    # The client views keep a copy of every event: the journal gets them back, byte for byte.
    dry = run(data_dir, "check", "--restore-journal", "--dry-run")
    assert (dry.returncode, dry.stderr) == (0, "warning: dry run: nothing was recorded\n")
    assert dry.stdout == (f"Would restore 1 event ({len(lines) - 1} to {len(lines) - 1}) to journal.jsonl from the copies the "
                          f"client views keep; the {len(lines[-1]) - 100} bytes left of the cut event would be moved to torn/\n")
    assert tree_hash(data_dir) == before
    restored = run(data_dir, "check", "--restore-journal")
    assert (restored.returncode, restored.stderr) == (0, "")
    (aside,) = (data_dir / "torn").iterdir()
    assert restored.stdout == (f"Restored 1 event ({len(lines) - 1} to {len(lines) - 1}) to journal.jsonl from the copies the "
                               f"client views keep; the {len(lines[-1]) - 100} bytes left of the cut event were moved to "
                               f"torn/{aside.name}\nNo problems found\n")
    assert journal.read_bytes() == recorded
    assert aside.read_bytes() == lines[-1][:-100]
    assert cli(data_dir, "client", "show", "carol", "--format", "json").stdout == balance_before
    assert_check_clean(data_dir)
    again = run(data_dir, "check", "--restore-journal")
    assert again.stdout.startswith("the journal holds every event the views record; nothing to restore\n")


def test_a_journal_restore_needs_a_copy_of_every_lost_event(practice, data_dir: Path) -> None:
    add_clients(practice, "bob", "carol")
    journal = data_dir / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(b"".join(lines[:-2]))  # bob's and carol's events
    (data_dir / "views" / "clients" / "bob.json").unlink()
    before = tree_hash(data_dir)
    result = run(data_dir, "check", "--restore-journal")
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr == (f"error: cannot restore events {len(lines) - 2} to {len(lines) - 1} from the client views: no "
                             f"client view keeps a copy of event {len(lines) - 2}; restore the journal from a backup "
                             "(nothing was changed)\n")
    assert tree_hash(data_dir) == before


def test_missing_journal_is_refused_never_read_as_empty(practice, data_dir: Path) -> None:
    (data_dir / "journal.jsonl").unlink()
    before = snapshot(data_dir)
    for args in (["client", "add", "bob", "--name", "Bob"], ["client", "list"]):
        result = cli(data_dir, *args)
        assert result.returncode == 3, args
        assert result.stderr.startswith(f"error: journal.jsonl is missing from {data_dir}; restore it from a backup")
    assert snapshot(data_dir) == before


# -- the views -----------------------------------------------------------------


def test_damaged_client_view(practice, data_dir: Path) -> None:
    add_clients(practice, "bob")
    view = data_dir / "views" / "clients" / "ana.json"
    view.write_bytes(view.read_bytes()[:40])
    before = snapshot(data_dir)

    message = f"error: views/clients/ana.json:1: is damaged; {REBUILD_HINT}\n"
    for args in (["client", "show", "ana"], ["client", "edit", "ana", "--name", "Ana Maria"]):
        result = cli(data_dir, *args)
        assert (result.returncode, result.stderr, result.stdout) == (3, message, ""), args
    checked = inproc(data_dir, "check", "--format", "json")
    assert checked.returncode == 3
    assert problems(checked) == ["views/clients/ana.json:1: differs from what the journal implies; run 'sessionpack check --rebuild'"]
    assert snapshot(data_dir) == before
    dry = run(data_dir, "check", "--rebuild", "--dry-run")
    assert (dry.returncode, dry.stderr) == (0, "warning: dry run: nothing was recorded\n")
    assert dry.stdout == ("A rebuild would make 4 view files from the journal: 1 to write (they differ from the files on disk, "
                          "or are missing), 0 to remove (no event makes them)\n")
    assert snapshot(data_dir) == before

    rebuilt = run(data_dir, "check", "--rebuild")
    assert (rebuilt.returncode, rebuilt.stderr) == (0, "")
    assert rebuilt.stdout == "Rebuilt 4 view files from the journal\n"
    after = snapshot(data_dir)
    assert run(data_dir, "check", "--rebuild", "--dry-run").stdout == \
        "The 4 view files already are what the journal implies: a rebuild would change nothing\n"
    assert snapshot(data_dir) == after
    shown = inproc(data_dir, "client", "show", "ana", "--format", "json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["name"] == "Ana Lima"
    assert_check_clean(data_dir)


@pytest.mark.parametrize("name", ["directory.json", "index.json"])
def test_damaged_small_view(practice, data_dir: Path, name: str) -> None:
    (data_dir / "views" / name).write_bytes(b'{"format":1,')
    before = snapshot(data_dir)
    for args in (["client", "list", "--format", "csv"], ["client", "add", "bob", "--name", "Bob"]):
        result = cli(data_dir, *args)
        assert result.returncode == 3, args
        assert result.stderr == f"error: views/{name}:1: is damaged; {REBUILD_HINT}\n", args
    assert snapshot(data_dir) == before
    rebuilt = inproc(data_dir, "check", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert_check_clean(data_dir)


def test_damaged_index_does_not_leave_the_lock_held(practice, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In one process: a reader that fails on a damaged view must release its lock."""
    monkeypatch.setenv("SESSIONPACK_LOCK_TIMEOUT", "0.3")
    (data_dir / "views" / "index.json").write_bytes(b"{")
    failed = practice("client", "list")
    assert failed.exit_code == 3
    assert failed.stderr == f"error: views/index.json:1: is damaged; {REBUILD_HINT}\n"
    rebuilt = practice("check", "--rebuild")
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert practice("client", "add", "bob", "--name", "Bob").exit_code == 0


def test_rebuild_after_deleting_every_view_is_byte_for_byte(practice, data_dir: Path) -> None:
    add_clients(practice, "bob", "carol", "dan")
    assert practice("client", "edit", "bob", "--email", "bob@example.com", "--tag", "vip").exit_code == 0
    assert practice("client", "edit", "carol", "--untag", "regular").exit_code == 0
    # One more write goes through a crash and the repair at the next start.
    killed = run(data_dir, "client", "add", "erin", "--name", "Erin", env={"SESSIONPACK_TEST_CRASH_AT": "view-written"})
    assert killed.returncode == -signal.SIGKILL
    assert run(data_dir, "client", "edit", "erin", "--tag", "new").returncode == 0
    assert_journal_valid(data_dir, events=10)  # two catalog events (services added) come first

    before = view_files(data_dir)
    assert "clients/erin.json" in before and "index.json" in before and "directory.json" in before
    for here, _dirs, files in os.walk(data_dir / "views"):
        for name in files:
            os.unlink(os.path.join(here, name))
    assert sorted(os.listdir(data_dir / "views")) == ["clients"]
    assert os.listdir(data_dir / "views" / "clients") == []

    rebuilt = run(data_dir, "check", "--rebuild")
    assert (rebuilt.returncode, rebuilt.stderr) == (0, "")
    assert rebuilt.stdout == f"Rebuilt {len(before)} view files from the journal\n"
    assert view_files(data_dir) == before
    assert_check_clean(data_dir)
    listed = inproc(data_dir, "client", "list", "--format", "csv")
    assert parse_client_csv(listed.stdout) == ["ana", "bob", "carol", "dan", "erin"]


def test_stray_view_is_reported_and_removed_by_rebuild(practice, data_dir: Path) -> None:
    stray = data_dir / "views" / "clients" / "ghost.json"
    stray.write_bytes(b"{}\n")
    checked = inproc(data_dir, "check", "--format", "json")
    assert checked.returncode == 3
    assert problems(checked) == ["views/clients/ghost.json: no event in the journal makes this view; run 'sessionpack check --rebuild'"]
    before = tree_hash(data_dir)
    dry = inproc(data_dir, "check", "--rebuild", "--dry-run")
    assert dry.returncode == 0 and dry.stdout.endswith(": 0 to write (they differ from the files on disk, or are missing), "
                                                       "1 to remove (no event makes them)\n")
    assert tree_hash(data_dir) == before
    assert inproc(data_dir, "check", "--rebuild").returncode == 0
    assert not stray.exists()
    assert_check_clean(data_dir)


def test_a_rebuild_dry_run_says_what_it_would_move_aside_and_changes_nothing(practice, data_dir: Path) -> None:
    add_clients(practice, "bob")
    journal = data_dir / "journal.jsonl"
    cut = b'{"at":"2026-11-20T09:00:00+00:00","clients":["bob"],"more"'
    journal.write_bytes(journal.read_bytes() + cut)
    before = tree_hash(data_dir)
    dry = run(data_dir, "check", "--rebuild", "--dry-run")
    assert (dry.returncode, dry.stderr) == (0, "warning: dry run: nothing was recorded\n")
    assert dry.stdout == ("A rebuild would make 4 view files from the journal: 0 to write (they differ from the files on disk, "
                          f"or are missing), 0 to remove (no event makes them); the {len(cut)} bytes of an interrupted command at "
                          "the end of the journal would be moved to torn/\n")
    assert tree_hash(data_dir) == before
    assert run(data_dir, "check", "--rebuild").returncode == 0
    assert [p.read_bytes() for p in (data_dir / "torn").iterdir()] == [cut]


# -- format versions -------------------------------------------------------------


def test_settings_of_a_newer_format_are_refused(practice, data_dir: Path) -> None:
    settings = data_dir / "settings.toml"
    settings.write_text(settings.read_text().replace("format = 1", "format = 2", 1))
    before = snapshot(data_dir)
    for args in (["client", "list"], ["client", "add", "bob", "--name", "Bob"], ["check"], ["check", "--rebuild"]):
        result = cli(data_dir, *args)
        assert result.returncode == 3, args
        assert result.stderr == (
            "error: settings.toml: this data directory has format 2, written by a newer sessionpack; "
            "this version reads format 1: upgrade sessionpack\n"
        ), args
    assert snapshot(data_dir) == before


def test_journal_of_a_newer_format_is_refused(practice, data_dir: Path) -> None:
    journal = data_dir / "journal.jsonl"
    raw = journal.read_bytes()
    newer = raw.replace(b'{"format":1,"journal":"sessionpack","seq":0}', b'{"format":2,"journal":"sessionpack","seq":0}', 1)
    assert newer != raw
    journal.write_bytes(newer)
    before = snapshot(data_dir)
    message = "journal.jsonl:1: was written by a newer sessionpack (format 2); this one reads format 1; upgrade sessionpack"
    checked = inproc(data_dir, "check", "--format", "json")
    assert checked.returncode == 3
    assert problems(checked) == [message]
    # A writing command never appends to it.
    added = run(data_dir, "client", "add", "bob", "--name", "Bob")
    assert (added.returncode, added.stderr) == (3, f"error: {message}\n")
    assert snapshot(data_dir) == before


def test_views_of_a_newer_format_are_refused(practice, data_dir: Path) -> None:
    from sessionpack.domain.ledger import VIEW_FORMAT

    index = data_dir / "views" / "index.json"
    data = json.loads(index.read_bytes())
    data["format"] = VIEW_FORMAT + 1
    index.write_text(json.dumps(data))
    before = snapshot(data_dir)
    result = inproc(data_dir, "client", "list")
    assert result.returncode == 3
    assert result.stderr == "error: views/index.json was written by a newer sessionpack; upgrade sessionpack\n"
    assert snapshot(data_dir) == before
