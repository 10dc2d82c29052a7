"""The full replay of the journal, streamed (``check --full``, ``check --rebuild``).

The journal is never held in memory, nor are the views of all clients at
once. Two passes over the file:

1. **scan**, in journal order: every line is read, parsed and checked (its
   ``seq`` follows the one before, it is an event, the last command is
   complete; a batch of well-formed lines at a time, each line's seq,
   type, clients and ``more`` read typed by ``jsontext.heads_reader``,
   and line by line wherever a batch does not read so), folded into the
   small whole-practice views (``small_views``) and into the CRC-32 of
   the journal; for each client only where its events lie in the file is
   kept (two integers an event);
2. **fold**, client by client in file-name order: the client's events are
   read back from those places, folded into its view in one pass, and the
   view file is encoded once, its events encoded as a commit encodes them;
   the shards (open packages, access codes, sale references and the
   report views) are built from each view on the way, and the view is then
   forgotten.

A commit writes each event into the journal with the very encoding it
gives it in the client views, so ``check`` and ``check --rebuild`` first
make a client's file with its events as the journal has them, without
encoding them again (but an undo, of which a view keeps its own share,
``ledger.kept``, encoded as a commit encodes it): when that is, byte for
byte, the file on disk, it is
the file (sessionpack writes a view only by encoding it). Only a client
whose file differs (or is missing) is folded again with every event
encoded, and that file is the one compared or written. So a journal line
written otherwise than a commit writes it (a hand edit) gives the files
it gave before, unless the same bytes were also put by hand into the view.

Folding one client at a time gives every view the same events in the same
order as folding the journal line by line, since an event changes only the
views of the clients it names, each from that client's view alone. An
event that does not fit the ones before it is reported at its line, the
first such line in the journal as a line-by-line replay would, and then
the replay implies no files.

The clients are independent of each other, so on a large journal the fold
is shared between worker processes (``workers``), each taking a run of
clients in file-name order and calling the same ``visit`` on each of its
files (compare it with the disk, or write it aside); only their small
results and shard entries come back.
"""

from __future__ import annotations

import os
import secrets
from array import array
from bisect import bisect_left
from itertools import accumulate

from .. import jsontext
from ..collector import paused
from ..domain import ledger
from ..errors import FileProblem
from . import checkpoint, inventory, journal, layout, report_shards, shards
from .forked import collect as _collect, fork as _fork
from .fsio import open_binary, open_file
from .small_views import SMALL_VIEWS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

    from .store import Store

_EVENTS_MARK = f"\x00events-{secrets.token_hex(8)}\x00"  # stands for a view's events while it is encoded
_EVENTS_MARK_JSON = jsontext.dumps(_EVENTS_MARK).encode("ascii")
_LOADS = jsontext.loads
_DOES_NOT_FIT = ledger.FOLD_ERRORS
PARALLEL_FROM = 32 * 1024 * 1024  # journal bytes from which the fold is shared between processes
OWN_SHARE = 0.96  # of an equal share of the fold's bytes, what this process takes (see _run_shared)


encode = jsontext.canonical_bytes  # the bytes of journal.encode and store.encode_view (without the newline)


def client_name(client_id: str) -> str:
    return os.path.join(layout.CLIENT_VIEWS, f"{client_id}.json")


def does_not_fit(line: int, raw: bytes, err: Exception) -> str:
    return f"{layout.JOURNAL}:{line}: event {raw[:60].decode('utf-8', 'replace')!r}... does not fit the events before it ({type(err).__name__}: {err})"


def workers(journal_size: int) -> int:
    """Processes for the fold: ``SESSIONPACK_REPLAY_WORKERS``, else two on
    a machine with two processors or more and a journal of 32 MiB or more."""
    text = os.environ.get("SESSIONPACK_REPLAY_WORKERS", "")
    if text.isdigit() and int(text) >= 1:
        return min(int(text), 16)
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2 or journal_size < PARALLEL_FROM:
        return 1
    return 2


