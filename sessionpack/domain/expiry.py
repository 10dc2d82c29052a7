"""Expiry arithmetic: the one place where validity dates are computed.

A package that runs "N units from D" is valid through the END of the day
``D + N units`` in the practice's time zone (rule 2 of docs/rules.md). The date is
computed from D in one step with calendar arithmetic:

- 31 Jan + 1 month  -> 28 Feb (29 Feb in a leap year)
- 30 Apr + 1 month  -> 30 May
- 31 Jan + 2 months -> 31 Mar (never 31 Jan + 1 month + 1 month = 28 Mar)

Months are never 30 days. Weeks are 7 days, days are calendar days (a day
with a DST change is still one day).

Instants are judged in the practice's time zone: an expiry date ``E`` stops
being valid at the first instant of ``E + 1 day`` there (``expiry_instant``),
which is 23 or 25 hours after the start of ``E`` on DST days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo

from .datetimes import check_range
from ..errors import InputError
from .records import record
from .regex import pattern

UNITS = ("days", "weeks", "months")
KINDS = ("none", "from-purchase", "from-first-use", "fixed")
MAX_AMOUNT = 9999

_UNIT_WORDS = {
    "day": "days", "days": "days",
    "week": "weeks", "weeks": "weeks",
    "month": "months", "months": "months",
    "year": "years", "years": "years",
}
_FROM_WORDS = {
    "purchase": "from-purchase", "sale": "from-purchase",
    "first use": "from-first-use", "first-use": "from-first-use",
}
_RELATIVE_RE = pattern(
    r"^(?P<n>[0-9]+)\s*(?P<unit>[a-z]+)(?:\s+(?:from|after)\s+(?P<start>purchase|sale|first[ -]use))?$"
)
_FIXED_RE = pattern(r"^(?:(?:on|until|through)\s+)?(?P<d>[0-9]{4}-[0-9]{2}-[0-9]{2})$")
_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_STARTS = ("purchase", "sale", "first use", "first-use")


def _relative(text: str) -> tuple[str, str, str | None] | None:
    """``_RELATIVE_RE.match(text)``'s groups (n, unit, start), read without
    the pattern: every balance works out the expiry of each package from
    this text, and compiling the pattern would cost it more than that."""
    i = 0
    while i < len(text) and text[i] in _DIGITS:
        i += 1
    if i == 0:
        return None
    rest = text[i:].lstrip()
    j = 0
    while j < len(rest) and rest[j] in _LETTERS:
        j += 1
    if j == 0:
        return None
    tail = rest[j:]
    if tail in ("", "\n"):  # ($ also matches before a final line break)
        return text[:i], rest[:j], None
    words = tail.lstrip()
    if words == tail:
        return None
    for joining in ("from", "after"):
        if words.startswith(joining):
            start = words[len(joining):]
            if start[:1].isspace():
                start = start.lstrip()
                if start.endswith("\n"):
                    start = start[:-1]
                if start in _STARTS:
                    return text[:i], rest[:j], start
    return None


@record
class ExpiryRule:
    """How long a package stays valid.

    Attributes:
      kind: "none" (never expires), "from-purchase" (N units from the sale
        date), "from-first-use" (N units from the date of the earliest
        session drawing on it) or "fixed" (a set date).
      amount: N, 1..9999, for the relative kinds; 0 otherwise.
      unit: "days", "weeks" or "months" for the relative kinds; "" otherwise.
      on: the last valid date for "fixed"; None otherwise.
    """

    kind: str = "none"
    amount: int = 0
    unit: str = ""
    on: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown expiry kind {self.kind!r}")
        relative = self.kind in ("from-purchase", "from-first-use")
        if relative != (self.unit in UNITS and self.amount >= 1):
            raise ValueError(f"bad amount/unit for expiry kind {self.kind!r}")
        if (self.kind == "fixed") != isinstance(self.on, date):
            raise ValueError("a fixed expiry needs a date, and only it")

    @property
    def starts_at_first_use(self) -> bool:
        return self.kind == "from-first-use"

    def text(self) -> str:
        """Canonical text, the same grammar ``parse_expiry_option`` reads.

        "none", "2 months from purchase", "1 week from first use",
        "on 2027-06-30".
        """
        if self.kind == "none":
            return "none"
        if self.kind == "fixed":
            assert self.on is not None
            return f"on {self.on.isoformat()}"
        start = "purchase" if self.kind == "from-purchase" else "first use"
        return f"{period_text(self.amount, self.unit)} from {start}"

    def describe(self) -> str:
        """Plain words: "no expiry", "valid 2 months from first use", ..."""
        if self.kind == "none":
            return "no expiry"
        if self.kind == "fixed":
            assert self.on is not None
            return f"valid through {self.on.isoformat()}"
        return "valid " + self.text()


NO_EXPIRY = ExpiryRule()


def period_text(amount: int, unit: str) -> str:
    """'1 month', '2 months', '1 day'."""
    word = unit[:-1] if amount == 1 else unit
    return f"{amount} {word}"


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_length(year: int, month: int) -> int:
    """Days in a month of the Gregorian calendar (29 in February of a leap year)."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month - 1]


