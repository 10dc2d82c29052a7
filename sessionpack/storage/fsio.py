"""Durable, private file writes.

Every file is created 0600 and every directory 0700 whatever the umask.
A replaced file is written to a temporary file in the same directory,
fsynced, renamed over the old one, and the directory is fsynced, so a crash
leaves either the old or the new content, never a mix.

Nothing here follows a symbolic link: a temporary file is created
exclusively under a name no one can guess (``O_CREAT|O_EXCL|O_NOFOLLOW``),
and a file of the data directory that turns out to be a link is refused
(``DataDirError``, exit 3) rather than read or written through. Temporary
files left by a killed command (``.NAME.PID.RANDOM.tmp``) are removed by
``remove_leftovers`` under the exclusive lock.
"""

from __future__ import annotations

import errno
import os
import stat  # (os imports it: no cost)

from ..errors import DataDirError
from .crash import crash_point, wants

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable

FILE_MODE = 0o600
DIR_MODE = 0o700


def disk_error(path: str, err: OSError) -> DataDirError:
    """One clear line for a failed write, with what to do."""
    if err.errno == errno.ENOSPC:
        return DataDirError(f"no space left on the device holding {path}; free some space and run the command again (nothing was changed)")
    if err.errno == errno.EFBIG:
        return DataDirError(f"{path} reached the file-size limit; raise the limit (ulimit -f) and run the command again (nothing was changed)")
    if isinstance(err, DataDirError):  # a folder or a pipe where the file should be (not_a_file)
        return err
    if err.errno == errno.EISDIR:
        return not_a_file(path, stat.S_IFDIR)
    if err.errno == errno.EROFS:
        return DataDirError(f"cannot write {path}: the data directory is on a read-only file system; a command that "
                            "records something needs it mounted read-write (commands that only read work as they are; "
                            "nothing was changed)")
    if err.errno in (errno.EACCES, errno.EPERM):
        return DataDirError(f"cannot write {path}: {err.strerror}; check the data directory's permissions (nothing was changed)")
    return DataDirError(f"cannot write {path}: {err.strerror or err}; nothing was changed")


NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_TEMP_RE = r"\..+\.[0-9]+(\.[0-9a-f]{16})?\.tmp\Z"  # (older versions: no random part; compiled on first use)


def link_error(path: str) -> DataDirError:
    return DataDirError(
        f"{path} is a symbolic link; sessionpack never reads or writes through a link inside its data "
        "directory: put the file itself there (nothing was changed)"
    )


class FolderInTheWay(IsADirectoryError, DataDirError):
    """A folder where a file of the data directory should be: a DataDirError
    (one line, exit 3) that callers expecting ``IsADirectoryError`` still catch."""


class NotAFile(OSError, DataDirError):
    """A FIFO, socket or device where a file of the data directory should be."""


def not_a_file(path: str, mode: int) -> DataDirError:
    """The error for ``path`` found to be something other than a regular file."""
    if stat.S_ISDIR(mode):
        return FolderInTheWay(f"{path} is a folder, not a file; move it away (nothing was changed)")
    kind = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return NotAFile(f"{path} is {kind}, not a file; move it away (nothing was changed)")


def _open(path: str, flags: int, mode: int) -> int:
    """``os.open`` without following a link in the last place of ``path`` and
    without waiting: a named pipe put where a file should be would otherwise
    block the open until something writes to it (``O_NONBLOCK`` changes
    nothing for a regular file)."""
    try:
        return os.open(path, flags | NOFOLLOW | CLOEXEC | NONBLOCK, mode)
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.EMLINK) and os.path.islink(path):  # EMLINK: the BSDs
            raise link_error(path) from None
        if err.errno == errno.EISDIR:  # a folder opened for writing
            raise not_a_file(path, stat.S_IFDIR) from None
        if err.errno == errno.ENXIO:  # a named pipe opened for writing, nothing reading it
            raise not_a_file(path, stat.S_IFIFO) from None
        raise


