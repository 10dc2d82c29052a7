"""Catalog changes only with their event, reused ids, foreign views, edited journal lines."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from storage_util import assert_check_clean, inproc, run, snapshot

DENIED = "error: no space left on the device holding {}; free some space and run the command again (nothing was changed)\n"


@pytest.fixture
def sold(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    """The practice with package five (five massages) and bruno, who bought it."""
    for args in (("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400",
                  "--expires", "3 months"),
                 ("package", "create", "spare", "--name", "Spare", "--service", "massage=1", "--price", "90"),
                 ("client", "add", "bruno", "--name", "Bruno Costa"), ("sell", "bruno", "five")):
        result = practice(*args)
        assert result.exit_code == 0, (args, result.output)
    return practice


def journal_events(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / "journal.jsonl").read_bytes().splitlines()[1:]]


# -- 2. a catalog file changes only with its recorded event ----------------------------------


@pytest.mark.parametrize("args, relative", [
    (("package", "edit", "five", "--price", "450"), "packages/five.toml"),
    (("service", "add", "yoga", "--name", "Yoga", "--duration", "60", "--price", "20"), "services/yoga.toml"),
    (("package", "delete", "spare"), "packages/spare.toml"),
])
def test_a_failed_journal_write_leaves_the_catalog_file_as_it_was(sold, data_dir: Path, monkeypatch, args, relative) -> None:
    from sessionpack.storage import store
    from sessionpack.storage.fsio import disk_error

    def full(path: str, data: bytes):  # type: ignore[no-untyped-def]
        raise disk_error(path, OSError(errno.ENOSPC, "No space left on device"))

    before = snapshot(data_dir)
    monkeypatch.setattr(store, "append_durably", full)
    result = sold(*args)
    assert (result.exit_code, result.stderr) == (3, DENIED.format(data_dir / "journal.jsonl"))
    assert snapshot(data_dir) == before  # no file written, no temporary file left
    monkeypatch.undo()
    again = sold(*args)  # nothing was changed: the same command now works
    assert again.exit_code == 0, again.output
    assert journal_events(data_dir)[-1]["type"] == "catalog-changed"
    assert journal_events(data_dir)[-1]["file"] == relative
    assert_check_clean(data_dir)


def test_a_command_killed_between_its_journal_write_and_the_file_is_finished_by_the_next(sold, data_dir: Path) -> None:
    killed = run(data_dir, "package", "edit", "five", "--price", "450", env={"SESSIONPACK_TEST_CRASH_AT": "catalog-staged"})
    assert killed.returncode == -9
    text = (data_dir / "packages" / "five.toml").read_text()
    assert 'price = "400.00"' in text  # not yet moved into place
    assert journal_events(data_dir)[-1]["after"].count('price = "450.00"') == 1
    assert len(list((data_dir / "packages").glob(".five.toml.*.tmp"))) == 1
    before = snapshot(data_dir)
    assert inproc(data_dir, "check").returncode == 0  # (a pending event: a note)
    assert inproc(data_dir, "package", "show", "five").returncode == 0
    assert snapshot(data_dir) == before  # readers change nothing
    added = sold("client", "add", "carla", "--name", "Carla")
    assert (added.exit_code, added.stderr) == (0, "")
    assert 'price = "450.00"' in (data_dir / "packages" / "five.toml").read_text()
    assert (data_dir / "packages" / "five.toml").read_text() == journal_events(data_dir)[-2]["after"]
    assert list((data_dir / "packages").glob(".*.tmp")) == []
    assert_check_clean(data_dir)


def test_a_new_file_killed_before_it_is_moved_into_place_is_made_by_check_rebuild(sold, data_dir: Path) -> None:
    killed = run(data_dir, "service", "add", "yoga", "--name", "Yoga", "--duration", "60", "--price", "20",
                 env={"SESSIONPACK_TEST_CRASH_AT": "catalog-staged"})
    assert killed.returncode == -9
    assert not (data_dir / "services" / "yoga.toml").exists()
    rebuilt = run(data_dir, "check", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (data_dir / "services" / "yoga.toml").read_text() == journal_events(data_dir)[-1]["after"]
    assert sorted(p.name for p in (data_dir / "services").iterdir()) == ["massage.toml", "thai.toml", "yoga.toml"]
    assert_check_clean(data_dir)


def test_a_pending_catalog_change_never_overwrites_a_file_edited_since(sold, data_dir: Path) -> None:
    killed = run(data_dir, "package", "edit", "five", "--price", "450", env={"SESSIONPACK_TEST_CRASH_AT": "catalog-staged"})
    assert killed.returncode == -9
    path = data_dir / "packages" / "five.toml"
    edited = path.read_text().replace('price = "400.00"', 'price = "470.00"')
    path.write_text(edited)
    line = len(journal_events(data_dir)) + 1
    added = sold("client", "add", "carla", "--name", "Carla")
    assert added.exit_code == 0
    assert added.stderr == (
        f"warning: packages/five.toml: journal line {line} records a change of this file that was interrupted before "
        "it was written, and the file was edited since; it was left as it is: check it (the change is recorded in "
        "the journal)\n")
    assert path.read_text() == edited


# -- 5. foreign and stale client views -----------------------------------------------------------


FOREIGN = ("error: views/clients/bruno.json:1: is damaged (it is the view of another client); rebuild the views with "
           "'sessionpack check --rebuild'\n")


def test_the_view_of_another_client_under_a_name_is_damage(sold, data_dir: Path) -> None:
    views = data_dir / "views" / "clients"
    (views / "bruno.json").write_bytes((views / "ana.json").read_bytes())
    before = snapshot(data_dir)
    for args in (("balance", "bruno"), ("sell", "bruno", "five")):
        result = sold(*args)
        assert (result.exit_code, result.stderr) == (3, FOREIGN), args
    assert snapshot(data_dir) == before
    assert run(data_dir, "check", "--rebuild").returncode == 0
    assert sold("balance", "bruno").exit_code == 0


def stale_then_book(sold, data_dir: Path, **env: str):  # type: ignore[no-untyped-def]
    view = data_dir / "views" / "clients" / "bruno.json"
    old = view.read_bytes()
    assert sold("book", "bruno", "massage", "2026-11-23T10:00").exit_code == 0
    view.write_bytes(old)  # an older copy put back
    return run(data_dir, "book", "bruno", "massage", "2026-11-24T10:00", env=env)


REUSED = ("journal.jsonl:{line}: event '{start}'... does not fit the events before it (IdTaken: it gives out booking "
          "bruno.b1, which bruno's earlier events gave out already)")


def test_a_booking_id_given_out_again_is_named_by_check_and_never_rebuilt_over(sold, data_dir: Path) -> None:
    booked = stale_then_book(sold, data_dir)
    assert booked.returncode == 0
    raw = (data_dir / "journal.jsonl").read_bytes().splitlines()
    line = len(raw)
    problem = REUSED.format(line=line, start=raw[-1][:60].decode())
    for args in (("check", "--full"), ("check", "--rebuild")):
        result = run(data_dir, *args)
        assert (result.returncode, result.stdout) == (3, f"problem\n{problem}\n"), args
    assert run(data_dir, "check", "--rebuild", "--dry-run").returncode == 3


def test_a_writer_catching_up_on_a_reused_id_stops_before_it_appends(sold, data_dir: Path) -> None:
    assert sold("book", "bruno", "massage", "2026-11-23T10:00").exit_code == 0
    journal = data_dir / "journal.jsonl"
    booked = journal_events(data_dir)[-1]
    again = dict(booked, seq=booked["seq"] + 1, booking=dict(booked["booking"], start="2026-11-24T10:00:00+00:00"))
    with journal.open("ab") as handle:  # a line the views have not taken in, giving out bruno.b1 again
        handle.write(json.dumps(again, separators=(",", ":"), sort_keys=True).encode() + b"\n")
    line = again["seq"] + 1
    before = snapshot(data_dir)
    for args in (("client", "add", "carla", "--name", "Carla"), ("balance", "bruno")):
        result = run(data_dir, *args)
        assert (result.returncode, result.stderr) == (
            3, f"error: journal.jsonl:{line}: does not fit the events before it: it gives out booking bruno.b1, which "
               "bruno's earlier events gave out already; restore the journal from a backup\n"), args
    assert snapshot(data_dir) == before


def test_a_view_whose_counters_give_an_id_again_stops_the_commit(sold, data_dir: Path) -> None:
    assert sold("book", "bruno", "massage", "2026-11-23T10:00").exit_code == 0
    path = data_dir / "views" / "clients" / "bruno.json"
    view = json.loads(path.read_bytes())
    view["counters"]["b"] = 0  # changed by hand
    path.write_text(json.dumps(view, separators=(",", ":"), sort_keys=True) + "\n")
    before = snapshot(data_dir)
    result = sold("book", "bruno", "massage", "2026-11-24T10:00")
    assert (result.exit_code, result.stderr) == (
        3, "error: views/clients/bruno.json:1: is damaged (it gives out booking bruno.b1, which bruno's earlier events "
           "gave out already); rebuild the views with 'sessionpack check --rebuild'\n")
    assert snapshot(data_dir) == before


# -- 3. an edited journal line ------------------------------------------------------------------


EDITED = ("journal.jsonl:{line}: differs from what views/clients/bruno.json recorded of event {seq}: the journal line "
          "was changed; restore the journal from a backup (or, if the change was meant, delete "
          "views/clients/bruno.json and run 'sessionpack check --rebuild', which then takes the line as it is)")


def edit_payment(data_dir: Path, paid: str) -> int:
    journal = data_dir / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if b'"type":"sold"' in line)
    lines[at] = lines[at].replace(b'"paid":"400.00"', f'"paid":"{paid}"'.encode())
    journal.write_bytes(b"".join(lines))
    return at + 1


@pytest.mark.parametrize("paid", ["40.00", "100.00", "4000.00"])
def test_an_edited_journal_line_is_named_and_never_adopted(sold, data_dir: Path, paid: str) -> None:
    line = edit_payment(data_dir, paid)
    problem = EDITED.format(line=line, seq=line - 1)
    before = snapshot(data_dir)
    for args in (("check",), ("check", "--full")):
        result = inproc(data_dir, *args)
        assert result.returncode == 3, args
        assert problem in result.stdout.splitlines(), (args, result.stdout)
    rebuilt = run(data_dir, "check", "--rebuild")
    assert (rebuilt.returncode, rebuilt.stdout) == (3, f"problem\n{problem}\n")
    assert snapshot(data_dir) == before
    # Meant: the client view that recorded the old line is deleted, and the rebuild takes the line.
    (data_dir / "views" / "clients" / "bruno.json").unlink()
    assert run(data_dir, "check", "--rebuild").returncode == 0
    assert_check_clean(data_dir)


def test_a_shorter_edited_line_is_not_called_truncation(sold, data_dir: Path) -> None:
    edit_payment(data_dir, "40.00")
    result = sold("balance", "bruno")
    offset = json.loads((data_dir / "views" / "index.json").read_bytes())["offset"]
    events = len(journal_events(data_dir))
    assert (result.exit_code, result.stderr) == (
        3, f"error: journal.jsonl was changed by hand: it holds every event the views record (to event {events}), but "
           f"they end at byte {offset - 1}, not at byte {offset} where the views recorded their end; 'sessionpack check' "
           "names the line that differs (restore the journal from a backup); nothing was changed\n")


@pytest.mark.parametrize("undone", [False, True])
def test_a_hand_edited_client_package_id_is_named_by_check_not_an_internal_error(sold, data_dir: Path, undone: bool) -> None:
    """A sale whose client package id was broken by hand (``bruno{p1``), alone
    or after an undo (whose replay folds the client again): check names the
    line, exit 3."""
    if undone:
        assert sold("undo", "--last", "--reason", "sold twice").exit_code == 0
        assert sold("sell", "bruno", "five").exit_code == 0
    journal = data_dir / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    [line] = [n for n, raw in enumerate(lines, start=1) if b'"type":"sold"' in raw and b'"bruno.p' in raw][-1:]
    cp = b'"bruno.p2"' if undone else b'"bruno.p1"'
    lines[line - 1] = lines[line - 1].replace(cp, cp.replace(b".", b"{"))
    journal.write_bytes(b"".join(lines))
    problem = (f"journal.jsonl:{line}: event '{lines[line - 1][:60].decode()}'... does not fit the events before it "
               "(IndexError: list index out of range)")
    for args in (("check", "--full"), ("check", "--rebuild")):
        result = run(data_dir, *args)
        assert (result.returncode, result.stdout) == (3, f"problem\n{problem}\n"), (args, result.stderr)
