"""The expiry sweep and the notice rules, pure."""

from __future__ import annotations

import copy
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessionpack.domain import balances, ledger, notices, outbox, sweep
from sessionpack.domain.adjustments import Change, plan_adjust
from sessionpack.domain.bookings import Session, change_status, plan_booking
from sessionpack.domain.datetimes import day_start, parse_datetime
from sessionpack.domain.notice_settings import split_sender
from sessionpack.domain.packages import package_from_mapping
from sessionpack.domain.pauses import plan_pause
from sessionpack.domain.sales import sell
from sessionpack.errors import InputError, RuleError
from sessionpack.notify.messages import valid_for
from sessionpack.reports.balances import describe_event, history_rows, package_summary

from practice_data import MASSAGE, NOW, SERVICES, SOLD, TZ, at

RULES = notices.Rules(expiring_days=(30, 7))


def offer(pid: str = "five", **data: Any):  # type: ignore[no-untyped-def]
    base: dict[str, Any] = {"name": "5 massages", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}
    base.update(data)
    return package_from_mapping(pid, base, "EUR", SERVICES)


class Practice:
    """Client views folded from events, as the store folds them."""

    def __init__(self) -> None:
        self.views: dict[str, dict[str, Any]] = {}
        self.seq = 0

    def add(self, cid: str, email: str = "", **record: Any) -> None:
        self.record({"type": "client-added", "clients": [cid],
                     "client": {"id": cid, "name": cid.title(), "email": email or f"{cid}@example.com", "tags": [], **record}})

    def record(self, event: dict[str, Any], now: datetime = NOW) -> dict[str, Any]:
        self.seq += 1
        stamped = dict(copy.deepcopy(event), seq=self.seq, at=now.isoformat(), actor="tester")
        for cid in stamped["clients"]:
            view = self.views.setdefault(cid, ledger.empty_client_view(cid))
            ledger.apply_to_client(view, stamped)
        return stamped

    def sell(self, cid: str, package: Any, day: date = SOLD) -> str:
        return self.record(sell(self.views[cid], package, currency="EUR", sale_date=day, invoice="000001"))["client_package"]

    def book(self, cid: str, start: str, now: datetime = NOW) -> str:
        session = Session(cid, MASSAGE, at(start), 60)
        return self.record(plan_booking(self.views[cid], {}, session, now=now, tz=TZ, currency="EUR"), now)["booking"]["id"]

    def change(self, cid: str, booking: str, action: str, now: datetime = NOW) -> None:
        view = self.views[cid]
        self.record(change_status(view["bookings"][booking], view, action, now=now, currency="EUR"), now)

    def pkg(self, cp: str) -> dict[str, Any]:
        return self.views[cp.rsplit(".p", 1)[0]]["packages"][cp]


def practice_with(package: Any, attended: int = 0, booked: tuple[str, ...] = ()) -> Practice:
    p = Practice()
    p.add("ana")
    p.sell("ana", package)
    for n in range(attended):
        bid = p.book("ana", f"2026-11-2{n + 1}T10:00")
        p.change("ana", bid, "attend", now=at(f"2026-11-2{n + 1}T12:00"))
    for start in booked:
        p.book("ana", start)
    return p


def day(text: str) -> datetime:
    return at(f"{text}T09:00")


# ---------------------------------------------------------------- the sweep


def test_expiry_is_dated_the_day_after_the_last_valid_day_whenever_the_sweep_runs() -> None:
    p = practice_with(offer(expiry="1 month"), attended=2)
    pkg = p.pkg("ana.p1")
    assert sweep.expiry_due(pkg, date(2026, 12, 20)) is None  # the last valid day itself
    for when in ("2026-12-21", "2027-01-05"):  # the day after, or two weeks of cron later
        [event] = notices.plan([pkg], RULES, day(when), TZ).expiries
        assert event == {"type": "expired", "clients": ["ana"], "client_package": "ana.p1", "on": "2026-12-21",
                         "last_day": "2026-12-20", "forfeited": {"massage": 3}, "booked_after": []}


