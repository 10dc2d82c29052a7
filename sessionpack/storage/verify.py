"""``check``: replay the journal, compare with the views, list problems.

Like a ledger validator it returns every problem at once, each with file
and line, instead of stopping at the first. ``rebuild`` writes the views
the journal implies, byte for byte what the commands would have written.

The full replay keeps each client's events as their encoded bytes (as
objects they take several times more memory) and encodes one view file at a
time. ``run_check`` is what ``sessionpack check`` runs: the full replay, or
the incremental check (``incremental``) against the checkpoint of the last
clean check (``checkpoint``).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..domain import ledger
from ..errors import FileProblem, SessionpackError
from . import checkpoint, journal, layout, report_shards, shards
from .catalog import load_packages, load_services
from .fsio import atomic_write, make_dir, open_binary, read_bytes, remove_leftovers
from .small_views import NAMES as SMALL_NAMES, SMALL_VIEWS
from .store import Store, encode_view, view_failure

_EVENTS_MARK = f"\x00events-{secrets.token_hex(8)}\x00"  # stands for a view's events while it is encoded
_EVENTS_MARK_JSON = json.dumps(_EVENTS_MARK).encode("ascii")
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode  # as journal.encode, once


REBUILDING = {"format": 0, "offset": 0, "rebuilding": True, "seq": 0}


def _client_name(client_id: str) -> str:
    return os.path.join(layout.CLIENT_VIEWS, f"{client_id}.json")


class Replayed:
    """The views the whole journal implies, encoded one file at a time."""

    def __init__(self) -> None:
        self.clients: dict[str, dict[str, Any]] = {}
        self.events: dict[str, list[bytes]] = {}  # client -> its events, each as encoded in its view
        self.package_events: dict[str, list[dict[str, Any]]] = {}  # client -> the events its report lines read
        self.small = {entry.name: entry.empty() for entry in SMALL_VIEWS}
        self.offset = 0
        self.seq = 0
        self.digest = checkpoint.Digest()  # of the journal bytes [0, offset)

    def apply(self, event: dict[str, Any]) -> None:
        if event["type"] == "undone":
            self._apply_undone(event)
            return
        applied = []
        for client_id in event.get("clients", []):
            view = self.clients.get(client_id)
            if view is None:
                view = self.clients[client_id] = ledger.empty_client_view(client_id)
                self.events[client_id] = []
            if event["seq"] <= view["seq"]:
                continue  # as ledger.apply_to_client: a client named twice gets it once
            ledger.dispatch(view, event)
            view["seq"] = event["seq"]
            applied.append(client_id)
        for entry in SMALL_VIEWS:
            if entry.concerns(event):
                entry.fold(self.small[entry.name], event)
        encoded = _ENCODE(event).encode("utf-8")
        for client_id in applied:
            self.events[client_id].append(encoded)
        if event["type"] in report_shards.EVENT_TYPES:
            for client_id in applied:
                self.package_events.setdefault(client_id, []).append(event)

    def _apply_undone(self, event: dict[str, Any]) -> None:
        """An undo folds its clients again from their own events (domain.undo),
        so for it their views hold their events, as a commit's do."""
        from ..domain.undo import sold_counts
        from .small_views import fold_undo

        views = {}
        for client_id in event.get("clients", []):
            view = self.clients.get(client_id)
            if view is None:
                view = self.clients[client_id] = ledger.empty_client_view(client_id)
                self.events[client_id] = []
            view["events"] = [json.loads(raw) for raw in self.events[client_id]]
            views[client_id] = view
        sold_before = {c: sold_counts(v) for c, v in views.items()}
        for client_id, view in views.items():
            ledger.apply_to_client(view, event)
        fold_undo(lambda name: self.small[name], event, sold_before, views)
        encoded = _ENCODE(event).encode("utf-8")
        for client_id, view in views.items():
            view["events"] = []
            self.events[client_id].append(encoded)

    def files(self) -> Iterator[tuple[str, bytes]]:
        """(relative path, bytes) of every view file, in path order.

        Client views are handed out (and forgotten) one at a time; the shards
        are built from them on the way.
        """
        builder = shards.Builder()
        for client_id in sorted(self.clients, key=lambda c: c + ".json"):
            view = self.clients.pop(client_id)
            events = self.events.pop(client_id)
            undone = set(view.get("undone", ()))  # events of undone commands no longer count (domain.undo)
            view["events"] = [e for e in self.package_events.pop(client_id, []) if e.get("seq") not in undone]
            builder.add(view)
            view["events"] = _EVENTS_MARK
            data = encode_view(view).replace(_EVENTS_MARK_JSON, b"[" + b",".join(events) + b"]", 1)
            yield _client_name(client_id), data
        rest = builder.files()
        for name, view in self.small.items():
            if view["seq"]:
                rest[name] = encode_view(view)
        rest[layout.INDEX] = encode_view({"format": ledger.VIEW_FORMAT, "offset": self.offset, "seq": self.seq})
        for name in sorted(rest):
            yield name, rest[name]


