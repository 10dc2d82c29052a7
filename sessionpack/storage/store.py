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

import os
from .contexts import contextmanager
from datetime import datetime

from .. import jsontext
from ..domain import ledger
from ..domain.settings import FORMAT_VERSION, Settings, settings_from_mapping
from ..errors import DataDirError, FieldError, FileProblem, SessionpackError
from . import inventory, journal, layout
from .crash import crash_point, fail_point
from .fsio import (append_durably, atomic_write, create_file, fsync_dir, listing, make_dir, open_binary, open_file, read_bytes,
                   refuse_link, remove_leftovers, temp_name)
from .lock import DirLock
from .tomlfile import field_problem, read_toml

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, Iterator

    from .encoding import Parts


def encode_view(view: dict[str, Any], parts: Parts | None = None) -> bytes:
    """A view's bytes (with ``parts``: splicing in what the commit encoded already)."""
    if parts is not None:
        return (parts.dumps(view) + "\n").encode("utf-8")
    return jsontext.canonical_bytes(view) + b"\n"


REBUILD = "rebuild the views with 'sessionpack check --rebuild'"  # how a damaged or missing view is mended


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
    data, text = read_toml(path, layout.SETTINGS, problem=FileProblem, root=root)
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
        self.recorded = 0  # events this process has recorded (durably) through this store
        # Called with (root, recorded events) after a write; returns warnings.
        self.after_commit: Callable[[str, list[dict[str, Any]]], list[str]] | None = None
        # --dry-run: a write command runs as it would, under the shared lock,
        # and its commit is folded in memory only: nothing is written.
        self.dry_run = False
        # The views as this command's own commit left them, in memory: what it
        # prints comes from here, whether or not the view files could be written.
        self._fresh_clients: dict[str, dict[str, Any]] = {}
        self._fresh_small: dict[str, dict[str, Any]] = {}
        self._fresh_files: dict[str, bytes | None] = {}  # shard files (None: no such file)
        self._unsettled: Folded | None = None  # a dry run's commit whose shards are made when first read
        self._views_behind = False  # a commit could not write its views: leave them to the next command
        self._fresh_index: dict[str, Any] | None = None
        self._deferring = False  # defer_views: commits write the journal only
        self._deferred_index: dict[str, Any] | None = None  # where the deferred commits left the journal
        self.pending_events = 0  # events a read folded in memory because the views lacked them
        self.loaded_clients: set[str] = set()  # client views read from disk (for diagnose)
        self.loaded_files: set[str] = set()  # other view files read from disk
        # How many files each shard folder holds, from an index that describes
        # the files on disk (None: it does not, the views are behind), and the
        # folders counted against it so far (inventory).
        self._counts: dict[str, int] | None = None
        self._counted: set[str] = set()
        # What a crash left for the command's commit to put right (``_repair_later``):
        # (torn bytes after this offset, or None) when the journal's tail is folded in memory.
        self._repair_due: tuple[int, int] | None = None
        self._lock_path = os.path.join(root, layout.LOCK)
        self._journal_path = os.path.join(root, layout.JOURNAL)

    @property
    def today(self) -> Any:
        """The date of ``now`` in the practice's time zone."""
        return self.now.astimezone(self.settings.tz).date()

    # -- paths ---------------------------------------------------------------

    def path(self, *parts: str) -> str:
        return os.path.join(self.root, *parts)

    # -- transactions ----------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator["Transaction"]:
        """A consistent read under the shared lock that writes nothing.

        Events the views have not taken in yet (a command stopped after its
        journal write, before its views) are folded in memory; putting them
        into the view files is left to the next command that records something. A torn
        last line is left where it is (and not read).
        """
        with DirLock(self._lock_path, exclusive=False):
            self.refuse_links()
            index = self._read_index()
            if index.get("format") != ledger.VIEW_FORMAT:
                raise self._outdated(index)
            index = self._catch_up_in_memory(index)
            yield Transaction(self, index, writable=False)

    @contextmanager
    def locked(self, exclusive: bool) -> Iterator[None]:
        """The lock alone, without repairing views (for ``check``)."""
        with DirLock(self._lock_path, exclusive=exclusive):
            self.refuse_links()
            yield

    @contextmanager
    def writing(self) -> Iterator["Transaction"]:
        """Exclusive lock; validate against current state; one commit.

        In a dry run the lock is only shared and nothing is repaired or
        written: the commit is folded in memory, so the command prints what
        it would have recorded."""
        if self.dry_run:
            with self.reading() as seen:
                tx = Transaction(self, seen.index, writable=True)
                yield tx
            return
        with DirLock(self._lock_path, exclusive=True):
            self.refuse_links()
            self._check_journal_header()  # never append to a journal of a newer format
            index = self._make_consistent(lazily=True)
            tx = Transaction(self, index, writable=True)
            try:
                yield tx
            finally:
                tx.discard_staged()  # catalog changes staged for a commit that never came
                if self._repair_due is not None:  # refused, or nothing to record: what a crash left stays for the next
                    self._forget_repair()
            if tx.committed:
                from . import parsed

                parsed.save(self.root)  # the TOML parses this command made, for the next ones
        if tx.committed and self.after_commit is not None:
            # After the lock is released: a slow hook never blocks other commands.
            self.warnings.extend(self.after_commit(self.root, tx.committed))

    # -- consistency -----------------------------------------------------------

    def refuse_links(self) -> None:
        """Refuse a data directory whose own files or folders are symbolic links."""
        for name in layout.NO_LINKS:
            refuse_link(self.path(name))

    def _outdated(self, index: dict[str, Any]) -> DataDirError:
        why = ("an earlier rebuild of the views was interrupted" if index.get("rebuilding")
               else f"the views were made by an older sessionpack (format {index.get('format')})")
        return DataDirError(
            f"{why}; a command that only reads never writes, so run 'sessionpack check --rebuild' (or any command "
            "that records something) once to rebuild them from the journal; nothing recorded changes"
        )

    def _tail_end(self, index: dict[str, Any]) -> tuple[int, int]:
        """(end of the journal's complete commands, the number of torn bytes
        after it), refusing a journal that lost events the views record."""
        try:
            keep, size = journal.torn_extent(self._journal_path)
        except FileNotFoundError:
            self._journal_size()  # raises the missing-journal error
            raise
        if index["offset"] > keep and not index.get("rebuilding"):
            raise self.shorter_journal(index, keep)
        return keep, size - keep

    def shorter_journal(self, index: dict[str, Any], end: int) -> DataDirError:
        if self.journal_edited(index, end):
            return DataDirError(
                f"{layout.JOURNAL} was changed by hand: it holds every event the views record (to event {index['seq']}), "
                f"but they end at byte {end}, not at byte {index['offset']} where the views recorded their end; "
                "'sessionpack check' names the line that differs (restore the journal from a backup); nothing was changed"
            )
        return DataDirError(
            f"{layout.JOURNAL} ends at byte {end}, before the end of the events the views record (byte "
            f"{index['offset']}, event {index['seq']}): recorded events are missing from it (it was truncated or "
            "replaced). Restore it from a backup, or put back the copies the client views keep with "
            "'sessionpack check --restore-journal' (then 'sessionpack check --full'); nothing was changed"
        )

    def journal_edited(self, index: dict[str, Any], end: int) -> bool:
        """Whether a journal that ends before the views' offset still ends
        with an event at or past the views' last one: then no event was
        lost, a line was changed into a shorter one."""
        try:
            found = journal.line_ending_at(self._journal_path, end)
            seq = jsontext.loads(found[1]).get("seq") if found is not None and found[0] > 0 else None
        except (OSError, ValueError, AttributeError, RecursionError):
            return False
        return isinstance(seq, int) and not isinstance(seq, bool) and seq >= index["seq"]

    def _tail_events(self, index: dict[str, Any], end: int) -> list[dict[str, Any]]:
        try:
            return list(journal.read_events(self._journal_path, layout.JOURNAL, index["offset"], index["seq"] + 1, end))
        except FileProblem:
            # The tail did not parse from where the views stopped: the damage
            # may be earlier (a line inserted or changed); name the first one.
            raise journal.first_problem(self._journal_path, layout.JOURNAL) or DataDirError(
                f"{layout.JOURNAL} no longer has an event starting at byte {index['offset']}, where the views "
                "stopped: it was changed by hand before that point; 'sessionpack check' names what differs"
            ) from None

    def _catch_up_in_memory(self, index: dict[str, Any]) -> dict[str, Any]:
        """Under the shared lock: fold the events the views lack, in memory."""
        if index["offset"] == self._journal_size():
            self._trust(index)
            return index
        keep, torn = self._tail_end(index)
        if torn:
            self._torn_left(torn)
        if keep == index["offset"]:
            self._trust(index)
            return index
        return self._fold_in_memory(index, self._tail_events(index, keep), keep)

    def _fold_in_memory(self, index: dict[str, Any], events: list[dict[str, Any]], keep: int) -> dict[str, Any]:
        """Fold the journal's tail after ``index`` (``events``, ending at byte
        ``keep``) into the views in memory, as if written; the index they
        would then have."""
        self._trust(None)
        self._remember(self._fold_journal(events))
        self.pending_events = len(events)
        self._fresh_index = {"format": ledger.VIEW_FORMAT, "offset": keep, "seq": events[-1]["seq"] if events else index["seq"],
                             "files": inventory.after(self.root, self._fresh_files)}
        return self._fresh_index

    def _torn_left(self, torn: int) -> None:
        """Say that the journal ends in a torn command left where it is."""
        self.warnings.append(
            f"the journal ends in {torn} bytes of a command that was interrupted while writing them and "
            "was not recorded; the next command that records something moves them aside"
        )

    def _remember(self, folded: "Folded") -> None:
        self._settle()
        self._fresh_clients.update(folded.clients)
        self._fresh_small.update(folded.small)
        if folded.shards is None:
            self._unsettled = folded
        else:
            self._fresh_files.update(folded.shards)

    def _settle(self) -> None:
        """Make the shard files of a dry run's last commit, if it left them
        to be made when read (before anything reads them, and before another
        fold changes the client views they are made from)."""
        folded, self._unsettled = self._unsettled, None
        if folded is not None:
            self._fresh_files.update(folded.make_shards())

    def defer_views(self) -> None:
        """From now on each commit appends its events to the journal (durably,
        as always) and leaves the views to ``write_deferred_views``, which
        writes each changed view once. Meanwhile the journal is ahead of the
        views, the state a crash between the two leaves: readers fold the
        difference in memory, and another writer brings the views up to date
        from the journal (after which this store reads them again). For
        ``notify``'s deliveries: one durable commit per notice, the views once."""
        self._deferring = True

    def write_deferred_views(self) -> None:
        """Write the views the deferred commits changed, under the exclusive
        lock, unless another command moved the journal on since (it brought
        the views up to date itself); stop deferring."""
        self._deferring = False
        deferred, self._deferred_index = self._deferred_index, None
        if deferred is None:
            return
        with DirLock(self._lock_path, exclusive=True):
            self.refuse_links()
            index = self._read_index()
            keep, torn = self._tail_end(index)
            if torn or keep != deferred["offset"] or index.get("format") != ledger.VIEW_FORMAT:
                return  # the next command that records something repairs the views from the journal
            try:
                self._write_views(Folded(self._fresh_clients, self._fresh_small, self._fresh_files), [], deferred, keep)
            except (SessionpackError, OSError) as err:
                self.warnings.append(f"recorded, but the views could not be updated ({view_failure(err)}); "
                                     "the next command that records something brings them up to date from the journal")

    def _make_consistent(self, lazily: bool = False) -> dict[str, Any]:
        """Under the exclusive lock: compare the journal with what the views
        record, move a torn tail aside, replay the rest into the views. With
        ``lazily``, what a crash left is folded in memory and put right by the
        command's commit (``_repair_later``), so a refused command changes nothing."""
        index = self._read_index()
        keep, torn = self._tail_end(index)
        if self._deferred_index is not None:
            if not torn and keep == self._deferred_index["offset"]:
                return self._deferred_index  # only this store's deferred commits since: its views in memory are current
            # Another command recorded something: what this store holds in memory may be older than the files.
            self._deferred_index = None
            self._fresh_clients, self._fresh_small, self._fresh_files, self._fresh_index = {}, {}, {}, None
        if lazily:
            later = self._repair_later(index, keep, torn)
            if later is not None:
                return later
        if torn:
            self.move_torn_aside(keep)
        for folder in layout.TEMP_DIRS:
            remove_leftovers(self.path(folder))
        if index.get("format") != ledger.VIEW_FORMAT:
            return self._upgrade(index)
        self._check_index_seq(index)
        if index["offset"] == keep:
            self._trust(index)
            return index
        self._trust(None)
        for folder in layout.VIEW_DIRS:
            remove_leftovers(self.path(folder))  # a command was killed while writing views
        return self._apply(self._tail_events(index, keep), index, keep)

    def _repair_later(self, index: dict[str, Any], keep: int, torn: int) -> dict[str, Any] | None:
        """The index a writer works from when the repair can wait for its
        commit: a torn tail is left where it is and the events the views lack
        are folded in memory, as a reader folds them; ``_before_append`` puts
        both right just before the command appends its own events. None when
        the repair must come first: views of another format (a rebuild), or a
        tail recording catalog changes (the command reads the catalog files)."""
        if index.get("format") != ledger.VIEW_FORMAT:
            return None
        self._check_index_seq(index)
        events = self._tail_events(index, keep) if index["offset"] != keep else []
        if any(event.get("type") == "catalog-changed" for event in events):
            return None
        self._repair_due = (keep, torn) if (events or torn) else None
        if not events:
            self._trust(index)
            return index
        return self._fold_in_memory(index, events, keep)

    def _before_append(self, keep: Iterable[str] = (), own_stage: bool = False) -> bool:
        """Under the exclusive lock, just before a commit appends: take away
        what killed commands left (temporary files, a folder of staged views
        unless it is this commit's: ``own_stage``) and what ``_repair_later``
        left for now (a torn tail, moved aside); whether the views must then
        be written whole from memory (the journal's tail was folded there)."""
        for folder in layout.TEMP_DIRS:
            remove_leftovers(self.path(folder), keep)  # (``keep``: the command's own files, staged for this commit)
        if not own_stage and os.path.lexists(self.path(layout.STAGED)):
            from .batchio import drop_stage

            drop_stage(self.path(layout.STAGED))
        if self._repair_due is None:
            return False
        (keep, torn), self._repair_due = self._repair_due, None
        if torn:
            self.move_torn_aside(keep)
        if not self.pending_events:
            return False
        self.pending_events = 0  # (written with this commit's views)
        for folder in layout.VIEW_DIRS:
            remove_leftovers(self.path(folder))  # a command was killed while writing views
        return True

    def _forget_repair(self) -> None:
        """A writer that recorded nothing leaves what a crash left to the next
        one (as a reader does), and forgets what it folded in memory."""
        _, torn = self._repair_due or (0, 0)
        self._repair_due = None
        if torn:
            self._torn_left(torn)
        self._fresh_clients, self._fresh_small, self._fresh_files, self._fresh_index = {}, {}, {}, None
        self._unsettled = None
        self.pending_events = 0
        self._trust(None)

    def _check_index_seq(self, index: dict[str, Any]) -> None:
        """The index's seq is that of the journal line ending at its offset
        (the header's end: 0). A writer numbers its events from it, so an
        index edited by hand would otherwise number them wrong in the
        journal itself; a mismatch is a damaged index (exit 3)."""
        try:
            self._index_seq_agrees(index)
        except FileProblem as damaged:
            # Or the journal was changed before that point (a line inserted): name the journal's first problem.
            raise journal.first_problem(self._journal_path, layout.JOURNAL) or damaged from None

    def _index_seq_agrees(self, index: dict[str, Any]) -> None:
        damaged = FileProblem(layout.INDEX, 1, "is damaged", REBUILD)
        found = journal.line_ending_at(self._journal_path, index["offset"])
        if found is None:
            raise damaged
        start, line = found
        try:
            recorded = 0 if start == 0 else jsontext.loads(line).get("seq")  # (line 1 is the header: no event yet)
        except (ValueError, AttributeError, RecursionError):
            raise damaged from None
        if recorded != index["seq"]:
            raise damaged

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

    def move_torn_aside(self, keep: int, warn: bool = True) -> str:
        """Under the exclusive lock, once the journal was compared with the
        views: move the bytes after ``keep`` to ``torn/`` and cut them off;
        the file's path (relative), with a warning unless ``warn`` is off."""
        with open_binary(self._journal_path) as handle:
            handle.seek(keep)
            torn = handle.read()
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        name = f"journal-{keep}-{stamp}.torn"
        attempt = 1
        while os.path.lexists(self.path(layout.TORN, name)):  # torn at the same place within a second
            attempt += 1
            name = f"journal-{keep}-{stamp}-{attempt}.torn"
        make_dir(self.path(layout.TORN))
        create_file(self.path(layout.TORN, name), torn)
        fd = open_file(self._journal_path, os.O_WRONLY)
        try:
            os.ftruncate(fd, keep)
            os.fsync(fd)
        finally:
            os.close(fd)
        if warn:
            self.warnings.append(
                f"the journal's last line was incomplete (a command was interrupted while writing it and was "
                f"not recorded); its {len(torn)} bytes were moved to {layout.TORN}/{name}"
            )
        return f"{layout.TORN}/{name}"

    def _read_index(self) -> dict[str, Any]:
        path = self.path(layout.INDEX)
        try:
            raw = read_bytes(path)
        except FileNotFoundError:
            raise DataDirError(
                f"{layout.INDEX} is missing; rebuild the views from the journal with 'sessionpack check --rebuild'"
            ) from None
        try:
            index = jsontext.loads(raw)
            # offset and seq (and the format, when given) are whole numbers from 0: not true, nor -5 (a seek before the start)
            if not (isinstance(index, dict) and "offset" in index and "seq" in index
                    and all(type(index.get(key, 0)) is int and index.get(key, 0) >= 0 for key in ("offset", "seq", "format"))):
                raise ValueError
        except (ValueError, KeyError, TypeError, RecursionError):
            raise FileProblem(layout.INDEX, 1, "is damaged", REBUILD) from None
        if index.get("format", 0) > ledger.VIEW_FORMAT:
            raise DataDirError(f"{layout.INDEX} was written by a newer sessionpack; upgrade sessionpack")
        if index.get("format") == ledger.VIEW_FORMAT and inventory.recorded(index) is None:
            raise FileProblem(layout.INDEX, 1, "is damaged", REBUILD)
        return index

    # -- how many files each shard folder holds (inventory) ----------------------

    def _trust(self, index: dict[str, Any] | None) -> None:
        """The index (read from disk) describes the view files on disk: a
        missing shard file is counted against it; None: it does not."""
        self._counts = None if index is None else inventory.recorded(index)
        self._counted = set()

    def count_folder(self, key: str) -> None:
        """Refuse (exit 3) a shard folder (``inventory.FOLDERS``) holding
        another number of files than the index records, once per command;
        nothing to do while the views on disk are behind the journal."""
        if self._counts is None or key in self._counted:
            return
        found = inventory.count(self.root, key)
        if found != self._counts[key]:
            raise inventory.differs(key, found, self._counts[key])
        self._counted.add(key)

    def _check_journal_header(self) -> None:
        try:
            with open_binary(self._journal_path) as handle:
                first = handle.readline(4096)
        except FileNotFoundError:
            self._journal_size()  # raises the missing-journal error
            raise
        journal.check_header(first, layout.JOURNAL)

    def require_journal(self) -> None:
        """DataDirError (exit 3) naming the fix when the journal is missing."""
        self._journal_size()

    def _journal_size(self) -> int:
        try:
            return os.path.getsize(self._journal_path)
        except FileNotFoundError:
            raise DataDirError(
                f"{layout.JOURNAL} is missing from {self.root}; restore it from a backup "
                "(it is the record of every sale and booking)"
            ) from None

    # -- views -----------------------------------------------------------------

    def view_bytes(self, name: str) -> bytes | None:
        """The bytes of view file ``name`` (relative path) as this command
        sees it: with the events it folded in memory, else as on disk
        (None: no such file)."""
        if self._unsettled is not None:
            self._settle()
        if name in self._fresh_files:
            return self._fresh_files[name]
        folder, base = os.path.split(name)
        if folder == layout.CLIENT_VIEWS and base.endswith(".json") and base[:-5] in self._fresh_clients:
            return encode_view(self._fresh_clients[base[:-5]])
        if name in self._fresh_small:
            return encode_view(self._fresh_small[name])
        if name == layout.INDEX and self._fresh_index is not None:
            return encode_view(self._fresh_index)
        self.loaded_files.add(name)
        try:
            return read_bytes(self.path(name))
        except FileNotFoundError:
            key = inventory.key_of(name)
            if key is not None:
                self.count_folder(key)  # deleted by hand, or never there?
            return None

    def fresh_view_names(self) -> dict[str, bool]:
        """View files the in-memory state changes: name -> exists."""
        self._settle()
        names = {name: data is not None for name, data in self._fresh_files.items()}
        names.update({os.path.join(layout.CLIENT_VIEWS, f"{c}.json"): True for c in self._fresh_clients})
        names.update({name: True for name in self._fresh_small})
        return names

    def load_client_view(self, client_id: str, present: set[str] | None = None) -> dict[str, Any] | None:
        """A client's view as this command sees it, or None (``present``:
        the names in the client views' folder, listed under the lock, when
        the caller has them: a client not among them has no view to read)."""
        fresh = self._fresh_clients.get(client_id)
        if fresh is not None:
            return fresh
        path = layout.client_view_path(self.root, client_id)  # (checks the id, whether read or not)
        if present is not None and client_id + ".json" not in present:
            return None
        try:
            raw = read_bytes(path)
        except FileNotFoundError:
            return None
        self.loaded_clients.add(client_id)
        try:
            view = jsontext.loads(raw)
            if not isinstance(view, dict):
                raise ValueError
        except (ValueError, RecursionError):
            raise FileProblem(os.path.relpath(path, self.root), 1, "is damaged", REBUILD) from None
        if view.get("id") != client_id:
            # Another client's view under this name (a copy put back in the
            # wrong place): a writer would record this client's events on it.
            raise FileProblem(os.path.relpath(path, self.root), 1, "is damaged (it is the view of another client)",
                              REBUILD)
        return view

    def _client_files(self, events: list[dict[str, Any]]) -> set[str] | None:
        """The names in the client views' folder, when the events name so
        many clients that one listing costs less than looking for each
        client's file (a file of sales to new clients: ten thousand failed
        opens); else None (``fsio.listing``)."""
        named = {client for event in events for client in event.get("clients", ())}
        return listing(os.path.join(self.root, layout.CLIENT_VIEWS), len(named))

    def _load_small_view(self, name: str, empty) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        fresh = self._fresh_small.get(name)
        if fresh is not None:
            return fresh
        self.loaded_files.add(name)
        try:
            view = jsontext.loads(read_bytes(self.path(name)))
            if not isinstance(view, dict) or not isinstance(view.get("seq"), int):
                raise ValueError
            return view
        except FileNotFoundError:
            if self._small_view_due(name):
                raise FileProblem(name, None, "is missing", REBUILD) from None
            return empty()
        except (ValueError, RecursionError):
            raise FileProblem(name, 1, "is damaged", REBUILD) from None

    def _small_view_due(self, name: str) -> bool:
        """Whether small view ``name``, found missing, should be there: a
        missing file is never read as empty (a sales count read as 0 would
        give invoice numbers out twice). The directory is written with the
        first client, the sales count with the first sale: where the part of
        the journal the views reflect (up to the index's offset) holds one,
        its absence is damage. Looked at only when the file is missing."""
        marks = {layout.DIRECTORY: b'"type":"client-added"', layout.SOLD: b'"type":"sold"'}
        mark = marks.get(name)
        if mark is None:
            return False
        import mmap

        try:
            offset = int(self._read_index()["offset"])
            with open_binary(self._journal_path) as handle:
                size = min(offset, os.fstat(handle.fileno()).st_size)
                if size <= 0:
                    return False
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    return data.find(mark, 0, size) >= 0
        except (FileNotFoundError, DataDirError):
            return False

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
        """Fold events into every view they touch, finish the catalog
        changes they record, then move the index on."""
        folded = self._fold_journal(events)
        self.finish_catalog(events)
        return self._write_views(folded, events, index, offset)

    def finish_catalog(self, events: list[dict[str, Any]]) -> None:
        """Under the exclusive lock, for events of the journal's tail (those
        the index has not passed): a ``catalog-changed`` event whose command
        was stopped between its journal write and moving the file into place
        is finished here. The file is written (or removed) only when it
        still holds the event's text before (or is missing and the event
        says there was none); a file already holding the text after is done;
        a file holding neither was edited by hand since and is left as it
        is, with a warning."""
        from ..domain.ids import is_slug

        for event in events:
            if event.get("type") != "catalog-changed":
                continue
            relative = event.get("file")
            folder, _, name = relative.partition("/") if isinstance(relative, str) else ("", "", "")
            before, after = event.get("before"), event.get("after")
            if (folder not in (layout.SERVICES, layout.PACKAGES) or not name.endswith(".toml")
                    or not is_slug(name[:-len(".toml")]) or not all(t is None or isinstance(t, str) for t in (before, after))):
                continue  # (not a file a command writes: never followed outside the catalog)
            path = self.path(folder, name)
            try:
                with open_binary(path) as handle:
                    current: bytes | None = handle.read()
            except FileNotFoundError:
                current = None
            wanted = None if after is None else after.encode("utf-8")
            if current == wanted:
                continue
            if current != (None if before is None else before.encode("utf-8")):
                self.warnings.append(
                    f"{relative}: journal line {event['seq'] + 1} records a change of this file that was interrupted "
                    "before it was written, and the file was edited since; it was left as it is: check it "
                    "(the change is recorded in the journal)")
                continue
            if wanted is None:
                os.remove(path)
                fsync_dir(os.path.dirname(path))
            else:
                atomic_write(path, wanted)

    def _fold_journal(self, events: list[dict[str, Any]]) -> "Folded":
        """``_fold`` for events read from the journal: an event that does not
        fit the ones before it (a hand-edited line) is named, not a crash."""
        try:
            return self._fold(events)
        except ledger.FOLD_ERRORS as err:
            if isinstance(err, SessionpackError):
                raise
            line = events[0]["seq"] + 1
            for event in events:  # which one: fold them one by one on fresh copies
                try:
                    Store(self.root, self.settings, self.now, self.actor)._fold([e for e in events if e["seq"] <= event["seq"]])
                except ledger.FOLD_ERRORS:
                    line = event["seq"] + 1
                    break
            why = f": {err}" if isinstance(err, ledger.IdTaken) else f" ({type(err).__name__})"
            raise FileProblem(layout.JOURNAL, line, f"does not fit the events before it{why}",
                              "restore the journal from a backup") from None

    def _fold(self, events: list[dict[str, Any]], later_shards: bool = False, stage_views: bool = False) -> "Folded":
        """The views the events change (client views, small views, shards), in memory.

        Loading may fail on a damaged view; ``commit`` folds before it appends,
        so such damage stops the command before anything is written. With
        ``later_shards`` (a dry run) the shard files are left to
        ``Folded.make_shards``, for a command that goes on to read them.
        With ``stage_views`` (a commit, which writes these views itself
        once its journal append is done) a second process may write the
        client views' files meanwhile (``shared_fold``); a repair's fold,
        whose views are written otherwise, never stages any.
        """
        self._settle()
        from . import shards  # (only a command that records builds shards: readers never load them)
        from .encoding import Parts
        from .small_views import SMALL_VIEWS

        clients: dict[str, dict[str, Any]] = {}
        codes_before: dict[str, Any] = {}  # client -> its shard entries before (codes, references)
        reports_before: dict[str, dict[str, Any]] = {}  # each client's records before the events (shards.Changes)
        small: dict[str, dict[str, Any]] = {}
        changed: set[str] = set()
        named = shards.report_shards.named_ids(events)  # once, not once per client
        present = self._client_files(events)
        def load_small(name: str) -> dict[str, Any]:
            if name not in small:
                small[name] = self._load_small_view(name, next(e.empty for e in SMALL_VIEWS if e.name == name))
            return small[name]

        for event in events:
            for client_id in event.get("clients", []):
                if client_id not in clients:
                    clients[client_id] = self.load_client_view(client_id, present) or ledger.empty_client_view(client_id)
                    codes_before[client_id] = shards.index_entries(clients[client_id])
                    reports_before[client_id] = shards.report_shards.fingerprint(clients[client_id], named)
            if event["type"] == "undone":  # takes back events the small views folded too
                from ..domain.undo import sold_counts
                from .small_views import fold_undo

                sold_before = {c: sold_counts(_before(clients[c], event["seq"])) for c in event.get("clients", [])}
                for client_id in event.get("clients", []):
                    ledger.apply_to_client(clients[client_id], event)
                changed |= fold_undo(load_small, event, sold_before, clients)
                continue
            for client_id in event.get("clients", []):
                ledger.apply_to_client(clients[client_id], event)
            for entry in SMALL_VIEWS:
                if entry.concerns(event):
                    view = small.get(entry.name)
                    if view is None:
                        view = small[entry.name] = self._load_small_view(entry.name, entry.empty)
                    if event["seq"] > view["seq"] and entry.fold(view, event):
                        changed.add(entry.name)
        parts = Parts()  # what is encoded once is spliced into the other files that hold it

        def make_shards() -> dict[str, bytes | None]:
            from .shared_fold import apply_all, processes  # (thousands of client views: a second process takes a part)

            changes = shards.Changes(self.root, self.view_bytes, parts)  # on what this store's own commits left, written or not
            items = [(client_id, view, codes_before[client_id], reports_before[client_id]) for client_id, view in clients.items()]
            stage = None
            if stage_views and processes(len(items)) == 2:  # a commit that writes its views: the worker writes their files too
                folded.stage = stage = self.path(layout.STAGED)
            root = self.root
            try:
                made = apply_all(items, changes, parts, encode_view,
                                 (stage, lambda client_id: layout.client_view_path(root, client_id)) if stage else None)
                if made.__class__ is dict:
                    folded.encoded = made  # type: ignore[assignment]
                else:
                    folded.staging = made  # (its files are wanted once the journal is appended)
                return changes.files()
            except BaseException:
                folded.end_staging()  # refused before anything is recorded: nothing the worker wrote stays
                raise

        folded = Folded(clients, {name: small[name] for name in sorted(changed)}, None, parts, make_shards)
        if not later_shards:
            folded.shards = make_shards()
        return folded

    def _write_views(self, folded: "Folded", events: list[dict[str, Any]], index: dict[str, Any], offset: int) -> dict[str, Any]:
        # Shards first: the access-code shards change by the difference between
        # a client view on disk and its new state, so they must be written
        # while the old view is still there for a replay to start from.
        fail_point("views")
        from . import shards
        from .batchio import write_groups  # many files (a file of sales): one flush for all

        parts = folded.parts
        if folded.staging is not None:  # the worker of shared_fold has written the client views' files (or some)
            folded.encoded.update(folded.staging.files())
        before = self._counts  # None: the files on disk are not what the index says (a repair): count them after
        existed = {name: os.path.lexists(self.path(name)) for name in folded.shards} if before is not None else {}
        self._trust(None)  # (until the new index is written)
        write_groups([(shards.prepare(self.root, folded.shards), "shard-written"),
                      (((layout.client_view_path(self.root, client_id), folded.encoded.pop(client_id, None) or encode_view(view, parts))
                        for client_id, view in folded.clients.items()), "view-written"),
                      (((self.path(name), encode_view(view)) for name, view in folded.small.items()), "small-view-written")])
        crash_point("before-index")
        fail_point("index")
        seq = events[-1]["seq"] if events else index["seq"]
        files = inventory.moved(before, folded.shards, existed) if before is not None else inventory.counts(self.root)
        new_index = {"format": ledger.VIEW_FORMAT, "offset": offset, "seq": seq, "files": files}
        atomic_write(self.path(layout.INDEX), encode_view(new_index))
        self._trust(new_index)
        return new_index


