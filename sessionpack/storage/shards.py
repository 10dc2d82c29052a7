"""The sharded whole-practice views: open client packages, access codes and
sale references.

``views/open/XX.jsonl`` holds one line per client package that is not
closed for good (``ledger.open_rows``) of the clients whose id hashes to XX
(the low byte of its CRC-32, 256 shards)::

    ["2027-01-31","ana","ana.p1",{...the package record of ana's view...}]
    [null,"bob","bob.p3",{...}]

sorted by client and package id. The last valid day (null: no expiry, or not
started) leads the line, so a listing skips the packages past it without
decoding them.

``views/codes/XX.json`` maps the access-code hashes starting with the hex
digits XX to the client packages holding them:
``{"codes": {"HASH": [["ana", "ana.p1"]]}}`` (a list, so that even two
packages with one hash would be kept apart; lookups take the first).

``views/refs/XX.json`` maps each sale reference whose CRC-32 has the low
byte XX to the client packages sold with it and what their sales recorded
(``references.recorded``): ``{"refs": {"shop-1042": [["ana", "ana.p1",
{"client": "ana", "date": "2026-11-20", ...}]]}}``. A sale with a reference
reads one of these files (``ref_holders``) to refuse selling twice across
the whole practice.

All three are functions of the client views alone, whatever events made them.
A shard file exists only while it has an entry. A commit rewrites only the
shards of the clients it touched (``Changes``), before their client views:
the access-code shards are updated from the difference between a client's
view before and after the commit, so after a crash the replay, which starts
again from the views on disk, makes the same change (again, harmlessly).
"""

from __future__ import annotations

import os
import zlib
from datetime import datetime

from .. import jsontext
from ..domain import ledger
from ..errors import FileProblem
from . import layout, report_shards
from .crash import crash_point
from .fsio import fsync_dir, make_dir, read_bytes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, Iterator

    from .encoding import Parts

DAMAGED_FIX = "rebuild the views with 'sessionpack check --rebuild'"


def canonical(obj: Any) -> bytes:
    """The bytes of a JSON view (sorted keys, no spaces, one line): those of
    ``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
    and a newline, made by one encoder kept for every line (``report_shards.line``)."""
    return report_shards.line(obj)


# Each shard's name, by its number (0-255), made once: a commit of many
# clients asks for thousands of them.
_OPEN_NAMES = tuple(os.path.join(layout.OPEN, f"{number:02x}.jsonl") for number in range(256))
_REF_NAMES = tuple(os.path.join(layout.REFS, f"{number:02x}.json") for number in range(256))
_INVOICE_NAMES = tuple(os.path.join(layout.INVOICES, f"{number:02x}.json") for number in range(256))
_CODE_NAMES = {f"{number:02x}": os.path.join(layout.CODES, f"{number:02x}.json") for number in range(256)}


def open_shard(client_id: str) -> str:
    """The open-packages shard of a client (relative path): the low byte of
    the CRC-32 of its id, ``views/open/XX.jsonl``."""
    return _OPEN_NAMES[zlib.crc32(client_id.encode("utf-8")) & 0xFF]


def code_shard(code_hash: str) -> str:
    """The access-code shard of a code hash (relative path): its first two
    hex digits, ``views/codes/XX.json``."""
    name = _CODE_NAMES.get(code_hash[:2].lower())
    if name is None:  # not a hex digest: any stable spread will do
        name = _CODE_NAMES[f"{zlib.crc32(code_hash.encode('utf-8', 'surrogatepass')) & 0xFF:02x}"]
    return name


class Keyed:
    """An index of sales by a text each sale may carry (a reference, an
    invoice number): ``views/FOLDER/XX.json`` holds ``{kind: {text:
    [[client, client package, what the sale recorded], ...]}}``, XX the low
    byte of the CRC-32 of the text; ``entries(view)``: (text, client
    package id) -> what the sale recorded, for every sale of the view."""

    __slots__ = ("kind", "folder", "names", "entries")

    def __init__(self, kind: str, folder: str, names: tuple[str, ...],
                 entries: Callable[[dict[str, Any]], dict[tuple[str, str], dict[str, Any]]]) -> None:
        self.kind, self.folder, self.names, self.entries = kind, folder, names, entries

    def shard(self, text: str) -> str:
        return self.names[zlib.crc32(text.encode("utf-8", "surrogatepass")) & 0xFF]


