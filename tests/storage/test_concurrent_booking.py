"""Two real processes book the last session of a package at the same moment: exactly one draws on it, the other is at the regular fee.

The test holds the data directory's lock while both processes start, so
both are waiting for it when it is released and really race for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
import tomli_w

from sessionpack.storage.lock import DirLock
from sessionpack.storage.store import Store, load_settings
from sessionpack.storage.verify import check

NOW = "2026-11-20T09:00:00"


def _argv(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "sessionpack", "--data-dir", str(data_dir), "--now", NOW, *args]


def _ok(result) -> str:  # type: ignore[no-untyped-def]
    assert (result.exit_code, result.stderr) == (0, ""), (result.stdout, result.stderr)
    return result.stdout


@pytest.mark.parametrize("rounds", [3])
def test_two_processes_book_the_last_session(practice, data_dir: Path, rounds: int) -> None:  # type: ignore[no-untyped-def]
    (data_dir / "packages" / "two.toml").write_text(tomli_w.dumps({
        "name": "2 massages", "contents": {"sessions": {"massage": 2}}, "payment": {"price": "170"}}), encoding="utf-8")
    env = dict(os.environ, SESSIONPACK_LOCK_TIMEOUT="60")
    for n in range(1, rounds + 1):
        cp = json.loads(_ok(practice("sell", "ana", "two", "--format", "json")))["id"]
        assert cp == f"ana.p{n}"
        first = json.loads(_ok(practice("book", "ana", "massage", f"2026-12-{n:02d}T09:00", "--package", cp, "--format", "json")))
        assert first["package"] == cp
        assert json.loads(_ok(practice("balance", "ana", "--format", "json")))[n - 1]["remaining"] == {"massage": 1}

        with DirLock(str(data_dir / "lock"), exclusive=True):
            procs = [
                subprocess.Popen(_argv(data_dir, "book", "ana", "massage", f"2026-12-{n:02d}T{hour}:00", "--format", "json"),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                for hour in (11, 15)
            ]
            time.sleep(1.5)  # both start and wait for the lock
        outputs = [proc.communicate(timeout=120) for proc in procs]
        for proc, (out, err) in zip(procs, outputs):
            assert (proc.returncode, err) == (0, ""), out
        records = [json.loads(out) for out, _ in outputs]
        drew = [r for r in records if r["package"] == cp]
        regular = [r for r in records if r["package"] is None]
        assert (len(drew), len(regular)) == (1, 1), records
        assert drew[0]["draw"] == {"key": "massage", "amount": 1}
        assert (regular[0]["fee"], regular[0]["draw"]) == ("90.00", None)
        # Earlier packages are used up; the one that lost the race says why.
        assert regular[0]["why"] == "no eligible package: " + "; ".join(f"ana.p{k}: no massage sessions left" for k in range(1, n + 1))
        assert {r["id"] for r in records} | {first["id"]} == {f"ana.b{k}" for k in range(3 * n - 2, 3 * n + 1)}

        balance = json.loads(_ok(practice("balance", "ana", "--format", "json")))[n - 1]
        assert balance["remaining"] == {"massage": 0}
        assert balance["balances"]["massage"]["scheduled"] == 2

    root = str(data_dir)
    settings = load_settings(root)
    assert check(Store(root, settings, datetime.fromisoformat(NOW).replace(tzinfo=settings.tz), "tester")) == []
    result = practice("check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "No problems found\n", "")
