"""balance and history through the CLI (docs/formats.md).

Packages are written straight into DATA/packages/ID.toml (no 'package create').
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cli_util import ok, ok_json, write_package

NOW_ISO = "2026-11-20T09:00:00+00:00"


CATALOG = {
    "five": {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}},
             "payment": {"price": "400", "tax": "23"}},
    "mixed": {"name": "Mixed", "contents": {"sessions": {"massage": 2, "thai": "unlimited"}}, "payment": {"price": "500"}},
    "ten": {"name": "10 sessions", "expiry": "1 month from first use",
            "contents": {"pool": "count", "amount": 10, "services": ["massage", "thai"]},
            "payment": {"mode": "per-session", "fees": {"massage": "70", "thai": "100"}}},
    "hours": {"name": "3 hours", "contents": {"pool": "minutes", "amount": 180}, "payment": {"price": "200"}},
    "credit": {"name": "Credit", "contents": {"pool": "money", "amount": "300"}, "payment": {"price": "270"}},
    "spa": {"name": "Spa month", "expiry": "on 2026-12-31", "contents": {"pool": "unlimited"}, "payment": {"price": "99"}},
    "one": {"name": "One massage", "contents": {"sessions": {"massage": 1}}, "payment": {"price": "80"}},
}


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    for pid, data in CATALOG.items():
        write_package(data_dir, pid, data)
    return practice


def summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The keys docs/formats.md fixes."""
    return [{k: row[k] for k in ("id", "package", "status", "expires", "remaining")} for row in rows]


def test_balance_json_is_the_documented_shape(shop) -> None:  # type: ignore[no-untyped-def]
    for pid in ("five", "mixed", "ten", "hours", "credit", "spa"):
        ok(shop("sell", "ana", pid))
    first = ok_json(shop("book", "ana", "massage", "2026-12-01T10:00", "--format", "json"))
    assert (first["package"], first["why"]) == ("ana.p6", "expires soonest (2026-12-31)")
    ok(shop("book", "ana", "massage", "2026-12-01T11:00", "--package", "ana.p1"))
    ok(shop("book", "ana", "thai", "2026-12-01T12:00", "--package", "ana.p2"))
    ok(shop("book", "ana", "thai", "2026-12-02T12:00", "--package", "ana.p3"))
    ok(shop("book", "ana", "thai", "2026-12-03T12:00", "--package", "ana.p4"))
    ok(shop("book", "ana", "thai", "2026-12-04T12:00", "--package", "ana.p5"))
    ok(shop("book", "ana", "thai", "2026-12-05T12:00", "--package", "ana.p6"))
    rows = ok_json(shop("balance", "ana", "--format", "json"))
    assert summary(rows) == [
        {"id": "ana.p1", "package": "five", "status": "active", "expires": "2027-02-20", "remaining": {"massage": 4}},
        {"id": "ana.p2", "package": "mixed", "status": "active", "expires": None, "remaining": {"massage": 2, "thai": "unlimited"}},
        {"id": "ana.p3", "package": "ten", "status": "active", "expires": "2027-01-02", "remaining": {"count": 9}},
        {"id": "ana.p4", "package": "hours", "status": "active", "expires": None, "remaining": {"minutes": 90}},
        {"id": "ana.p5", "package": "credit", "status": "active", "expires": None, "remaining": {"money": "180.00"}},
        {"id": "ana.p6", "package": "spa", "status": "active", "expires": "2026-12-31", "remaining": {"unlimited": "unlimited"}},
    ]
    assert rows[0] == {
        "id": "ana.p1", "package": "five", "name": "5 massages", "owner": "ana", "status": "active",
        "expires": "2027-02-20", "starts_at_first_use": False, "remaining": {"massage": 4},
        "balances": {"massage": {"total": 5, "adjusted": 0, "used": 0, "forfeited": 0, "scheduled": 1, "transferred": 0, "voided": 0, "expired": 0, "remaining": 4}},
        "forfeited_at_expiry": {}, "sold": "2026-11-20", "invoice": "000001", "total": "492.00", "paid": "492.00", "refunded": "0.00",
        "payment": "paid", "shared_with": [], "shared_by": None,
        "client": {"id": "ana", "name": "Ana Lima", "email": "ana@example.com"},
    }
    assert rows[4]["balances"]["money"] == {"total": "300.00", "adjusted": "0.00", "used": "0.00", "forfeited": "0.00",
                                            "scheduled": "120.00", "transferred": "0.00", "voided": "0.00", "expired": "0.00", "remaining": "180.00"}
    assert rows[2]["payment"] == "per session"


