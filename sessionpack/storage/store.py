"""Opening a data directory, keeping its views consistent, committing events.

Every command runs inside ``store.reading()`` (shared lock) or
``store.writing()`` (exclusive lock). Both first make sure the views reflect
the whole journal: a torn last line is moved aside to ``torn/``, and events
the views have not seen (a crash between the journal commit and the view
writes) are replayed from the journal's tail. A write transaction then has
one commit point: ``commit(events)`` appends every event of the command in
one write and fsyncs; the views follow: first the whole-practice shards
(``shards``), then the client views, the directory and sales count, and
last the index, which records the journal position they all reflect.

Views made by an older sessionpack (``views/index.json`` of an older
format) are rebuilt from the journal, under the exclusive lock, by the first
command that opens the directory: views are derived, so this loses nothing.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Callable, Iterator

from ..domain import ledger
from ..domain.settings import FORMAT_VERSION, Settings, settings_from_mapping
from ..errors import DataDirError, FieldError, FileProblem, SessionpackError
from . import journal, layout, shards
from .crash import crash_point
from .fsio import append_durably, atomic_write, create_file, make_dir, read_bytes
from .lock import DirLock
from .tomlfile import field_problem, read_toml


def encode_view(view: dict[str, Any]) -> bytes:
    return (json.dumps(view, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def not_initialised(root: str) -> DataDirError:
    return DataDirError(
        f"{root} is not a sessionpack data directory (no settings.toml); "
        "create one with 'sessionpack init' or point --data-dir / SESSIONPACK_DATA_DIR at yours"
    )


def load_settings(root: str) -> Settings:
    path = os.path.join(root, layout.SETTINGS)
    if not os.path.isdir(root):
        raise DataDirError(
            f"data directory {root} does not exist; create it with 'sessionpack init' "
            "or point --data-dir / SESSIONPACK_DATA_DIR at yours"
        )
    if not os.path.exists(path):
        raise not_initialised(root)
    data, text = read_toml(path, layout.SETTINGS, problem=FileProblem)
    fmt = data.get("format")
    if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt > FORMAT_VERSION:
        raise DataDirError(
            f"{layout.SETTINGS}: this data directory has format {fmt}, written by a newer sessionpack; "
            f"this version reads format {FORMAT_VERSION}: upgrade sessionpack"
        )
    try:
        return settings_from_mapping(data)
    except FieldError as err:
        raise field_problem(layout.SETTINGS, text, err, problem=FileProblem) from None


class Store:
    """One opened data directory with the clock and actor of this command."""

    def __init__(self, root: str, settings: Settings, now: datetime, actor: str) -> None:
        self.root = root
        self.settings = settings
        self.now = now
        self.actor = actor
        self.warnings: list[str] = []
        # Called with (root, recorded events) after a write; returns warnings.
        self.after_commit: Callable[[str, list[dict[str, Any]]], list[str]] | None = None
        # The views as this command's own commit left them, in memory: what it
        # prints comes from here, whether or not the view files could be written.
        self._fresh_clients: dict[str, dict[str, Any]] = {}
        self._fresh_small: dict[str, dict[str, Any]] = {}
        self._lock_path = os.path.join(root, layout.LOCK)
        self._journal_path = os.path.join(root, layout.JOURNAL)

    # -- paths ---------------------------------------------------------------

    def path(self, *parts: str) -> str:
        return os.path.join(self.root, *parts)

    # -- transactions ----------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator["Transaction"]:
        """A consistent read under the shared lock (exclusive only to repair)."""
        lock = DirLock(self._lock_path, exclusive=False)
        while True:
            lock.acquire()
            try:
                index = self._read_index()
                consistent = self._consistent(index)
            except BaseException:
                lock.release()
                raise
            if consistent:
                break
            lock.release()
            with DirLock(self._lock_path, exclusive=True):
                self._make_consistent()
        try:
            yield Transaction(self, index, writable=False)
        finally:
            lock.release()

    @contextmanager
    def locked(self, exclusive: bool) -> Iterator[None]:
        """The lock alone, without repairing views (for ``check``)."""
        with DirLock(self._lock_path, exclusive=exclusive):
            yield

    @contextmanager
    def writing(self) -> Iterator["Transaction"]:
        """Exclusive lock; validate against current state; one commit."""
        with DirLock(self._lock_path, exclusive=True):
            self._check_journal_header()  # never append to a journal of a newer format
            index = self._make_consistent()
            tx = Transaction(self, index, writable=True)
            yield tx
        if tx.committed and self.after_commit is not None:
            # After the lock is released: a slow hook never blocks other commands.
            self.warnings.extend(self.after_commit(self.root, tx.committed))

    # -- consistency -----------------------------------------------------------

    def _read_index(self) -> dict[str, Any]:
        path = self.path(layout.INDEX)
        try:
            raw = read_bytes(path)
        except FileNotFoundError:
            raise DataDirError(
                f"{layout.INDEX} is missing; rebuild the views from the journal with 'sessionpack check --rebuild'"
            ) from None
        try:
            index = json.loads(raw)
            offset, seq = index["offset"], index["seq"]
            if not isinstance(offset, int) or not isinstance(seq, int):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise FileProblem(layout.INDEX, 1, "is damaged", "rebuild the views with 'sessionpack check --rebuild'") from None
        if index.get("format", 0) > ledger.VIEW_FORMAT:
            raise DataDirError(f"{layout.INDEX} was written by a newer sessionpack; upgrade sessionpack")
        return index

    def _check_journal_header(self) -> None:
        try:
            with open(self._journal_path, "rb") as handle:
                first = handle.readline(4096)
        except FileNotFoundError:
            self._journal_size()  # raises the missing-journal error
            raise
        journal.check_header(first, layout.JOURNAL)

    def _journal_size(self) -> int:
        try:
            return os.path.getsize(self._journal_path)
        except FileNotFoundError:
            raise DataDirError(
                f"{layout.JOURNAL} is missing from {self.root}; restore it from a backup "
                "(it is the record of every sale and booking)"
            ) from None

    def _consistent(self, index: dict[str, Any]) -> bool:
        return index.get("format") == ledger.VIEW_FORMAT and index["offset"] == self._journal_size()

    def _make_consistent(self) -> dict[str, Any]:
        """Under the exclusive lock: move a torn tail aside, replay the rest."""
        keep, torn = journal.torn_tail(self._journal_path)
        if torn:
            self._move_torn_aside(keep, torn)
        index = self._read_index()
        if index.get("format") != ledger.VIEW_FORMAT:
            return self._upgrade(index)
        size = self._journal_size()
        if index["offset"] == size:
            return index
        if index["offset"] > size:
            raise DataDirError(
                f"{layout.JOURNAL} is shorter ({size} bytes) than the views record ({index['offset']} bytes): "
                "it was truncated or replaced; restore it from a backup, or run 'sessionpack check --rebuild' "
                "to make the views match it"
            )
        from .batchio import remove_leftovers  # a command killed while writing views left temporary files

        remove_leftovers(self.root, (layout.VIEWS, layout.CLIENT_VIEWS, layout.OPEN, layout.CODES, layout.REFS))
        try:
            events = list(journal.read_events(self._journal_path, layout.JOURNAL, index["offset"], index["seq"] + 1))
        except FileProblem as err:
            # The tail did not parse from where the views stopped: the damage
            # may be earlier (a line inserted or changed); name the first one.
            raise journal.first_problem(self._journal_path, layout.JOURNAL) or err from None
        return self._apply(events, index, size)

    def _upgrade(self, index: dict[str, Any]) -> dict[str, Any]:
        """Under the exclusive lock: rebuild views of an older format from the journal."""
        from .verify import rebuild

        count, problems = rebuild(self)
        if problems:
            raise DataDirError(
                f"the views are of an older format or incomplete and must be rebuilt from the journal, which "
                f"cannot be read: {problems[0]}"
            )
        why = ("an earlier rebuild of the views was interrupted" if index.get("rebuilding")
               else f"the views were made by an older sessionpack (format {index.get('format')})")
        self.warnings.append(f"{why}; rebuilt {count} view files from the journal (nothing recorded was changed)")
        return self._read_index()

    def upgrade_views(self) -> None:
        """Rebuild views of an older format now (for ``check``, which never repairs).

        A missing or damaged index is left for ``check`` to report.
        """
        try:
            index = self._read_index()
        except DataDirError:
            return
        if index.get("format") == ledger.VIEW_FORMAT:
            return
        with DirLock(self._lock_path, exclusive=True):
            self._check_journal_header()
            self._make_consistent()

    def _move_torn_aside(self, keep: int, torn: bytes) -> None:
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        name = f"journal-{keep}-{stamp}.torn"
        attempt = 1
        while os.path.lexists(self.path(layout.TORN, name)):  # torn at the same place within a second
            attempt += 1
            name = f"journal-{keep}-{stamp}-{attempt}.torn"
        make_dir(self.path(layout.TORN))
        create_file(self.path(layout.TORN, name), torn)
        fd = os.open(self._journal_path, os.O_WRONLY)
        try:
            os.ftruncate(fd, keep)
            os.fsync(fd)
        finally:
            os.close(fd)
        self.warnings.append(
            f"the journal's last line was incomplete (a command was interrupted while writing it and was "
            f"not recorded); its {len(torn)} bytes were moved to {layout.TORN}/{name}"
        )

    # -- views -----------------------------------------------------------------

    def load_client_view(self, client_id: str) -> dict[str, Any] | None:
        fresh = self._fresh_clients.get(client_id)
        if fresh is not None:
            return fresh
        path = layout.client_view_path(self.root, client_id)
        try:
            raw = read_bytes(path)
        except FileNotFoundError:
            return None
        try:
            view = json.loads(raw)
        except ValueError:
            raise FileProblem(os.path.relpath(path, self.root), 1, "is damaged", "rebuild the views with 'sessionpack check --rebuild'") from None
        return view

    def _load_small_view(self, name: str, empty) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        fresh = self._fresh_small.get(name)
        if fresh is not None:
            return fresh
        try:
            return json.loads(read_bytes(self.path(name)))
        except FileNotFoundError:
            return empty()
        except ValueError:
            raise FileProblem(name, 1, "is damaged", "rebuild the views with 'sessionpack check --rebuild'") from None

    def load_directory(self) -> dict[str, Any]:
        return self._load_small_view(layout.DIRECTORY, ledger.empty_directory)

    def load_sold(self) -> dict[str, Any]:
        return self._load_small_view(layout.SOLD, ledger.empty_sold)

    def load_small(self, name: str) -> dict[str, Any]:
        """A small view (``small_views``) by its file name."""
        from .small_views import SMALL_VIEWS

        for view in SMALL_VIEWS:
            if view.name == name:
                return self._load_small_view(name, view.empty)
        raise KeyError(name)

    def _apply(self, events: list[dict[str, Any]], index: dict[str, Any], offset: int) -> dict[str, Any]:
        """Fold events into every view they touch, then move the index on."""
        return self._write_views(self._fold(events), events, index, offset)

    def _fold(self, events: list[dict[str, Any]]) -> "Folded":
        """The views the events change (client views, small views, shards), in memory.

        Loading may fail on a damaged view; ``commit`` folds before it appends,
        so such damage stops the command before anything is written.
        """
        from .small_views import SMALL_VIEWS

        clients: dict[str, dict[str, Any]] = {}
        codes_before: dict[str, Any] = {}  # client -> its shard entries before (codes, references)
        small: dict[str, dict[str, Any]] = {}
        changed: set[str] = set()
        for event in events:
            for client_id in event.get("clients", []):
                if client_id not in clients:
                    clients[client_id] = self.load_client_view(client_id) or ledger.empty_client_view(client_id)
                    codes_before[client_id] = shards.index_entries(clients[client_id])
                ledger.apply_to_client(clients[client_id], event)
            for entry in SMALL_VIEWS:
                if entry.concerns(event):
                    view = small.get(entry.name)
                    if view is None:
                        view = small[entry.name] = self._load_small_view(entry.name, entry.empty)
                    if event["seq"] > view["seq"] and entry.fold(view, event):
                        changed.add(entry.name)
        changes = shards.Changes(self.root)
        for client_id, view in clients.items():
            changes.set_client(view, codes_before[client_id])
        return Folded(clients, {name: small[name] for name in sorted(changed)}, changes.files())

    def _write_views(self, folded: "Folded", events: list[dict[str, Any]], index: dict[str, Any], offset: int) -> dict[str, Any]:
        # Shards first: the access-code shards change by the difference between
        # a client view on disk and its new state, so they must be written
        # while the old view is still there for a replay to start from.
        shards.write(self.root, folded.shards)
        from .batchio import write_many  # many client views (a file of sales): one flush for all

        write_many(((layout.client_view_path(self.root, client_id), encode_view(view))
                    for client_id, view in folded.clients.items()), "view-written")
        for name, view in folded.small.items():
            atomic_write(self.path(name), encode_view(view))
        crash_point("before-index")
        seq = events[-1]["seq"] if events else index["seq"]
        new_index = {"format": ledger.VIEW_FORMAT, "offset": offset, "seq": seq}
        atomic_write(self.path(layout.INDEX), encode_view(new_index))
        return new_index


class Folded:
    """What a batch of events makes of the views, in memory: client views by
    id, the small views they changed by file name, and shard file contents."""

    __slots__ = ("clients", "small", "shards")

    def __init__(self, clients: dict[str, dict[str, Any]], small: dict[str, dict[str, Any]], shard_files: dict[str, bytes | None]) -> None:
        self.clients = clients
        self.small = small
        self.shards = shard_files


class Transaction:
    """What a command sees of the store while it holds the lock."""

    def __init__(self, store: Store, index: dict[str, Any], writable: bool) -> None:
        self.store = store
        self.index = index
        self.writable = writable
        self.committed: list[dict[str, Any]] = []

    @property
    def settings(self) -> Settings:
        return self.store.settings

    def client(self, client_id: str) -> dict[str, Any] | None:
        return self.store.load_client_view(client_id)

    def code_owner(self, code_hash: str) -> str | None:
        """The client package whose access code has this hash, or None.

        One small file of the access-code index (``views/codes``); the caller
        compares the hashes in constant time before trusting the answer.
        """
        return shards.code_owner(self.store.root, code_hash)

    def client_exists(self, client_id: str) -> bool:
        return os.path.exists(layout.client_view_path(self.store.root, client_id))

    def commit(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The one commit point: stamp, append in one write, fsync, then views."""
        if not self.writable:
            raise RuntimeError("commit outside a write transaction")
        if not events:
            return []
        store = self.store
        seq = self.index["seq"]
        stamped = []
        at = store.now.isoformat()
        for number, event in enumerate(events, start=1):
            seq += 1
            record = dict(event)
            record["seq"] = seq
            record["at"] = at
            record["actor"] = store.actor
            if number < len(events):
                record["more"] = True  # a torn write never leaves half a command (journal.torn_tail)
            stamped.append(record)
        # Fold first: a damaged view the events need stops the command here,
        # before anything is written.
        folded = store._fold(stamped)
        data = b"".join(journal.encode(record) for record in stamped)
        _, end = append_durably(store._journal_path, data)
        crash_point("journal-written")
        # Recorded. From here on a failure only delays the views: the command
        # goes on with the state it recorded, held in memory.
        self.committed.extend(stamped)
        store._fresh_clients.update(folded.clients)
        store._fresh_small.update(folded.small)
        try:
            self.index = store._write_views(folded, stamped, self.index, end)
        except (SessionpackError, OSError) as err:
            self.index = {"format": ledger.VIEW_FORMAT, "offset": end, "seq": stamped[-1]["seq"]}
            store.warnings.append(
                f"recorded, but the views could not be updated ({view_failure(err)}); "
                "the next command that writes brings them up to date from the journal"
            )
        return stamped