class Replayed:
    """The views the journal implies (after ``scan``), made file by file by ``visit_files``.

    ``offset``, ``seq`` and ``digest`` describe the journal read; ``problems``
    is final once ``visit_files`` (or ``fold_all``) has run: a problem found
    by the scan, or the first event that does not fit, by line.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.spans: dict[str, array] = {}  # client -> [start, length, start, length, ...] of its events
        self.small = {entry.name: entry.empty() for entry in SMALL_VIEWS}
        self.offset = 0
        self.seq = 0
        self.digest = checkpoint.Digest()  # of the journal bytes [0, offset)
        self.problems: list[str] = []
        self._scan_stop: int | None = None  # the line the scan stopped at with a problem
        self._misfit: tuple[int, str] | None = None  # (line, problem) of the first event that does not fit
        self._undos: dict[int, dict[str, Any]] = {}  # long undo lines read by the fold, by place (fold_client)

    # -- pass 1 -----------------------------------------------------------------

    def scan(self, end: int | None, processes: int = 1) -> None:
        """Read and check every line up to byte ``end`` (on a large journal,
        the second half in a worker process while this one reads the first)."""
        with paused():  # (millions of objects, no cycles: see collector)
            self._scan(end, processes)

    def _scan(self, end: int | None, processes: int) -> None:
        with open_binary(self.path) as handle:
            first = handle.readline()
        try:
            journal.check_header(first, layout.JOURNAL)
        except FileProblem as err:
            self.problems = [str(err)]
            self._scan_stop = 1
            return
        size = os.path.getsize(self.path)
        stop = size if end is None else min(end, size)
        middle = _line_start(self.path, len(first) + (stop - len(first)) // 2, stop) if processes > 1 else stop
        # The worker, whose part is the lighter (the small views of its lines
        # are folded here), also sums the whole journal; a thread doing it
        # here cost the scan more in taking turns than the sum itself.
        worker = _fork(lambda: (_Range(self.path, middle, stop, 0, None).read(keep_small=True), _crc32(self.path, stop))) \
            if middle < stop else None
        part = _Range(self.path, len(first), middle, 1, 1)
        try:
            part.read(keep_small=False, small=[(entry, self.small[entry.name]) for entry in SMALL_VIEWS])
        finally:
            second, crc = _collect(worker) if worker is not None else (None, None)
        self._take(part, second, stop)
        if self._scan_stop is None:
            self.digest.value = _crc32(self.path, stop) if crc is None else crc

    def _take(self, part: "_Range", second: "_Range | None", stop: int) -> None:
        """Join the scans of the first part and the rest of the journal."""
        self.spans = part.spans
        self.offset, self.seq = part.offset, part.seq
        if part.problem is not None or second is None:
            self._stop_at(part)
            return
        line0 = part.line  # lines before the second part (header included)
        if second.count and second.first_seq != part.seq + 1:
            # the second part starts where the first ended: its first event must follow on
            self._stop_at(_Range(self.path, part.offset, stop, line0, part.seq + 1).read_one())
            return
        small = [(entry, self.small[entry.name]) for entry in SMALL_VIEWS]
        for offset, raw in second.small_lines:  # fold the small views on, in journal order
            line = line0 + second.line_of[offset]
            if second.problem is not None and line >= line0 + second.problem:
                break
            try:
                event = _parse(raw, line, part.seq + second.line_of[offset])
                if event["type"] == "undone":
                    fold_undo_small(self.path, event, lambda c: _spans_before(part.spans.get(c), second.spans.get(c), offset),
                                    offset, self.small)
                else:
                    for entry, view in small:
                        if entry.types is None or event["type"] in entry.types:
                            entry.fold(view, event)
            except _Misfit as err:
                self._stop(err.line if err.line is not None else line, err.text)
                self._merge_spans(second, until=offset + 1)
                return
            except _DOES_NOT_FIT as err:
                self._stop(line, does_not_fit(line, raw, err))
                self._merge_spans(second, until=offset + 1)  # (that line too: its clients' views come first)
                return
        self._merge_spans(second)
        self.offset, self.seq = second.offset, part.seq + second.count
        if second.problem is not None:
            line = line0 + second.problem
            self._stop_at(_Range(self.path, second.offset, stop, line - 1, self.seq + 1).read_one())
            return
        if second.unfinished == 1 and part.unfinished:
            self._unfinished(part.unfinished)  # the unfinished command began in the first part
        else:
            self._unfinished(second.unfinished and line0 + second.unfinished)

    def _merge_spans(self, second: "_Range", until: int | None = None) -> None:
        for client_id, found in second.spans.items():
            if until is not None:
                found = array("q", [v for i in range(0, len(found), 2) if found[i] < until for v in found[i:i + 2]])
            mine = self.spans.get(client_id)
            if mine is None:
                self.spans[client_id] = found
            else:
                mine.extend(found)

    def _stop_at(self, part: "_Range") -> None:
        if part.problem_text is not None:
            self._stop(part.problem, part.problem_text)
        else:
            self._unfinished(part.unfinished)

    def _unfinished(self, line: int) -> None:
        if line:
            self.problems.append(
                f"{layout.JOURNAL}:{line}: the last command's events end unfinished (its write was interrupted); "
                "run any other sessionpack command to move them aside"
            )

    def _stop(self, line: int, problem: str) -> None:
        self.problems = [problem]
        self._scan_stop = line

    # -- pass 2 -----------------------------------------------------------------

    def _fold(self, fd: int, client_id: Any, encode_events: bool, as_read: bool = False) -> tuple[dict[str, Any], list[bytes]] | None:
        """The view of one client and its events encoded (``as_read``: as
        the journal has them), or None when one of its events does not fit
        (remembered if it is the first so far)."""
        try:
            return fold_client(fd, client_id, self.spans[client_id], encode_events,
                               stop_line=None if self._misfit is None else self._misfit[0], as_read=as_read, undos=self._undos)
        except _Misfit as err:
            if err.line is not None:
                self._misfit = (err.line, err.text)
            return None

    def _clients(self) -> list[Any]:
        return sorted(self.spans, key=lambda c: c + ".json")

    def _run(self, clients: list[Any], visit: Callable[[str, bytes], Any],
             current: Callable[[str], bytes | None] | None) -> tuple[list[tuple[str, Any]], shards.Builder]:
        """Fold ``clients`` and visit their files (none after a misfit).

        With ``current`` (a view file as it is now, or None), the events
        of a client whose file exists are first taken as the journal has
        them, which a commit wrote as it encodes them: when the file made
        so is the current one, it is the file; otherwise the client is
        folded again with every event encoded, as it is at once when its
        file is missing or there is no ``current``."""
        results: list[tuple[str, Any]] = []
        builder = shards.Builder()
        fd = open_file(self.path, os.O_RDONLY)
        try:
            for client_id in clients:
                live = self._misfit is None and self._scan_stop is None
                name = client_name(client_id)
                now = current(name) if live and current is not None else None
                folded = self._fold(fd, client_id, encode_events=live, as_read=now is not None)
                if folded is None or not live or self._misfit is not None:
                    continue
                view, events = folded
                report = view["events"]
                data = encoded_view(view, events)
                if now is not None and now != data:
                    folded = self._fold(fd, client_id, encode_events=True)
                    if folded is None or self._misfit is not None:
                        continue
                    view, events = folded
                    report = view["events"]
                    data = encoded_view(view, events)
                view["events"] = report
                builder.add(view)
                results.append((name, visit(name, data)))
        finally:
            os.close(fd)
        return results, builder

    def visit_files(self, visit: Callable[[str, bytes], Any], processes: int = 1,
                    current: Callable[[str], bytes | None] | None = None) -> list[tuple[str, Any]]:
        """Make every view file and call ``visit(name, data)`` on it (the
        client views possibly in worker processes: ``visit`` and ``current``
        must not rely on changing this process's state), in path order; the
        list of (name, what visit returned). Nothing is visited after an
        event that does not fit; ``problems`` is final when this returns.
        ``current(name)``, the client view file as it is now (None: none),
        lets a file that is already right be made without encoding its
        events again (see ``_run``); the files visited are the same."""
        with paused():  # (millions of objects, no cycles: see collector)
            return self._visit_files(visit, processes, current)

    def _visit_files(self, visit: Callable[[str, bytes], Any], processes: int,
                     current: Callable[[str], bytes | None] | None) -> list[tuple[str, Any]]:
        clients = self._clients()
        if processes > 1 and len(clients) >= 2 * processes and self._scan_stop is None:
            results, builder = self._run_shared(clients, visit, processes, current)
        else:
            results, builder = self._run(clients, visit, current)
        self._settle()
        if self._misfit is not None or self._scan_stop is not None:
            return results
        rest = {name: encode(view) + b"\n" for name, view in self.small.items() if view["seq"]}
        names = builder.names()  # (each holds an entry: a file)
        rest[layout.INDEX] = encode({"format": ledger.VIEW_FORMAT, "offset": self.offset, "seq": self.seq,
                                     "files": inventory.tally(names)}) + b"\n"
        for name in sorted(names | set(rest)):
            data = rest[name] if name in rest else builder.take(name)  # (one shard's bytes at a time)
            if data is not None:
                results.append((name, visit(name, data)))
        return results

    def _run_shared(self, clients: list[Any], visit: Callable[[str, bytes], Any], processes: int,
                    current: Callable[[str], bytes | None] | None) -> tuple[list[tuple[str, Any]], shards.Builder]:
        """``_run`` over runs of clients of about equal journal bytes, the
        first in this process, the others in forked workers. This process's
        run is a little shorter (``OWN_SHARE``): it alone then takes in the
        workers' results (about half a second on the reference practice)."""
        weight = {c: sum(self.spans[c][1::2]) for c in clients}
        total = sum(weight.values())
        runs: list[list[Any]] = [[]]
        done = 0
        for client_id in clients:
            if done >= total * (len(runs) - 1 + OWN_SHARE) / processes and len(runs) < processes:
                runs.append([])
            runs[-1].append(client_id)
            done += weight[client_id]
        workers_ = [_fork(lambda run=run: (*self._run(run, visit, current), self._misfit)) for run in runs[1:]]
        try:
            results, builder = self._run(runs[0], visit, current)
        finally:
            answers = [_collect(worker) for worker in workers_]
        for more, other, misfit in answers:
            results.extend(more)
            builder.merge(other)
            if misfit is not None and (self._misfit is None or misfit[0] < self._misfit[0]):
                self._misfit = misfit
        return results, builder

    def fold_all(self) -> None:
        """Fold every client without making files, to settle ``problems``."""
        fd = open_file(self.path, os.O_RDONLY)
        try:
            with paused():
                for client_id in self._clients():
                    self._fold(fd, client_id, encode_events=False)
        finally:
            os.close(fd)
        self._settle()

    def _settle(self) -> None:
        """The problem a line-by-line replay would report first."""
        if self._misfit is not None and (self._scan_stop is None or self._misfit[0] <= self._scan_stop):
            self.problems = [self._misfit[1]]
            self._scan_stop = self._misfit[0]


class _Misfit(Exception):
    """An event of a client's history does not fit the ones before it: its
    line (None: no line to name) and the problem as the replay tells it."""

    def __init__(self, line: int | None, text: str) -> None:
        super().__init__(text)
        self.line, self.text = line, text


def encoded_view(view: dict[str, Any], events: list[bytes]) -> bytes:
    """The bytes of a client view file: ``view`` (as ``fold_client`` left
    it) with ``events``, each event's bytes, for its events."""
    view["events"] = _EVENTS_MARK
    return (encode(view) + b"\n").replace(_EVENTS_MARK_JSON, b"[" + b",".join(events) + b"]", 1)


def fold_client(fd: int, client_id: Any, spans: Any, encode_events: bool = True, until: int | None = None,
                stop_line: int | None = None, as_read: bool = False,
                undos: dict[int, dict[str, Any]] | None = None) -> tuple[dict[str, Any], list[bytes]]:
    """The view of one client from its events at ``spans`` (start, length,
    start, length... in the journal open as ``fd``; those before byte
    ``until`` only), and its events encoded as a commit encodes them (with
    ``as_read``: as the journal has them, without their newline). The
    view's ``events`` are what its report lines read (``report_shards``).
    An undo (``undone``) folds the client again from its events, as a
    commit of one does. Raises ``_Misfit`` at an event that does not fit
    (with no line when it comes at or after ``stop_line``: nothing more to
    learn). ``undos``: the undo events read so far, by place, shared by the
    clients they name (see ``_read_event``)."""
    view = ledger.empty_client_view(client_id)
    encoded: list[bytes] = []
    raws: list[bytes] = []  # the events as read, when they are not encoded
    report_events: list[dict[str, Any]] = []
    for i in range(0, len(spans), 2):
        if until is not None and spans[i] >= until:
            break
        raw = os.pread(fd, spans[i + 1], spans[i])
        event = _LOADS(raw) if undos is None or len(raw) < _SHARED_FROM else _read_event(raw, spans[i], undos)  # (checked by the scan)
        line = event["seq"] + 1
        if stop_line is not None and line >= stop_line:
            raise _Misfit(None, "")  # past the first misfit found: nothing more to learn here
        try:
            if event["type"] == "undone":
                view["events"] = [_LOADS(e) for e in (encoded if encode_events else raws)]
                ledger.apply_to_client(view, event)  # folds the client again without the undone events
                event = view["events"][-1]  # what the view keeps of the undo (ledger.kept), never the line as read
                raw = encode(event) + b"\n"
                as_kept = True
                view["events"] = []
            else:
                ledger.dispatch(view, event)
                view["seq"] = event["seq"]
                as_kept = as_read
        except FileProblem as err:
            raise _Misfit(line, str(err)) from None
        except _DOES_NOT_FIT as err:
            raise _Misfit(line, does_not_fit(line, raw, err)) from None
        if encode_events:
            encoded.append(raw[:-1] if as_kept else encode(event))
            if event["type"] in report_shards.EVENT_TYPES:
                report_events.append(event)
        else:
            raws.append(raw)
    undone = set(view.get("undone", ()))  # events of undone commands no longer count (domain.undo)
    view["events"] = [e for e in report_events if e.get("seq") not in undone] if undone else report_events
    return view, encoded


_SHARED_FROM = 16 * 1024  # bytes of a line from which an undo read is kept for the next clients it names


def _read_event(raw: bytes, offset: int, undos: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The event of a long line at ``offset``: an undo of a command of many
    clients is one line naming them all, read once and shared by their
    folds (which only read it: ``ledger.kept`` copies what a view keeps),
    the last eight of them kept."""
    event = undos.get(offset)
    if event is None:
        event = _LOADS(raw)
        if event.get("type") == "undone":
            if len(undos) >= 8:
                del undos[next(iter(undos))]
            undos[offset] = event
    return event


def fold_undo_small(path: str, event: dict[str, Any], spans_of: Callable[[Any], Any], offset: int,
                    small: dict[str, dict[str, Any]]) -> None:
    """Fold an undo (at byte ``offset``) into the small views: it takes back
    events they folded, so the clients it names are folded up to it, as a
    commit of it sees them (``small_views.fold_undo``)."""
    from ..domain.undo import sold_counts
    from .small_views import fold_undo

    views: dict[Any, dict[str, Any]] = {}
    undos: dict[int, dict[str, Any]] = {}
    fd = open_file(path, os.O_RDONLY)
    try:
        for client_id in event.get("clients", []):
            if client_id not in views:
                view, encoded = fold_client(fd, client_id, spans_of(client_id), until=offset, undos=undos)
                view["events"] = [_LOADS(e) for e in encoded]
                views[client_id] = view
    finally:
        os.close(fd)
    sold_before = {c: sold_counts(v) for c, v in views.items()}
    for view in views.values():
        ledger.apply_to_client(view, event)
    fold_undo(lambda name: small[name], event, sold_before, views)


def _spans_before(first: Any, second: Any, offset: int) -> array:
    """A client's spans from both parts of a split scan, those before byte ``offset``."""
    out = array("q", first or ())
    if second:
        out.extend(v for i in range(0, len(second), 2) if second[i] < offset for v in second[i:i + 2])
    return out


_HEAD = ("seq", "type", "clients", "more")  # what the scan reads of a well-formed line
# The same fields, typed as a well-formed event has them, for a batch of lines.
_HEADS = (("seq", int, jsontext.REQUIRED), ("type", str, jsontext.REQUIRED), ("clients", list[str], []),
          ("more", object, jsontext.ABSENT))
_BATCH = 1 << 20  # bytes of lines the scan reads at once


class _Every:
    """Holds every event type (the kinds of lines a small view of any type needs)."""

    def __contains__(self, item: object) -> bool:
        return True


_EVERY = _Every()


def _add_spans(spans: dict[Any, array], clients: Any, offset: int, length: int) -> None:
    """Note an event's place for each client it names (once for a client named twice)."""
    if type(clients) is list and len(clients) == 1:
        named: Any = clients
    else:
        named = []
        for client_id in clients:
            if client_id not in named:
                named.append(client_id)
    for client_id in named:
        found = spans.get(client_id)
        if found is None:
            found = spans[client_id] = array("q")
        found.append(offset)
        found.append(length)


def _unfinished_after(heads: list[Any], unfinished: int, first_line: int) -> int:
    """The first line of the unfinished command after the lines of ``heads``
    (the first at ``first_line``), as the scan counts it line by line: the
    line that opened the run of lines marked ``more`` that ends them, 0 for none."""
    last = len(heads) - 1
    while last >= 0 and heads[last].more is True:
        last -= 1
    if last == len(heads) - 1:
        return 0 if heads else unfinished
    return first_line + last + 1 if last >= 0 else (unfinished or first_line)


def _head_fits(fields: tuple[Any, ...], expect_seq: int | None) -> bool:
    """Whether a line's seq and type (the first two of ``_HEAD``) are those
    of a well-formed event with the expected seq; when they are not, the
    line is read by ``journal.parse_line``, which words the problem."""
    event_seq, event_type = fields[0], fields[1]
    return isinstance(event_type, str) and isinstance(event_seq, int) and (expect_seq is None or event_seq == expect_seq)


def _parse(raw: bytes, line: int, expect_seq: int | None) -> dict[str, Any]:
    """``journal.parse_line``, quicker for a well-formed line (same answer)."""
    try:
        event = _LOADS(raw)
        if isinstance(event, dict) and _head_fits((event.get("seq"), event.get("type")), expect_seq):
            return event
    except Exception:  # noqa: BLE001 - anything unusual: the careful reading below says what
        pass
    return journal.parse_line(raw, line, layout.JOURNAL, expect_seq)


def _crc32(path: str, stop: int) -> int:
    import zlib

    value, left = 0, stop
    with open_binary(path) as handle:
        while left > 0:
            chunk = handle.read(min(left, 1 << 20))
            if not chunk:
                break
            value = zlib.crc32(chunk, value)
            left -= len(chunk)
    return value


def _line_start(path: str, near: int, stop: int) -> int:
    """The start of the first line after byte ``near`` (``stop`` if none)."""
    with open_binary(path) as handle:
        handle.seek(near)
        handle.readline()
        return min(handle.tell(), stop)


class _Range:
    """The scan of the lines in bytes [start, stop) of the journal.

    With ``first_line`` and ``first_seq`` known (the first part) lines are
    checked and named as in the whole file; without (a worker's part) line
    numbers are counted from 1 in the part, the first event's seq is taken
    as it is and the next ones must follow it, and the lines the small
    views need are kept for the caller to fold in order.
    """

    def __init__(self, path: str, start: int, stop: int, first_line: int, first_seq: int | None) -> None:
        self.path, self.start, self.stop = path, start, stop
        self.line = first_line  # the number of the last line read (the header is line 1)
        self.first_seq = first_seq
        self.seq = (first_seq - 1) if first_seq is not None else 0
        self.offset = start
        self.count = 0
        self.spans: dict[Any, array] = {}
        self.small_lines: list[tuple[int, bytes]] = []
        self.line_of: dict[int, int] = {}  # offset -> line in the part, of the small lines
        self.problem: int | None = None  # the line of the first problem
        self.problem_text: str | None = None
        self.unfinished = 0

    def read(self, keep_small: bool, small: list[Any] | None = None) -> "_Range":
        spans = self.spans
        kinds: Any = ()  # the types of the lines the small views need (kept, or folded here)
        if keep_small or small:
            kinds = _EVERY if any(entry.types is None for entry in SMALL_VIEWS) else \
                frozenset({"undone"}).union(*(entry.types for entry in SMALL_VIEWS))
        relative = self.first_seq is None
        line = self.line if not relative else 0
        offset, stop, seq = self.offset, self.stop, self.seq
        count, unfinished = self.count, self.unfinished  # (kept here while the loop runs: a line costs less)
        absent = jsontext.ABSENT
        head = jsontext.field_reader(_HEAD)  # (None without the bulk engine: every line is read whole)
        heads = jsontext.heads_reader(_HEADS)  # (likewise)
        try:
            with open_binary(self.path) as handle:
                handle.seek(offset)
                for batch in iter(lambda: handle.readlines(_BATCH), []):
                    # A batch of well-formed lines is read at once (below), the
                    # rest line by line; both leave the same spans, small views,
                    # problems and counts.
                    if offset >= stop:
                        break
                    ends = list(accumulate(map(len, batch), initial=offset))
                    if ends[-2] >= stop:
                        del batch[bisect_left(ends, stop):]  # the lines that start before stop
                    found_heads = heads(batch) if heads is not None and batch[-1][-1:] == b"\n" else None
                    first = seq + 1 if not relative or count else (found_heads[0].seq if found_heads else 0)
                    if found_heads is not None and [h.seq for h in found_heads] == list(range(first, first + len(batch))):
                        if relative and not count:
                            self.first_seq = first
                        at = offset
                        for i, (fields, length) in enumerate(zip(found_heads, map(len, batch))):
                            clients = fields.clients
                            if len(clients) == 1:  # (_add_spans, inline for the usual line: one client)
                                found = spans.get(clients[0])
                                if found is None:
                                    found = spans[clients[0]] = array("q")
                                found.append(at)
                                found.append(length)
                            else:
                                _add_spans(spans, clients, at, length)
                            if fields.type in kinds and self._small(batch[i], None, fields.type, at, line + i + 1, keep_small, small):
                                line, count, offset = line + i + 1, count + i, at
                                seq = first + i - 1 if i else seq
                                unfinished = _unfinished_after(found_heads[:i], unfinished, line - i)
                                return self
                            at += length
                        unfinished = _unfinished_after(found_heads, unfinished, line + 1)
                        line, count, offset, seq = line + len(batch), count + len(batch), at, first + len(batch) - 1
                        continue
                    for raw in batch:
                        if offset >= stop:
                            break
                        line += 1
                        if raw[-1:] != b"\n":
                            self._problem(line, f"{layout.JOURNAL}:{line}: is an incomplete last line; run any other sessionpack command to move it aside")
                            break
                        expect = None if relative and not count else seq + 1
                        fields = head(raw) if head is not None else None
                        if fields is not None and _head_fits(fields, expect):
                            event_seq, event_type, clients, more = fields
                            event = None  # read whole only where the small views need it
                        else:
                            try:
                                event = _parse(raw, line, expect)
                            except FileProblem as err:
                                self._problem(line, str(err))
                                break
                            event_seq, event_type, clients, more = event["seq"], event["type"], event.get("clients", []), event.get("more")
                        if clients is absent:
                            clients = []
                        if relative and not count:
                            self.first_seq = event_seq
                        try:
                            _add_spans(spans, clients, offset, len(raw))
                        except _DOES_NOT_FIT as err:
                            self._problem(line, does_not_fit(line, raw, err))
                            break
                        if event_type in kinds and self._small(raw, event, event_type, offset, line, keep_small, small):
                            break
                        seq = event_seq
                        count += 1
                        offset += len(raw)
                        unfinished = (unfinished or line) if more is True else 0
                    else:
                        continue
                    break
        finally:
            self.count, self.unfinished = count, unfinished
            self.line, self.offset, self.seq = line, offset, seq
        return self

    def _small(self, raw: bytes, event: dict[str, Any] | None, event_type: str, offset: int, line: int, keep_small: bool,
               small: list[Any] | None) -> bool:
        """Keep a line the small views need (a worker's part), or fold it
        into them; True when it does not fit (the problem is then noted)."""
        try:
            if keep_small:
                self.small_lines.append((offset, raw))
                self.line_of[offset] = line
                return False
            if event is None:
                event = _LOADS(raw)  # (what the field readers answer, loads reads)
            if event_type == "undone":
                spans = self.spans
                fold_undo_small(self.path, event, lambda c: spans.get(c, ()), offset, {e.name: v for e, v in small or ()})
            else:
                for entry, view in small or ():
                    if entry.types is None or event_type in entry.types:
                        entry.fold(view, event)
        except _Misfit as err:
            self._problem(err.line if err.line is not None else line, err.text)
            return True
        except _DOES_NOT_FIT as err:
            self._problem(line, does_not_fit(line, raw, err))
            return True
        return False

    def read_one(self) -> "_Range":
        """The problem of the first line of this range, told as the whole
        scan tells it (or none, when the line is fine after all)."""
        self.stop = self.start + 1
        return self.read(keep_small=False, small=None)

    def _problem(self, line: int, text: str) -> None:
        self.problem, self.problem_text = line, text


def replay(store: Store, end: int | None = None) -> Replayed:
    """Scan the journal (up to byte ``end``: the end of its complete commands)."""
    jsontext.engage()  # (the whole journal is read and every view written: worth the engine's import)
    path = store.path(layout.JOURNAL)
    replayed = Replayed(path)
    replayed.scan(end, workers(os.path.getsize(path)))
    return replayed