class Folded:
    """What a batch of events makes of the views, in memory: client views by
    id, the small views they changed by file name, and shard file contents;
    ``parts``: what the fold encoded, for the writes of the same commit."""

    __slots__ = ("clients", "small", "shards", "parts", "make_shards", "encoded", "stage", "staging")

    def __init__(self, clients: dict[str, dict[str, Any]], small: dict[str, dict[str, Any]], shard_files: dict[str, bytes | None] | None,
                 parts: Parts | None = None, make_shards: Callable[[], dict[str, bytes | None]] | None = None) -> None:
        self.clients = clients
        self.small = small
        self.shards = shard_files  # None: not made yet (make_shards)
        self.parts = parts
        self.make_shards = make_shards
        self.encoded: dict[str, Any] = {}  # client views the worker of shared_fold encoded (bytes) or wrote (batchio.Staged), by client
        self.stage: str | None = None  # where it may have written them (layout.STAGED), taken away when the commit ends
        self.staging: Any = None  # the worker writing them meanwhile (shared_fold.Staging)

    def end_staging(self) -> None:
        """Stop the worker writing the views' files, if it still is, and take
        away its folder (with what was not renamed into place)."""
        if self.staging is not None:
            self.staging.end()
        if self.stage is not None:
            from .batchio import drop_stage

            drop_stage(self.stage)


