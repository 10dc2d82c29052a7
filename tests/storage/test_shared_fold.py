"""A commit of thousands of client views shares its work with a second process
(``shared_fold``): the files it leaves are byte for byte those of one process.

The threshold is lowered here so that a file of a few dozen rows is shared.
Access codes are random; they are made the same in both runs, so that the
two data directories can be compared whole.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from sessionpack.storage import forked, shared_fold
from storage_util import assert_check_clean, inproc
from tree import tree_hash

ROWS = 30
FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}


@pytest.fixture
def twins(practice, data_dir: Path, tmp_path: Path) -> tuple[Path, Path, Path]:  # type: ignore[no-untyped-def]
    """Two equal practices (ana with a sale and a booking) and a file of sales:
    new clients (every other one an imported balance) and two more sales to ana."""
    (data_dir / "packages" / "five.toml").write_text(tomli_w.dumps(FIVE), encoding="utf-8")
    assert practice("sell", "ana", "five").exit_code == 0
    assert practice("book", "ana", "massage", "2026-11-24T10:00").exit_code == 0
    path = tmp_path / "sales.csv"
    lines = ["client,package,ref,name,email,remaining,date"]
    for i in range(ROWS):
        imported = ("3", "2026-10-01") if i % 2 else ("", "")
        lines.append(f"c{i},five,ref-{i},Client {i},c{i}@example.com,{imported[0]},{imported[1]}")
    lines += ["ana,five,ref-ana-1,,,,", "ana,five,ref-ana-2,,,2,2026-09-01"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    other = tmp_path / "other"
    shutil.copytree(data_dir, other)
    return data_dir, other, path


def _same_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = itertools.count()
    monkeypatch.setattr("sessionpack.domain.codes.new_code", lambda: f"K{next(counter):07d}")


def _session(root: Path, path: Path) -> list[str]:
    """A file of sales, its undo, and the file again; the outputs."""
    outputs = []
    for args in (("sell", "--csv", str(path), "--create-clients", "--format", "json"),
                 ("undo", "--last", "--reason", "wrong file", "--yes"),
                 ("sell", "--csv", str(path), "--create-clients", "--format", "json")):
        result = inproc(root, *args)
        assert (result.returncode, result.stderr) == (0, ""), (args, result.stderr)
        outputs.append(result.stdout)
    return outputs


def _forks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The workers forked: "fork" for a dry run's, "parts" for a commit's
    (which hands over its contributions first, then writes the views' files)."""
    made: list[str] = []
    real, real_parts = shared_fold.fork, shared_fold.fork_parts

    def counted(work):  # type: ignore[no-untyped-def]
        made.append("fork")
        return real(work)

    def counted_parts(work, folder):  # type: ignore[no-untyped-def]
        made.append("parts")
        return real_parts(work, folder)

    monkeypatch.setattr(shared_fold, "fork", counted)
    monkeypatch.setattr(shared_fold, "fork_parts", counted_parts)
    return made