def test_recorded_expiry_forfeits_the_balance_and_is_never_recorded_twice() -> None:
    p = practice_with(offer(expiry="1 month"), attended=2)
    [event] = notices.plan([p.pkg("ana.p1")], RULES, day("2026-12-21"), TZ).expiries
    p.record(event, day("2026-12-21"))
    pkg = p.pkg("ana.p1")
    assert (pkg["expired_at"], pkg["lapsed"]) == ("2026-12-21", {"massage": 3})
    row = balances.balance(pkg)["massage"]
    assert (row["expired"], row["remaining"]) == (3, 0)
    assert ledger.closed_for_good(pkg) and ledger.open_rows(p.views["ana"]) == []
    summary = package_summary(pkg, day("2026-12-22"), TZ)
    assert (summary["status"], summary["forfeited_at_expiry"]) == ("expired", {"massage": 3})
    assert notices.plan([pkg], RULES, day("2027-03-01"), TZ).expiries == []
    assert describe_event(event) == "ana.p1 expired on 2026-12-21 (valid through 2026-12-20); forfeited massage 3"
    [row] = [r for r in history_rows(p.views["ana"], "ana.p1") if r["seq"] == p.seq]
    assert (row["change"], row["balance"]) == ("massage -3", "massage 0")


def test_sweep_lists_what_is_still_booked_after_the_last_day_and_leaves_it_booked() -> None:
    package = offer(expiry="1 month", policies={"expiry_limits": "booking"})
    p = practice_with(package, booked=("2026-12-28T10:00", "2026-12-10T10:00"))
    [event] = notices.plan([p.pkg("ana.p1")], RULES, day("2027-01-02"), TZ).expiries
    assert (event["forfeited"], event["booked_after"]) == ({"massage": 3}, ["ana.b1"])
    p.record(event)
    assert p.pkg("ana.p1")["draws"]["ana.b1"]["state"] == "scheduled"


@pytest.mark.parametrize(("contents", "forfeited"), [
    ({"pool": "money", "amount": "300", "services": "all"}, {"money": "300.00"}),
    ({"pool": "minutes", "amount": 300, "services": "all"}, {"minutes": 300}),
    ({"pool": "unlimited", "services": "all"}, {}),
    ({"sessions": {"massage": 2, "thai": "unlimited"}}, {"massage": 2}),
])
def test_forfeited_is_what_was_left_as_balance_json_shows_it(contents: dict, forfeited: dict) -> None:
    p = practice_with(offer(contents=contents, expiry="1 week"))
    [event] = notices.plan([p.pkg("ana.p1")], RULES, day("2026-12-01"), TZ).expiries
    assert event["forfeited"] == forfeited
    p.record(event)
    assert {k: balances.plain(r["remaining"]) for k, r in balances.balance(p.pkg("ana.p1")).items() if r["total"] != "unlimited"} == \
        {k: (balances.plain(Decimal(0).quantize(Decimal("0.01"))) if k == "money" else 0) for k in forfeited}


def test_a_paused_or_adjusted_package_is_judged_by_its_current_expiry() -> None:
    p = practice_with(offer(expiry="1 month"))
    pkg = p.pkg("ana.p1")
    p.record(plan_pause(pkg, date(2026, 12, 1), date(2026, 12, 10), now=NOW, tz=TZ)[0])
    assert balances.expiry(p.pkg("ana.p1")) == date(2026, 12, 30)
    assert notices.plan([p.pkg("ana.p1")], RULES, day("2026-12-25"), TZ).expiries == []
    p.record(plan_adjust(p.pkg("ana.p1"), None, expires=date(2026, 12, 22), reason="agreed"))
    [event] = notices.plan([p.pkg("ana.p1")], RULES, day("2026-12-25"), TZ).expiries
    assert (event["last_day"], event["on"]) == ("2026-12-22", "2026-12-23")


def test_used_up_cancelled_and_first_use_packages_are_not_swept() -> None:
    used = practice_with(offer(contents={"sessions": {"massage": 1}}, expiry="1 week"), attended=1)
    assert sweep.expiry_due(used.pkg("ana.p1"), date(2027, 1, 1)) is None
    waiting = practice_with(offer(expiry="1 month from first use"))
    assert sweep.expiry_due(waiting.pkg("ana.p1"), date(2030, 1, 1)) is None


