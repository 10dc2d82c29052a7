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
