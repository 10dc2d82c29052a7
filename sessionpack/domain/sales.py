"""Selling and assigning packages; recording payments (rule 1 of docs/rules.md).

A sale copies the package's terms into the event, so later edits of the
package never change what a client bought. ``sell`` builds every ``sold``
event, whatever the front end (``sell``, ``assign``, ``sell --csv``, an
imported balance): the rules of a sale live here once.

The fields a person types for a sale are checked here too (``check_reference``,
``check_invoice``, ``check_note``, ``parse_day``, ``sale_day``), each with the
name of the option or column it came from (``what``), so a message reads
right on the command line (``--date ...``) and in a CSV file (``date ...``).

A ``sold`` event holds ``client_package``, ``terms``, ``sale`` (``date``,
``price``, ``tax``, ``total``, ``invoice``, ``reference``, ``assigned``, and
``note`` when one was given), ``paid``, ``shared_with``, ``code_hash`` and,
for a client package sold in another system and brought in, ``imported``
(see ``imports``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..errors import InputError, RuleError
from .dating import check_not_before
from .expiry import ends_before
from .ids import client_package_id
from .ledger import handles
from .money import money_text, quantize, tax_on
from .text import check_line

REFERENCE_LIMIT = 200
INVOICE_LIMIT = 64
NOTE_LIMIT = 500


def at_field(err: Exception, field: str) -> Exception:
    """``err``, marked with the field (option or column) it is about."""
    err.field = field  # type: ignore[attr-defined]
    return err


def _one_line(value: str, what: str, limit: int) -> str:
    text = value.strip()
    if not text or len(text) > limit:
        raise InputError(f"{what} must be one line of at most {limit} characters")
    return check_line(text, what, limit)  # no control characters


def check_reference(value: str, what: str = "--ref") -> str:
    """An external reference: one line of printable text, at most 200 characters."""
    return _one_line(value, what, REFERENCE_LIMIT)


def check_invoice(value: str, what: str = "--invoice") -> str:
    return _one_line(value, what, INVOICE_LIMIT)


def check_note(value: str, what: str = "--note") -> str:
    return _one_line(value, what, NOTE_LIMIT)


def parse_day(text: str, what: str, today: date | None = None) -> date:
    """A date (``datetimes.parse_date``: ISO, ASCII digits, in range; with
    ``today``, also an everyday word such as ``yesterday``), or InputError."""
    from .datetimes import parse_date

    return parse_date(text, what, "2026-11-02", today=today)


def sale_day(text: str | None, today: date, what: str = "--date") -> date:
    """The sale date: ``text`` (back-dating is allowed, never forward), else today."""
    if text is None:
        return today
    day = parse_day(text, what, today)
    if day > today:
        raise InputError(f"{what} {day.isoformat()} is in the future; a sale can be back-dated, not post-dated")
    return day

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping


# -- invoice numbers ---------------------------------------------------------------
#
# The practice numbers its own invoices in one series: an automatic number
# is one more than the highest number its sales were ever given (an
# automatic one, or one typed with --invoice or in an invoice column that
# is all digits), written with as many digits as that one, at least six.
# So a number typed by hand is never given again automatically, and a
# number typed as text ("2026-A7") takes none. Undone sales keep theirs
# (never given out again). An imported balance's invoice is the other
# system's: it is not one of the practice's numbers and moves nothing.
# The highest number is kept in the sold view (``fold_invoice``).

INVOICE_WIDTH = 6


def _invoice_number(text: Any) -> int | None:
    """The number of an invoice that is all ASCII digits, else None."""
    return int(text) if isinstance(text, str) and text and text.isascii() and text.isdigit() else None


def _higher(last: str | None, invoice: Any) -> str | None:
    """``invoice`` when it is a number above ``last`` (or as high and written
    wider), else ``last``."""
    number = _invoice_number(invoice)
    if number is None:
        return last
    before = _invoice_number(last)
    if before is None or (number, len(invoice)) > (before, len(last or "")):
        return invoice
    return last


class InvoiceSeries:
    """The practice's invoice numbers while one command plans its sales: the
    one place an automatic number is made (``sell``, ``assign``, a file of
    sales), so every front end numbers alike."""

    __slots__ = ("last",)

    def __init__(self, last: str | None) -> None:
        self.last = last  # the highest number given so far (text), or None: none yet

    @classmethod
    def of(cls, sold: Mapping[str, Any]) -> "InvoiceSeries":
        """The series as the sold view keeps it."""
        return cls(sold.get("invoice"))

    def take(self, given: str | None) -> str:
        """The invoice of the next sale: ``given`` (a number moves the series
        past it), else the next number."""
        if given:
            self.last = _higher(self.last, given)
            return given
        before = _invoice_number(self.last) or 0
        width = max(INVOICE_WIDTH, len(self.last or ""))
        self.last = f"{before + 1:0{width}d}"
        return self.last


def fold_invoice(sold: dict[str, Any], event: Mapping[str, Any]) -> bool:
    """Keep in the sold view the highest invoice number a ``sold`` event of
    the practice's own (not imported) gave; True when it moved."""
    if event.get("type") != "sold" or event.get("imported"):
        return False
    higher = _higher(sold.get("invoice"), (event.get("sale") or {}).get("invoice"))  # (no number: the series stays)
    if higher == sold.get("invoice"):
        return False
    sold["invoice"] = higher
    sold["seq"] = max(sold.get("seq", 0), event["seq"])
    return True


