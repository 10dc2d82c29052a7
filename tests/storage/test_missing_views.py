"""A view file deleted by hand is damage, never "nothing recorded yet": read
as empty, a missing sales count gave invoice numbers out twice, a missing
directory lost every client, and a missing client view made its client
"unknown", so that following the advice added the client a second time."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage_util import assert_check_clean, run
from tree import tree_hash

NOW = "2026-03-02T09:00"
FIX = "rebuild the views with 'sessionpack check --rebuild'"


@pytest.mark.parametrize("missing, args", [
    ("views/sold.json", ("sell", "ana", "physio-10", "--unpaid")),
    ("views/sold.json", ("package", "delete", "physio-10")),
    ("views/directory.json", ("client", "add", "--name", "Ana Lima")),
    ("views/clients/ana.json", ("client", "add", "ana", "--name", "Ana Again")),
    ("views/clients/ana.json", ("balance", "ana")),
    ("views/clients/ana.json", ("sell", "ana", "physio-10")),
], ids=lambda value: value if isinstance(value, str) else " ".join(value))
def test_a_missing_view_is_damage_and_nothing_is_recorded(example: Path, missing: str, args: tuple[str, ...]) -> None:
    (example / missing).unlink()
    before = tree_hash(example)
    done = run(example, *args, now=NOW)
    assert (done.returncode, done.stdout, done.stderr) == (3, "", f"error: {missing}: is missing; {FIX}\n")
    assert tree_hash(example) == before
    assert run(example, "check", "--rebuild", now=NOW).returncode == 0
    assert_check_clean(example)


def test_after_the_rebuild_the_next_invoice_number_is_new(example: Path) -> None:
    (example / "views" / "sold.json").unlink()
    assert run(example, "sell", "ana", "physio-10", now=NOW).returncode == 3
    assert run(example, "check", "--rebuild", now=NOW).returncode == 0
    done = run(example, "sell", "ana", "physio-10", "--unpaid", now=NOW)
    assert done.returncode == 0 and "(invoice 000008," in done.stdout  # seven sales before it


def test_a_practice_without_clients_or_sales_needs_neither_file(tmp_path: Path) -> None:
    root = tmp_path / "new"
    assert run(root, "init", "--name", "New", "--currency", "EUR", "--timezone", "UTC", now=NOW).returncode == 0
    assert run(root, "service", "add", "yoga", "--name", "Yoga", "--duration", "60", "--price", "15", now=NOW).returncode == 0
    assert run(root, "client", "list", now=NOW).returncode == 0
    assert run(root, "client", "add", "zoe", "--name", "Zoe", now=NOW).returncode == 0
    assert_check_clean(root)


@pytest.mark.parametrize("seq", [60, 67, 0])
def test_an_index_whose_seq_is_not_the_journal_s_is_refused_before_anything_is_appended(example: Path, seq: int) -> None:
    import json

    from sessionpack.domain.ledger import VIEW_FORMAT

    index = example / "views" / "index.json"
    offset = json.loads(index.read_bytes())["offset"]
    index.write_text(json.dumps({"format": VIEW_FORMAT, "offset": offset, "seq": seq}))
    before = tree_hash(example)
    done = run(example, "sell", "ana", "physio-10", "--unpaid", now=NOW)  # it would have numbered its events from the index
    assert (done.returncode, done.stdout, done.stderr) == (3, "", f"error: views/index.json:1: is damaged; {FIX}\n")
    assert tree_hash(example) == before
    if seq < 66:  # (an index claiming more events than the journal holds is left to a person: check names it)
        assert run(example, "check", "--rebuild", now=NOW).returncode == 0
        assert_check_clean(example)


@pytest.mark.parametrize("args", [("check",), ("check", "--full"), ("check", "--rebuild"), ("check", "--restore-journal")], ids=" ".join)
def test_check_of_a_data_directory_without_its_journal_says_so(example: Path, args: tuple[str, ...]) -> None:
    (example / "journal.jsonl").unlink()
    before = tree_hash(example)
    done = run(example, *args, now=NOW)
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr == (f"error: journal.jsonl is missing from {example}; restore it from a backup "
                           "(it is the record of every sale and booking)\n")
    assert tree_hash(example) == before


@pytest.mark.parametrize("folder, line, args", [
    ("value", "[1,2,3]", ("report", "liability")),
    ("value", '["2027-01-01","ana","ana.p1","2026-01-01",5,{}]', ("report", "liability", "--as-of", "2026-03-01")),
    ("value", '["b",1,2,3,4,5,6,7,8,9,10]', ("report", "liability", "--by", "package")),
    ("open", '["u","ana","ana.b1",{}]', ("balance",)),
    ("open", '["u","ana","ana.b1",{}]', ("notify", "--dry-run")),
])
def test_a_report_shard_line_of_the_wrong_shape_is_named(example: Path, folder: str, line: str, args: tuple[str, ...]) -> None:
    shard = sorted((example / "views" / folder).glob("*.jsonl"))[0]
    number = len(shard.read_bytes().splitlines()) + 1
    with shard.open("a") as handle:
        handle.write(line + "\n")
    before = tree_hash(example)
    done = run(example, *args, now=NOW)
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr in (f"error: views/{folder}/{shard.name}:{number}: is damaged; {FIX}\n",
                           f"error: views/{folder}/{shard.name}: is damaged; {FIX}\n")  # (an open shard a command read whole)
    assert tree_hash(example) == before


@pytest.mark.parametrize("name, args, code", [("packages/physio-10.toml", ("package", "list"), 2), ("settings.toml", ("balance",), 3)])
def test_a_toml_file_saved_with_a_byte_order_mark_says_so(example: Path, name: str, args: tuple[str, ...], code: int) -> None:
    path = example / name
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    before = tree_hash(example)
    done = run(example, *args, now=NOW)
    assert (done.returncode, done.stdout) == (code, "")
    assert done.stderr == f'error: {name}:1: starts with a byte-order mark; save it as UTF-8 without one (not "UTF-8 with BOM")\n'
    assert tree_hash(example) == before
