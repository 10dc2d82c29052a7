"""Shell completion of ids: clients, client packages, bookings, services, packages.

Each function is a Typer ``autocompletion`` (named parameters ``ctx`` and
``incomplete``), also called by the quick path (``cli/fast_complete.py``)
with a stand-in context holding the root's options. They only read: a
folder listing for clients, services and packages, one client's view for
that client's packages and bookings, without the lock (views are replaced
whole, by rename). Nothing is followed through a symbolic link and an id is
checked before it becomes part of a path. Any problem gives no completions:
a shell must never see an error or a traceback. Only ids are offered (no
descriptions): nothing a person typed reaches the shell's completion menu.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _root(ctx: Any) -> str | None:
    """The data directory the command line names, as the command would use it."""
    from ..storage.layout import resolve_data_dir

    try:
        option = ctx.find_root().params.get("data_dir")
    except AttributeError:
        option = None
    return resolve_data_dir(option)


def _names(root: str, folder: str, suffix: str) -> list[str]:
    """The ids of the ``*suffix`` files in ``folder`` (no link followed)."""
    from ..domain.ids import SLUG_RE

    path = root
    for part in folder.split("/"):
        path = os.path.join(path, part)
        if os.path.islink(path):
            return []
    try:
        names = os.listdir(path)
    except OSError:
        return []
    cut = len(suffix)
    return sorted(n[:-cut] for n in names if n.endswith(suffix) and SLUG_RE.match(n[:-cut]))


def _view(root: str, client_id: str) -> dict | None:
    import json

    from ..domain.ids import SLUG_RE
    from ..storage.fsio import read_bytes

    if not SLUG_RE.match(client_id) or os.path.islink(os.path.join(root, "views")) or os.path.islink(os.path.join(root, "views", "clients")):
        return None
    try:
        view = json.loads(read_bytes(os.path.join(root, "views", "clients", client_id + ".json")))
    except Exception:  # noqa: BLE001 - no completion rather than an error
        return None
    return view if isinstance(view, dict) else None


def _guarded(find: Any, ctx: Any, incomplete: str) -> list[str]:
    try:
        root = _root(ctx)
        found = find(root, incomplete) if root else []
    except Exception:  # noqa: BLE001 - a shell must never see a traceback
        return []
    return [name for name in found if name.startswith(incomplete)]


def _clients(root: str, incomplete: str) -> list[str]:
    return _names(root, "views/clients", ".json")


def _owned(root: str, incomplete: str, key: str, wanted: Any = None) -> list[str]:
    """Ids of ``key`` ("packages" or "bookings") of the client named before
    the dot of ``incomplete``; before a dot, the client ids with a dot."""
    client, dot, _ = incomplete.partition(".")
    if not dot:
        matching = [name for name in _clients(root, incomplete) if name.startswith(incomplete)]
        if len(matching) != 1:
            return [name + "." for name in matching]
        client = matching[0]  # one client: offer its ids at once
    view = _view(root, client)
    if view is None:
        return []
    items = view.get(key)
    if not isinstance(items, dict):
        return []
    return sorted((i for i, record in items.items() if wanted is None or wanted(record)), key=_number)


def _number(item_id: str) -> tuple[str, int]:
    head, _, tail = item_id.rpartition(".")
    digits = tail[1:]
    return head, int(digits) if digits.isdigit() else 0


def _booked(record: Any) -> bool:
    return isinstance(record, dict) and record.get("status") == "booked"


def clients(ctx: object, incomplete: str) -> list[str]:
    """Client ids."""
    return _guarded(_clients, ctx, incomplete)


def client_packages(ctx: object, incomplete: str) -> list[str]:
    """Client package ids (``ana.p1``): after ``ana.``, ana's packages."""
    return _guarded(lambda root, text: _owned(root, text, "packages"), ctx, incomplete)


def booked(ctx: object, incomplete: str) -> list[str]:
    """Booking ids still booked (``ana.b3``): after ``ana.``, ana's bookings."""
    return _guarded(lambda root, text: _owned(root, text, "bookings", _booked), ctx, incomplete)


def clients_or_packages(ctx: object, incomplete: str) -> list[str]:
    """Client ids, then after ``ana.`` ana's client packages."""
    if "." in incomplete:
        return client_packages(ctx, incomplete)
    return _guarded(_clients, ctx, incomplete)


def packages_or_booked(ctx: object, incomplete: str) -> list[str]:
    """After ``ana.``, ana's client packages and the bookings still booked."""
    return _guarded(lambda root, text: _owned(root, text, "packages") + _owned(root, text, "bookings", _booked)
                    if "." in text else _owned(root, text, "packages"), ctx, incomplete)


def services(ctx: object, incomplete: str) -> list[str]:
    """Service ids of the catalog."""
    return _guarded(lambda root, text: _names(root, "services", ".toml"), ctx, incomplete)


def packages(ctx: object, incomplete: str) -> list[str]:
    """Package ids of the catalog."""
    return _guarded(lambda root, text: _names(root, "packages", ".toml"), ctx, incomplete)