REFS = Keyed("refs", layout.REFS, _REF_NAMES, ledger.ref_entries)
INVOICES = Keyed("invoices", layout.INVOICES, _INVOICE_NAMES, ledger.invoice_entries)
KEYED = (REFS, INVOICES)
_KEYED_BY_FOLDER = {keyed.folder: keyed for keyed in KEYED}


def keyed_of(name: str) -> Keyed:
    """The index a shard file of ``KEYED`` belongs to."""
    return _KEYED_BY_FOLDER[os.path.dirname(name)]


def ref_shard(reference: str) -> str:
    """The reference-index shard of a sale reference (relative path)."""
    return REFS.shard(reference)


def index_entries(view: dict[str, Any]) -> tuple[set[tuple[str, str]], dict[str, dict[tuple[str, str], dict[str, Any]]]]:
    """What a client view puts in the code shards and in each ``KEYED`` index (by kind)."""
    return ledger.code_entries(view), {keyed.kind: keyed.entries(view) for keyed in KEYED}


# -- open packages: lines -------------------------------------------------------


def open_lines(view: dict[str, Any], parts: Parts | None = None, facts: dict[str, Any] | None = None) -> list[bytes]:
    """The lines a client view contributes to its open shard (with
    ``parts``: each package record encoded once, for its view too;
    ``facts``: ``ledger.package_facts(view)`` when the caller has them)."""
    if parts is None:
        return [canonical(list(row)) for row in ledger.open_rows(view, facts)]
    lines = []
    for row in ledger.open_rows(view, facts):
        parts.text(row[3])
        lines.append((parts.dumps(list(row), 1) + "\n").encode("utf-8"))
    return lines


def line_key(line: bytes, name: str = "", number: int = 0) -> tuple[bytes, bytes]:
    """(client, client package id) of an open-shard line, without decoding it."""
    parts = line.split(b",", 3)
    if len(parts) < 4 or parts[1][:1] != b'"' or parts[1][-1:] != b'"' or parts[2][:1] != b'"':
        raise FileProblem(name, number, "is damaged", DAMAGED_FIX)
    return parts[1][1:-1], parts[2][1:-1]


def split_lines(data: bytes | None) -> list[bytes]:
    return [] if not data else data.splitlines(keepends=True)


def join_lines(lines: Iterable[bytes]) -> bytes | None:
    """A shard's bytes from its lines (sorted), or None for no file."""
    ordered = sorted(lines, key=line_key)
    return b"".join(ordered) or None


# -- access codes ---------------------------------------------------------------


def parse_codes(data: bytes | None, name: str) -> dict[str, list[list[str]]]:
    if not data:
        return {}
    try:
        codes = jsontext.loads(data)["codes"]
        if not isinstance(codes, dict):
            raise ValueError
    except (ValueError, KeyError, TypeError, RecursionError):
        raise FileProblem(name, 1, "is damaged", DAMAGED_FIX) from None
    return codes


def encode_codes(codes: dict[str, list[list[str]]]) -> bytes | None:
    return canonical({"codes": codes}) if codes else None


def add_code(codes: dict[str, list[list[str]]], code_hash: str, client: str, cp_id: str) -> None:
    holders = codes.setdefault(code_hash, [])
    if [client, cp_id] not in holders:
        holders.append([client, cp_id])
        holders.sort()


def remove_code(codes: dict[str, list[list[str]]], code_hash: str, client: str, cp_id: str) -> None:
    holders = codes.get(code_hash, [])
    if [client, cp_id] in holders:
        holders.remove([client, cp_id])
    if not holders:
        codes.pop(code_hash, None)


# -- sale references and invoice numbers (KEYED) ---------------------------------------


def parse_refs(data: bytes | None, name: str) -> dict[str, list[list[Any]]]:
    """The entries of a ``KEYED`` shard file (``name`` says which index)."""
    if not data:
        return {}
    try:
        refs = jsontext.loads(data)[keyed_of(name).kind]
        if not isinstance(refs, dict):
            raise ValueError
    except (ValueError, KeyError, TypeError, RecursionError):
        raise FileProblem(name, 1, "is damaged", DAMAGED_FIX) from None
    return refs


