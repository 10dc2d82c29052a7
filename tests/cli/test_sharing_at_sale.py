"""A package sold with --share: the other client's bookings draw on it.

Sharing at sale follows the rule of 'sessionpack share': the other client
must be linked to the owner with the use-packages permission.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sessionpack.storage import verify
from sessionpack.storage.store import Store, load_settings


def _setup(practice, linked: bool = True) -> None:  # type: ignore[no-untyped-def]
    (practice.data_dir / "packages" / "ten.toml").write_text(
        'name = "10 family massages"\n[contents]\npool = "count"\namount = 10\n[payment]\nprice = "700"\n'
    )
    assert practice("client", "add", "leo", "--name", "Leo Lima").exit_code == 0
    if linked:
        assert practice("client", "relate", "leo", "ana", "--as", "child", "--can", "use-packages").exit_code == 0


def _check_clean(practice) -> None:  # type: ignore[no-untyped-def]
    root = str(practice.data_dir)
    store = Store(root, load_settings(root), datetime.now(timezone.utc), "tester")
    assert verify.check(store) == []


def test_shared_client_books_on_the_owners_package(practice) -> None:
    _setup(practice)
    sold = practice("sell", "ana", "ten", "--share", "leo", "--format", "json")
    assert sold.exit_code == 0
    assert json.loads(sold.stdout)["shared_with"] == ["leo"]
    booked = practice("book", "leo", "massage", "2026-12-01T10:00", "--format", "json")
    assert booked.exit_code == 0
    booking = json.loads(booked.stdout)
    assert (booking["id"], booking["package"], booking["owner"], booking["attendee"]) == ("leo.b1", "ana.p1", "ana", "leo")
    leo = json.loads(practice("balance", "leo", "--format", "json").stdout)
    assert [(p["id"], p["shared_by"], p["remaining"]) for p in leo] == [("ana.p1", "ana", {"count": 9})]
    ana = practice("balance", "ana", "--format", "csv")
    assert ana.stdout.splitlines()[1] == "ana,ana.p1,ten,10 family massages,count,10,0,0,0,1,0,0,0,0,9,,no,active,"
    assert practice("cancel", "leo.b1").stdout == "leo.b1: cancelled; returned to ana.p1\n"
    after = json.loads(practice("balance", "ana", "--format", "json").stdout)
    assert after[0]["remaining"] == {"count": 10}
    _check_clean(practice)


def test_share_refusals_change_nothing(practice) -> None:
    _setup(practice)
    journal = (practice.data_dir / "journal.jsonl").read_bytes()
    unknown = practice("sell", "ana", "ten", "--share", "zed")
    assert (unknown.exit_code, unknown.stderr) == (2, "error: no client 'zed'; see 'sessionpack client list' or add one with 'sessionpack client add'\n")
    itself = practice("sell", "ana", "ten", "--share", "ana")
    assert (itself.exit_code, itself.stderr) == (2, "error: ana owns the package; --share names other clients\n")
    twice = practice("sell", "ana", "ten", "--share", "leo", "--share", "leo")
    assert (twice.exit_code, twice.stderr) == (2, "error: --share names the same client twice\n")
    assert (practice.data_dir / "journal.jsonl").read_bytes() == journal


def test_share_at_sale_needs_the_use_packages_permission(practice) -> None:
    _setup(practice, linked=False)
    journal = (practice.data_dir / "journal.jsonl").read_bytes()
    unlinked = practice("sell", "ana", "ten", "--share", "leo")
    assert (unlinked.exit_code, unlinked.stdout, unlinked.stderr) == (1, "", (
        "error: leo is not linked to ana with permission to use ana's packages; "
        "run 'sessionpack client relate leo ana --as other --can use-packages' first (any --as label fits)\n"))
    assert (practice.data_dir / "journal.jsonl").read_bytes() == journal
    # a link without the permission (or the owner's permission regarding leo) is not enough
    assert practice("client", "relate", "leo", "ana", "--as", "child", "--can", "book-for").exit_code == 0
    assert practice("client", "relate", "ana", "leo", "--as", "parent", "--can", "use-packages").exit_code == 0
    journal = (practice.data_dir / "journal.jsonl").read_bytes()
    for command in ("sell", "assign"):
        without = practice(command, "ana", "ten", "--share", "leo")
        assert (without.exit_code, without.stderr) == (1, (
            "error: leo is ana's child but may not use ana's packages; "
            "run 'sessionpack client relate leo ana --as child --can book-for --can use-packages' first\n"))
    assert (practice.data_dir / "journal.jsonl").read_bytes() == journal
    assert practice("client", "relate", "leo", "ana", "--as", "child", "--can", "book-for", "--can", "use-packages").exit_code == 0
    sold = practice("sell", "ana", "ten", "--share", "leo", "--format", "json")
    assert (sold.exit_code, json.loads(sold.stdout)["shared_with"]) == (0, ["leo"])
    _check_clean(practice)


def test_unshared_client_cannot_use_the_package(practice) -> None:
    _setup(practice)
    assert practice("sell", "ana", "ten").exit_code == 0
    booked = practice("book", "leo", "massage", "2026-12-01T10:00", "--format", "json")
    assert json.loads(booked.stdout)["package"] is None
    _check_clean(practice)