def test_first_use_package_before_its_first_session(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "ten"))
    [row] = ok_json(shop("balance", "ana", "--format", "json"))
    assert (row["expires"], row["starts_at_first_use"]) == (None, True)
    assert ok(shop("balance", "ana", "--format", "csv")).splitlines()[1] == "ana,ana.p1,ten,10 sessions,count,10,0,0,0,0,0,0,0,0,10,,yes,active,"
    assert "starts at first use" in ok(shop("balance", "ana"))
    ok(shop("book", "ana", "massage", "2026-12-10T10:00"))
    assert ok_json(shop("balance", "ana", "--format", "json"))[0]["expires"] == "2027-01-10"
    ok(shop("cancel", "ana.b1"))
    assert ok_json(shop("balance", "ana", "--format", "json"))[0]["expires"] is None


def test_balance_csv_shows_total_used_scheduled_remaining(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    ok(shop("sell", "ana", "credit"))
    ok(shop("book", "ana", "massage", "2026-12-01T10:00"))
    ok(shop("book", "ana", "massage", "2026-12-02T10:00"))
    ok(shop("attend", "ana.b1", now="2026-12-01T11:00"))
    assert ok(shop("balance", "ana", "--format", "csv", now="2026-12-01T12:00")) == (
        "client,id,package,name,item,total,adjusted,used,forfeited,scheduled,transferred,voided,expired,before_import,remaining,expires,"
        "starts_at_first_use,status,shared_by\n"
        "ana,ana.p1,five,5 massages,massage,5,0,1,0,1,0,0,0,0,3,2027-02-20,no,active,\n"
        "ana,ana.p2,credit,Credit,money,300.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,300.00,,no,active,\n")


def test_balance_table(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five"))
    out = ok(shop("balance", "ana"))
    assert out.splitlines()[0].strip() == "Balances at 2026-11-20 09:00 (EUR)"
    assert "5 massages" in out and "to 20 Feb 2027" in out and "active" in out and " 5/5 " in out
    wide = ok(shop("balance", "ana", "--wide"))
    assert "2027-02-20" not in wide and " 5 " in wide and "remaining" in wide
    ok(shop("client", "add", "bruno", "--name", "Bruno Costa"))
    assert ok(shop("balance", "bruno")) == "bruno has no packages\n"


STATUS_CASES = [
    # (case, package, bookings (start, then action or None), --now, status, expires, forfeited at expiry)
    ("active", "five", [], "2026-11-20T09:00", "active", "2027-02-20", {}),
    ("active on the last valid day", "five", [], "2027-02-20T23:30", "active", "2027-02-20", {}),
    ("expired: what was left is forfeited", "five", [("2026-12-01T10:00", "attend"), ("2026-12-02T10:00", "attend")],
     "2027-02-21T00:00", "expired", "2027-02-20", {"massage": 3}),
    ("used up", "one", [("2026-12-01T10:00", "attend")], "2026-12-02T09:00", "used up", None, {}),
    ("nothing left but still scheduled", "one", [("2026-12-01T10:00", None)], "2026-11-21T09:00", "active", None, {}),
    # An unlimited balance forfeits nothing that can be counted (as the sweep records it).
    ("expired on a fixed date", "spa", [], "2027-01-01T00:00", "expired", "2026-12-31", {}),
]


@pytest.mark.parametrize("pid,bookings,now,status,expires,forfeited", [c[1:] for c in STATUS_CASES], ids=[c[0] for c in STATUS_CASES])
def test_status_is_derived_at_now(shop, pid, bookings, now, status, expires, forfeited) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", pid))
    for n, (start, action) in enumerate(bookings, start=1):
        ok(shop("book", "ana", "massage", start))
        if action:
            ok(shop(action, f"ana.b{n}", now=start))
    [row] = ok_json(shop("balance", "ana", "--format", "json", now=now))
    assert (row["status"], row["expires"], row["forfeited_at_expiry"]) == (status, expires, forfeited)


def test_an_expired_package_no_longer_pays(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "spa"))
    record = ok_json(shop("book", "ana", "thai", "2027-01-05T10:00", "--format", "json", now="2027-01-02T09:00"))
    assert (record["package"], record["why"]) == (None, "no eligible package: ana.p1: expires on 2026-12-31, before the session on 2027-01-05")


def test_balance_without_client_lists_every_client_with_an_active_package(shop) -> None:  # type: ignore[no-untyped-def]
    for cid, name in (("bruno", "Bruno Costa"), ("carla", "Carla Dias"), ("dora", "Dora Reis")):
        ok(shop("client", "add", cid, "--name", name))
    ok(shop("sell", "ana", "five"))
    ok(shop("sell", "ana", "one"))
    ok(shop("book", "ana", "massage", "2026-12-01T10:00", "--package", "ana.p2"))
    ok(shop("attend", "ana.b1", now="2026-12-01T10:00"))  # ana.p2 used up
    ok(shop("sell", "bruno", "spa"))  # expires 2026-12-31
    ok(shop("sell", "dora", "credit"))
    later = "2027-01-10T09:00"
    rows = ok_json(shop("balance", "--format", "json", now=later))
    assert [(r["owner"], r["id"], r["status"]) for r in rows] == [("ana", "ana.p1", "active"), ("dora", "dora.p1", "active")]
    rows = ok_json(shop("balance", "--all", "--format", "json", now=later))
    assert [(r["id"], r["status"]) for r in rows] == [
        ("ana.p1", "active"), ("ana.p2", "used up"), ("bruno.p1", "expired"), ("dora.p1", "active")]
    assert ok(shop("balance", "--format", "csv", now=later)).splitlines()[1:] == [
        "ana,ana.p1,five,5 massages,massage,5,0,0,0,0,0,0,0,0,5,2027-02-20,no,active,",
        "dora,dora.p1,credit,Credit,money,300.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,300.00,,no,active,"]
    assert [r["id"] for r in ok_json(shop("balance", "--format", "json", now="2030-01-01T09:00"))] == ["dora.p1"]


def test_balance_with_no_active_packages_says_so(shop) -> None:  # type: ignore[no-untyped-def]
    assert ok(shop("balance")) == "No client has an active package\n"
    assert ok_json(shop("balance", "--format", "json")) == []


def test_balance_refusals(shop) -> None:  # type: ignore[no-untyped-def]
    result = shop("balance", "zed")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", "error: no client 'zed'; see 'sessionpack client list' or add one with 'sessionpack client add'\n")


# ---------------------------------------------------------------- history


def _story(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "five", "--paid", "100"))
    ok(shop("book", "ana", "massage", "2026-12-01T10:00"))
    ok(shop("book", "ana", "massage", "2026-12-08T10:00"))
    ok(shop("book", "ana", "thai", "2026-12-09T10:00"))  # regular fee
    ok(shop("--actor", "maria", "attend", "ana.b1", now="2026-12-01T11:00"))
    ok(shop("cancel", "ana.b2", "--reason", "sick", now="2026-12-07T12:00"))  # late; policy: return
    ok(shop("pay", "ana.p1", "392", now="2026-12-08T09:00"))