def _staged_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the view files the command renames into place from what
    the worker staged (``batchio.Staged``), as it writes them."""
    from sessionpack.storage import batchio

    staged: list[str] = []
    real = batchio._write_temp

    def noted(path, data, *args):  # type: ignore[no-untyped-def]
        if data.__class__ is batchio.Staged:
            staged.append(os.path.basename(path))
        return real(path, data, *args)

    monkeypatch.setattr(batchio, "_write_temp", noted)
    return staged


def test_a_shared_commit_leaves_the_files_of_one_process(twins: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    one, shared, path = twins
    _same_codes(monkeypatch)
    alone = _session(one, path)
    monkeypatch.setattr(shared_fold, "SHARE_FROM", 2)
    made = _forks(monkeypatch)
    _same_codes(monkeypatch)
    together = _session(shared, path)
    assert made == ["parts"] * 3  # the file, its undo (one event naming every client) and the file again: each shared
    assert together == alone
    assert [row["status"] for row in json.loads(together[2])] == ["created"] * (ROWS + 2)
    assert tree_hash(shared) == tree_hash(one)
    assert_check_clean(shared)
    full = inproc(shared, "check", "--full")
    assert (full.returncode, full.stdout) == (0, "No problems found\n")


def test_a_worker_that_ends_without_an_answer_leaves_its_part_to_this_process(twins: tuple[Path, Path, Path],
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    one, shared, path = twins
    _same_codes(monkeypatch)
    alone = _session(one, path)
    monkeypatch.setattr(shared_fold, "SHARE_FROM", 2)
    monkeypatch.setattr(shared_fold, "_work_staged", lambda *args: os._exit(9))  # as if killed
    made = _forks(monkeypatch)
    _same_codes(monkeypatch)
    assert _session(shared, path) == alone
    assert made == ["parts"] * 3
    assert tree_hash(shared) == tree_hash(one)


def test_an_error_the_worker_meets_is_raised_here_and_nothing_is_recorded(twins: tuple[Path, Path, Path],
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _, shared, path = twins
    monkeypatch.setattr(shared_fold, "SHARE_FROM", 2)

    def fails(*args):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(shared_fold, "_work_staged", fails)
    with pytest.raises(RuntimeError, match="^disk on fire$"):
        forked.collect(forked.fork(lambda: fails()))
    before = tree_hash(shared)
    result = inproc(shared, "sell", "--csv", str(path), "--create-clients")
    assert (result.returncode, result.stderr) == (70, "error: internal error (RuntimeError); nothing more was changed. "
                                                      "Run again with SESSIONPACK_DEBUG=1 to see the details, and report it\n")
    assert tree_hash(shared) == before


def test_a_small_commit_is_not_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    assert shared_fold.processes(shared_fold.SHARE_FROM - 1) == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert shared_fold.processes(shared_fold.SHARE_FROM) == 2
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert shared_fold.processes(shared_fold.SHARE_FROM) == 1


def test_no_process_to_be_had_leaves_the_work_to_this_process(twins: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    one, shared, path = twins
    _same_codes(monkeypatch)
    alone = _session(one, path)
    monkeypatch.setattr(shared_fold, "SHARE_FROM", 2)
    tried: list[int] = []

    def no_fork() -> int:
        tried.append(1)
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    fds_before = len(os.listdir("/proc/self/fd"))
    _same_codes(monkeypatch)
    assert _session(shared, path) == alone
    assert len(tried) == 3
    assert len(os.listdir("/proc/self/fd")) == fds_before  # (the pipe made for it is closed again)
    assert tree_hash(shared) == tree_hash(one)


def test_a_worker_killed_while_writing_the_views_files_leaves_them_to_this_process(twins: tuple[Path, Path, Path],
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from sessionpack.storage import batchio

    one, shared, path = twins
    _same_codes(monkeypatch)
    alone = _session(one, path)
    monkeypatch.setattr(shared_fold, "SHARE_FROM", 2)
    real = batchio.stage

    def killed_halfway(items, folder):  # type: ignore[no-untyped-def]
        real(itertools.islice(items, 5), folder)  # five files written, then killed
        os._exit(9)

    monkeypatch.setattr(batchio, "stage", killed_halfway)
    made = _forks(monkeypatch)
    _same_codes(monkeypatch)
    assert _session(shared, path) == alone
    assert made == ["parts"] * 3
    assert tree_hash(shared) == tree_hash(one)  # (no .staged folder, nor anything in it, is left)


def test_the_worker_writes_every_view_s_file_and_this_process_renames_them(twins: tuple[Path, Path, Path],
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from sessionpack.storage import batchio

    _, shared, path = twins
    monkeypatch.setattr(shared_fold, "SHARE_FROM", 2)
    staged = _staged_writes(monkeypatch)
    result = inproc(shared, "sell", "--csv", str(path), "--create-clients")
    assert result.returncode == 0, result.stderr
    assert sorted(staged) == sorted(["ana.json", *(f"c{i}.json" for i in range(ROWS))])
    assert not (shared / "views" / "clients" / ".staged").exists()
    assert_check_clean(shared)


@pytest.mark.parametrize("left", ["files", "link"])
def test_what_a_killed_command_left_staged_is_taken_away_by_the_next_that_records(practice, data_dir: Path, tmp_path: Path,
                                                                                   left: str) -> None:
    staged = data_dir / "views" / "clients" / ".staged"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the practice's", encoding="utf-8")
    if left == "files":
        staged.mkdir()
        (staged / ".ana.json.123.abc.tmp").write_text("{half a view", encoding="utf-8")
    else:
        staged.symlink_to(outside, target_is_directory=True)
    before = tree_hash(data_dir)
    assert inproc(data_dir, "balance", "ana").returncode == 0
    assert tree_hash(data_dir) == before  # a reader changes nothing
    result = inproc(data_dir, "client", "add", "zed", "--name", "Zed")
    assert result.returncode == 0, result.stderr
    assert not os.path.lexists(staged)
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "not the practice's"
    assert_check_clean(data_dir)


def test_a_full_disk_met_while_staging_leaves_the_rest_to_this_process(twins: tuple[Path, Path, Path],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from sessionpack.storage import batchio

    one, shared, path = twins
    _same_codes(monkeypatch)
    alone = _session(one, path)
    monkeypatch.setattr(shared_fold, "SHARE_FROM", 2)
    monkeypatch.setenv("SESSIONPACK_TEST_FAIL_AT", "staging")  # ENOSPC after the first file the worker writes
    staged = _staged_writes(monkeypatch)
    _same_codes(monkeypatch)
    assert _session(shared, path) == alone
    assert len(staged) == 3  # one file each time, the rest written here
    assert tree_hash(shared) == tree_hash(one)


def test_dry_runs_share_without_writing(twins: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _, shared, path = twins
    monkeypatch.setattr(shared_fold, "SHARE_FROM", 2)
    made = _forks(monkeypatch)
    for args in (("sell", "--csv", str(path), "--create-clients"), ("undo", "--last", "--reason", "wrong file")):
        assert inproc(shared, *args).returncode == 0
        before = tree_hash(shared)
        dry = inproc(shared, *args, "--dry-run")
        assert (dry.returncode, dry.stderr) == (0, "warning: dry run: nothing was recorded\n")
        assert tree_hash(shared) == before
    assert made == ["parts", "parts"]  # (a dry run never works out its shards here: see the next test)


def test_a_fold_shared_without_staging_gives_what_one_process_gives(twins: tuple[Path, Path, Path],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker that sends back the views' bytes (a commit whose views are
    not written: its shards worked out when read)."""
    from datetime import datetime

    from sessionpack.domain import ledger
    from sessionpack.storage import shards
    from sessionpack.storage.encoding import Parts
    from sessionpack.storage.store import Store, encode_view, load_settings

    _, shared, path = twins
    assert inproc(shared, "sell", "--csv", str(path), "--create-clients").returncode == 0
    settings = load_settings(str(shared))
    store = Store(str(shared), settings, datetime.fromisoformat("2026-11-20T09:00").replace(tzinfo=settings.tz), "tester")
    with store.reading() as tx:
        views = [tx.client(f"c{i}") for i in range(ROWS)] + [tx.client("ana")]
    empty = [(view["id"], view, shards.index_entries(ledger.empty_client_view(view["id"])),
              shards.report_shards.fingerprint(ledger.empty_client_view(view["id"]), set())) for view in views]

    def fold(share_from: int) -> tuple[dict[str, bytes | None], dict[str, Any]]:
        monkeypatch.setattr(shared_fold, "SHARE_FROM", share_from)
        changes, parts = shards.Changes(str(shared)), Parts()
        encoded = shared_fold.apply_all(empty, changes, parts, encode_view)
        return changes.files(), encoded

    made = _forks(monkeypatch)
    alone_files, alone_encoded = fold(10**9)
    shared_files, shared_encoded = fold(2)
    assert made == ["fork"]
    assert shared_files == alone_files and alone_encoded == {}
    split = int(len(empty) * shared_fold.OWN_SHARE)
    assert shared_encoded == {view["id"]: encode_view(view, Parts()) for view in views[split:]}


