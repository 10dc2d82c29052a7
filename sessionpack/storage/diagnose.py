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
from .report_shards import PENDING
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


def _small_sound(root: str, name: str, empty: Any) -> bool:
    try:
        view = json.loads(read_bytes(os.path.join(root, name)))
    except FileNotFoundError:
        return True
    except _ERRORS:
        return False
    model = empty()
    return isinstance(view, dict) and set(view) == set(model) and all(
        type(view[key]) is type(model[key]) for key in model)


def _shard_sound(root: str, name: str) -> bool:
    try:
        data = read_bytes(os.path.join(root, name))
    except FileNotFoundError:
        return True
    try:
        if name.startswith(layout.OPEN + os.sep):
            for line in data.splitlines():
                last, client, cp_id, pkg = json.loads(line)
                if not (isinstance(last, (str, type(None))) and isinstance(client, str) and isinstance(cp_id, str)
                        and isinstance(pkg, dict)):
                    return False
            return True
        codes = json.loads(data)["codes"]
        return isinstance(codes, dict) and all(
            isinstance(holders, list) and all(isinstance(h, list) and len(h) == 2 and all(isinstance(x, str) for x in h)
                                              for h in holders) for holders in codes.values())
    except _ERRORS:
        return False


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
    return None


def _pending_damage(root: str, name: str) -> FileProblem | None:
    """The first line of a ``views/pending`` file that is not of the shape
    its readers rely on, as an error; None: every line is sound."""
    from .report_shards import pending_line_sound

    try:
        data = read_bytes(os.path.join(root, name))
    except FileNotFoundError:
        return None
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            fields = json.loads(line)
            sound = type(fields) is list and bool(fields) and pending_line_sound(fields)
        except _ERRORS:
            sound = False
        if not sound:
            return FileProblem(name, number, "is damaged", FIX)
    return None