def payment_state(pkg: Mapping[str, Any]) -> str:
    """paid, partly paid, unpaid, per session (nothing due at sale), or, once
    money was given back, refunded (all of it) or partly refunded."""
    sale = pkg["sale"]
    total = Decimal(sale["total"])
    paid = Decimal(pkg.get("paid", "0"))
    refunded = Decimal(pkg.get("refunded") or "0")
    if refunded > 0:
        return "refunded" if refunded >= paid else "partly refunded"
    if pkg["terms"]["payment"]["mode"] == "per-session" and total == 0:
        return "per session"
    if paid >= total:
        return "paid"
    return "partly paid" if paid > 0 else "unpaid"


def sell(
    owner_view: Mapping[str, Any],
    package: Any,
    *,
    currency: str,
    sale_date: date,
    invoice: str,
    price: Decimal | None = None,
    paid: Decimal | None = None,
    reference: str | None = None,
    assign: bool = False,
    share_with: tuple[str, ...] = (),
    regular_prices: Mapping[str, Decimal] | None = None,
    note: str | None = None,
    imported: Mapping[str, Any] | None = None,
    terms: Mapping[str, Any] | None = None,
    in_file: bool = False,
) -> dict[str, Any]:
    """The ``sold`` event for selling (or assigning) ``package`` to a client:
    the one place every ``sold`` event is made.

    ``share_with`` lists other clients who may book sessions on it (each
    linked to the owner with the use-packages permission); their bookings
    draw on this client package and record attendee and owner.
    ``imported`` (from ``imports.plan_import``) brings in a client package
    sold in another system: it may be of an inactive or not-for-sale
    package (it records a past sale), and starts with what was left there.

    ``terms`` is ``package.terms()`` when the caller has it already (a file
    selling one package many times computes it once; it is never changed).
    Errors carry the field they are about (``at_field``): ``share``,
    ``package``, ``price`` or ``paid``. ``in_file``: the sale is a row of a
    file of sales, so its messages name the row's ``share`` column rather
    than the option, and send a package not for sale to ``assign --csv``.
    """
    share = "the share column" if in_file else "--share"
    if owner_view["id"] in share_with:
        raise at_field(InputError(f"{owner_view['id']} owns the package; {share} names other clients"), "share")
    if len(set(share_with)) != len(share_with):
        raise at_field(InputError(f"{share} names the same client twice"), "share")
    if share_with:
        from .sharing import check_may_share
    for other in sorted(share_with):
        try:
            check_may_share(owner_view, other)  # a linked client with use-packages (rule 12)
        except RuleError as err:
            raise at_field(err, "share") from None
    if package.deleted:
        raise at_field(RuleError(f"package {package.id!r} was deleted; clone it to sell something like it"), "package")
    if imported is None and package.status != "active":
        raise at_field(RuleError(f"package {package.id!r} is inactive; activate it with 'sessionpack package edit {package.id} --active' to sell it"), "package")
    if imported is None and package.visibility == "not-for-sale" and not assign:
        fix = ("put its row in a file for 'sessionpack assign --csv FILE', which takes the same columns" if in_file
               else f"assign it with 'sessionpack assign {owner_view['id']} {package.id}'")
        raise at_field(RuleError(f"package {package.id!r} is not for sale; {fix}"), "package")
    if (imported is None or not imported.get("expires")) and ends_before(package.expiry, sale_date):
        if imported is None:
            fix = (f"give it a later date with 'sessionpack package edit {package.id} --expires \"on YYYY-MM-DD\"', "
                   "or sell another package")
        else:  # (a balance brought in with its own last valid day keeps that day instead)
            fix = "give the balance's last valid day in the expires column, or import it with another package"
        raise at_field(RuleError(f"package {package.id!r} is valid only through {package.expiry.on.isoformat()}, before "
                                 f"the sale date {sale_date.isoformat()}: it would be expired from the start; {fix}"),
                       "package")
    if terms is None:
        terms = package.terms()
    per_session = terms["payment"]["mode"] == "per-session"
    if per_session:
        if price is not None and price != 0:
            raise at_field(InputError(f"package {package.id!r} is paid per session: it has no price at sale (leave out --price)"), "price")
        net = tax = quantize(Decimal(0), currency)  # "0.00" in EUR, as every amount is recorded
    else:
        net = Decimal(terms["payment"]["price"]) if price is None else price
        tax = tax_on(net, Decimal(terms["payment"].get("tax", "0")), currency)
    total = net + tax
    amount_paid = total if paid is None else paid
    if amount_paid > total:
        raise at_field(InputError(f"paid {money_text(amount_paid)} is more than the sale's total {money_text(total)} {currency}"), "paid")
    number = owner_view["counters"]["p"] + 1
    from .valuation import at_sale as valuation_at_sale  # (folding a sale, as a balance or history does, never values one)

    sale: dict[str, Any] = {
        "date": sale_date.isoformat(),
        "price": money_text(net),
        "tax": money_text(tax),
        "total": money_text(total),
        "invoice": invoice,
        "reference": reference,
        "assigned": assign,
        "valuation": valuation_at_sale(terms, net, currency, regular_prices),  # fixed at the sale (see valuation)
    }
    if note:
        sale["note"] = note
    event: dict[str, Any] = {
        "type": "sold",
        "clients": [owner_view["id"], *sorted(share_with)],
        "shared_with": sorted(share_with),
        "client_package": client_package_id(owner_view["id"], number),
        "terms": terms,
        "sale": sale,
        "paid": money_text(amount_paid),
    }
    if imported is not None:
        event["imported"] = dict(imported)
    return event


