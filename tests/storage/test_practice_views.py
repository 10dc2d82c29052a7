"""The sharded whole-practice views: open client packages (views/open) and
access codes (views/codes). They follow every commit, survive a kill at each
write point, are rebuilt byte for byte, are compared by ``check``, and views
made before them are upgraded automatically."""

from __future__ import annotations

import json
import shutil
import signal
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from sessionpack.cli.output import _plain
from sessionpack.domain.ledger import VIEW_FORMAT
from sessionpack.reports.balances import client_summaries
from sessionpack.storage.store import Store, load_settings
from tree import tree_hash
from storage_util import NOW, assert_check_clean, inproc, run, view_files

FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}
ONE = {"name": "1 massage", "expiry": "1 month from first use", "contents": {"sessions": {"massage": 1}}, "payment": {"price": "90"}}
OPEN_HINT = "differs from what the journal implies; run 'sessionpack check --rebuild'"


def ok(result) -> str:  # type: ignore[no-untyped-def]
    stdout = getattr(result, "stdout", "")
    code = getattr(result, "exit_code", getattr(result, "returncode", None))
    assert (code, result.stderr) == (0, ""), (stdout, result.stderr)
    return stdout


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    for pid, body in (("five", FIVE), ("one", ONE)):
        (data_dir / "packages" / f"{pid}.toml").write_text(tomli_w.dumps(body), encoding="utf-8")
    ok(practice("client", "add", "bob", "--name", "Bob Reis"))
    return practice


def open_shard(client: str) -> str:
    return f"views/open/{zlib.crc32(client.encode()) & 0xFF:02x}.jsonl"


def open_lines(data_dir: Path) -> list[list[Any]]:
    rows = []
    for path in sorted((data_dir / "views" / "open").glob("*.jsonl")):
        rows.extend(json.loads(line) for line in path.read_bytes().splitlines())
    return rows


def code_hashes(data_dir: Path, client: str) -> dict[str, str]:
    view = json.loads((data_dir / "views" / "clients" / f"{client}.json").read_bytes())
    return {cp: pkg["code_hash"] for cp, pkg in view["packages"].items()}


def code_index(data_dir: Path) -> dict[str, list[list[str]]]:
    found: dict[str, list[list[str]]] = {}
    for path in sorted((data_dir / "views" / "codes").glob("*.json")):
        codes = json.loads(path.read_bytes())["codes"]
        assert all(h.startswith(path.stem) for h in codes)
        found.update(codes)
    return found


def owner_of(data_dir: Path, code_hash: str) -> str | None:
    root = str(data_dir)
    settings = load_settings(root)
    store = Store(root, settings, datetime.fromisoformat(NOW).replace(tzinfo=settings.tz), "tester")
    with store.reading() as tx:
        return tx.code_owner(code_hash)


def rebuilt_copy(data_dir: Path, tmp_path: Path) -> dict[str, bytes]:
    """The view files a rebuild from the journal alone makes (in a copy)."""
    copy = tmp_path / "rebuilt"
    shutil.copytree(data_dir, copy)
    shutil.rmtree(copy / "views")
    (copy / "views" / "clients").mkdir(parents=True)
    result = run(copy, "check", "--rebuild")
    assert (result.returncode, result.stderr) == (0, ""), result.stdout
    return view_files(copy)


# -- the views follow commits -------------------------------------------------------------