def encode_refs(refs: dict[str, list[list[Any]]], name: str) -> bytes | None:
    return canonical({keyed_of(name).kind: refs}) if refs else None


def add_ref(refs: dict[str, list[list[Any]]], reference: str, client: str, cp_id: str, fields: dict[str, Any]) -> None:
    holders = refs.setdefault(reference, [])
    holders[:] = [h for h in holders if h[:2] != [client, cp_id]]
    holders.append([client, cp_id, fields])
    holders.sort(key=lambda h: (h[0], h[1]))


def remove_ref(refs: dict[str, list[list[Any]]], reference: str, client: str, cp_id: str) -> None:
    holders = [h for h in refs.get(reference, []) if h[:2] != [client, cp_id]]
    if holders:
        refs[reference] = holders
    else:
        refs.pop(reference, None)


# -- a commit's changes -------------------------------------------------------------


_NO_RECORDS = {"seq": 0, "ids": None, "p": {}, "b": {}}  # the fingerprint of a view with nothing in it


class Contribution:
    """What one client view changes in the shards, worked out from the view
    alone (``contribution``): the report lines to take out and put in (by
    file), its open-shard lines (sorted), and the access codes, sale
    references and invoice numbers to take out and put in. ``Changes.apply``
    puts it into the shard files; the two are apart so that a commit of
    thousands of clients can work out half of these in another process."""

    __slots__ = ("client", "new_client", "removed", "added", "open", "codes_gone", "codes_new", "keys_gone", "keys_new")

    def __init__(self, client: str, new_client: bool, removed: dict[str, list[bytes]], added: dict[str, list[bytes]],
                 open_: list[bytes], codes_gone: list[tuple[str, str]], codes_new: list[tuple[str, str]],
                 keys_gone: list[list[tuple[str, str]]], keys_new: list[list[tuple[str, str, dict[str, Any]]]]) -> None:
        self.client, self.new_client, self.removed, self.added, self.open = client, new_client, removed, added, open_
        self.codes_gone, self.codes_new, self.keys_gone, self.keys_new = codes_gone, codes_new, keys_gone, keys_new

    def __reduce__(self) -> tuple[Any, ...]:  # (sent back by a worker process)
        return Contribution, tuple(getattr(self, name) for name in self.__slots__)


def contribution(view: dict[str, Any], before: tuple[set[tuple[str, str]], dict[str, dict[tuple[str, str], dict[str, Any]]]],
                 reports_before: dict[str, Any] | None = None, parts: Parts | None = None) -> Contribution:
    """What ``view`` changes in the shards (``before``: its ``index_entries``
    before the commit; ``reports_before``: its records before it, from
    ``report_shards.fingerprint``; ``parts``: the commit's encoded parts)."""
    new_client = reports_before is not None and not reports_before.get("seq")  # its view was empty before
    facts: dict[str, tuple[Any, Any]] = {}  # each changed package's balance and last day, asked by both kinds of lines
    removed, added = report_shards.changed_lines(reports_before or _NO_RECORDS, view, facts)
    lines = sorted(open_lines(view, parts, facts), key=line_key)
    codes_before, refs_before = before
    codes_after, refs_after = index_entries(view)
    keys_gone, keys_new = [], []
    for keyed in KEYED:
        kind_before, kind_after = refs_before[keyed.kind], refs_after[keyed.kind]
        keys_gone.append(sorted(kind_before.keys() - kind_after.keys()))
        keys_new.append([(reference, cp_id, fields) for (reference, cp_id), fields in sorted(kind_after.items())
                         if kind_before.get((reference, cp_id)) != fields])
    return Contribution(view["id"], new_client, removed, added, lines, sorted(codes_before - codes_after),
                        sorted(codes_after - codes_before), keys_gone, keys_new)