def test_adjusting_the_expiry_of_an_expired_package_takes_the_expiry_back() -> None:
    p = practice_with(offer(expiry="1 month"), attended=1)
    [event] = notices.plan([p.pkg("ana.p1")], RULES, day("2026-12-21"), TZ).expiries
    p.record(event)
    with pytest.raises(RuleError) as refused:
        plan_adjust(p.pkg("ana.p1"), Change("sessions", True, 1), reason="goodwill")
    assert str(refused.value) == ("ana.p1 expired on 2026-12-21 (recorded by 'sessionpack notify'); to change its balance, "
                                  "extend it in the same command with --expires DATE")
    adjusted = p.record(plan_adjust(p.pkg("ana.p1"), None, expires=date(2027, 3, 31), reason="back from surgery"))
    assert adjusted["reopens"] == {"expired_on": "2026-12-21", "restored": {"massage": 4}}
    pkg = p.pkg("ana.p1")
    assert "expired_at" not in pkg and "lapsed" not in pkg
    assert (balances.status(pkg, day("2027-01-10"), TZ), balances.balance(pkg)["massage"]["remaining"]) == ("active", 4)
    assert describe_event(adjusted) == ("adjusted ana.p1: expires 2027-03-31; takes back the expiry of 2026-12-21 "
                                        "(restores massage 4)")


# ---------------------------------------------------------------- expiring


@pytest.mark.parametrize(("today", "due"), [
    ("2026-11-19", []),  # 31 days before the last day (2026-12-20): nothing yet
    ("2026-11-20", [("expiring:ana.p1:2026-12-20:30d", 30)]),
    ("2026-12-01", [("expiring:ana.p1:2026-12-20:30d", 19)]),  # cron missed days: still the 30-day one
    ("2026-12-15", [("expiring:ana.p1:2026-12-20:7d", 5)]),  # never "in 30 days" with 5 left
    ("2026-12-20", [("expiring:ana.p1:2026-12-20:7d", 0)]),
])
def test_only_the_most_urgent_expiring_notice_is_due(today: str, due: list) -> None:
    p = practice_with(offer(expiry="1 month"))
    found = notices.plan([p.pkg("ana.p1")], RULES, day(today), TZ).due
    assert [(d.key, d.facts["days_left"]) for d in found] == due


def test_an_expiring_notice_is_due_once_and_again_only_for_a_new_expiry() -> None:
    p = practice_with(offer(expiry="1 month"))
    [due] = notices.plan([p.pkg("ana.p1")], RULES, day("2026-12-15"), TZ).due
    p.record(notices.suppressed_event(due, notices.Recipient("ana", "Ana", ""), "ana has no email address"))
    assert p.pkg("ana.p1")["notices"] == {"expiring:ana.p1:2026-12-20:7d": p.seq}
    assert notices.plan([p.pkg("ana.p1")], RULES, day("2026-12-16"), TZ).due == []
    p.record(plan_adjust(p.pkg("ana.p1"), None, expires=date(2026, 12, 22), reason="two more days"))
    assert [d.key for d in notices.plan([p.pkg("ana.p1")], RULES, day("2026-12-16"), TZ).due] == ["expiring:ana.p1:2026-12-22:7d"]


def test_no_expiring_notice_when_nothing_is_left_to_book() -> None:
    p = practice_with(offer(contents={"sessions": {"massage": 1}}, expiry="1 month"), booked=("2026-12-01T10:00",))
    assert notices.plan([p.pkg("ana.p1")], RULES, day("2026-12-15"), TZ).due == []


# ---------------------------------------------------------------- low and used up


