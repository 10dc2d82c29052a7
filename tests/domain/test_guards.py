"""Sanity checks on a session's time, moving a booking, and currencies, pure
(rules 21, 25 and 28 of docs/rules.md).

No files: client views are built by folding stamped events, exactly as the
store does after a commit; the practice's calendar is an ``Agenda`` of
booking records, as the day views hold them.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessionpack.domain import balances
from sessionpack.domain.bookings import Session, change_status, choose, plan_booking, plan_series
from sessionpack.domain.currencies import CODES, REFUSED, check_code
from sessionpack.domain.guards import Agenda, Checks, SessionRefused, agenda_days, check_session
from sessionpack.domain.ledger import apply_to_client, empty_client_view
from sessionpack.domain.links import plan_link
from sessionpack.domain.money import minor_digits
from sessionpack.domain.moves import move_words, plan_move
from sessionpack.domain.packages import package_from_mapping
from sessionpack.domain.sales import sell
from sessionpack.domain.services import Service, check_capacity, service_from_mapping
from sessionpack.errors import InputError, RuleError

from practice_data import MASSAGE, NOW, SERVICES, SOLD, TZ, at

YOGA = Service("yoga", "Yoga class", 60, Decimal("15.00"), capacity=3)
PHYSIO = Service("physio", "Physio", 45, Decimal("55.00"), providers=("marta", "joao"))


def offer(pid: str = "five", **data: Any):  # type: ignore[no-untyped-def]
    base: dict[str, Any] = {"name": pid, "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}
    base.update(data)
    return package_from_mapping(pid, base, "EUR", SERVICES)


class Client:
    """One client's view, changed only by folding stamped events."""

    seq = 0

    def __init__(self, cid: str = "ana") -> None:
        self.id = cid
        self.view = empty_client_view(cid)
        self.record({"type": "client-added", "clients": [cid], "client": {"id": cid, "name": cid.title(), "email": "", "tags": []}})

    def record(self, event: dict[str, Any], now: datetime = NOW) -> dict[str, Any]:
        Client.seq += 1
        stamped = dict(copy.deepcopy(event), seq=Client.seq, at=now.isoformat(), actor="tester")
        apply_to_client(self.view, stamped)
        return stamped

    def sell(self, package: Any, day: date = SOLD) -> str:
        return self.record(sell(self.view, package, currency="EUR", sale_date=day, invoice="000001"))["client_package"]

    def book(self, start: str, service: Service = MASSAGE, provider: str | None = None, agenda: Agenda | None = None,
             **options: Any) -> dict[str, Any]:
        session = Session(self.id, service, at(start), service.duration, provider)
        event = plan_booking(self.view, {}, session, now=NOW, tz=TZ, currency="EUR",
                             checks=Checks(agenda or Agenda()), **options)
        return self.record(event)["booking"]

    def move(self, booking_id: str, start: str, agenda: Agenda | None = None, **options: Any) -> dict[str, Any]:
        event = plan_move(self.view["bookings"][booking_id], self.view, {}, at(start), catalog=MASSAGE,
                          checks=Checks(agenda or Agenda()), now=NOW, tz=TZ, currency="EUR", **options)
        return self.record(event)


def record(booking_id: str, start: str, provider: str | None = None, service: str = "massage", minutes: int = 60,
           status: str = "booked", attendee: str = "bob") -> dict[str, Any]:
    """A booking of another client, as the day views hold it."""
    return {"id": booking_id, "attendee": attendee, "service": service, "start": at(start).isoformat(),
            "duration": minutes, "provider": provider, "status": status}


def judge_time(start: str, agenda: list[dict[str, Any]], service: Service = MASSAGE, provider: str | None = None,
               who: str = "ana", **checks: Any) -> None:
    session = Session(who, service, at(start), service.duration, provider)
    check_session(session, service, Checks(Agenda(agenda), **checks), now=NOW, tz=TZ)


# ---------------------------------------------------------------- overlap (rule 21)

BUSY = "the practitioner is already booked then: bob.b1 (massage, 2026-12-01 10:00-11:00); " \
       "choose another time, or give --allow-overlap to book it anyway"


