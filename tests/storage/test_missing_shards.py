"""A shard file deleted (or added) by hand is damage, never "nothing there".

A shard file exists only while it has an entry, so before the index
counted them a deleted ``refs/`` file let a reference be sold twice, a
deleted day file let a time be booked twice, and a deleted ``open/`` file
hid packages from the whole-practice balance and from ``notify``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sessionpack.storage import inventory
from storage_util import assert_check_clean, run
from tree import tree_hash

NOW = "2026-03-02T09:00"


def refused(folder: str, found: int, recorded: int) -> str:
    return (f"error: views/{folder}/ holds {found} file(s) where views/index.json records {recorded}: view files were "
            "deleted or added by hand; rebuild the views with 'sessionpack check --rebuild' (nothing was changed)\n")


def recorded_counts(root: Path) -> dict[str, int]:
    return json.loads((root / "views" / "index.json").read_bytes())["files"]


@pytest.mark.parametrize("gone, args, folder, found", [
    ("refs/35.json", ("sell", "bruno", "credit-300", "--ref", "gift-voucher-017"), "refs", 0),  # the reference of carla.p1
    ("days/2026-03-03.jsonl", ("book", "bruno", "massage-60", "2026-03-03T10:00"), "days", 23),  # over ana.b5
    ("days/2026-03-03.jsonl", ("report", "bookings"), "days", 23),
    ("open/67.jsonl", ("balance",), "open", 4),
    ("open/67.jsonl", ("notify", "--dry-run"), "open", 4),
    ("pending/67.jsonl", ("report", "outstanding"), "pending", 4),
    ("value/67.jsonl", ("report", "liability"), "value", 3),
], ids=lambda value: value if isinstance(value, str) else " ".join(value) if isinstance(value, tuple) else None)
def test_a_deleted_shard_file_is_damage_and_nothing_is_recorded(example: Path, gone: str, args: tuple[str, ...],
                                                                folder: str, found: int) -> None:
    (example / "views" / gone).unlink()
    before = tree_hash(example)
    done = run(example, *args, now=NOW)
    assert (done.returncode, done.stdout, done.stderr) == (3, "", refused(folder, found, found + 1))
    assert tree_hash(example) == before
    checked = run(example, "check", now=NOW)
    assert checked.returncode == 3 and f"views/{gone}: missing; run 'sessionpack check --rebuild'" in checked.stdout
    assert run(example, "check", "--rebuild", now=NOW).returncode == 0
    assert_check_clean(example)
    assert run(example, *args, now=NOW).returncode != 3


def test_the_reference_is_not_sold_twice_after_the_rebuild(example: Path) -> None:
    (example / "views" / "refs" / "35.json").unlink()
    assert run(example, "sell", "bruno", "credit-300", "--ref", "gift-voucher-017", now=NOW).returncode == 3
    assert run(example, "check", "--rebuild", now=NOW).returncode == 0
    again = run(example, "sell", "bruno", "credit-300", "--ref", "gift-voucher-017", now=NOW)
    assert again.returncode == 1 and "gift-voucher-017" in again.stderr and "carla.p1" in again.stderr


def test_a_shard_file_added_by_hand_is_damage_too(example: Path) -> None:
    shutil.copy(example / "views" / "open" / "67.jsonl", example / "views" / "open" / "68.jsonl")
    before = tree_hash(example)
    done = run(example, "balance", now=NOW)
    assert (done.returncode, done.stderr) == (3, refused("open", 6, 5))
    assert tree_hash(example) == before


def test_new_shard_files_and_files_that_empty_keep_the_count_true(example: Path) -> None:
    steps = [
        ("sell", "bruno", "massage-trio", "--ref", "R-1"),  # a new refs shard
        ("book", "bruno", "massage-60", "2026-03-06T10:00"),  # a new day file
        ("book", "eva", "massage-60", "2026-03-06T12:00"),
        ("undo", "c69", "--yes", "--reason", "test"),
        ("undo", "c68", "--yes", "--reason", "test"),  # the day file empties: it goes
        ("undo", "c67", "--yes", "--reason", "test"),  # and the refs shard
    ]
    for args in steps:
        done = run(example, *args, now=NOW)
        assert done.returncode == 0, (args, done.stderr)
        assert recorded_counts(example) == inventory.counts(str(example)), args
    assert not (example / "views" / "days" / "2026-03-06.jsonl").exists()
    assert recorded_counts(example)["refs"] == 1
    assert_check_clean(example)


@pytest.mark.parametrize("point", ["shard-written", "view-written", "before-index"])
def test_after_a_crash_the_repair_counts_the_files_on_disk(example: Path, point: str) -> None:
    killed = run(example, "sell", "bruno", "massage-trio", "--ref", "R-2", now=NOW, env={"SESSIONPACK_TEST_CRASH_AT": point})
    assert killed.returncode < 0
    assert run(example, "balance", now=NOW).returncode == 0  # a read folds the tail in memory and trusts no count
    assert run(example, "client", "add", "zoe", "--name", "Zoe", now=NOW).returncode == 0  # the repair
    assert recorded_counts(example) == inventory.counts(str(example))
    assert_check_clean(example)


@pytest.mark.parametrize("files", [None, {"open": 5}, {**dict.fromkeys(inventory.FOLDERS, 1), "open": -1},
                                   {**dict.fromkeys(inventory.FOLDERS, 1), "open": True}])
def test_an_index_with_damaged_counts_is_damaged(example: Path, files: object) -> None:
    index = example / "views" / "index.json"
    data = json.loads(index.read_bytes())
    data["files"] = files
    index.write_text(json.dumps(data), encoding="utf-8")
    before = tree_hash(example)
    done = run(example, "balance", "ana", now=NOW)
    assert (done.returncode, done.stderr) == (
        3, "error: views/index.json:1: is damaged; rebuild the views with 'sessionpack check --rebuild'\n")
    assert tree_hash(example) == before


def test_the_counts_of_a_set_of_files() -> None:
    assert inventory.key_of("views/refs/19.json") == "refs"
    assert inventory.key_of("views/days/2026-03-03.jsonl") == "days"
    assert inventory.key_of("views/refs/.19.json.tmp") is None
    assert inventory.key_of("views/clients/ana.json") is None
    assert inventory.key_of("views/open/67.json") is None  # (open shards are .jsonl)
    assert inventory.tally(["views/refs/19.json", "views/open/67.jsonl", "views/clients/ana.json"]) == {
        "codes": 0, "days": 0, "invoices": 0, "open": 1, "pending": 0, "refs": 1, "value": 0}
    before = {"codes": 1, "days": 2, "invoices": 0, "open": 1, "pending": 0, "refs": 1, "value": 0}
    files = {"views/days/2026-01-01.jsonl": b"x", "views/days/2026-01-02.jsonl": None, "views/refs/19.json": b"y",
             "views/open/00.jsonl": None}
    existed = {"views/days/2026-01-01.jsonl": False, "views/days/2026-01-02.jsonl": True, "views/refs/19.json": True,
               "views/open/00.jsonl": False}
    assert inventory.moved(before, files, existed) == {"codes": 1, "days": 2, "invoices": 0, "open": 1, "pending": 0, "refs": 1,
                                                       "value": 0}
    existed["views/days/2026-01-02.jsonl"] = False
    assert inventory.moved(before, files, existed)["days"] == 3
