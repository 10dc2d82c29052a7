"""--dry-run on every write command (rule 18 of docs/rules.md): the output of
the real run, nothing written, and only the shared lock taken."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Runner
from test_undo import LATER, WRITES, shop  # noqa: F401 - the fixture
from tree import tree_hash

SECRET_LINES = ("Access code:", "Dry run:")


def shown(text: str) -> str:
    """The output without what a dry run cannot show: the access code of a sale."""
    return "\n".join(line for line in text.splitlines() if not line.startswith(SECRET_LINES))


def when(args: tuple[str, ...]) -> str:
    return "2026-11-29T12:00:00" if args[0] in ("attend", "no-show") else LATER


@pytest.mark.parametrize("args", WRITES, ids=[" ".join(a[:2]) for a in WRITES])
def test_a_dry_run_prints_what_the_real_run_prints_and_writes_nothing(shop, data_dir: Path, tmp_path: Path,  # type: ignore[no-untyped-def] # noqa: F811
                                                                      args: tuple[str, ...]) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(data_dir, twin)
    before = tree_hash(data_dir)
    dry = shop(*args, "--dry-run", now=when(args))
    assert dry.exit_code == 0, (dry.stdout, dry.stderr)
    assert tree_hash(data_dir) == before
    real = Runner(twin)(*args, now=when(args))
    assert real.exit_code == 0, real.stderr
    assert shown(dry.stdout) == shown(real.stdout)
    assert dry.stderr == real.stderr + "warning: dry run: nothing was recorded\n"


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_machine_formats_match_too(shop, data_dir: Path, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    twin = tmp_path / "twin"
    shutil.copytree(data_dir, twin)
    args = ("refund", "ana.p1", "--pro-rata", "--reason", "injury", "--yes", "--format", fmt)
    before = tree_hash(data_dir)
    dry = shop(*args, "--dry-run", now=LATER)
    assert tree_hash(data_dir) == before
    real = Runner(twin)(*args, now=LATER)
    assert (dry.exit_code, real.exit_code) == (0, 0)
    assert dry.stdout == real.stdout
    if fmt == "json":  # the pro-rata figure of a dry run is the one the refund gives
        assert json.loads(dry.stdout)["refund"] == json.loads(real.stdout)["refund"] != "0.00"


def test_a_dry_run_needs_only_the_shared_lock(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    """While another process holds the shared lock (a long read), a dry run
    goes ahead and the real command waits for it."""
    from sessionpack.storage import layout

    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from sessionpack.storage.lock import DirLock\n"
        f"with DirLock({str(data_dir / layout.LOCK)!r}, exclusive=False):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(30)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        env = {"SESSIONPACK_LOCK_TIMEOUT": "1"}
        dry = shop.proc("adjust", "ana.p1", "--sessions", "+1", "--reason", "x", "--dry-run", env=env)
        assert (dry.returncode, dry.stderr) == (0, "warning: dry run: nothing was recorded\n")
        real = shop.proc("adjust", "ana.p1", "--sessions", "+1", "--reason", "x", env=env)
        assert real.returncode == 75, real.stderr
    finally:
        holder.kill()
        holder.wait()


def test_init_dry_run_creates_nothing(sp, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    result = sp("init", "--currency", "EUR", "--timezone", "Europe/Lisbon", "--dry-run")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"Initialised {data_dir}\n",
                                                                "warning: dry run: nothing was recorded\n")
    assert not data_dir.exists()
    bad = sp("init", "--currency", "EURO", "--dry-run")
    assert bad.exit_code == 2