def test_open_and_code_shards_follow_every_commit(shop, data_dir: Path, tmp_path: Path) -> None:
    ok(shop("sell", "ana", "five"))
    ok(shop("sell", "bob", "one"))
    rows = open_lines(data_dir)
    assert [(r[0], r[1], r[2]) for r in rows] == sorted([("2027-02-20", "ana", "ana.p1"), (None, "bob", "bob.p1")], key=lambda r: (open_shard(r[1]), r[1]))
    ana = json.loads((data_dir / "views" / "clients" / "ana.json").read_bytes())
    assert [r[3] for r in rows if r[2] == "ana.p1"] == [ana["packages"]["ana.p1"]]  # the whole record
    assert (data_dir / open_shard("ana")).exists() and (data_dir / open_shard("bob")).exists()

    index = code_index(data_dir)
    assert index == {code_hashes(data_dir, "ana")["ana.p1"]: [["ana", "ana.p1"]], code_hashes(data_dir, "bob")["bob.p1"]: [["bob", "bob.p1"]]}

    # bob's one session booked: the line follows (first use starts the clock); attended: used up, gone.
    ok(shop("book", "bob", "massage", "2026-11-25T10:00"))
    [bob] = [r for r in open_lines(data_dir) if r[1] == "bob"]
    assert bob[0] == "2026-12-25" and bob[3]["draws"]["bob.b1"]["state"] == "scheduled"
    ok(shop("attend", "bob.b1", now="2026-11-25T12:00"))
    assert [r[2] for r in open_lines(data_dir)] == ["ana.p1"]
    if open_shard("bob") != open_shard("ana"):
        assert not (data_dir / open_shard("bob")).exists()  # an empty shard is no file
    # A used-up package keeps its code: a script can still show its balance.
    assert owner_of(data_dir, code_hashes(data_dir, "bob")["bob.p1"]) == "bob.p1"

    assert_check_clean(data_dir)
    assert view_files(data_dir) == rebuilt_copy(data_dir, tmp_path)


def test_code_owner_reads_the_index(shop, data_dir: Path) -> None:
    for _ in range(3):
        ok(shop("sell", "ana", "five"))
    hashes = code_hashes(data_dir, "ana")
    for cp_id, code_hash in hashes.items():
        assert owner_of(data_dir, code_hash) == cp_id
    assert owner_of(data_dir, "0" * 64) is None
    assert owner_of(data_dir, "not a hash") is None

    old = hashes["ana.p2"]
    ok(shop("code", "reset", "ana.p2", "--reason", "lost"))
    new = code_hashes(data_dir, "ana")["ana.p2"]
    assert new != old
    assert owner_of(data_dir, old) is None
    assert owner_of(data_dir, new) == "ana.p2"
    assert old not in code_index(data_dir)
    assert_check_clean(data_dir)


def test_code_lookup_opens_one_small_file(shop, data_dir: Path) -> None:
    ok(shop("sell", "ana", "five"))
    code_hash = code_hashes(data_dir, "ana")["ana.p1"]
    # Without the client views, the index alone still names the package.
    shutil.rmtree(data_dir / "views" / "clients")
    assert owner_of(data_dir, code_hash) == "ana.p1"


# -- the whole-practice listing -------------------------------------------------------------


def listing_from_every_view(data_dir: Path, now: str) -> str:
    """What ``balance --format json`` printed before the open view: every client view read."""
    root = str(data_dir)
    settings = load_settings(root)
    store = Store(root, settings, datetime.fromisoformat(now).replace(tzinfo=settings.tz), "tester")
    out = []
    with store.reading() as tx:
        directory = store.load_directory()["clients"]
        for client_id in sorted(directory):
            view = tx.client(client_id)
            if view and view["packages"]:
                for summary in client_summaries(view, store.now, settings.tz, include_inactive=False):
                    entry = directory[client_id]
                    summary["client"] = {"id": client_id, "name": entry["name"], "email": entry["email"]}
                    out.append(summary)
    return json.dumps(_plain(out), ensure_ascii=False, indent=2) + "\n"