def test_low_is_due_at_or_below_the_limit_and_rearmed_only_above_it() -> None:
    p = practice_with(offer(), attended=3)
    assert notices.plan([p.pkg("ana.p1")], RULES, NOW, TZ).due == []  # 2 left, limit 1
    p.book("ana", "2026-12-01T10:00")
    [due] = notices.plan([p.pkg("ana.p1")], RULES, NOW, TZ).due
    assert (due.kind, due.key, due.facts) == ("low", "low:ana.p1:massage:1", {"item": "massage", "free": 1, "limit": 1, "gen": 1})
    p.record(notices.suppressed_event(due, notices.Recipient("ana", "Ana", ""), "ana opted out of low notices"))
    assert p.views["ana"]["watching"] == ["ana.p1"]
    p.book("ana", "2026-12-02T10:00")  # 0 left: still the same low notice
    assert notices.plan([p.pkg("ana.p1")], RULES, NOW, TZ).due == []
    p.change("ana", "ana.b5", "cancel", now=at("2026-11-25T10:00"))  # back to 1: not above the limit
    assert p.pkg("ana.p1")["watch"]["low:massage"] == {"gen": 1, "rearmed": False, "limit": "1"}
    p.change("ana", "ana.b4", "cancel", now=at("2026-11-25T10:00"))  # 2: above it, re-armed
    assert p.pkg("ana.p1")["watch"]["low:massage"]["rearmed"] is True and "watching" not in p.views["ana"]
    assert notices.plan([p.pkg("ana.p1")], RULES, NOW, TZ).due == []
    p.book("ana", "2026-12-03T10:00")
    assert [d.key for d in notices.plan([p.pkg("ana.p1")], RULES, NOW, TZ).due] == ["low:ana.p1:massage:2"]


@pytest.mark.parametrize(("contents", "rules", "low"), [
    ({"sessions": {"massage": 1}}, {}, {}),  # bought at the limit: not "running low" the day it is sold
    ({"sessions": {"massage": 2}}, {}, {}),
    ({"sessions": {"massage": 2}}, {"low_remaining": 2}, {}),
    ({"sessions": {"massage": 3}}, {"low_remaining": 3, }, {}),
    ({"pool": "minutes", "amount": 120, "services": "all"}, {}, {"minutes": (60, 60)}),  # 60 booked, 60 left
    ({"pool": "minutes", "amount": 120, "services": "all"}, {"low_minutes": 120}, {}),
    ({"pool": "minutes", "amount": 180, "services": "all"}, {}, {}),
    ({"pool": "minutes", "amount": 150, "services": "all"}, {"low_minutes": 150}, {}),
    ({"pool": "minutes", "amount": 180, "services": "all"}, {"low_minutes": 150}, {"minutes": (120, 150)}),
    ({"pool": "money", "amount": "100", "services": "all"}, {}, {"money": (Decimal("10.00"), Decimal("10.00"))}),  # 10%
    ({"pool": "money", "amount": "100", "services": "all"}, {"low_money": "9.99"}, {}),
    ({"pool": "money", "amount": "100", "services": "all"}, {"low_money": "10.00"}, {"money": (Decimal("10.00"), Decimal("10.00"))}),
    ({"pool": "money", "amount": "1000", "services": "all"}, {"low_money": "91%"}, {"money": (Decimal("910.00"), Decimal("910.00"))}),
    ({"pool": "unlimited", "services": "all"}, {"low_remaining": 100}, {}),
])
def test_low_limits_per_kind_of_balance(contents: dict, rules: dict, low: dict) -> None:
    p = practice_with(offer(contents=contents))
    if "money" in str(contents) or "minutes" in str(contents):
        p.book("ana", "2026-12-01T10:00")  # draws 60 minutes or 90.00
    got = notices.low_items(p.pkg("ana.p1"), notices.Rules(**rules))
    assert got == low


def test_used_up_is_judged_only_for_packages_touched_since_the_last_run_and_rearmed_by_a_correction() -> None:
    p = practice_with(offer(contents={"sessions": {"massage": 2}}), attended=2)
    pkg = p.pkg("ana.p1")
    assert balances.status(pkg, NOW, TZ) == "used up"
    assert notices.plan([pkg], RULES, NOW, TZ).due == []
    [due] = notices.plan([pkg], RULES, NOW, TZ, touched=frozenset({"ana.p1"})).due
    assert (due.kind, due.key) == ("used-up", "used-up:ana.p1:1")
    p.record(notices.suppressed_event(due, notices.Recipient("ana", "Ana", ""), "test"))
    assert notices.plan([p.pkg("ana.p1")], RULES, NOW, TZ, touched=frozenset({"ana.p1"})).due == []
    p.record(plan_adjust(p.pkg("ana.p1"), Change("sessions", True, 1), reason="goodwill"))
    assert p.pkg("ana.p1")["watch"]["used-up"]["rearmed"] is True
    bid = p.book("ana", "2026-12-01T10:00")
    p.change("ana", bid, "attend", now=at("2026-12-01T12:00"))
    assert [d.key for d in notices.plan([p.pkg("ana.p1")], RULES, day("2026-12-02"), TZ, touched=frozenset({"ana.p1"})).due] == \
        ["used-up:ana.p1:2"]


