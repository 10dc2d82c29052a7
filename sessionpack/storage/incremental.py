"""The incremental ``check``: what happened since the last clean check.

Given the checkpoint of the last clean check (``checkpoint``), it proves
the same as a full replay would, reading little more than what changed:

1. the journal up to the checkpoint has the recorded CRC-32 (any edit of
   recorded history is caught; it is computed in a second thread while the
   rest goes on), and the events after it (the *tail*) parse, follow each
   other and end on a complete command;
2. a view file the tail does not touch is the file the checkpoint proved:
   same size, modification time and inode, or else the same CRC-32;
3. a client view the tail touches is refolded from its own events: those
   up to the checkpoint must rebuild the view the checkpoint proved (its
   digest), the later ones must be exactly the tail's events naming that
   client, and folding them on must give the file byte for byte;
4. directory and sales count: the tail is folded onto their text kept in
   the checkpoint; the open-package and access-code shards the tail
   touches must hold the new entries of the touched clients, and with
   those entries taken back to the clients' states at the checkpoint they
   must hash to the recorded digest (so untouched entries are unchanged);
5. the index records the journal's end, and no view file is left over.

Anything else is not decided here, and the caller replays everything (and
names each problem as precisely as ever): no checkpoint, one of another
format, the journal changed before the checkpoint, a tail event that does
not fit, or a touched client view whose state at the checkpoint cannot be
proved (missing, unreadable, or its old events not what was checked).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

from .. import jsontext
from ..domain import ledger
from ..domain.ids import SLUG_RE
from ..errors import FileProblem
from . import inventory, journal, layout, report_shards, shards
from .checkpoint import Checkpoint, Digest, digest_of, load, stat_key
from .fsio import open_binary, open_file, read_bytes
from .small_views import NAMES as SMALL_NAMES, SMALL_VIEWS
from .store import Store, encode_view
from .verify import first_difference

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

REBUILD = "run 'sessionpack check --rebuild'"
_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)


class NeedsFull(Exception):
    """What the incremental check cannot decide: the full replay will (and say it precisely)."""


@dataclass
class Incremental:
    problems: list[str]
    events: int
    since_seq: int
    checkpoint: Checkpoint
    changed: bool = False  # the checkpoint moved on (write it)


@dataclass
class Touched:
    """A client the tail names: its events, and what its view at the
    checkpoint and now gives the shards (open-shard lines, code entries)."""

    events: list[tuple[int, bytes, dict[str, Any]]] = field(default_factory=list)
    lines: tuple[list[bytes], list[bytes]] = ([], [])
    codes: tuple[set[tuple[str, str]], set[tuple[str, str]]] = (set(), set())
    reports: tuple[dict[str, list[bytes]], dict[str, list[bytes]]] = ({}, {})  # report-view lines by file
    refs: tuple[dict[str, dict[tuple[str, str], Any]], dict[str, dict[tuple[str, str], Any]]] = ({}, {})  # by shards.KEYED kind


def _client_name(client_id: str) -> str:
    return os.path.join(layout.CLIENT_VIEWS, f"{client_id}.json")


def _read(root: str, name: str) -> bytes | None:
    try:
        return read_bytes(os.path.join(root, name))
    except FileNotFoundError:
        return None


def _present(root: str) -> dict[str, os.stat_result]:
    """Every view file present (relative path -> its stat), one directory scan each."""
    found: dict[str, os.stat_result] = {}
    for name in (layout.INDEX, *SMALL_NAMES):
        try:
            found[name] = os.stat(os.path.join(root, name))
        except FileNotFoundError:
            pass
    folders = ((layout.CLIENT_VIEWS, ".json"), *inventory.FOLDERS.values())  # (every shard folder, with its files' suffix)
    for folder, suffix in folders:
        try:
            with os.scandir(os.path.join(root, folder)) as entries:
                for entry in entries:
                    if entry.name.endswith(suffix) and not entry.name.startswith("."):
                        found[os.path.join(folder, entry.name)] = entry.stat()
        except FileNotFoundError:
            continue
    return found


class PrefixDigest(threading.Thread):
    """The CRC-32 of the journal's first ``size`` bytes, computed alongside
    (reading and CRC-32 release the interpreter lock: the two cores share the work)."""

    def __init__(self, path: str, size: int) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.size = size
        self.digest: Digest | None = None  # None: the journal is shorter

    def run(self) -> None:
        digest = Digest()
        with os.fdopen(open_file(self.path, os.O_RDONLY), "rb", buffering=0) as handle:
            buf = bytearray(1 << 20)
            view = memoryview(buf)
            left = self.size
            while left:
                got = handle.readinto(view[: min(left, len(buf))])
                if not got:
                    return
                digest.update(view[:got])
                left -= got
        self.digest = digest


class Run:
    def __init__(self, store: Store, cp: Checkpoint) -> None:
        self.root = store.root
        self.cp = cp
        self.present = _present(store.root)
        self.found: list[tuple[str, str]] = []  # (file, problem)
        self.files: dict[str, list[Any]] = dict(cp.files)  # the next checkpoint's
        self.small: dict[str, str] = dict(cp.small)
        self.checked: set[str] = set()  # view files already proved (or reported)
        self.expected: set[str] = set(cp.files)  # view files that must exist
        self.unknown: set[str] = set()  # shard files that do not read (unreadable)

    def problem(self, name: str, text: str) -> None:
        self.found.append((name, text))
        self.checked.add(name)

    def differs(self, name: str, actual: bytes | None = None, expected: bytes | None = None) -> None:
        line = first_difference(actual, expected) if actual is not None and expected is not None else 1
        self.problem(name, f"{name}:{line}: differs from what the journal implies; {REBUILD}")

    def unreadable(self, name: str) -> None:
        """A shard file that does not read: what it should hold is not known,
        so it counts as a file that is to be there (the index's counts)."""
        self.unknown.add(name)
        self.differs(name)

    def missing(self, name: str) -> None:
        self.problem(name, f"{name}: missing; {REBUILD}")

    def proved(self, name: str, data: bytes) -> None:
        """``name`` holds ``data``, which is what the journal implies."""
        self.checked.add(name)
        self.expected.add(name)
        self.files[name] = stat_key(os.stat(os.path.join(self.root, name))) + [digest_of(data)]
        if name in SMALL_NAMES:
            self.small[name] = data.decode("utf-8")

    def was(self, name: str, data: bytes | None) -> bool:
        """Whether ``data`` (None: no file) is what the checkpoint proved for ``name``."""
        entry = self.cp.files.get(name)
        if entry is None:
            return data is None
        return data is not None and entry[3] == digest_of(data)

    # -- 2. untouched files ----------------------------------------------------------

    def untouched(self, name: str) -> None:
        self.checked.add(name)
        stat = self.present.get(name)
        if stat is None:
            self.missing(name)
            return
        entry = self.cp.files[name]
        if stat_key(stat) == entry[:3]:
            return
        data = read_bytes(os.path.join(self.root, name))
        if digest_of(data) != entry[3]:
            self.differs(name)
            return
        self.files[name] = stat_key(stat) + [entry[3]]

    # -- 3. touched client views -----------------------------------------------------

    def client(self, client_id: str, touched: Touched) -> None:
        name = _client_name(client_id)
        self.expected.add(name)
        data = _read(self.root, name)
        if data is None:
            raise NeedsFull("a client view the new events touch is missing")
        try:
            view = jsontext.loads(data)
            events = view["events"]
            old = [e for e in events if e["seq"] <= self.cp.seq]
            new = [e for e in events if e["seq"] > self.cp.seq]
            before = ledger.empty_client_view(client_id)
            for event in old:
                ledger.apply_to_client(before, event)
            encoded = encode_view(before)
        except _ERRORS:
            raise NeedsFull("a client view the new events touch is damaged") from None
        if not self.was(name, encoded if old else None):
            raise NeedsFull("a client view the new events touch differs from the last check")
        lines_before, (codes_before, refs_before) = shards.open_lines(before), shards.index_entries(before)
        reports_before = report_shards.client_lines(before)
        after = before
        for line, raw, event in touched.events:
            try:
                ledger.apply_to_client(after, event)
            except _ERRORS:
                raise NeedsFull(f"the event on journal line {line} does not fit the events before it") from None
        touched.lines = (lines_before, shards.open_lines(after))
        codes_after, refs_after = shards.index_entries(after)
        touched.codes = (codes_before, codes_after)
        touched.reports = (reports_before, report_shards.client_lines(after))
        touched.refs = (refs_before, refs_after)
        expected = encode_view(after)
        if new != [e for _, _, e in touched.events] or expected != data:
            self.differs(name, data, expected)
            return
        self.proved(name, data)

    # -- 4. directory, sold, shards ----------------------------------------------------

    def small_view(self, name: str, empty: Any, fold: Any, events: list[tuple[int, bytes, dict[str, Any]]]) -> None:
        """Fold the tail onto the copy of a small view and compare."""
        text = self.small.get(name)
        view = jsontext.loads(text) if text is not None else empty()
        if (text is None) != (name not in self.cp.files) or (text is not None and not self.was(name, text.encode("utf-8"))):
            raise ValueError("the checkpoint's copy of a view does not match it")
        changed = False
        for line, raw, event in events:
            try:
                changed |= fold(view, event)
            except _ERRORS:
                raise NeedsFull(f"the event on journal line {line} does not fit the events before it") from None
        if not changed:
            return
        expected = encode_view(view)
        self.expected.add(name)
        data = _read(self.root, name)
        if data is None:
            self.missing(name)
        elif data != expected:
            self.differs(name, data, expected)
        else:
            self.proved(name, data)

    def open_shard(self, name: str, clients: dict[str, Touched]) -> None:
        data = _read(self.root, name)
        mine = {c.encode("utf-8") for c in clients}
        try:
            lines = shards.split_lines(data)
            others = [line for line in lines if shards.line_key(line, name)[0] not in mine]
        except FileProblem:
            self.unreadable(name)
            return
        before = shards.join_lines(others + [line for t in clients.values() for line in t.lines[0]])
        after = shards.join_lines(others + [line for t in clients.values() for line in t.lines[1]])
        self.shard_result(name, data, before, after)

    def report_file(self, name: str, clients: dict[str, Touched]) -> None:
        """A report-view file (``report_shards``) the touched clients have lines in."""
        data = _read(self.root, name)
        mine = {c.encode("utf-8") for c in clients}
        try:
            lines = shards.split_lines(data)
            others = [line for line in lines if shards.line_key(line, name)[0] not in mine]
        except FileProblem:
            self.unreadable(name)
            return
        before = report_shards.join(others + [line for t in clients.values() for line in t.reports[0].get(name, [])])
        after = report_shards.join(others + [line for t in clients.values() for line in t.reports[1].get(name, [])])
        self.shard_result(name, data, before, after)

    def code_shard(self, name: str, touched: dict[str, Touched], before: list[tuple[str, str, str]], after: list[tuple[str, str, str]]) -> None:
        """``before``/``after``: (hash, client, package) of the touched clients in this shard."""
        data = _read(self.root, name)
        try:
            codes = shards.parse_codes(data, name)
            others = [(h, client, cp_id) for h, holders in codes.items() for client, cp_id in holders if client not in touched]
        except (FileProblem, *_ERRORS):
            self.unreadable(name)
            return

        def build(mine: list[tuple[str, str, str]]) -> bytes | None:
            result: dict[str, list[list[str]]] = {}
            for code_hash, client, cp_id in others + mine:
                result.setdefault(code_hash, []).append([client, cp_id])
            for holders in result.values():
                holders.sort()
            return shards.encode_codes(result)

        self.shard_result(name, data, build(before), build(after))

    def ref_shard(self, name: str, touched: dict[str, Touched], before: list[tuple[str, str, str, Any]],
                  after: list[tuple[str, str, str, Any]]) -> None:
        """A shard of a ``shards.KEYED`` index (references, invoice numbers);
        ``before``/``after``: (text, client, package, what its sale recorded)
        of the touched clients in this shard."""
        data = _read(self.root, name)
        try:
            refs = shards.parse_refs(data, name)
            others = [(ref, h[0], h[1], h[2]) for ref, holders in refs.items() for h in holders if h[0] not in touched]
        except (FileProblem, *_ERRORS):
            self.unreadable(name)
            return

        def build(mine: list[tuple[str, str, str, Any]]) -> bytes | None:
            result: dict[str, list[list[Any]]] = {}
            for reference, client, cp_id, fields in others + mine:
                shards.add_ref(result, reference, client, cp_id, fields)
            return shards.encode_refs(result, name)

        self.shard_result(name, data, build(before), build(after))

    def shard_result(self, name: str, data: bytes | None, before: bytes | None, after: bytes | None) -> None:
        if after is None:
            self.expected.discard(name)
            self.files.pop(name, None)
            self.checked.add(name)
            if data is not None and self.was(name, before):
                self.problem(name, f"{name}: no event in the journal makes this view; {REBUILD}")
            elif data is not None:
                self.differs(name)
            return
        self.expected.add(name)
        if data is None:
            self.missing(name)
        elif data != after or not self.was(name, before):
            self.differs(name, data, after)
        else:
            self.proved(name, data)


def _read_tail(path: str, offset: int, end: int) -> bytes | None:
    """The journal's bytes from ``offset`` to ``end`` (None: it is shorter)."""
    if end < offset:
        return None
    with open_binary(path) as handle:
        handle.seek(offset)
        return handle.read(end - offset)


def _tail_events(tail: bytes, cp: Checkpoint) -> tuple[list[tuple[int, bytes, dict[str, Any]]], list[str]]:
    events: list[tuple[int, bytes, dict[str, Any]]] = []
    pieces = tail.split(b"\n")
    rest = pieces.pop()  # after the last newline: empty, or a torn line
    line = cp.seq + 1
    unfinished = 0
    for piece in pieces:
        line += 1
        raw = piece + b"\n"
        try:
            event = journal.parse_line(raw, line, layout.JOURNAL, cp.seq + len(events) + 1)
        except FileProblem as err:
            return events, [str(err)]
        events.append((line, raw, event))
        unfinished = (unfinished or line) if event.get("more") is True else 0
    if rest:
        return events, [f"{layout.JOURNAL}:{line + 1}: is an incomplete last line; run any other sessionpack command to move it aside"]
    if unfinished:
        return events, [
            f"{layout.JOURNAL}:{unfinished}: the last command's events end unfinished (its write was interrupted); "
            "run any other sessionpack command to move them aside"
        ]
    return events, []


def incremental(store: Store, end: int) -> Incremental | str:
    """Check the journal up to ``end`` (the end of its complete commands)
    against the checkpoint; a string says why a full replay is needed."""
    cp = load(store.root)
    if isinstance(cp, str):
        return cp
    path = store.path(layout.JOURNAL)
    tail = _read_tail(path, cp.offset, end)
    if tail is None:
        return "the journal is shorter than at the last check"
    prefix = PrefixDigest(path, cp.offset)
    prefix.start()
    try:
        result = _check(store, cp, tail)
    finally:
        prefix.join()
    if prefix.digest is None:
        return "the journal is shorter than at the last check"
    if prefix.digest.hexdigest() != cp.journal:
        return "the journal's history before the last check has changed"
    if isinstance(result, Incremental):
        prefix.digest.update(tail)
        result.checkpoint.journal = prefix.digest.hexdigest()
    return result


def _check(store: Store, cp: Checkpoint, tail: bytes) -> Incremental | str:
    events, problems = _tail_events(tail, cp)
    if problems:
        return Incremental(problems, len(events), cp.seq, cp)
    run = Run(store, cp)
    touched: dict[str, Touched] = {}
    for line, raw, event in events:
        for client_id in event.get("clients", []):
            if not isinstance(client_id, str) or not SLUG_RE.match(client_id):
                return f"the event on journal line {line} names a client id that is not valid"
            entry = touched.setdefault(client_id, Touched())
            if not entry.events or entry.events[-1][2] is not event:
                entry.events.append((line, raw, event))
    try:
        if any(event.get("type") == "undone" for _, _, event in events):
            raise NeedsFull("an undo folds clients and small views again from their events")
        for entry in SMALL_VIEWS:
            run.small_view(entry.name, entry.empty, entry.fold, [e for e in events if entry.concerns(e[2])])
        for client_id in sorted(touched):
            run.client(client_id, touched[client_id])
        by_shard: dict[str, dict[str, Touched]] = {}
        codes: dict[str, tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]] = {}
        for client_id, t in touched.items():
            by_shard.setdefault(shards.open_shard(client_id), {})[client_id] = t
            for side in (0, 1):
                for code_hash, cp_id in t.codes[side]:
                    codes.setdefault(shards.code_shard(code_hash), ([], []))[side].append((code_hash, client_id, cp_id))
        for name in sorted(by_shard):
            run.open_shard(name, by_shard[name])
        by_report: dict[str, dict[str, Touched]] = {}
        for client_id, t in touched.items():
            for name in set(t.reports[0]) | set(t.reports[1]):
                by_report.setdefault(name, {})[client_id] = t
        for name in sorted(by_report):
            run.report_file(name, by_report[name])
        for name in sorted(codes):
            run.code_shard(name, touched, *codes[name])
        refs: dict[str, tuple[list[tuple[str, str, str, Any]], list[tuple[str, str, str, Any]]]] = {}
        for client_id, t in touched.items():
            for side in (0, 1):
                for keyed in shards.KEYED:
                    for (reference, cp_id), fields in t.refs[side].get(keyed.kind, {}).items():
                        refs.setdefault(keyed.shard(reference), ([], []))[side].append((reference, client_id, cp_id, fields))
        for name in sorted(refs):
            run.ref_shard(name, touched, *refs[name])
        for name in cp.files:
            if name not in run.checked:
                run.untouched(name)
    except NeedsFull as err:
        return str(err)
    except (_ERRORS, FileProblem):
        return "the checkpoint is damaged"
    index = encode_view({"format": ledger.VIEW_FORMAT, "offset": cp.offset + len(tail), "seq": cp.seq + len(events),
                         "files": inventory.tally(run.expected | (run.unknown & set(run.present)))})
    actual = _read(store.root, layout.INDEX)
    if actual is None:
        run.missing(layout.INDEX)
    elif actual != index:
        run.differs(layout.INDEX, actual, index)
    for name in set(run.present) - run.expected - {layout.INDEX}:
        run.problem(name, f"{name}: no event in the journal makes this view; {REBUILD}")
    for name in run.expected - run.checked:
        if not os.path.exists(os.path.join(store.root, name)):
            run.missing(name)
    found = [text for _, text in sorted(run.found)]
    after = Checkpoint(cp.offset + len(tail), cp.seq + len(events), cp.journal, run.files, run.small)
    changed = after.files != cp.files or after.offset != cp.offset
    return Incremental(found, len(events), cp.seq, after, changed)


__all__ = ["Incremental", "incremental"]
