"""The views the reports read: what each client view adds to them (lines).

Three sharded views, each a function of the client views alone (like
``views/open``), so every kind of event keeps them right:

- ``views/days/YYYY-MM-DD.jsonl``: one file per day with the bookings
  starting that day (``["b", attendee, booking id, {booking}]``), the sales
  dated that day (``["s", owner, client package, {sale}]``) and the value
  of each session drawing on a package that day (``["d", owner, booking id,
  {draw}]``). The agenda, the sales report and the usage report read the
  days of their period only.
- ``views/value/XX.jsonl`` (XX: the owner's shard, as ``views/open``): one
  line per client package with its dated value movements
  (``domain.value_moves``): ``[last day, owner, client package, first day,
  value held after the last day, {movements}]``. The liability report
  skips, without decoding them, the packages that neither move nor hold
  value in its period.
- ``views/pending/XX.jsonl``: what is still pending per client: sales with
  money due (``["s", owner, client package, {...}]``), marked bookings with
  a fee due (``["b", attendee, booking id, due, start, total, paid,
  package, draw key, status, service]``: the fields of ``FEE_FIELDS``, flat,
  since a practice that never records its fees as paid has tens of
  thousands of these and a flat line decodes four times faster than an
  object) and bookings not yet marked (``["u", attendee, booking id,
  {...}]``, whether or not a fee is due). The outstanding report and the
  agenda's ``--unmarked`` read these.

A line is one JSON array, canonical (sorted keys, no spaces); a file holds
its lines sorted by their bytes; a file exists only while it has a line.
"""

from __future__ import annotations

import os
import zlib
from datetime import datetime, timedelta
from decimal import Decimal

from .. import jsontext
from ..domain import balances, valuation
from ..domain.ledger import package_fact
from ..domain.money import quantize
from ..domain.value_moves import held_on, package_value
from . import layout
from .inventory import folder_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator

DAYS = os.path.join(layout.VIEWS, "days")
VALUE = os.path.join(layout.VIEWS, "value")
PENDING = os.path.join(layout.VIEWS, "pending")
FOLDERS = (DAYS, VALUE, PENDING)

EVENT_TYPES = frozenset({"adjusted", "transferred", "refunded", "package-cancelled"})  # what client_lines reads of a history
_FILES: dict[tuple[str, str], str] = {}  # (folder, client) -> file name, as made by client_shard
_DAY_FILES: dict[str, str] = {}  # day -> file name, as made by day_file
_BOOKING_SKIP = ("why", "booked_at")
_PENDING_FIELDS = ("id", "attendee", "owner", "service", "start", "duration", "provider", "package", "draw", "fee", "fee_tax",
                   "paid", "status", "outcome")


def line(fields: Any) -> bytes:
    """The canonical bytes of one line (sorted keys, no spaces, UTF-8 as is, a newline)."""
    return jsontext.canonical_bytes(fields) + b"\n"


def client_shard(folder: str, client_id: str) -> str:
    name = _FILES.get((folder, client_id))
    if name is None:
        name = _FILES[(folder, client_id)] = os.path.join(folder, f"{zlib.crc32(client_id.encode('utf-8')) & 0xFF:02x}.jsonl")
    return name


def day_file(day: str) -> str:
    name = _DAY_FILES.get(day)
    if name is None:
        name = _DAY_FILES[day] = os.path.join(DAYS, f"{day}.jsonl")
    return name


# -- what one client view contributes ------------------------------------------------


def _booking_record(booking: dict[str, Any]) -> dict[str, Any]:
    record = dict(booking)
    for key in _BOOKING_SKIP:
        record.pop(key, None)
    return record


def sale_state(pkg: dict[str, Any], known: tuple[Any, Any] | None = None) -> dict[str, Any]:
    """What ``status_at`` needs to judge a package's status on any day
    (``known``: the package's ``ledger.package_facts`` when the caller has them)."""
    rows, last_day = known if known is not None else (balances.balance(pkg), balances.expiry(pkg))
    return {
        "status": pkg.get("status", "active"),
        "expired_at": pkg.get("expired_at"),
        "last_day": last_day.isoformat() if last_day else None,
        "used_up": balances.is_used_up(pkg, rows),
        "transferred": balances.emptied_by_transfer(pkg, rows),
        "pauses": [[p["from"], balances.pause_end(p)] for p in pkg.get("pauses", [])],
    }