def open_file(path: str, flags: int, mode: int = FILE_MODE) -> int:
    """``os.open`` that refuses a symbolic link in the last place of ``path``,
    and anything there that is not a regular file (a folder, a named pipe:
    ``not_a_file``, exit 3), without ever waiting on a pipe."""
    fd = _open(path, flags, mode)
    if flags & os.O_CREAT and flags & os.O_EXCL:
        return fd  # made just now: a regular file
    try:
        st_mode = os.fstat(fd).st_mode
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(st_mode):
        os.close(fd)
        raise not_a_file(path, st_mode)
    return fd


def refuse_link(path: str) -> None:
    """A DataDirError when ``path`` is a symbolic link (a missing path is fine)."""
    if os.path.islink(path):
        raise link_error(path)


LIST_FROM = 64  # names wanted in one folder before listing it may cost less than looking for each


def listing(folder: str, wanted: int) -> set[str] | None:
    """The names in ``folder``, when listing it costs less than looking for
    ``wanted`` names in it one by one (``LIST_FROM`` or more: a listing
    costs about a thousandth of a look per name in the folder, which takes
    about 40 bytes a name); None when it would not, or when the folder
    cannot be listed (each look then says what is wrong). Under the lock,
    the listing stays true while the command runs."""
    if wanted < LIST_FROM:
        return None
    try:
        if wanted * 1024 < os.stat(folder).st_size:  # a folder of many more names than wanted
            return None
        return set(os.listdir(folder))
    except OSError:
        return None


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
        refuse_link(path)
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


def temp_name(path: str) -> str:
    return os.path.join(os.path.dirname(os.path.abspath(path)),
                        f".{os.path.basename(path)}.{os.getpid()}.{os.urandom(8).hex()}.tmp")


def is_leftover(name: str) -> bool:
    """Whether a file name is one of ``atomic_write``'s temporary files."""
    if not (name.startswith(".") and name.endswith(".tmp")):
        return False  # (the pattern needs both: no compile for the files of every scan)
    import re

    return re.match(_TEMP_RE, name) is not None


def remove_leftovers(directory: str, keep: Iterable[str] = ()) -> int:
    """Remove the temporary files killed commands left in ``directory``
    (call under the exclusive lock), but those of ``keep`` (paths: this
    command's own, staged for its commit); the number removed."""
    keep = {os.path.abspath(path) for path in keep}
    removed = 0
    try:
        entries = os.scandir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    with entries:
        for entry in entries:
            if entry.name.startswith(".") and is_leftover(entry.name) and os.path.abspath(entry.path) not in keep:
                try:
                    os.unlink(entry.path)  # a link is removed, never followed
                    removed += 1
                except FileNotFoundError:
                    pass
    return removed


