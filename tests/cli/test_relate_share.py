"""client relate / unrelate, share / unshare through the CLI (rule 12 of docs/rules.md).

Refusals are checked word for word, with their exit code, and by comparing
the journal's and views' bytes before and after. Every scenario ends with a
clean 'sessionpack check'.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli_util import balance, clean, ok, ok_json, refused, run

LATER = "2026-12-02T09:00:00"
TEN = 'name = "10 family massages"\n[contents]\npool = "count"\namount = 10\n[payment]\nprice = "700"\n'


@pytest.fixture
def family(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    """ana (the practice's client), her son leo and a neighbour mia; a 10-session pool."""
    (data_dir / "packages" / "ten.toml").write_text(TEN)
    ok(practice("client", "add", "leo", "--name", "Leo Lima"))
    ok(practice("client", "add", "mia", "--name", "Mia Reis"))
    return practice


def sold(sp, client: str, *options: str) -> str:  # type: ignore[no-untyped-def]
    return ok_json(sp("sell", client, "ten", *options, "--format", "json"))["id"]


def booked(sp, client: str, when: str, now: str | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return ok_json(run(sp, "book", client, "massage", when, "--format", "json", now=now))


# ---------------------------------------------------------------- relate / unrelate


def test_relate_records_a_link_seen_from_both_sides(family) -> None:  # type: ignore[no-untyped-def]
    assert ok(family("client", "relate", "ana", "leo", "--as", "parent", "--can", "book-for", "--can", "notices")) == (
        "Linked ana and leo: ana is leo's parent (permissions: book-for, notices); "
        "leo is ana's child (no permissions); since 2026-11-20\n")
    # each direction's permissions are separate: leo's are set with 'relate leo ana'
    assert ok(family("client", "relate", "leo", "ana", "--as", "child", "--can", "use-packages")) == (
        "Changed the link between leo and ana: leo is ana's child (permissions: use-packages); "
        "ana is leo's parent (permissions: book-for, notices); since 2026-11-20\n")
    shown = ok(family("client", "show", "ana"))
    assert [line for line in shown.splitlines() if line.startswith("link: ")] == [
        "link: ana is leo's parent (permissions: book-for, notices); leo is ana's child (permissions: use-packages); "
        "since 2026-11-20",
    ]
    assert ok_json(family("client", "show", "leo", "--format", "json"))["relations"] == [
        {"client": "ana", "as": "child", "they_are": "parent", "can": ["use-packages"], "they_can": ["book-for", "notices"],
         "since": "2026-11-20", "ended": None}]
    assert ok_json(family("client", "show", "mia", "--format", "json"))["relations"] == []
    ok(family("client", "relate", "ana", "mia", "--as", "other"))
    shown = ok(family("client", "show", "ana")).splitlines()
    assert [line for line in shown if line.startswith("link: ")] == [
        "link: ana is leo's parent (permissions: book-for, notices); leo is ana's child (permissions: use-packages); "
        "since 2026-11-20",
        "link: ana is mia's other (no permissions); mia is ana's other (no permissions); since 2026-11-20",
    ]
    history = ok_json(family("history", "leo", "--format", "json"))
    assert [row["what"] for row in history[1:]] == [
        "linked ana and leo: ana is leo's parent (permissions: book-for, notices)",
        "changed the link between leo and ana: leo is ana's child (permissions: use-packages)",
    ]
    clean(family)


@pytest.mark.parametrize("label,inverse", [("parent", "child"), ("child", "parent"), ("partner", "partner"),
                                           ("guardian", "ward"), ("ward", "guardian"), ("sibling", "sibling"),
                                           ("grandparent", "grandchild"), ("grandchild", "grandparent"), ("other", "other")])
def test_each_label_and_its_inverse(family, label: str, inverse: str) -> None:  # type: ignore[no-untyped-def]
    record = ok_json(family("client", "relate", "ana", "leo", "--as", label, "--can", "notices", "--format", "json"))
    assert record == {"client": "ana", "other": "leo", "as": label, "they_are": inverse, "can": ["notices"],
                      "they_can": [], "since": "2026-11-20", "ended_shares": [], "kept_bookings": []}
    [link] = ok_json(family("client", "show", "leo", "--format", "json"))["relations"]
    assert (link["client"], link["as"], link["they_are"], link["can"], link["they_can"]) == ("ana", inverse, label, [], ["notices"])


def test_relate_again_updates_and_unrelate_ends_both_ways(family, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ok(family("client", "relate", "ana", "leo", "--as", "parent", "--can", "book-for"))
    ok(family("client", "relate", "leo", "ana", "--as", "child", "--can", "notices"))
    assert ok(family("client", "relate", "ana", "leo", "--as", "guardian", "--can", "notices,book-for")) == (
        "Changed the link between ana and leo: ana is leo's guardian (permissions: book-for, notices); "
        "leo is ana's ward (permissions: notices); since 2026-11-20\n")
    refused(family, data_dir, ("client", "relate", "ana", "leo", "--as", "guardian", "--can", "book-for", "--can", "notices"), 1,
            "ana is already leo's guardian with book-for, notices; nothing to change (see 'sessionpack client show ana')")
    assert ok(family("client", "unrelate", "leo", "ana", "--reason", "moved abroad", now=LATER)) == (
        "Ended the link between leo and ana\n")
    for me, other in (("ana", "leo"), ("leo", "ana")):
        [link] = ok_json(family("client", "show", me, "--format", "json"))["relations"]
        assert (link["client"], link["ended"]) == (other, "2026-12-02")
    assert [line for line in ok(family("client", "show", "ana")).splitlines() if line.startswith("link: ")] == [
        "link: ana is leo's guardian (permissions: book-for, notices); leo is ana's ward (permissions: notices); "
        "since 2026-11-20; ended 2026-12-02"]
    rows = ok_json(family("history", "ana", "--format", "json"))
    assert (rows[-1]["what"], rows[-1]["why"]) == ("ended the link between leo and ana", "moved abroad")
    refused(family, data_dir, ("client", "unrelate", "ana", "leo"), 1, "ana and leo are not linked; see 'sessionpack client show ana'")
    # linking again starts a new link: leo's old permissions do not come back
    assert ok(family("client", "relate", "ana", "leo", "--as", "parent", now=LATER)) == (
        "Linked ana and leo: ana is leo's parent (no permissions); leo is ana's child (no permissions); since 2026-12-02\n")
    clean(family)


def test_relate_refusals_change_nothing(family, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    unknown = "no client 'zed'; see 'sessionpack client list' or add one with 'sessionpack client add'"
    cases = [
        (("client", "relate", "ana", "zed", "--as", "parent"), 2, unknown),
        (("client", "relate", "zed", "ana", "--as", "parent"), 2, unknown),
        (("client", "relate", "ana", "ana", "--as", "other"), 2,
         "a client cannot be linked to themselves: name two different clients, not ana twice"),
        (("client", "relate", "ana", "leo", "--as", "aunt"), 2,
         "--as 'aunt' is not a relationship: use one of parent, child, partner, guardian, ward, sibling, grandparent, grandchild, other"),
        (("client", "relate", "ana", "leo", "--as", "parent", "--can", "pay"), 2,
         "--can 'pay' is not a permission: use book-for, use-packages or notices"),
        (("client", "relate", "ana", "Leo", "--as", "parent"), 2,
         "client id 'Leo' is not valid: use lower-case letters, digits and single hyphens (at most 64 characters), e.g. 'ana-lima'"),
        (("client", "unrelate", "ana", "leo"), 1, "ana and leo are not linked; see 'sessionpack client show ana'"),
        (("client", "unrelate", "ana", "leo", "--reason", " "), 2, "--reason must be one line of 1 to 500 printable characters"),
    ]
    for args, code, message in cases:
        refused(family, data_dir, args, code, message)
    result = family("client", "relate", "ana", "leo")
    assert (result.exit_code, result.stderr) == (2, "error: Missing option '--as'; see 'sessionpack client relate --help'\n")


# ---------------------------------------------------------------- share / unshare


def test_share_needs_the_use_packages_permission(family, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cp = sold(family, "ana")
    refused(family, data_dir, ("share", cp, "leo"), 1,
            "leo is not linked to ana with permission to use ana's packages; "
            "run 'sessionpack client relate leo ana --as other --can use-packages' first (any --as label fits)")
    ok(family("client", "relate", "leo", "ana", "--as", "child", "--can", "book-for"))
    # ana's own permissions regarding leo do not let leo use her packages
    ok(family("client", "relate", "ana", "leo", "--as", "parent", "--can", "use-packages"))
    refused(family, data_dir, ("share", cp, "leo"), 1,
            "leo is ana's child but may not use ana's packages; "
            "run 'sessionpack client relate leo ana --as child --can book-for --can use-packages' first")
    ok(family("client", "relate", "leo", "ana", "--as", "child", "--can", "book-for", "--can", "use-packages"))
    assert ok(family("share", cp, "leo")) == "Shared ana.p1 with leo: leo's bookings can draw on it (shared with: leo)\n"
    refused(family, data_dir, ("share", cp, "leo"), 1, "ana.p1 is already shared with leo; nothing to change (see 'sessionpack balance leo')")
    refused(family, data_dir, ("share", cp, "ana"), 2, "ana owns ana.p1; name another client to share it with")
    refused(family, data_dir, ("share", "ana.p9", "leo"), 2, "no client package 'ana.p9'; see 'sessionpack balance ana'")
    refused(family, data_dir, ("share", "ana", "leo"), 2,
            "client package id 'ana' is not valid: it looks like 'ana.p1' (see 'sessionpack balance CLIENT')")
    refused(family, data_dir, ("share", "zed.p1", "leo"), 2,
            "no client 'zed'; see 'sessionpack client list' or add one with 'sessionpack client add'")
    refused(family, data_dir, ("unshare", cp, "mia"), 1, "ana.p1 is not shared with mia (shared with: leo); nothing to change")
    clean(family)


def test_share_json(family) -> None:  # type: ignore[no-untyped-def]
    cp = sold(family, "ana")
    ok(family("client", "relate", "leo", "ana", "--as", "child", "--can", "use-packages"))
    ok(family("client", "relate", "mia", "ana", "--as", "other", "--can", "use-packages"))
    ok(family("share", cp, "mia"))
    assert ok_json(family("share", cp, "leo", "--format", "json")) == {
        "id": "ana.p1", "owner": "ana", "client": "leo", "shared_with": ["leo", "mia"]}
    assert ok_json(family("unshare", cp, "mia", "--format", "json")) == {
        "id": "ana.p1", "owner": "ana", "client": "mia", "shared_with": ["leo"], "reason": None,
        "ended_shares": ["ana.p1"], "kept_bookings": []}
    clean(family)


def shared(family) -> str:  # type: ignore[no-untyped-def]
    """ana's ana.p1 shared with leo, who booked on 2026-11-25 (attended) and on 2026-12-08."""
    cp = sold(family, "ana")
    ok(family("client", "relate", "ana", "leo", "--as", "parent", "--can", "book-for"))
    ok(family("client", "relate", "leo", "ana", "--as", "child", "--can", "use-packages"))
    ok(family("share", cp, "leo"))
    first = booked(family, "leo", "2026-11-25T10:00")
    assert (first["id"], first["attendee"], first["owner"], first["package"], first["fee"]) == ("leo.b1", "leo", "ana", "ana.p1", "0.00")
    assert booked(family, "leo", "2026-12-08T10:00")["package"] == "ana.p1"
    ok(family("attend", "leo.b1", now="2026-11-25T12:00"))
    return cp


def test_a_child_books_on_the_parents_shared_package(family) -> None:  # type: ignore[no-untyped-def]
    cp = shared(family)
    [leo] = balance(family, "leo")
    assert (leo["id"], leo["owner"], leo["shared_by"], leo["remaining"]) == ("ana.p1", "ana", "ana", {"count": 8})
    assert leo["balances"]["count"]["used"] == 1 and leo["balances"]["count"]["scheduled"] == 1
    [ana] = balance(family, "ana")
    assert (ana["shared_with"], ana["shared_by"], ana["remaining"]) == (["leo"], None, {"count": 8})
    assert ok(family("balance", "ana", "--format", "csv")).splitlines()[1] == (
        "ana,ana.p1,ten,10 family massages,count,10,0,1,0,1,0,0,0,0,8,,no,active,")
    assert ok(family("balance", "leo", "--format", "csv")).splitlines()[1] == (
        "ana,ana.p1,ten,10 family massages,count,10,0,1,0,1,0,0,0,0,8,,no,active,ana")
    assert "10 family massages (shared by ana)" in ok(family("balance", "leo"))
    # mia is not linked: she pays the regular fee
    assert booked(family, "mia", "2026-12-01T10:00")["package"] is None
    rows = ok_json(family("history", cp, "--format", "json"))
    assert [(r["what"], r["change"], r["balance"]) for r in rows[1:]] == [
        ("ana.p1 shared with leo", {}, {"count": 10}),
        ("booked leo.b1: massage on 2026-11-25 10:00 for leo; draws 1 count from ana.p1", {"count": -1}, {"count": 9}),
        ("booked leo.b2: massage on 2026-12-08 10:00 for leo; draws 1 count from ana.p1", {"count": -1}, {"count": 8}),
        ("leo.b1: attended", {}, {"count": 8}),
    ]
    clean(family)


def test_unshare_stops_future_use_and_keeps_the_past(family) -> None:  # type: ignore[no-untyped-def]
    cp = shared(family)
    assert ok(family("unshare", cp, "leo", "--reason", "has his own package now", now=LATER)) == (
        "ana.p1 is no longer shared with leo\n"
        "leo.b2 on 2026-12-08 10:00 still draws on ana.p1: it stays unless cancelled ('sessionpack cancel leo.b2') "
        "or unlinked ('sessionpack unlink leo.b2')\n")
    assert balance(family, "leo", now=LATER) == []
    assert ok(family("balance", "leo", now=LATER)) == "leo has no packages\n"
    [ana] = balance(family, "ana", now=LATER)
    assert (ana["shared_with"], ana["remaining"]) == ([], {"count": 8})
    assert (ana["balances"]["count"]["used"], ana["balances"]["count"]["scheduled"]) == (1, 1)
    # the next booking is at the regular fee; the past ones still draw on ana.p1
    later = booked(family, "leo", "2026-12-15T10:00", now=LATER)
    assert (later["id"], later["package"], later["owner"], later["fee"]) == ("leo.b3", None, None, "90.00")
    history = ok_json(family("history", "leo", "--format", "json", now=LATER))
    assert (history[-2]["what"], history[-2]["why"]) == ("ana.p1 no longer shared with leo; leo.b2 keeps its draw",
                                                         "has his own package now")
    # cancelling the kept booking gives the session back to ana.p1
    ok(family("cancel", "leo.b2", now=LATER))
    assert balance(family, "ana", now=LATER)[0]["remaining"] == {"count": 9}
    # leo's own package takes over from here
    own = sold(family, "leo")
    assert booked(family, "leo", "2026-12-22T10:00", now=LATER)["package"] == own
    clean(family)


def test_unrelate_stops_future_use_and_keeps_the_past(family) -> None:  # type: ignore[no-untyped-def]
    cp = shared(family)
    record = ok_json(family("client", "unrelate", "ana", "leo", "--reason", "moved out", "--format", "json", now=LATER))
    assert record == {"client": "ana", "other": "leo", "reason": "moved out", "ended_shares": ["ana.p1"],
                      "kept_bookings": [{"id": "leo.b2", "attendee": "leo", "start": "2026-12-08T10:00:00+00:00", "package": "ana.p1"}]}
    assert balance(family, "leo", now=LATER) == []
    [ana] = balance(family, "ana", now=LATER)
    assert (ana["shared_with"], ana["remaining"]) == ([], {"count": 8})
    assert booked(family, "leo", "2026-12-15T10:00", now=LATER)["package"] is None
    # relating again does not share again by itself
    ok(family("client", "relate", "leo", "ana", "--as", "child", "--can", "use-packages", now=LATER))
    assert booked(family, "leo", "2026-12-16T10:00", now=LATER)["package"] is None
    ok(family("share", cp, "leo", now=LATER))
    assert booked(family, "leo", "2026-12-17T10:00", now=LATER)["package"] == cp
    clean(family)


def test_unrelate_in_words(family) -> None:  # type: ignore[no-untyped-def]
    shared(family)
    assert ok(family("client", "unrelate", "leo", "ana", now=LATER)) == (
        "Ended the link between leo and ana\n"
        "ana.p1 is no longer shared with leo\n"
        "leo.b2 on 2026-12-08 10:00 still draws on ana.p1: it stays unless cancelled ('sessionpack cancel leo.b2') "
        "or unlinked ('sessionpack unlink leo.b2')\n")
    assert ok_json(family("history", "ana", "--format", "json", now=LATER))[-1]["what"] == (
        "ended the link between leo and ana; ana.p1 no longer shared with leo; leo.b2 keeps its draw")
    clean(family)


def test_taking_use_packages_away_ends_the_share(family) -> None:  # type: ignore[no-untyped-def]
    shared(family)
    assert ok(family("client", "relate", "leo", "ana", "--as", "child", "--can", "notices", now=LATER)) == (
        "Changed the link between leo and ana: leo is ana's child (permissions: notices); "
        "ana is leo's parent (permissions: book-for); since 2026-11-20\n"
        "ana.p1 is no longer shared with leo\n"
        "leo.b2 on 2026-12-08 10:00 still draws on ana.p1: it stays unless cancelled ('sessionpack cancel leo.b2') "
        "or unlinked ('sessionpack unlink leo.b2')\n")
    assert balance(family, "leo", now=LATER) == []
    assert balance(family, "ana", now=LATER)[0]["shared_with"] == []
    assert booked(family, "leo", "2026-12-15T10:00", now=LATER)["package"] is None
    clean(family)


def test_sharing_in_real_processes(family) -> None:  # type: ignore[no-untyped-def]
    def run(*args: str, now: str = "2026-11-20T09:00:00") -> str:
        result = family.proc(*args, now=now)
        assert (result.returncode, result.stderr) == (0, ""), result.stderr
        return result.stdout

    cp = json.loads(run("sell", "ana", "ten", "--format", "json"))["id"]
    denied = family.proc("share", cp, "leo")
    assert (denied.returncode, denied.stdout) == (1, "")
    assert denied.stderr == ("error: leo is not linked to ana with permission to use ana's packages; "
                             "run 'sessionpack client relate leo ana --as other --can use-packages' first (any --as label fits)\n")
    run("client", "relate", "leo", "ana", "--as", "child", "--can", "use-packages")
    assert run("share", cp, "leo") == "Shared ana.p1 with leo: leo's bookings can draw on it (shared with: leo)\n"
    booking = json.loads(run("book", "leo", "massage", "2026-12-08T10:00", "--format", "json"))
    assert (booking["attendee"], booking["owner"], booking["package"]) == ("leo", "ana", "ana.p1")
    assert run("unshare", cp, "leo", now=LATER).splitlines()[0] == "ana.p1 is no longer shared with leo"
    assert json.loads(run("balance", "leo", "--format", "json", now=LATER)) == []
    assert json.loads(run("balance", "ana", "--format", "json", now=LATER))[0]["remaining"] == {"count": 9}
    assert run("check") == "No problems found\n"