def does_not_fit(line: int, raw: bytes, err: Exception) -> str:
    return f"{layout.JOURNAL}:{line}: event {raw[:60].decode('utf-8', 'replace')!r}... does not fit the events before it ({type(err).__name__}: {err})"


def replay(store: Store, end: int | None = None) -> tuple[Replayed, list[str]]:
    """Fold the journal (up to byte ``end``: the end of its complete
    commands); the problems stop it at the first bad line."""
    problems: list[str] = []
    replayed = Replayed()
    unfinished = 0  # line of the first event of a command still marked "more"
    with open_binary(store.path(layout.JOURNAL)) as handle:
        first = handle.readline()
        try:
            journal.check_header(first, layout.JOURNAL)
        except FileProblem as err:
            return replayed, [str(err)]
        replayed.offset = len(first)
        replayed.digest.update(first)
        line = 1
        for raw in handle:
            if end is not None and replayed.offset >= end:
                break
            line += 1
            if not raw.endswith(b"\n"):
                problems.append(f"{layout.JOURNAL}:{line}: is an incomplete last line; run any other sessionpack command to move it aside")
                break
            try:
                event = journal.parse_line(raw, line, layout.JOURNAL, replayed.seq + 1)
                replayed.apply(event)
            except FileProblem as err:
                problems.append(str(err))
                break
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                problems.append(does_not_fit(line, raw, err))
                break
            replayed.seq += 1
            replayed.offset += len(raw)
            replayed.digest.update(raw)
            if event.get("more") is True:
                unfinished = unfinished or line
            else:
                unfinished = 0
        else:
            if unfinished:
                problems.append(
                    f"{layout.JOURNAL}:{unfinished}: the last command's events end unfinished (its write was interrupted); "
                    "run any other sessionpack command to move them aside"
                )
    return replayed, problems


def existing_views(root: str) -> set[str]:
    """Every view file present (relative paths; the checkpoint is not a view)."""
    found = set()
    for name in (layout.INDEX, *SMALL_NAMES):
        if os.path.exists(os.path.join(root, name)):
            found.add(name)
    client_dir = os.path.join(root, layout.CLIENT_VIEWS)
    if os.path.isdir(client_dir):
        for name in os.listdir(client_dir):
            if name.endswith(".json") and not name.startswith("."):
                found.add(os.path.join(layout.CLIENT_VIEWS, name))
    return found | shards.existing(root)


def catalog_problems(store: Store) -> list[str]:
    problems: list[str] = []
    services: dict[str, Any] = {}
    try:
        services = load_services(store.root, store.settings.currency, problems=problems)
    except SessionpackError as err:
        problems.append(str(err))
    try:
        load_packages(store.root, store.settings.currency, services, problems=problems)
    except SessionpackError as err:
        problems.append(str(err))
    return problems


