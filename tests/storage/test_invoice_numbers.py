"""An invoice number given by hand is one client's, on one day.

Before the index of invoice numbers, ``sell --invoice 000001`` and an
``invoice`` cell recorded a number the practice had already given another
client's sale, without a word: four sales under one invoice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sessionpack.domain import invoices
from storage_util import assert_check_clean, run
from tree import tree_hash

NOW = "2026-03-02T09:00"
# data-example: carla.p1 was sold on 2026-01-10 with invoice 000003 (and a reference, gift-voucher-017)
TAKEN = ("error: invoice '000003' is already carla's, for carla.p1 sold on 2026-01-10; one invoice is for one client on one "
         "day: give another number, or leave it out for the next number of the series\n")


@pytest.mark.parametrize("args", [
    ("sell", "bruno", "credit-300", "--invoice", "000003"),
    ("sell", "carla", "credit-300", "--invoice", "000003"),  # carla's, but on another day
    ("assign", "bruno", "credit-300", "--invoice", "000003"),
], ids=" ".join)
def test_a_number_of_another_client_or_day_is_refused(example: Path, args: tuple[str, ...]) -> None:
    before = tree_hash(example)
    done = run(example, *args, now=NOW)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", TAKEN)
    assert tree_hash(example) == before


def test_another_package_of_the_same_client_and_day_goes_on_the_same_invoice(example: Path) -> None:
    done = run(example, "sell", "carla", "massage-trio", "--invoice", "000003", "--date", "2026-01-10", now=NOW)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Sold massage-trio to carla: carla.p2 (invoice 000003, ")
    done = run(example, "sell", "bruno", "credit-300", "--invoice", "A-1", now=NOW)
    assert done.returncode == 0, done.stderr
    again = run(example, "sell", "bruno", "massage-trio", "--invoice", "A-1", now=NOW)
    assert again.returncode == 0, again.stderr
    assert_check_clean(example)
    assert run(example, "check", "--full", now=NOW).stdout == "No problems found\n"


def test_a_file_is_refused_whole_for_a_number_taken_in_the_practice_or_in_the_file(example: Path, tmp_path: Path) -> None:
    sales = tmp_path / "sales.csv"
    sales.write_text("client,package,ref,invoice\n"
                     "ana,credit-300,r-1,INV-9\n"
                     "ana,massage-trio,r-2,INV-9\n"  # the same client and day: the same invoice
                     "bruno,credit-300,r-3,INV-9\n"
                     "eva,credit-300,r-4,000003\n", encoding="utf-8")
    before = tree_hash(example)
    done = run(example, "sell", "--csv", str(sales), now=NOW)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{sales}:4:invoice: " + invoices.in_file_elsewhere("INV-9", 2),
        f"{sales}:5:invoice: " + TAKEN[len("error: "):-1],
        f"error: 2 problems in {sales}; nothing was recorded: fix them and run the command again",
    ]
    assert tree_hash(example) == before


def test_a_number_is_free_again_once_its_sale_is_undone(example: Path) -> None:
    assert run(example, "sell", "bruno", "credit-300", "--invoice", "B-7", now=NOW).returncode == 0
    assert run(example, "sell", "ana", "credit-300", "--invoice", "B-7", now=NOW).returncode == 1
    assert run(example, "undo", "--last", "--reason", "wrong client", "--yes", now=NOW).returncode == 0
    done = run(example, "sell", "ana", "credit-300", "--invoice", "B-7", now=NOW)
    assert done.returncode == 0, done.stderr
    assert_check_clean(example)


def test_the_index_holds_the_practice_s_own_sales_only(example: Path) -> None:
    assert run(example, "check", "--rebuild", now=NOW).returncode == 0
    index: dict[str, list[list[object]]] = {}
    for shard in sorted((example / "views" / "invoices").iterdir()):
        index.update(json.loads(shard.read_bytes())["invoices"])
    assert index["000003"] == [["carla", "carla.p1", {"date": "2026-01-10"}]]
    assert sorted(index) == ["000001", "000002", "000003", "000004", "000005", "000006", "000007"]