def test_expired_notice_only_when_something_was_forfeited_and_not_too_late() -> None:
    p = practice_with(offer(contents={"sessions": {"massage": 1}}, expiry="1 month"), booked=("2026-12-01T10:00",))
    [event] = notices.plan([p.pkg("ana.p1")], RULES, day("2026-12-25"), TZ).expiries
    assert event["forfeited"] == {} and notices.expired_notice(event, RULES, date(2026, 12, 25)) is None
    p = practice_with(offer(expiry="1 month"))
    plan = notices.plan([p.pkg("ana.p1")], RULES, day("2027-01-20"), TZ)  # 30 days after it took effect
    assert [(d.kind, d.key, d.facts["forfeited"]) for d in plan.due] == [("expired", "expired:ana.p1:2026-12-21", {"massage": 5})]
    assert notices.plan([p.pkg("ana.p1")], RULES, day("2027-01-21"), TZ).due == []  # 31 days: too late to tell
    assert notices.plan([p.pkg("ana.p1")], notices.Rules(kinds=frozenset()), day("2026-12-22"), TZ).due == []


def test_cancelled_refunded_and_transferred_packages_get_no_new_notices() -> None:
    p = practice_with(offer(expiry="1 month"), attended=4)
    pkg = copy.deepcopy(p.pkg("ana.p1"))
    pkg["status"] = "cancelled"
    assert notices.plan([pkg], RULES, day("2026-12-15"), TZ) == notices.Plan()


# ---------------------------------------------------------------- recipients


def test_recipients_are_the_owner_and_linked_clients_with_the_notices_permission() -> None:
    from sessionpack.domain.sharing import relate

    p = Practice()
    p.add("diogo")
    p.add("carla")
    p.add("eva", email="not an address, x@y.example")
    p.add("rui")
    p.record(relate(p.views["carla"], p.views["diogo"], "parent", ["notices"], NOW))
    p.record(relate(p.views["eva"], p.views["diogo"], "other", ["notices"], NOW))
    p.record(relate(p.views["rui"], p.views["diogo"], "sibling", ["book-for"], NOW))
    found = notices.recipients(p.views["diogo"], p.views, "low")
    assert found == [
        notices.Recipient("diogo", "Diogo", "diogo@example.com"),
        notices.Recipient("carla", "Carla", "carla@example.com", True, "parent"),
        notices.Recipient("eva", "Eva", "not an address, x@y.example", True, "other",
                          "eva's email address 'not an address, x@y.example' cannot be used for mail"),
    ]
    p.views["diogo"]["client"]["no_notices"] = ["low"]
    p.views["carla"]["client"]["email"] = ""
    assert [r.suppressed for r in notices.recipients(p.views["diogo"], p.views, "low")][:2] == \
        ["diogo opted out of low notices", "carla has no email address"]
    assert notices.recipients(p.views["diogo"], p.views, "expiring")[0].suppressed is None
    due = notices.Due("low", "low:diogo.p1:massage:1", "diogo.p1", "diogo", {"item": "massage", "free": 1, "limit": 1, "gen": 1})
    carla = found[1]
    event = notices.pending_event(due, carla, "<id@x>", {"subject": "s"})
    assert (event["key"], event["clients"], event["copy"]) == ("low:diogo.p1:massage:1:copy:carla", ["diogo"], True)


