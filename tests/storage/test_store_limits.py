"""The operating system says no: file-size limit, umask, a lock held by someone else."""

from __future__ import annotations

import fcntl
import os
import resource
import stat
from pathlib import Path

import pytest

from storage_util import assert_check_clean, inproc, parse_client_csv, run, snapshot, stderr_lines

LOCK_MESSAGE = "error: another sessionpack command has held the data directory lock for over 0.3 s; try again later\n"
SHORT_WAIT = {"SESSIONPACK_LOCK_TIMEOUT": "0.3"}


# -- file-size limit (stands in for a full disk: same path, EFBIG instead of ENOSPC) --


@pytest.mark.parametrize("room", [10, 0])
def test_append_beyond_the_file_size_limit_changes_nothing(practice, data_dir: Path, room: int) -> None:
    journal = data_dir / "journal.jsonl"
    limit = journal.stat().st_size + room
    before = snapshot(data_dir)

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = run(data_dir, "client", "add", "bob", "--name", "Bob Reis", preexec_fn=limit_file_size)
    assert result.returncode == 3
    assert result.stdout == ""
    assert stderr_lines(result.stderr) == [
        f"error: {journal} reached the file-size limit; raise the limit (ulimit -f) and run the command again (nothing was changed)"
    ]
    # The partly written bytes were cut off again: journal and views as before.
    assert snapshot(data_dir) == before
    assert_check_clean(data_dir)

    # Without the limit the same command goes through.
    again = run(data_dir, "client", "add", "bob", "--name", "Bob Reis")
    assert (again.returncode, again.stderr) == (0, "")
    assert_check_clean(data_dir)


# -- permissions -----------------------------------------------------------------


def test_every_file_is_private_under_umask_000(sp, data_dir: Path) -> None:
    def open_umask() -> None:
        os.umask(0)

    data_dir.mkdir(mode=0o777)
    os.chmod(data_dir, 0o777)  # an existing empty directory, wide open
    steps = [
        ("init", "--name", "Studio", "--currency", "EUR", "--timezone", "Europe/Lisbon"),
        ("service", "add", "massage", "--name", "Massage 60", "--duration", "60", "--price", "90"),
        ("client", "add", "ana", "--name", "Ana Lima"),
        ("client", "edit", "ana", "--email", "ana@example.com"),
    ]
    for args in steps:
        result = run(data_dir, *args, preexec_fn=open_umask)
        assert (result.returncode, result.stderr) == (0, ""), args
    # A torn line moved aside and a rebuild, also under umask 000.
    with open(data_dir / "journal.jsonl", "ab") as handle:
        handle.write(b'{"half":')
    moved = run(data_dir, "client", "edit", "ana", "--phone", "+351 912 345 678", preexec_fn=open_umask)
    assert moved.returncode == 0 and "torn/" in moved.stderr
    rebuilt = run(data_dir, "check", "--rebuild", preexec_fn=open_umask)
    assert rebuilt.returncode == 0, rebuilt.stderr

    seen_files = set()
    for here, dirs, files in os.walk(data_dir):
        assert stat.S_IMODE(os.stat(here).st_mode) == 0o700, here
        for name in files:
            path = os.path.join(here, name)
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
            seen_files.add(os.path.relpath(path, data_dir))
    assert {"settings.toml", "journal.jsonl", "lock", "services/massage.toml", "views/index.json", "views/clients/ana.json"} <= seen_files
    assert any(name.startswith("torn/") for name in seen_files)


# -- the lock ----------------------------------------------------------------------


class HeldLock:
    """The data directory's lock, held by this (test) process."""

    def __init__(self, data_dir: Path, mode: int) -> None:
        self.fd = os.open(data_dir / "lock", os.O_RDWR)
        fcntl.flock(self.fd, mode | fcntl.LOCK_NB)

    def release(self) -> None:
        os.close(self.fd)


