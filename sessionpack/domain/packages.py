"""Packages: the offers (templates) a practice sells or assigns.

A package says what a client gets (contents), how it is paid (payment), how
long it lasts (expiry), when and with whom it may be used (restrictions) and
what no-shows and late cancels do (policies). Selling copies ``terms()`` into
the client package, so editing the catalog later changes new sales only.

The catalog form (``to_mapping``/``package_from_mapping``) is TOML-shaped:
top-level keys, ``expiry`` as text (or a TOML date), and the tables
``[contents]``, ``[payment]``, ``[restrictions]`` and ``[policies]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any, Callable, Mapping

from ..errors import FieldError, InputError
from .expiry import NO_EXPIRY, ExpiryRule, parse_expiry_option
from .ids import check_slug
from .money import ZERO, money_text, parse_money, parse_percent
from .services import Service, check_name, check_providers

UNLIMITED = "unlimited"
ALL = "all"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
POOL_VALUES = ("count", "minutes", "money", "unlimited")
PAYMENT_MODES = ("upfront", "per-session")
STATUSES = ("active", "inactive")
VISIBILITIES = ("listed", "hidden", "not-for-sale")
NO_SHOW_ACTIONS = ("return", "forfeit")
LATE_CANCEL_ACTIONS = ("return", "forfeit", "charge")
EXPIRY_LIMITS = ("session", "booking")
MAX_COUNT = 100_000
DEFAULT_LATE_CANCEL_HOURS = 24

PACKAGE_KEYS = ("name", "description", "category", "order", "status", "visibility", "deleted",
                "expiry", "contents", "payment", "restrictions", "policies")
CONTENTS_KEYS = ("sessions", "pool", "amount", "services")
PAYMENT_KEYS = ("mode", "price", "tax", "fees")
RESTRICTION_KEYS = ("providers", "weekdays", "time_window", "date_ranges", "dates")
POLICY_KEYS = ("no_show", "late_cancel_hours", "late_cancel", "charge_percent", "expiry_limits")


@dataclass(frozen=True)
class Contents:
    """What a package holds: fixed sessions per service, or one pool.

    Attributes:
      kind: "fixed" or "pool".
      sessions: fixed only: ((service id, count or "unlimited"), ...), in the
        order written; counts are 1..100000.
      value: pool only: "count" (sessions), "minutes", "money" (credit in the
        practice currency) or "unlimited".
      amount: pool only: int for count and minutes, Decimal for money, None
        for unlimited.
      services: pool only: the service ids it may be spent on, or "all".
    """

    kind: str
    sessions: tuple[tuple[str, int | str], ...] = ()
    value: str = ""
    amount: int | Decimal | None = None
    services: tuple[str, ...] | str = ()

    @property
    def service_ids(self) -> tuple[str, ...] | str:
        """Every included service id, or "all"."""
        if self.kind == "fixed":
            return tuple(sid for sid, _ in self.sessions)
        return self.services


@dataclass(frozen=True)
class Payment:
    """How a package is paid.

    Attributes:
      mode: "upfront" (price plus tax invoiced at sale; covered sessions cost
        nothing) or "per-session" (nothing at sale; each covered session is
        billed at its adjusted fee plus that service's own tax).
      price: upfront only: the package price, net of tax (0 for per-session).
      tax: upfront only: tax rate in percent on the price.
      fees: per-session only: ((service id, adjusted fee net of tax), ...)
        for every included service.
    """

    mode: str = "upfront"
    price: Decimal = ZERO
    tax: Decimal = ZERO
    fees: tuple[tuple[str, Decimal], ...] = ()

    def fee_for(self, service_id: str) -> Decimal | None:
        return dict(self.fees).get(service_id)


@dataclass(frozen=True)
class Restrictions:
    """When and with whom a package may be used (all optional).

    Attributes:
      providers: provider names allowed (empty: any provider).
      weekdays: allowed days among mon..sun, in week order (empty: any day).
      time_window: (start, end): the whole session must fit in it.
      date_ranges: ((from, to), ...) inclusive, sorted.
      dates: single allowed dates, sorted. Ranges and dates together allow
        their union; with neither, any date.
    """

    providers: tuple[str, ...] = ()
    weekdays: tuple[str, ...] = ()
    time_window: tuple[time, time] | None = None
    date_ranges: tuple[tuple[date, date], ...] = ()
    dates: tuple[date, ...] = ()

    def date_allowed(self, day: date) -> bool:
        if not self.date_ranges and not self.dates:
            return True
        return day in self.dates or any(lo <= day <= hi for lo, hi in self.date_ranges)


@dataclass(frozen=True)
class Policies:
    """What no-shows and late cancels do, and what the expiry limits.

    Attributes:
      no_show: "return" (the session goes back to the package; default) or
        "forfeit".
      late_cancel_hours: a cancel less than this many hours before the start
        is late; default 24 (a common "one day's notice" rule); 0 means no
        cancel is ever late.
      late_cancel: "return" (default: like any cancel), "forfeit", or
        "charge" (money pools only: keep charge_percent of the service price).
      charge_percent: with "charge" only, 0..100.
      expiry_limits: "session" (sessions must take place by the expiry date;
        default) or "booking" (they must be booked by it).
    """

    no_show: str = "return"
    late_cancel_hours: int = DEFAULT_LATE_CANCEL_HOURS
    late_cancel: str = "return"
    charge_percent: Decimal | None = None
    expiry_limits: str = "session"


@dataclass(frozen=True)
class Package:
    """One package offer in the catalog.

    Attributes:
      id: slug, also its name in the catalog.
      name: shown to people.
      currency: the practice currency its money is in (not written to the
        catalog; recorded in ``terms()``).
      contents: what it holds (``Contents``).
      payment: how it is paid (``Payment``).
      expiry: how long it stays valid (``ExpiryRule``).
      restrictions: when and with whom (``Restrictions``).
      policies: no-show, late cancel, what the expiry limits (``Policies``).
      description: free text for clients.
      category: a group heading in lists ("" for none).
      order: display order in lists (lower first), default 0.
      status: "active" (sells) or "inactive".
      visibility: "listed", "hidden" (sold on request, not listed) or
        "not-for-sale" (assign only).
      deleted: soft delete (kept for history, not listed).
    """

    id: str
    name: str
    currency: str
    contents: Contents
    payment: Payment = field(default_factory=Payment)
    expiry: ExpiryRule = NO_EXPIRY
    restrictions: Restrictions = field(default_factory=Restrictions)
    policies: Policies = field(default_factory=Policies)
    description: str = ""
    category: str = ""
    order: int = 0
    status: str = "active"
    visibility: str = "listed"
    deleted: bool = False

    def with_changes(self, **changes: Any) -> "Package":
        return replace(self, **changes)

    def to_mapping(self) -> dict[str, Any]:
        """The catalog (TOML) form: money as strings, dates as ``date``.

        Empty optional keys (description, category, order 0, deleted false,
        no restrictions) are left out.
        """
        return {k: v for k, v in self._full().items() if v or k in ("status", "visibility", "expiry")}

    def terms(self) -> dict[str, Any]:
        """Every term as a JSON-ready dict (dates as ISO text), for a sale."""
        return {"id": self.id, "currency": self.currency, **_jsonable(self._full())}

    def _full(self) -> dict[str, Any]:
        c, pay, r, pol = self.contents, self.payment, self.restrictions, self.policies
        if c.kind == "fixed":
            contents: dict[str, Any] = {"sessions": dict(c.sessions)}
        else:
            amount = money_text(c.amount) if isinstance(c.amount, Decimal) else c.amount
            contents = {"pool": c.value, "amount": amount, "services": c.services if c.services == ALL else list(c.services)}
        if pay.mode == "upfront":
            payment: dict[str, Any] = {"mode": pay.mode, "price": money_text(pay.price), "tax": money_text(pay.tax)}
        else:
            payment = {"mode": pay.mode, "fees": {sid: money_text(fee) for sid, fee in pay.fees}}
        restrictions = {
            "providers": list(r.providers), "weekdays": list(r.weekdays),
            "time_window": _window_text(r.time_window, "-") if r.time_window else None,
            "date_ranges": [[lo, hi] for lo, hi in r.date_ranges], "dates": list(r.dates),
        }
        charge = money_text(pol.charge_percent) if pol.charge_percent is not None else None
        policies = {"no_show": pol.no_show, "late_cancel_hours": pol.late_cancel_hours, "late_cancel": pol.late_cancel,
                    "charge_percent": charge, "expiry_limits": pol.expiry_limits}
        return {
            "name": self.name, "description": self.description, "category": self.category, "order": self.order,
            "status": self.status, "visibility": self.visibility, "deleted": self.deleted,
            "expiry": self.expiry.on if self.expiry.kind == "fixed" else self.expiry.text(),
            "contents": {k: v for k, v in contents.items() if v is not None},
            "payment": payment,
            "restrictions": {k: v for k, v in restrictions.items() if v},
            "policies": {k: v for k, v in policies.items() if v is not None},
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


# ---------------------------------------------------------------- parsing


def _parse(key: str, parse: Callable[[Any], Any], value: Any) -> Any:
    """Run a value parser; its InputError becomes a FieldError at ``key``."""
    try:
        return parse(value)
    except FieldError:
        raise
    except InputError as err:
        raise FieldError(key, str(err)) from None


def _table(data: Any, key: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise FieldError(key, f"must be a table with keys {', '.join(allowed)}")
    for k in data:
        if k not in allowed:
            path = f"{key}.{k}" if key else str(k)
            raise FieldError(path, f"unknown key; allowed keys are {', '.join(allowed)}")
    return data


def _choice(value: Any, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        raise InputError(f"{what} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _whole(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"{what} must be a whole number from {low} to {high}, not {value!r}")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{what} must be text")
    return value


def _session_count(value: Any) -> int | str:
    if value == UNLIMITED:
        return UNLIMITED
    try:
        return _whole(value, "number of sessions", 1, MAX_COUNT)
    except InputError:
        raise InputError(f'must be a number of sessions from 1 to {MAX_COUNT}, or "unlimited", not {value!r}') from None


def _pool_amount(value_type: str, value: Any, currency: str) -> int | Decimal | None:
    if value_type == "money":
        amount = parse_money(value, currency, "money amount")
        if amount <= 0:
            raise InputError("money amount must be more than 0 (it is the credit the client gets)")
        return amount
    return _whole(value, f"{value_type} amount", 1, MAX_COUNT if value_type == "count" else 10_000_000)


def _service_list(value: Any) -> tuple[str, ...] | str:
    if value == ALL:
        return ALL
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)) or not value:
        raise InputError('list at least one service id, e.g. ["massage", "reflexology"], or write "all"')
    out: list[str] = []
    for sid in value:
        check_slug(sid, "service")
        if sid not in out:
            out.append(sid)
    return tuple(out)


def _as_date(value: Any, what: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(f"{what} must be a date like 2026-12-01, not {value!r}")


def _parse_contents(raw: Any, currency: str) -> Contents:
    data = _table(raw, "contents", CONTENTS_KEYS)
    if ("sessions" in data) == ("pool" in data):
        raise FieldError("contents", "set either 'sessions' (fixed sessions per service) "
                         "or 'pool' (count, minutes, money or unlimited), not both or neither")
    if "sessions" in data:
        for extra in ("amount", "services"):
            if extra in data:
                raise FieldError(f"contents.{extra}", "only a pool has this; remove it or use 'pool' instead of 'sessions'")
        sessions = data["sessions"]
        if not isinstance(sessions, Mapping) or not sessions:
            raise FieldError("contents.sessions", "list at least one service with its sessions, e.g. massage = 5")
        items = []
        for sid, count in sessions.items():
            key = f"contents.sessions.{sid}"
            _parse(key, lambda s: check_slug(s, "service"), sid)
            items.append((sid, _parse(key, _session_count, count)))
        return Contents("fixed", sessions=tuple(items))
    value = _parse("contents.pool", lambda v: _choice(v, POOL_VALUES, "pool"), data["pool"])
    if value == UNLIMITED:
        if "amount" in data:
            raise FieldError("contents.amount", "an unlimited pool has no amount; remove it")
        amount = None
    elif "amount" not in data:
        raise FieldError("contents", f"missing 'amount' for the {value} pool, e.g. amount = 10")
    else:
        amount = _parse("contents.amount", lambda v: _pool_amount(value, v, currency), data["amount"])
    services = _parse("contents.services", _service_list, data.get("services", ALL))
    return Contents("pool", value=value, amount=amount, services=services)


def _parse_payment(raw: Any, currency: str) -> Payment:
    data = _table(raw, "payment", PAYMENT_KEYS)
    mode = _parse("payment.mode", lambda v: _choice(v, PAYMENT_MODES, "mode"), data.get("mode", "upfront"))
    if mode == "upfront":
        if "fees" in data:
            raise FieldError("payment.fees", 'fees are for per-session packages; remove them or set mode = "per-session"')
        if "price" not in data:
            raise FieldError("payment", 'missing \'price\' (net of tax), e.g. price = "400.00"; use "0" for a free package')
        price = _parse("payment.price", lambda v: parse_money(v, currency, "price"), data["price"])
        tax = _parse("payment.tax", lambda v: parse_percent(v, "tax"), data.get("tax", 0))
        return Payment("upfront", price=price, tax=tax)
    for extra in ("price", "tax"):
        if extra in data:
            raise FieldError(f"payment.{extra}", "a per-session package has no package price or tax (each session "
                             "is billed at its fee plus the service's tax); remove it or set mode = \"upfront\"")
    fees = data.get("fees")
    if not isinstance(fees, Mapping) or not fees:
        raise FieldError("payment", "missing [payment.fees]: the fee per session for each included service, "
                         'e.g. massage = "70.00"')
    items = []
    for sid, fee in fees.items():
        key = f"payment.fees.{sid}"
        _parse(key, lambda s: check_slug(s, "service"), sid)
        items.append((sid, _parse(key, lambda v: parse_money(v, currency, "fee"), fee)))
    return Payment("per-session", fees=tuple(items))


def _parse_restrictions(raw: Any) -> Restrictions:
    data = _table(raw, "restrictions", RESTRICTION_KEYS)
    out = Restrictions()
    if "providers" in data:
        providers = _parse("restrictions.providers", check_providers, data["providers"])
        if not providers:
            raise FieldError("restrictions.providers", "list at least one provider or remove the key")
        out = replace(out, providers=providers)
    if "weekdays" in data:
        out = replace(out, weekdays=_parse("restrictions.weekdays", _weekdays, data["weekdays"]))
    if "time_window" in data:
        out = replace(out, time_window=_parse("restrictions.time_window", parse_time_window, data["time_window"]))
    if "date_ranges" in data:
        ranges = data["date_ranges"]
        if not isinstance(ranges, list) or not ranges:
            raise FieldError("restrictions.date_ranges", "list at least one [from, to] pair, e.g. "
                             "[[2026-12-01, 2026-12-24]], or remove the key")
        out = replace(out, date_ranges=tuple(sorted({_parse("restrictions.date_ranges", _date_range, r) for r in ranges})))
    if "dates" in data:
        out = replace(out, dates=_parse("restrictions.dates", parse_dates, data["dates"]))
    return out


def _parse_policies(raw: Any) -> Policies:
    data = _table(raw, "policies", POLICY_KEYS)
    defaults = Policies()

    def get(key: str, parse: Callable[[Any], Any]) -> Any:
        return _parse(f"policies.{key}", parse, data[key]) if key in data else getattr(defaults, key)

    late = get("late_cancel", lambda v: _choice(v, LATE_CANCEL_ACTIONS, "late_cancel"))
    percent = get("charge_percent", lambda v: parse_percent(v, "charge_percent"))
    if late == "charge" and percent is None:
        raise FieldError("policies", "missing 'charge_percent': the share of the service price a late "
                         "cancel keeps, e.g. charge_percent = 50")
    if late != "charge" and percent is not None:
        raise FieldError("policies.charge_percent", 'used only with late_cancel = "charge"; remove it or set '
                         'late_cancel = "charge"')
    return Policies(
        no_show=get("no_show", lambda v: _choice(v, NO_SHOW_ACTIONS, "no_show")),
        late_cancel_hours=get("late_cancel_hours", lambda v: _whole(v, "late_cancel_hours", 0, 8760)),
        late_cancel=late,
        charge_percent=percent,
        expiry_limits=get("expiry_limits", lambda v: _choice(v, EXPIRY_LIMITS, "expiry_limits")),
    )


def package_from_mapping(
    package_id: str,
    data: Mapping[str, Any],
    currency: str,
    services: Mapping[str, Service] | None = None,
) -> Package:
    """Build a Package from its catalog (TOML) table; errors name the key.

    With ``services`` (the catalog's services by id), every service the
    package names must exist.
    """
    check_slug(package_id, "package")
    _table(data, "", PACKAGE_KEYS)
    for key, example in (("name", 'name = "5 massages"'), ("contents", "[contents] with sessions or pool"),
                         ("payment", '[payment] with price = "400.00"')):
        if key not in data:
            raise FieldError("", f"missing required key '{key}'; add {example}")
    package = Package(
        id=package_id,
        name=_parse("name", check_name, data["name"]),
        currency=currency,
        contents=_parse_contents(data["contents"], currency),
        payment=_parse_payment(data["payment"], currency),
        expiry=_parse("expiry", parse_expiry_option, data.get("expiry", "none")),
        restrictions=_parse_restrictions(data.get("restrictions", {})),
        policies=_parse_policies(data.get("policies", {})),
        description=_parse("description", lambda v: _text(v, "description"), data.get("description", "")),
        category=_parse("category", lambda v: _text(v, "category"), data.get("category", "")),
        order=_parse("order", lambda v: _whole(v, "order", -1_000_000, 1_000_000), data.get("order", 0)),
        status=_parse("status", lambda v: _choice(v, STATUSES, "status"), data.get("status", "active")),
        visibility=_parse("visibility", lambda v: _choice(v, VISIBILITIES, "visibility"),
                          data.get("visibility", "listed")),
        deleted=_parse("deleted", _boolean, data.get("deleted", False)),
    )
    return check_package(package, services)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InputError("must be true or false")
    return value


def package_from_terms(terms: Mapping[str, Any]) -> Package:
    """The inverse of ``Package.terms()``."""
    if not isinstance(terms, Mapping) or "id" not in terms or "currency" not in terms:
        raise FieldError("", "package terms need 'id' and 'currency'")
    rest = {k: v for k, v in terms.items() if k not in ("id", "currency")}
    return package_from_mapping(terms["id"], rest, terms["currency"])


def _unknown_service(key: str, sid: str) -> FieldError:
    return FieldError(key, f"unknown service '{sid}'; add it with 'sessionpack service add {sid} ...' or fix the name")


def check_package(package: Package, services: Mapping[str, Service] | None = None) -> Package:
    """Checks across terms; returns ``package`` or raises FieldError.

    The CLI calls this on a Package it built from options; the key in the
    error is the catalog key, and ``err.message`` reads well on its own.
    """
    c, pay, pol = package.contents, package.payment, package.policies
    included = c.service_ids
    if services is not None:
        if c.kind == "fixed":
            for sid in included:
                if sid not in services:
                    raise _unknown_service(f"contents.sessions.{sid}", sid)
        elif included != ALL:
            for sid in included:
                if sid not in services:
                    raise _unknown_service("contents.services", sid)
    if pay.mode == "per-session":
        if c.kind == "pool" and c.value == "money":
            raise FieldError("payment.mode", 'a money pool is paid upfront (its amount is the credit); '
                             'set mode = "upfront" with a price')
        if included == ALL:
            raise FieldError("payment.mode", "a per-session package needs its services listed, each with a fee: "
                             "set contents.services to a list of service ids")
        fees = dict(pay.fees)
        for sid in fees:
            if sid not in included:
                raise FieldError(f"payment.fees.{sid}", f"'{sid}' is not in this package's contents; "
                                 "remove the fee or add the service to the contents")
        for sid in included:
            if sid not in fees:
                raise FieldError("payment.fees", f"no fee for '{sid}'; add {sid} = \"70.00\" (its fee per session) "
                                 "under [payment.fees]")
    if pol.late_cancel == "charge" and not (c.kind == "pool" and c.value == "money"):
        raise FieldError("policies.late_cancel", 'charging a percentage works only for money pools; '
                         'use "return" or "forfeit"')
    return package


# ---------------------------------------------------------------- using


def includes_service(package: Package, service_id: str) -> bool:
    included = package.contents.service_ids
    return included == ALL or service_id in included


def restriction_count(package: Package) -> int:
    """How restrictive a package is, for breaking ties between packages.

    One point per kind of restriction set (providers, weekdays, time window,
    dates), plus one when it covers a fixed set of services rather than all.
    """
    r = package.restrictions
    count = sum(1 for set_ in (r.providers, r.weekdays, r.time_window, r.date_ranges or r.dates) if set_)
    return count + (0 if package.contents.service_ids == ALL else 1)


def restrictions_allow(
    package: Package,
    start: datetime,
    duration_minutes: int,
    provider: str | None,
    *,
    tz: tzinfo | None = None,
) -> str | None:
    """None if a session at ``start`` may use the package, else why not.

    ``start`` is aware and read in its own zone (or converted to ``tz`` when
    given). The whole session must fit in the time window. A package limited
    to providers refuses a session with no provider.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("restrictions_allow needs an aware start time")
    local = start.astimezone(tz) if tz is not None else start
    day = local.date()
    r = package.restrictions
    if not r.date_allowed(day):
        return "only on listed dates"
    if r.weekdays and WEEKDAYS[day.weekday()] not in r.weekdays:
        return "only on " + _and([WEEKDAY_NAMES[WEEKDAYS.index(d)] + "s" for d in r.weekdays])
    if r.time_window:
        low, high = r.time_window
        end = (local.astimezone(timezone.utc) + timedelta(minutes=duration_minutes)).astimezone(local.tzinfo)
        if local.time() < low or end.date() != day or end.time() > high:
            return f"only between {low:%H:%M} and {high:%H:%M}"
    if r.providers:
        wanted = {p.casefold() for p in r.providers}
        if provider is None or provider.strip().casefold() not in wanted:
            word = "provider" if len(r.providers) == 1 else "providers"
            return f"only with {word} " + _and(list(r.providers), "or")
    return None


# ---------------------------------------------------------------- words


def _and(items: list[str], word: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _window_text(window: tuple[time, time], dash: str) -> str:
    return f"{window[0]:%H:%M}{dash}{window[1]:%H:%M}"


def describe(package: Package, services: Mapping[str, Service] | None = None) -> list[str]:
    """Every term of ``package`` in plain words, one line each."""
    cur = package.currency

    def name(sid: str) -> str:
        service = (services or {}).get(sid)
        return service.name if service else sid

    c = package.contents
    lines = []
    if c.kind == "fixed":
        lines.append(", ".join(f"unlimited {name(s)}" if n == UNLIMITED else f"{n} × {name(s)}"
                               for s, n in c.sessions))
    else:
        if c.services == ALL:
            scope = "any service"
        elif len(c.services) == 1:
            scope = name(c.services[0])
        else:
            scope = "any of: " + ", ".join(name(s) for s in c.services)
        if c.value == "money":
            lines.append(f"{money_text(c.amount)} {cur} credit for {scope}")  # type: ignore[arg-type]
        elif c.value == "minutes":
            lines.append(f"{c.amount} minutes of {scope}")
        elif c.value == "count":
            lines.append(f"{c.amount} session{'' if c.amount == 1 else 's'} of {scope}")
        else:
            lines.append(f"unlimited sessions of {scope}")
    pay = package.payment
    if pay.mode == "upfront":
        lines.append(f"price {money_text(pay.price)} {cur} + {money_text(pay.tax)}% tax, paid upfront")
    else:
        fees = ", ".join(f"{name(s)} {money_text(f)} {cur}" for s, f in pay.fees)
        lines.append(f"paid per session: {fees}, plus each service's tax")
    lines.append(package.expiry.describe())
    if package.expiry.kind != "none":
        if package.policies.expiry_limits == "session":
            lines.append("sessions must take place by the expiry date")
        else:
            lines.append("sessions must be booked by the expiry date (they may take place later)")
    r = package.restrictions
    if r.weekdays or r.time_window:
        days = _and([WEEKDAY_NAMES[WEEKDAYS.index(d)] + "s" for d in r.weekdays])
        window = _window_text(r.time_window, "–") if r.time_window else ""
        lines.append(" ".join(part for part in (days, window, "only") if part))
    if r.date_ranges or r.dates:
        spans = [f"{lo.isoformat()} to {hi.isoformat()}" for lo, hi in r.date_ranges]
        lines.append("on " + ", ".join(spans + [d.isoformat() for d in r.dates]) + " only")
    if r.providers:
        lines.append(f"with {_and(list(r.providers), 'or')} only")
    unit = {"minutes": "minutes", "money": "credit"}.get(c.value, "session")
    pol = package.policies
    lines.append(f"no-show: {unit} {'returned' if pol.no_show == 'return' else 'forfeited'}")
    if pol.late_cancel_hours == 0:
        lines.append("no late-cancel window: a cancel returns what it drew")
    else:
        if pol.late_cancel == "charge":
            outcome = f"{money_text(pol.charge_percent)}% of the service price charged"  # type: ignore[arg-type]
        else:
            outcome = f"{unit} {'returned' if pol.late_cancel == 'return' else 'forfeited'}"
        lines.append(f"late cancel (within {pol.late_cancel_hours} h): {outcome}")
    if package.status == "inactive":
        lines.append("inactive: not sold now")
    if package.visibility == "hidden":
        lines.append("hidden: not listed")
    elif package.visibility == "not-for-sale":
        lines.append("not for sale: assign only")
    if package.deleted:
        lines.append("deleted")
    return lines


# ---------------------------------------------------------------- CLI text


_PAIR_RE = re.compile(r"^\s*([^=\s]+)\s*=\s*(\S+)\s*$")
_TIME_RE = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


def _pair(text: str, option: str, example: str) -> tuple[str, str]:
    match = _PAIR_RE.match(text or "")
    if not match:
        raise InputError(f"{option} must look like {example}, not {text!r}")
    return match.group(1), match.group(2)


def parse_service_option(text: str) -> tuple[str, int | str]:
    """'massage=5' -> ('massage', 5); 'massage=unlimited' -> ('massage', 'unlimited')."""
    sid, count = _pair(text, "--service", "SERVICE=N or SERVICE=unlimited, e.g. massage=5")
    check_slug(sid, "service")
    try:
        return sid, _session_count(count.lower())
    except InputError:
        raise InputError(f"--service {text!r}: the number of sessions must be 1 to {MAX_COUNT} "
                         "or 'unlimited', e.g. massage=5") from None


def parse_pool_option(text: str, currency: str) -> tuple[str, int | Decimal | None]:
    """'count=10', 'minutes=180', 'money=300' (in ``currency``) or 'unlimited'."""
    if (text or "").strip().lower() == UNLIMITED:
        return UNLIMITED, None
    example = "count=10, minutes=180, money=300 or unlimited"
    value, amount = _pair(text, "--pool", example)
    value = value.lower()
    if value not in POOL_VALUES or value == UNLIMITED:
        raise InputError(f"--pool must be one of {example}, not {text!r}")
    return value, _pool_amount(value, amount, currency)


def parse_fee_option(text: str, currency: str) -> tuple[str, Decimal]:
    """'massage=70' -> ('massage', Decimal('70.00')): a per-session fee."""
    sid, fee = _pair(text, "--fee", "SERVICE=AMOUNT, e.g. massage=70")
    check_slug(sid, "service")
    return sid, parse_money(fee, currency, f"fee for {sid}")


def _weekdays(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        raise InputError('weekdays must be a list like ["mon", "wed"]')
    picked: set[int] = set()
    for item in value:
        if not isinstance(item, str):
            raise InputError(f"weekday {item!r} is not one of {', '.join(WEEKDAYS)}")
        word = item.strip().lower()
        if not word:
            continue
        ends = word.split("-") if "-" in word else [word, word]
        if len(ends) != 2:
            raise InputError(f"weekday range {item!r} must look like mon-fri")
        first, last = (_weekday_index(e) for e in ends)
        picked.update(range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)])
    if not picked:
        raise InputError("list at least one weekday (mon..sun), e.g. mon,wed, or remove the restriction")
    return tuple(WEEKDAYS[i] for i in sorted(picked))


def _weekday_index(word: str) -> int:
    for i, (short, full) in enumerate(zip(WEEKDAYS, WEEKDAY_NAMES)):
        if word in (short, full.lower()):
            return i
    raise InputError(f"weekday {word!r} is not one of {', '.join(WEEKDAYS)}")


def parse_weekdays(text: str) -> tuple[str, ...]:
    """'mon,wed' -> ('mon', 'wed'); also full names and ranges like 'mon-fri'."""
    return _weekdays(text)


def _clock(text: str, whole: str) -> time:
    match = _TIME_RE.match(text.strip())
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return time(int(match.group(1)), int(match.group(2)))
    raise InputError(f"time window must look like 10:00-13:00, not {whole!r}")


def parse_time_window(text: Any) -> tuple[time, time]:
    """'10:00-13:00' -> (time(10, 0), time(13, 0)); start before end."""
    if not isinstance(text, str) or text.replace("–", "-").count("-") != 1:
        raise InputError(f"time window must look like 10:00-13:00, not {text!r}")
    low, high = (_clock(part, text) for part in text.replace("–", "-").split("-"))
    if low >= high:
        raise InputError(f"time window {text!r} must start before it ends (it cannot cross midnight)")
    return low, high


def _date_range(value: Any) -> tuple[date, date]:
    if isinstance(value, str):
        if value.count("..") != 1:
            raise InputError(f"date range must look like 2026-12-01..2026-12-24, not {value!r}")
        value = value.split("..")
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise InputError(f"date range must be [from, to], e.g. [2026-12-01, 2026-12-24], not {value!r}")
    low, high = (_as_date(v, "date range end") for v in value)
    if low > high:
        raise InputError(f"date range {low.isoformat()}..{high.isoformat()} ends before it starts")
    return low, high


def parse_date_range(text: str) -> tuple[date, date]:
    """'2026-12-01..2026-12-24' -> (date, date), both inclusive."""
    return _date_range(text)


def parse_dates(text: Any) -> tuple[date, ...]:
    """'2026-12-01,2026-12-08' (or a list) -> sorted distinct dates."""
    items = text.split(",") if isinstance(text, str) else text
    if not isinstance(items, (list, tuple)):
        raise InputError("dates must be a list like 2026-12-01,2026-12-08")
    out = {_as_date(v, "date") for v in items if not (isinstance(v, str) and not v.strip())}
    if not out:
        raise InputError("list at least one date, e.g. 2026-12-01,2026-12-08, or remove the restriction")
    return tuple(sorted(out))
