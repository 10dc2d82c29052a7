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