class Changes:
    """The shard files a commit changes, computed in memory before any write."""

    def __init__(self, root: str, read: Callable[[str], bytes | None] | None = None, parts: Parts | None = None) -> None:
        """``read(name)``: a shard file as the store sees it now (its own
        commits' files held in memory, else the file; None: no such file);
        ``parts``: the commit's encoded parts (``encoding``)."""
        self.root = root
        self._parts = parts
        self._reader = read
        self._before: dict[str, bytes | None] = {}
        self._open: dict[str, dict[bytes, list[bytes]]] = {}  # shard -> client -> its lines
        self._codes: dict[str, dict[str, list[list[str]]]] = {}
        self._reports: dict[str, dict[bytes, int]] = {}  # report file -> its lines (and how many times each is there)
        self._unsorted: set[str] = set()  # open shards whose lines were not in order (hand-edited)
        self._refs: dict[str, dict[str, list[list[Any]]]] = {}

    def _read(self, name: str) -> bytes | None:
        if name not in self._before:
            if self._reader is not None:
                self._before[name] = self._reader(name)
                return self._before[name]
            try:
                self._before[name] = read_bytes(os.path.join(self.root, name))
            except FileNotFoundError:
                self._before[name] = None
        return self._before[name]

    def set_client(self, view: dict[str, Any], before: tuple[set[tuple[str, str]], dict[tuple[str, str], dict[str, Any]]],
                   reports_before: dict[str, Any] | None = None) -> None:
        """Make the shards reflect ``view`` (``before``: its ``index_entries``
        before the commit; ``reports_before``: its records before it, from
        ``report_shards.fingerprint``)."""
        self.apply(contribution(view, before, reports_before, self._parts))

    def apply(self, change: Contribution) -> None:
        """Put what one client view changes (``contribution``) into the shards."""
        client = change.client
        self._set_reports(change.removed, change.added)
        name = open_shard(client)
        by_client = self._open.get(name)
        if by_client is None and not change.open and change.new_client:
            pass  # a client new in this commit without open packages (a file of new clients): its shard stays as it is
        elif by_client is None:
            by_client = self._open[name] = {}
            previous = None
            for number, line in enumerate(split_lines(self._read(name)), start=1):
                # (a damaged shard stops the command before it commits)
                key = line_key(line, name, number)
                if previous is not None and key < previous:
                    self._unsorted.add(name)
                previous = key
                by_client.setdefault(key[0], []).append(line)
        if by_client is not None:
            by_client[client.encode("utf-8")] = change.open
        for code_hash, cp_id in change.codes_gone:
            remove_code(self._codes_of(code_hash), code_hash, client, cp_id)
        for code_hash, cp_id in change.codes_new:
            add_code(self._codes_of(code_hash), code_hash, client, cp_id)
        for keyed, gone, new in zip(KEYED, change.keys_gone, change.keys_new):
            for reference, cp_id in gone:
                remove_ref(self._refs_of(keyed, reference), reference, client, cp_id)
            for reference, cp_id, fields in new:
                add_ref(self._refs_of(keyed, reference), reference, client, cp_id, fields)

    def _set_reports(self, removed: dict[str, list[bytes]], added: dict[str, list[bytes]]) -> None:
        """Take the lines of the records a commit changed out of the report
        files and put their new lines in (``report_shards.changed_lines``)."""
        for name in sorted(set(removed) | set(added)):
            gone, new = removed.get(name, []), added.get(name, [])
            if sorted(gone) == sorted(new):
                continue
            if name not in self._reports:
                lines: dict[bytes, int] = {}
                for number, line in enumerate(split_lines(self._read(name)), start=1):
                    line_key(line, name, number)  # a damaged file stops the command before it commits
                    lines[line] = lines.get(line, 0) + 1
                self._reports[name] = lines
            lines = self._reports[name]
            for line in gone:
                if lines.get(line):  # (not there: a replay after a crash already took it out)
                    lines[line] -= 1
                    if not lines[line]:
                        del lines[line]
            for line in new:
                if line not in lines:
                    lines[line] = 1

    def _codes_of(self, code_hash: str) -> dict[str, list[list[str]]]:
        name = code_shard(code_hash)
        if name not in self._codes:
            self._codes[name] = parse_codes(self._read(name), name)
        return self._codes[name]

    def _refs_of(self, keyed: Keyed, reference: str) -> dict[str, list[list[Any]]]:
        name = keyed.shard(reference)
        if name not in self._refs:
            self._refs[name] = parse_refs(self._read(name), name)
        return self._refs[name]

    def files(self) -> dict[str, bytes | None]:
        """Changed shards: relative path -> new bytes (None: remove the file).
        Called once: what was gathered for each file (and its bytes before)
        is let go as soon as its new bytes are made, so a commit of many
        clients never holds three copies of its shards at once."""
        out: dict[str, bytes | None] = {}
        before = self._before

        def keep(name: str, data: bytes | None) -> None:
            if data != before.pop(name):
                out[name] = data

        while self._open:
            name, by_client = self._open.popitem()
            if name in self._unsorted:
                keep(name, join_lines(line for lines in by_client.values() for line in lines))
            else:  # each client's lines are in order: put the clients in order
                keep(name, b"".join(line for client in sorted(by_client) for line in by_client[client]) or None)
        while self._codes:
            name, codes = self._codes.popitem()
            keep(name, encode_codes(codes))
        while self._reports:
            name, counted = self._reports.popitem()
            keep(name, report_shards.join([line for line, times in counted.items() for _ in range(times)]))
        while self._refs:
            name, refs = self._refs.popitem()
            keep(name, encode_refs(refs, name))
        return out


