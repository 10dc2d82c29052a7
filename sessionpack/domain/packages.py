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

from datetime import date
from collections.abc import Mapping
from decimal import Decimal

from .text import check_line, toml_shown
from ..errors import FieldError, InputError
from .expiry import NO_EXPIRY, ExpiryRule, parse_expiry_option
from .ids import check_slug
from .money import ZERO, money_text, parse_money, parse_percent
from .records import field, record, replace
from .restrictions import (  # noqa: F401  (re-exported: callers import them from here)
    RESTRICTION_PARSERS,
    WEEKDAY_NAMES,
    WEEKDAYS,
    Restrictions,
    describe_restrictions,
    parse_date_range,
    parse_dates,
    parse_time_window,
    parse_weekdays,
    restrictions_allow,
    window_text,
)
from .services import Service, check_description, check_name
from .regex import pattern

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

UNLIMITED = "unlimited"
ALL = "all"
POOL_VALUES = ("count", "minutes", "money", "unlimited")
PAYMENT_MODES = ("upfront", "per-session")
STATUSES = ("active", "inactive")
VISIBILITIES = ("listed", "hidden", "not-for-sale")
NO_SHOW_ACTIONS = ("return", "forfeit")
LATE_CANCEL_ACTIONS = ("return", "forfeit", "charge")
EXPIRY_LIMITS = ("session", "booking")
MAX_COUNT = 100_000
DEFAULT_LATE_CANCEL_HOURS = 24

CONTENTS_KEYS = ("sessions", "pool", "amount", "services")
PAYMENT_KEYS = ("mode", "price", "tax", "fees")


@record
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


@record
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


@record
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


@record
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
            services = c.services if c.services == ALL else list(c.services)
            contents = {"pool": c.value, "amount": amount, "services": services}
        if pay.mode == "upfront":
            payment: dict[str, Any] = {"mode": "upfront", "price": money_text(pay.price),
                                       "tax": money_text(pay.tax)}
        else:
            payment = {"mode": pay.mode, "fees": {sid: money_text(fee) for sid, fee in pay.fees}}
        restrictions = {
            "providers": list(r.providers), "weekdays": list(r.weekdays),
            "time_window": window_text(r.time_window, "-") if r.time_window else None,
            "date_ranges": [[lo, hi] for lo, hi in r.date_ranges], "dates": list(r.dates),
        }
        charge = money_text(pol.charge_percent) if pol.charge_percent is not None else None
        policies = {"no_show": pol.no_show, "late_cancel_hours": pol.late_cancel_hours,
                    "late_cancel": pol.late_cancel, "charge_percent": charge, "expiry_limits": pol.expiry_limits}
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
# Value parsers raise InputError with a message that reads after "key: ".


def _parse(key: str, parse: Callable[[Any], Any], value: Any) -> Any:
    """Run a value parser; its InputError becomes a FieldError at ``key``."""
    try:
        return parse(value)
    except FieldError:
        raise
    except InputError as err:
        raise FieldError(key, str(err)) from None