def test_a_pending_notice_is_not_delivered_after_the_package_was_cancelled_or_the_recipient_opted_out() -> None:
    p = practice_with(offer(expiry="1 month"))
    entry = {"key": "k", "kind": "low", "client_package": "ana.p1", "recipient": "ana", "copy": False, "to": "ana@example.com"}
    view = p.views["ana"]
    assert notices.still_wanted(entry, view, view) is None
    assert notices.still_wanted(dict(entry, to="ana@example.com, thief@evil.example"), view, view) == \
        "the address 'ana@example.com, thief@evil.example' cannot be used for mail"
    view["client"]["no_notices"] = ["low"]
    assert notices.still_wanted(entry, view, view) == "ana opted out of low notices"
    view["client"]["no_notices"] = []
    view["packages"]["ana.p1"]["status"] = "refunded"
    assert notices.still_wanted(entry, view, view) == "ana.p1 was refunded"


# ---------------------------------------------------------------- the outbox


def test_the_outbox_holds_pending_and_failed_notices_and_where_the_last_run_stopped() -> None:
    view = outbox.empty_outbox()
    pending = {"type": "notice-pending", "seq": 5, "key": "k1", "base": "k1", "kind": "low", "client_package": "ana.p1",
               "recipient": "ana", "copy": False, "to": "ana@example.com", "message_id": "<m>", "message": {"subject": "s"}, "facts": {}}
    assert outbox.fold_outbox(view, pending) and set(view["pending"]) == {"k1"}
    assert not outbox.fold_outbox(view, {"type": "booked", "seq": 6})
    failed = dict(notices.outcome_event(view["pending"]["k1"], "failed", "550 no such user", "smtp"), seq=7, at="t")
    outbox.fold_outbox(view, failed)
    assert (view["pending"], view["failed"]["k1"]["reply"]) == ({}, "550 no such user")
    outbox.fold_outbox(view, dict(pending, seq=8))
    assert (set(view["pending"]), view["failed"]) == ({"k1"}, {})
    outbox.fold_outbox(view, dict(notices.outcome_event(view["pending"]["k1"], "sent", "250 ok", "smtp"), seq=9))
    outbox.fold_outbox(view, dict(notices.checked_event(9, 1234, date(2026, 11, 20), RULES), seq=10))
    assert (view["pending"], view["checked"]["seq"], view["checked"]["offset"], view["seq"]) == ({}, 9, 1234, 10)


def test_packages_named_by_events() -> None:
    assert notices.packages_named({"type": "sold", "client_package": "ana.p1", "package": "five"}) == ["ana.p1"]
    assert notices.packages_named({"type": "transferred", "client_package": "ana.p1", "to_package": "bo.p2", "package": "bo.p2"}) == ["ana.p1", "bo.p2"]
    assert notices.packages_named({"type": "booked", "booking": {"package": "ana.p1"}}) == ["ana.p1"]
    assert notices.packages_named({"type": "attended", "booking": "ana.b1", "package": None}) == []


# ---------------------------------------------------------------- parsers


@given(st.text(max_size=80))
def test_a_sender_never_smuggles_a_line_break_a_comma_or_a_second_address(text: str) -> None:
    try:
        name, address = split_sender(text)
    except ValueError:
        return
    assert not any(ch in address for ch in "\r\n,<> \"")
    assert "\n" not in name and "\r" not in name and address.count("@") == 1


@given(st.lists(st.sampled_from(["expiring", "low", "used-up", "expired", "all", "weekly", " low", "low,expired"]), max_size=4))
def test_notice_kinds_are_read_or_refused_whole(values: list[str]) -> None:
    from sessionpack.domain.clients import notice_kinds
    from sessionpack.errors import InputError

    try:
        kinds = notice_kinds(values, "--no-notices")
    except InputError as err:
        assert "weekly" in values and str(err) == "--no-notices 'weekly' is not a notice kind: use expiring, low, used-up, expired or all"
        return
    assert kinds <= {"expiring", "low", "used-up", "expired"}
    assert ("all" in values) == (kinds == {"expiring", "low", "used-up", "expired"}) or len(kinds) == 4


