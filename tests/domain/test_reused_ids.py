"""An event that gives out a booking or client package id a view holds already does not fit."""

from __future__ import annotations

import pytest

from sessionpack.domain import ledger


def view_of(client: str, packages: dict | None = None, bookings: dict | None = None) -> dict:
    view = ledger.empty_client_view(client)
    view["packages"] = packages or {}
    view["bookings"] = bookings or {}
    return view


def booked(booking_id: str, attendee: str, owner: str, package: str = "ana.p1") -> dict:
    return {"type": "booked", "seq": 9, "clients": sorted({attendee, owner}),
            "booking": {"id": booking_id, "attendee": attendee, "owner": owner, "package": package,
                        "draw": {"key": "massage", "amount": 1}, "start": "2026-03-06T10:00:00+00:00"}}


CASES = [
    # (view, event, what is given out again)
    (view_of("ana", bookings={"ana.b1": {"attendee": "ana"}}), booked("ana.b1", "ana", "ana"), "booking ana.b1"),
    (view_of("ana", packages={"ana.p1": {"draws": {"bruno.b1": {}}}}), booked("bruno.b1", "bruno", "ana"), "booking bruno.b1"),
    (view_of("ana", packages={"ana.p1": {}}), {"type": "sold", "seq": 9, "clients": ["ana"], "client_package": "ana.p1"},
     "client package ana.p1"),
    (view_of("bruno", packages={"bruno.p2": {}}),
     {"type": "transferred", "seq": 9, "clients": ["ana", "bruno"], "client_package": "ana.p1", "to_package": "bruno.p2"},
     "client package bruno.p2"),
]


@pytest.mark.parametrize("view, event, taken", CASES)
def test_an_id_given_out_again_does_not_fit(view: dict, event: dict, taken: str) -> None:
    assert ledger.taken_id(view, event) == taken
    with pytest.raises(ledger.IdTaken) as raised:
        ledger.dispatch(view, event)
    assert isinstance(raised.value, ValueError)  # (every fold names a ValueError's line as not fitting)
    assert str(raised.value) == f"it gives out {taken}, which {view['id']}'s earlier events gave out already"


def test_new_ids_and_other_clients_ids_fit() -> None:
    ana = view_of("ana", packages={"ana.p1": {"draws": {}}}, bookings={"ana.b1": {"attendee": "ana"}})
    assert ledger.taken_id(ana, booked("ana.b2", "ana", "ana")) is None
    assert ledger.taken_id(ana, booked("bruno.b1", "bruno", "ana")) is None  # a new draw on ana's package
    assert ledger.taken_id(ana, {"type": "sold", "clients": ["ana"], "client_package": "ana.p2"}) is None
    assert ledger.taken_id(ana, {"type": "sold", "clients": ["bruno", "ana"], "client_package": "bruno.p1"}) is None
    # The source of a transfer keeps its package: only the receiver's new one is given out.
    assert ledger.taken_id(ana, {"type": "transferred", "clients": ["ana", "bruno"], "client_package": "ana.p1",
                                 "to_package": "bruno.p1"}) is None
