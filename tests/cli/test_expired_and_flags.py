"""Expired packages show what they forfeited; contradictory booking flags are refused."""

from __future__ import annotations


def _five(practice) -> None:  # type: ignore[no-untyped-def]
    (practice.data_dir / "packages" / "five.toml").write_text(
        'name = "5 massages"\nexpiry = "1 month"\n[contents.sessions]\nmassage = 5\n[payment]\nprice = "400"\n'
    )
    assert practice("sell", "ana", "five").exit_code == 0


def test_expired_package_row_says_what_was_forfeited(practice) -> None:
    _five(practice)
    assert practice("book", "ana", "massage", "2026-11-25T10:00").exit_code == 0
    assert practice("attend", "ana.b1", now="2026-11-25T12:00").exit_code == 0
    result = practice("balance", "ana", "--format", "csv", now="2026-12-21T00:00")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == "ana,ana.p1,five,5 massages,massage,5,0,1,0,0,0,0,0,0,4,2026-12-20,no,expired,"
    assert "expired (4 forfeited)" in practice("balance", "ana", now="2026-12-21T00:00").stdout
    active = practice("balance", "ana", "--format", "csv", now="2026-12-20T23:59")
    assert active.stdout.splitlines()[1].endswith(",2026-12-20,no,active,")


def test_no_package_and_require_package_together_are_refused(practice) -> None:
    _five(practice)
    journal = (practice.data_dir / "journal.jsonl").read_bytes()
    result = practice("book", "ana", "massage", "2026-11-25T10:00", "--no-package", "--require-package")
    assert result.exit_code == 2
    assert result.stderr == "error: give either --no-package or --require-package, not both\n"
    assert (practice.data_dir / "journal.jsonl").read_bytes() == journal


def test_a_session_given_back_after_the_expiry_is_recorded_lapses_with_it(practice) -> None:
    """A no-show returned, or an unlink, after the sweep recorded the expiry:
    what the booking drew is expired too, not held for ever by a package no
    sweep looks at again (and the liability holds nothing of it)."""
    _five(practice)
    assert practice("book", "ana", "massage", "2026-12-18T10:00").exit_code == 0
    assert practice("book", "ana", "massage", "2026-12-19T10:00").exit_code == 0
    after = "2026-12-22T09:00"
    assert practice("notify", now=after).exit_code == 0
    assert "expired (3 forfeited)" in practice("balance", "ana", "--all", now=after).stdout
    assert practice("no-show", "ana.b1", now=after).stdout == (
        "ana.b1: no-show; returned to ana.p1 (expired on 2026-12-21: the session lapses with it)\n")
    unlinked = practice("unlink", "ana.b2", "--reason", "paid apart", now=after)
    assert unlinked.stdout.startswith(
        "ana.b2 unlinked from ana.p1; returns 1 massage (expired on 2026-12-21: what returns lapses with it); ")
    shown = practice("balance", "ana", "--all", "--format", "json", now=after)
    [row] = [r for r in __import__("json").loads(shown.stdout) if r["id"] == "ana.p1"]
    assert (row["balances"]["massage"]["remaining"], row["balances"]["massage"]["expired"]) == (0, 5)
    held = practice("report", "liability", "--as-of", "2027-01-31", now=after).stdout
    assert "ana.p1" not in held and "No client package holds prepaid value" in held
    assert practice("check", "--full", now=after).stdout == "No problems found\n"
