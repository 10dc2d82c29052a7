"""Replacing many view files at once, durably, with one flush to disk.

``fsio.atomic_write`` makes one file durable at a time: temporary file,
fsync, rename, fsync of the directory. That costs a few milliseconds per
file, which is nothing for a command that touches three views and most of
a minute for one that touches ten thousand (a file of sales, one per
client). ``write_many`` keeps the same guarantee for a batch:

1. every new content is written to its temporary file in the same
   directory (created exclusively, never through a link, mode 0600);
2. the file system is flushed once (``syncfs``; where there is none, each
   temporary file is fsynced);
3. each temporary file is renamed over its target;
4. each directory is fsynced.

A crash before 3 leaves the old files (and temporary files, which are never
read as views); during 3, some old and some new files, which the next
command repairs as after any interrupted view write: the index, written
last by the caller, still names the journal position the old files reflect,
and the replay is idempotent. A batch smaller than ``BATCH_FROM`` is written
file by file with ``atomic_write``, as before.
"""

from __future__ import annotations

import os
from itertools import chain, islice

from .crash import crash_point
from .fsio import FILE_MODE, _write_all, atomic_write, disk_error, fsync_dir, open_file, refuse_link, temp_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable

BATCH_FROM = 32


def _open_new(path: str) -> int:
    """A new temporary file, created exclusively and never through a link."""
    return open_file(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)


def _syncfs(directory: str) -> bool:
    """Flush the file system holding ``directory``; False where there is no syncfs."""
    try:
        import ctypes

        call = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError, ImportError):
        return False
    fd = os.open(directory, os.O_RDONLY)
    try:
        if call(fd) != 0:
            number = ctypes.get_errno()
            raise OSError(number, os.strerror(number))
    finally:
        os.close(fd)
    return True


def write_many(items: Iterable[tuple[str, bytes]], crash: str) -> None:
    """Replace each path with its bytes, durably (see the module's text);
    ``crash`` names the crash point reached after the first file."""
    items = iter(items)
    head = list(islice(items, BATCH_FROM))
    if len(head) < BATCH_FROM:
        for path, data in head:
            atomic_write(path, data)
            crash_point(crash)
        return
    pending: list[tuple[str, str]] = []
    renamed = 0
    path = ""
    try:
        for path, data in chain(head, items):
            refuse_link(path)
            tmp = temp_name(path)  # unguessable: nothing can be planted there
            fd = _open_new(tmp)
            pending.append((tmp, path))
            try:
                os.fchmod(fd, FILE_MODE)
                _write_all(fd, data)
            finally:
                os.close(fd)
        directories = sorted({os.path.dirname(os.path.abspath(p)) for _, p in pending})
        devices = {os.stat(d).st_dev: d for d in directories}
        if not all([_syncfs(d) for d in devices.values()]):
            for tmp, path in pending:
                fd = os.open(tmp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        for tmp, path in pending:
            os.replace(tmp, path)
            renamed += 1
            crash_point(crash)
        for directory in directories:
            fsync_dir(directory)
    except OSError as err:
        for tmp, _ in pending[renamed:]:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise disk_error(path, err) from err
