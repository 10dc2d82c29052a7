"""Client links and per-package sharing, pure (rule 12 of docs/rules.md)."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest

from sessionpack.domain.ledger import apply_to_client, empty_client_view  # first: it loads every event module
from sessionpack.domain import balances
from sessionpack.domain.bookings import Session, change_status, plan_booking, usable_packages
from sessionpack.domain.packages import package_from_mapping
from sessionpack.domain.sales import sell
from sessionpack.domain.sharing import (INVERSE, LABELS, active_link, check_permissions, check_reason, may,
                                        notice_copies, relate, share, shared_and_linked, unrelate, unshare)
from sessionpack.errors import InputError, RuleError
from sessionpack.reports.balances import describe_event, shared_summaries
from sessionpack.reports.sharing_text import relation_rows, relation_text

from practice_data import MASSAGE, NOW, SERVICES, SOLD, TZ, at

LATER = datetime(2026, 12, 2, 9, 0, tzinfo=TZ)


class Practice:
    """Client views kept as the store keeps them: each event goes to the views it names."""

    def __init__(self, *ids: str) -> None:
        self.views: dict[str, dict[str, Any]] = {}
        self.seq = 0
        for cid in ids:
            self.views[cid] = empty_client_view(cid)
            self.record({"type": "client-added", "clients": [cid], "client": {"id": cid, "name": cid.title(), "email": "", "tags": []}})

    def __getitem__(self, cid: str) -> dict[str, Any]:
        return self.views[cid]

    def record(self, event: dict[str, Any], now: datetime = NOW) -> dict[str, Any]:
        self.seq += 1
        stamped = dict(copy.deepcopy(event), seq=self.seq, at=now.isoformat(), actor="tester")
        for cid in stamped["clients"]:
            apply_to_client(self.views[cid], stamped)
        return stamped

    def relate(self, a: str, b: str, label: str, *can: str, now: datetime = NOW) -> dict[str, Any]:
        return self.record(relate(self[a], self[b], label, can, now), now)

    def sell(self, owner: str, amount: int = 10, **options: Any) -> str:
        package = package_from_mapping("ten", {"name": "10 massages", "contents": {"pool": "count", "amount": amount},
                                               "payment": {"price": "700"}}, "EUR", SERVICES)
        event = sell(self[owner], package, currency="EUR", sale_date=SOLD, invoice="000001", **options)
        return self.record(event)["client_package"]

    def owners(self, attendee: str) -> dict[str, dict[str, Any]]:
        return {o: self[o] for o in set(self[attendee].get("shared_in", {}).values())}

    def book(self, attendee: str, start: str, now: datetime = NOW) -> dict[str, Any]:
        session = Session(attendee, MASSAGE, at(start), 60)
        event = plan_booking(self[attendee], self.owners(attendee), session, now=now, tz=TZ, currency="EUR")
        return self.record(event, now)["booking"]

    def remaining(self, cp_id: str) -> Any:
        return balances.remaining(self[cp_id.split(".")[0]]["packages"][cp_id], "count")


def family() -> Practice:
    return Practice("ana", "leo", "mia")


# ---------------------------------------------------------------- links


@pytest.mark.parametrize("label", LABELS)
def test_each_label_has_its_inverse_on_the_other_side(label: str) -> None:
    p = family()
    p.relate("ana", "leo", label)
    assert (p["ana"]["relations"]["leo"]["as"], p["ana"]["relations"]["leo"]["they_are"]) == (label, INVERSE[label])
    assert (p["leo"]["relations"]["ana"]["as"], p["leo"]["relations"]["ana"]["they_are"]) == (INVERSE[label], label)
    assert INVERSE[INVERSE[label]] == label


def test_inverses() -> None:
    assert INVERSE == {"parent": "child", "child": "parent", "guardian": "ward", "ward": "guardian",
                       "grandparent": "grandchild", "grandchild": "grandparent", "partner": "partner",
                       "sibling": "sibling", "other": "other"}


def test_relate_records_the_link_in_both_views_with_separate_permissions() -> None:
    p = family()
    event = p.relate("ana", "leo", "parent", "book-for", "notices")
    assert {k: event[k] for k in ("type", "clients", "client", "other", "as", "inverse", "can", "new", "ends_shares", "kept_bookings")} == {
        "type": "related", "clients": ["ana", "leo"], "client": "ana", "other": "leo", "as": "parent", "inverse": "child",
        "can": ["book-for", "notices"], "new": True, "ends_shares": [], "kept_bookings": []}
    since = NOW.isoformat()
    assert p["ana"]["relations"]["leo"] == {"with": "leo", "as": "parent", "they_are": "child", "can": ["book-for", "notices"],
                                            "they_can": [], "since": since, "updated": since, "ended": None, "reason": None}
    assert p["leo"]["relations"]["ana"] == {"with": "ana", "as": "child", "they_are": "parent", "can": [],
                                            "they_can": ["book-for", "notices"], "since": since, "updated": since,
                                            "ended": None, "reason": None}
    p.relate("leo", "ana", "child", "use-packages", now=LATER)  # leo's side; ana's permissions stay
    assert p["ana"]["relations"]["leo"]["can"] == ["book-for", "notices"]
    assert p["ana"]["relations"]["leo"]["they_can"] == ["use-packages"]
    assert p["leo"]["relations"]["ana"]["can"] == ["use-packages"]
    assert (p["leo"]["relations"]["ana"]["since"], p["leo"]["relations"]["ana"]["updated"]) == (since, LATER.isoformat())
    assert may(p["leo"], "ana", "use-packages") and not may(p["ana"], "leo", "use-packages")
    assert may(p["ana"], "leo", "book-for") and not may(p["leo"], "ana", "book-for")
    assert "mia" not in p["ana"]["relations"] and p["mia"]["relations"] == {}


def test_relating_again_changes_the_label_and_the_permissions() -> None:
    p = family()
    p.relate("ana", "leo", "parent", "book-for")
    p.relate("leo", "ana", "child", "notices")
    event = p.relate("ana", "leo", "guardian", "notices", now=LATER)
    assert event["new"] is False
    link = p["ana"]["relations"]["leo"]
    assert (link["as"], link["they_are"], link["can"], link["they_can"], link["since"]) == (
        "guardian", "ward", ["notices"], ["notices"], NOW.isoformat())
    assert (p["leo"]["relations"]["ana"]["as"], p["leo"]["relations"]["ana"]["they_are"]) == ("ward", "guardian")
    assert describe_event(event) == "changed the link between ana and leo: ana is leo's guardian (permissions: notices)"


def test_relate_refusals() -> None:
    p = family()
    p.relate("ana", "leo", "parent", "book-for")
    with pytest.raises(RuleError) as err:
        relate(p["ana"], p["leo"], "parent", ["book-for"], NOW)
    assert str(err.value) == "ana is already leo's parent with book-for; nothing to change (see 'sessionpack client show ana')"
    with pytest.raises(InputError) as err:
        relate(p["ana"], p["leo"], "cousin", [], NOW)
    assert str(err.value) == ("--as 'cousin' is not a relationship: use one of parent, child, partner, guardian, ward, "
                              "sibling, grandparent, grandchild, other")
    with pytest.raises(InputError) as err:
        relate(p["ana"], p["leo"], "parent", ["book-for", "pay"], NOW)
    assert str(err.value) == "--can 'pay' is not a permission: use book-for, use-packages or notices"
    with pytest.raises(InputError) as err:
        relate(p["ana"], p["ana"], "other", [], NOW)
    assert str(err.value) == "a client cannot be linked to themselves: name two different clients, not ana twice"


def test_permissions_in_a_fixed_order_without_repeats() -> None:
    assert check_permissions(["notices", "book-for,use-packages", "notices"]) == ["book-for", "use-packages", "notices"]
    assert check_permissions([]) == []
    assert check_reason("  moved away ") == "moved away"
    with pytest.raises(InputError):
        check_reason("two\nlines")


def test_unrelate_ends_the_link_both_ways_and_relating_again_starts_afresh() -> None:
    p = family()
    p.relate("ana", "leo", "parent", "book-for")
    p.relate("leo", "ana", "child", "use-packages")
    event = p.record(unrelate(p["ana"], p["leo"], LATER, "moved away"), LATER)
    assert describe_event(event) == "ended the link between ana and leo"
    for me, other in (("ana", "leo"), ("leo", "ana")):
        link = p[me]["relations"][other]
        assert (link["ended"], link["reason"]) == (LATER.isoformat(), "moved away")
        assert active_link(p[me], other) is None
    assert not may(p["leo"], "ana", "use-packages")
    with pytest.raises(RuleError) as err:
        unrelate(p["leo"], p["ana"], LATER)
    assert str(err.value) == "leo and ana are not linked; see 'sessionpack client show leo'"
    again = p.relate("leo", "ana", "child", "book-for", now=LATER)
    assert again["new"] is True
    assert p["leo"]["relations"]["ana"] == {"with": "ana", "as": "child", "they_are": "parent", "can": ["book-for"],
                                            "they_can": [], "since": LATER.isoformat(), "updated": LATER.isoformat(),
                                            "ended": None, "reason": None}
    assert p["ana"]["relations"]["leo"]["can"] == []  # the old link's permissions do not come back


def test_relation_rows_and_words() -> None:
    p = family()
    p.relate("ana", "leo", "parent", "book-for", "notices")
    p.relate("ana", "mia", "partner")
    p.record(unrelate(p["ana"], p["mia"], LATER), LATER)
    rows = relation_rows(p["ana"])
    assert rows == [
        {"client": "leo", "as": "parent", "they_are": "child", "can": ["book-for", "notices"], "they_can": [],
         "since": "2026-11-20", "ended": None},
        {"client": "mia", "as": "partner", "they_are": "partner", "can": [], "they_can": [], "since": "2026-11-20",
         "ended": "2026-12-02"},
    ]
    assert relation_text("ana", rows[0]) == ("ana is leo's parent (permissions: book-for, notices); "
                                             "leo is ana's child (no permissions); since 2026-11-20")
    assert relation_text("ana", rows[1]).endswith("; since 2026-11-20; ended 2026-12-02")


def test_notice_copies_go_to_linked_clients_with_the_notices_permission() -> None:
    p = family()
    p.relate("ana", "leo", "parent", "notices")
    p.relate("mia", "leo", "sibling", "book-for")
    assert notice_copies(p["leo"]) == ["ana"]
    p.record(unrelate(p["ana"], p["leo"], LATER), LATER)
    assert notice_copies(p["leo"]) == []


# ---------------------------------------------------------------- sharing


def test_share_needs_a_link_with_use_packages() -> None:
    p = family()
    cp = p.sell("ana")
    with pytest.raises(RuleError) as err:
        share(p["ana"], p["leo"], cp)
    assert str(err.value) == ("leo is not linked to ana with permission to use ana's packages; run "
                              "'sessionpack client relate leo ana --as other --can use-packages' first (any --as label fits)")
    p.relate("leo", "ana", "child", "notices")
    with pytest.raises(RuleError) as err:
        share(p["ana"], p["leo"], cp)
    assert str(err.value) == ("leo is ana's child but may not use ana's packages; run "
                              "'sessionpack client relate leo ana --as child --can use-packages --can notices' first")
    p.relate("ana", "leo", "parent", "use-packages")  # ana's permission regarding leo does not count
    with pytest.raises(RuleError):
        share(p["ana"], p["leo"], cp)
    p.relate("leo", "ana", "child", "use-packages", "notices")
    event = p.record(share(p["ana"], p["leo"], cp))
    assert {k: event[k] for k in ("type", "clients", "client_package", "with")} == {
        "type": "shared", "clients": ["ana", "leo"], "client_package": "ana.p1", "with": "leo"}
    assert describe_event(event) == "ana.p1 shared with leo"
    assert p["ana"]["packages"][cp]["shared_with"] == ["leo"]
    assert p["leo"]["shared_in"] == {"ana.p1": "ana"}


def test_share_refusals() -> None:
    p = family()
    cp = p.sell("ana")
    p.relate("leo", "ana", "child", "use-packages")
    p.record(share(p["ana"], p["leo"], cp))
    cases = [
        (lambda: share(p["ana"], p["leo"], cp), RuleError,
         "ana.p1 is already shared with leo; nothing to change (see 'sessionpack balance leo')"),
        (lambda: share(p["ana"], p["ana"], cp), InputError, "ana owns ana.p1; name another client to share it with"),
        (lambda: share(p["ana"], p["leo"], "ana.p7"), InputError, "no client package 'ana.p7'; see 'sessionpack balance ana'"),
        (lambda: unshare(p["ana"], p["mia"], cp, NOW), RuleError, "ana.p1 is not shared with mia (shared with: leo); nothing to change"),
        (lambda: unshare(p["ana"], p["ana"], cp, NOW), InputError, "ana owns ana.p1; name another client to share it with"),
    ]
    for call, error, message in cases:
        with pytest.raises(error) as err:
            call()
        assert str(err.value) == message
    for state in ("cancelled", "refunded"):
        p["ana"]["packages"][cp]["status"] = state
        p.relate("mia", "ana", "sibling", "use-packages") if state == "cancelled" else None
        with pytest.raises(RuleError) as err:
            share(p["ana"], p["mia"], cp)
        assert str(err.value) == f"ana.p1 is {state}: only a package in use can be shared; sell or assign ana a new one to share"


def test_sell_with_share_follows_the_same_rule() -> None:
    p = family()
    with pytest.raises(RuleError) as err:
        p.sell("ana", share_with=("leo",))
    assert str(err.value).startswith("leo is not linked to ana with permission to use ana's packages")
    p.relate("leo", "ana", "child", "use-packages")
    cp = p.sell("ana", share_with=("leo",))
    assert p["ana"]["packages"][cp]["shared_with"] == ["leo"]
    assert p["leo"]["shared_in"] == {cp: "ana"}


def shared_family() -> tuple[Practice, str]:
    p = family()
    p.relate("ana", "leo", "parent", "book-for")
    p.relate("leo", "ana", "child", "use-packages")
    cp = p.sell("ana")
    p.record(share(p["ana"], p["leo"], cp))
    return p, cp


def test_a_child_books_on_the_parents_shared_package() -> None:
    p, cp = shared_family()
    booking = p.book("leo", "2026-12-01T10:00")
    assert (booking["id"], booking["attendee"], booking["owner"], booking["package"], booking["draw"]) == (
        "leo.b1", "leo", "ana", "ana.p1", {"key": "count", "amount": 1})
    assert p["ana"]["packages"][cp]["draws"]["leo.b1"] == {"key": "count", "amount": 1, "state": "scheduled",
                                                          "date": "2026-12-01", "attendee": "leo"}
    assert p.remaining(cp) == 9
    assert "leo.b1" in p["leo"]["bookings"] and "leo.b1" not in p["ana"]["bookings"]
    [summary] = shared_summaries(p["leo"], p.owners("leo"), NOW, TZ)
    assert (summary["id"], summary["shared_by"], summary["remaining"]) == ("ana.p1", "ana", {"count": 9})
    # mia is not linked: ana's package is not hers to use
    assert p.book("mia", "2026-12-01T11:00")["package"] is None


def test_unshare_stops_future_use_and_keeps_the_past() -> None:
    p, cp = shared_family()
    p.book("leo", "2026-11-25T10:00")
    p.book("leo", "2026-12-08T10:00")
    p.record(change_status(p["leo"]["bookings"]["leo.b1"], p["ana"], "attend", now=LATER, currency="EUR"), LATER)
    event = p.record(unshare(p["ana"], p["leo"], cp, LATER, "has his own now"), LATER)
    assert (event["kept_bookings"], event["reason"]) == (["leo.b2"], "has his own now")
    assert describe_event(event) == "ana.p1 no longer shared with leo; leo.b2 keeps its draw"
    assert p["ana"]["packages"][cp]["shared_with"] == []
    assert p["leo"]["shared_in"] == {}
    assert shared_summaries(p["leo"], {"ana": p["ana"]}, LATER, TZ) == []
    # the past stays: one used, one still scheduled
    row = balances.balance(p["ana"]["packages"][cp])["count"]
    assert (row["used"], row["scheduled"], row["remaining"]) == (1, 1, 8)
    assert p["leo"]["bookings"]["leo.b2"]["package"] == "ana.p1"
    assert usable_packages(p["leo"], {"ana": p["ana"]}) == []
    later = p.book("leo", "2026-12-15T10:00", now=LATER)
    assert (later["package"], later["fee"]) == (None, "90.00")
    # leo's own package takes over
    own = p.sell("leo")
    assert p.book("leo", "2026-12-22T10:00", now=LATER)["package"] == own


def test_unrelate_ends_the_shares_it_allowed_both_ways() -> None:
    p, cp = shared_family()
    assert p.book("leo", "2026-12-08T10:00")["package"] == cp
    p.relate("ana", "leo", "parent", "book-for", "use-packages")
    leo_cp = p.sell("leo")
    p.record(share(p["leo"], p["ana"], leo_cp))
    assert p.book("ana", "2026-12-09T10:00")["package"] == cp  # ana's own: not listed below
    event = p.record(unrelate(p["leo"], p["ana"], LATER, "family quarrel"), LATER)
    assert (event["ends_shares"], event["kept_bookings"]) == (["leo.p1", "ana.p1"], ["leo.b1"])
    assert describe_event(event) == ("ended the link between leo and ana; leo.p1 no longer shared with ana; "
                                     "ana.p1 no longer shared with leo; leo.b1 keeps its draw")
    assert p["ana"]["packages"][cp]["shared_with"] == [] and p["leo"]["packages"][leo_cp]["shared_with"] == []
    assert p["ana"]["shared_in"] == {} and p["leo"]["shared_in"] == {}
    assert p["ana"]["packages"][cp]["draws"]["leo.b1"]["state"] == "scheduled"
    assert p.book("leo", "2026-12-15T10:00", now=LATER)["package"] == leo_cp


def test_taking_use_packages_away_ends_the_shares() -> None:
    p, cp = shared_family()
    p.book("leo", "2026-12-08T10:00")
    event = p.relate("leo", "ana", "child", "book-for", now=LATER)
    assert (event["ends_shares"], event["kept_bookings"]) == (["ana.p1"], ["leo.b1"])
    assert describe_event(event) == ("changed the link between leo and ana: leo is ana's child (permissions: book-for); "
                                     "ana.p1 no longer shared with leo; leo.b1 keeps its draw")
    assert p["ana"]["packages"][cp]["shared_with"] == [] and p["leo"]["shared_in"] == {}
    assert p.book("leo", "2026-12-15T10:00", now=LATER)["package"] is None
    # giving it back does not bring the share back: share again, on purpose
    p.relate("leo", "ana", "child", "book-for", "use-packages", now=LATER)
    assert p.book("leo", "2026-12-16T10:00", now=LATER)["package"] is None
    p.record(share(p["ana"], p["leo"], cp), LATER)
    assert p.book("leo", "2026-12-17T10:00", now=LATER)["package"] == cp


def test_a_share_without_the_link_is_not_usable() -> None:
    """A share recorded without a link (an old journal) draws only once the link allows it."""
    p = family()
    cp = p.sell("ana")
    p.record({"type": "shared", "clients": ["ana", "leo"], "client_package": cp, "with": "leo"})
    assert not shared_and_linked(p["leo"], p["ana"], cp)
    assert usable_packages(p["leo"], {"ana": p["ana"]}) == []
    assert shared_summaries(p["leo"], {"ana": p["ana"]}, NOW, TZ) == []
    p.relate("leo", "ana", "child", "use-packages")
    assert shared_and_linked(p["leo"], p["ana"], cp)
    assert not shared_and_linked(p["leo"], None, cp)
