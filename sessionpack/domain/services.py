"""Services: what the practice offers, one session at a time."""

from __future__ import annotations

from decimal import Decimal

from .text import check_line, check_text, toml_shown
from ..errors import FieldError, InputError
from .ids import check_slug
from .money import money_text, parse_money, parse_percent
from .records import field, record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

SERVICE_KEYS = ("name", "duration", "price", "tax", "active", "providers", "description", "capacity", "deleted")
MAX_CAPACITY = 10000


@record
class Service:
    """One bookable service.

    Attributes:
      id: slug, also the file name in ``services/``.
      name: shown to people.
      duration: minutes, 1..1440.
      price: regular price per session, net of tax, in the practice currency.
      tax: tax rate in percent (0 when the practice charges none).
      active: inactive services cannot be booked anew; history keeps them.
      providers: who can give it (empty: anyone).
      description: free text.
      capacity: places at one start (a group class), or None for one
        client at a time (rule 21 of docs/rules.md).
      deleted: soft delete (rule 27 of docs/rules.md): kept for history,
        not listed, never booked anew.
    """

    id: str
    name: str
    duration: int
    price: Decimal
    tax: Decimal = Decimal(0)
    active: bool = True
    providers: tuple[str, ...] = field(default_factory=tuple)
    description: str = ""
    capacity: int | None = None
    deleted: bool = False

    def to_mapping(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "duration": self.duration,
            "price": money_text(self.price),
            "tax": money_text(self.tax),
            "active": self.active,
        }
        if self.providers:
            out["providers"] = list(self.providers)
        if self.description:
            out["description"] = self.description
        if self.capacity is not None:
            out["capacity"] = self.capacity
        if self.deleted:
            out["deleted"] = True
        return out

    def with_changes(self, **changes: Any) -> "Service":
        return replace(self, **changes)


def kept_for_sales(service_id: str, times_sold: int) -> str | None:
    """Why ``service_id`` cannot be deleted, when packages naming it were sold
    ``times_sold`` times (views/sold.json counts them), else None: what was
    sold never loses a service (rules 13 and 27 of docs/rules.md), whether
    it is deleted by a command or marked deleted by hand."""
    if not times_sold:
        return None
    return f"service {service_id!r} is in packages sold {times_sold} time{'' if times_sold == 1 else 's'} and cannot be deleted"


def check_name(value: object, what: str = "name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{what} must be non-empty text")
    return check_line(value, what, 200)


DESCRIPTION_LIMIT = 2000


def check_description(value: object) -> str:
    """A service's or package's description: text of several lines (line
    breaks and tabs allowed), as typed and as its catalog file holds it."""
    return check_text(value, "description", DESCRIPTION_LIMIT)


def check_duration(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InputError(f"duration must be whole minutes, e.g. 60, not {toml_shown(value)}")
    try:
        if isinstance(value, str) and not value.strip().isascii():
            raise ValueError(value)
        minutes = int(value)
    except ValueError:
        raise InputError(f"duration must be whole minutes, e.g. 60, not {toml_shown(value)}") from None
    if not 1 <= minutes <= 1440:
        raise InputError(f"duration must be between 1 and 1440 minutes, not {minutes}")
    return minutes


def check_capacity(value: object) -> int | None:
    """Places at one start: a whole number from 1 (1: one client at a time, the
    default, kept as None) up to MAX_CAPACITY."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InputError(f"capacity must be a whole number of places, e.g. 12, not {toml_shown(value)}")
    try:
        if isinstance(value, str) and not value.strip().isascii():
            raise ValueError(value)
        places = int(value)
    except ValueError:
        raise InputError(f"capacity must be a whole number of places, e.g. 12, not {toml_shown(value)}") from None
    if not 1 <= places <= MAX_CAPACITY:
        raise InputError(f"capacity must be between 1 and {MAX_CAPACITY} places, not {places}")
    return places if places > 1 else None


def check_providers(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [p for p in value.split(",") if p.strip()]
    if not isinstance(value, (list, tuple)):
        raise InputError("providers must be a list of names")
    out = []
    for item in value:
        out.append(check_name(item, "provider"))
    return tuple(out)


def service_from_mapping(service_id: str, data: Mapping[str, Any], currency: str) -> Service:
    """Build a Service from a TOML table; errors name the key at fault."""
    check_slug(service_id, "service")
    for key in data:
        if key not in SERVICE_KEYS:
            raise FieldError(key, f"unknown key; allowed keys are {', '.join(SERVICE_KEYS)}")
    for key in ("name", "duration", "price"):
        if key not in data:
            raise FieldError("", f"missing required key '{key}'")

    def field_of(key: str, parse):  # type: ignore[no-untyped-def]
        try:
            return parse(data[key])
        except InputError as err:
            raise FieldError(key, str(err)) from None

    active = data.get("active", True)
    if not isinstance(active, bool):
        raise FieldError("active", "must be true or false")
    deleted = data.get("deleted", False)
    if not isinstance(deleted, bool):
        raise FieldError("deleted", "must be true or false")
    return Service(
        id=service_id,
        name=field_of("name", check_name),
        duration=field_of("duration", check_duration),
        price=field_of("price", lambda v: parse_money(v, currency, "price")),
        tax=field_of("tax", parse_percent) if "tax" in data else Decimal(0),
        active=active,
        providers=field_of("providers", check_providers) if "providers" in data else (),
        description=field_of("description", check_description) if "description" in data else "",
        capacity=field_of("capacity", check_capacity) if "capacity" in data else None,
        deleted=deleted,
    )
