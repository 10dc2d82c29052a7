"""``check``: replay the whole journal, compare with the views, list problems.

Like a ledger validator it returns every problem at once, each with file
and line, instead of stopping at the first. ``rebuild`` writes the views
the journal implies, byte for byte what the commands would have written.
"""

from __future__ import annotations

import os
from typing import Any

from ..domain import ledger
from ..errors import FileProblem, SessionpackError
from . import journal, layout
from .catalog import load_packages, load_services
from .fsio import atomic_write, read_bytes
from .store import Store, encode_view


def replay(store: Store) -> tuple[dict[str, bytes], list[str]]:
    """Every view file the journal implies (relative path -> bytes), and problems."""
    problems: list[str] = []
    path = store.path(layout.JOURNAL)
    clients: dict[str, dict[str, Any]] = {}
    directory = ledger.empty_directory()
    sold = ledger.empty_sold()
    offset = 0
    seq = 0
    unfinished = 0  # line of the first event of a command still marked "more"
    with open(path, "rb") as handle:
        first = handle.readline()
        try:
            journal.check_header(first, layout.JOURNAL)
        except FileProblem as err:
            return {}, [str(err)]
        offset = len(first)
        line = 1
        for raw in handle:
            line += 1
            if not raw.endswith(b"\n"):
                problems.append(f"{layout.JOURNAL}:{line}: is an incomplete last line; run any other sessionpack command to move it aside")
                break
            try:
                event = journal.parse_line(raw, line, layout.JOURNAL, seq + 1)
                for client_id in event.get("clients", []):
                    view = clients.get(client_id)
                    if view is None:
                        view = clients[client_id] = ledger.empty_client_view(client_id)
                    ledger.apply_to_client(view, event)
                ledger.apply_to_directory(directory, event)
                ledger.apply_to_sold(sold, event)
            except FileProblem as err:
                problems.append(str(err))
                break
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                problems.append(f"{layout.JOURNAL}:{line}: event {raw[:60].decode('utf-8', 'replace')!r}... does not fit the events before it ({type(err).__name__}: {err})")
                break
            seq += 1
            offset += len(raw)
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
    files = {os.path.join(layout.CLIENT_VIEWS, f"{cid}.json"): encode_view(view) for cid, view in clients.items()}
    if directory["seq"]:
        files[layout.DIRECTORY] = encode_view(directory)
    if sold["seq"]:
        files[layout.SOLD] = encode_view(sold)
    files[layout.INDEX] = encode_view({"format": ledger.VIEW_FORMAT, "offset": offset, "seq": seq})
    return files, problems


def existing_views(root: str) -> set[str]:
    found = set()
    for name in (layout.INDEX, layout.DIRECTORY, layout.SOLD):
        if os.path.exists(os.path.join(root, name)):
            found.add(name)
    client_dir = os.path.join(root, layout.CLIENT_VIEWS)
    if os.path.isdir(client_dir):
        for name in os.listdir(client_dir):
            if name.endswith(".json") and not name.startswith("."):
                found.add(os.path.join(layout.CLIENT_VIEWS, name))
    return found


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


def check(store: Store) -> list[str]:
    """All problems found, as 'file:line: what; fix' lines (empty: all well)."""
    problems = catalog_problems(store)
    expected, journal_problems = replay(store)
    problems.extend(journal_problems)
    if journal_problems:
        return problems
    for name in sorted(set(expected) | existing_views(store.root)):
        path = store.path(name)
        if name not in expected:
            problems.append(f"{name}: no event in the journal makes this view; run 'sessionpack check --rebuild'")
            continue
        try:
            actual = read_bytes(path)
        except FileNotFoundError:
            problems.append(f"{name}: missing; run 'sessionpack check --rebuild'")
            continue
        if actual != expected[name]:
            problems.append(f"{name}:{_first_difference(actual, expected[name])}: differs from what the journal implies; run 'sessionpack check --rebuild'")
    return problems


def _first_difference(actual: bytes, expected: bytes) -> int:
    for line, (a, b) in enumerate(zip(actual.splitlines(), expected.splitlines()), start=1):
        if a != b:
            return line
    return 1


def rebuild(store: Store) -> tuple[int, list[str]]:
    """Write every view from the journal; remove views no event makes."""
    expected, problems = replay(store)
    if problems:
        return 0, problems
    for name in existing_views(store.root) - set(expected):
        os.unlink(store.path(name))
    index = expected.pop(layout.INDEX)
    for name, data in sorted(expected.items()):
        atomic_write(store.path(name), data)
    atomic_write(store.path(layout.INDEX), index)  # last: it says the views are complete
    return len(expected) + 1, []


__all__ = ["check", "rebuild", "replay"]
