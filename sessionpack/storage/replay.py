"""The full replay of the journal, streamed (``check --full``, ``check --rebuild``).

The journal is never held in memory, nor are the views of all clients at
once. Two passes over the file:

1. **scan**, in journal order: every line is read, parsed and checked (its
   ``seq`` follows the one before, it is an event, the last command is
   complete), folded into the small whole-practice views (``small_views``)
   and into the CRC-32 of the journal; for each client only where its
   events lie in the file is kept (two integers an event);
2. **fold**, client by client in file-name order: the client's events are
   read back from those places, folded into its view in one pass, and the
   view file is encoded once, its events encoded as a commit encodes them;
   the open-package and access-code shards are built from each view on the
   way, and the view is then forgotten.

Folding one client at a time gives every view the same events in the same
order as folding the journal line by line, since an event changes only the
views of the clients it names, each from that client's view alone. An
event that does not fit the ones before it is reported at its line, the
first such line in the journal as a line-by-line replay would, and then
the replay implies no files.

At scale 1 (551,741 events, 10,000 clients) this keeps about a tenth of the
memory the all-in-memory replay took (see bench/README.md).
"""

from __future__ import annotations

import json
import os
import secrets
from array import array

from ..domain import ledger
from ..errors import FileProblem
from . import checkpoint, journal, layout, shards
from .fsio import open_binary, open_file
from .small_views import SMALL_VIEWS
from .store import encode_view

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator

    from .store import Store

_EVENTS_MARK = f"\x00events-{secrets.token_hex(8)}\x00"  # stands for a view's events while it is encoded
_EVENTS_MARK_JSON = json.dumps(_EVENTS_MARK).encode("ascii")
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode  # as journal.encode, once
_DOES_NOT_FIT = (KeyError, TypeError, ValueError, AttributeError)


def client_name(client_id: str) -> str:
    return os.path.join(layout.CLIENT_VIEWS, f"{client_id}.json")


def does_not_fit(line: int, raw: bytes, err: Exception) -> str:
    return f"{layout.JOURNAL}:{line}: event {raw[:60].decode('utf-8', 'replace')!r}... does not fit the events before it ({type(err).__name__}: {err})"


class Replayed:
    """The views the journal implies (after ``scan``), made file by file by ``files``.

    ``offset``, ``seq`` and ``digest`` describe the journal read; ``problems``
    is final once ``files`` (or ``fold_all``) has run to its end: a problem
    found by the scan, or the first event that does not fit, by line.
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

    # -- pass 1 -----------------------------------------------------------------

    def scan(self, end: int | None) -> None:
        spans = self.spans
        unfinished = 0  # line of the first event of a command still marked "more"
        with open_binary(self.path) as handle:
            first = handle.readline()
            try:
                journal.check_header(first, layout.JOURNAL)
            except FileProblem as err:
                self.problems = [str(err)]
                self._scan_stop = 1
                return
            self.offset = len(first)
            self.digest.update(first)
            line = 1
            for raw in handle:
                if end is not None and self.offset >= end:
                    break
                line += 1
                if not raw.endswith(b"\n"):
                    self._stop(line, f"{layout.JOURNAL}:{line}: is an incomplete last line; run any other sessionpack command to move it aside")
                    break
                try:
                    event = journal.parse_line(raw, line, layout.JOURNAL, self.seq + 1)
                except FileProblem as err:
                    self._stop(line, str(err))
                    break
                try:
                    named: list[Any] = []
                    for client_id in event.get("clients", []):
                        if client_id not in named:  # a client named twice gets the event once
                            named.append(client_id)
                            found = spans.get(client_id)
                            if found is None:
                                found = spans[client_id] = array("q")
                            found.append(self.offset)
                            found.append(len(raw))
                    for entry in SMALL_VIEWS:
                        if entry.concerns(event):
                            entry.fold(self.small[entry.name], event)
                except _DOES_NOT_FIT as err:
                    self._stop(line, does_not_fit(line, raw, err))
                    break
                self.seq += 1
                self.offset += len(raw)
                self.digest.update(raw)
                if event.get("more") is True:
                    unfinished = unfinished or line
                else:
                    unfinished = 0
            else:
                if unfinished:
                    self.problems.append(
                        f"{layout.JOURNAL}:{unfinished}: the last command's events end unfinished (its write was interrupted); "
                        "run any other sessionpack command to move them aside"
                    )

    def _stop(self, line: int, problem: str) -> None:
        self.problems = [problem]
        self._scan_stop = line

    # -- pass 2 -----------------------------------------------------------------

    def _fold(self, fd: int, client_id: Any, encode: bool) -> tuple[dict[str, Any], list[bytes]] | None:
        """The view of one client and its events encoded, or None when one
        of its events does not fit (remembered if it is the first so far)."""
        view = ledger.empty_client_view(client_id)
        encoded: list[bytes] = []
        spans = self.spans[client_id]
        for i in range(0, len(spans), 2):
            raw = os.pread(fd, spans[i + 1], spans[i])
            event = json.loads(raw)
            line = event["seq"] + 1
            if self._misfit is not None and line >= self._misfit[0]:
                return None  # past the first misfit found: nothing more to learn here
            try:
                ledger.dispatch(view, event)
            except FileProblem as err:
                self._misfit = (line, str(err))
                return None
            except _DOES_NOT_FIT as err:
                self._misfit = (line, does_not_fit(line, raw, err))
                return None
            view["seq"] = event["seq"]
            if encode:
                encoded.append(_ENCODE(event).encode("utf-8"))
        return view, encoded

    def _clients(self) -> list[Any]:
        return sorted(self.spans, key=lambda c: c + ".json")

    def files(self) -> Iterator[tuple[str, bytes]]:
        """(relative path, bytes) of every view file, in path order; none
        once an event that does not fit has been met. ``problems`` is final
        when this has run to its end."""
        builder = shards.Builder()
        fd = open_file(self.path, os.O_RDONLY)
        try:
            for client_id in self._clients():
                folded = self._fold(fd, client_id, encode=self._misfit is None and self._scan_stop is None)
                if folded is None or self._misfit is not None or self._scan_stop is not None:
                    continue
                view, events = folded
                builder.add(view)
                view["events"] = _EVENTS_MARK
                yield client_name(client_id), encode_view(view).replace(_EVENTS_MARK_JSON, b"[" + b",".join(events) + b"]", 1)
        finally:
            os.close(fd)
        self._settle()
        if self._misfit is not None or self._scan_stop is not None:
            return
        rest = builder.files()
        for name, view in self.small.items():
            if view["seq"]:
                rest[name] = encode_view(view)
        rest[layout.INDEX] = encode_view({"format": ledger.VIEW_FORMAT, "offset": self.offset, "seq": self.seq})
        for name in sorted(rest):
            yield name, rest[name]

    def fold_all(self) -> None:
        """Fold every client without making files, to settle ``problems``."""
        fd = open_file(self.path, os.O_RDONLY)
        try:
            for client_id in self._clients():
                self._fold(fd, client_id, encode=False)
        finally:
            os.close(fd)
        self._settle()

    def _settle(self) -> None:
        """The problem a line-by-line replay would report first."""
        if self._misfit is not None and (self._scan_stop is None or self._misfit[0] <= self._scan_stop):
            self.problems = [self._misfit[1]]
            self._scan_stop = self._misfit[0]


def replay(store: Store, end: int | None = None) -> Replayed:
    """Scan the journal (up to byte ``end``: the end of its complete commands)."""
    replayed = Replayed(store.path(layout.JOURNAL))
    replayed.scan(end)
    return replayed