@pytest.mark.parametrize("start", ["2026-12-01T10:00", "2026-12-01T09:01", "2026-12-01T10:59", "2026-12-01T10:30"])
def test_an_overlap_of_the_one_practitioner_is_refused_naming_the_booking(start: str) -> None:
    with pytest.raises(SessionRefused) as err:
        judge_time(start, [record("bob.b1", "2026-12-01T10:00")])
    assert str(err.value) == BUSY
    assert err.value.exit_code == 1
    judge_time(start, [record("bob.b1", "2026-12-01T10:00")], allow_overlap=True)


@pytest.mark.parametrize("start", ["2026-12-01T09:00", "2026-12-01T11:00"])
def test_sessions_that_only_touch_do_not_overlap(start: str) -> None:
    judge_time(start, [record("bob.b1", "2026-12-01T10:00")])


@pytest.mark.parametrize("status,refused", [("booked", True), ("attended", True), ("no-show", True),
                                            ("cancelled", False), ("late-cancelled", False)])
def test_a_cancelled_session_frees_its_time(status: str, refused: bool) -> None:
    agenda = [record("bob.b1", "2026-12-01T10:00", status=status)]
    if refused:
        with pytest.raises(SessionRefused):
            judge_time("2026-12-01T10:30", agenda)
    else:
        judge_time("2026-12-01T10:30", agenda)


def test_each_provider_has_a_calendar_and_no_provider_is_the_one_practitioner() -> None:
    agenda = [record("bob.b1", "2026-12-01T10:00", provider="marta")]
    judge_time("2026-12-01T10:00", agenda)  # no provider: the practitioner, not marta
    judge_time("2026-12-01T10:00", agenda, provider="joao")
    with pytest.raises(SessionRefused) as err:
        judge_time("2026-12-01T10:15", agenda + [record("cy.b4", "2026-12-01T10:45", provider="marta", minutes=30)],
                   provider="marta")
    assert str(err.value) == ("marta is already booked then: bob.b1 (massage, 2026-12-01 10:00-11:00) and 1 more; "
                              "choose another time, or give --allow-overlap to book it anyway")


def test_a_long_session_the_day_before_is_seen() -> None:
    agenda = [record("bob.b1", "2026-11-30T23:00", minutes=120)]
    with pytest.raises(SessionRefused) as err:
        judge_time("2026-12-01T00:30", agenda)
    # The end names its day when it is another than the start's.
    assert str(err.value).startswith("the practitioner is already booked then: bob.b1 (massage, 2026-11-30 23:00-2026-12-01 01:00)")
    assert agenda_days([(at("2026-12-01T00:30"), 60)], TZ) == ["2026-11-30", "2026-12-01"]
    assert agenda_days([(at("2026-12-01T23:30"), 60)], TZ) == ["2026-11-30", "2026-12-01", "2026-12-02"]


def test_a_time_the_clocks_repeat_is_shown_with_its_offset() -> None:
    """Lisbon's clocks go back at 02:00 on 25 October 2026: 01:30 happens twice."""
    from zoneinfo import ZoneInfo

    from sessionpack.domain.datetimes import clock_text

    lisbon = ZoneInfo("Europe/Lisbon")
    first = datetime.fromisoformat("2026-10-25T01:30+01:00").astimezone(lisbon)
    second = datetime.fromisoformat("2026-10-25T01:30+00:00").astimezone(lisbon)
    assert (clock_text(first), clock_text(second)) == ("01:30+01:00", "01:30+00:00")
    assert clock_text(datetime.fromisoformat("2026-10-25T02:30+00:00").astimezone(lisbon)) == "02:30"
    assert clock_text(datetime.fromisoformat("2026-03-29T03:30+01:00").astimezone(lisbon)) == "03:30"  # after the gap


# ---------------------------------------------------------------- group classes (rule 21)


def test_a_class_shares_its_start_up_to_its_capacity() -> None:
    agenda = [record("bob.b1", "2026-12-01T18:00", service="yoga"), record("cy.b1", "2026-12-01T18:00", service="yoga", attendee="cy")]
    judge_time("2026-12-01T18:00", agenda, service=YOGA)
    full = agenda + [record("dan.b1", "2026-12-01T18:00", service="yoga", attendee="dan")]
    message = ("yoga at 2026-12-01 18:00 is full (3 of 3 places taken); choose another time, "
               "or raise its capacity with 'sessionpack service edit yoga --capacity N'")
    for allow in (False, True):  # --allow-overlap adds no places
        with pytest.raises(SessionRefused) as err:
            judge_time("2026-12-01T18:00", full, service=YOGA, allow_overlap=allow)
        assert str(err.value) == message
    cancelled = agenda + [record("dan.b1", "2026-12-01T18:00", service="yoga", attendee="dan", status="cancelled")]
    judge_time("2026-12-01T18:00", cancelled, service=YOGA)