def prepare(root: str, files: dict[str, bytes | None]) -> list[tuple[str, bytes]]:
    """Remove the shard files that are gone (durably) and make the folders
    of the others; returns what is left to write: (path, bytes), in order
    (for ``batchio``, which may write them with other view files)."""
    for name, data in sorted(files.items()):
        if data is None:
            path = os.path.join(root, name)
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            fsync_dir(os.path.dirname(path))
            crash_point("shard-written")
    for folder in sorted({os.path.dirname(name) for name, data in files.items() if data is not None}):
        make_dir(os.path.join(root, folder))
    return [(os.path.join(root, name), data) for name, data in sorted(files.items()) if data is not None]


# -- building every shard (check, rebuild) ---------------------------------------------


class Builder:
    """Every shard file implied by a set of client views, fed one at a time."""

    def __init__(self) -> None:
        self._open: dict[str, list[bytes]] = {}
        self._codes: dict[str, dict[str, list[list[str]]]] = {}
        self._reports: dict[str, list[bytes]] = {}
        self._refs: dict[str, dict[str, list[list[Any]]]] = {}

    def add(self, view: dict[str, Any]) -> None:
        facts = ledger.package_facts(view)
        for name, report_lines in report_shards.client_lines(view, facts).items():
            self._reports.setdefault(name, []).extend(report_lines)
        lines = open_lines(view, facts=facts)
        if lines:
            self._open.setdefault(open_shard(view["id"]), []).extend(lines)
        for code_hash, cp_id in ledger.code_entries(view):
            add_code(self._codes.setdefault(code_shard(code_hash), {}), code_hash, view["id"], cp_id)
        for keyed in KEYED:
            for (reference, cp_id), fields in keyed.entries(view).items():
                add_ref(self._refs.setdefault(keyed.shard(reference), {}), reference, view["id"], cp_id, fields)

    def merge(self, other: "Builder") -> None:
        """Take in what another builder was fed (views of other clients)."""
        for name, lines in other._open.items():
            self._open.setdefault(name, []).extend(lines)
        for name, codes in other._codes.items():
            mine = self._codes.setdefault(name, {})
            for code_hash, holders in codes.items():
                for client, cp_id in holders:
                    add_code(mine, code_hash, client, cp_id)
        for name, lines in other._reports.items():
            self._reports.setdefault(name, []).extend(lines)
        for name, refs in other._refs.items():
            mine_refs = self._refs.setdefault(name, {})
            for reference, holders in refs.items():
                for client, cp_id, fields in holders:
                    add_ref(mine_refs, reference, client, cp_id, fields)

    def names(self) -> set[str]:
        """The files fed so far (some may turn out empty: ``take`` gives None)."""
        return set(self._open) | set(self._codes) | set(self._reports) | set(self._refs)

    def take(self, name: str) -> bytes | None:
        """The bytes of file ``name``, forgetting what was fed for it (so a
        full replay holds each file's bytes only while it is visited)."""
        if name in self._open:
            return join_lines(self._open.pop(name))
        if name in self._codes:
            return encode_codes(self._codes.pop(name))
        if name in self._reports:
            return report_shards.join(self._reports.pop(name))
        if name in self._refs:
            return encode_refs(self._refs.pop(name), name)
        return None

    def files(self) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for name, lines in self._open.items():
            data = join_lines(lines)
            if data:
                out[name] = data
        for name, codes in self._codes.items():
            data = encode_codes(codes)
            if data:
                out[name] = data
        for name, lines in self._reports.items():
            data = report_shards.join(lines)
            if data:
                out[name] = data
        for name, refs in self._refs.items():
            data = encode_refs(refs, name)
            if data:
                out[name] = data
        return out