@pytest.mark.parametrize("checker,table,key,message", [
    ("notices", {"expiring_days": True}, "notices.expiring_days",
     "must be a whole number of days (0 to 3650) or a list of them, like [30, 7], not true"),
    ("notices", {"low_money": 1.5}, "notices.low_money",
     'must be an amount like "20.00" or a share of the credit like "10%", not 1.5'),
    ("delivery", {"method": ["smtp"]}, "delivery.method", 'must be one of none, smtp, sendmail, jsonl, not ["smtp"]'),
    ("delivery", {"method": "smtp", "host": "h", "timeout": date(2026, 12, 1)}, "delivery.timeout",
     "must be a number of seconds from 1 to 600, not 2026-12-01"),
    ("hooks", {"time_budget": False}, "hooks.time_budget", "must be a number of seconds above 0, at most 3600, not false"),
])
def test_settings_messages_show_values_as_the_file_writes_them(checker, table, key, message) -> None:  # type: ignore[no-untyped-def]
    """A value found in settings.toml is shown as TOML writes it (true, a
    date, a list), never as Python's repr (True, datetime.date(...))."""
    from sessionpack.domain import notice_settings
    from sessionpack.errors import FieldError

    check = {"notices": lambda t: notice_settings.check_notices(t, 2), "delivery": notice_settings.check_delivery,
             "hooks": notice_settings.check_hooks}[checker]
    with pytest.raises(FieldError) as err:
        check(table)
    assert (err.value.key, err.value.message) == (key, message)


# ---------------------------------------------------------------- the packages an undo changed


def test_an_undo_changed_the_packages_of_what_it_took_back_and_an_undo_of_it_the_same() -> None:
    history = [
        {"seq": 4, "type": "attended", "booking": "ana.b1", "package": "ana.p2"},
        {"seq": 9, "type": "attended", "booking": "ana.b2", "package": "ana.p1"},
        {"seq": 10, "type": "undone", "clients": ["ana"], "undo": [{"command": "c9", "seqs": [9]}]},
        {"seq": 14, "type": "undone", "clients": ["ana"], "undo": [{"command": "c10", "seqs": [10]}]},
        {"seq": 15, "type": "undone", "clients": ["ana"], "undo": [{"command": "c14", "seqs": [14]}, {"command": "c99", "seqs": [99]}]},
    ]
    assert notices.undone_packages(history[2], history) == {"ana.p1"}
    assert notices.undone_packages(history[3], history) == {"ana.p1"}  # undoing the undo puts the attendance back
    assert notices.undone_packages(history[4], history) == {"ana.p1"}  # (a seq of another client's history: not here)
    assert notices.undone_packages({"type": "undone", "undo": [{"command": "c4", "seqs": [4, 9]}]}, history) == {"ana.p1", "ana.p2"}


# ---------------------------------------------------------------- a farther expiring notice after a nearer one


def test_a_farther_expiring_notice_is_never_due_once_a_nearer_one_was_recorded() -> None:
    p = practice_with(offer(expiry="1 month"))
    [due] = notices.plan([p.pkg("ana.p1")], RULES, day("2026-12-15"), TZ).due
    assert due.key == "expiring:ana.p1:2026-12-20:7d"
    p.record(notices.suppressed_event(due, notices.Recipient("ana", "Ana", ""), "ana has no email address"))
    assert notices.nearer_recorded(p.pkg("ana.p1"), date(2026, 12, 20), 30) == 7
    assert notices.nearer_recorded(p.pkg("ana.p1"), date(2026, 12, 20), 7) is None
    assert notices.nearer_recorded(p.pkg("ana.p1"), date(2026, 12, 22), 30) is None  # another last day: other notices
    assert notices.plan([p.pkg("ana.p1")], RULES, day("2026-11-25"), TZ).due == []  # a replay of an earlier day


def test_a_copy_of_a_nearer_notice_is_not_the_owners_notice() -> None:
    pkg = {"id": "ana.p1", "notices": {"expiring:ana.p1:2026-12-20:7d:copy:bo": 5}}
    assert notices.nearer_recorded(pkg, date(2026, 12, 20), 30) is None