def test_listing_is_what_reading_every_view_gives_at_any_clock(shop, data_dir: Path) -> None:
    ok(shop("client", "add", "carol", "--name", "Carol"))
    ok(shop("sell", "ana", "five", now="2026-06-01T10:00"))  # past its last day at NOW
    ok(shop("sell", "ana", "five"))
    ok(shop("sell", "bob", "one"))
    ok(shop("sell", "carol", "one"))
    ok(shop("book", "carol", "massage", "2026-11-21T10:00"))
    ok(shop("attend", "carol.b1", now="2026-11-21T12:00"))  # used up: leaves the open view
    ok(shop("sell", "carol", "five", "--date", "2026-11-20"))
    ok(shop("book", "bob", "massage", "2027-01-10T10:00"))  # starts bob's month: until 2027-02-09
    assert {r[2] for r in open_lines(data_dir)} == {"ana.p1", "ana.p2", "bob.p1", "carol.p2"}
    for now in ("2026-05-01T09:00", "2026-06-01T12:00", "2026-09-01T23:59", NOW, "2027-01-01T00:00",
                "2027-02-09T23:30", "2027-02-10T00:00", "2030-01-01T09:00"):
        result = shop("balance", "--format", "json", now=now)
        assert ok(result) == listing_from_every_view(data_dir, now), now
    # Table and --all keep their output too.
    table = ok(shop("balance"))
    assert table.splitlines()[0] == "Balances at 2026-11-20 09:00 (EUR)"
    assert [line.split()[0] for line in table.splitlines()[2:]] == ["ana.p2", "bob.p1", "carol.p2"]
    everything = json.loads(ok(shop("balance", "--all", "--format", "json")))
    assert [s["id"] for s in everything] == ["ana.p1", "ana.p2", "bob.p1", "carol.p1", "carol.p2"]


def test_listing_of_an_empty_practice(practice) -> None:
    assert ok(practice("balance")) == "No client has an active package\n"
    assert ok(practice("balance", "--format", "json")) == "[]\n"


# -- kill at every write point ------------------------------------------------------------


def crash(data_dir: Path, point: str, *args: str) -> None:
    result = run(data_dir, *args, env={"SESSIONPACK_TEST_CRASH_AT": point})
    assert result.returncode == -signal.SIGKILL, (point, result.returncode, result.stderr)
    assert result.stdout == ""


@pytest.mark.parametrize("point", ["journal-written", "shard-written", "view-written", "before-index"])
@pytest.mark.parametrize("command", ["sell", "code-reset", "attend"])
def test_kill_at_each_write_point_and_the_shards_are_repaired(shop, data_dir: Path, tmp_path: Path, point: str, command: str) -> None:
    ok(shop("sell", "ana", "one"))
    ok(shop("book", "ana", "massage", "2026-11-21T10:00"))
    args = {
        "sell": ("sell", "ana", "five"),
        "code-reset": ("code", "reset", "ana.p1", "--reason", "lost"),
        "attend": ("--now", "2026-11-21T12:00", "attend", "ana.b1"),  # used up: the open line goes
    }[command]
    if args[0] == "--now":
        result = run(data_dir, *args[2:], env={"SESSIONPACK_TEST_CRASH_AT": point}, now=args[1])
        assert result.returncode == -signal.SIGKILL and result.stdout == ""
    else:
        crash(data_dir, point, *args)
    # The next reader sees what was recorded (folded in memory) and writes
    # nothing; the next writer repairs every view from the journal's tail.
    before = tree_hash(data_dir)
    listed = run(data_dir, "balance", "--format", "json")
    assert (listed.returncode, listed.stderr) == (0, "")
    assert tree_hash(data_dir) == before
    rebuilt_copy(data_dir, tmp_path)
    assert listed.stdout == run(tmp_path / "rebuilt", "balance", "--format", "json").stdout
    for root in (data_dir, tmp_path / "rebuilt"):
        assert run(root, "client", "add", "zed", "--name", "Zed").returncode == 0
    assert view_files(data_dir) == view_files(tmp_path / "rebuilt")
    assert_check_clean(data_dir)
    hashes = code_hashes(data_dir, "ana")
    for cp_id, code_hash in hashes.items():
        assert owner_of(data_dir, code_hash) == cp_id
    assert len(code_index(data_dir)) == len(hashes)