def existing(root: str) -> set[str]:
    """The shard files present (relative paths): those ``inventory`` counts."""
    from .inventory import listed

    return listed(root)


# -- reading ------------------------------------------------------------------------


def code_owner(read: Callable[[str], bytes | None], code_hash: str) -> str | None:
    """The client package recorded with this access-code hash, or None (one
    small file, read with ``read``: ``Store.view_bytes``)."""
    name = code_shard(code_hash)
    data = read(name)
    if data is None:
        return None
    holders = parse_codes(data, name).get(code_hash)
    return holders[0][1] if holders else None


def ref_holders(read: Callable[[str], bytes | None], references: Iterable[str], keyed: Keyed = REFS) -> dict[str, list[list[Any]]]:
    """reference (or the text of another ``KEYED`` index) -> [[client, client
    package id, what its sale recorded], ...] for each of ``references``
    that is recorded (each shard read once, with ``read``: ``Store.view_bytes``)."""
    wanted: dict[str, list[str]] = {}
    for reference in references:
        wanted.setdefault(keyed.shard(reference), []).append(reference)
    found: dict[str, list[list[Any]]] = {}
    for name, refs in sorted(wanted.items()):
        data = read(name)
        if data is None:
            continue
        recorded = parse_refs(data, name)
        for reference in refs:
            holders = recorded.get(reference)
            if holders:
                found[reference] = holders
    return found


def open_packages(store: Any, today: str, until: str | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """client -> {client package id: record} of the open packages whose last
    valid day is ``today`` (ISO) or later, or not known. Only those lines are
    decoded. With ``until``, only those whose last valid day is known and
    on or before it. The files are read as the store sees them (``view_bytes``)."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    keep_from = today.encode("ascii")
    keep_until = until.encode("ascii") if until else None
    store.count_folder("open")
    names = existing(store.root)
    for name, exists in store.fresh_view_names().items():
        (names.add if exists else names.discard)(name)
    for name in sorted(names):
        if not name.startswith(layout.OPEN + os.sep):
            continue
        data = store.view_bytes(name) or b""
        for number, line in enumerate(data.splitlines(), start=1):
            if not (line.startswith(b"[null,") or line[2:12] >= keep_from):
                continue
            if keep_until is not None and (line.startswith(b"[null,") or line[2:12] > keep_until):
                continue
            try:
                _, client, cp_id, pkg = jsontext.loads(line)
            except (ValueError, TypeError, RecursionError):
                raise FileProblem(name, number, "is damaged", DAMAGED_FIX) from None
            found.setdefault(client, {})[cp_id] = pkg
    return found


def practice_packages(tx: Any, now: datetime, everything: bool = False) -> Iterator[dict[str, dict[str, Any]]]:
    """The package records of each client, clients in id order, for the
    whole-practice ``balance``: those that can be active or paused at
    ``now`` (from the open shards); with ``everything``, every package of
    every client (reads every client view: slower)."""
    from ..domain.expiry import local_date

    store = tx.store
    if everything:
        for client_id in sorted(store.load_directory()["clients"]):
            view = tx.client(client_id)
            if view and view["packages"]:
                yield view["packages"]
        return
    found = open_packages(store, local_date(now, store.settings.tz).isoformat())
    for client_id in sorted(found):
        yield found[client_id]
