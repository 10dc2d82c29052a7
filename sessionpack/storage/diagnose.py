"""After an unexpected error: was it damaged data rather than a bug?

Views are derived files. A view changed by hand, or damaged on disk, can
hold any JSON at all, and code that trusts its shape may then fail with a
KeyError or a TypeError. Instead of calling that an internal error, the
CLI's error boundary asks ``damaged_view``: each client view the command
read must be exactly what its own events make when folded again (as every
view sessionpack writes is), and each small view and shard must have its
shape. The first view that is not is named, with the fix (exit 3); when all
are sound, the error really is a bug (exit 70).
"""

from __future__ import annotations

import json
import os

from ..domain import ledger
from ..errors import FileProblem
from . import layout
from .report_shards import DAYS, PENDING, days_read
from .fsio import read_bytes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FIX = "rebuild the views with 'sessionpack check --rebuild'"
_ERRORS = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, IndexError, RecursionError)


def _client_sound(root: str, client_id: str) -> bool:
    from .store import encode_view

    try:
        raw = read_bytes(layout.client_view_path(root, client_id))
    except FileNotFoundError:
        return True
    try:
        view = json.loads(raw)
        again = ledger.empty_client_view(client_id)
        for event in view["events"]:
            ledger.apply_to_client(again, event)
        return encode_view(again) == raw
    except _ERRORS:
        return False


# Keys a small view has only once something put them there, with a value of their type.
_OPTIONAL: dict[str, dict[str, Any]] = {layout.SOLD: {"invoice": ""}}  # the highest invoice number given (sales.fold_invoice)


def _small_sound(root: str, name: str, empty: Any) -> bool:
    try:
        view = json.loads(read_bytes(os.path.join(root, name)))
    except FileNotFoundError:
        return True
    except _ERRORS:
        return False
    model = dict(empty(), **_OPTIONAL.get(name, {}))
    return isinstance(view, dict) and set(empty()) <= set(view) <= set(model) and all(
        type(view[key]) is type(model[key]) for key in view)


def _shard_sound(root: str, name: str) -> bool:
    try:
        data = read_bytes(os.path.join(root, name))
    except FileNotFoundError:
        return True
    try:
        if name.startswith(layout.OPEN + os.sep):
            return all(_open_line_sound(json.loads(line)) for line in data.splitlines())
        codes = json.loads(data)["codes"]
        return isinstance(codes, dict) and all(
            isinstance(holders, list) and all(isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h)
                                              for h in holders) for holders in codes.values())
    except _ERRORS:
        return False


_PACKAGE_KEYS = {"id": str, "owner": str, "package": str, "terms": dict, "sale": dict, "paid": str, "draws": dict,
                 "adjustments": dict, "pauses": list}
_SUMMARY_KEYS = {"id": str, "owner": str, "package": str, "sold_on": str, "moves": list, "lin": list, "parts": dict}


def _keys_sound(value: Any, keys: dict[str, type]) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(key), kind) for key, kind in keys.items())


def _open_line_sound(fields: Any) -> bool:
    """A ``views/open`` line: [last valid day or null, owner, client package, the package as its owner's view holds it]."""
    return (type(fields) is list and len(fields) == 4 and isinstance(fields[0], (str, type(None)))
            and isinstance(fields[1], str) and isinstance(fields[2], str) and _keys_sound(fields[3], _PACKAGE_KEYS))


def _value_line_sound(fields: Any) -> bool:
    """A ``views/value`` line: [last change, owner, client package, first change, value held after, its summary]."""
    if not (type(fields) is list and len(fields) == 6 and all(isinstance(f, (str, type(None))) for f in fields[:5])
            and _keys_sound(fields[5], _SUMMARY_KEYS)):
        return False
    summary = fields[5]
    return (all(type(m) is list and len(m) >= 5 and isinstance(m[0], str) for m in summary["moves"])
            and all(type(e) is list and len(e) >= 5 for e in summary["lin"])
            and all(type(p) is list and len(p) == 2 for p in summary["parts"].values()))


def _line_damage(root: str, folder: str, sound: Any) -> FileProblem | None:
    """The first line of the files of ``folder`` not of the shape ``sound`` wants."""
    try:
        names = sorted(os.listdir(os.path.join(root, folder)))
    except FileNotFoundError:
        return None
    for base in names:
        if base.endswith(".jsonl"):
            found = _file_damage(root, os.path.join(folder, base), sound)
            if found is not None:
                return found
    return None


def _file_damage(root: str, name: str, sound: Any) -> FileProblem | None:
    """The first line of the file ``name`` (JSON lines) that is not of the
    shape ``sound`` wants (or not JSON at all), as an error; None: every
    line is sound, or there is no such file."""
    try:
        data = read_bytes(os.path.join(root, name))
    except FileNotFoundError:
        return None
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            ok = sound(json.loads(line))
        except _ERRORS:
            ok = False
        if not ok:
            return FileProblem(name, number, "is damaged", FIX)
    return None


def damaged_view(store: Any) -> FileProblem | None:
    """The first view this command read that is damaged, as an error; None: all sound."""
    from .small_views import SMALL_VIEWS

    for client_id in sorted(store.loaded_clients):
        if not _client_sound(store.root, client_id):
            return FileProblem(os.path.join(layout.CLIENT_VIEWS, f"{client_id}.json"), None,
                               "is damaged (it is not what the events it keeps make)", FIX)
    for entry in SMALL_VIEWS:
        if entry.name in store.loaded_files and not _small_sound(store.root, entry.name, entry.empty):
            return FileProblem(entry.name, None, "is damaged", FIX)
    for name in sorted(store.loaded_files):
        if (name.startswith(layout.OPEN + os.sep) or name.startswith(layout.CODES + os.sep)) and not _shard_sound(store.root, name):
            return FileProblem(name, None, "is damaged", FIX)
        if name.startswith(PENDING + os.sep):
            found = _pending_damage(store.root, name)
            if found is not None:
                return found
    for name in sorted(days_read(store.root) | {n for n in store.loaded_files if n.startswith(DAYS + os.sep)}):
        found = _day_damage(store.root, name)
        if found is not None:
            return found
    # The reports read these shards directly, line by line: each line is looked at (on this error path only).
    return _line_damage(store.root, os.path.join(layout.VIEWS, "value"), _value_line_sound) or \
        _line_damage(store.root, layout.OPEN, _open_line_sound)


def _pending_damage(root: str, name: str) -> FileProblem | None:
    """The first line of a ``views/pending`` file that is not of the shape
    its readers rely on, as an error; None: every line is sound."""
    from .report_shards import pending_line_sound

    return _file_damage(root, name, lambda fields: type(fields) is list and bool(fields) and pending_line_sound(fields))


def _day_damage(root: str, name: str) -> FileProblem | None:
    """The first line of a day file (``views/days``) that is not of the
    shape its readers rely on, as an error; None: every line is sound."""
    from .report_shards import day_line_sound

    return _file_damage(root, name, day_line_sound)