def add_period(start: date, amount: int, unit: str) -> date:
    """``start`` plus ``amount`` days, weeks or months, in one step.

    Month arithmetic keeps the day of the month, clamped to the target
    month's length: 31 Jan + 1 month = 28 Feb (29 in a leap year).
    """
    if isinstance(start, datetime):
        raise TypeError("add_period takes a date; use local_date(at, tz) first")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    try:
        if unit == "months":
            return add_months(start, amount)
        if unit == "weeks":
            return start + timedelta(weeks=amount)
        return start + timedelta(days=amount)
    except (OverflowError, ValueError):
        raise InputError(
            f"{start.isoformat()} + {period_text(amount, unit)} is past the year 9999; use a shorter period"
        ) from None


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months, the day clamped to the
    target month's length (what ``dateutil``'s ``relativedelta(months=N)``
    does, without importing it and the calendar and locale modules it
    pulls in); ValueError past the year 9999."""
    year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
    return date(year, month + 1, min(start.day, month_length(year, month + 1)))


def expiry_date(rule: ExpiryRule, sale_date: date, first_use_date: date | None) -> date | None:
    """The last valid date (inclusive) under ``rule``, or None.

    ``sale_date`` and ``first_use_date`` are dates in the practice's time
    zone (see ``local_date``). None means "no expiry" for kind "none" and
    "not started yet" for kind "from-first-use" with no first use.
    """
    if isinstance(sale_date, datetime) or isinstance(first_use_date, datetime):
        raise TypeError("expiry_date takes local dates; use valid_through() for datetimes")
    if rule.kind == "none":
        return None
    if rule.kind == "fixed":
        return rule.on
    if rule.kind == "from-purchase":
        return add_period(sale_date, rule.amount, rule.unit)
    if first_use_date is None:
        return None
    return add_period(first_use_date, rule.amount, rule.unit)


def valid_through(
    rule: ExpiryRule,
    sold_at: datetime | date,
    first_use: datetime | date | None,
    tz: tzinfo,
) -> date | None:
    """Like ``expiry_date`` but takes instants, read in the practice zone ``tz``."""
    sale_day = local_date(sold_at, tz) if isinstance(sold_at, datetime) else sold_at
    use_day = local_date(first_use, tz) if isinstance(first_use, datetime) else first_use
    return expiry_date(rule, sale_day, use_day)


def local_date(at: datetime, tz: tzinfo) -> date:
    """The calendar date of instant ``at`` in zone ``tz``.

    ``at`` must be time-zone aware: a naive datetime would be a guess.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at.isoformat()}: attach the practice time zone first")
    return at.astimezone(tz).date()


