"""Helpers shared by the storage tests: snapshots, journal checks, subprocesses."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

from proc_util import project_env  # noqa: F401  (shared with the CLI tests)

NOW = "2026-11-20T09:00:00"


def snapshot(root: Path) -> dict[str, Any]:
    """Every directory and file under ``root``: relpath -> bytes (dirs: 'dir')."""
    found: dict[str, Any] = {}
    for here, dirs, files in os.walk(root):
        rel = os.path.relpath(here, root)
        found[rel] = "dir"
        for name in files:
            path = os.path.join(here, name)
            with open(path, "rb") as handle:
                found[os.path.normpath(os.path.join(rel, name))] = handle.read()
    return found


def view_files(root: Path) -> dict[str, bytes]:
    """The bytes of every file under views/."""
    return {k: v for k, v in snapshot(root / "views").items() if v != "dir"}


def journal_lines(root: Path) -> list[bytes]:
    return (root / "journal.jsonl").read_bytes().splitlines(keepends=True)


def assert_journal_valid(root: Path, events: int | None = None) -> list[dict[str, Any]]:
    """Header then events with seq 1..N, every line complete JSON; returns the events."""
    raw = (root / "journal.jsonl").read_bytes()
    assert raw.endswith(b"\n"), "the journal must end with a newline"
    lines = raw.splitlines(keepends=True)
    header = json.loads(lines[0])
    assert header == {"journal": "sessionpack", "format": 1, "seq": 0}
    records = []
    for number, line in enumerate(lines[1:], start=1):
        assert line.endswith(b"\n")
        record = json.loads(line)
        assert record["seq"] == number, f"line {number + 1} has seq {record['seq']}"
        records.append(record)
    if events is not None:
        assert len(records) == events
    return records


def client_ids_in_journal(root: Path) -> list[str]:
    return [r["client"]["id"] for r in assert_journal_valid(root) if r["type"] == "client-added"]


def parse_client_csv(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["id", "name", "email", "phone", "tags"]
    return [row[0] for row in rows[1:]]


def base_argv(root: Path, now: str | None = NOW) -> list[str]:
    argv = [sys.executable, "-m", "sessionpack", "--data-dir", str(root)]
    if now:
        argv += ["--now", now]
    return argv


def run(
    root: Path,
    *args: str,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
    now: str | None = NOW,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """A real ``python -m sessionpack`` process (with optional preexec_fn)."""
    full_env = project_env(env)
    return subprocess.run(
        base_argv(root, now) + list(args),
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        preexec_fn=preexec_fn,
    )


def inproc(root: Path, *args: str, now: str | None = NOW) -> subprocess.CompletedProcess[str]:
    """The same command in this process (CliRunner): faster, for verifying."""
    from typer.testing import CliRunner

    from sessionpack.cli.app import app

    argv = ["--data-dir", str(root)] + (["--now", now] if now else []) + list(args)
    result = CliRunner().invoke(app, argv)
    return subprocess.CompletedProcess(argv, result.exit_code, result.stdout, result.stderr)


def assert_check_clean(root: Path) -> None:
    result = inproc(root, "check")
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    assert result.stdout == "No problems found\n"


def stderr_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Commands that may write run as real processes; pure reads in this one (cheaper)."""
    writes = args[:1] == ("init",) or "--rebuild" in args or args[1:2] in (("add",), ("edit",))
    return run(root, *args) if writes else inproc(root, *args)
