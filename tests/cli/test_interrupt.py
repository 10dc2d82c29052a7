"""A Ctrl-C (SIGINT) or SIGTERM during a command, in real processes.

Once a command has begun to append its events to the journal, they are
recorded: an interrupt from then on waits until the command has written
its views and printed what it recorded, and the command exits as it would
have (0), with one warning line, so a script does not run it again. Before
the append, an interrupt stops it: ``error: aborted``, exit 1, nothing
recorded. The signals are sent by the process to itself at named points
of the commit (the crash points of ``storage/crash.py``), so no test
depends on timing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

from proc_util import project_env
from tree import tree_hash

NOW = "2026-11-20T09:00"
FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}

# Runs sessionpack, sending itself SIGNAL (SIGNAL*2: twice) when the command reaches POINT: a
# crash point of storage/crash.py, or "locked" (the exclusive lock taken,
# nothing planned or recorded yet).
DRIVER = r"""
import os, signal, sys
point, name = sys.argv[1], sys.argv[2]
times = 2 if name.endswith("*2") else 1  # SIGINT*2: twice, as a person who means it
name = name.removesuffix("*2")
from sessionpack.storage import crash
real = crash.crash_point
def reached(where):
    if where == point:
        for _ in range(times):
            os.kill(os.getpid(), getattr(signal, name))
    real(where)
crash.crash_point = reached  # (before the modules that import it are loaded)
if point == "locked":
    from sessionpack.storage import lock
    acquire = lock.DirLock.acquire
    def acquired(self):
        acquire(self)
        if self.exclusive:
            os.kill(os.getpid(), getattr(signal, name))
    lock.DirLock.acquire = acquired
