"""Durable, private file writes.

Every file is created 0600 and every directory 0700 whatever the umask.
A replaced file is written to a temporary file in the same directory,
fsynced, renamed over the old one, and the directory is fsynced, so a crash
leaves either the old or the new content, never a mix.
"""

from __future__ import annotations

import errno
import os

from ..errors import DataDirError
from .crash import crash_point, wants

FILE_MODE = 0o600
DIR_MODE = 0o700


def disk_error(path: str, err: OSError) -> DataDirError:
    """One clear line for a failed write, with what to do."""
    if err.errno == errno.ENOSPC:
        return DataDirError(f"no space left on the device holding {path}; free some space and run the command again (nothing was changed)")
    if err.errno == errno.EFBIG:
        return DataDirError(f"{path} reached the file-size limit; raise the limit (ulimit -f) and run the command again (nothing was changed)")
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return DataDirError(f"cannot write {path}: {err.strerror}; check the data directory's permissions (nothing was changed)")
    return DataDirError(f"cannot write {path}: {err.strerror or err}; nothing was changed")


def fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_dir(path: str) -> None:
    """Create a private directory (and its missing parents' last level)."""
    try:
        os.mkdir(path, DIR_MODE)
    except FileExistsError:
        if not os.path.isdir(path):
            raise DataDirError(f"{path} exists and is not a directory; move it away") from None
        return
    os.chmod(path, DIR_MODE)
    fsync_dir(os.path.dirname(os.path.abspath(path)))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def atomic_write(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` durably and atomically (mode 0600)."""
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(directory)
    except OSError as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise disk_error(path, err) from err


def create_file(path: str, data: bytes) -> None:
    """Create a new file (refusing to overwrite) durably, mode 0600."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except OSError as err:
        raise disk_error(path, err) from err
    try:
        os.fchmod(fd, FILE_MODE)
        _write_all(fd, data)
        os.fsync(fd)
    except OSError as err:
        os.close(fd)
        os.unlink(path)
        raise disk_error(path, err) from err
    os.close(fd)
    fsync_dir(os.path.dirname(os.path.abspath(path)))


def append_durably(path: str, data: bytes) -> tuple[int, int]:
    """Append ``data`` in one write and fsync; return (offset before, after).

    On any failure the file is truncated back to its size before the call,
    so a refused or failed command leaves the journal exactly as it was.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    except OSError as err:
        raise disk_error(path, err) from err
    try:
        start = os.fstat(fd).st_size
        try:
            if wants("journal-partial"):
                _write_all(fd, data[: max(1, len(data) // 2)])
                os.fsync(fd)
                crash_point("journal-partial")
            _write_all(fd, data)
            os.fsync(fd)
        except OSError as err:
            try:
                os.ftruncate(fd, start)
                os.fsync(fd)
            except OSError:
                pass
            raise disk_error(path, err) from err
        return start, start + len(data)
    finally:
        os.close(fd)


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()
