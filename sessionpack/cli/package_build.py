"""Turning package options (or --from-json) into a Package.

Options are parsed into a ``Given`` (only what was typed), then laid over a
base package (nothing for ``create``, the package itself for ``edit``, or the
JSON of ``--from-json``) by ``build``. Errors name the option to fix.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, Mapping

from ..domain.records import replace
from ..errors import FieldError, InputError


# ---------------------------------------------------------------- parsing options


@dataclass
class Given:
    """What the options said; None (or absent) means "not given"."""

    name: str | None = None
    sessions: tuple | None = None
    pool: tuple | None = None
    services: Any = None
    mode: str | None = None
    price: Decimal | None = None
    tax: Decimal | None = None
    fees: tuple | None = None
    expiry: Any = None
    restrictions: dict[str, Any] = field(default_factory=dict)
    clear_all: bool = False
    policies: dict[str, Any] = field(default_factory=dict)
    status: str | None = None
    visibility: str | None = None
    category: str | None = None
    order: int | None = None
    description: str | None = None


def _opt(option: str, parse: Callable[..., Any], *args: Any) -> Any:
    """Run a domain parser; its message is prefixed with the option at fault."""
    try:
        return parse(*args)
    except InputError as err:
        message = getattr(err, "message", str(err)).replace("or remove the restriction", "or leave the option out")
        raise InputError(message if message.startswith(option) else f"{option}: {message}") from None


def _pairs(option: str, items: list[str], parse: Callable[[str], tuple]) -> tuple:
    pairs = [_opt(option, parse, item) for item in items]
    seen: set[str] = set()
    for sid, _ in pairs:
        if sid in seen:
            raise InputError(f"{option} {sid} is given twice; give each service once")
        seen.add(sid)
    return tuple(pairs)


def _both(a: str, b: str) -> InputError:
    return InputError(f"use either {a} or {b}, not both")


def parse_given(currency: str, o: dict[str, Any]) -> Given:
    """Parse every given option (pure); conflicts between options are refused."""
    from ..domain import packages as pk
    from ..domain.expiry import parse_expiry_option
    from ..domain.ids import check_slug
    from ..domain.money import parse_money, parse_percent
    from ..domain.services import check_name, check_providers

    g = Given()
    if o.get("name") is not None:
        g.name = _opt("--name", check_name, o["name"])
    if o.get("service") and o.get("pool") is not None:
        raise InputError("use either --service (fixed sessions per service) or --pool (one balance), not both")
    if o.get("service"):
        g.sessions = _pairs("--service", o["service"], pk.parse_service_option)
    if o.get("pool") is not None:
        g.pool = _opt("--pool", pk.parse_pool_option, o["pool"], currency)
    if o.get("services") is not None:
        text = o["services"].strip().lower()
        items = [s.strip() for s in o["services"].split(",") if s.strip()]
        if text == pk.ALL:
            g.services = pk.ALL
        elif not items:
            raise InputError("--services: list at least one service id, e.g. massage,thai, or write all")
        else:
            g.services = tuple(dict.fromkeys(_opt("--services", check_slug, s, "service") for s in items))
    if o.get("upfront") and o.get("per_session"):
        raise _both("--upfront", "--per-session")
    g.mode = "upfront" if o.get("upfront") else "per-session" if o.get("per_session") else None
    if o.get("price") is not None:
        g.price = _opt("--price", parse_money, o["price"], currency, "--price")
    if o.get("tax") is not None:
        g.tax = _opt("--tax", parse_percent, o["tax"], "--tax")
    if o.get("fee"):
        g.fees = _pairs("--fee", o["fee"], lambda t: pk.parse_fee_option(t, currency))
    if g.mode == "per-session" and (g.price is not None or g.tax is not None):
        raise InputError("a per-session package has no package price or tax (each session is billed at its "
                         "--fee plus the service's tax); drop --price and --tax, or use --upfront")
    if g.mode == "upfront" and g.fees:
        raise InputError("--fee is for per-session packages; drop --fee, or use --per-session")
    if o.get("expires") is not None:
        g.expiry = _opt("--expires", parse_expiry_option, o["expires"])
    restriction_options = (
        ("provider", "providers", check_providers),
        ("weekdays", "weekdays", pk.parse_weekdays),
        ("time", "time_window", pk.parse_time_window),
        ("between", "date_ranges", lambda v: tuple(sorted({pk.parse_date_range(x) for x in v}))),
        ("dates", "dates", lambda v: pk.parse_dates(",".join(v))),
    )
    clear = {c.value if isinstance(c, Enum) else c for c in (o.get("clear") or [])}
    g.clear_all = "restrictions" in clear
    for option, key, parse in restriction_options:
        value = o.get(option)
        if value is not None and value != []:
            if option in clear or g.clear_all:
                raise InputError(f"--clear {option if option in clear else 'restrictions'} and --{option} "
                                 f"together: give one of them")
            if option == "provider" and not [p for p in value if p.strip()]:
                raise InputError("--provider: give a provider's name, or leave the option out")
            g.restrictions[key] = _opt(f"--{option}", parse, value)
        elif option in clear:
            g.restrictions[key] = None if key == "time_window" else ()
    policy_values = {
        "no_show": o.get("no_show"), "late_cancel": o.get("late_cancel"), "expiry_limits": o.get("expiry_limits"),
    }
    for key, value in policy_values.items():
        if value is not None:
            g.policies[key] = value.value if isinstance(value, Enum) else value
    hours = o.get("late_cancel_hours")
    if hours is not None:
        if not 0 <= hours <= 8760:
            raise InputError(f"--late-cancel-hours must be from 0 to 8760 (one year), not {hours}")
        g.policies["late_cancel_hours"] = hours
    if o.get("charge_percent") is not None:
        if g.policies.get("late_cancel", "charge") != "charge":
            raise InputError("--charge-percent goes with --late-cancel charge; drop one of them")
        g.policies["charge_percent"] = _opt("--charge-percent", parse_percent, o["charge_percent"], "--charge-percent")
    if o.get("active") and o.get("inactive"):
        raise _both("--active", "--inactive")
    g.status = "active" if o.get("active") else "inactive" if o.get("inactive") else None
    if o.get("visibility") is not None:
        g.visibility = o["visibility"].value if isinstance(o["visibility"], Enum) else o["visibility"]
    if o.get("category") is not None:
        g.category = _opt("--category", check_name, o["category"], "category") if o["category"].strip() else ""
    if o.get("order") is not None:
        if not -1_000_000 <= o["order"] <= 1_000_000:
            raise InputError(f"--order must be from -1000000 to 1000000, not {o['order']}")
        g.order = o["order"]
    if o.get("description") is not None:
        g.description = o["description"].strip()
    return g


# ---------------------------------------------------------------- building a package


def default_policies(settings_policies: Mapping[str, Any], money_pool: bool) -> dict[str, Any]:
    """settings.toml [policies] as a package's policies.

    A "charge" default applies to money pools only; other packages forfeit.
    """
    policies = {k: settings_policies[k] for k in ("no_show", "late_cancel_hours", "late_cancel", "expiry_limits")}
    if policies["late_cancel"] == "charge" and not money_pool:
        policies["late_cancel"] = "forfeit"
    return policies


def _contents(pid: str, g: Given, base: Any) -> Any:
    from ..domain.packages import Contents

    if g.sessions is not None:
        if g.services is not None:
            raise InputError("--services goes with --pool; with --service each service is named already")
        return Contents("fixed", sessions=g.sessions)
    if g.pool is not None:
        value, amount = g.pool
        services = g.services
        if services is None and base is not None and base.contents.kind == "pool":
            services = base.contents.services
        return Contents("pool", value=value, amount=amount, services=services)  # None: decided with payment
    if g.services is not None:
        if base is None:
            raise InputError("--services goes with --pool, e.g. --pool count=10 --services massage,thai")
        if base.contents.kind != "pool":
            raise InputError(f"package {pid} has fixed sessions per service; --services goes with a pool: "
                             "give --pool too")
        return replace(base.contents, services=g.services)
    if base is None:
        raise InputError("give the contents: --service SERVICE=N (repeatable) for fixed sessions, or "
                         "--pool count=10|minutes=180|money=300|unlimited for one balance")
    return base.contents


def _payment(pid: str, g: Given, base: Any, contents: Any) -> tuple[Any, Any]:
    """The payment, and the contents with a pool's services settled."""
    from ..domain.packages import ALL, Payment

    was = base.payment if base is not None else None
    mode = g.mode or (was.mode if was is not None else "upfront")
    money = contents.kind == "pool" and contents.value == "money"
    if mode == "upfront":
        if g.fees:
            raise InputError(f"package {pid} is paid upfront; --fee is for per-session packages: add --per-session")
        if contents.kind == "pool" and contents.services is None:
            contents = replace(contents, services=ALL)
        price = g.price if g.price is not None else was.price if was is not None and was.mode == "upfront" else None
        if price is None:
            raise InputError("give --price (the package price, net of tax; 0 for a free package), "
                             "or --per-session with a --fee for each service")
        tax = g.tax if g.tax is not None else was.tax if was is not None and was.mode == "upfront" else Decimal(0)
        return Payment("upfront", price=price, tax=tax), contents
    if money:
        fix = "use --price instead of --per-session" if g.mode else "add --upfront and --price"
        raise InputError(f"a money pool is paid upfront (its amount is the credit the client gets): {fix}")
    if g.mode is None and (g.price is not None or g.tax is not None):
        raise InputError(f"package {pid} is paid per session; add --upfront to give it a --price")
    given_fees = dict(g.fees or ())
    if contents.kind == "pool" and contents.services is None:
        contents = replace(contents, services=tuple(given_fees) or ALL)
    included = contents.service_ids
    if included == ALL:
        raise InputError("a per-session package needs its services listed, each with a fee: "
                         "add --services a,b and a --fee for each")
    for sid in given_fees:
        if sid not in included:
            raise InputError(f"--fee {sid}: '{sid}' is not in this package's contents; "
                             "drop the fee or include the service")
    fees = dict(was.fees) if was is not None and was.mode == "per-session" else {}
    fees.update(given_fees)
    for sid in included:
        if sid not in fees:
            raise InputError(f"no fee for '{sid}'; add --fee {sid}=AMOUNT (its fee per session, net of tax)")
    return Payment("per-session", fees=tuple((sid, fees[sid]) for sid in included)), contents