def pay(pkg: Mapping[str, Any], amount: Decimal, currency: str, method: str = "", today: date | None = None) -> dict[str, Any]:
    """A ``paid`` event for a later payment on a client package (``today``:
    the day it is recorded on, not before the package began: ``dating``)."""
    if amount <= 0:
        raise InputError("the amount paid must be more than 0")
    if today is not None:
        check_not_before(pkg, today)
    if pkg.get("status") == "refunded":
        raise RuleError(f"{pkg['id']} is refunded; no payment can be recorded on it")
    if pkg.get("status") == "cancelled":
        # A cancelled package is closed: nothing is due on it (report sales,
        # outstanding), so a payment on it would be money owed for nothing.
        raise RuleError(f"{pkg['id']} is cancelled: nothing is due on it, so no payment can be recorded on it; "
                        f"if cancelling it was a mistake, undo that first (see 'sessionpack log --client {pkg['owner']}')")
    due = Decimal(pkg["sale"]["total"]) - Decimal(pkg.get("paid", "0"))
    if due <= 0:
        raise RuleError(f"{pkg['id']} is already paid in full")
    if amount > due:
        raise RuleError(f"{pkg['id']} has {money_text(due)} {currency} left to pay; {money_text(amount)} is more than that")
    method = check_line(method, "--method", 100, empty=True)
    return {"type": "paid", "clients": [pkg["owner"]], "client_package": pkg["id"], "amount": money_text(amount), "method": method}


# -- folding into views ---------------------------------------------------------


def new_package_record(cp_id: str, owner: str, event: Mapping[str, Any], at: Any, actor: Any,
                       shared_with: list[str]) -> dict[str, Any]:
    """A new client package as its owner's view holds it, from a ``sold`` or
    ``transferred`` event (``terms``, ``sale``, ``paid``, ``code_hash``, and
    ``imported`` for a balance brought in from another system): the one
    place the shape of a client package is defined. ``at`` and ``actor``
    stamp the sale."""
    sale = dict(event["sale"])
    sale["at"] = at
    sale["actor"] = actor
    record = {
        "id": cp_id,
        "owner": owner,
        "package": event["terms"]["id"],
        "terms": event["terms"],
        "sale": sale,
        "paid": event["paid"],
        "status": "active",
        "draws": {},
        "adjustments": {},
        "pauses": [],
        "shared_with": shared_with,
        "code_hash": event.get("code_hash"),
    }
    imported = event.get("imported")
    if imported:  # sold in another system: see imports
        record["imported"] = imported
        if imported.get("expires"):
            record["expires_set"] = imported["expires"]
            record["expires_set_seq"] = event.get("seq", 0)  # its own later pauses move it on
    return record


@handles("sold")
def _sold(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    cp_id = event["client_package"]
    owner = event["clients"][0]
    if me != owner:  # a client the package is shared with
        view.setdefault("shared_in", {})[cp_id] = owner
        return
    view["packages"][cp_id] = new_package_record(cp_id, me, event, event["at"], event["actor"],
                                                 list(event.get("shared_with", [])))
    view["counters"]["p"] = max(view["counters"]["p"], int(cp_id.rsplit(".p", 1)[1]))


@handles("paid")
def _paid(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    pkg = view["packages"][event["client_package"]]
    pkg["paid"] = money_text(Decimal(pkg["paid"]) + Decimal(event["amount"]))