def test_a_class_is_no_overlap_only_at_the_same_start_with_the_same_provider() -> None:
    agenda = [record("bob.b1", "2026-12-01T18:00", service="yoga")]
    with pytest.raises(SessionRefused) as err:
        judge_time("2026-12-01T18:30", agenda, service=YOGA)
    assert str(err.value).startswith("the practitioner is already booked then: bob.b1 (yoga, 2026-12-01 18:00-19:00)")
    judge_time("2026-12-01T18:00", agenda, service=YOGA, provider="rita")  # another teacher's class
    with pytest.raises(SessionRefused):
        judge_time("2026-12-01T18:00", [record("bob.b1", "2026-12-01T18:00")], service=YOGA)  # a massage then


def test_one_client_twice_in_a_class_is_refused() -> None:
    agenda = [record("ana.b1", "2026-12-01T18:00", service="yoga", attendee="ana")]
    with pytest.raises(SessionRefused) as err:
        judge_time("2026-12-01T18:00", agenda, service=YOGA)
    assert str(err.value) == "ana already has a place in yoga at 2026-12-01 18:00 (ana.b1); give --allow-overlap if a second one is meant"
    judge_time("2026-12-01T18:00", agenda, service=YOGA, allow_overlap=True)


# ---------------------------------------------------------------- a year away, providers (rule 21)


@pytest.mark.parametrize("start,side", [("2027-11-21T10:00", "after"), ("2025-11-19T10:00", "before"),
                                        ("2028-11-20T10:00", "after")])
def test_a_session_more_than_a_year_away_needs_force(start: str, side: str) -> None:
    with pytest.raises(SessionRefused) as err:
        judge_time(start, [])
    assert str(err.value) == (f"the session on {start[:10]} is more than a year {side} today (2026-11-20); "
                              "check the date, or give --force if it is right")
    judge_time(start, [], force=True)


@pytest.mark.parametrize("start", ["2027-11-20T23:00", "2025-11-20T00:00", "2026-11-20T08:00"])
def test_a_year_to_the_day_is_allowed(start: str) -> None:
    judge_time(start, [])


def test_a_provider_the_service_does_not_list_is_refused() -> None:
    with pytest.raises(SessionRefused) as err:
        judge_time("2026-12-01T10:00", [], service=PHYSIO, provider="rita")
    assert str(err.value) == ("rita does not give physio (its providers: marta, joao); book one of them with --provider, "
                              "or add rita with 'sessionpack service edit physio --provider ...'")
    judge_time("2026-12-01T10:00", [], service=PHYSIO, provider="joao")
    judge_time("2026-12-01T10:00", [], service=PHYSIO)  # no provider: the practice's one practitioner
    judge_time("2026-12-01T10:00", [], provider="rita")  # a service without a list: anyone


def test_a_series_names_the_session_refused_and_books_nothing() -> None:
    ana = Client()
    sessions = [Session("ana", MASSAGE, at(f"2026-12-{day:02d}T10:00"), 60) for day in (1, 8, 15)]
    agenda = Agenda([record("bob.b1", "2026-12-08T10:30")])
    with pytest.raises(SessionRefused) as err:
        plan_series(ana.view, {}, sessions, now=NOW, tz=TZ, currency="EUR", checks=Checks(agenda))
    assert str(err.value) == ("session 2 of the series (2026-12-08 10:00): the practitioner is already booked then: "
                              "bob.b1 (massage, 2026-12-08 10:30-11:30); choose another time, or give --allow-overlap to book it anyway")
    assert len(plan_series(ana.view, {}, sessions, now=NOW, tz=TZ, currency="EUR", checks=Checks(agenda, allow_overlap=True))) == 3
    daily = [Session("ana", MASSAGE, at(f"2026-12-01T{hour:02d}:00"), 90) for hour in (10, 11)]  # a series whose dates overlap
    with pytest.raises(SessionRefused) as err:
        plan_series(ana.view, {}, daily, now=NOW, tz=TZ, currency="EUR", checks=Checks())
    assert str(err.value).startswith("session 2 of the series (2026-12-01 11:00): the practitioner is already booked then: ana.b1")