def atomic_write(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` durably and atomically (mode 0600)."""
    directory = os.path.dirname(os.path.abspath(path))
    refuse_link(path)
    tmp = temp_name(path)
    try:
        fd = open_file(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except OSError as err:
        raise disk_error(path, err) from err
    try:
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
        fd = open_file(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
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


# -- interrupts at the commit point ---------------------------------------------------
#
# Once a command begins to append its events to the journal, they may be
# recorded: a Ctrl-C (SIGINT) or a SIGTERM from then on must not stop it
# before it has written its views and told what it recorded (a sale's
# access code is shown only then; a script that saw "aborted" would run it
# again and record it twice). A front end that prints what it recorded
# arms the hold (``hold_interrupts_at_commit``); the append then takes the
# two signals over, only noting them, until the front end has written its
# output and calls ``release_interrupts``, which says whether one came.
# A second one stops the command at once (KeyboardInterrupt), as a person
# who presses Ctrl-C again while a slow hook or a long ``notify`` runs means
# it; what was recorded stays recorded. Before the append an interrupt
# stops the command as usual, nothing recorded.

_HOLD: dict[str, Any] = {"armed": False, "previous": None, "caught": None, "stopped": False, "appending": False,
                         "appended": False}
_HELD_SIGNALS = ("SIGINT", "SIGTERM")


def hold_interrupts_at_commit() -> None:
    """From the next journal append on, hold SIGINT and SIGTERM off (see above)."""
    _HOLD.update(armed=True, appended=False)


def _note(signum: int, frame: Any) -> None:
    if _HOLD["caught"] is not None:  # the second: stop now (release_interrupts then reports none held)
        _HOLD["stopped"] = True
        if not _HOLD["appending"]:  # (else append_durably stops once the append is whole)
            raise KeyboardInterrupt
        return
    _HOLD["caught"] = signum
    if os.isatty(2):  # (os.write: a handler may run in the middle of another write to sys.stderr)
        os.write(2, b"\ninterrupted: this command has begun to record; it finishes and says what it recorded "
                    b"(interrupt again to stop at once)\n")


def _hold_interrupts() -> None:
    if not _HOLD["armed"] or _HOLD["previous"] is not None:
        return
    import _signal as signal  # (what ``signal`` wraps; the hot commands do not load that module and its enums)

    previous = {}
    try:
        for name in _HELD_SIGNALS:
            number = getattr(signal, name)
            previous[number] = signal.signal(number, _note)
    except ValueError:  # not the main thread: signals reach the main thread, which handles them itself
        for number, handler in previous.items():
            signal.signal(number, handler)
        return
    _HOLD["previous"] = previous


def release_interrupts() -> tuple[int | None, bool]:
    """Stop holding interrupts (the handlers before are put back) and disarm.
    Returns the signal that came while they were held, if any (not
    delivered again; None after a second one stopped the command: its
    KeyboardInterrupt says so), and whether a journal append was made
    since ``hold_interrupts_at_commit`` (a command stopped right after it
    has recorded its events)."""
    previous, caught = _HOLD["previous"], None if _HOLD["stopped"] else _HOLD["caught"]
    appended = _HOLD["appended"]
    _HOLD.update(armed=False, previous=None, caught=None, stopped=False, appending=False, appended=False)
    if previous is not None:
        import _signal as signal

        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
    return caught, appended


def append_durably(path: str, data: bytes) -> tuple[int, int]:
    """Append ``data`` in one write and fsync; return (offset before, after).

    On any failure the file is truncated back to its size before the call,
    so a refused or failed command leaves the journal exactly as it was.
    From here on, interrupts are held when a front end asked for it
    (``hold_interrupts_at_commit``); even a second one waits for the end
    of the append, so the command never stops between its write and fsync.
    """
    _hold_interrupts()
    _HOLD["appending"] = True
    try:
        written = _append(path, data)
    finally:
        _HOLD["appending"] = False
    _HOLD["appended"] = _HOLD["armed"]
    if _HOLD["stopped"]:
        raise KeyboardInterrupt  # a second interrupt came during the append: stop, now that it is whole
    return written


def _append(path: str, data: bytes) -> tuple[int, int]:
    try:
        fd = open_file(path, os.O_WRONLY | os.O_APPEND)
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
    """The whole file; a symbolic link is refused (FileNotFoundError passes).

    Read with plain system calls, its size first: a file object would cost
    a few more calls per file (a full replay reads tens of thousands)."""
    fd = _open(path, os.O_RDONLY, FILE_MODE)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # (checked here, on the one fstat a read makes anyway)
            raise not_a_file(path, st.st_mode)
        size = st.st_size
        data = os.read(fd, size + 1)
        if len(data) == size:
            return data
        chunks = [data]  # it changed since, or a read stops short (2 GiB at most): on to the end
        while data:
            data = os.read(fd, 1 << 20)
            chunks.append(data)
        return b"".join(chunks)
    finally:
        os.close(fd)


def open_binary(path: str):  # type: ignore[no-untyped-def]
    """A file of the data directory opened for reading, never through a link."""
    return os.fdopen(open_file(path, os.O_RDONLY), "rb")