def test_exclusive_lock_held_makes_writers_and_readers_give_up(practice, data_dir: Path) -> None:
    lock = data_dir / "lock"
    inode = lock.stat().st_ino
    before = snapshot(data_dir)
    held = HeldLock(data_dir, fcntl.LOCK_EX)
    try:
        results = {
            "writer": run(data_dir, "client", "add", "bob", "--name", "Bob", env=SHORT_WAIT),
            "reader": run(data_dir, "client", "list", "--format", "csv", env=SHORT_WAIT),
            "check": run(data_dir, "check", env=SHORT_WAIT),
        }
    finally:
        held.release()
    for what, result in results.items():
        assert (result.returncode, result.stderr, result.stdout) == (75, LOCK_MESSAGE, ""), what
    assert snapshot(data_dir) == before
    assert lock.exists() and lock.stat().st_ino == inode

    # Released: the same commands go through, and the lock file stays.
    added = run(data_dir, "client", "add", "bob", "--name", "Bob", env=SHORT_WAIT)
    assert (added.returncode, added.stderr) == (0, "")
    assert lock.stat().st_ino == inode
    assert_check_clean(data_dir)


def test_shared_lock_held_lets_readers_in_but_not_writers(practice, data_dir: Path) -> None:
    before = snapshot(data_dir)
    held = HeldLock(data_dir, fcntl.LOCK_SH)
    try:
        reader = run(data_dir, "client", "list", "--format", "csv", env=SHORT_WAIT)
        writer = run(data_dir, "client", "add", "bob", "--name", "Bob", env=SHORT_WAIT)
        rebuild = inproc(data_dir, "check", "--rebuild")  # wants the exclusive lock too
    finally:
        held.release()
    assert (reader.returncode, reader.stderr) == (0, "")
    assert parse_client_csv(reader.stdout) == ["ana"]
    assert (writer.returncode, writer.stderr) == (75, LOCK_MESSAGE)
    assert rebuild.returncode == 75
    assert snapshot(data_dir) == before


def test_the_lock_file_is_never_deleted(practice, data_dir: Path) -> None:
    lock = data_dir / "lock"
    inode = lock.stat().st_ino
    for args in (["client", "add", "bob", "--name", "Bob"], ["check", "--rebuild"], ["check"], ["client", "list"]):
        assert inproc(data_dir, *args).returncode == 0, args
    killed = run(data_dir, "client", "add", "carol", "--name", "Carol", env={"SESSIONPACK_TEST_CRASH_AT": "before-index"})
    assert killed.returncode == -9
    assert inproc(data_dir, "client", "list").returncode == 0
    assert lock.stat().st_ino == inode and lock.stat().st_size == 0


def test_a_missing_lock_file_is_a_damaged_directory(practice, data_dir: Path) -> None:
    (data_dir / "lock").unlink()
    before = snapshot(data_dir)
    for args in (["client", "add", "bob", "--name", "Bob"], ["client", "list"]):
        result = run(data_dir, *args)
        assert result.returncode == 3, args
        assert result.stderr == (
            f"error: the lock file {data_dir / 'lock'} is missing; the data directory is damaged "
            "(recreate the empty file with mode 0600, then run 'sessionpack check')\n"
        )
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "inf", "1e9", "٣"])
def test_a_lock_timeout_that_is_not_a_number_of_seconds_is_refused(practice, data_dir: Path, value: str) -> None:
    before = snapshot(data_dir)
    result = run(data_dir, "client", "add", "bob", "--name", "Bob Reis", env={"SESSIONPACK_LOCK_TIMEOUT": value})
    assert (result.returncode, result.stdout) == (2, "")
    assert stderr_lines(result.stderr) == [f"error: SESSIONPACK_LOCK_TIMEOUT={value!r} is not a number of seconds from 0 to 3600; "
                                           "set it like SESSIONPACK_LOCK_TIMEOUT=30, or unset it for the default of 10"]
    assert snapshot(data_dir) == before