def _policies(g: Given, base: Any, contents: Any, settings_policies: Mapping[str, Any] | None) -> Any:
    from ..domain.packages import Policies

    money = contents.kind == "pool" and contents.value == "money"
    if base is not None:
        policies = base.policies
    else:
        policies = Policies(**default_policies(settings_policies or {}, money))
    changes = dict(g.policies)
    if "late_cancel" in changes and changes["late_cancel"] != "charge":
        changes["charge_percent"] = None
    late = changes.get("late_cancel", policies.late_cancel)
    if late != "charge" and "charge_percent" in g.policies:
        raise InputError("--charge-percent goes with --late-cancel charge; drop one of them")
    if late == "charge":
        if not money:
            raise InputError("--late-cancel charge works only for money pools; use --late-cancel return or forfeit")
        if changes.get("charge_percent", policies.charge_percent) is None:
            if "late_cancel" in g.policies:
                raise InputError("--late-cancel charge needs --charge-percent N "
                                 "(the share of the service price a late cancel keeps)")
            raise InputError('settings.toml [policies] sets late_cancel = "charge": give --charge-percent N, '
                             "or --late-cancel return|forfeit")
    return replace(policies, **changes)


def build(pid: str, currency: str, g: Given, base: Any = None,
          settings_policies: Mapping[str, Any] | None = None) -> Any:
    """The package ``g`` describes, laid over ``base`` (pure; raises InputError)."""
    from ..domain.expiry import NO_EXPIRY
    from ..domain.packages import Package, Restrictions, check_package

    contents = _contents(pid, g, base)
    payment, contents = _payment(pid, g, base, contents)
    restrictions = Restrictions() if base is None or g.clear_all else base.restrictions
    restrictions = replace(restrictions, **g.restrictions)
    name = g.name if g.name is not None else base.name if base is not None else None
    if name is None:
        raise InputError("give --name (the name shown to people)")

    def pick(given: Any, attr: str, default: Any) -> Any:
        return given if given is not None else getattr(base, attr) if base is not None else default

    package = Package(
        id=pid, name=name, currency=currency, contents=contents, payment=payment,
        expiry=pick(g.expiry, "expiry", NO_EXPIRY), restrictions=restrictions,
        policies=_policies(g, base, contents, settings_policies),
        description=pick(g.description, "description", ""), category=pick(g.category, "category", ""),
        order=pick(g.order, "order", 0), status=pick(g.status, "status", "active"),
        visibility=pick(g.visibility, "visibility", "listed"), deleted=base.deleted if base is not None else False,
    )
    try:
        return check_package(package)
    except FieldError as err:  # a combination the checks above missed
        raise InputError(err.message) from None