def test_a_deleted_service_is_never_booked() -> None:
    ana = Client()
    gone = Service("massage", "Massage 60", 60, Decimal("90.00"), deleted=True)
    ana.sell(offer())
    with pytest.raises(RuleError) as err:
        ana.book("2026-12-01T10:00", service=gone)
    assert str(err.value) == "service 'massage' was deleted and cannot be booked; see 'sessionpack service list'"


# ---------------------------------------------------------------- sold after the session (rule 21)


def test_a_package_sold_after_the_session_never_pays_for_it_by_itself() -> None:
    ana = Client()
    ana.sell(offer(), day=date(2026, 1, 5))
    session = Session("ana", MASSAGE, at("2025-12-08T10:00"), 60)
    chosen, why, rejected = choose(list(ana.view["packages"].values()), session, NOW, TZ)
    assert (chosen, rejected) == (None, ["ana.p1: sold on 2026-01-05, after the session on 2025-12-08"])
    event = plan_booking(ana.view, {}, session, now=NOW, tz=TZ, currency="EUR")
    assert event["booking"]["package"] is None
    assert event["booking"]["why"] == "no eligible package: ana.p1: sold on 2026-01-05, after the session on 2025-12-08"
    with pytest.raises(RuleError) as err:
        plan_booking(ana.view, {}, session, now=NOW, tz=TZ, currency="EUR", package="ana.p1")
    assert str(err.value) == ("ana.p1 cannot pay for this session: sold on 2026-01-05, after the session on 2025-12-08; "
                              "book it without --package, then 'sessionpack link BOOKING ana.p1 --reason R' if it is meant")
    on_the_day = Session("ana", MASSAGE, at("2026-01-05T10:00"), 60)
    assert plan_booking(ana.view, {}, on_the_day, now=NOW, tz=TZ, currency="EUR")["booking"]["package"] == "ana.p1"


def test_link_draws_on_a_package_sold_after_the_session_only_with_a_reason() -> None:
    ana = Client()
    ana.sell(offer(), day=date(2026, 1, 5))
    booking = ana.record(plan_booking(ana.view, {}, Session("ana", MASSAGE, at("2025-12-08T10:00"), 60), now=NOW, tz=TZ,
                                      currency="EUR"))["booking"]
    booking = ana.view["bookings"][booking["id"]]
    with pytest.raises(RuleError) as err:
        plan_link(booking, ana.view, ana.view, "ana.p1", now=NOW, tz=TZ, currency="EUR")
    assert str(err.value) == ("ana.p1 was sold on 2026-01-05, after the session on 2025-12-08; to link it anyway, "
                              "give --reason R (it stays in the history)")
    event = plan_link(booking, ana.view, ana.view, "ana.p1", now=NOW, tz=TZ, currency="EUR", reason="paid with the new package")
    assert (event["draw"], event["forced"]) == ({"key": "massage", "amount": 1}, "sold on 2026-01-05, after the session on 2025-12-08")
    ana.record(event)
    assert balances.remaining(ana.view["packages"]["ana.p1"], "massage") == 4


# ---------------------------------------------------------------- marking before the start (rule 21)


@pytest.mark.parametrize("action,words", [("attend", "attended"), ("no-show", "a no-show")])
def test_marking_before_the_start_needs_force(action: str, words: str) -> None:
    ana = Client()
    ana.sell(offer())
    ana.book("2026-12-01T10:00")
    booking = ana.view["bookings"]["ana.b1"]
    with pytest.raises(RuleError) as err:
        change_status(booking, ana.view, action, now=at("2026-12-01T09:59"), currency="EUR")
    assert str(err.value) == (f"ana.b1 starts at 2026-12-01 10:00, after now (2026-12-01 09:59): it cannot be marked {words} "
                              "before it starts; give --force if it is right")
    assert change_status(booking, ana.view, action, now=at("2026-12-01T10:00"), currency="EUR")["booking"] == "ana.b1"
    assert change_status(booking, ana.view, action, now=at("2026-11-20T09:00"), currency="EUR", force=True)["booking"] == "ana.b1"
    assert change_status(booking, ana.view, "cancel", now=at("2026-11-20T09:00"), currency="EUR")["type"] == "cancelled"