def full_check(store: Store, end: int | None = None) -> tuple[list[str], checkpoint.Checkpoint | None]:
    """Replay the journal (to ``end``) and compare every view file with what
    it implies; the view files are seen as the store sees them
    (``Store.view_bytes``: with the events a read folded in memory).

    Returns the problems, and when there is none, the checkpoint they prove.
    """
    replayed, problems = replay(store, end)
    if problems:
        return problems, None
    present = existing_views(store.root)
    fresh = store.fresh_view_names()
    for name, exists in fresh.items():
        (present.add if exists else present.discard)(name)
    found: list[tuple[str, str]] = []
    recorded = checkpoint.Checkpoint.start(replayed)
    for name, expected in replayed.files():
        present.discard(name)
        actual = store.view_bytes(name)
        if actual is None:
            found.append((name, f"{name}: missing; run 'sessionpack check --rebuild'"))
            continue
        if actual != expected:
            found.append((name, f"{name}:{first_difference(actual, expected)}: differs from what the journal implies; run 'sessionpack check --rebuild'"))
        elif name != layout.INDEX and name not in fresh:
            recorded.add_file(name, os.stat(store.path(name)), expected)
    for name in present:
        found.append((name, f"{name}: no event in the journal makes this view; run 'sessionpack check --rebuild'"))
    problems.extend(text for _, text in sorted(found))
    return problems, (None if problems else recorded)


def check(store: Store) -> list[str]:
    """All problems a full replay finds, as 'file:line: what; fix' lines (empty: all well)."""
    return catalog_problems(store) + full_check(store)[0]


def first_difference(actual: bytes, expected: bytes) -> int:
    for line, (a, b) in enumerate(zip(actual.splitlines(), expected.splitlines()), start=1):
        if a != b:
            return line
    return 1


def views_beyond(store: Store, seq: int) -> int:
    """The last event the views record when it is beyond ``seq`` (the last
    event of the journal), else 0: the views then hold events the journal
    lost. The index tells; when it cannot, the client views are read."""
    try:
        index = json.loads(read_bytes(store.path(layout.INDEX)))
        if isinstance(index, dict) and isinstance(index.get("seq"), int) and not index.get("rebuilding"):
            return index["seq"] if index["seq"] > seq else 0
    except (FileNotFoundError, ValueError, RecursionError):
        pass
    last = 0
    for name in sorted(existing_views(store.root)):
        if os.path.dirname(name) == layout.CLIENT_VIEWS:
            try:
                view_seq = json.loads(read_bytes(store.path(name))).get("seq")
            except (ValueError, AttributeError, RecursionError):
                continue
            if isinstance(view_seq, int) and view_seq > last:
                last = view_seq
    return last if last > seq else 0


def rebuild(store: Store) -> tuple[int, list[str]]:
    """Write every view from the journal; remove views no event makes.

    Refused when the views hold events the journal does not (it lost them):
    a rebuild would drop them; ``restore_journal`` puts them back first.
    First the index is marked as being rebuilt (format 0), and it is written
    for real last: a rebuild cut short is simply done again by the next
    command, like the upgrade of views of an older format. A checkpoint is
    written when the journal is large enough for ``check`` to use one.
    """
    keep, size = journal.torn_extent(store.path(layout.JOURNAL))
    replayed, problems = replay(store, keep)
    if problems:
        return 0, problems
    beyond = views_beyond(store, replayed.seq)
    if beyond:
        return 0, [
            f"{layout.JOURNAL} ends at event {replayed.seq} but the views record events up to {beyond}: a rebuild "
            f"would drop events {replayed.seq + 1} to {beyond} from the views. Restore the journal from a backup, or "
            "put back the copies the client views keep with 'sessionpack check --restore-journal'"
        ]
    if size > keep:
        store.move_torn_aside(keep)  # (only now that the journal was compared with the views)
    stale = existing_views(store.root)
    checkpoint.forget(store.root)
    try:
        os.unlink(store.path(layout.LEGACY_CHECKPOINT))
    except FileNotFoundError:
        pass
    make_dir(store.path(layout.VIEWS))
    atomic_write(store.path(layout.INDEX), encode_view(REBUILDING))
    recorded = checkpoint.Checkpoint.start(replayed)
    made: set[str] = set()
    count = 0
    index = b""
    for name, data in replayed.files():
        count += 1
        stale.discard(name)
        if name == layout.INDEX:
            index = data
            continue
        folder = os.path.dirname(name)
        if folder not in made:
            make_dir(store.path(folder))
            made.add(folder)
        atomic_write(store.path(name), data)
        recorded.add_file(name, os.stat(store.path(name)), data)
    for name in stale - {layout.INDEX}:
        os.unlink(store.path(name))
    for folder in layout.VIEW_DIRS:
        remove_leftovers(store.path(folder))
    atomic_write(store.path(layout.INDEX), index)  # last: it says the views are complete
    if checkpoint.worth_keeping(replayed.offset):
        _save(store, recorded)
    return count, []