def package_from_json(text: str, pid: str, currency: str, settings_policies: Mapping[str, Any]) -> Any:
    """A package from the JSON of ``package show --format json`` (its id is ignored).

    Policies it leaves out come from settings.toml; a new package is never deleted.
    """
    from ..domain.packages import package_from_mapping

    hint = "give one package as printed by 'sessionpack package show ID --format json'"
    try:
        data = json.loads(text)
    except ValueError as err:
        raise InputError(f"--from-json: not valid JSON ({err}); {hint}") from None
    except RecursionError:  # (json reads nesting with the interpreter's stack)
        raise InputError("--from-json: nests objects or arrays too deeply to be read; flatten it "
                         "(a package is a few levels deep)") from None
    if not isinstance(data, dict):
        raise InputError(f"--from-json: expected one JSON object; {hint}")
    data = dict(data)
    data.pop("id", None)
    data.pop("deleted", None)
    theirs = data.pop("currency", currency)
    if theirs != currency:
        raise InputError(f"--from-json: the package is in {theirs!r} but this practice uses {currency}; "
                         "convert its amounts and set \"currency\" to match")
    contents = data.get("contents")
    money = isinstance(contents, dict) and contents.get("pool") == "money"
    if "policies" not in data or isinstance(data["policies"], dict):
        data["policies"] = {**default_policies(settings_policies, money), **data.get("policies", {})}
    try:
        return package_from_mapping(pid, data, currency)
    except FieldError as err:
        raise InputError(f"--from-json: {err}") from None


def _read_json_source(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        with open(os.path.expanduser(source), encoding="utf-8") as handle:
            return handle.read()
    except OSError as err:
        raise InputError(f"--from-json: cannot read {source}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"--from-json: {source} is not UTF-8 text") from None