def expiry_instant(expiry: date, tz: tzinfo) -> datetime:
    """The first instant after ``expiry`` ends in ``tz`` (an exclusive bound).

    This is local midnight starting ``expiry + 1 day``. Where that midnight
    does not exist (a zone that springs forward at 00:00, like
    America/Santiago) the day starts at the jump itself; PEP 495's fold=0
    reading of the missing wall time lands exactly there. The result is in
    ``tz`` for display; compare it with ``<``/``>=``, and convert to UTC
    before adding or subtracting (Python does wall-clock arithmetic between
    datetimes that share a tzinfo).
    """
    next_day = expiry + timedelta(days=1)
    start = datetime.combine(next_day, time(0, 0), tzinfo=tz)
    return start.astimezone(timezone.utc).astimezone(tz)


def is_expired(expiry: date | None, at: datetime, tz: tzinfo) -> bool:
    """True when instant ``at`` is after the end of day ``expiry`` in ``tz``.

    No expiry (None) never expires. ``at`` is converted to ``tz`` first, so
    2026-03-01T00:30+01:00 is still 28 Feb in Europe/Lisbon.
    """
    if expiry is None:
        return False
    return local_date(at, tz) > expiry


def ends_before(rule: ExpiryRule, day: date) -> bool:
    """Whether ``rule`` is a fixed date before ``day``: a package sold on
    ``day`` would be expired from its start, so it is not sold, and its
    offer cannot be sold any more."""
    return rule.kind == "fixed" and rule.on is not None and rule.on < day


_PARSED: dict[str, ExpiryRule] = {}  # text -> rule: every balance reads the rule of its package


def parse_expiry_option(text: object) -> ExpiryRule:
    """Read an expiry rule from CLI or catalog text.

    Accepts "none", "3 months" (from purchase), "10 weeks from purchase",
    "2 months from first use", "on 2027-06-30" and "2027-06-30" (also a
    ``datetime.date`` from TOML). Raises InputError naming the accepted forms.
    """
    if type(text) is str:
        rule = _PARSED.get(text)
        if rule is None:
            rule = _parse_expiry(text)
            if len(_PARSED) < 1024:
                _PARSED[text] = rule
        return rule
    return _parse_expiry(text)


def _parse_expiry(text: object) -> ExpiryRule:
    if isinstance(text, date) and not isinstance(text, datetime):
        return ExpiryRule("fixed", on=check_range(text, "expiry date"))
    hint = (
        "write 'none', 'N days|weeks|months' (from purchase), "
        "'N months from first use' or 'on YYYY-MM-DD'"
    )
    if not isinstance(text, str):  # a TOML date-time, a number, true: named as the file would say it
        kind = {bool: "true or false", int: "a number", float: "a number", datetime: "a date-time"}.get(type(text), "not text")
        raise InputError(f"expiry is {kind}; {hint} (a date alone, YYYY-MM-DD, is a fixed expiry date)")
    clean = " ".join(text.strip().lower().split())
    if clean in ("none", "never", "no expiry"):
        return NO_EXPIRY
    fixed = _FIXED_RE.match(clean) if "-" in clean else None  # (a date has hyphens)
    if fixed:
        try:
            day = date.fromisoformat(fixed.group("d"))
        except ValueError:
            raise InputError(f"expiry date {fixed.group('d')!r} is not a real date; use YYYY-MM-DD") from None
        return ExpiryRule("fixed", on=check_range(day, "expiry date"))
    rel = _relative(clean)
    if not rel:
        raise InputError(f"expiry {text!r} is not understood; {hint}")
    number, word, start = rel
    unit = _UNIT_WORDS.get(word)
    if unit is None:
        raise InputError(f"expiry unit {word!r} is not known: use days, weeks, months or years")
    amount = int(number)
    if amount < 1:
        raise InputError(
            f"expiry {text!r} has a period of 0; use at least 1 (e.g. '1 month') or 'none' for no expiry"
        )
    limit = MAX_AMOUNT // 12 if unit == "years" else MAX_AMOUNT  # (said in the unit typed: years are kept as months)
    if amount > limit:
        raise InputError(f"expiry period {period_text(amount, unit)} is too long; use at most {period_text(limit, unit)}")
    if unit == "years":  # a year is 12 months, computed as months (31 Jan + 1 year = 31 Jan)
        amount, unit = amount * 12, "months"
    kind = _FROM_WORDS[start or "purchase"]
    return ExpiryRule(kind, amount=amount, unit=unit)
