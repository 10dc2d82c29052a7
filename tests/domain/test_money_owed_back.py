"""The rules of money on a booking, pure: what is owed back, the one check
``link`` and ``move`` share, and --return / --forfeit without a package."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sessionpack.domain.bookings import change_status, check_paid_fits, owed_back
from sessionpack.errors import InputError, RuleError

from practice_data import at


def booking(**fields: str) -> dict:
    base = {"id": "ana.b1", "attendee": "ana", "status": "booked", "start": "2026-12-01T10:00:00+00:00", "price": "120.00",
            "fee": "120.00", "fee_tax": "27.60", "package": None, "owner": None, "draw": None}
    base.update(fields)
    return base


@pytest.mark.parametrize(("fields", "back"), [
    ({}, "0.00"),                                               # nothing paid
    ({"paid": "147.60"}, "0.00"),                               # paid, the fee unchanged
    ({"paid": "147.60", "fee": "0.00", "fee_tax": "0.00"}, "147.60"),   # paid, then cancelled or covered
    ({"paid": "100.00", "fee": "50.00", "fee_tax": "11.50"}, "38.50"),  # paid more than a lower fee
    ({"paid": "40.00", "fee": "50.00", "fee_tax": "11.50"}, "0.00"),    # partly paid: nothing back
])
def test_owed_back_is_what_was_paid_beyond_the_fee(fields, back) -> None:  # type: ignore[no-untyped-def]
    assert owed_back(booking(**fields), "EUR") == Decimal(back)
    assert str(owed_back(booking(**fields), "EUR")) == back


def test_check_paid_fits_refuses_unless_forced() -> None:
    paid = booking(paid="147.60")
    zero = Decimal("0.00")
    assert check_paid_fits(paid, Decimal("120.00"), Decimal("27.60"), currency="EUR", after="linked to ana.p1", verb="link",
                           forced=False) is None
    assert check_paid_fits(booking(), zero, zero, currency="EUR", after="linked to ana.p1", verb="link", forced=False) is None
    with pytest.raises(RuleError) as err:
        check_paid_fits(paid, zero, zero, currency="EUR", after="drawing on ana.p1 at the new time", verb="move", forced=False)
    assert str(err.value) == ("booking ana.b1 is already paid (147.60 EUR); drawing on ana.p1 at the new time it would cost 0.00, "
                              "so 147.60 would be paid too much; to move it anyway, add --force --reason R")
    assert check_paid_fits(paid, zero, zero, currency="EUR", after="x", verb="move", forced=True) == "already paid 147.60"


@pytest.mark.parametrize(("action", "override", "again"), [
    ("cancel", "forfeit", "cancel it without --forfeit"),
    ("cancel", "return", "cancel it without --return"),
    ("no-show", "forfeit", "mark it a no-show without --forfeit"),
])
def test_an_override_needs_a_package_to_act_on(action, override, again) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as err:
        change_status(booking(), None, action, now=at("2026-12-01T12:00"), currency="EUR", override=override, reason="r")
    assert str(err.value) == f"booking ana.b1 draws on no package, so --{override} has nothing to act on; {again}"
    plain = change_status(booking(), None, action, now=at("2026-12-01T12:00"), currency="EUR")
    assert plain["outcome"] is None