def test_a_killed_rebuild_is_done_again_by_the_next_writer(shop, data_dir: Path) -> None:
    ok(shop("sell", "ana", "five"))
    before = view_files(data_dir)
    (data_dir / "views" / "index.json").write_bytes(b'{"format":0,"offset":0,"rebuilding":true,"seq":0}\n')
    (data_dir / open_shard("ana")).unlink()  # as if cut short half-way
    damaged = tree_hash(data_dir)
    read = inproc(data_dir, "client", "list", "--format", "csv")
    assert (read.returncode, read.stdout) == (3, "")
    assert read.stderr == ("error: an earlier rebuild of the views was interrupted; a command that only reads never writes, "
                           "so run 'sessionpack check --rebuild' (or any command that records something) once to rebuild "
                           "them from the journal; nothing recorded changes\n")
    assert tree_hash(data_dir) == damaged
    result = inproc(data_dir, "client", "add", "carol", "--name", "Carol")
    assert result.returncode == 0
    assert result.stderr == (f"warning: an earlier rebuild of the views was interrupted; rebuilt {len(before)} view "
                             "files from the journal (nothing recorded was changed)\n")
    assert ok(shop("client", "list", "--format", "csv")).splitlines()[1:] == ["ana,Ana Lima,ana@example.com,,", "bob,Bob Reis,,,", "carol,Carol,,,"]


# -- check and rebuild ----------------------------------------------------------------------


def test_rebuild_after_deleting_every_view_makes_the_same_shards(shop, data_dir: Path) -> None:
    ok(shop("sell", "ana", "five"))
    ok(shop("sell", "bob", "five"))
    ok(shop("book", "ana", "massage", "2026-12-01T10:00"))
    ok(shop("code", "reset", "bob.p1"))
    before = view_files(data_dir)
    assert any(k.startswith("open/") for k in before) and any(k.startswith("codes/") for k in before)
    shutil.rmtree(data_dir / "views")
    rebuilt = run(data_dir, "check", "--rebuild")
    assert (rebuilt.returncode, rebuilt.stderr) == (0, "")
    assert rebuilt.stdout == f"Rebuilt {len(before)} view files from the journal\n"
    assert view_files(data_dir) == before
    assert_check_clean(data_dir)


def problems(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["problem"] for row in json.loads(result.stdout)]


def test_a_hand_edited_open_shard_is_reported(shop, data_dir: Path) -> None:
    ok(shop("sell", "ana", "five"))
    shard = data_dir / open_shard("ana")
    shard.write_bytes(shard.read_bytes().replace(b'"massage":5', b'"massage":9'))
    checked = inproc(data_dir, "check", "--format", "json")
    assert checked.returncode == 3
    assert problems(checked) == [f"{open_shard('ana')}:1: {OPEN_HINT}"]
    assert inproc(data_dir, "check", "--rebuild").returncode == 0
    assert_check_clean(data_dir)


def test_a_damaged_code_shard_stops_commands_and_is_reported(shop, data_dir: Path) -> None:
    ok(shop("sell", "ana", "five"))
    code_hash = code_hashes(data_dir, "ana")["ana.p1"]
    name = f"views/codes/{code_hash[:2]}.json"
    (data_dir / name).write_bytes(b'{"codes":')
    reset = run(data_dir, "code", "reset", "ana.p1")
    assert (reset.returncode, reset.stdout) == (3, "")
    assert reset.stderr == f"error: {name}:1: is damaged; rebuild the views with 'sessionpack check --rebuild'\n"
    checked = inproc(data_dir, "check", "--format", "json")
    assert problems(checked) == [f"{name}:1: {OPEN_HINT}"]
    assert inproc(data_dir, "check", "--rebuild").returncode == 0
    assert owner_of(data_dir, code_hash) == "ana.p1"
    assert_check_clean(data_dir)


def test_a_stray_shard_is_reported_and_removed_by_rebuild(shop, data_dir: Path) -> None:
    stray = data_dir / "views" / "open" / "zz.jsonl"
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b'[null,"ghost","ghost.p1",{}]\n')
    checked = inproc(data_dir, "check", "--format", "json")
    assert problems(checked) == ["views/open/zz.jsonl: no event in the journal makes this view; run 'sessionpack check --rebuild'"]
    assert inproc(data_dir, "check", "--rebuild").returncode == 0
    assert not stray.exists()
    assert_check_clean(data_dir)