def test_history_of_a_client_package(shop) -> None:  # type: ignore[no-untyped-def]
    _story(shop)
    rows = ok_json(shop("history", "ana.p1", "--format", "json"))
    assert [(r["at"], r["actor"], r["type"], r["what"], r["why"], r["change"], r["balance"]) for r in rows] == [
        (NOW_ISO, "tester", "sold", "sold five as ana.p1 for 492.00 (invoice 000001, paid 100.00)", None, {"massage": 5}, {"massage": 5}),
        (NOW_ISO, "tester", "booked", "booked ana.b1: massage on 2026-12-01 10:00 for ana; draws 1 massage from ana.p1",
         "the only eligible package", {"massage": -1}, {"massage": 4}),
        (NOW_ISO, "tester", "booked", "booked ana.b2: massage on 2026-12-08 10:00 for ana; draws 1 massage from ana.p1",
         "the only eligible package", {"massage": -1}, {"massage": 3}),
        ("2026-12-01T11:00:00+00:00", "maria", "attended", "ana.b1: attended", None, {}, {"massage": 3}),
        ("2026-12-07T12:00:00+00:00", "tester", "cancelled", "ana.b2: late cancel; returned to ana.p1", "sick", {"massage": 1}, {"massage": 4}),
        ("2026-12-08T09:00:00+00:00", "tester", "paid", "payment of 392.00 on ana.p1", None, {}, {"massage": 4}),
    ]
    seqs = [r["seq"] for r in rows]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert {r["client_package"] for r in rows} == {"ana.p1"}
    assert [r["booking"] for r in rows] == [None, "ana.b1", "ana.b2", "ana.b1", "ana.b2", None]
    assert set(rows[0]) == {"seq", "at", "actor", "type", "command", "client_package", "booking", "what", "why", "change", "balance",
                            "undone_by"}
    assert rows[-1]["balance"] == ok_json(shop("balance", "ana", "--format", "json"))[0]["remaining"]


