"""A file of sales is one commit: a kill at any write point leaves all its rows or none.

The file names 40 new clients, so the views are written as a batch
(``batchio``: one flush for many files) and every crash point is met inside
the batch as well as before and after it.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
import tomli_w

from storage_util import assert_check_clean, assert_journal_valid, inproc, run
from tree import tree_hash

ROWS = 40
FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}


@pytest.fixture
def sales(practice, data_dir: Path, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    (data_dir / "packages" / "five.toml").write_text(tomli_w.dumps(FIVE), encoding="utf-8")
    path = tmp_path / "sales.csv"
    lines = ["client,package,ref,name,email,remaining,date"]
    for i in range(ROWS):
        imported = ("3", "2026-10-01") if i % 2 else ("", "")
        lines.append(f"c{i},five,ref-{i},Client {i},c{i}@example.com,{imported[0]},{imported[1]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sold(root: Path) -> list[dict]:
    return [e for e in assert_journal_valid(root) if e["type"] == "sold"]


def statuses(root: Path, path: Path) -> list[str]:
    result = inproc(root, "sell", "--csv", str(path), "--create-clients", "--dry-run", "--format", "json")
    assert (result.returncode, result.stderr) == (0, "warning: dry run: nothing was recorded\n"), result.stderr
    return [row["status"] for row in json.loads(result.stdout)]


POINTS = ["journal-partial", "journal-written", "shard-written", "view-written", "small-view-written", "before-index"]
NOTHING_RECORDED = ("journal-partial",)
# The same commit shared with a second process (``shared_fold``), which writes
# the client views' files to views/clients/.staged before anything is recorded.
SHARED = {"SESSIONPACK_TEST_SHARE_FROM": "2"}


@pytest.mark.parametrize("point, shared", [(point, False) for point in POINTS] + [(point, True) for point in ["views-staged", *POINTS]])
@pytest.mark.parametrize("how", ["reader", "writer"])
def test_a_kill_during_the_commit_leaves_all_or_nothing(practice, data_dir: Path, sales: Path, point: str, shared: bool, how: str) -> None:
    journal_before = (data_dir / "journal.jsonl").read_bytes()
    killed = run(data_dir, "sell", "--csv", str(sales), "--create-clients", env={"SESSIONPACK_TEST_CRASH_AT": point, **(SHARED if shared else {})})
    assert (killed.returncode, killed.stdout) == (-signal.SIGKILL, "")
    staged = data_dir / "views" / "clients" / ".staged"
    if shared:  # what the kill left there: every view's file until they are renamed into place one by one
        left = len(list(staged.iterdir()))
        if point in ("journal-partial", "journal-written"):  # (the worker, still writing them, ends with the command)
            assert left <= ROWS
        else:
            assert left == {"view-written": ROWS - 1, "small-view-written": 0, "before-index": 0}.get(point, ROWS)
    else:
        assert not staged.exists()
    if how == "reader":  # a reader sees all or nothing, and writes nothing
        before = tree_hash(data_dir)
        seen = run(data_dir, "balance", "c1", "--format", "json")
        assert tree_hash(data_dir) == before
        if point in NOTHING_RECORDED:
            assert seen.returncode == 2 and "no client 'c1'" in seen.stderr
        else:
            assert (seen.returncode, json.loads(seen.stdout)[0]["remaining"]) == (0, {"massage": 3})
    after = run(data_dir, "client", "add", "zed", "--name", "Zed")  # the next writer repairs
    assert after.returncode == 0, after.stderr
    assert not staged.exists()  # (taken away by the next command that records something)
    recorded = sold(data_dir)
    if point in NOTHING_RECORDED:
        # Never acknowledged and not whole: none of it is recorded.
        assert recorded == []
        assert (data_dir / "journal.jsonl").read_bytes().startswith(journal_before)
        assert statuses(data_dir, sales) == ["created"] * ROWS
    else:
        # The journal holds the whole command: every row is recorded, and the
        # views the kill left behind are completed from it.
        assert [e["sale"]["reference"] for e in recorded] == [f"ref-{i}" for i in range(ROWS)]
        assert statuses(data_dir, sales) == ["unchanged"] * ROWS
        balance = inproc(data_dir, "balance", "c1", "--format", "json")
        assert json.loads(balance.stdout)[0]["remaining"] == {"massage": 3}
    assert not list(data_dir.glob("views/**/.*.tmp"))
    assert_check_clean(data_dir)
    # Running the file again completes it, once.
    again = run(data_dir, "sell", "--csv", str(sales), "--create-clients", "--format", "json")
    assert again.returncode == 0, again.stderr
    assert [e["sale"]["reference"] for e in sold(data_dir)] == [f"ref-{i}" for i in range(ROWS)]
    assert_check_clean(data_dir)


def test_a_file_the_second_process_cannot_write_is_written_by_the_command(practice, data_dir: Path, sales: Path) -> None:
    """A full disk met while staging the views' files (after the first): the
    command writes the others itself, as with one process, and says nothing."""
    result = run(data_dir, "sell", "--csv", str(sales), "--create-clients", "--format", "json",
                 env={"SESSIONPACK_TEST_FAIL_AT": "staging", **SHARED})
    assert (result.returncode, result.stderr) == (0, "")
    assert [row["status"] for row in json.loads(result.stdout)] == ["created"] * ROWS
    assert not (data_dir / "views" / "clients" / ".staged").exists()
    assert [e["sale"]["reference"] for e in sold(data_dir)] == [f"ref-{i}" for i in range(ROWS)]
    assert json.loads(inproc(data_dir, "balance", "c1", "--format", "json").stdout)[0]["remaining"] == {"massage": 3}
    assert_check_clean(data_dir)
    full = inproc(data_dir, "check", "--full")
    assert (full.returncode, full.stdout) == (0, "No problems found\n")


def test_the_repair_after_a_shared_commit_was_killed_stages_nothing(practice, data_dir: Path, sales: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The next command folds the killed commit's events again and writes
    their views itself: its fold shares the shards' work, but no second
    process writes views' files that nothing would take."""
    from sessionpack.storage import shared_fold

    killed = run(data_dir, "sell", "--csv", str(sales), "--create-clients", env={"SESSIONPACK_TEST_CRASH_AT": "views-staged", **SHARED})
    assert killed.returncode == -signal.SIGKILL
    monkeypatch.setenv("SESSIONPACK_TEST_SHARE_FROM", "2")
    made: list[str] = []
    real, real_parts = shared_fold.fork, shared_fold.fork_parts
    monkeypatch.setattr(shared_fold, "fork", lambda work: made.append("fork") or real(work))
    monkeypatch.setattr(shared_fold, "fork_parts", lambda work, folder: made.append("parts") or real_parts(work, folder))
    after = inproc(data_dir, "client", "add", "zed", "--name", "Zed")
    assert (after.returncode, after.stderr) == (0, "")
    assert made == ["fork"]  # the repair's fold of the 40 new clients; its views are written whole, from memory
    assert not (data_dir / "views" / "clients" / ".staged").exists()
    assert [e["sale"]["reference"] for e in sold(data_dir)] == [f"ref-{i}" for i in range(ROWS)]
    assert_check_clean(data_dir)
    full = inproc(data_dir, "check", "--full")
    assert (full.returncode, full.stdout) == (0, "No problems found\n")
