"""A move and a batch of marks in the views (rules 22, 25 and 26 of docs/rules.md):
the client views of both owners, the open packages and the report views
(days, value, pending) follow the ``moved`` event; a rebuild from the
journal makes them byte for byte; a kill at each write point is repaired
by the next writer to the same bytes."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest
import tomli_w

from tree import tree_hash
from storage_util import assert_check_clean, run, view_files

FIVE = {"name": "5 massages", "expiry": "1 month from first use", "contents": {"sessions": {"massage": 5}},
        "payment": {"price": "400"}}
SHORT = {"name": "Short", "expiry": "on 2026-12-31", "contents": {"sessions": {"massage": 2}}, "payment": {"price": "150"}}


def ok(result) -> str:  # type: ignore[no-untyped-def]
    code = getattr(result, "exit_code", getattr(result, "returncode", None))
    assert (code, result.stderr) == (0, ""), (result.stdout, result.stderr)
    return result.stdout


@pytest.fixture
def shared(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    """Ana uses her own short package and Carla's, shared with her; ana.b1 draws on the short one."""
    for pid, body in (("five", FIVE), ("short", SHORT)):
        (data_dir / "packages" / f"{pid}.toml").write_text(tomli_w.dumps(body), encoding="utf-8")
    ok(practice("client", "add", "carla", "--name", "Carla Mendes"))
    ok(practice("client", "relate", "ana", "carla", "--as", "child", "--can", "use-packages"))
    ok(practice("sell", "carla", "five", "--share", "ana"))
    ok(practice("sell", "ana", "short"))
    ok(practice("book", "ana", "massage", "2026-12-01T10:00"))
    ok(practice("book", "ana", "massage", "2026-12-02T10:00", "--no-package"))
    return practice


def rebuilt(data_dir: Path, tmp_path: Path) -> dict[str, bytes]:
    copy = tmp_path / "rebuilt"
    shutil.copytree(data_dir, copy)
    shutil.rmtree(copy / "views")
    result = run(copy, "check", "--rebuild")
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    return view_files(copy)


def test_a_move_to_another_owners_package_keeps_every_view_right(shared, data_dir: Path, tmp_path: Path) -> None:
    assert "ana.b1" in (data_dir / "views" / "days" / "2026-12-01.jsonl").read_text()
    out = ok(shared("move", "ana.b1", "2027-01-05T10:00"))
    assert "drawn from carla.p1 (ana.p1 cannot pay at the new time" in out
    assert not (data_dir / "views" / "days" / "2026-12-01.jsonl").exists()  # a day file exists only while it has a line
    day = (data_dir / "views" / "days" / "2027-01-05.jsonl").read_text()
    assert '["b","ana","ana.b1",' in day and '["d","carla","ana.b1",' in day
    assert view_files(data_dir) == rebuilt(data_dir, tmp_path)
    assert_check_clean(data_dir)
    full = run(data_dir, "check", "--full")
    assert (full.returncode, full.stdout) == (0, "No problems found\n")


@pytest.mark.parametrize("point", ["journal-written", "shard-written", "view-written", "before-index"])
@pytest.mark.parametrize("command", ["move", "attend several"])
def test_a_kill_at_each_write_point_is_repaired(shared, data_dir: Path, tmp_path: Path, point: str, command: str) -> None:
    args = {"move": ("move", "ana.b1", "2027-01-05T10:00"),
            "attend several": ("attend", "ana.b1", "ana.b2")}[command]
    now = "2026-12-03T09:00" if command != "move" else "2026-11-20T09:00"
    result = run(data_dir, *args, env={"SESSIONPACK_TEST_CRASH_AT": point}, now=now)
    assert (result.returncode, result.stdout) == (-signal.SIGKILL, "")
    before = tree_hash(data_dir)
    read = run(data_dir, "balance", "ana", "--format", "json")  # a reader folds the tail in memory, writes nothing
    assert (read.returncode, read.stderr) == (0, "")
    assert tree_hash(data_dir) == before
    rebuilt(data_dir, tmp_path)
    assert read.stdout == run(tmp_path / "rebuilt", "balance", "ana", "--format", "json").stdout
    for root in (data_dir, tmp_path / "rebuilt"):
        assert run(root, "client", "add", "zed", "--name", "Zed").returncode == 0
    assert view_files(data_dir) == view_files(tmp_path / "rebuilt")
    assert_check_clean(data_dir)


def test_the_calendar_read_keeps_exactly_the_bookings_around_a_session(practice, data_dir: Path) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from sessionpack.domain.guards import agenda_days
    from sessionpack.storage.report_shards import day_bookings

    ok(practice("client", "add", "bob", "--name", "Bob Reis"))
    for who, when, minutes in (("ana", "2026-11-30T23:00", "120"), ("bob", "2026-12-01T08:00", "60"),
                               ("ana", "2026-12-01T09:30", "60"), ("bob", "2026-12-01T11:00", "30"), ("ana", "2026-12-01T22:00", "60")):
        ok(practice("book", who, "massage", when, "--duration", minutes, "--provider", who))

    def read(name: str) -> bytes | None:
        path = data_dir / name
        return path.read_bytes() if path.exists() else None

    tz = ZoneInfo("Europe/Lisbon")
    start = datetime(2026, 12, 1, 0, 30, tzinfo=tz)
    days = agenda_days([(start, 600)], tz)
    assert days == ["2026-11-30", "2026-12-01"]
    everything = sorted(b["id"] for b in day_bookings(read, days))
    assert everything == ["ana.b1", "ana.b2", "ana.b3", "bob.b1", "bob.b2"]
    around = sorted(b["id"] for b in day_bookings(read, days, [(start, start + timedelta(minutes=600))]))
    assert around == ["ana.b1", "ana.b2", "bob.b1"]  # 23:00-01:00, 08:00-09:00, 09:30-10:30; not 11:00 nor 22:00
    at_eleven = datetime(2026, 12, 1, 11, 0, tzinfo=tz)
    assert [b["id"] for b in day_bookings(read, days, [(at_eleven, at_eleven + timedelta(minutes=30))])] == ["bob.b2"]
    between = datetime(2026, 12, 1, 10, 30, tzinfo=tz)  # 10:30-11:00 only touches ana.b3 and bob.b2
    assert [b["id"] for b in day_bookings(read, days, [(between, between + timedelta(minutes=30))])] == []
