"""Standard output or input that cannot be used: one clear line, never an internal error.

Real processes, because only the script (``cli/entry.py``) guards its
standard output: ``> /dev/full`` (every write fails with ENOSPC), ``>&-``
(closed before the start) and ``<&-`` (standard input closed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from proc_util import project_env
from tree import tree_hash

NOW = "2026-03-02T09:00"
FULL = "error: standard output could not be written (No space left on device); nothing was changed\n"
CLOSED = "error: standard output could not be written (Bad file descriptor); nothing was changed\n"


def run(root: Path, *args: str, stdout: str = "full", stdin: str = "null") -> subprocess.CompletedProcess[str]:
    """``sessionpack ARGS`` with its standard output ``full`` (/dev/full), ``closed`` or a ``pipe``."""
    env = project_env({"SESSIONPACK_NOW": NOW, "SESSIONPACK_ACTOR": "marta", "SESSIONPACK_PAGER": ""})
    argv = [sys.executable, "-m", "sessionpack", "--data-dir", str(root), *args]
    closing = {"closed": (1,), "pipe": ()}.get(stdout, ())
    closing += (0,) if stdin == "closed" else ()

    def close() -> None:
        for fd in closing:
            os.close(fd)

    out = subprocess.DEVNULL if stdout == "closed" else subprocess.PIPE if stdout == "pipe" else open("/dev/full", "w")
    try:
        return subprocess.run(argv, stdout=out, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                              preexec_fn=close if closing else None)
    finally:
        if stdout == "full":
            out.close()


needs_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="this system has no /dev/full")


@needs_full
@pytest.mark.parametrize("args", [("balance",), ("balance", "bruno"), ("history", "bruno"), ("client", "list", "--format", "json"),
                                  ("report", "bookings"), ("statement", "ana", "--format", "md"), ("log",), ("check",)],
                         ids=" ".join)
def test_a_reading_command_whose_output_has_no_room_says_so_in_one_line(example: Path, args: tuple[str, ...]) -> None:
    before = tree_hash(example)
    done = run(example, *args)
    assert (done.returncode, done.stderr) == (75, FULL)
    assert tree_hash(example) == before


@pytest.mark.parametrize("args", [("balance",), ("balance", "bruno"), ("package", "list")], ids=" ".join)
def test_a_closed_standard_output_is_one_line_too(example: Path, args: tuple[str, ...]) -> None:
    before = tree_hash(example)
    done = run(example, *args, stdout="closed")
    assert (done.returncode, done.stderr) == (75, CLOSED)
    assert tree_hash(example) == before


@needs_full
def test_a_sale_whose_confirmation_cannot_be_printed_stays_recorded_with_exit_0(example: Path) -> None:
    done = run(example, "sell", "ana", "massage-trio", "--ref", "desk-1")
    assert done.returncode == 0
    assert done.stderr == ("warning: recorded, but standard output could not be written (No space left on device); "
                           "see 'sessionpack log' for what was recorded\n")
    again = run(example, "sell", "ana", "massage-trio", "--ref", "desk-1", "--format", "json", stdout="pipe")
    assert (again.returncode, again.stderr) == (0, "")
    assert json.loads(again.stdout)["unchanged"] is True  # recorded once: the re-run finds it
    assert run(example, "check", stdout="pipe").stdout == "No problems found\n"


@pytest.mark.parametrize("args, columns", [(("sell", "--csv", "-"), "client, package, ref"), (("client", "add", "--csv", "-"), "id, name, email")])
def test_a_closed_standard_input_reads_as_an_empty_file(example: Path, args: tuple[str, ...], columns: str) -> None:
    before = tree_hash(example)
    done = run(example, *args, stdout="pipe", stdin="closed")
    assert done.returncode == 2
    first, second = done.stderr.splitlines()
    assert first.startswith(f"<stdin>:1: is empty; the first line names the columns, e.g. {columns}")
    assert second == "error: 1 problem in <stdin>; nothing was recorded: fix it and run the command again"
    assert tree_hash(example) == before


def test_a_reader_that_stops_early_is_no_error(example: Path) -> None:
    env = project_env({"SESSIONPACK_NOW": NOW})
    argv = [sys.executable, "-m", "sessionpack", "--data-dir", str(example), "history", "bruno"]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.read(10)
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait() == 0
    assert err == b""


def test_an_error_after_a_command_recorded_something_says_what_stays_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from sessionpack.cli import runtime

    error = "no space left on the device holding /x/views/open/2b.jsonl; free some space and run the command again (nothing was changed)"
    monkeypatch.setattr(runtime, "_OPEN_STORES", [SimpleNamespace(recorded=0)])
    assert runtime._after_recording(error) == error  # nothing recorded: true as it stands
    monkeypatch.setattr(runtime, "_OPEN_STORES", [SimpleNamespace(recorded=2006)])
    assert runtime._after_recording(error) == (
        "no space left on the device holding /x/views/open/2b.jsonl; free some space and run the command again; "
        "the 2006 event(s) this command recorded before that stay recorded (see 'sessionpack log')")