# ---------------------------------------------------------------- moving (rule 25)


def test_a_move_keeps_the_package_and_first_use_follows() -> None:
    ana = Client()
    cp = ana.sell(offer(expiry="1 month from first use"))
    ana.book("2026-12-01T10:00")
    assert balances.expiry(ana.view["packages"][cp]) == date(2027, 1, 1)
    event = ana.move("ana.b1", "2026-12-10T15:00")
    assert event["why"] == "the same package, still eligible at the new time"
    assert (event["from"], event["to"], event["from_package"], event["package"]) == (
        "2026-12-01T10:00:00+00:00", "2026-12-10T15:00:00+00:00", "ana.p1", "ana.p1")
    assert move_words(event) == "ana.b1 moved from 2026-12-01 10:00 to 2026-12-10 15:00; draws 1 massage from ana.p1"
    assert balances.expiry(ana.view["packages"][cp]) == date(2027, 1, 10)
    assert ana.view["bookings"]["ana.b1"]["start"] == "2026-12-10T15:00:00+00:00"
    assert ana.view["packages"][cp]["draws"]["ana.b1"]["date"] == "2026-12-10"
    assert balances.remaining(ana.view["packages"][cp], "massage") == 4


def test_a_move_past_the_package_chooses_again_and_says_why() -> None:
    ana = Client()
    ana.sell(offer("short", expiry="on 2026-12-31"))
    ana.sell(offer("long"))
    assert ana.book("2026-12-01T10:00")["package"] == "ana.p1"
    event = ana.move("ana.b1", "2027-01-05T10:00")
    assert event["why"] == "ana.p1 cannot pay at the new time (expires on 2026-12-31, before the session on 2027-01-05); the only eligible package"
    assert move_words(event) == "ana.b1 moved from 2026-12-01 10:00 to 2027-01-05 10:00; draws 1 massage from ana.p2 (was ana.p1)"
    assert balances.remaining(ana.view["packages"]["ana.p1"], "massage") == 5
    assert balances.remaining(ana.view["packages"]["ana.p2"], "massage") == 4


def test_a_move_to_no_eligible_package_goes_to_the_regular_fee_and_back_needs_package() -> None:
    ana = Client()
    ana.sell(offer(expiry="on 2026-12-31"))
    ana.book("2026-12-01T10:00")
    event = ana.move("ana.b1", "2027-01-05T10:00")
    assert (event["package"], event["draw"], event["fee"]) == (None, None, "90.00")
    assert event["why"] == ("ana.p1 cannot pay at the new time (expires on 2026-12-31, before the session on 2027-01-05); "
                            "no eligible package: ana.p1: expires on 2026-12-31, before the session on 2027-01-05")
    back = ana.move("ana.b1", "2026-12-02T10:00")  # a booking at the regular fee stays at it
    assert (back["package"], back["why"]) == (None, "at the regular fee, as before the move")
    chosen = ana.move("ana.b1", "2026-12-03T10:00", package="ana.p1")
    assert (chosen["package"], chosen["fee"], chosen["why"]) == ("ana.p1", "0.00", "chosen with --package")
    off = ana.move("ana.b1", "2026-12-04T10:00", no_package=True)
    assert (off["package"], off["why"]) == (None, "moved without a package (--no-package)")
    assert balances.remaining(ana.view["packages"]["ana.p1"], "massage") == 5


def test_a_move_is_checked_like_a_booking_but_not_against_itself() -> None:
    ana = Client()
    ana.sell(offer())
    ana.book("2026-12-01T10:00")
    own = Agenda([record("ana.b1", "2026-12-01T10:00", attendee="ana")])
    assert ana.move("ana.b1", "2026-12-01T10:30", agenda=own)["to"] == "2026-12-01T10:30:00+00:00"
    with pytest.raises(SessionRefused) as err:
        ana.move("ana.b1", "2026-12-02T10:00", agenda=Agenda([record("bob.b1", "2026-12-02T10:30")]))
    assert str(err.value).startswith("the practitioner is already booked then: bob.b1")
    with pytest.raises(SessionRefused):
        ana.move("ana.b1", "2028-01-01T10:00")