# -- views made before the shards ----------------------------------------------------------------


OLD_FORMAT = 4


OLD = VIEW_FORMAT - 1


def make_views_old(data_dir: Path) -> None:
    """What a directory written by an older sessionpack holds: the format
    before this one, no reference shards."""
    shutil.rmtree(data_dir / "views" / "refs", ignore_errors=True)
    for path in (data_dir / "views").rglob("*.json"):
        path.write_bytes(path.read_bytes().replace(b'"format":%d,' % VIEW_FORMAT, b'"format":%d,' % OLD))


@pytest.mark.parametrize("first", ["reader", "writer", "check"])
def test_views_of_the_previous_format_are_rebuilt_with_a_warning(shop, data_dir: Path, first: str) -> None:
    ok(shop("sell", "ana", "five"))
    ok(shop("sell", "bob", "one"))
    before = view_files(data_dir)
    make_views_old(data_dir)
    assert json.loads((data_dir / "views" / "index.json").read_bytes())["format"] == OLD
    old = tree_hash(data_dir)
    if first == "reader":  # a reader never writes: it says how to rebuild them
        result = run(data_dir, "balance", "--format", "csv")
        assert (result.returncode, result.stdout) == (3, "")
        assert result.stderr == (f"error: the views were made by an older sessionpack (format {OLD}); a command that only reads "
                                 "never writes, so run 'sessionpack check --rebuild' (or any command that records something) "
                                 "once to rebuild them from the journal; nothing recorded changes\n")
        assert tree_hash(data_dir) == old
        return
    if first == "check":  # check only reads too, and an older format is no damage
        result = run(data_dir, "check")
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout == (f"No problems found\nnote: the views were made by an older sessionpack (format {OLD}); run "
                                 "'sessionpack check --rebuild' (or any command that records something) once to rebuild "
                                 "them from the journal; nothing recorded changes\n")
        assert tree_hash(data_dir) == old
        return
    result = run(data_dir, "client", "add", "carol", "--name", "Carol")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (f"warning: the views were made by an older sessionpack (format {OLD}); rebuilt {len(before)} "
                             "view files from the journal (nothing recorded was changed)\n")
    again = run(data_dir, "client", "list", "--format", "csv")
    assert (again.returncode, again.stderr) == (0, "")  # upgraded once
    assert_check_clean(data_dir)


