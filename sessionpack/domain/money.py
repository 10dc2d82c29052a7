"""Money as Decimal, always quantized to the currency's minor unit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..errors import InputError

# ISO 4217 currencies whose minor unit is not 2 digits.
_MINOR_DIGITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
    "KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
    "XAF": 0, "XOF": 0, "XPF": 0, "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3,
    "LYD": 3, "OMR": 3, "TND": 3,
}

ZERO = Decimal(0)


def minor_digits(currency: str) -> int:
    return _MINOR_DIGITS.get(currency.upper(), 2)


_QUANTA: dict[str, Decimal] = {}  # currency -> its minor unit (asked for every amount: Decimals are immutable, one each)


def quantum(currency: str) -> Decimal:
    step = _QUANTA.get(currency)
    if step is None:
        step = _QUANTA[currency] = Decimal(1).scaleb(-minor_digits(currency))
    return step


def quantize(amount: Decimal, currency: str) -> Decimal:
    step = _QUANTA.get(currency)
    return amount.quantize(quantum(currency) if step is None else step, rounding=ROUND_HALF_UP)


MAX_AMOUNT = Decimal(10) ** 12  # amounts stay below this: every total a practice adds up stays exact


def _plain_number(text: str) -> bool:
    """ASCII digits with an optional leading '-' and an optional '.'
    followed by digits: "90", "90.50", "-5" (not "1e3", "1_000", "+5", ".5")."""
    whole, dot, fraction = (text[1:] if text[:1] == "-" else text).partition(".")
    return whole.isascii() and whole.isdigit() and (not dot or (fraction.isascii() and fraction.isdigit()))


def parse_money(value: object, currency: str, what: str = "amount", *, allow_negative: bool = False) -> Decimal:
    """Read a money amount from user text or a TOML value.

    Accepts "90", "90.5", "90.50", integers, and floats written in TOML
    (read through their decimal text). Refuses more decimals than the
    currency has, so nothing is silently rounded, and amounts of
    ``MAX_AMOUNT`` or more, so that no total loses a digit.
    """
    if isinstance(value, bool):  # (a TOML true or false, as the file writes it)
        raise InputError(f"{what} must be an amount like 90 or 90.50, not {str(value).lower()}")
    typed = isinstance(value, str)
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip()
    if typed and not _plain_number(text):  # (Decimal also reads "1e3", "1_000", "+5" and other scripts' digits)
        raise InputError(f"{what} must be an amount like 90 or 90.50, not {text!r}")
    if not text.isascii():  # Decimal would read other scripts' digits
        raise InputError(f"{what} must be an amount like 90 or 90.50, not {text!r}")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InputError(f"{what} must be an amount like 90 or 90.50, not {text!r}") from None
    if not amount.is_finite():
        raise InputError(f"{what} must be an amount like 90 or 90.50, not {text!r}")
    if amount < 0 and not allow_negative:
        raise InputError(f"{what} must not be negative: {text}")
    if abs(amount) >= MAX_AMOUNT:
        raise InputError(f"{what} is too large: {text}; amounts are less than 1000000000000")
    digits = minor_digits(currency)
    exact = amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)
    if amount != exact:
        raise InputError(f"{what} has more than {digits} decimal places for {currency}: {text}")
    return exact if exact else abs(exact)  # never "-0.00"


def parse_percent(value: object, what: str = "tax rate") -> Decimal:
    """A percentage between 0 and 100, e.g. "23" or "6.5"."""
    if isinstance(value, bool):  # (a TOML true or false, as the file writes it)
        raise InputError(f"{what} must be a percentage like 23 or 6.5, not {str(value).lower()}")
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().removesuffix("%")
    if not text.isascii():
        raise InputError(f"{what} must be a percentage like 23 or 6.5, not {str(value)!r}")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise InputError(f"{what} must be a percentage like 23 or 6.5, not {str(value)!r}") from None
    if not rate.is_finite():
        raise InputError(f"{what} must be a percentage like 23 or 6.5, not {str(value)!r}")
    if rate < 0 or rate > 100:
        raise InputError(f"{what} must be between 0 and 100, not {text}")
    rate = abs(rate) if not rate else rate  # never "-0"
    return rate.normalize() if rate != rate.to_integral_value() else rate.quantize(Decimal(1))


def tax_on(net: Decimal, rate: Decimal, currency: str) -> Decimal:
    """Tax on a net amount at a percentage rate, rounded half up."""
    return quantize(net * rate / Decimal(100), currency)


def money_text(amount: Decimal) -> str:
    """The canonical string form used in JSON and TOML."""
    return format(amount, "f")


def money_shown(amount: str | Decimal, currency: str) -> str:
    """A recorded amount as every output writes it: with exactly the
    currency's decimals. Sales of a package paid per session were once
    recorded as "0" (never rewritten: the journal is kept as written), and
    are shown "0.00" like any other amount in EUR."""
    return money_text(quantize(Decimal(amount), currency))
