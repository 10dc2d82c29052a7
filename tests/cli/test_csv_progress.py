"""A large file shows a progress bar on standard error, only on a terminal (issue 12 item 6)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

from cli_util import write_package
from test_sell_csv import FIVE

ROWS = 400


def sales(tmp_path: Path, rows: int, prefix: str) -> str:
    path = tmp_path / f"{prefix}.csv"
    path.write_text("client,package,ref\n" + "".join(f"ana,five,{prefix}-{i}\n" for i in range(rows)), encoding="utf-8")
    return str(path)


def argv(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "sessionpack", "--data-dir", str(data_dir), "--now", "2026-11-20T09:00", *args]


def run_with_terminal_stderr(command: list[str]) -> tuple[int, str, str]:
    """Run with standard error on a pseudo-terminal; (exit, stdout, what the terminal got)."""
    master, slave = pty.openpty()
    seen: list[bytes] = []

    def drain() -> None:
        try:
            while True:
                chunk = os.read(master, 65536)
                if not chunk:
                    break
                seen.append(chunk)
        except OSError:  # EIO once the process has closed the terminal
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = dict(os.environ, COLUMNS="100", TERM="xterm")
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=slave, env=env, timeout=120)
    os.close(slave)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, proc.stdout.decode(), b"".join(seen).decode("utf-8", "replace")


def test_progress_bar_only_on_a_terminal_and_only_for_large_files(practice, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    code, out, terminal = run_with_terminal_stderr(argv(data_dir, "sell", "--csv", sales(tmp_path, ROWS, "big"), "--format", "json"))
    assert code == 0
    assert len(json.loads(out)) == ROWS  # standard output holds the rows only
    assert "checking" in terminal and f"/{ROWS}" in terminal
    # Not a terminal: nothing but the rows.
    piped = subprocess.run(argv(data_dir, "sell", "--csv", sales(tmp_path, ROWS, "quiet"), "--format", "json"),
                           capture_output=True, text=True, timeout=120)
    assert (piped.returncode, piped.stderr) == (0, "")
    # A small file on a terminal: no bar either.
    code, out, terminal = run_with_terminal_stderr(argv(data_dir, "sell", "--csv", sales(tmp_path, 20, "small"), "--format", "json"))
    assert (code, terminal) == (0, "")