sys.argv = ["sessionpack", *sys.argv[3:]]
from sessionpack.cli.entry import main
main()
"""


def interrupted(data_dir: Path, point: str, name: str, *args: str, quick: bool = True) -> subprocess.CompletedProcess[str]:
    env = project_env({"SESSIONPACK_NOW": NOW, **({} if quick else {"SESSIONPACK_QUICK": "0"})})
    return subprocess.run([sys.executable, "-c", DRIVER, point, name, "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def events(data_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (data_dir / "journal.jsonl").read_bytes().splitlines()[1:]]


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    (data_dir / "packages" / "five.toml").write_text(tomli_w.dumps(FIVE), encoding="utf-8")
    assert practice("sell", "ana", "five").exit_code == 0
    return practice


WARNED = ("warning: interrupted ({sig}) after this command recorded its {n} event(s); it finished and they stay "
          "recorded (see 'sessionpack log')\n")


@pytest.mark.parametrize("quick", [True, False], ids=["quick path", "typer"])
@pytest.mark.parametrize("point", ["journal-written", "view-written", "before-index"])
def test_ctrl_c_after_the_journal_write_lets_the_command_finish(shop, data_dir: Path, point: str, quick: bool) -> None:
    done = interrupted(data_dir, point, "SIGINT", "book", "ana", "massage", "2026-11-24T10:00", quick=quick)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("Booked ana.b1: massage on 2026-11-24 10:00 (60 min), drawn from ana.p1 (the only eligible "
                           "package); fee 0.00 + 0.00 tax EUR\n")
    assert done.stderr == WARNED.format(sig="Ctrl-C", n=1)
    assert [e["type"] for e in events(data_dir)].count("booked") == 1
    checked = shop("check")
    assert (checked.exit_code, checked.stdout) == (0, "No problems found\n")  # the views were written too
    again = shop("book", "ana", "massage", "2026-11-24T10:00")  # a script that ran it again would be told
    assert again.exit_code == 1 and "already booked" in again.stderr


def test_sigterm_after_the_journal_write_is_held_too(shop, data_dir: Path) -> None:
    done = interrupted(data_dir, "journal-written", "SIGTERM", "client", "add", "bea", "--name", "Bea")
    assert (done.returncode, done.stdout) == (0, "Added client bea\n")
    assert done.stderr == WARNED.format(sig="SIGTERM", n=1)
    assert shop("client", "show", "bea").exit_code == 0


def test_every_access_code_of_a_file_of_sales_is_printed(shop, data_dir: Path, tmp_path: Path) -> None:
    rows = tmp_path / "sales.csv"
    rows.write_text("client,package,ref\n" + "".join(f"ana,five,r{i}\n" for i in range(20)), encoding="utf-8")
    done = interrupted(data_dir, "journal-written", "SIGINT", "sell", "--csv", str(rows), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith(WARNED.format(sig="Ctrl-C", n=20))
    printed = done.stdout.splitlines()
    assert len(printed) == 21 and all(line.count(",") >= 3 for line in printed[1:])
    codes = [line for line in printed[1:] if "-" in line.split(",")[-1] or "-" in line]
    assert len(codes) == 20
    assert [e["type"] for e in events(data_dir)].count("sold") == 21


@pytest.mark.parametrize("quick", [True, False], ids=["quick path", "typer"])
def test_ctrl_c_before_the_journal_write_aborts_with_nothing_recorded(shop, data_dir: Path, quick: bool) -> None:
    before = tree_hash(data_dir)
    done = interrupted(data_dir, "locked", "SIGINT", "book", "ana", "massage", "2026-11-24T10:00", quick=quick)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "\nerror: aborted\n")
    assert tree_hash(data_dir) == before


def test_a_second_ctrl_c_stops_at_once_and_says_what_stays_recorded(shop, data_dir: Path) -> None:
    done = interrupted(data_dir, "journal-written", "SIGINT*2", "book", "ana", "massage", "2026-11-24T10:00")
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == ("\nwarning: interrupted after this command recorded its events; they stay recorded "
                           "(see 'sessionpack log')\n")
    assert [e["type"] for e in events(data_dir)].count("booked") == 1
    assert shop("client", "add", "bea", "--name", "Bea").exit_code == 0  # (brings the views up to date)
    checked = shop("check")
    assert (checked.exit_code, checked.stdout) == (0, "No problems found\n")


def test_the_hold_ends_with_the_command(tmp_path: Path) -> None:
    """In one process: the append holds SIGINT only when asked, notes it, and
    ``release_interrupts`` puts the handler back and says what came."""
    from sessionpack.storage import fsio

    journal = tmp_path / "j"
    journal.write_bytes(b"")
    before = signal.getsignal(signal.SIGINT)
    fsio.append_durably(str(journal), b"a\n")  # not asked: nothing held
    assert signal.getsignal(signal.SIGINT) is before
    assert fsio.release_interrupts() == (None, False)
    fsio.hold_interrupts_at_commit()
    assert fsio.release_interrupts() == (None, False)  # asked, but no append came
    fsio.hold_interrupts_at_commit()
    fsio.append_durably(str(journal), b"b\n")
    os.kill(os.getpid(), signal.SIGINT)  # noted, not raised
    assert fsio.release_interrupts() == (signal.SIGINT, True)
    assert signal.getsignal(signal.SIGINT) is before
    assert journal.read_bytes() == b"a\nb\n"
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        signal.getsignal(signal.SIGINT)  # (a bytecode boundary for the handler to run at)


def test_a_second_interrupt_during_the_append_waits_for_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sessionpack.storage import fsio

    journal = tmp_path / "j"
    journal.write_bytes(b"")
    real_write_all = fsio._write_all

    def write_all(fd: int, data: bytes) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)  # (each handled at once: the second, during the append, is deferred)
        real_write_all(fd, data)

    monkeypatch.setattr(fsio, "_write_all", write_all)
    fsio.hold_interrupts_at_commit()
    try:
        with pytest.raises(KeyboardInterrupt):
            fsio.append_durably(str(journal), b"whole\n")
        assert journal.read_bytes() == b"whole\n"  # written and fsynced before it stopped
    finally:
        assert fsio.release_interrupts() == (None, True)