def _before(view: dict[str, Any], seq: int) -> dict[str, Any]:
    """``view`` as it was before event ``seq``: itself, unless it holds that
    event already (a command killed after writing some views, repaired by
    the next: its undo must still move the sales count by what it took back)."""
    if view["seq"] < seq:
        return view
    from ..domain.undo import refold

    events = [e for e in view["events"] if e["seq"] < seq]
    earlier = {"id": view["id"], "counters": dict(view.get("counters", {})), "seq": 0, "format": view.get("format"), "events": events}
    refold(earlier, events)
    return earlier


class Transaction:
    """What a command sees of the store while it holds the lock."""

    def __init__(self, store: Store, index: dict[str, Any], writable: bool) -> None:
        self.store = store
        self.index = index
        self.writable = writable
        self.committed: list[dict[str, Any]] = []
        self.dry_events: list[dict[str, Any]] = []  # what a dry run would have recorded
        self._staged: list[tuple[str, str | None]] = []  # catalog files waiting for the commit: (path, temporary file or None: remove)

    @property
    def settings(self) -> Settings:
        return self.store.settings

    def client(self, client_id: str) -> dict[str, Any] | None:
        """A client's view, or None when there is no such client; a client
        the directory lists whose view file is missing is damage (exit 3),
        never "no such client" (a command would offer to add it again)."""
        view = self.store.load_client_view(client_id)
        if view is None and client_id in self.store.load_directory()["clients"]:
            path = os.path.relpath(layout.client_view_path(self.store.root, client_id), self.store.root)
            raise FileProblem(path, None, "is missing", REBUILD)
        return view

    def code_owner(self, code_hash: str) -> str | None:
        """The client package whose access code has this hash, or None.

        One small file of the access-code index (``views/codes``); the caller
        compares the hashes in constant time before trusting the answer.
        """
        from . import shards

        return shards.code_owner(self.store.view_bytes, code_hash)

    def write_catalog(self, relative: str, data: bytes | None, commit: bool = True) -> dict[str, Any] | None:
        """Write (or, with None, remove) the catalog file ``relative``
        (``services/ID.toml``, ``packages/ID.toml``) and record the change
        with the file's text before and after, so it shows in ``log`` and
        ``undo`` can put the text back. Unchanged text records nothing.
        With ``commit`` False the event is returned for the caller's commit."""
        path = self.store.path(relative)
        try:
            with open_binary(path) as handle:
                before: bytes | None = handle.read()
        except FileNotFoundError:
            before = None
        if before == data:
            return None
        if not self.store.dry_run:
            # The file changes only once the event is recorded: the new text
            # waits in a temporary file (fsynced) that the commit moves into
            # place after its journal write, before the views; a commit that
            # fails removes it, so nothing changed.
            self._staged.append((path, None if data is None else stage_file(path, data)))
        event = {"type": "catalog-changed", "clients": [], "file": relative,
                 "before": None if before is None else before.decode("utf-8", "replace"),
                 "after": None if data is None else data.decode("utf-8")}
        if commit:  # else the caller commits it with the rest of its command (undo)
            try:
                self.commit([event])
            finally:
                self.discard_staged()  # (the commit failed: nothing recorded, nothing changed)
        return event

    def place_staged(self) -> None:
        """Move the catalog files this command staged into place (after its
        journal write: the events recording them are in the journal)."""
        staged, self._staged = self._staged, []
        if staged:
            crash_point("catalog-staged")
        for path, temp in staged:
            if temp is None:
                try:
                    os.remove(path)
                except FileNotFoundError:
                    pass
            else:
                os.replace(temp, path)
            fsync_dir(os.path.dirname(path))

    def discard_staged(self) -> None:
        """Remove the temporary files of catalog changes never recorded."""
        staged, self._staged = self._staged, []
        for _, temp in staged:
            if temp is not None:
                try:
                    os.unlink(temp)
                except OSError:
                    pass

    def client_exists(self, client_id: str) -> bool:
        return client_id in self.store._fresh_clients or os.path.exists(layout.client_view_path(self.store.root, client_id))

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
        command = f"c{seq + 1}"  # one commit, one command id: the seq of its first event
        for number, event in enumerate(events, start=1):
            seq += 1
            record = dict(event)
            record["seq"] = seq
            record["at"] = at
            record["actor"] = store.actor
            record["command"] = command
            if number < len(events):
                record["more"] = True  # a torn write never leaves half a command (journal.torn_tail)
            stamped.append(record)
        # Fold first: a damaged view the events need stops the command here,
        # before anything is written. A dry run makes the shard files only if
        # the command goes on to read them (a file of sales prints its rows
        # from its plan: most of its fold would be for nothing).
        try:
            folded = store._fold(stamped, later_shards=store.dry_run, stage_views=not store.dry_run)
        except ledger.IdTaken as err:  # the client's view gave out an id again: its counters were changed by hand
            path = os.path.relpath(layout.client_view_path(store.root, err.client), store.root)
            raise FileProblem(path, 1, f"is damaged ({err})", REBUILD) from None
        if store.dry_run:  # what it would record, held in memory only
            store._remember(folded)
            self.index = {"format": ledger.VIEW_FORMAT, "offset": self.index["offset"], "seq": stamped[-1]["seq"]}
            self.dry_events.extend(stamped)
            return stamped
        try:
            return self._record(stamped, folded)
        finally:
            folded.end_staging()  # what the worker wrote and was not renamed into place (none, once the views are written)

    def _record(self, stamped: list[dict[str, Any]], folded: "Folded") -> list[dict[str, Any]]:
        """Append ``stamped`` (folded into ``folded``) to the journal, then write the views."""
        store = self.store
        parts = folded.parts  # (a fold always has them: journal.encode's bytes, each event encoded once)
        data = "".join(parts.text(record) + "\n" for record in stamped).encode("utf-8")
        # What a crash left is put right now, not before the command could be refused.
        whole = store._before_append(keep=[temp for _, temp in self._staged if temp], own_stage=folded.stage is not None)
        _, end = append_durably(store._journal_path, data)
        del data  # (tens of megabytes for a file of sales: not held while the views are written)
        crash_point("journal-written")
        # Recorded. From here on a failure only delays the views: the command
        # goes on with the state it recorded, held in memory.
        self.committed.extend(stamped)
        store.recorded += len(stamped)
        store._remember(folded)
        try:
            self.place_staged()  # the catalog files the events record (before the index moves past them)
        except OSError as err:
            store._views_behind = True  # the next command that records something finishes them from the journal's tail
            store.warnings.append(f"recorded, but a catalog file could not be written ({view_failure(err)}); "
                                  "the next command that records something brings it up to date from the journal")
        behind = {"format": ledger.VIEW_FORMAT, "offset": end, "seq": stamped[-1]["seq"]}
        if store._views_behind or store._deferring:  # an earlier commit could not write them, or defer_views
            self.index = behind
            if store._deferring:
                store._deferred_index = behind
            return stamped
        try:
            if whole:  # the journal's tail folded in memory and this commit on top: every view either changed
                folded = Folded(store._fresh_clients, store._fresh_small, store._fresh_files)
            self.index = store._write_views(folded, stamped, self.index, end)
        except (SessionpackError, OSError) as err:
            self.index = behind
            store._views_behind = True
            store.warnings.append(
                f"recorded, but the views could not be updated ({view_failure(err)}); "
                "the next command that records something brings them up to date from the journal"
            )
        return stamped


def stage_file(path: str, data: bytes) -> str:
    """A temporary file beside ``path`` holding ``data``, fsynced (its name
    is one ``remove_leftovers`` takes away if the command is killed)."""
    refuse_link(path)
    temp = temp_name(path)
    create_file(temp, data)
    return temp


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
        missing = []
        here = os.path.abspath(root)
        while not os.path.isdir(here):
            missing.append(here)
            parent = os.path.dirname(here)
            if parent == here:
                break
            here = parent
        for folder in reversed(missing):  # every missing level private, whatever the umask
            make_dir(folder)
    else:
        os.chmod(root, 0o700)
    for name in layout.DIRS:
        make_dir(os.path.join(root, name))
    create_lock_file(os.path.join(root, layout.LOCK))
    create_file(os.path.join(root, layout.JOURNAL), journal.header())
    header_size = len(journal.header())
    atomic_write(os.path.join(root, layout.INDEX), encode_view({"format": ledger.VIEW_FORMAT, "offset": header_size, "seq": 0,
                                                                       "files": inventory.tally(())}))
    # settings.toml last: its presence marks a complete data directory.
    create_file(os.path.join(root, layout.SETTINGS), settings_text)
