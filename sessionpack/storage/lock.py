"""The exclusive lock of a data directory.

The lock file is created once by ``init`` and never deleted: deleting it
would let two processes hold "the" lock on two different inodes. Waiting is
bounded (``SESSIONPACK_LOCK_TIMEOUT`` seconds, default 10), then the
command gives up with exit 75 so a script can retry.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time

from ..errors import DataDirError, TemporaryError
from .fsio import FILE_MODE, open_file

DEFAULT_TIMEOUT = 10.0


def lock_timeout() -> float:
    """``SESSIONPACK_LOCK_TIMEOUT``: seconds, 0 to 3600 (empty: the default)."""
    text = os.environ.get("SESSIONPACK_LOCK_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text) if text.isascii() else -1.0
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:  # (also refuses nan and inf)
        from ..errors import InputError

        raise InputError(f"SESSIONPACK_LOCK_TIMEOUT={text!r} is not a number of seconds from 0 to 3600; "
                         "set it like SESSIONPACK_LOCK_TIMEOUT=30, or unset it for the default of 10")
    return value


class DirLock:
    """``with DirLock(path, exclusive=True): ...`` — flock with bounded wait."""

    def __init__(self, path: str, exclusive: bool = True, timeout: float | None = None) -> None:
        self.path = path
        self.exclusive = exclusive
        self.timeout = lock_timeout() if timeout is None else timeout
        self.fd: int | None = None

    def acquire(self) -> None:
        # A reader opens the lock file read-only: a shared flock needs no more,
        # so a data directory that cannot be written (a backup on read-only
        # media, a lock file not writable by this user) can still be read.
        try:
            fd = open_file(self.path, os.O_RDWR if self.exclusive else os.O_RDONLY)
        except FileNotFoundError:
            raise DataDirError(
                f"the lock file {self.path} is missing; the data directory is damaged "
                "(recreate the empty file with mode 0600, then run 'sessionpack check')"
            ) from None
        except DataDirError:
            raise  # a link, a folder or a pipe where the lock file should be
        except OSError as err:
            raise self._open_error(err) from None
        mode = fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + self.timeout
        delay = 0.002
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise TemporaryError(
                        f"another sessionpack command has held the data directory lock for over "
                        f"{self.timeout:g} s; try again later"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
            except OSError as err:  # (a file system without locks, say)
                os.close(fd)
                raise DataDirError(f"cannot lock {self.path}: {err.strerror or err}; "
                                   "put the data directory on a local file system (nothing was changed)") from None
        self.fd = fd

    def _open_error(self, err: OSError) -> DataDirError:
        """One line for a lock file that cannot be opened, with what to do."""
        if not self.exclusive:
            return DataDirError(f"cannot read the lock file {self.path}: {err.strerror or err}; let the user who runs "
                                "sessionpack read it (chmod u+r) and run the command again")
        if err.errno == errno.EROFS:
            return DataDirError(
                f"the data directory {os.path.dirname(self.path)} is on a read-only file system: commands that only "
                "read work there, a command that records something needs it mounted read-write (nothing was changed)")
        return DataDirError(
            f"cannot open the lock file {self.path} for writing: {err.strerror or err}; a command that records "
            "something needs to: let the user who runs sessionpack write it (chmod u+rw; an immutable file: chattr -i) "
            "and run the command again (nothing was changed)")

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None

    def __enter__(self) -> "DirLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def create_lock_file(path: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    os.close(fd)
