"""What prepaid value a client package holds: its valuation, fixed at the sale.

A sale records how much of its price (net of tax) each part of the package
is worth, so later price changes never move it (``at_sale``; the ``sold``
event carries it in ``sale["valuation"]``):

- a count pool or a fixed service: price / sessions per session;
- a minutes pool: price / minutes per minute;
- a money credit: price / face value per unit of money (a 300.00 credit
  sold for 270.00 is worth 0.90 per 1.00 drawn);
- a fixed mix: the price split across its services in proportion to their
  regular prices at the sale times their sessions (an unlimited service
  weighs as one session), largest remainder first, so the parts add up to
  the price to the cent;
- unlimited: the price, recognised evenly per day over the package's term
  (sale or first use through its last valid day); without a term (no
  expiry) it is recognised at the sale;
- paid per session: nothing is prepaid, so it holds nothing.

The value of ``u`` units of a part worth ``V`` for ``B`` units bought is
``V x u / B`` rounded half up to the currency's minor unit (``value_of``).
Every movement of value is the difference of two such values, so the parts
of a package always add up exactly to its price.

A ``sold`` event recorded before valuations existed has none; ``of_package``
then computes it from the recorded terms and price, splitting a fixed mix by
sessions (its regular prices at the sale were not recorded).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .money import money_text, quantize, quantum

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

UNLIMITED = "unlimited"
METHODS = ("count", "minutes", "money", "mix", "unlimited", "per-session")


def _parts_by_weight(price: Decimal, weights: dict[str, Decimal], currency: str) -> dict[str, Decimal]:
    """``price`` split in proportion to ``weights`` (largest remainder, to the
    currency's minor unit; ties go to the key written first)."""
    step = quantum(currency)
    whole = sum(weights.values())
    keys = list(weights)
    if whole <= 0:  # no weights: equal shares
        weights = {key: Decimal(1) for key in keys}
        whole = Decimal(len(keys))
    exact = {key: price * weights[key] / whole for key in keys}
    floors = {key: (exact[key] / step).to_integral_value(rounding="ROUND_FLOOR") * step for key in keys}
    left = int(((price - sum(floors.values())) / step).to_integral_value())
    order = sorted(keys, key=lambda k: (-(exact[k] - floors[k]), keys.index(k)))
    for key in order[:left]:
        floors[key] += step
    return {key: quantize(floors[key], currency) for key in keys}


def at_sale(terms: Mapping[str, Any], net: Decimal, currency: str,
            regular_prices: Mapping[str, Decimal] | None = None) -> dict[str, Any]:
    """The valuation a sale of ``terms`` at net price ``net`` records.

    ``parts`` maps each balance key to ``[value, units bought]`` (units:
    sessions, minutes, money face value as text, or "unlimited");
    ``spread`` says how an unlimited part is recognised ("term" or "sale").
    ``regular_prices`` (service id -> regular net price at the sale) weighs a
    fixed mix; without them every session weighs the same.
    """
    contents = terms["contents"]
    price = quantize(Decimal(net), currency)
    record: dict[str, Any] = {"price": money_text(price), "parts": {}}
    if terms["payment"]["mode"] == "per-session":
        record["method"] = "per-session"
        return record
    spread = "sale" if str(terms.get("expiry", "none")) == "none" else "term"
    if "sessions" in contents:
        sessions = contents["sessions"]
        record["method"] = "mix" if len(sessions) > 1 else ("unlimited" if UNLIMITED in sessions.values() else "count")
        prices = regular_prices or {}
        by_price = bool(regular_prices) and all(sid in prices for sid in sessions)
        weights = {}
        for sid, n in sessions.items():
            count = Decimal(1) if n == UNLIMITED else Decimal(int(n))
            weights[sid] = count * (Decimal(prices[sid]) if by_price else Decimal(1))
        split = _parts_by_weight(price, weights, currency)
        record["parts"] = {sid: [money_text(split[sid]), n if n == UNLIMITED else int(n)] for sid, n in sessions.items()}
        if record["method"] == "mix":
            record["weights"] = "regular prices" if by_price else "sessions"
    else:
        pool = contents["pool"]
        record["method"] = pool
        amount: Any = UNLIMITED if pool == UNLIMITED else (contents["amount"] if pool == "money" else int(contents["amount"]))
        record["parts"] = {pool: [money_text(price), amount]}
    if any(units == UNLIMITED for _, units in record["parts"].values()):
        record["spread"] = spread
    return record


def of_package(pkg: Mapping[str, Any]) -> dict[str, Any]:
    """The valuation of a client package: the one recorded at its sale, or,
    for a sale recorded without one, computed from its terms and price."""
    recorded = pkg["sale"].get("valuation")
    if recorded:
        return recorded
    return at_sale(pkg["terms"], Decimal(pkg["sale"]["price"]), pkg["terms"]["currency"])


_VALUES: dict[tuple[Any, ...], Decimal] = {}  # value_of's answers: a full replay asks for a few kinds hundreds of thousands of times


def value_of(part: list[Any], units: Any, currency: str) -> Decimal:
    """The value of ``units`` of a part ``[value, units bought]``: value x
    units / bought, rounded half up to the currency's minor unit."""
    key = (part[0], part[1], units, currency)
    try:
        known = _VALUES.get(key)
    except TypeError:  # (a part as no sessionpack writes it: worked out below, which says what is wrong)
        known = key = None  # type: ignore[assignment]
    if known is not None:
        return known
    result = _value_of(part, units, currency)
    if key is not None:
        if len(_VALUES) >= 4096:
            _VALUES.clear()
        _VALUES[key] = result
    return result


def _value_of(part: list[Any], units: Any, currency: str) -> Decimal:
    value, bought = Decimal(part[0]), part[1]
    if bought == UNLIMITED or units == UNLIMITED:
        raise ValueError("an unlimited part has no value per unit; see unlimited_held")
    bought_n = Decimal(bought)
    if bought_n == 0:
        return quantize(Decimal(0), currency)
    result = quantize(value * Decimal(units) / bought_n, currency)
    return result if result else abs(result)  # never -0.00


def unit_value(part: list[Any], currency: str) -> Decimal | None:
    """The value of one unit (session, minute, 1.00 of credit), for display:
    to the minor unit when exact, else to two more digits; None when unlimited."""
    value, bought = Decimal(part[0]), part[1]
    if bought == UNLIMITED or Decimal(bought) == 0:
        return None
    exact = value / Decimal(bought)
    short = quantize(exact, currency)
    if short == exact:
        return short
    return exact.quantize(quantum(currency) / 100, rounding=ROUND_HALF_UP)


def unlimited_held(value: Decimal, days: int, days_left: int, currency: str) -> Decimal:
    """What an unlimited part worth ``value`` over a term of ``days`` days
    still holds with ``days_left`` of them to come (recognised evenly per day)."""
    if days <= 0:
        return quantize(Decimal(0), currency)
    left = max(0, min(days, days_left))
    return quantize(value * left / days, currency)


def basis_text(valuation: Mapping[str, Any], currency: str) -> str:
    """How the valuation was made, in words: 'price 210.00: massage-60 52.50
    for 1 (52.50 each), thai 157.50 for 2 (78.75 each)'."""
    method = valuation["method"]
    if method == "per-session":
        return "paid per session: holds no prepaid value"
    pieces = []
    for key, part in valuation["parts"].items():
        if part[1] == UNLIMITED:
            how = "over its term, per day" if valuation.get("spread") == "term" else "at the sale (no term)"
            pieces.append(f"{key} {part[0]} unlimited, recognised {how}")
        else:
            unit = unit_value(part, currency)
            pieces.append(f"{key} {part[0]} for {part[1]} ({money_text(unit) if unit is not None else '-'} each)")
    head = f"price {valuation['price']} {currency}"
    if method == "mix":
        head += f" split by {valuation.get('weights', 'sessions')}"
    return head + ": " + ", ".join(pieces)
