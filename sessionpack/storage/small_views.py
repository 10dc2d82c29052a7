"""The registry of small whole-practice views: one JSON file each.

A small view is a fold of the journal's events into one file under
``views/``, like the client directory or the sales count. Each entry names
its file, its empty state, the fold (``fold(view, event) -> bool``: True
when the event changed the view; the fold moves ``view["seq"]`` on when it
does) and the event types that can change it (None: any type), so a
commit loads only the small views its events concern.

Every part of storage that writes or checks views (the commit, the repair
of a crash, ``check``, ``check --rebuild`` and the incremental check) goes
through this one list; a new small view is one entry here.
"""

from __future__ import annotations

from ..domain import ledger, outbox
from . import layout

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, FrozenSet, Optional


class SmallView:
    __slots__ = ("name", "empty", "fold", "types")

    def __init__(self, name: str, empty: Callable[[], dict[str, Any]], fold: Callable[[dict[str, Any], dict[str, Any]], bool],
                 types: Optional[FrozenSet[str]]) -> None:
        self.name = name
        self.empty = empty
        self.fold = fold
        self.types = types

    def concerns(self, event: dict[str, Any]) -> bool:
        return self.types is None or event["type"] in self.types


def _fold_sold(sold: dict[str, Any], event: dict[str, Any]) -> bool:
    """The sales per package and service (``ledger.apply_to_sold``) and the
    highest invoice number given (``sales.fold_invoice``: the next automatic
    one follows it)."""
    from ..domain.sales import fold_invoice  # (only a commit of a sale gets here)

    counted = ledger.apply_to_sold(sold, event)
    return fold_invoice(sold, event) or counted


SMALL_VIEWS: tuple[SmallView, ...] = (
    SmallView(layout.DIRECTORY, ledger.empty_directory, ledger.apply_to_directory, frozenset({"client-added", "client-edited"})),
    SmallView(layout.SOLD, ledger.empty_sold, _fold_sold, frozenset({"sold"})),
    SmallView(layout.OUTBOX, outbox.empty_outbox, outbox.fold_outbox, outbox.TYPES),
)

NAMES = frozenset(view.name for view in SMALL_VIEWS)


def fold_undo(load: Callable[[str], dict[str, Any]], event: dict[str, Any], sold_before: dict[str, dict[tuple[str, str], int]],
              clients: dict[str, dict[str, Any]]) -> set[str]:
    """The small views after an ``undone`` event (domain.undo), which takes
    back events these views folded: the directory takes each named client
    as their view now has them (gone when their adding was undone), and the
    sales count moves by the difference of the clients' sales that count
    (invoice numbers are never given out again). ``load(name)`` gives a
    small view; the names of those that changed are returned."""
    from ..domain.undo import sold_counts

    changed: set[str] = set()
    directory = load(layout.DIRECTORY)
    for client_id in event.get("clients", []):
        record = clients[client_id].get("client")
        entry = None if record is None else {"name": record["name"], "email": record["email"],
                                             "phone": record.get("phone", ""), "tags": record["tags"]}
        if directory["clients"].get(client_id) != entry:
            if entry is None:
                directory["clients"].pop(client_id, None)
            else:
                directory["clients"][client_id] = entry
            changed.add(layout.DIRECTORY)
    sold = load(layout.SOLD)
    for client_id in event.get("clients", []) if sold["seq"] < event["seq"] else ():  # (folded already: a repair)
        after = sold_counts(clients[client_id])
        before = sold_before.get(client_id, {})
        for kind, item in set(before) | set(after):
            delta = after.get((kind, item), 0) - before.get((kind, item), 0)
            if delta:
                table = sold["packages" if kind == "package" else "services"]
                table[item] = table.get(item, 0) + delta
                if table[item] <= 0:
                    del table[item]
                changed.add(layout.SOLD)
    for name in changed:
        view = load(name)
        view["seq"] = event["seq"]
    return changed
