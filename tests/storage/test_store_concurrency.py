"""Many real processes writing (and reading) one data directory at once."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from storage_util import assert_check_clean, assert_journal_valid, base_argv, client_ids_in_journal, parse_client_csv, project_env, run

WRITERS = 8
ADDS_EACH = 5


def test_eight_writers_at_once_lose_nothing(practice, data_dir: Path) -> None:
    # Lock waits are bounded; on a slow CI machine 40 commits may queue up,
    # so the bound is generous here (this test is about correctness, not speed).
    env = project_env({"SESSIONPACK_LOCK_TIMEOUT": "120"})
    results: list[tuple[list[str], subprocess.CompletedProcess[str]]] = []
    reads: list[subprocess.CompletedProcess[str]] = []
    guard = threading.Lock()

    def writer(w: int) -> None:
        for i in range(ADDS_EACH):
            args = ["client", "add", f"w{w}-c{i}", "--name", f"Writer {w} client {i}", "--email", f"w{w}c{i}@example.com"]
            proc = subprocess.run(base_argv(data_dir) + args, capture_output=True, text=True, env=env, timeout=180)
            with guard:
                results.append((args, proc))

    def reader(args: list[str]) -> None:
        for _ in range(3):
            proc = subprocess.run(base_argv(data_dir) + args, capture_output=True, text=True, env=env, timeout=180)
            with guard:
                reads.append(proc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    threads.append(threading.Thread(target=reader, args=(["client", "list", "--format", "csv"],)))
    threads.append(threading.Thread(target=reader, args=(["client", "show", "ana", "--format", "json"],)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == WRITERS * ADDS_EACH
    for args, proc in results:
        assert (proc.returncode, proc.stderr) == (0, ""), args
        assert proc.stdout == f"Added client {args[2]}\n"
    # Readers running alongside the writers always see a consistent directory.
    assert len(reads) == 6
    for proc in reads:
        assert (proc.returncode, proc.stderr) == (0, "")
        if proc.stdout.startswith("id,"):
            ids = parse_client_csv(proc.stdout)
            assert ids == sorted(ids) and "ana" in ids

    expected = {"ana"} | {f"w{w}-c{i}" for w in range(WRITERS) for i in range(ADDS_EACH)}
    # The journal: header, then seq 1..41 with no gap, every line JSON.
    assert_journal_valid(data_dir, events=len(expected) + 2)  # two catalog events (services added) come first
    assert sorted(client_ids_in_journal(data_dir)) == sorted(expected)
    # The views: every client listed and each with its own view file.
    listed = run(data_dir, "client", "list", "--format", "csv")
    assert listed.returncode == 0
    assert parse_client_csv(listed.stdout) == sorted(expected)
    assert sorted(p.stem for p in (data_dir / "views" / "clients").iterdir()) == sorted(expected)
    # No temporary file was left behind by the atomic writes.
    assert not [p for p in data_dir.rglob(".*.tmp")]
    assert_check_clean(data_dir)