def test_deferred_commits_build_on_each_other_and_their_views_are_written_once(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """``Store.defer_views`` (notify's deliveries): each commit is in the
    journal at once, the views only at the end; a second commit changing
    the same open shard builds on the first one's shard held in memory."""
    from decimal import Decimal

    from sessionpack.domain.sales import pay

    shard = open_shard("bob")
    other = next(f"c{n}" for n in range(100000) if open_shard(f"c{n}") == shard)
    ok(shop("client", "add", other, "--name", "Other"))
    for client in ("bob", other):
        ok(shop("sell", client, "five", "--unpaid"))
    before = (data_dir / shard).read_bytes()
    root = str(data_dir)
    settings = load_settings(root)
    store = Store(root, settings, datetime.fromisoformat(NOW).replace(tzinfo=settings.tz), "tester")
    store.defer_views()
    for client in ("bob", other):
        with store.writing() as tx:
            pkg = tx.client(client)["packages"][f"{client}.p1"]
            tx.commit([pay(pkg, Decimal("100"), "EUR", "cash")])
        assert (data_dir / shard).read_bytes() == before  # not written yet
        index = json.loads((data_dir / "views" / "index.json").read_bytes())
        assert index["offset"] < (data_dir / "journal.jsonl").stat().st_size
    store.write_deferred_views()
    assert {row[2]: row[3]["paid"] for row in open_lines(data_dir) if row[1] in ("bob", other)} == {
        "bob.p1": "100.00", f"{other}.p1": "100.00"}
    assert_check_clean(data_dir)


def test_while_deferred_commits_wait_for_their_views_check_and_readers_see_them(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """A ``notify`` run delivering notices (its views deferred) while
    ``check`` and readers run: the journal is ahead of the views by several
    commands, some of which make shard files that are not on disk yet."""
    from decimal import Decimal

    from sessionpack.domain.sales import pay

    ok(shop("sell", "bob", "five", "--unpaid"))
    root = str(data_dir)
    settings = load_settings(root)
    store = Store(root, settings, datetime.fromisoformat(NOW).replace(tzinfo=settings.tz), "tester")
    store.defer_views()
    with store.writing() as tx:
        tx.commit([pay(tx.client("bob")["packages"]["bob.p1"], Decimal("100"), "EUR", "cash")])
    ok(shop("client", "add", "zed", "--name", "Zed"))  # another command in between: it writes the views itself
    store.defer_views()
    with store.writing() as tx:
        tx.commit([pay(tx.client("bob")["packages"]["bob.p1"], Decimal("50"), "EUR", "cash")])
    before = tree_hash(data_dir)
    checked = run(data_dir, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "note: 1 recorded event(s) are not yet in the view files" in checked.stdout
    assert run(data_dir, "check", "--full").returncode == 0
    owed = run(data_dir, "report", "outstanding", "--format", "json")
    assert [row["due"] for row in json.loads(owed.stdout)["rows"]] == ["250.00"]
    sales = run(data_dir, "report", "sales", "--format", "json")
    assert [(row["id"], row["paid"]) for row in json.loads(sales.stdout)["rows"] if row["client"] == "bob"] == [("bob.p1", "150.00")]
    assert tree_hash(data_dir) == before
    store.write_deferred_views()
    assert_check_clean(data_dir)


def test_a_damaged_pending_line_is_named_by_report_outstanding(shop, data_dir: Path) -> None:
    ok(shop("sell", "bob", "five", "--unpaid"))
    [name] = [str(p.relative_to(data_dir)) for p in (data_dir / "views" / "pending").glob("*.jsonl")]
    good = (data_dir / name).read_bytes()
    assert json.loads(good.splitlines()[0])[:3] == ["s", "bob", "bob.p1"]
    owed = run(data_dir, "report", "outstanding", "--format", "json")
    assert [row["due"] for row in json.loads(owed.stdout)["rows"]] == ["400.00"]
    (data_dir / name).write_bytes(good + b'["b","bob"\n')
    before = tree_hash(data_dir)
    damaged = run(data_dir, "report", "outstanding")
    assert (damaged.returncode, damaged.stdout) == (3, "")
    assert damaged.stderr == f"error: {name}:2: is damaged; rebuild the views with 'sessionpack check --rebuild'\n"
    assert tree_hash(data_dir) == before


@pytest.mark.parametrize("line", [
    b'["b","bob","bob.b9","90.00"]',  # a fee line cut short
    b'["b","bob","bob.b9",90,"2026-01-01T10:00:00+00:00","90.00",null,null,null,"attended","massage"]',  # a number as the amount
    b'["u","bob","bob.b9",{"attendee":"bob"}]',  # an unmarked booking without its fee
    b'["s","bob","bob.p9",["not","a","sale"]]',
])
def test_a_pending_line_of_the_wrong_shape_is_named_not_an_internal_error(shop, data_dir: Path, line: bytes) -> None:
    ok(shop("sell", "bob", "five", "--unpaid"))
    [name] = [str(p.relative_to(data_dir)) for p in (data_dir / "views" / "pending").glob("*.jsonl")]
    (data_dir / name).write_bytes((data_dir / name).read_bytes() + line + b"\n")
    before = tree_hash(data_dir)
    damaged = run(data_dir, "report", "outstanding")
    assert (damaged.returncode, damaged.stdout) == (3, "")
    assert damaged.stderr == f"error: {name}:2: is damaged; rebuild the views with 'sessionpack check --rebuild'\n"
    assert tree_hash(data_dir) == before


def test_a_marked_fee_is_a_flat_pending_line_and_an_unmarked_booking_a_whole_record(shop, data_dir: Path) -> None:
    ok(shop("book", "bob", "massage", "2026-03-02T10:00", now="2026-03-01T09:00"))
    ok(shop("book", "bob", "massage", "2026-03-03T10:00", now="2026-03-01T09:00"))
    ok(shop("attend", "bob.b1", now="2026-03-02T12:00"))
    lines = [json.loads(line) for p in (data_dir / "views" / "pending").glob("*.jsonl") for line in p.read_bytes().splitlines()]
    [fee] = [fields for fields in lines if fields[0] == "b"]
    [unmarked] = [fields for fields in lines if fields[0] == "u"]
    assert fee == ["b", "bob", "bob.b1", "90.00", "2026-03-02T10:00:00+00:00", "90.00", None, None, None, "attended", "massage"]
    assert unmarked[:3] == ["u", "bob", "bob.b2"] and unmarked[3]["status"] == "booked" and unmarked[3]["duration"] == 60
    # Both are owed once they have started: the flat line and the whole record read as the same kind of fee.
    owed = json.loads(run(data_dir, "report", "outstanding", "--format", "json", now="2026-03-04T09:00").stdout)
    assert [(row["item"], row["what"], row["due"], row["age"]) for row in owed["rows"]] == [
        ("bob.b1", "regular fee massage", "90.00", 2), ("bob.b2", "regular fee massage", "90.00", 1)]


TWELVE = {"name": "12 massages", "expiry": "1 year", "contents": {"sessions": {"massage": 12}}, "payment": {"price": "960"}}


def value_lines_of(data_dir: Path, cp_id: str) -> list[bytes]:
    return [line for path in sorted((data_dir / "views" / "value").glob("*.jsonl"))
            for line in path.read_bytes().splitlines() if f',"{cp_id}",'.encode() in line]


def test_sessions_of_one_day_move_value_in_one_order_however_the_view_was_made(shop, data_dir: Path) -> None:
    # bob.b9 and bob.b10 draw on the same day. Folded from the journal, a
    # package's draws come in booking order (b9, b10); read back from its view
    # file, in the order of their ids as text (b10 before b9). Whatever the
    # order, the value lines must be the same bytes: else a commit that
    # changes the package cannot find the line to take out, and the package
    # is counted twice by report liability.
    (data_dir / "packages" / "twelve.toml").write_text(tomli_w.dumps(TWELVE), encoding="utf-8")
    ok(run(data_dir, "sell", "bob", "twelve", "--paid", "960", now="2026-09-01T09:00"))
    for day in range(1, 9):
        ok(run(data_dir, "book", "bob", "massage", f"2026-09-{day + 1:02d}T10:00", now="2026-09-01T09:00"))
    ok(run(data_dir, "book", "bob", "massage", "2026-09-20T10:00", now="2026-09-01T09:00"))
    ok(run(data_dir, "book", "bob", "massage", "2026-09-20T15:00", now="2026-09-01T09:00"))
    ok(run(data_dir, "attend", *[f"bob.b{n}" for n in range(1, 9)], now="2026-09-21T09:00"))
    ok(run(data_dir, "no-show", "bob.b9", "--forfeit", "--reason", "did not come", now="2026-09-21T09:00"))
    ok(run(data_dir, "attend", "bob.b10", now="2026-09-21T09:00"))
    assert_check_clean(data_dir)
    full = inproc(data_dir, "check", "--full")
    assert (full.returncode, full.stdout) == (0, "No problems found\n"), full.stdout
    made_by_commits = value_lines_of(data_dir, "bob.p1")
    ok(run(data_dir, "check", "--rebuild"))
    assert value_lines_of(data_dir, "bob.p1") == made_by_commits
    # A commit after the rebuild takes the package's line out and puts the new one in.
    ok(run(data_dir, "adjust", "bob.p1", "--sessions", "+1", "--reason", "goodwill", now="2026-09-22T09:00"))
    after = value_lines_of(data_dir, "bob.p1")
    assert len(after) == 1 and after != made_by_commits
    full = inproc(data_dir, "check", "--full")
    assert (full.returncode, full.stdout) == (0, "No problems found\n"), full.stdout
    moves = json.loads(after[0])[5]["moves"]
    assert [m[1] for m in moves if m[0] == "2026-09-20"] == ["redeemed", "forfeited"]  # bob.b10, then bob.b9: by id


# The catalog file names thai before massage: a sale's view holds its parts
# in that order, the journal (sorted keys) in the other.
MIX = {"name": "Mix", "expiry": "1 year", "contents": {"sessions": {"thai": 2, "massage": 3}}, "payment": {"price": "400"}}


def test_a_package_of_several_parts_keeps_one_value_line_through_every_commit(shop, data_dir: Path) -> None:
    (data_dir / "packages" / "mix.toml").write_text(tomli_w.dumps(MIX), encoding="utf-8")
    assert (data_dir / "packages" / "mix.toml").read_text(encoding="utf-8").index("thai") < \
        (data_dir / "packages" / "mix.toml").read_text(encoding="utf-8").index("massage")
    steps = [
        ("2026-09-01T09:00", ("sell", "bob", "mix", "--paid", "400")),
        ("2026-09-01T09:00", ("book", "bob", "thai", "2026-09-02T10:00")),
        ("2026-09-01T09:00", ("book", "bob", "massage", "2026-09-02T14:00")),
        ("2026-09-03T09:00", ("attend", "bob.b1", "bob.b2")),
        ("2026-09-04T09:00", ("adjust", "bob.p1", "--sessions", "+1", "--service", "thai", "--reason", "goodwill")),
        ("2026-09-05T09:00", ("refund", "bob.p1", "--pro-rata", "--reason", "moved away", "--yes")),
    ]
    for now, args in steps:
        ok(run(data_dir, *args, now=now))
        assert len(value_lines_of(data_dir, "bob.p1")) == 1, args
        full = inproc(data_dir, "check", "--full")
        assert (full.returncode, full.stdout) == (0, "No problems found\n"), (args, full.stdout)
    made_by_commits = tree_hash(data_dir / "views")
    ok(run(data_dir, "check", "--rebuild"))
    assert tree_hash(data_dir / "views") == made_by_commits
    held = inproc(data_dir, "report", "liability", "--as-of", "2026-09-04", "--format", "json")
    assert [row["id"] for row in json.loads(held.stdout)["rows"]] == ["bob.p1"]


def test_a_package_of_several_parts_moved_paused_and_expired_keeps_one_value_line(shop, data_dir: Path) -> None:
    (data_dir / "packages" / "mix.toml").write_text(tomli_w.dumps(dict(MIX, expiry="1 month")), encoding="utf-8")
    steps = [
        ("2026-09-01T09:00", ("sell", "bob", "mix", "--paid", "400")),
        ("2026-09-01T09:00", ("book", "bob", "massage", "2026-09-02T10:00")),
        ("2026-09-03T09:00", ("attend", "bob.b1")),
        ("2026-09-04T09:00", ("transfer", "bob.p1", "ana", "--sessions", "1", "--service", "thai", "--reason", "gift")),
        ("2026-09-05T09:00", ("pause", "bob.p1", "2026-09-10", "2026-09-12", "--reason", "away")),
        ("2026-11-20T09:00", ("notify", "--quiet")),
    ]
    for now, args in steps:
        ok(run(data_dir, *args, now=now))
        for cp_id in ("bob.p1", "ana.p1"):
            assert len(value_lines_of(data_dir, cp_id)) <= 1, (args, cp_id)
        full = inproc(data_dir, "check", "--full")
        assert (full.returncode, full.stdout) == (0, "No problems found\n"), (args, full.stdout)
    assert len(value_lines_of(data_dir, "bob.p1")) == len(value_lines_of(data_dir, "ana.p1")) == 1
    assert '"expired"' in value_lines_of(data_dir, "bob.p1")[0].decode()
    made_by_commits = tree_hash(data_dir / "views")
    ok(run(data_dir, "check", "--rebuild"))
    assert tree_hash(data_dir / "views") == made_by_commits
