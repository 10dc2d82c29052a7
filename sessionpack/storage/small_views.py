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


SMALL_VIEWS: tuple[SmallView, ...] = (
    SmallView(layout.DIRECTORY, ledger.empty_directory, ledger.apply_to_directory, frozenset({"client-added", "client-edited"})),
    SmallView(layout.SOLD, ledger.empty_sold, ledger.apply_to_sold, frozenset({"sold"})),
    SmallView(layout.OUTBOX, outbox.empty_outbox, outbox.fold_outbox, outbox.TYPES),
)

NAMES = frozenset(view.name for view in SMALL_VIEWS)
