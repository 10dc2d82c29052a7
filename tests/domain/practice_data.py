"""The small practice the booking and balance domain tests share."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sessionpack.domain.services import Service

TZ = ZoneInfo("Europe/Lisbon")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)  # a Friday
SOLD = date(2026, 11, 20)
MASSAGE = Service("massage", "Massage 60", 60, Decimal("90.00"))
THAI = Service("thai", "Thai massage", 90, Decimal("120.00"), tax=Decimal("23"))
SERVICES = {"massage": MASSAGE, "thai": THAI}


def at(text: str) -> datetime:
    """A wall-clock time in the practice zone."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


class Journal:
    """Client views changed only by folding stamped events, as one journal
    would fold them (the domain tests' practice without storage); ``now``:
    the clock of an event recorded without one."""

    now = NOW

    def __init__(self, *clients: str) -> None:
        import copy

        from sessionpack.domain.ledger import apply_to_client, empty_client_view

        self._copy, self._apply = copy.deepcopy, apply_to_client
        self.views: dict = {}
        self.seq = 0
        for cid in clients or ("ana", "bruno"):
            self.views[cid] = empty_client_view(cid)
            self.record({"type": "client-added", "clients": [cid], "client": {"id": cid, "name": cid.title(), "email": "", "tags": []}})

    def record(self, event: dict, now: datetime | None = None) -> dict:
        self.seq += 1
        stamped = dict(self._copy(event), seq=self.seq, at=(now or self.now).isoformat(), actor="tester")
        for cid in event["clients"]:
            self._apply(self.views[cid], stamped)
        return stamped