def test_history_of_a_client_shows_every_event(shop) -> None:  # type: ignore[no-untyped-def]
    _story(shop)
    rows = ok_json(shop("history", "ana", "--format", "json"))
    assert [r["what"] for r in rows] == [
        "client ana added (Ana Lima)",
        "sold five as ana.p1 for 492.00 (invoice 000001, paid 100.00)",
        "booked ana.b1: massage on 2026-12-01 10:00 for ana; draws 1 massage from ana.p1",
        "booked ana.b2: massage on 2026-12-08 10:00 for ana; draws 1 massage from ana.p1",
        "booked ana.b3: thai on 2026-12-09 10:00 for ana; regular fee 120.00 + 27.60 tax",
        "ana.b1: attended",
        "ana.b2: late cancel; returned to ana.p1",
        "payment of 392.00 on ana.p1",
    ]
    assert (rows[4]["why"], rows[4]["client_package"], rows[4]["change"], rows[4]["balance"]) == (
        "no eligible package: ana.p1: does not include thai", None, {}, {})
    csv_out = ok(shop("history", "ana", "--format", "csv")).splitlines()
    assert csv_out[0] == "seq,at,actor,type,command,client_package,booking,what,why,key,change,balance"
    assert len(csv_out) == 1 + len(rows)  # one balance key: one row per event
    assert csv_out[3].endswith(",the only eligible package,massage,-1,4")


def test_history_refusals(shop) -> None:  # type: ignore[no-untyped-def]
    result = shop("history", "ana.p9")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", "error: no client package 'ana.p9'; see 'sessionpack balance ana'\n")
    result = shop("history", "zed.p1")
    assert (result.exit_code, result.stderr) == (
        2, "error: no client 'zed'; see 'sessionpack client list' or add one with 'sessionpack client add'\n")
