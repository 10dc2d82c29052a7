"""The ``[notices]``, ``[delivery]`` and ``[hooks]`` tables of settings.toml.

Each table is checked as a whole when the settings are read; a mistake is a
``FieldError`` naming the key (``notices.low_money``), which the storage
layer turns into ``settings.toml:LINE``. Values that only matter when mail
is sent (the sender address) are required by ``notify``, not here, so a
practice without mail keeps working.

``[notices]`` (what is sent, and when)::

    kinds = ["expiring", "low", "used-up", "expired"]
    expiring_days = [30, 7]   # or one number
    low_remaining = 1         # sessions (fixed contents, count pools)
    low_minutes = 60          # minutes pools
    low_money = "10%"         # money pools: an amount, or a share of the credit
    late_days = 30            # an expired notice later than this is not sent
    from = "Studio Lima <studio@example.com>"
    reply_to = "marta@example.com"
    how_to_book = "Reply to this email to book your next session."

``[delivery]`` (how): ``method`` none | smtp | sendmail | jsonl, and the
keys of that method. ``[hooks]``: ``time_budget`` (seconds for all the
hooks of one command).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..errors import FieldError
from .regex import pattern
from .text import has_control, toml_shown

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

KINDS = ("expiring", "low", "used-up", "expired")

NOTICE_DEFAULTS: dict[str, Any] = {
    "kinds": list(KINDS),
    "expiring_days": [7],
    "low_remaining": 1,
    "low_minutes": 60,
    "low_money": "10%",
    "late_days": 30,
    "from": "",
    "reply_to": "",
    "how_to_book": "Reply to this email to book your next session.",
}
METHODS = ("none", "smtp", "sendmail", "jsonl")
SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
METHOD_KEYS = {
    "none": (),
    "jsonl": (),
    "smtp": ("host", "port", "security", "username", "password_env", "password_file", "ca_file", "timeout"),
    "sendmail": ("program", "timeout"),
}
DELIVERY_DEFAULTS: dict[str, Any] = {"method": "none"}
SENDMAIL_PROGRAM = "/usr/sbin/sendmail"
DELIVERY_TIMEOUT = 30
HOOK_DEFAULTS: dict[str, Any] = {"time_budget": 30}

# An address as a mail header carries it, kept strict: no comma, quote,
# angle bracket, space or control character can slip a second address or a
# header in (names typed by hand may hold anything; they are never trusted).
ADDRESS_RE = pattern(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))+\Z")
_NAMED_RE = pattern(r"^(?P<name>[^<>\"\x00-\x1f\x7f]*?)\s*<(?P<address>[^<>]+)>\Z")
_ENV_RE = pattern(r"^[A-Za-z_][A-Za-z0-9_]{0,127}\Z")
_PERCENT_RE = pattern(r"^([0-9]{1,3}(?:\.[0-9]{1,2})?)\s*%\Z")
_DIGITS = frozenset("0123456789")


def percent_of(text: str) -> str | None:
    """The number of a share like ``10%`` or ``2.5 %`` (``_PERCENT_RE``'s
    group), else None; read without the pattern, since every command reads
    the settings and a credit's limit is usually a share."""
    if not text.endswith("%"):
        return None
    number = text[:-1].rstrip()
    whole, dot, part = number.partition(".")
    if not 1 <= len(whole) <= 3 or not _DIGITS.issuperset(whole):
        return None
    if dot and (not 1 <= len(part) <= 2 or not _DIGITS.issuperset(part)):
        return None
    return number


def split_sender(value: str) -> tuple[str, str]:
    """(display name, address) of ``Name <addr>`` or ``addr``; ValueError if neither."""
    text = value.strip()
    match = _NAMED_RE.match(text)
    name, address = (match.group("name").strip(), match.group("address").strip()) if match else ("", text)
    if not ADDRESS_RE.match(address):
        raise ValueError(text)
    return name, address


