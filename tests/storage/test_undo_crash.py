"""An undo killed while it writes its views is repaired by the next command
that writes, as any other command: the sales count, which an undo moves by
what it took back, included (it was left counting the undone sales when
the client views held the undo already)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storage_util import assert_check_clean, run

EXAMPLE = Path(__file__).resolve().parents[2] / "data-example"
NOW = "2026-03-02T09:00"


@pytest.mark.parametrize("point", ["journal-written", "shard-written", "view-written", "small-view-written"])
def test_a_killed_undo_of_sales_is_repaired_with_the_sales_count(tmp_path: Path, point: str) -> None:
    root, healthy = tmp_path / "practice", tmp_path / "healthy"
    shutil.copytree(EXAMPLE, root)
    shutil.copytree(EXAMPLE, healthy)
    rows = "".join(f"c{n},Client {n},physio-10,u-{n}\n" for n in range(40))
    sales = tmp_path / "sales.csv"
    sales.write_text("client,name,package,ref\n" + rows)
    for where in (root, healthy):
        assert run(where, "sell", "--csv", str(sales), "--create-clients", now=NOW).returncode == 0
        assert run(where, "sell", "ana", "physio-10", now=NOW).returncode == 0
    killed = run(root, "undo", "--last", "--reason", "x", "--yes", env={"SESSIONPACK_TEST_CRASH_AT": point}, now=NOW)
    assert killed.returncode == -9
    assert run(healthy, "undo", "--last", "--reason", "x", "--yes", now=NOW).returncode == 0
    checked = run(root, "check", now=NOW)
    assert (checked.returncode, checked.stdout.splitlines()[0]) == (0, "No problems found")
    assert checked.stdout.splitlines()[1:] == ["note: 1 recorded event(s) are not yet in the view files (a command was interrupted "
                                               "after recording them); checked in memory, and the next command that records "
                                               "something writes them"]
    assert run(root, "client", "add", "zed", "--name", "Zed", now=NOW).returncode == 0  # the next write repairs
    assert run(healthy, "client", "add", "zed", "--name", "Zed", now=NOW).returncode == 0
    assert_check_clean(root)
    assert (root / "views" / "sold.json").read_bytes() == (healthy / "views" / "sold.json").read_bytes()
    again = run(root, "sell", "bruno", "physio-10", "--unpaid", now=NOW)
    assert again.returncode == 0 and "(invoice 000049," in again.stdout  # 48 sales before it, the undone one included
