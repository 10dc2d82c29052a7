"""What pays for a booking: a client package (link, unlink) or money (rule 7 of docs/rules.md).

Linking draws on a client package exactly as booking would — one session,
the booked minutes, or the price stored on the booking from a money pool
(paying what the balance has) — and recomputes the booking's fee, so a link
is also how a package pays for an existing, unpaid booking. Unlinking gives
back exactly what the package holds for the booking and leaves the booking
booked, on its own, at its regular fee. A booking's own payments are
``booking-paid`` events; its payment state is computed from fee and paid.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from .text import check_reason
from ..errors import InputError, RuleError
from . import balances
from . import bookings  # module, not names: bookings imports the ledger, which imports this module
from .ledger import handles
from .money import money_text, quantize, tax_on
from .packages import package_from_terms, restrictions_allow
from .services import Service

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

LINKABLE = ("booked", "attended")
UNLINKABLE = ("booked", "attended", "no-show")
FORCE_HINT = "to link it anyway, add --force --reason R"


def booking_service(booking: Mapping[str, Any]) -> Service:
    """The service as it was booked: the price and tax rate stored on the booking."""
    return Service(booking["service"], booking.get("service_name") or booking["service"], int(booking["duration"]),
                   Decimal(booking["price"]), tax=Decimal(booking["tax_rate"]))


def session_of(booking: Mapping[str, Any], service: Service) -> bookings.Session:
    return bookings.Session(booking["attendee"], service, datetime.fromisoformat(booking["start"]), int(booking["duration"]),
                   booking.get("provider"))


def may_use(attendee_view: Mapping[str, Any], owner_view: Mapping[str, Any], cp_id: str) -> bool:
    """The attendee owns the package, or may use it as booking would (shared with them)."""
    owners = {} if owner_view["id"] == attendee_view["id"] else {owner_view["id"]: owner_view}
    return any(p["id"] == cp_id for p in bookings.usable_packages(attendee_view, owners))


def included_text(terms: Mapping[str, Any]) -> str:
    contents = terms["contents"]
    if "sessions" in contents:
        return ", ".join(sorted(contents["sessions"]))
    services = contents.get("services", "all")
    return "every service" if services == "all" else ", ".join(services)


def _blocker(pkg: Mapping[str, Any], session: "bookings.Session", now: datetime, tz: ZoneInfo) -> str | None:
    """Why a package cannot take a session at all, whatever it includes or holds
    (for a link that draws nothing)."""
    state = pkg.get("status", "active")
    if state in ("cancelled", "refunded"):
        return state
    if pkg.get("expired_at"):
        return "expired"
    day = session.start.astimezone(tz).date()
    last_day = balances.expiry(pkg)
    limits = pkg["terms"]["policies"].get("expiry_limits", "session")
    judged_day = day if limits == "session" else now.astimezone(tz).date()
    if last_day is not None and judged_day > last_day:
        what = "the session" if limits == "session" else "booking"
        return f"expires on {last_day.isoformat()}, before {what} on {judged_day.isoformat()}"
    for pause in pkg.get("pauses", []):
        end = pause.get("ended") or pause["until"]
        if pause["from"] <= day.isoformat() <= end:
            return f"paused from {pause['from']} to {end}"
    refused = restrictions_allow(package_from_terms(pkg["terms"]), session.start.astimezone(tz), session.duration,
                                 session.provider, tz=tz)
    if refused:
        return refused
    if balances.is_used_up(pkg):
        return "used up"
    return None


def _forced_amount(pkg: Mapping[str, Any], key: str, session: "bookings.Session") -> Any:
    """What a forced link draws: what the session needs, even past the balance
    (a money pool pays what it has, or the whole price when it has nothing)."""
    left = balances.remaining(pkg, key)
    if left == balances.UNLIMITED:
        return 1
    if key == "minutes":
        return session.duration
    if key == "money":
        return min(left, session.service.price) if left > 0 else session.service.price
    return 1


def _no_count_fee(pkg: Mapping[str, Any], booking: Mapping[str, Any], currency: str) -> tuple[Decimal, Decimal]:
    """A link without drawing: covered by an upfront package; a per-session
    package bills its fee for the service, or the regular fee if it has none."""
    payment = pkg["terms"]["payment"]
    rate = Decimal(booking["tax_rate"])
    if payment["mode"] == "per-session":
        fee = payment.get("fees", {}).get(booking["service"])
        net = Decimal(fee) if fee is not None else Decimal(booking["price"])
        return net, tax_on(net, rate, currency)
    zero = quantize(Decimal(0), currency)
    return zero, zero


def plan_link(
    booking: Mapping[str, Any],
    attendee_view: Mapping[str, Any],
    owner_view: Mapping[str, Any],
    cp_id: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    currency: str,
    count_as: Service | None = None,
    no_count: bool = False,
    force: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    """The ``linked`` event for linking ``booking`` to client package ``cp_id``
    (held in ``owner_view``; the attendee's view says what is shared with them)."""
    pkg = owner_view["packages"][cp_id]
    bid, cp = booking["id"], cp_id
    if count_as is not None and no_count:
        raise InputError("give either --count-as SERVICE or --no-count, not both")
    if force and not reason:
        raise InputError("--force needs --reason R (it stays in the history)")
    reason = check_reason(reason)
    if booking.get("package"):
        raise RuleError(f"booking {bid} is already linked to {booking['package']}; unlink it first with 'sessionpack unlink {bid}'")
    if booking["status"] not in LINKABLE:
        raise RuleError(f"booking {bid} is {booking['status']}: only booked or attended sessions can be linked "
                        f"(to take a session from {cp} for it, use 'sessionpack adjust {cp} ... --reason R')")
    if not may_use(attendee_view, owner_view, cp):
        raise bookings.cannot_use(booking["attendee"], cp, pkg["owner"])  # the refusal of book --package too
    service = count_as or booking_service(booking)
    session = session_of(booking, service)
    # A package sold after the session never pays for it by itself (rule 21);
    # a person may link it, saying why.
    late_sale = bookings.sold_after(pkg, session.start.astimezone(tz).date())
    if late_sale and not reason:
        raise RuleError(f"{cp} was {late_sale}; to link it anyway, give --reason R (it stays in the history)")
    draw: dict[str, Any] | None = None
    if no_count:
        blocker = _blocker(pkg, session, now, tz)
        fee, fee_tax = _no_count_fee(pkg, booking, currency)
    else:
        key = balances.balance_key(pkg["terms"], service.id)
        if key is None and count_as is not None:
            raise RuleError(f"{cp} does not include {service.id} either (--count-as); it includes {included_text(pkg['terms'])}")
        if key is None:
            raise RuleError(f"{cp} does not include {service.id}; say how to count it: --count-as SERVICE "
                            f"(it includes {included_text(pkg['terms'])}) or --no-count")
        verdict = bookings.judge(pkg, session, now, tz, before_sale=True)
        if isinstance(verdict, str):
            blocker, amount = verdict, _forced_amount(pkg, key, session)
        else:
            blocker, amount = None, verdict.amount
        fee, fee_tax = bookings.fee_for(session, bookings.Candidate(pkg, key, amount, None, 0), currency)
        draw = {"key": key, "amount": money_text(amount) if isinstance(amount, Decimal) else amount}
    forced = [late_sale] if late_sale else []
    if blocker:
        if not force:
            raise RuleError(f"{cp} cannot pay for {bid}: {blocker}; {FORCE_HINT}")
        forced.append(blocker)
    too_much = bookings.check_paid_fits(booking, fee, fee_tax, currency=currency, after=f"linked to {cp}", verb="link",
                                        forced=force)
    if too_much:
        forced.append(too_much)
    owner = pkg["owner"]
    event: dict[str, Any] = {
        "type": "linked",
        "clients": [booking["attendee"]] + ([owner] if owner != booking["attendee"] else []),
        "booking": bid,
        "package": cp,
        "owner": owner,
        "attendee": booking["attendee"],
        "date": booking["start"][:10],
        "service": booking["service"],
        "counted_as": count_as.id if count_as is not None else None,
        "draw": draw,
        "draw_state": "used" if booking["status"] == "attended" else "scheduled",
        "fee": money_text(fee),
        "fee_tax": money_text(fee_tax),
        "forced": "; ".join(forced) or None,
    }
    if reason:
        event["reason"] = reason
    return event


def plan_unlink(booking: Mapping[str, Any], owner_view: Mapping[str, Any], *, currency: str, reason: str | None = None) -> dict[str, Any]:
    """The ``unlinked`` event: the package gets back what it holds for the booking;
    the booking stays, at its regular fee (its own price and tax rate)."""
    bid, cp = booking["id"], booking.get("package")
    if not cp:
        raise RuleError(f"booking {bid} is not linked to any package; nothing to unlink "
                        f"(to link it: 'sessionpack link {bid} CLIENT-PACKAGE')")
    if booking["status"] not in UNLINKABLE:
        raise RuleError(f"booking {bid} is {booking['status']}: what it drew from {cp} was settled then; "
                        f"only booked, attended or no-show sessions can be unlinked (to correct {cp}, use 'sessionpack adjust {cp} ... --reason R')")
    pkg = owner_view["packages"][cp]
    held = pkg["draws"].get(bid)
    price = Decimal(booking["price"])
    event: dict[str, Any] = {
        "type": "unlinked",
        "clients": [booking["attendee"]] + ([pkg["owner"]] if pkg["owner"] != booking["attendee"] else []),
        "booking": bid,
        "package": cp,
        "owner": pkg["owner"],
        "returned": {"key": held["key"], "amount": held["amount"]} if held else None,
        "fee": money_text(price),
        "fee_tax": money_text(tax_on(price, Decimal(booking["tax_rate"]), currency)),
    }
    if reason:
        event["reason"] = reason
    return event


# -- a booking's own payments ---------------------------------------------------


def booking_payment(booking: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """fee (with tax), paid, due and payment state of a booking (``bookings.booking_payment``)."""
    return bookings.booking_payment(booking, currency)


def pay_booking(booking: Mapping[str, Any], amount: Decimal, currency: str, method: str = "") -> dict[str, Any]:
    """A ``booking-paid`` event: money paid towards a booking's fee."""
    if amount <= 0:
        raise InputError("the amount paid must be more than 0")
    state = booking_payment(booking, currency)
    due = Decimal(state["due"])
    if due <= 0:
        if Decimal(state["total"]) == 0:
            raise RuleError(f"booking {booking['id']} has nothing to pay ({state['payment']})")
        raise RuleError(f"booking {booking['id']} is already paid in full")
    if amount > due:
        raise RuleError(f"booking {booking['id']} has {money_text(due)} {currency} left to pay; {money_text(amount)} is more than that")
    return {"type": "booking-paid", "clients": [booking["attendee"]], "booking": booking["id"], "amount": money_text(amount), "method": method}


# -- folding into views -----------------------------------------------------------


def link_words(event: Mapping[str, Any]) -> str:
    """'ana.b3 linked to ana.p1 (counted as massage); draws 1 massage' and the like."""
    head = f"{event['booking']} linked to {event['package']}"
    if not event["draw"]:
        head = f"{event['booking']} linked without drawing to {event['package']}"
    elif event.get("counted_as"):
        head += f" (counted as {event['counted_as']})"
    if event["draw"]:
        head += f"; draws {balances.plain(event['draw']['amount'])} {event['draw']['key']}"
    if event.get("forced"):
        head += f"; forced past: {event['forced']}"
    return head


def unlink_words(event: Mapping[str, Any]) -> str:
    """'ana.b3 unlinked from ana.p1; returns 1 massage'."""
    back = event.get("returned")
    tail = f"returns {balances.plain(back['amount'])} {back['key']}" if back else "nothing to return"
    return f"{event['booking']} unlinked from {event['package']}; {tail}"


@handles("linked")
def _linked(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    bid = event["booking"]
    booking = view["bookings"].get(bid)
    if booking is not None and booking["attendee"] == me:
        bookings.take_payment(booking, event)
        booking["why"] = "linked by hand" + ("" if event["draw"] else ", without drawing") + (
            f", counted as {event['counted_as']}" if event.get("counted_as") else "") + (
            f"; forced past: {event['forced']}" if event.get("forced") else "")
        if event.get("counted_as"):
            booking["counted_as"] = event["counted_as"]
    if event["owner"] == me and event["draw"]:
        view["packages"][event["package"]]["draws"][bid] = {
            "key": event["draw"]["key"],
            "amount": event["draw"]["amount"],
            "state": event["draw_state"],
            "date": event["date"],
            "attendee": event["attendee"],
        }


@handles("unlinked")
def _unlinked(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    bid = event["booking"]
    booking = view["bookings"].get(bid)
    if booking is not None and booking["attendee"] == me:
        booking["package"] = None
        booking["owner"] = None
        booking["draw"] = None
        booking["fee"] = event["fee"]
        booking["fee_tax"] = event["fee_tax"]
        booking["why"] = f"unlinked from {event['package']}: at the regular fee"
        booking.pop("counted_as", None)
    if event["owner"] == me and event["package"] in view["packages"]:
        balances.give_back(view["packages"][event["package"]], bid)


@handles("booking-paid")
def _booking_paid(view: dict[str, Any], event: dict[str, Any], me: str) -> None:
    booking = view["bookings"][event["booking"]]
    booking["paid"] = money_text(Decimal(booking.get("paid") or 0) + Decimal(event["amount"]))