def status_at(state: dict[str, Any], today: str) -> str:
    """A package's status on ``today`` from ``sale_state``: as ``balances.status``."""
    if state["status"] in ("cancelled", "refunded"):
        return state["status"]
    if state["transferred"]:
        return "transferred"
    if state["expired_at"] or (state["last_day"] is not None and today > state["last_day"]):
        return "expired"
    if state["used_up"]:
        return "used up"
    if any(lo <= today <= hi for lo, hi in state["pauses"]):
        return "paused"
    return "active"


_payment_state: Any = None  # domain.sales.payment_state, imported on first use (sales is not needed to read a view)


def _sale_record(pkg: dict[str, Any], known: tuple[Any, Any] | None) -> dict[str, Any]:
    global _payment_state
    if _payment_state is None:
        from ..domain.sales import payment_state as _payment_state
    payment_state = _payment_state
    sale = pkg["sale"]
    return {
        "id": pkg["id"], "owner": pkg["owner"], "package": pkg["package"], "name": pkg["terms"]["name"],
        "date": sale["date"], "invoice": sale["invoice"], "price": sale["price"], "tax": sale["tax"],
        "total": sale["total"], "paid": pkg["paid"], "refunded": pkg.get("refunded"),
        "assigned": bool(sale.get("assigned")), "payment": payment_state(pkg), "state": sale_state(pkg, known),
        "per_session": pkg["terms"]["payment"]["mode"] == "per-session",
    }