def test_a_worker_stopped_after_the_commit_began_leaves_the_views_to_this_process(twins: tuple[Path, Path, Path],
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever stops the worker while it writes the views' files (here an
    interrupt it meets), the commit stands and its views are written here."""
    from sessionpack.storage import batchio

    one, shared, path = twins
    _same_codes(monkeypatch)
    alone = _session(one, path)
    monkeypatch.setattr(shared_fold, "SHARE_FROM", 2)

    def interrupted(items, folder):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(batchio, "stage", interrupted)
    _same_codes(monkeypatch)
    assert _session(shared, path) == alone
    assert tree_hash(shared) == tree_hash(one)


@pytest.mark.parametrize("how", ["fork", "fork_parts"])
def test_a_worker_ends_with_the_command_that_forked_it(tmp_path: Path, how: str) -> None:
    """A command killed while its worker runs does not leave the worker
    behind (holding the lock's descriptor, writing views' files)."""
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import os, signal, sys, time\n"
        "from sessionpack.storage import forked\n"
        f"if {how!r} == 'fork':\n"
        "    pid, _ = forked.fork(lambda: time.sleep(60))\n"
        "else:\n"
        f"    pid = forked.fork_parts(lambda hand_over: time.sleep(60), {str(tmp_path)!r}).pid\n"
        "time.sleep(0.5)\n"
        "print(pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == -signal.SIGKILL, result.stderr
    [worker] = result.stdout.split()

    def alive() -> bool:
        try:
            with open(f"/proc/{worker}/stat", encoding="utf-8") as handle:
                return handle.read().split()[2] != "Z"
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 20
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive()


@pytest.mark.parametrize("share_from", [10**9, 2])
def test_a_link_where_a_new_client_s_view_goes_is_never_followed(twins: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path, share_from: int) -> None:
    """One process or two: the link is refused before anything is recorded,
    and what it points to is left alone."""
    _, shared, path = twins
    outside = tmp_path / "outside.json"
    outside.write_text("not the practice's", encoding="utf-8")
    link = shared / "views" / "clients" / "c3.json"
    link.symlink_to(outside)
    monkeypatch.setattr(shared_fold, "SHARE_FROM", share_from)
    before = tree_hash(shared)
    result = inproc(shared, "sell", "--csv", str(path), "--create-clients")
    assert (result.returncode, result.stdout, result.stderr) == (
        3, "", f"error: {link} is a symbolic link; sessionpack never reads or writes through a link inside its data "
               "directory: put the file itself there (nothing was changed)\n")
    assert tree_hash(shared) == before
    assert outside.read_text(encoding="utf-8") == "not the practice's"


def test_staging_leaves_out_a_path_that_is_a_link(tmp_path: Path) -> None:
    """The worker's own look (``batchio.stage``), under the command's: such a
    path is left for the write that refuses it."""
    from sessionpack.storage import batchio

    folder, stage = tmp_path / "clients", tmp_path / "clients" / ".staged"
    stage.mkdir(parents=True)
    outside = tmp_path / "outside.json"
    outside.write_text("not the practice's", encoding="utf-8")
    (folder / "b.json").symlink_to(outside)
    items = [(name, str(folder / f"{name}.json"), name.encode()) for name in ("a", "b", "c")]
    staged = batchio.stage(items, str(stage))
    assert sorted(staged) == ["a", "c"]
    assert [Path(staged[name]).read_bytes() for name in ("a", "c")] == [b"a", b"c"]
    assert outside.read_text(encoding="utf-8") == "not the practice's"
