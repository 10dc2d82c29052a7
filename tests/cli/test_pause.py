"""pause and resume through the CLI (rule 9 of docs/rules.md).

The worked example of docs/corrections.md: sold 15 Jan with "3 months" -> valid
through 15 Apr; paused 28 Feb - 3 Mar (4 days, across a month end) ->
19 Apr; resumed on 2 Mar (2 days paused) -> 17 Apr.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_util import balance_of, clean, events, history_of, ok, ok_json, refused, write_package
from test_adjust import FIVE

JAN15 = "2027-01-15T09:00:00"


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    write_package(data_dir, "five", FIVE)
    write_package(data_dir, "open", dict(FIVE, name="No expiry", expiry="none"))
    assert ok(practice("sell", "ana", "five", now=JAN15)).startswith("Sold five to ana: ana.p1 ")
    return practice


def test_the_worked_example(shop) -> None:  # type: ignore[no-untyped-def]
    assert balance_of(shop, "ana", "ana.p1")["expires"] == "2027-04-15"
    assert ok(shop("pause", "ana.p1", "2027-02-28", "2027-03-03", "--reason", "travelling", now=JAN15)) == (
        "Paused ana.p1 from 2027-02-28 to 2027-03-03 (4 days); expires 2027-04-19 (was 2027-04-15)\n")
    assert balance_of(shop, "ana", "ana.p1")["expires"] == "2027-04-19"
    assert ok(shop("resume", "ana.p1", "--on", "2027-03-02", "--reason", "came back early", now=JAN15)) == (
        "Resumed ana.p1 on 2027-03-02: paused from 2027-02-28 to 2027-03-01 (2 days); expires 2027-04-17 (was 2027-04-19)\n")
    assert balance_of(shop, "ana", "ana.p1")["expires"] == "2027-04-17"
    rows = history_of(shop, "ana.p1")[-2:]
    assert [(r["what"], r["why"], r["change"], r["balance"]) for r in rows] == [
        ("paused ana.p1 from 2027-02-28 to 2027-03-03 (4 days)", "travelling", {}, {"massage": 5}),
        ("resumed ana.p1 on 2027-03-02: paused from 2027-02-28 to 2027-03-01 (2 days)", "came back early", {}, {"massage": 5}),
    ]
    paused = [e for e in events(shop.data_dir) if e["type"] == "paused"][0]
    assert {k: paused[k] for k in ("clients", "client_package", "from", "until", "days", "kept", "reason")} == {
        "clients": ["ana"], "client_package": "ana.p1", "from": "2027-02-28", "until": "2027-03-03", "days": 4, "kept": [],
        "reason": "travelling"}
    clean(shop)


def test_status_is_paused_inside_the_pause(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("pause", "ana.p1", "2027-02-28", "2027-03-03", now=JAN15))
    assert balance_of(shop, "ana", "ana.p1")["status"] == "active"
    assert ok_json(shop("balance", "ana", "--format", "json", now="2027-03-03T23:00"))[0]["status"] == "paused"
    assert ok_json(shop("balance", "ana", "--format", "json", now="2027-03-04T00:00"))[0]["status"] == "active"


def test_a_booking_inside_the_pause_is_not_drawn(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("pause", "ana.p1", "2027-02-28", "2027-03-03", now=JAN15))
    assert ok(shop("book", "ana", "massage", "2027-03-01T10:00", now=JAN15)) == (
        "Booked ana.b1: massage on 2027-03-01 10:00 (60 min), at the regular fee: no eligible package: "
        "ana.p1: paused from 2027-02-28 to 2027-03-03; fee 90.00 + 0.00 tax EUR\n")
    refused(shop, shop.data_dir, ("book", "ana", "massage", "2027-03-03T10:00", "--require-package"), 1,
            "no package can pay for massage on 2027-03-03 10:00: ana.p1: paused from 2027-02-28 to 2027-03-03", now=JAN15)
    refused(shop, shop.data_dir, ("book", "ana", "massage", "2027-02-28T10:00", "--package", "ana.p1"), 1,
            "ana.p1 cannot pay for this session: paused from 2027-02-28 to 2027-03-03", now=JAN15)
    assert ok_json(shop("book", "ana", "massage", "2027-03-04T10:00", "--format", "json", now=JAN15))["package"] == "ana.p1"
    assert balance_of(shop, "ana", "ana.p1")["remaining"] == {"massage": 4}
    clean(shop)


def test_bookings_inside_the_range_need_keep_bookings(shop) -> None:  # type: ignore[no-untyped-def]
    for when in ("2027-03-01T10:00", "2027-03-03T18:00", "2027-03-04T10:00"):
        ok(shop("book", "ana", "massage", when, now=JAN15))
    refused(shop, shop.data_dir, ("pause", "ana.p1", "2027-02-28", "2027-03-03"), 1,
            "ana.p1 has bookings inside the pause: ana.b1 on 2027-03-01, ana.b2 on 2027-03-03; "
            "move or cancel them, or confirm with --keep-bookings", now=JAN15)
    assert ok(shop("pause", "ana.p1", "2027-02-28", "2027-03-03", "--keep-bookings", now=JAN15)) == (
        "Paused ana.p1 from 2027-02-28 to 2027-03-03 (4 days); expires 2027-04-19 (was 2027-04-15)\n"
        "Kept inside the pause: ana.b1 on 2027-03-01, ana.b2 on 2027-03-03\n")
    assert balance_of(shop, "ana", "ana.p1")["balances"]["massage"]["scheduled"] == 3
    assert history_of(shop, "ana.p1")[-1]["what"] == (
        "paused ana.p1 from 2027-02-28 to 2027-03-03 (4 days); bookings kept inside it: ana.b1, ana.b2")
    clean(shop)


def test_pause_json(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("book", "ana", "massage", "2027-03-01T10:00", now=JAN15))
    record = ok_json(shop("pause", "ana.p1", "2027-02-28", "2027-03-03", "--keep-bookings", "--format", "json", now=JAN15))
    assert record == {"id": "ana.p1", "from": "2027-02-28", "until": "2027-03-03", "days": 4, "expires": "2027-04-19",
                      "was": "2027-04-15", "status": "active", "kept": [{"id": "ana.b1", "date": "2027-03-01"}]}


def test_resume_before_the_pause_starts_removes_it(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("pause", "ana.p1", "2027-02-28", "2027-03-03", now=JAN15))
    record = ok_json(shop("resume", "ana.p1", "--format", "json", now="2027-02-20T09:00"))  # --on defaults to today
    assert record == {"id": "ana.p1", "on": "2027-02-20", "from": "2027-02-28", "until": None, "days": 0, "removed": True,
                      "expires": "2027-04-15", "was": "2027-04-19", "status": "active"}
    assert history_of(shop, "ana.p1")[-1]["what"] == "resumed ana.p1 on 2027-02-20: the pause from 2027-02-28 to 2027-03-03 is removed"
    ok(shop("book", "ana", "massage", "2027-03-01T10:00", "--require-package", now="2027-02-20T09:00"))
    refused(shop, shop.data_dir, ("resume", "ana.p1"), 1,
            "ana.p1 has no pause on or after 2027-02-20 to resume; see 'sessionpack history ana.p1'", now="2027-02-20T09:00")
    clean(shop)


def test_resume_that_would_strand_a_booking_needs_force(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("pause", "ana.p1", "2027-02-28", "2027-03-03", now=JAN15))
    ok(shop("book", "ana", "massage", "2027-04-18T10:00", now=JAN15))
    refused(shop, shop.data_dir, ("resume", "ana.p1", "--on", "2027-03-01"), 1,
            "resuming on 2027-03-01 moves ana.p1's expiry back to 2027-04-16, before its bookings ana.b1 on 2027-04-18; "
            "move or cancel them, or confirm with --force", now=JAN15)
    ok(shop("resume", "ana.p1", "--on", "2027-03-01", "--force", now=JAN15))
    assert balance_of(shop, "ana", "ana.p1")["expires"] == "2027-04-16"
    clean(shop)


def test_pause_refusals(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("pause", "ana.p1", "2027-02-28", "2027-03-03", now=JAN15))
    refused(shop, shop.data_dir, ("pause", "ana.p1", "2027-03-05", "2027-03-01"), 2,
            "UNTIL 2027-03-01 is before FROM 2027-03-05; give the first and the last paused day", now=JAN15)
    refused(shop, shop.data_dir, ("pause", "ana.p1", "2027-03-03", "2027-03-10"), 1,
            "ana.p1 is already paused from 2027-02-28 to 2027-03-03; a pause cannot overlap another: choose other dates, "
            "or resume that pause first ('sessionpack resume ana.p1 --on DATE')", now=JAN15)
    refused(shop, shop.data_dir, ("pause", "ana.p1", "2027-04-20", "2027-04-30"), 1,
            "ana.p1 expires on 2027-04-19, before the pause would start on 2027-04-20; a pause starts on or before the last valid day", now=JAN15)
    refused(shop, shop.data_dir, ("pause", "ana.p1", "2027-05-01", "2027-05-02"), 1,
            "ana.p1 has expired; to pause it, first extend it with 'sessionpack adjust ana.p1 --expires DATE --reason ...'",
            now="2027-04-20T09:00")
    refused(shop, shop.data_dir, ("pause", "ana.p1", "1 March", "2027-03-10"), 2,
            "FROM must be an ISO date like 2027-03-01, not '1 March'", now=JAN15)
    refused(shop, shop.data_dir, ("pause", "ana.p7", "2027-03-05", "2027-03-10"), 2,
            "no client package 'ana.p7'; see 'sessionpack balance ana'", now=JAN15)
    # The day after the pause is free: one more day.
    assert ok(shop("pause", "ana.p1", "2027-03-04", "2027-03-04", now=JAN15)) == (
        "Paused ana.p1 from 2027-03-04 to 2027-03-04 (1 day); expires 2027-04-20 (was 2027-04-19)\n")
    clean(shop)


def test_pause_of_a_package_without_expiry_only_blocks(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("sell", "ana", "open", now=JAN15))
    assert ok(shop("pause", "ana.p2", "2027-03-01", "2027-03-10", now=JAN15)) == (
        "Paused ana.p2 from 2027-03-01 to 2027-03-10 (10 days); expires: never (the pause only blocks sessions)\n")
    clean(shop)


def test_pause_extends_an_adjusted_date_set_before_it(shop) -> None:  # type: ignore[no-untyped-def]
    ok(shop("adjust", "ana.p1", "--expires", "2027-06-30", "--reason", "promised more time", now=JAN15))
    ok(shop("pause", "ana.p1", "2027-06-29", "2027-07-02", now=JAN15))
    assert balance_of(shop, "ana", "ana.p1")["expires"] == "2027-07-04"  # 29, 30 Jun, 1, 2 Jul: 4 days
    ok(shop("adjust", "ana.p1", "--expires", "2027-08-31", "--reason", "summer", now=JAN15))
    assert balance_of(shop, "ana", "ana.p1")["expires"] == "2027-08-31"
    clean(shop)


def test_pause_and_resume_as_a_real_process(shop) -> None:  # type: ignore[no-untyped-def]
    done = shop.proc("pause", "ana.p1", "2027-02-28", "2027-03-03", now=JAN15)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "Paused ana.p1 from 2027-02-28 to 2027-03-03 (4 days); expires 2027-04-19 (was 2027-04-15)\n"
    done = shop.proc("resume", "ana.p1", "--on", "2027-03-02", now=JAN15)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.endswith("expires 2027-04-17 (was 2027-04-19)\n")
