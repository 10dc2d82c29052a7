"""The practice-wide index of sale references (views/refs): what it holds,
that one small file answers for a reference, and that check and rebuild
treat it like the other shards (issue 12 item 2)."""

from __future__ import annotations

import json
import shutil
import zlib
from pathlib import Path

import pytest
import tomli_w

from sessionpack.storage.shards import ref_holders


def read_from(data_dir: Path):  # type: ignore[no-untyped-def]
    """A reader of view files (relative paths), as ``Store.view_bytes``."""
    def read(name: str) -> bytes | None:
        path = data_dir / name
        return path.read_bytes() if path.exists() else None

    return read
from storage_util import assert_check_clean, inproc, run, view_files

FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}
HINT = "differs from what the journal implies; run 'sessionpack check --rebuild'"


def ok(result) -> str:  # type: ignore[no-untyped-def]
    code = getattr(result, "exit_code", getattr(result, "returncode", None))
    assert (code, result.stderr) == (0, ""), (result.stdout, result.stderr)
    return result.stdout


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    (data_dir / "packages" / "five.toml").write_text(tomli_w.dumps(FIVE), encoding="utf-8")
    ok(practice("client", "add", "bob", "--name", "Bob Reis"))
    return practice


def shard_of(ref: str) -> str:
    return f"views/refs/{zlib.crc32(ref.encode()) & 0xFF:02x}.json"


def test_the_index_holds_each_reference_and_its_sale(shop, data_dir: Path) -> None:
    ok(shop("sell", "ana", "five", "--ref", "shop-1042", "--date", "2026-11-01"))
    ok(shop("sell", "bob", "five", "--ref", "shop-1043", "--price", "350", "--invoice", "F-9"))
    ok(shop("sell", "bob", "five"))  # no reference: not in the index
    assert json.loads((data_dir / shard_of("shop-1042")).read_bytes()) == {"refs": {"shop-1042": [
        ["ana", "ana.p1", {"client": "ana", "date": "2026-11-01", "invoice": "000001", "package": "five", "price": "400.00"}]]}}
    assert ref_holders(read_from(data_dir), ["shop-1043", "shop-9"]) == {"shop-1043": [
        ["bob", "bob.p1", {"client": "bob", "date": "2026-11-20", "invoice": "F-9", "package": "five", "price": "350.00"}]]}
    assert sorted(p.name for p in (data_dir / "views" / "refs").iterdir()) == sorted(
        {shard_of("shop-1042").rsplit("/", 1)[1], shard_of("shop-1043").rsplit("/", 1)[1]})
    # One small file answers, without the client views.
    shutil.rmtree(data_dir / "views" / "clients")
    assert list(ref_holders(read_from(data_dir), ["shop-1042"])["shop-1042"][0][:2]) == ["ana", "ana.p1"]


def test_rebuild_makes_the_same_index_and_check_compares_it(shop, data_dir: Path) -> None:
    for client, ref in (("ana", "a-1"), ("bob", "b-1"), ("ana", "a-2")):
        ok(shop("sell", client, "five", "--ref", ref))
    before = view_files(data_dir)
    shutil.rmtree(data_dir / "views" / "refs")
    checked = inproc(data_dir, "check", "--format", "json")
    assert sorted(row["problem"] for row in json.loads(checked.stdout)) == sorted(
        f"{shard_of(ref)}: missing; run 'sessionpack check --rebuild'" for ref in ("a-1", "b-1", "a-2"))
    assert inproc(data_dir, "check", "--rebuild").returncode == 0
    assert view_files(data_dir) == before
    name = shard_of("b-1")
    (data_dir / name).write_bytes((data_dir / name).read_bytes().replace(b'"price":"400.00"', b'"price":"1.00"'))
    checked = inproc(data_dir, "check", "--format", "json")
    assert [row["problem"] for row in json.loads(checked.stdout)] == [f"{name}:1: {HINT}"]


def test_a_damaged_reference_shard_stops_a_sale_with_that_reference(shop, data_dir: Path) -> None:
    ok(shop("sell", "ana", "five", "--ref", "shop-1"))
    name = shard_of("shop-1")
    (data_dir / name).write_bytes(b'{"refs":')
    sale = run(data_dir, "sell", "bob", "five", "--ref", "shop-1")
    assert (sale.returncode, sale.stdout) == (3, "")
    assert sale.stderr == f"error: {name}:1: is damaged; rebuild the views with 'sessionpack check --rebuild'\n"
    assert inproc(data_dir, "check", "--rebuild").returncode == 0
    refused = run(data_dir, "sell", "bob", "five", "--ref", "shop-1")
    assert refused.returncode == 1
    assert_check_clean(data_dir)


def test_a_reference_held_twice_before_it_was_unique(shop, data_dir: Path) -> None:
    """Sales recorded when references were unique per client only may share
    one: a new sale under it matches either, or is refused naming the first."""
    journal = data_dir / "journal.jsonl"
    ok(shop("sell", "ana", "five", "--ref", "old-7"))
    ok(shop("sell", "bob", "five", "--ref", "old-8"))
    journal.write_bytes(journal.read_bytes().replace(b'"reference":"old-8"', b'"reference":"old-7"'))
    (data_dir / "views" / "clients" / "bob.json").unlink()  # the edit meant: the documented way to take it in
    assert inproc(data_dir, "check", "--rebuild").returncode == 0
    holders = ref_holders(read_from(data_dir), ["old-7"])["old-7"]
    assert [h[:2] for h in holders] == [["ana", "ana.p1"], ["bob", "bob.p1"]]
    assert ok(shop("sell", "bob", "five", "--ref", "old-7")) == "Unchanged: reference 'old-7' is already recorded as bob.p1\n"
    refused = shop("sell", "ana", "five", "--ref", "old-7", "--price", "1")
    assert (refused.exit_code, refused.stderr) == (1, "error: reference 'old-7' is already recorded as ana.p1 with other "
                                                      "details (price 400.00, not 1.00); if this is another sale, give it its own reference\n")