def test_a_pending_farther_notice_is_outdated_once_a_nearer_one_was_recorded() -> None:
    p = practice_with(offer(expiry="1 month"))
    [due] = notices.plan([p.pkg("ana.p1")], RULES, day("2026-12-15"), TZ).due
    p.record(notices.suppressed_event(due, notices.Recipient("ana", "Ana", ""), "ana has no email address"))
    entry = {"kind": "expiring", "facts": {"last_day": "2026-12-20", "days": 30, "days_left": 29}}
    assert notices.outdated(entry, p.pkg("ana.p1"), RULES, date(2026, 11, 21)) == "the 7-day notice of ana.p1 was recorded already"


# ---------------------------------------------------------------- a pending notice about an expired package


@pytest.mark.parametrize("kind", ["low", "used-up"])
def test_a_pending_low_or_used_up_notice_is_outdated_once_the_package_expired(kind: str) -> None:
    p = practice_with(offer(expiry="1 month"), attended=2)
    entry = {"kind": kind, "facts": {}}
    pkg = p.pkg("ana.p1")
    assert notices.outdated(entry, pkg, RULES, date(2026, 12, 20)) is None  # its last valid day
    assert notices.outdated(entry, pkg, RULES, date(2026, 12, 21)) == "ana.p1 expired on 2026-12-21"
    [expiry] = notices.plan([pkg], RULES, day("2026-12-28"), TZ).expiries
    p.record(expiry)
    assert notices.outdated(entry, p.pkg("ana.p1"), RULES, date(2026, 12, 28)) == "ana.p1 expired on 2026-12-21"
    assert notices.outdated({"kind": "expired", "facts": {}}, p.pkg("ana.p1"), RULES, date(2026, 12, 28)) is None


# ---------------------------------------------------------------- a date alone: the first instant of the day


SANTIAGO = ZoneInfo("America/Santiago")  # 23:59 on 5 Sep 2026, then 01:00; 23:00-23:59 on 4 Apr happen twice, 00:00 on the 5th once


@pytest.mark.parametrize(("zone", "text", "start"), [
    (SANTIAGO, "2026-09-06", "2026-09-06T01:00:00-03:00"),  # midnight does not exist
    (SANTIAGO, "2026-09-07", "2026-09-07T00:00:00-03:00"),
    (SANTIAGO, "2026-04-05", "2026-04-05T00:00:00-04:00"),
    (ZoneInfo("America/Havana"), "2026-03-08", "2026-03-08T01:00:00-04:00"),
    (TZ, "2026-03-29", "2026-03-29T00:00:00+00:00"),  # Lisbon skips 01:00, not midnight
])
def test_a_date_alone_is_the_first_time_of_that_day_that_exists(zone: ZoneInfo, text: str, start: str) -> None:
    assert parse_datetime(text, "--now", zone, date_alone=True).isoformat() == start
    assert day_start(date.fromisoformat(text), zone).isoformat() == start


def test_a_date_and_time_the_clocks_skip_is_still_refused() -> None:
    with pytest.raises(InputError) as caught:
        parse_datetime("2026-09-06T00:00", "--now", SANTIAGO, date_alone=True)
    assert str(caught.value) == ("--now 2026-09-06T00:00 does not exist in America/Santiago (the clocks go forward): "
                                 "the valid times on either side are 23:59 and 01:00")


def test_the_first_instant_of_a_day_is_its_first_instant() -> None:
    start = day_start(date(2026, 9, 6), SANTIAGO)
    before = datetime(2026, 9, 6, 3, 59, tzinfo=timezone.utc).astimezone(SANTIAGO)
    assert (before.date(), start.astimezone(timezone.utc).isoformat()) == (date(2026, 9, 5), "2026-09-06T04:00:00+00:00")


# ---------------------------------------------------------------- how long, in words


@pytest.mark.parametrize(("days_left", "words"), [
    (24, "valid for 24 more days, through 20 Dec 2026"),
    (1, "valid for 1 more day, through 20 Dec 2026"),
    (0, "valid through today, 20 Dec 2026"),
    (None, ""),
])
def test_how_long_an_expiring_package_stays_valid_in_words(days_left: int | None, words: str) -> None:
    assert valid_for(days_left, date(2026, 12, 20)) == words