def _table(data: Any, key: str, allowed: Mapping[str, Any] | tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise FieldError(key, f"must be a table with keys {', '.join(allowed)}")
    for k in data:
        if k not in allowed:
            path = f"{key}.{k}" if key else str(k)
            raise FieldError(path, f"unknown key; allowed keys are {', '.join(allowed)}")
    return data


def _one_of(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if value not in choices:
            raise InputError(f"must be one of {', '.join(choices)}, not {toml_shown(value)}")
        return value
    return parse


def _whole(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InputError(f"must be a whole number from {low} to {high}, not {toml_shown(value)}")
        return value
    return parse


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InputError("must be true or false")
    return value


def _session_count(value: Any) -> int | str:
    if value == UNLIMITED:
        return UNLIMITED
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COUNT:
        raise InputError(f'must be a number of sessions from 1 to {MAX_COUNT}, or "unlimited", not {toml_shown(value)}')
    return value


def _pool_amount(value_type: str, value: Any, currency: str) -> int | Decimal:
    if value_type == "money":
        amount = parse_money(value, currency, "money amount")
        if amount <= 0:
            raise InputError("money amount must be more than 0 (it is the credit the client gets)")
        return amount
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return _whole(1, MAX_COUNT if value_type == "count" else 10_000_000)(value)


def _service_list(value: Any) -> tuple[str, ...] | str:
    if value == ALL:
        return ALL
    if not isinstance(value, (list, tuple)) or not value:
        raise InputError('list at least one service id, e.g. ["massage", "reflexology"], or write "all"')
    return tuple(dict.fromkeys(check_slug(sid, "service") for sid in value))


def _service_table(key: str, value: Any, parse: Callable[[Any], Any], example: str) -> tuple[tuple[str, Any], ...]:
    if not isinstance(value, Mapping) or not value:
        raise FieldError(key, f"list at least one service, e.g. {example}")
    for sid in value:
        _parse(f"{key}.{sid}", lambda s: check_slug(s, "service"), sid)
    return tuple((sid, _parse(f"{key}.{sid}", parse, v)) for sid, v in value.items())


def _parse_contents(raw: Any, currency: str) -> Contents:
    data = _table(raw, "contents", CONTENTS_KEYS)
    if ("sessions" in data) == ("pool" in data):
        raise FieldError("contents", "set either 'sessions' (fixed sessions per service) "
                         "or 'pool' (count, minutes, money or unlimited), not both or neither")
    if "sessions" in data:
        for extra in ("amount", "services"):
            if extra in data:
                raise FieldError(f"contents.{extra}",
                                 "only a pool has this; remove it or use 'pool' instead of 'sessions'")
        sessions = _service_table("contents.sessions", data["sessions"], _session_count, "massage = 5")
        return Contents("fixed", sessions=sessions)
    value = _parse("contents.pool", _one_of(*POOL_VALUES), data["pool"])
    amount = None
    if value == UNLIMITED and "amount" in data:
        raise FieldError("contents.amount", "an unlimited pool has no amount; remove it")
    if value != UNLIMITED:
        if "amount" not in data:
            raise FieldError("contents", f"missing 'amount' for the {value} pool, e.g. amount = 10")
        amount = _parse("contents.amount", lambda v: _pool_amount(value, v, currency), data["amount"])
    services = _parse("contents.services", _service_list, data.get("services", ALL))
    return Contents("pool", value=value, amount=amount, services=services)


def _parse_payment(raw: Any, currency: str) -> Payment:
    data = _table(raw, "payment", PAYMENT_KEYS)
    mode = _parse("payment.mode", _one_of(*PAYMENT_MODES), data.get("mode", "upfront"))
    if mode == "upfront":
        if "fees" in data:
            raise FieldError("payment.fees",
                             'fees are for per-session packages; remove them or set mode = "per-session"')
        if "price" not in data:
            raise FieldError("payment",
                             "missing 'price' (net of tax), e.g. price = \"400.00\"; use \"0\" for a free package")
        price = _parse("payment.price", lambda v: parse_money(v, currency, "price"), data["price"])
        tax = _parse("payment.tax", lambda v: parse_percent(v, "tax"), data.get("tax", 0))
        return Payment("upfront", price=price, tax=tax)
    for extra in ("price", "tax"):
        if extra in data:
            raise FieldError(f"payment.{extra}", "a per-session package has no package price or tax (each session "
                             "is billed at its fee plus the service's tax); remove it or set mode = \"upfront\"")
    if "fees" not in data:
        raise FieldError("payment", "missing [payment.fees]: the fee per session for each included service, "
                         'e.g. massage = "70.00"')
    fees = _service_table("payment.fees", data["fees"], lambda v: parse_money(v, currency, "fee"),
                          'massage = "70.00"')
    return Payment("per-session", fees=fees)


POLICY_PARSERS: dict[str, Callable[[Any], Any]] = {
    "no_show": _one_of(*NO_SHOW_ACTIONS), "late_cancel_hours": _whole(0, 8760),
    "late_cancel": _one_of(*LATE_CANCEL_ACTIONS), "charge_percent": lambda v: parse_percent(v, "charge_percent"),
    "expiry_limits": _one_of(*EXPIRY_LIMITS),
}


def _parse_policies(raw: Any) -> Policies:
    data = _table(raw, "policies", POLICY_PARSERS)
    policies = Policies(**{k: _parse(f"policies.{k}", POLICY_PARSERS[k], v) for k, v in data.items()})
    if policies.late_cancel == "charge" and policies.charge_percent is None:
        raise FieldError("policies", "missing 'charge_percent': the share of the service price a late "
                         "cancel keeps, e.g. charge_percent = 50")
    if policies.late_cancel != "charge" and policies.charge_percent is not None:
        raise FieldError("policies.charge_percent", 'used only with late_cancel = "charge"; remove it or set '
                         'late_cancel = "charge"')
    return policies


def _category(value: Any) -> str:
    return check_line(value, "category", 100, empty=True)


# The text of a package, as typed and as its catalog file holds it: every
# package is checked by them before it is written (``check_package``), so a
# command never writes a file that reading it would refuse.
TEXT_PARSERS: dict[str, Callable[[Any], str]] = {"name": check_name, "description": check_description,
                                                 "category": _category}


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
    parsers: dict[str, Callable[[Any], Any]] = {
        **TEXT_PARSERS, "order": _whole(-1_000_000, 1_000_000),
        "status": _one_of(*STATUSES), "visibility": _one_of(*VISIBILITIES), "deleted": _boolean,
        "expiry": parse_expiry_option,
        "contents": lambda v: _parse_contents(v, currency),
        "payment": lambda v: _parse_payment(v, currency),
        "restrictions": lambda v: Restrictions(**{
            k: _parse(f"restrictions.{k}", RESTRICTION_PARSERS[k], x)
            for k, x in _table(v, "restrictions", RESTRICTION_PARSERS).items()}),
        "policies": _parse_policies,
    }
    _table(data, "", parsers)
    for key, example in (("name", 'name = "5 massages"'), ("contents", "a [contents] table with sessions or pool"),
                         ("payment", 'a [payment] table with price = "400.00"')):
        if key not in data:
            raise FieldError("", f"missing required key '{key}'; add {example}")
    values = {key: _parse(key, parsers[key], value) for key, value in data.items()}
    return check_package(Package(id=package_id, currency=currency, **values), services)


def package_from_terms(terms: Mapping[str, Any]) -> Package:
    """The inverse of ``Package.terms()``."""
    if not isinstance(terms, Mapping) or "id" not in terms or "currency" not in terms:
        raise FieldError("", "package terms need 'id' and 'currency'")
    rest = {k: v for k, v in terms.items() if k not in ("id", "currency")}
    return package_from_mapping(terms["id"], rest, terms["currency"])


def _unknown_service(key: str, sid: str) -> FieldError:
    return FieldError(key, f"unknown service '{sid}'; add it with 'sessionpack service add {sid} ...' "
                      "or fix the name")


def deleted_service(package: Package, services: Mapping[str, Service]) -> tuple[str, str] | None:
    """(catalog key, service id) of the first service ``package`` names that
    was deleted, or None. A deleted service is never put in a package (rule
    27), whether by a command or by hand; a deleted package may keep naming
    one (the service was deleted after it)."""
    included = package.contents.service_ids
    if package.deleted or included == ALL:
        return None
    for sid in included:
        service = services.get(sid)
        if service is not None and service.deleted:
            return (f"contents.sessions.{sid}" if package.contents.kind == "fixed" else "contents.services"), sid
    return None


def deleted_service_text(service_id: str) -> str:
    return f"service '{service_id}' was deleted and cannot be in a package"


def check_package(package: Package, services: Mapping[str, Service] | None = None) -> Package:
    """Checks across terms; returns ``package`` or raises FieldError.

    The CLI calls this on a Package it built from options; the key in the
    error is the catalog key, and ``err.message`` reads well on its own.
    Its text (name, description, category) is checked by the rules its
    catalog file is read with (``TEXT_PARSERS``).
    With ``services``, every service named must be there and not deleted.
    """
    for key, parse in TEXT_PARSERS.items():
        _parse(key, parse, getattr(package, key))
    c, pay, pol = package.contents, package.payment, package.policies
    included = c.service_ids
    if not included:
        raise FieldError("contents", "include at least one service (fixed sessions or a pool)")
    if services is not None:
        if c.kind == "fixed":
            for sid in included:
                if sid not in services:
                    raise _unknown_service(f"contents.sessions.{sid}", sid)
        elif included != ALL:
            for sid in included:
                if sid not in services:
                    raise _unknown_service("contents.services", sid)
        deleted = deleted_service(package, services)
        if deleted is not None:
            raise FieldError(deleted[0], deleted_service_text(deleted[1]))
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
                raise FieldError("payment.fees", f"no fee for '{sid}'; add {sid} = \"70.00\" "
                                 "(its fee per session) under [payment.fees]")
    if pol.late_cancel == "charge" and not (c.kind == "pool" and c.value == "money"):
        raise FieldError("policies.late_cancel", 'charging a percentage works only for money pools; '
                         'use "return" or "forfeit"')
    return package


# ---------------------------------------------------------------- using


def includes_service(package: Package, service_id: str) -> bool:
    included = package.contents.service_ids
    return included == ALL or service_id in included


def packages_including(packages: Mapping[str, Package], service_id: str) -> list[str]:
    """The ids of the catalog packages that include ``service_id`` (a pool of
    every service does), sorted; a deleted package is left out: it can be
    neither sold, edited nor deactivated."""
    return sorted(pid for pid, package in packages.items() if not package.deleted and includes_service(package, service_id))


def restriction_count(package: Package) -> int:
    """How restrictive a package is, for breaking ties between packages.

    One point per kind of restriction set (providers, weekdays, time window,
    dates), plus one when it covers a fixed set of services rather than all.
    """
    r = package.restrictions
    count = sum(1 for set_ in (r.providers, r.weekdays, r.time_window, r.date_ranges or r.dates) if set_)
    return count + (0 if package.contents.service_ids == ALL else 1)


# ---------------------------------------------------------------- words


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
    lines.extend(describe_restrictions(package.restrictions))
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


_PAIR_RE = pattern(r"^\s*([^=\s]+)\s*=\s*(\S+)\s*$")


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
