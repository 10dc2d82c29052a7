"""Practice settings: name, currency, time zone, default policies, notices."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ..errors import FieldError, InputError
from .records import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMAT_VERSION = 1

POLICY_DEFAULTS: dict[str, Any] = {
    "no_show": "return",
    "late_cancel_hours": 24,
    "late_cancel": "return",
    "expiry_limits": "session",
}
SECTIONS = {"practice": ("name", "currency", "timezone"), "policies": tuple(POLICY_DEFAULTS), "notices": None, "delivery": None, "hooks": None}


@record
class Settings:
    """What ``settings.toml`` holds.

    Attributes:
      format: the data format version this directory was written in.
      name: the practice's name, shown on statements and notices.
      currency: ISO 4217 code; every amount is in it.
      timezone: IANA zone name; dates, expiry and "today" are judged in it.
      policies: defaults copied into new packages (no_show, late_cancel_hours,
        late_cancel, expiry_limits).
      notices: which notices are sent and when (``notice_settings``).
      delivery: how notices are delivered: method none, smtp, sendmail or
        jsonl, and that method's keys.
      hooks: time_budget, the seconds all hooks of one command may take.
    """

    format: int
    name: str
    currency: str
    timezone: str
    policies: Mapping[str, Any]
    notices: Mapping[str, Any]
    delivery: Mapping[str, Any] = field(default_factory=lambda: {"method": "none"})
    hooks: Mapping[str, Any] = field(default_factory=lambda: {"time_budget": 30})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def to_mapping(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "practice": {"name": self.name, "currency": self.currency, "timezone": self.timezone},
            "policies": dict(self.policies),
            "notices": dict(self.notices),
            "delivery": dict(self.delivery),
            "hooks": dict(self.hooks),
        }


def check_currency(value: object) -> str:
    """The practice currency: the codes ``init`` takes (``currencies.check_code``,
    rule 28), whether typed or written in settings.toml by hand."""
    from .currencies import check_code

    return check_code(value)


def check_timezone(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise InputError("time zone must be an IANA name such as Europe/Lisbon")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # (OSError: a folder of the zone database, such as "Europe")
        raise InputError(f"unknown time zone {value!r}: use an IANA name such as Europe/Lisbon or America/New_York") from None
    if value != "UTC" and not _surely_listed(value) and value not in available_timezones():
        raise InputError(f"unknown time zone {value!r}: use an IANA name such as Europe/Lisbon or America/New_York")
    return value


def _surely_listed(key: str) -> bool:
    """True when ``available_timezones()`` certainly lists ``key``, found with a
    few directory listings instead of that function's ~600 file reads (it runs
    on every command that loads the settings). The key must name, in the same
    case, a TZif file under a zone directory, reached through real directories
    and outside right/ and posix/, as that function finds them; anything else
    (False) is left to the full listing."""
    import os
    from zoneinfo import TZPATH

    parts = key.split("/")
    if key == "posixrules" or parts[0] in ("right", "posix") or "\\" in key or any(p in ("", ".", "..") for p in parts):
        return False
    for root in TZPATH:
        here = root
        for depth, part in enumerate(parts):
            try:
                found = part in os.listdir(here)
            except OSError:
                found = False
            if not found:
                break
            here = os.path.join(here, part)
            if depth < len(parts) - 1 and (os.path.islink(here) or not os.path.isdir(here)):
                break
        else:
            try:
                with open(here, "rb") as handle:
                    if handle.read(4) == b"TZif":
                        return True
            except OSError:
                pass
    return False


def check_policy(key: str, value: object) -> object:
    """A default policy, read by the rule a package file's own policy is
    (``packages.POLICY_PARSERS``): a default new packages copy is never one
    their files would refuse."""
    from .packages import POLICY_PARSERS

    return POLICY_PARSERS[key](value)


def settings_from_mapping(data: Mapping[str, Any]) -> Settings:
    fmt = data.get("format")
    if isinstance(fmt, bool) or not isinstance(fmt, int) or fmt < 1:
        raise FieldError("format", "missing or not a positive whole number (a sessionpack data directory has format = 1)")
    for key in data:
        if key != "format" and key not in SECTIONS:
            raise FieldError(key, f"unknown key; settings.toml has format, {', '.join(SECTIONS)}")
    practice = data.get("practice")
    if not isinstance(practice, Mapping):
        raise FieldError("practice", "missing [practice] table with name, currency and timezone")
    sections: dict[str, dict[str, Any]] = {}
    for section, keys in SECTIONS.items():
        table = data.get(section, {})
        if not isinstance(table, Mapping):
            raise FieldError(section, "must be a table")
        for key in table if keys is not None else ():
            if key not in keys:
                raise FieldError(f"{section}.{key}", f"unknown key; allowed: {', '.join(keys)}")
        sections[section] = dict(table)
    for key in ("name", "currency", "timezone"):
        if key not in practice:
            raise FieldError("practice", f"missing key '{key}'")
    name = practice["name"]
    if not isinstance(name, str) or not name.strip():
        raise FieldError("practice.name", "must be non-empty text")
    currency = _field("practice.currency", check_currency, practice["currency"])
    timezone = _field("practice.timezone", check_timezone, practice["timezone"])
    policies = dict(POLICY_DEFAULTS)
    for key, value in sections["policies"].items():
        policies[key] = _field(f"policies.{key}", lambda v, k=key: check_policy(k, v), value)
    from .money import minor_digits
    from .notice_settings import check_delivery, check_hooks, check_notices

    notices = check_notices(sections["notices"], minor_digits(currency))
    delivery = check_delivery(sections["delivery"])
    hooks = check_hooks(sections["hooks"])
    return Settings(fmt, name.strip(), currency, timezone, policies, notices, delivery, hooks)


def _field(key: str, check, value):  # type: ignore[no-untyped-def]
    try:
        return check(value)
    except InputError as err:
        raise FieldError(key, str(err)) from None