@dataclass
class CheckResult:
    problems: list[str]
    incremental: bool  # True: against the checkpoint; False: the whole journal replayed
    events: int  # events checked (incremental) or replayed (full)
    since_seq: int  # incremental: the seq of the checkpoint
    fallback: str | None  # full check where an incremental one was wanted: why
    notes: list[str] = field(default_factory=list)  # states that are not damage (a repair the next write does)


def run_check(store: Store, full: bool = False) -> CheckResult:
    """``sessionpack check``: incremental when a checkpoint allows it, else full.

    Under the shared lock, writing nothing in the data directory. What a
    crash leaves behind is not damage and is reported as a note, with exit
    0: a torn last command (the next command that writes moves it aside)
    and events recorded in the journal that the views lack (they are folded
    in memory here and checked like the rest; the next command that writes
    puts them into the view files). A journal shorter than the views is
    damage. A check that finds all in order leaves, when the journal is
    large enough (``checkpoint.worth_keeping``), a checkpoint for the next
    one in the cache directory (the catalog is checked apart, in full,
    every time).
    """
    problems = catalog_problems(store)
    notes: list[str] = []
    keep, size = journal.torn_extent(store.path(layout.JOURNAL))
    if size > keep:
        notes.append(f"the journal ends in {size - keep} bytes of a command that was interrupted while writing them "
                     "and was not recorded; the next command that records something moves them to torn/")
    try:
        index: dict[str, Any] | None = store._read_index()
    except SessionpackError:
        index = None  # missing or damaged: the comparison below names it
    if index is not None and index["offset"] > keep and not index.get("rebuilding"):
        return CheckResult(problems + [str(store.shorter_journal(index, keep))], False, 0, 0, None, notes)
    if index is not None and index.get("format") != ledger.VIEW_FORMAT:
        replayed, found = replay(store, keep)
        if not found:
            notes.append(str(store._outdated(index)).replace("; a command that only reads never writes, so run", "; run"))
        return CheckResult(problems + found, False, replayed.seq, 0, None, notes)
    pending = index is not None and index["offset"] < keep
    if pending:
        try:
            store._catch_up_in_memory(index)  # type: ignore[arg-type]
        except SessionpackError:
            pending = False  # the journal changed before its tail: the full comparison names what differs
    if pending:
        notes.append(f"{store.pending_events} recorded event(s) are not yet in the view files (a command was "
                     "interrupted after recording them); checked in memory, and the next command that records "
                     "something writes them")
    reason = "some recorded events are not yet in the view files" if pending and not full and checkpoint.worth_keeping(keep) else None
    if not full and not pending and checkpoint.worth_keeping(keep):
        from .incremental import Incremental, incremental

        outcome = incremental(store, keep)
        if isinstance(outcome, Incremental):
            if not outcome.problems and outcome.changed:  # (catalog problems are not the views')
                _save(store, outcome.checkpoint)
            return CheckResult(problems + outcome.problems, True, outcome.events, outcome.since_seq, None, notes)
        reason = outcome
    found, recorded = full_check(store, keep)
    problems.extend(found)
    if recorded is not None and not pending and checkpoint.worth_keeping(recorded.offset):
        _save(store, recorded)
    return CheckResult(problems, False, recorded.seq if recorded else 0, 0, reason, notes)


def _save(store: Store, record: checkpoint.Checkpoint) -> None:
    """Write the checkpoint; failing to is no problem of the data, only slower next time."""
    try:
        record.save(store.root)
    except (SessionpackError, OSError) as err:
        store.warnings.append(f"could not write the checkpoint of this check ({view_failure(err)}); "
                              "the next check replays the whole journal again")


__all__ = ["check", "rebuild", "replay", "run_check", "CheckResult"]
