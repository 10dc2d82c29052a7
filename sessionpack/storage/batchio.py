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
and the replay is idempotent.

A batch smaller than ``BATCH_FROM`` (the few files of one sale or one
booking) is flushed by fsyncing its temporary files, and then its
directories, all at once from several threads (``fsync_all``): the file
system's journal commits them together, where one fsync after the other
waits for a commit each. Each file is still durable before any is renamed,
and each group's directories before the next group is renamed.

``write_groups`` does the same for groups that must be replaced in order
(a commit's shards before its client views): one flush for all of them,
then steps 3 and 4 group by group.

A file to be replaced that is a symbolic link is refused before anything
is renamed. Where a batch puts many files into one folder (ten thousand
new client views), the folder is listed once and only the files already
there are looked at (``_Temps``); the per-folder names and random parts of
the temporary files are likewise worked out once for the batch.
"""

from __future__ import annotations

import os
from itertools import chain, islice

from .crash import crash_point, fail_point
from .fsio import FILE_MODE, LIST_FROM, _write_all, disk_error, listing, open_file, refuse_link

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable

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


class _Temps:
    """Temporary names for a batch, as ``fsio.temp_name`` makes them
    (``.NAME.PID.RANDOM.tmp`` beside the file), with what is the same for
    many files worked out once: each folder's absolute path, the process
    id, and the random parts, read from the system 64 at a time.

    It also says which files may be links (``may_be_link``): each file is
    looked at (``refuse_link``) until ``LIST_FROM`` files go to its folder;
    then, if the folder is not much larger than what goes to it, it is
    listed once, and a file not in the listing (a new client's view) is
    known to be no link without a look. The lock keeps anything else from
    making files there meanwhile."""

    __slots__ = ("_folders", "_pid", "_random", "_used", "_counts", "_listed")

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}  # folder as given -> absolute
        self._pid = str(os.getpid())
        self._random = ""
        self._used = 0
        self._counts: dict[str, int] = {}  # files into each folder so far
        self._listed: dict[str, set[str]] = {}  # names in a folder, where it was listed

    def folder(self, path: str) -> tuple[str, str]:
        """(absolute folder, file name) of ``path``."""
        head, name = os.path.split(path)
        folder = self._folders.get(head)
        if folder is None:
            folder = self._folders[head] = os.path.dirname(os.path.abspath(path))
        return folder, name

    def name(self, folder: str, base: str) -> str:
        if self._used == len(self._random):
            self._random, self._used = os.urandom(8 * 64).hex(), 0
        token = self._random[self._used:self._used + 16]  # unguessable: nothing can be planted there
        self._used += 16
        return f"{folder}{os.sep}.{base}.{self._pid}.{token}.tmp"

    def may_be_link(self, folder: str, base: str) -> bool:
        """False only when ``base`` was not in ``folder`` when it was listed."""
        listed = self._listed.get(folder)
        if listed is None:
            count = self._counts[folder] = self._counts.get(folder, 0) + 1
            listed = listing(folder, count) if not count % LIST_FROM else None
            if listed is None:
                return True
            self._listed[folder] = listed
        return base in listed


class Staged:
    """New bytes of a file already in a temporary file (``stage``): ``write_groups``
    flushes and renames it as if it had written it."""

    __slots__ = ("temp",)

    def __init__(self, temp: str) -> None:
        self.temp = temp


def stage(items: Iterable[tuple[str, str, bytes]], folder: str) -> dict[str, str]:
    """Write each ``(key, path, data)`` to a temporary file in ``folder``
    (made by the caller, on the file system of the paths), to be flushed
    and renamed over its path by ``write_groups`` (given as ``Staged``);
    returns key -> temporary file. A path that is a link is left out: it
    is refused when written. Nothing is flushed here; a file not renamed
    in the end is taken away with its folder (``drop_stage``). It stops at
    the first file it cannot write (a full disk): those not staged are
    written by ``write_groups`` as any other, which says what went wrong."""
    staged: dict[str, str] = {}
    temps = _Temps()
    tmp = ""
    try:
        for key, path, data in items:
            head, base = temps.folder(path)
            if temps.may_be_link(head, base) and os.path.islink(path):
                continue
            tmp = temps.name(folder, base)
            _write_new(tmp, data)
            staged[key], tmp = tmp, ""
            fail_point("staging")
    except OSError:
        if tmp:  # (the file it could not write whole)
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return staged


def drop_stage(folder: str) -> None:
    """Take away a ``stage`` folder and what is left in it (nothing once its
    files were renamed into place)."""
    try:
        if os.path.islink(folder):
            os.unlink(folder)  # (never followed)
        else:
            os.rmdir(folder)
    except FileNotFoundError:
        pass
    except OSError:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def _write_temp(path: str, data: bytes, crash: str, pending: list[tuple[str, str, str, str]], temps: _Temps) -> None:
    folder, base = temps.folder(path)
    if data.__class__ is Staged:  # (written already: ``stage``)
        pending.append((data.temp, path, crash, folder))  # type: ignore[attr-defined]
        return
    if temps.may_be_link(folder, base):
        refuse_link(path)
    tmp = temps.name(folder, base)
    pending.append((tmp, path, crash, folder))  # (taken away if anything fails from here)
    _write_new(tmp, data)


def _write_new(tmp: str, data: bytes) -> None:
    """A new temporary file holding ``data`` (mode 0600), not flushed."""
    fd = _open_new(tmp)
    try:
        os.fchmod(fd, FILE_MODE)
        _write_all(fd, data)
    finally:
        os.close(fd)


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)  # a file or a directory: fsync needs no write access on Linux
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_all(paths: list[str], together: bool = True) -> None:
    """fsync each path; ``together``: from one thread each, at once (their
    flushes then share the file system's commits). Raises the first error,
    after every fsync has ended."""
    if not together or len(paths) < 2:
        for path in paths:
            _fsync(path)
        return
    import _thread  # built in: no import cost, unlike threading

    errors: list[BaseException] = []
    done = []

    def flush(path: str, lock: Any) -> None:
        try:
            _fsync(path)
        except BaseException as err:  # noqa: BLE001 - handed to the caller
            errors.append(err)
        finally:
            lock.release()

    for path in paths[1:]:
        lock = _thread.allocate_lock()
        lock.acquire()
        try:
            _thread.start_new_thread(flush, (path, lock))
        except RuntimeError:  # no thread to be had: this one flushes it
            flush(path, lock)
        done.append(lock)
    try:
        _fsync(paths[0])
    finally:
        for lock in done:
            lock.acquire()  # each thread's end
    if errors:
        raise errors[0]


def write_many(items: Iterable[tuple[str, bytes]], crash: str) -> None:
    """Replace each path with its bytes, durably (see the module's text);
    ``crash`` names the crash point reached after the first file."""
    write_groups([(items, crash)])


def write_groups(groups: list[tuple[Iterable[tuple[str, bytes]], str]]) -> None:
    """``write_many`` of several groups in order, with one flush for all:
    every temporary file is written and flushed first, then each group's
    files are renamed and its directories fsynced before the next group's
    are renamed (a crash leaves a later group's old files only if every
    earlier group is new or also old). ``crash`` of a group is the crash
    point reached after each of its files."""
    tagged = ((crash, path, data) for items, crash in groups for path, data in items)
    head = list(islice(tagged, BATCH_FROM))
    few = len(head) < BATCH_FROM
    pending: list[tuple[str, str, str, str]] = []  # (temporary file, file, crash point, its absolute folder)
    temps = _Temps()
    renamed = 0
    path = ""
    try:
        for crash, path, data in chain(head, tagged):
            _write_temp(path, data, crash, pending, temps)
        if not pending:
            return
        if few:
            fsync_all([entry[0] for entry in pending])
        else:
            devices = {os.stat(d).st_dev: d for d in sorted({entry[3] for entry in pending})}
            if not all([_syncfs(d) for d in devices.values()]):
                fsync_all([entry[0] for entry in pending], together=False)
        folders: set[str] = set()
        for number, (tmp, path, crash, folder) in enumerate(pending):
            os.replace(tmp, path)
            renamed += 1
            folders.add(folder)
            crash_point(crash)
            if number + 1 == len(pending) or pending[number + 1][2] != crash:  # the group's last file
                fsync_all(sorted(folders), together=few)
                folders = set()
    except BaseException as err:
        for tmp, *_ in pending[renamed:]:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if isinstance(err, OSError):
            raise disk_error(path, err) from err
        raise