def _whole(key: str, value: object, low: int = 0, high: int = 1_000_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FieldError(key, f"must be a whole number from {low} to {high}, not {toml_shown(value)}")
    return value


def _text(key: str, value: object, limit: int = 500) -> str:
    if not isinstance(value, str) or len(value) > limit or has_control(value):
        raise FieldError(key, f"must be one line of text of at most {limit} characters")
    return value.strip()


def _address(key: str, value: object, named: bool) -> str:
    text = _text(key, value)
    if not text:
        return ""
    try:
        name, _ = split_sender(text)
    except ValueError:
        example = '"Studio Lima <studio@example.com>"' if named else '"studio@example.com"'
        raise FieldError(key, f"{toml_shown(text)} is not a mail address like {example}") from None
    if name and not named:
        raise FieldError(key, f"{toml_shown(text)}: give the address alone, like \"studio@example.com\"")
    return text


def low_money_limit(setting: str, credit: Decimal) -> Decimal:
    """The money threshold of one pool: an amount, or a share of its credit."""
    share = percent_of(setting)
    if share is not None:
        return credit * Decimal(share) / 100
    return Decimal(setting)


def check_notices(table: Mapping[str, Any], currency_digits: int) -> dict[str, Any]:
    notices = dict(NOTICE_DEFAULTS)
    for key, value in table.items():
        where = f"notices.{key}"
        if key not in NOTICE_DEFAULTS:
            raise FieldError(where, f"unknown key; allowed: {', '.join(NOTICE_DEFAULTS)}")
        if key == "kinds":
            if not isinstance(value, list) or any(kind not in KINDS for kind in value):
                raise FieldError(where, f"must be a list of notice kinds from {', '.join(KINDS)}, e.g. [\"expiring\", \"expired\"]")
            notices[key] = [kind for kind in KINDS if kind in value]
        elif key == "expiring_days":
            days = [value] if isinstance(value, int) and not isinstance(value, bool) else value
            if not isinstance(days, list) or not days or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 3650 for d in days):
                raise FieldError(where, f"must be a whole number of days (0 to 3650) or a list of them, like [30, 7], not {toml_shown(value)}")
            notices[key] = sorted(set(days), reverse=True)
        elif key in ("low_remaining", "low_minutes"):
            notices[key] = _whole(where, value)
        elif key == "late_days":
            notices[key] = _whole(where, value, 0, 3650)
        elif key == "low_money":
            notices[key] = _money_limit(where, value, currency_digits)
        elif key in ("from", "reply_to"):
            notices[key] = _address(where, value, named=key == "from")
        else:
            notices[key] = _text(where, value)
    return notices


def _money_limit(where: str, value: object, digits: int) -> str:
    text = value if isinstance(value, str) else (str(value) if isinstance(value, int) and not isinstance(value, bool) else None)
    if text is None:
        raise FieldError(where, f"must be an amount like \"20.00\" or a share of the credit like \"10%\", not {toml_shown(value)}")
    text = text.strip()
    share = percent_of(text)
    if share is not None:
        if not 0 <= Decimal(share) <= 100:
            raise FieldError(where, f"a share of the credit is from 0% to 100%, not {toml_shown(text)}")
        return f"{share}%"
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount != round(amount, digits):
        raise FieldError(where, f"must be an amount like \"20.00\" or a share of the credit like \"10%\", not {toml_shown(text)}")
    return format(amount, "f")


def check_delivery(table: Mapping[str, Any]) -> dict[str, Any]:
    method = table.get("method", "none")
    if method not in METHODS:
        raise FieldError("delivery.method", f"must be one of {', '.join(METHODS)}, not {toml_shown(method)}")
    delivery: dict[str, Any] = {"method": method}
    allowed = METHOD_KEYS[method]
    for key, value in table.items():
        where = f"delivery.{key}"
        if key == "method":
            continue
        if key == "password":
            raise FieldError(where, "a password is never kept in settings.toml; name an environment variable "
                                    "(password_env) or a file only you can read (password_file, mode 0600)")
        if key not in allowed:
            keys = ", ".join(allowed) if allowed else "no other keys"
            raise FieldError(where, f"unknown key for method {toml_shown(method)}; allowed: {keys}")
        if key == "port":
            delivery[key] = _whole(where, value, 1, 65535)
        elif key == "timeout":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 600:
                raise FieldError(where, f"must be a number of seconds from 1 to 600, not {toml_shown(value)}")
            delivery[key] = value
        elif key == "security":
            if value not in SECURITY:
                raise FieldError(where, f"must be one of {', '.join(SECURITY)}, not {toml_shown(value)}")
            delivery[key] = value
        elif key == "password_env":
            if not isinstance(value, str) or not _ENV_RE.match(value):
                raise FieldError(where, f"must be the name of an environment variable, like \"SESSIONPACK_SMTP_PASSWORD\", not {toml_shown(value)}")
            delivery[key] = value
        else:
            text = _text(where, value, 1000)
            if not text:
                raise FieldError(where, "must not be empty")
            delivery[key] = text
    if method == "smtp":
        if "host" not in delivery:
            raise FieldError("delivery", "method \"smtp\" needs host = \"smtp.example.com\"")
        if "password_env" in delivery and "password_file" in delivery:
            raise FieldError("delivery.password_file", "give password_env or password_file, not both")
        if ("password_env" in delivery or "password_file" in delivery) and "username" not in delivery:
            raise FieldError("delivery", "a password needs username = \"...\" too")
        delivery.setdefault("security", "starttls")
        delivery.setdefault("port", DEFAULT_PORTS[delivery["security"]])
    if method in ("smtp", "sendmail"):
        delivery.setdefault("timeout", DELIVERY_TIMEOUT)
    if method == "sendmail":
        delivery.setdefault("program", SENDMAIL_PROGRAM)
    return delivery


def check_hooks(table: Mapping[str, Any]) -> dict[str, Any]:
    hooks = dict(HOOK_DEFAULTS)
    for key, value in table.items():
        if key not in HOOK_DEFAULTS:
            raise FieldError(f"hooks.{key}", f"unknown key; allowed: {', '.join(HOOK_DEFAULTS)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
            raise FieldError(f"hooks.{key}", f"must be a number of seconds above 0, at most 3600, not {toml_shown(value)}")
        hooks[key] = value
    return hooks