def view_failure(err: BaseException) -> str:
    """Why writing the views failed, without the 'nothing was changed' of a
    refused command: the journal already holds the events."""
    cause = err.__cause__ if isinstance(err.__cause__, OSError) else err
    if isinstance(cause, OSError):
        import errno

        if cause.errno == errno.ENOSPC:
            return "no space left on the device"
        if cause.errno == errno.EFBIG:
            return "a file reached the file-size limit"
        return cause.strerror or type(cause).__name__
    return str(err)


def initialise(root: str, settings_text: bytes) -> None:
    """Create the layout of a new data directory (caller checked it is free)."""
    from .lock import create_lock_file

    if not os.path.isdir(root):
        parent = os.path.dirname(root.rstrip(os.sep))
        if parent and not os.path.isdir(parent):
            os.makedirs(parent, exist_ok=True)
        make_dir(root)
    else:
        os.chmod(root, 0o700)
    for name in layout.DIRS:
        make_dir(os.path.join(root, name))
    create_lock_file(os.path.join(root, layout.LOCK))
    create_file(os.path.join(root, layout.JOURNAL), journal.header())
    header_size = len(journal.header())
    atomic_write(os.path.join(root, layout.INDEX), encode_view({"format": ledger.VIEW_FORMAT, "offset": header_size, "seq": 0}))
    # settings.toml last: its presence marks a complete data directory.
    create_file(os.path.join(root, layout.SETTINGS), settings_text)