def test_what_cannot_be_moved() -> None:
    ana = Client()
    ana.sell(offer())
    ana.book("2026-12-01T10:00")
    with pytest.raises(RuleError) as err:
        ana.move("ana.b1", "2026-12-01T10:00")
    assert str(err.value) == "booking ana.b1 is already at 2026-12-01 10:00; nothing to move"
    ana.record(change_status(ana.view["bookings"]["ana.b1"], ana.view, "cancel", now=NOW, currency="EUR"))
    with pytest.raises(RuleError) as err:
        ana.move("ana.b1", "2026-12-02T10:00")
    assert str(err.value) == "booking ana.b1 is cancelled: only a booked session can be moved"
    b2 = ana.book("2026-12-05T10:00", no_package=True)
    ana.record(plan_link(ana.view["bookings"][b2["id"]], ana.view, ana.view, "ana.p1", now=NOW, tz=TZ, currency="EUR", no_count=True))
    with pytest.raises(RuleError) as err:
        ana.move("ana.b2", "2026-12-06T10:00")
    assert str(err.value) == "booking ana.b2 was linked to ana.p1 by hand; unlink it ('sessionpack unlink ana.b2'), move it, then link it again"


# ---------------------------------------------------------------- services and currencies (rules 21 and 28)


def test_capacity_in_the_catalog() -> None:
    yoga = service_from_mapping("yoga", {"name": "Yoga", "duration": 60, "price": "15", "capacity": 12}, "EUR")
    assert (yoga.capacity, yoga.to_mapping()["capacity"]) == (12, 12)
    single = service_from_mapping("m", {"name": "M", "duration": 60, "price": "15", "capacity": 1}, "EUR")
    assert single.capacity is None and "capacity" not in single.to_mapping()
    for bad, message in ((0, "capacity must be between 1 and 10000 places, not 0"), ("x", "capacity must be a whole number of places, e.g. 12, not 'x'"),
                         (True, "capacity must be a whole number of places, e.g. 12, not true"), (1.5, "capacity must be a whole number of places, e.g. 12, not 1.5")):
        with pytest.raises(InputError) as err:
            check_capacity(bad)
        assert str(err.value) == message


@given(st.one_of(st.text(max_size=12), st.integers(), st.floats(), st.booleans(), st.none()))
def test_the_capacity_parser_never_crashes(value: Any) -> None:
    try:
        places = check_capacity(value)
    except InputError:
        return
    assert places is None or 2 <= places <= 10000


def test_currencies_are_iso_4217_codes() -> None:
    assert check_code("eur") == "EUR"
    assert check_code("JPY") == "JPY" and minor_digits("JPY") == 0
    for bad in ("ABC", "EURO", "", "€"):
        with pytest.raises(InputError) as err:
            check_code(bad)
        assert str(err.value) == f"currency {bad!r} is not an ISO 4217 code; use one such as EUR, USD, GBP, BRL or JPY"
    for bad, why in (("XAU", "a precious metal, not money a practice is paid in"),
                     ("xdr", "a unit of account, not money a practice is paid in"),
                     ("XXX", "the code ISO 4217 keeps for no currency at all"),
                     ("XTS", "the code ISO 4217 keeps for testing"),
                     ("CLF", "a unit of account with four decimal places; amounts here have at most three")):
        with pytest.raises(InputError) as err:
            check_code(bad)
        assert str(err.value) == f"currency {bad!r} is in ISO 4217, but as {why}; use one such as EUR, USD, GBP, BRL or JPY"
    assert set(REFUSED).isdisjoint(CODES)
    assert {"EUR", "USD", "GBP", "BRL", "CHF", "KWD", "XOF"} <= CODES
    assert all(len(code) == 3 and code.isalpha() and code.isupper() and minor_digits(code) in (0, 2, 3) for code in CODES)


@given(st.text(max_size=6))
def test_the_currency_parser_never_crashes(text: str) -> None:
    try:
        code = check_code(text)
    except InputError:
        return
    assert code in CODES
