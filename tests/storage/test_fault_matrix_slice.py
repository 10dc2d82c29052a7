"""A small, fast slice of the fault matrix (bench/faults.py) in the suite.

No timing is asserted: the counts must be zero whatever the machine's speed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def faults():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(BENCH))
    try:
        import faults as module
    finally:
        sys.path.remove(str(BENCH))
    return module


def test_writers_kills_and_full_disks_lose_nothing(faults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    results = faults.run_matrix(writers=2, seconds=1.0, kill_count=6, disk_runs=1, fuzz=0, tests=False, clients=3, torn_mib=2,
                                file_kill_count=2)
    parts = results["parts"]
    for name in ("concurrency", "kills"):
        assert (parts[name]["lost"], parts[name]["overbooked"], parts[name]["check_problems"], parts[name]["internal_errors"]) == (0, 0, 0, 0), parts[name]
    assert parts["concurrency"]["acknowledged"] >= 1
    assert parts["kills"]["kills"] >= 6
    files = parts["file kills"]
    assert files["kills"] + files["finished_first"] == 2
    assert {key: files[key] for key in ("internal_errors", "recorded_in_part", "staging_left", "lost", "check_problems")} == dict.fromkeys(
        ("internal_errors", "recorded_in_part", "staging_left", "lost", "check_problems"), 0), files
    torn = parts["torn tail"]
    assert (torn["reader_exit"], torn["writer_exit"], torn["moved_aside"]) == (0, 0, 1)
    disk = parts["full disk"]
    assert (disk["after_commit_right"], disk["before_commit_right"]) == (disk["after_commit_runs"], disk["before_commit_runs"]) == (1, 1)
