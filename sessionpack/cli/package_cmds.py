"""package ...: the offers (templates) a practice sells (catalog in packages/ID.toml).

Options are parsed into a ``Given`` (only what was typed), then laid over a
base package (nothing for ``create``, the package itself for ``edit``, or the
JSON of ``--from-json``) by ``build``. Errors name the option to fix, so they
read differently from the catalog's, which name the TOML key.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, List, Mapping, Optional

import typer

from ..errors import FieldError, InputError, RuleError
from .app import app, boundary, store
from .output import Format, emit, say, warn, write_json

package_app = typer.Typer(
    help="Packages: the offers clients buy (contents, price, expiry, restrictions, policies).",
    epilog=(
        "\b\nExamples:\n"
        "  sessionpack package create five-massages --name \"5 massages\" --service massage=5 --price 400\n"
        "  sessionpack package create ten --name \"10 sessions\" --pool count=10 --services massage,thai "
        "--price 700 --expires \"2 months from first use\"\n"
        "  sessionpack package list --all"
    ),
    no_args_is_help=True,
)
app.add_typer(package_app, name="package")

PACKAGE_COLUMNS = ["id", "name", "category", "contents", "price", "expiry", "status", "visibility"]


class Visibility(str, Enum):
    listed = "listed"
    hidden = "hidden"
    not_for_sale = "not-for-sale"


class NoShow(str, Enum):
    return_ = "return"
    forfeit = "forfeit"


class LateCancel(str, Enum):
    return_ = "return"
    forfeit = "forfeit"
    charge = "charge"


class ExpiryLimits(str, Enum):
    session = "session"
    booking = "booking"


class Clearable(str, Enum):
    provider = "provider"
    weekdays = "weekdays"
    time = "time"
    between = "between"
    dates = "dates"
    restrictions = "restrictions"


# Options shared by create and edit (edit: every one optional).
ID_ARG = typer.Argument(..., metavar="ID", help="Slug: lower-case letters, digits, hyphens.")
NAME = typer.Option(None, "--name", metavar="TEXT", help="Name shown to people.")
SERVICE = typer.Option(None, "--service", metavar="SERVICE=N",
                       help="Fixed contents: N sessions (or 'unlimited') of SERVICE; repeat for each service.")
POOL = typer.Option(None, "--pool", metavar="VALUE",
                    help="Pool contents, one balance: count=10, minutes=180, money=300 or unlimited.")
SERVICES = typer.Option(None, "--services", metavar="A,B",
                        help="With --pool: the services it can be spent on (default: all).")
PRICE = typer.Option(None, "--price", metavar="AMOUNT", help="Upfront price, net of tax (0 for a free package).")
TAX = typer.Option(None, "--tax", metavar="PERCENT", help="Tax rate in percent on the upfront price (default 0).")
UPFRONT = typer.Option(False, "--upfront", help="Paid upfront: price plus tax invoiced at sale (the default).")
PER_SESSION = typer.Option(False, "--per-session",
                           help="Nothing upfront: each session is billed at its --fee plus the service's tax.")
FEE = typer.Option(None, "--fee", metavar="SERVICE=AMOUNT",
                   help="With --per-session: the fee per session, net of tax, for each included service.")
EXPIRES = typer.Option(None, "--expires", metavar="TEXT",
                       help="'none', '3 months' (from purchase), '10 weeks from purchase', "
                            "'2 months from first use' or 'on 2027-06-30'.")
PROVIDER = typer.Option(None, "--provider", metavar="NAME", help="Only with this provider; repeatable.")
WEEKDAYS = typer.Option(None, "--weekdays", metavar="DAYS", help="Only on these days, e.g. mon,wed or mon-fri.")
TIME = typer.Option(None, "--time", metavar="HH:MM-HH:MM",
                    help="Only sessions that fit in this time of day, e.g. 10:00-13:00.")
BETWEEN = typer.Option(None, "--between", metavar="FROM..TO",
                       help="Only on dates in this range, e.g. 2026-12-01..2026-12-24; repeatable.")
DATES = typer.Option(None, "--dates", metavar="D1,D2",
                     help="Only on these dates, e.g. 2026-12-01,2026-12-08 (with --between: either).")
NO_SHOW = typer.Option(None, "--no-show", help="What a no-show does (default: settings.toml [policies]).")
LATE_HOURS = typer.Option(None, "--late-cancel-hours", metavar="N",
                          help="A cancel less than N hours before the start is late (0: never late).")
LATE = typer.Option(None, "--late-cancel", help="What a late cancel does; charge: money pools only.")
CHARGE = typer.Option(None, "--charge-percent", metavar="N",
                      help="With --late-cancel charge: the share of the service price a late cancel keeps.")
LIMITS = typer.Option(None, "--expiry-limits",
                      help="session: sessions must take place by the expiry date; booking: be booked by it.")
INACTIVE = typer.Option(False, "--inactive", help="Not sold now (it can be activated later).")
VISIBILITY = typer.Option(None, "--visibility", help="listed, hidden (not listed) or not-for-sale (assign only).")
CATEGORY = typer.Option(None, "--category", metavar="TEXT", help="Group heading in lists.")
ORDER = typer.Option(None, "--order", metavar="N", help="Display order in lists, lower first (default 0).")
DESCRIPTION = typer.Option(None, "--description", metavar="TEXT", help="Free text for clients.")
FROM_JSON = typer.Option(None, "--from-json", metavar="FILE|-",
                         help="Start from the JSON 'package show ID --format json' prints; options override it.")
FORMAT = typer.Option(Format.table, "--format", help="Output format.")


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


# ---------------------------------------------------------------- store helpers


def _services(opened) -> dict:  # type: ignore[no-untyped-def]
    from ..storage.catalog import load_services

    return load_services(opened.root, opened.settings.currency)


def _existing(opened, package_id: str, services: dict):  # type: ignore[no-untyped-def]
    from ..domain.ids import check_slug
    from ..storage.catalog import load_package

    check_slug(package_id, "package")
    package = load_package(opened.root, opened.settings.currency, package_id, services)
    if package is None:
        raise InputError(f"no package {package_id!r}; see 'sessionpack package list --all'")
    return package


def _refuse_taken(opened, package_id: str) -> None:  # type: ignore[no-untyped-def]
    from ..storage import layout
    from ..storage.tomlfile import read_toml

    path = layout.package_path(opened.root, package_id)
    if os.path.exists(path):
        data, _ = read_toml(path, f"{layout.PACKAGES}/{package_id}.toml")
        if data.get("deleted") is True:
            raise RuleError(f"package {package_id!r} exists (deleted; its id stays taken); choose another id")
        raise RuleError(f"package {package_id!r} already exists; change it with "
                        f"'sessionpack package edit {package_id}' or choose another id")


def _check_services(package, services: dict) -> list[str]:  # type: ignore[no-untyped-def]
    """Refuse unknown services; return warnings about inactive ones."""
    from ..domain.packages import ALL, check_package

    try:
        check_package(package, services)
    except FieldError as err:
        raise InputError(err.message) from None
    included = package.contents.service_ids
    return [
        f"service {sid} is inactive: {package.id} cannot be used for it until you run "
        f"'sessionpack service edit {sid} --activate'"
        for sid in ([] if included == ALL else included) if not services[sid].active
    ]


def _times_sold(opened, package_id: str) -> int:  # type: ignore[no-untyped-def]
    return int(opened.load_sold().get("packages", {}).get(package_id, 0))


def _times(count: int) -> str:
    return f"{count} time{'' if count == 1 else 's'}"


# ---------------------------------------------------------------- rendering


def _price_text(package) -> str:  # type: ignore[no-untyped-def]
    from ..domain.money import money_text

    pay = package.payment
    if pay.mode == "per-session":
        return "per session: " + ", ".join(f"{sid} {money_text(fee)}" for sid, fee in pay.fees)
    return money_text(pay.price) + (f" + {money_text(pay.tax)}% tax" if pay.tax else "")


def package_row(package) -> dict:  # type: ignore[no-untyped-def]
    from ..domain.packages import describe

    return {
        "id": package.id, "name": package.name, "category": package.category,
        "contents": describe(package)[0], "price": _price_text(package), "expiry": package.expiry.text(),
        "status": "deleted" if package.deleted else package.status, "visibility": package.visibility,
    }


def in_display_order(packages: list) -> list:
    """Grouped by category, uncategorized last; categories by their lowest
    display order, then name; inside a category by display order, then id."""
    groups: dict[str, list] = {}
    for package in packages:
        groups.setdefault(package.category, []).append(package)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", min(p.order for p in kv[1]), kv[0]))
    return [p for _, members in ordered for p in sorted(members, key=lambda p: (p.order, p.id))]


def _render(fmt: Format, package, message: str) -> None:  # type: ignore[no-untyped-def]
    if fmt is Format.table:
        say(message)
    elif fmt is Format.json:
        write_json(package.terms())
    else:
        emit(fmt, PACKAGE_COLUMNS, [package_row(package)])


def _show_lines(package, services: dict, sold: int) -> list[str]:  # type: ignore[no-untyped-def]
    from ..domain.packages import describe

    lines = [f"{package.name} ({package.id})"]
    if package.category or package.order:
        lines.append(", ".join(part for part in (
            f"category {package.category}" if package.category else "",
            f"display order {package.order}" if package.order else "") if part))
    if package.description:
        lines.append(package.description)
    lines.extend(describe(package, services))
    lines.append(f"sold {_times(sold)}" if sold else "not sold yet")
    return lines


# ---------------------------------------------------------------- commands


@package_app.command("create")
@boundary
def package_create(
    package_id: str = ID_ARG,
    name: Optional[str] = NAME,
    service: Optional[List[str]] = SERVICE,
    pool: Optional[str] = POOL,
    services: Optional[str] = SERVICES,
    price: Optional[str] = PRICE,
    tax: Optional[str] = TAX,
    upfront: bool = UPFRONT,
    per_session: bool = PER_SESSION,
    fee: Optional[List[str]] = FEE,
    expires: Optional[str] = EXPIRES,
    provider: Optional[List[str]] = PROVIDER,
    weekdays: Optional[str] = WEEKDAYS,
    time: Optional[str] = TIME,
    between: Optional[List[str]] = BETWEEN,
    dates: Optional[List[str]] = DATES,
    no_show: Optional[NoShow] = NO_SHOW,
    late_cancel_hours: Optional[int] = LATE_HOURS,
    late_cancel: Optional[LateCancel] = LATE,
    charge_percent: Optional[str] = CHARGE,
    expiry_limits: Optional[ExpiryLimits] = LIMITS,
    inactive: bool = INACTIVE,
    visibility: Optional[Visibility] = VISIBILITY,
    category: Optional[str] = CATEGORY,
    order: Optional[int] = ORDER,
    description: Optional[str] = DESCRIPTION,
    from_json: Optional[str] = FROM_JSON,
    fmt: Format = FORMAT,
) -> None:
    """Create a package: contents, price, expiry, restrictions, policies.

    Policies not given come from settings.toml [policies].

    \b
    Examples:
      sessionpack package create five-massages --name "5 massages" --service massage=5 --price 400
      sessionpack package create sampler --name "Sampler" --service massage=1 --service thai=2 --price 250 --tax 23
      sessionpack package create ten --name "10 sessions" --pool count=10 --services massage,thai \\
          --price 700 --expires "2 months from first use" --weekdays mon,wed --time 10:00-13:00
      sessionpack package create credit --name "300 credit" --pool money=300 --price 270 --expires "on 2027-06-30"
      sessionpack package show ten --format json | sessionpack package create ten-b --from-json - --name "10 (B)"
    """
    options = dict(locals())  # every option, before anything else is defined
    from ..domain.ids import check_slug
    from ..storage.catalog import save_package

    opened = store()
    currency = opened.settings.currency
    check_slug(package_id, "package")
    given = parse_given(currency, options)
    base = None
    if from_json is not None:
        base = package_from_json(_read_json_source(from_json), package_id, currency, opened.settings.policies)
    package = build(package_id, currency, given, base, opened.settings.policies)
    with opened.writing():
        _refuse_taken(opened, package_id)
        warnings = _check_services(package, _services(opened))
        save_package(opened.root, package)
    _render(fmt, package, f"Created package {package_id}")
    for text in warnings:
        warn(text)


@package_app.command("clone")
@boundary
def package_clone(
    source_id: str = typer.Argument(..., metavar="SRC", help="The package to copy (it may be deleted)."),
    new_id: str = typer.Argument(..., metavar="NEW", help="The new package's id."),
    name: Optional[str] = typer.Option(None, "--name", metavar="TEXT", help="Name of the copy (default: the same name)."),
    fmt: Format = FORMAT,
) -> None:
    """Copy a package under a new id; the two are independent from then on.

    Every term is copied (status included); a deleted source gives a copy that is not deleted.

    \b
    Example:
      sessionpack package clone five-massages ten-massages --name "10 massages"
      sessionpack package edit ten-massages --service massage=10 --price 750
    """
    from ..domain.ids import check_slug
    from ..domain.services import check_name
    from ..storage.catalog import save_package

    opened = store()
    check_slug(source_id, "package")
    check_slug(new_id, "package")
    new_name = _opt("--name", check_name, name) if name is not None else None
    with opened.writing():
        services = _services(opened)
        source = _existing(opened, source_id, services)
        _refuse_taken(opened, new_id)
        package = source.with_changes(id=new_id, name=new_name or source.name, deleted=False)
        warnings = _check_services(package, services)
        save_package(opened.root, package)
    _render(fmt, package, f"Cloned package {source_id} as {new_id}")
    for text in warnings:
        warn(text)


@package_app.command("edit")
@boundary
def package_edit(
    package_id: str = typer.Argument(..., metavar="ID"),
    name: Optional[str] = NAME,
    service: Optional[List[str]] = typer.Option(None, "--service", metavar="SERVICE=N",
                                                help="Replace the contents with fixed sessions; repeatable."),
    pool: Optional[str] = typer.Option(None, "--pool", metavar="VALUE",
                                       help="Replace the contents with a pool (keeps a pool's services)."),
    services: Optional[str] = SERVICES,
    price: Optional[str] = PRICE,
    tax: Optional[str] = TAX,
    upfront: bool = typer.Option(False, "--upfront", help="Switch to upfront payment (give --price)."),
    per_session: bool = typer.Option(False, "--per-session", help="Switch to per-session fees (give --fee)."),
    fee: Optional[List[str]] = typer.Option(None, "--fee", metavar="SERVICE=AMOUNT",
                                            help="Set the per-session fee of a service; repeatable."),
    expires: Optional[str] = EXPIRES,
    provider: Optional[List[str]] = typer.Option(None, "--provider", metavar="NAME", help="Replace the providers; repeatable."),
    weekdays: Optional[str] = WEEKDAYS,
    time: Optional[str] = TIME,
    between: Optional[List[str]] = typer.Option(None, "--between", metavar="FROM..TO",
                                                help="Replace the date ranges; repeatable."),
    dates: Optional[List[str]] = DATES,
    clear: Optional[List[Clearable]] = typer.Option(None, "--clear",
                                                    help="Remove a restriction (or all of them); repeatable."),
    no_show: Optional[NoShow] = NO_SHOW,
    late_cancel_hours: Optional[int] = LATE_HOURS,
    late_cancel: Optional[LateCancel] = LATE,
    charge_percent: Optional[str] = CHARGE,
    expiry_limits: Optional[ExpiryLimits] = LIMITS,
    active: bool = typer.Option(False, "--active", help="Sell it again."),
    inactive: bool = typer.Option(False, "--inactive", help="Stop selling it (same as 'package deactivate')."),
    visibility: Optional[Visibility] = VISIBILITY,
    category: Optional[str] = typer.Option(None, "--category", metavar="TEXT", help="Group heading in lists ('' for none)."),
    order: Optional[int] = ORDER,
    description: Optional[str] = DESCRIPTION,
    from_json: Optional[str] = typer.Option(None, "--from-json", metavar="FILE|-",
                                            help="Replace every term with this JSON; options override it."),
    fmt: Format = FORMAT,
) -> None:
    """Change a package. Only new sales get the change: clients who bought it keep their terms.

    Contents and payment change only when given; other terms keep their values.

    \b
    Examples:
      sessionpack package edit five-massages --price 420 --expires "6 months"
      sessionpack package edit ten --weekdays mon-fri --clear time
    """
    options = dict(locals())  # every option, before anything else is defined
    from ..domain.ids import check_slug
    from ..storage.catalog import save_package

    opened = store()
    currency = opened.settings.currency
    check_slug(package_id, "package")
    given = parse_given(currency, options)
    json_base = None
    if from_json is not None:
        json_base = package_from_json(_read_json_source(from_json), package_id, currency, opened.settings.policies)
    with opened.writing():
        services = _services(opened)
        current = _existing(opened, package_id, services)
        if current.deleted:
            raise RuleError(f"package {package_id!r} is deleted and cannot be edited; copy it with "
                            f"'sessionpack package clone {package_id} NEW'")
        package = build(package_id, currency, given, json_base or current)
        if package == current:
            raise RuleError(f"nothing to change for package {package_id}: give at least one new value")
        warnings = _check_services(package, services)
        save_package(opened.root, package)
        sold = _times_sold(opened, package_id)
    _render(fmt, package, f"Changed package {package_id}")
    if sold:
        warn(f"package {package_id} has been sold {_times(sold)}: the change applies to new sales only; "
             "clients who bought it keep the terms they bought")
    for text in warnings:
        warn(text)


@package_app.command("list")
@boundary
def package_list(
    show_all: bool = typer.Option(False, "--all", help="Include inactive and deleted packages."),
    fmt: Format = FORMAT,
) -> None:
    """List packages, grouped by category in display order.

    JSON gives every term of each package (as 'package show --format json').

    \b
    Example:
      sessionpack package list --all --format csv
    """
    from ..storage.catalog import load_packages

    opened = store()
    with opened.reading():
        packages = load_packages(opened.root, opened.settings.currency, _services(opened))
    shown = in_display_order([p for p in packages.values() if show_all or (p.status == "active" and not p.deleted)])
    if packages and not shown:
        empty = "No active packages; see 'sessionpack package list --all'"
    else:
        empty = "No packages yet: create one with 'sessionpack package create'"
    emit(fmt, PACKAGE_COLUMNS, [package_row(p) for p in shown], title=f"Packages ({opened.settings.currency})",
         data=[p.terms() for p in shown], empty=empty)


@package_app.command("show")
@boundary
def package_show(
    package_id: str = typer.Argument(..., metavar="ID"),
    fmt: Format = FORMAT,
) -> None:
    """Show every term of a package in plain words (JSON: enough to recreate it).

    \b
    Examples:
      sessionpack package show ten
      sessionpack package show ten --format json > ten.json
    """
    opened = store()
    with opened.reading():
        services = _services(opened)
        package = _existing(opened, package_id, services)
        sold = _times_sold(opened, package_id)
    if fmt is Format.table:
        for line in _show_lines(package, services, sold):
            say(line)
    else:
        _render(fmt, package, "")


@package_app.command("deactivate")
@boundary
def package_deactivate(package_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Stop selling a package; clients who bought it keep it.

    Bring it back with 'sessionpack package edit ID --active'.

    \b
    Example:
      sessionpack package deactivate five-massages
    """
    from ..storage.catalog import save_package

    opened = store()
    with opened.writing():
        current = _existing(opened, package_id, _services(opened))
        if current.deleted:
            raise RuleError(f"package {package_id!r} is deleted, so it is not sold anyway")
        if current.status == "inactive":
            raise RuleError(f"package {package_id} is already inactive")
        save_package(opened.root, current.with_changes(status="inactive"))
    say(f"Deactivated package {package_id}")


@package_app.command("delete")
@boundary
def package_delete(package_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Delete a package that was never sold (a sold one can only be deactivated).

    The file stays, marked deleted = true: 'package list --all' still shows it
    and it can be cloned, but not edited or sold.

    \b
    Example:
      sessionpack package delete draft-offer
    """
    from ..storage.catalog import save_package

    opened = store()
    with opened.writing():
        current = _existing(opened, package_id, _services(opened))
        if current.deleted:
            raise RuleError(f"package {package_id!r} is already deleted")
        sold = _times_sold(opened, package_id)
        if sold:
            raise RuleError(f"package {package_id!r} has been sold {_times(sold)} and cannot be deleted; "
                            f"deactivate it with 'sessionpack package deactivate {package_id}'")
        save_package(opened.root, current.with_changes(deleted=True))
    say(f"Deleted package {package_id}")