def _events_by_package(view: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    undone = set(view.get("undone", ()))  # events of undone commands no longer count (domain.undo)
    for event in view.get("events", []):
        if event.get("seq") in undone:
            continue
        cp = event.get("client_package")
        if cp and event.get("type") in EVENT_TYPES:
            found.setdefault(cp, []).append(event)
    return found


def _draw_value(summary: dict[str, Any], pkg: dict[str, Any]) -> dict[str, str]:
    """booking id -> value of each session drawing on the package: what a
    used or forfeited one took out of the value held; what a booked one
    would take (its units at the unit value); nothing for unlimited parts,
    which are recognised per day."""
    values = {move[5]: move[3] for move in summary["moves"] if move[5]}
    currency = pkg["terms"]["currency"]
    parts = summary["parts"]
    for bid, draw in pkg.get("draws", {}).items():
        if bid in values:
            continue
        part = parts.get(draw["key"])
        if part is None or part[1] == valuation.UNLIMITED:
            values[bid] = format(quantize(Decimal(0), currency), "f")
        else:
            values[bid] = format(valuation.value_of(part, draw["amount"], currency), "f")
    return values


def value_line(client: str, summary: dict[str, Any]) -> bytes:
    days = [m[0] for m in summary["moves"]] + [entry[4] for entry in summary["lin"]]
    first = min(days) if days else None
    last = max(days) if days else None
    final = held_on(summary, "9999-12-31") if days else Decimal(0)
    stored = dict(summary, moves=[move[:5] for move in summary["moves"]])  # booking ids live in the day files
    return line([last, client, summary["id"], first, format(final, "f"), stored])


def package_lines(client: str, pkg: dict[str, Any], events: list[dict[str, Any]], out: dict[str, list[bytes]],
                  known: tuple[Any, Any] | None = None) -> None:
    """The lines one client package adds (``events``: its owner's events
    about it; ``known``: its ``ledger.package_facts`` when the caller has them)."""
    cp_id = pkg["id"]
    sale = pkg["sale"]
    if not sale.get("transferred_from") and not pkg.get("imported"):
        out.setdefault(day_file(sale["date"]), []).append(line(["s", client, cp_id, _sale_record(pkg, known)]))
    summary = package_value(pkg, events) if known is None else package_value(pkg, events, last_day=known[1])
    if summary["parts"]:
        out.setdefault(client_shard(VALUE, client), []).append(value_line(client, summary))
    values = _draw_value(summary, pkg) if pkg.get("draws") else {}
    for bid, draw in sorted(pkg.get("draws", {}).items()):
        record = {"package": cp_id, "key": draw["key"], "amount": draw["amount"], "state": draw["state"],
                  "attendee": draw["attendee"], "value": values.get(bid)}
        out.setdefault(day_file(draw["date"]), []).append(line(["d", client, bid, record]))
    if pkg.get("status", "active") not in ("cancelled", "refunded") and not sale.get("transferred_from"):
        due = Decimal(sale["total"]) - Decimal(pkg.get("paid") or 0)
        if due > 0:
            record = {"package": pkg["package"], "date": sale["date"], "invoice": sale["invoice"],
                      "total": sale["total"], "paid": pkg["paid"], "due": format(due, "f")}
            out.setdefault(client_shard(PENDING, client), []).append(line(["s", client, cp_id, record]))


_PAYMENTS: dict[tuple[Any, ...], tuple[str, str, bool]] = {}


def booking_lines(client: str, booking: dict[str, Any], out: dict[str, list[bytes]]) -> None:
    """The lines one booking of the attendee's view adds."""
    bid = booking["id"]
    out.setdefault(day_file(booking["start"][:10]), []).append(line(["b", client, bid, _booking_record(booking)]))
    # What booking_payment says depends on these fields alone: a full
    # replay asks it of hundreds of thousands of bookings with a few kinds
    # of fee, so each kind's answer (total, due, anything due) is kept.
    kind = (booking["fee"], booking["fee_tax"], booking.get("paid"), bool(booking.get("package")), booking["status"])
    known = _PAYMENTS.get(kind)
    if known is None:
        from ..domain.bookings import booking_payment, owed_back

        currency = _currency_of(booking)
        payment = booking_payment(booking, currency)
        back = owed_back(booking, currency)  # paid beyond the fee: owed back, a due below zero
        due = f"-{back}" if back > 0 else payment["due"]
        if len(_PAYMENTS) >= 4096:
            _PAYMENTS.clear()
        known = _PAYMENTS[kind] = (payment["total"], due, Decimal(payment["due"]) > 0 or back > 0)
    total, due, owed = known
    if booking["status"] == "booked":  # not marked yet: the agenda's --unmarked shows these whole
        record = {key: booking.get(key) for key in _PENDING_FIELDS}
        record.update({"total": total, "due": due})
        out.setdefault(client_shard(PENDING, client), []).append(line(["u", client, bid, record]))
    elif owed:
        record = dict(booking, total=total, due=due)
        out.setdefault(client_shard(PENDING, client), []).append(line(["b", client, bid, *fee_fields(record)]))


# The fields of a pending fee line after its kind, attendee and booking id.
FEE_FIELDS = ("due", "start", "total", "paid", "package", "draw", "status", "service")


def fee_fields(record: dict[str, Any]) -> list[Any]:
    """A booking record's ``FEE_FIELDS``, in their order (``draw``: the key
    of what the booking draws, or None)."""
    draw = record.get("draw")
    return [record["due"], record["start"], record["total"], record.get("paid"), record.get("package"),
            draw.get("key") if draw else None, record["status"], record["service"]]


def fees(lines: list[list[Any]]) -> list[list[Any]]:
    """The fees of the pending lines of bookings (``b`` and ``u``), each as
    [attendee, booking id, *FEE_FIELDS]."""
    return [fields[1:] if fields[0] == "b" else [fields[1], fields[2], *fee_fields(fields[3])]
            for fields in lines if fields[0] in ("b", "u")]


def client_lines(view: dict[str, Any], facts: dict[str, tuple[Any, Any]] | None = None) -> dict[str, list[bytes]]:
    """Every report-view line a client view contributes, by file (relative
    path); ``facts``: ``ledger.package_facts(view)`` when the caller has them."""
    client = view["id"]
    out: dict[str, list[bytes]] = {}
    by_package = _events_by_package(view) if view.get("packages") else {}
    for cp_id in sorted(view.get("packages", {})):
        package_lines(client, view["packages"][cp_id], by_package.get(cp_id, []), out, facts[cp_id] if facts is not None else None)
    for bid in sorted(view.get("bookings", {})):
        booking_lines(client, view["bookings"][bid], out)
    return out


# -- what a commit changes, record by record ------------------------------------------

_FINGERPRINT = jsontext.canonical


# Event types whose records are all named in the event (client_package,
# to_package, package, from_package, booking): a commit of only these changes no other
# record. Any other type makes the whole client's records compared.
_NAMED = frozenset({"sold", "paid", "booked", "moved", "attended", "no-show", "cancelled", "linked", "unlinked", "booking-paid",
                    "refunded", "package-cancelled", "adjusted", "paused", "resumed", "transferred", "code-reset",
                    "shared", "unshared", "expired", "client-added", "client-edited",
                    "notice-pending", "notice-sent", "notice-failed", "notice-suppressed", "notices-checked"})


def named_ids(events: list[dict[str, Any]] | None) -> frozenset[str] | None:
    """The client package and booking ids the events name; None: any record
    may change. (Worked out once per commit: a file of sales names tens of
    thousands of records, and ``fingerprint`` is taken for each client.)"""
    if events is None:
        return None
    ids: set[str] = set()
    for event in events:
        if event.get("type") not in _NAMED:
            return None
        for field in ("client_package", "to_package", "package", "from_package"):
            if isinstance(event.get(field), str):
                ids.add(event[field])
        booking = event.get("booking")
        if isinstance(booking, str):
            ids.add(booking)
        elif isinstance(booking, dict):
            ids.update(v for v in (booking.get("id"), booking.get("package")) if isinstance(v, str))
    return frozenset(ids)


def fingerprint(view: dict[str, Any], ids: frozenset[str] | None = None) -> dict[str, Any]:
    """The client's records as text, taken before a commit changes the view
    in place (with ``ids``, the commit's ``named_ids``: only the records it
    names, when it names every record it changes): ``changed_lines``
    compares them with the records after it."""
    packages = view.get("packages", {})
    bookings = view.get("bookings", {})
    return {
        "seq": view.get("seq", 0),
        "undone": list(view.get("undone", ())),
        "ids": ids,
        "p": {cp: _FINGERPRINT(pkg) for cp, pkg in packages.items() if ids is None or cp in ids},
        "b": {bid: _FINGERPRINT(b) for bid, b in bookings.items() if ids is None or bid in ids},
    }


def changed_lines(before: dict[str, Any], view: dict[str, Any],
                  facts: dict[str, tuple[Any, Any]] | None = None) -> tuple[dict[str, list[bytes]], dict[str, list[bytes]]]:
    """(lines to remove, lines to add) by file: those of the records (client
    packages, bookings) that a commit changed; the others' lines stay
    (``facts``: filled with ``ledger.package_fact`` of each changed package,
    for the caller's open-shard lines)."""
    client = view["id"]
    removed: dict[str, list[bytes]] = {}
    added: dict[str, list[bytes]] = {}
    ids = before.get("ids")
    undone_before, undone_now = set(before.get("undone", ())), set(view.get("undone", ()))
    if undone_before != undone_now:
        ids = None  # an undo: any record may have changed
    packages = view.get("packages", {})
    about: dict[Any, list[dict[str, Any]]] | None = None  # the events client_lines reads, by client package (made once, if needed)
    for cp in sorted(set(before["p"]) | {cp for cp in packages if ids is None or cp in ids}):
        old = before["p"].get(cp)
        new = packages.get(cp)
        if new is not None and old is not None and _FINGERPRINT(new) == old:
            continue
        if about is None:
            about = {}
            for event in view.get("events", []):
                if event.get("type") in EVENT_TYPES:
                    about.setdefault(event.get("client_package"), []).append(event)
        if old is not None:
            old_events = [e for e in about.get(cp, ()) if e.get("seq", 0) <= before["seq"] and e.get("seq") not in undone_before]
            package_lines(client, jsontext.loads(old), old_events, removed)
        if new is not None:
            new_events = [e for e in about.get(cp, ()) if e.get("seq") not in undone_now]
            known = None
            if facts is not None:
                known = facts.get(cp)
                if known is None:
                    known = facts[cp] = package_fact(new)
            package_lines(client, new, new_events, added, known)
    bookings = view.get("bookings", {})
    for bid in sorted(set(before["b"]) | {bid for bid in bookings if ids is None or bid in ids}):
        old = before["b"].get(bid)
        new = bookings.get(bid)
        if new is not None and old is not None and _FINGERPRINT(new) == old:
            continue
        if old is not None:
            booking_lines(client, jsontext.loads(old), removed)
        if new is not None:
            booking_lines(client, new, added)
    return removed, added


def _currency_of(booking: dict[str, Any]) -> str:
    """A currency with the minor unit of the booking's amounts (a booking does
    not record its currency; ``booking_payment`` needs only the digits)."""
    digits = -Decimal(booking["fee"]).as_tuple().exponent
    return {0: "JPY", 3: "KWD"}.get(digits, "EUR")


def join(lines: list[bytes]) -> bytes | None:
    """A report file's bytes from its lines, or None for no file."""
    return b"".join(sorted(lines)) or None


# -- reading ---------------------------------------------------------------------------


def read_lines(read: Any, name: str) -> list[bytes]:
    """The lines of report file ``name``, read with ``read`` (``Store.view_bytes``:
    the file as the command sees it, with the events a read folded in memory)."""
    data = read(name)
    return data.splitlines() if data else []


def _damaged(name: str, number: int) -> Exception:
    from ..errors import FileProblem

    return FileProblem(name, number, "is damaged", "rebuild the views with 'sessionpack check --rebuild'")


def decode(line: bytes, name: str, number: int) -> list[Any]:
    try:
        fields = jsontext.loads(line)
        if not isinstance(fields, list):
            raise ValueError
        return fields
    except (ValueError, RecursionError):
        raise _damaged(name, number) from None


def decode_day(line: bytes, name: str, number: int) -> list[Any]:
    """A line of a day file decoded, of its outer shape ``[kind, id, id,
    {record}]`` (kind b, s or d), else named as damaged (``decode``). What
    a record holds is looked at only when a reader trips on it
    (``day_line_sound``, from ``diagnose``): checking every field of every
    line here would cost a report over a year a noticeable time."""
    fields = decode(line, name, number)
    if not (len(fields) == 4 and fields[0] in _DAY_KINDS and type(fields[1]) is str and type(fields[2]) is str
            and type(fields[3]) is dict):
        raise _damaged(name, number)
    return fields


def decode_file(read: Any, name: str) -> list[list[Any]] | None:
    """Every line of a report file (read with ``read``, as ``read_lines``)
    decoded in one parse; None when a line is not a list (read it line by
    line then, to name the damaged one).

    The file is parsed as one JSON array, its line ends standing for the
    commas between items (a JSON line holds no raw line end), which is
    right only when it yields as many lists as the file has lines."""
    data = read(name)
    if not data:
        return []
    if b"\r" in data:  # a carriage return ends a line too: split the file as read_lines does
        lines = data.splitlines()
        count, items = len(lines), b",".join(lines)
    else:
        count, items = data.count(b"\n") + (not data.endswith(b"\n")), data.rstrip(b"\n").replace(b"\n", b",")
    try:
        found = jsontext.loads(b"[" + items + b"]")
    except (ValueError, RecursionError):
        return None
    if len(found) != count or not all(type(fields) is list and fields and type(fields[0]) is str for fields in found):
        return None
    return found


def decode_lines(numbered: list[tuple[int, bytes]], name: str) -> list[list[Any]]:
    """Lines of one file (with their line numbers) decoded in one parse,
    quicker than one by one for many lines; a damaged line is named as by
    ``decode``."""
    if not numbered:
        return []
    try:
        found = jsontext.loads(b"[" + b",".join(line for _, line in numbered) + b"]")
        if len(found) == len(numbered) and all(type(fields) is list for fields in found):
            return found
    except (ValueError, RecursionError):
        pass
    return [decode(line, name, number) for number, line in numbered]


def day_records(store: Any, days: list[str]) -> Iterator[list[Any]]:
    """The lines of the day files of ``days`` as the command sees them
    (``Store.view_bytes``), decoded, day by day (the files read are noted
    for ``days_read``)."""
    seen = _DAYS_READ.setdefault(store.root, set())
    for day in days:
        name = day_file(day)
        lines = read_lines(store.view_bytes, name)
        if lines:
            seen.add(name)
        for number, line in enumerate(lines, start=1):
            yield decode_day(line, name, number)


def days_read(root: str) -> set[str]:
    """The day files ``day_records`` has read in ``root`` in this process
    (``diagnose`` looks at their lines when a report trips on one)."""
    return _DAYS_READ.get(root, set())


def run_after(line: bytes, key: bytes, allowed: bytes, low: int, high: int, ends: bytes) -> bytes | None:
    """What ``re.search(KEY([ALLOWED]{low,high})[ENDS], line)`` captures, or
    None, without a pattern (a booking reads a few hundred lines; a pattern
    would import ``re``). ``ends`` holds no byte of ``allowed``, so the
    longest run is the only one that can be followed by an end."""
    at = line.find(key)
    while at >= 0:
        start = at + len(key)
        chunk = line[start:start + high + 1]
        run = len(chunk) - len(chunk.lstrip(allowed))
        end = line[start + run:start + run + 1]
        if low <= run <= high and end and end in ends:
            return chunk[:run]
        at = line.find(key, at + 1)
    return None


def _start(line: bytes) -> bytes | None:  # '"start":"([0-9T:+.-]{16,40})"'
    return run_after(line, b'"start":"', b"0123456789T:+.-", 16, 40, b'"')


def _duration(line: bytes) -> bytes | None:  # '"duration":([0-9]{1,5})[,}]'
    return run_after(line, b'"duration":', b"0123456789", 1, 5, b",}")


def day_bookings(read: Any, days: list[str], windows: list[tuple[datetime, datetime]] | None = None) -> Iterator[dict[str, Any]]:
    """The bookings starting on ``days`` (ISO dates), as the day views hold
    them; ``read`` is ``Store.view_bytes`` (the files as this command sees
    them). Only the booking lines are decoded, and with ``windows`` (start,
    end) only those of bookings that overlap one of them: a busy day holds
    hundreds of lines, and a booking needs the few around its own time."""
    for day in days:
        name = day_file(day)
        data = read(name)
        if not data:
            continue
        for number, line in enumerate(data.splitlines(), start=1):
            if not line.startswith(b'["b",'):
                continue
            if windows is not None:
                start, minutes = _start(line), _duration(line)
                if start is not None and minutes is not None:
                    try:
                        begins = datetime.fromisoformat(start.decode("ascii"))
                    except ValueError:
                        begins = None
                    if begins is not None and begins.tzinfo is not None:
                        ends = begins + timedelta(minutes=int(minutes))
                        if not any(begins < high and low < ends for low, high in windows):
                            continue
            yield decode_day(line, name, number)[3]


_SALE_DUE = ("package", "date", "invoice", "total", "paid", "due")
_UNMARKED = ("attendee", "due", "start", "total", "status", "service", "id")


def _text(value: Any) -> bool:
    return type(value) is str


def _text_or_none(value: Any) -> bool:
    return value is None or type(value) is str


def _kinds(value: Any, kinds: tuple[type, ...]) -> bool:
    return type(value) in kinds


_NONE = type(None)
# What the readers of the day files take from each kind of record (the
# agenda, the calendar's checks, the sales and usage reports): key -> types.
_DAY_RECORDS: dict[str, dict[str, tuple[type, ...]]] = {
    "b": {"id": (str,), "attendee": (str,), "owner": (str, _NONE), "service": (str,), "start": (str,),
          "duration": (int,), "status": (str,), "fee": (str,), "fee_tax": (str,), "package": (str, _NONE),
          "provider": (str, _NONE), "draw": (dict, _NONE)},
    "s": {"id": (str,), "owner": (str,), "package": (str,), "name": (str,), "date": (str,), "invoice": (str,),
          "price": (str,), "tax": (str,), "total": (str,), "paid": (str, _NONE), "refunded": (str, _NONE),
          "assigned": (bool,), "payment": (str,), "state": (dict,), "per_session": (bool,)},
    "d": {"package": (str,), "key": (str,), "amount": (int, str), "state": (str,), "attendee": (str,),
          "value": (str, _NONE)},
}
_STATE = {"status": (str,), "expired_at": (str, _NONE), "last_day": (str, _NONE), "used_up": (bool,),
          "transferred": (bool,), "pauses": (list,)}
_DAY_KINDS = frozenset(_DAY_RECORDS)
_DAYS_READ: dict[str, set[str]] = {}  # data directory -> day files day_records read


def day_line_sound(fields: Any) -> bool:
    """Whether a decoded line of a day file has the shape its readers rely
    on (a line changed by hand may hold any JSON)."""
    if not (type(fields) is list and len(fields) == 4 and fields[0] in _DAY_KINDS and type(fields[1]) is str
            and type(fields[2]) is str and type(fields[3]) is dict):
        return False
    record = fields[3]
    if not all(_kinds(record.get(key), kinds) for key, kinds in _DAY_RECORDS[fields[0]].items()):
        return False
    if fields[0] == "s":
        state = record["state"]
        return all(_kinds(state.get(key), kinds) for key, kinds in _STATE.items()) and all(
            type(p) is list and len(p) == 2 and all(type(day) in (str, _NONE) for day in p) for p in state["pauses"])
    return True


def pending_line_sound(fields: list[Any]) -> bool:
    """Whether a decoded line of ``views/pending`` has the shape its readers
    rely on (a line changed by hand may hold any JSON)."""
    kind = fields[0]
    if kind == "b":
        return (len(fields) == 11 and all(map(_text, fields[1:6])) and all(map(_text_or_none, fields[6:9]))
                and _text(fields[9]) and _text(fields[10]))
    if len(fields) != 4 or not (_text(fields[1]) and _text(fields[2]) and type(fields[3]) is dict):
        return False
    record = fields[3]
    if kind == "s":
        return all(_text(record.get(key)) for key in _SALE_DUE if key != "paid") and _text_or_none(record.get("paid"))
    if kind == "u":
        return all(_text(record.get(key)) for key in _UNMARKED) and _text_or_none(record.get("paid")) and _text_or_none(
            record.get("package")) and (record.get("draw") is None or type(record["draw"]) is dict)
    return False


def read_pending(store: Any, kinds: bytes = b"sbu") -> list[list[Any]]:
    """The lines of ``views/pending`` of these kinds (s: sale due, b: fee
    due, u: not marked yet), each file decoded in one parse. The files read
    are noted in ``store.loaded_files``: should a reader then fail on a line
    of the wrong shape, ``diagnose`` checks them with ``pending_line_sound``
    and names the damaged file (checking every line here would cost a tenth
    of a second on a large practice, for a file nobody edits)."""
    wanted_kinds = {chr(kind) for kind in kinds}
    found = []
    for name in view_names(store, PENDING):
        store.loaded_files.add(name)
        whole = decode_file(store.view_bytes, name)  # every line at once, when none is damaged
        if whole is not None:
            found.extend(fields for fields in whole if fields[0] in wanted_kinds)
            continue
        wanted = []
        for number, line in enumerate(read_lines(store.view_bytes, name), start=1):
            if line[2:3] in kinds and line[3:4] == b'"':
                wanted.append((number, line))
            elif not (line[:2] == b'["' and line[3:4] == b'"'):
                decode(line, name, number)  # says which line is damaged
        found.extend(decode_lines(wanted, name))
    return found


def shard_names(root: str, folder: str) -> list[str]:
    try:
        names = os.listdir(os.path.join(root, folder))
    except FileNotFoundError:
        return []
    return sorted(os.path.join(folder, n) for n in names if n.endswith(".jsonl") and not n.startswith("."))


def view_names(store: Any, folder: str) -> list[str]:
    """The files of a report folder as the command sees them: those on disk
    (counted against the index: ``Store.count_folder``), with those the
    events a read folded in memory make or take away."""
    store.count_folder(folder_key(folder))
    names = set(shard_names(store.root, folder))
    for name, exists in store.fresh_view_names().items():
        if os.path.dirname(name) == folder:
            (names.add if exists else names.discard)(name)
    return sorted(names)
