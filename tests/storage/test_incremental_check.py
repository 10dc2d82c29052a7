"""``check`` against the checkpoint of the last clean check (kept in the cache directory).

A journal under SESSIONPACK_FULL_CHECK_BELOW bytes (4 MiB) is always checked
in full; these tests set it to 0 so that a small practice is checked the way
a large one is. Each damage is found by the incremental check, and on random
scenarios it finds what the full replay finds.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
from pathlib import Path

import pytest
import tomli_w

from storage_util import inproc, run, view_files
from tree import tree_hash

FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}
ONE = {"name": "1 massage", "contents": {"sessions": {"massage": 1}}, "payment": {"price": "90"}}
REBUILD = "run 'sessionpack check --rebuild'"
DIFFERS = f"differs from what the journal implies; {REBUILD}"


@pytest.fixture
def shop(practice, data_dir: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SESSIONPACK_FULL_CHECK_BELOW", "0")
    for pid, body in (("five", FIVE), ("one", ONE)):
        (data_dir / "packages" / f"{pid}.toml").write_text(tomli_w.dumps(body), encoding="utf-8")
    for args in (("client", "add", "bob", "--name", "Bob Reis"), ("sell", "ana", "five", "--ref", "shop-1"), ("sell", "bob", "five", "--ref", "shop-2"),
                 ("book", "ana", "massage", "2026-12-01T10:00"), ("book", "bob", "massage", "2026-12-02T10:00")):
        assert practice(*args).exit_code == 0, args
    return practice


def checkpoint_file(data_dir: Path) -> Path:
    from sessionpack.storage.checkpoint import location

    return Path(location(str(data_dir)))


def events_in(data_dir: Path) -> int:
    return len((data_dir / "journal.jsonl").read_bytes().splitlines()) - 1


def checked(practice, *args: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    result = practice("check", *args)
    return result.exit_code, result.stdout


def problems(practice, *args: str) -> list[str]:  # type: ignore[no-untyped-def]
    result = practice("check", "--format", "json", *args)
    assert result.exit_code == (3 if json.loads(result.stdout) else 0), result.stderr
    return [row["problem"] for row in json.loads(result.stdout)]


def incremental_line(events: int, since: int) -> str:
    return f"No problems found (checked {events} events since the last check at seq {since}; use --full to replay all)\n"


# -- which check runs ---------------------------------------------------------------------


def test_first_check_replays_all_then_only_what_is_new(shop, data_dir: Path) -> None:
    n = events_in(data_dir)
    assert checked(shop) == (0, f"No problems found (replayed all {n} events: no checkpoint from an earlier check)\n")
    assert checkpoint_file(data_dir).exists()
    assert checked(shop) == (0, incremental_line(0, n))
    assert shop("attend", "ana.b1", now="2026-12-01T12:00").exit_code == 0
    assert shop("client", "add", "carol", "--name", "Carol").exit_code == 0
    assert checked(shop) == (0, incremental_line(2, n))
    assert checked(shop) == (0, incremental_line(0, n + 2))
    assert checked(shop, "--full") == (0, "No problems found\n")
    assert checked(shop, "--format", "json") == (0, "[]\n")


def test_a_small_journal_is_always_checked_in_full_and_keeps_no_checkpoint(shop, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SESSIONPACK_FULL_CHECK_BELOW")
    for _ in range(2):
        assert checked(shop) == (0, "No problems found\n")
    assert not checkpoint_file(data_dir).exists()
    # A rebuild drops a checkpoint it has no use for.
    monkeypatch.setenv("SESSIONPACK_FULL_CHECK_BELOW", "0")
    assert checked(shop)[0] == 0 and checkpoint_file(data_dir).exists()
    monkeypatch.delenv("SESSIONPACK_FULL_CHECK_BELOW")
    assert shop("check", "--rebuild").exit_code == 0
    assert not checkpoint_file(data_dir).exists()


def test_a_bad_threshold_is_refused(shop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSIONPACK_FULL_CHECK_BELOW", "4M")
    result = shop("check")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "error: SESSIONPACK_FULL_CHECK_BELOW must be a number of bytes (0 or more), not '4M'\n"


def test_rebuild_leaves_a_checkpoint(shop, data_dir: Path) -> None:
    assert shop("check", "--rebuild").exit_code == 0
    assert checked(shop) == (0, incremental_line(0, events_in(data_dir)))


@pytest.mark.parametrize("damage, why", [
    (b"{", "the checkpoint is damaged"),
    (b'{"checkpoint":99}', "the checkpoint was written by another version of sessionpack"),
])
def test_an_unusable_checkpoint_falls_back_to_the_full_check(shop, data_dir: Path, damage: bytes, why: str) -> None:
    assert checked(shop)[0] == 0
    checkpoint_file(data_dir).write_bytes(damage)
    assert checked(shop) == (0, f"No problems found (replayed all {events_in(data_dir)} events: {why})\n")
    assert checked(shop) == (0, incremental_line(0, events_in(data_dir)))  # a new checkpoint


# -- what it finds ---------------------------------------------------------------------------


@pytest.mark.parametrize("same_length", [True, False])
def test_finds_a_hand_edited_old_journal_line(shop, data_dir: Path, same_length: bool) -> None:
    assert checked(shop)[0] == 0
    assert shop("client", "add", "carol", "--name", "Carol").exit_code == 0  # a tail after the checkpoint
    journal = data_dir / "journal.jsonl"
    raw = journal.read_bytes()
    edited = raw.replace(b'"name":"Bob Reis"', b'"name":"Bob Rios"' if same_length else b'"name":"Roberto Reis"', 1)
    assert edited != raw
    journal.write_bytes(edited)
    # The journal before the checkpoint changed: the full replay says what no longer matches.
    found = problems(shop)
    line = next(n for n, text in enumerate(edited.splitlines(), start=1) if b'"name":"Bob R' in text or b"Roberto" in text)
    assert found == [  # bob's view kept the line as it was written: the journal line is named
        f"journal.jsonl:{line}: differs from what views/clients/bob.json recorded of event {line - 1}: the journal "
        "line was changed; restore the journal from a backup (or, if the change was meant, delete "
        "views/clients/bob.json and run 'sessionpack check --rebuild', which then takes the line as it is)",
        f"views/directory.json:1: {DIFFERS}"] + (
        [] if same_length else [f"views/index.json:1: {DIFFERS}"])  # the index records the journal's length
    assert found == problems(shop, "--full")
    # No checkpoint is written while something is wrong: the next check replays all again.
    assert json.loads(checkpoint_file(data_dir).read_bytes())["seq"] == events_in(data_dir) - 1
    assert problems(shop) == found


def test_finds_a_hand_edited_view_the_new_events_do_not_touch(shop, data_dir: Path) -> None:
    assert checked(shop)[0] == 0
    assert shop("book", "ana", "massage", "2026-12-03T10:00").exit_code == 0
    view = data_dir / "views" / "clients" / "bob.json"
    view.write_bytes(view.read_bytes().replace(b'"name":"Bob Reis"', b'"name":"Bob Rios"'))  # same size
    assert problems(shop) == [f"views/clients/bob.json:1: {DIFFERS}"]
    assert problems(shop, "--full") == [f"views/clients/bob.json:1: {DIFFERS}"]


@pytest.mark.parametrize("where", ["state", "old event", "new event", "consistent old edit"])
def test_finds_a_hand_edited_view_the_new_events_touch(shop, data_dir: Path, where: str) -> None:
    assert checked(shop)[0] == 0
    assert shop("book", "ana", "massage", "2026-12-03T10:00").exit_code == 0
    path = data_dir / "views" / "clients" / "ana.json"
    view = json.loads(path.read_bytes())
    if where == "state":
        view["packages"]["ana.p1"]["paid"] = "1.00"
    elif where == "old event":
        view["events"][0]["client"]["name"] = "Anna Lima"
    elif where == "new event":
        view["events"][-1]["booking"]["fee"] = "1.00"
    else:  # the old part refolds to itself, but it is not what the checkpoint proved
        view["events"][0]["client"]["name"] = "Anna Lima"
        view["client"]["name"] = "Anna Lima"
    path.write_text(json.dumps(view, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
    assert problems(shop) == [f"views/clients/ana.json:1: {DIFFERS}"]
    assert problems(shop, "--full") == [f"views/clients/ana.json:1: {DIFFERS}"]


@pytest.mark.parametrize("touched", [False, True])
def test_finds_a_deleted_view(shop, data_dir: Path, touched: bool) -> None:
    assert checked(shop)[0] == 0
    if touched:
        assert shop("book", "bob", "massage", "2026-12-03T10:00").exit_code == 0
    (data_dir / "views" / "clients" / "bob.json").unlink()
    assert problems(shop) == [f"views/clients/bob.json: missing; {REBUILD}"]
    assert problems(shop, "--full") == [f"views/clients/bob.json: missing; {REBUILD}"]


@pytest.mark.parametrize("kind", ["open", "codes", "refs"])
@pytest.mark.parametrize("touched", [False, True])
def test_finds_a_hand_edited_shard(shop, data_dir: Path, kind: str, touched: bool) -> None:
    assert checked(shop)[0] == 0
    if touched:  # a new event for ana and bob: their shards are checked by refolding
        assert shop("book", "ana", "massage", "2026-12-03T10:00").exit_code == 0
        assert shop("sell", "bob", "one", "--ref", "shop-3").exit_code == 0
    shard = sorted((data_dir / "views" / kind).iterdir())[0]
    data = shard.read_bytes()
    if kind == "refs":
        edited = data.replace(b'"price":"400.00"', b'"price":"300.00"', 1)
    elif kind == "codes" and b'"ana' in data:
        edited = data.replace(b'"ana', b'"anb', 1)
    else:
        edited = data.replace(b'"b', b'"c', 1)
    assert edited != data
    shard.write_bytes(edited)
    name = f"views/{kind}/{shard.name}"
    assert problems(shop) == [f"{name}:1: {DIFFERS}"]
    assert problems(shop, "--full") == [f"{name}:1: {DIFFERS}"]


def test_finds_a_stray_view_and_a_wrong_index(shop, data_dir: Path) -> None:
    assert checked(shop)[0] == 0
    (data_dir / "views" / "clients" / "ghost.json").write_bytes(b"{}\n")
    index = data_dir / "views" / "index.json"
    index.write_bytes(index.read_bytes().replace(b'"seq":', b'"seq":1'))
    expected = [f"views/clients/ghost.json: no event in the journal makes this view; {REBUILD}", f"views/index.json:1: {DIFFERS}"]
    assert problems(shop) == expected
    assert problems(shop, "--full") == expected


def test_a_torn_tail_after_the_checkpoint_is_a_note_not_a_problem(shop, data_dir: Path) -> None:
    assert checked(shop)[0] == 0
    n = events_in(data_dir)
    killed = run(data_dir, "client", "add", "dora", "--name", "Dora", env={"SESSIONPACK_TEST_CRASH_AT": "journal-partial", "SESSIONPACK_FULL_CHECK_BELOW": "0"})
    assert killed.returncode == -signal.SIGKILL
    torn = (data_dir / "journal.jsonl").stat().st_size - sum(len(line) for line in (data_dir / "journal.jsonl").read_bytes().splitlines(keepends=True)[: n + 1])
    before = tree_hash(data_dir)
    assert checked(shop) == (0, incremental_line(0, n) + f"note: the journal ends in {torn} bytes of a command that was interrupted "
                             "while writing them and was not recorded; the next command that records something moves them to torn/\n")
    assert shop("client", "list").exit_code == 0  # reads: moves nothing
    assert tree_hash(data_dir) == before
    assert shop("client", "add", "erin", "--name", "Erin").exit_code == 0  # writes: moves it aside first
    assert len(list((data_dir / "torn").iterdir())) == 1
    assert checked(shop) == (0, incremental_line(1, n))


def test_a_journal_shorter_than_the_views_is_damage(shop, data_dir: Path) -> None:
    assert checked(shop)[0] == 0
    journal = data_dir / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(b"".join(lines[:-1]))
    found = problems(shop)
    assert found == problems(shop, "--full")
    assert found == [
        f"journal.jsonl ends at byte {len(b''.join(lines[:-1]))}, before the end of the events the views record (byte "
        f"{len(b''.join(lines))}, event {len(lines) - 1}): recorded events are missing from it (it was truncated or replaced). "
        "Restore it from a backup, or put back the copies the client views keep with 'sessionpack check --restore-journal' "
        "(then 'sessionpack check --full'); nothing was changed"]


# -- agreement with the full check on random scenarios ------------------------------------------


def problem_files(practice, *args: str) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted({line.split(":", 1)[0] for line in problems(practice, *args)})


def play(practice, rng: random.Random, steps: int, state: dict) -> None:  # type: ignore[no-untyped-def]
    for _ in range(steps):
        roll = rng.random()
        client = rng.choice(state["clients"])
        if roll < 0.12:
            new = f"c{len(state['clients'])}"
            result = practice("client", "add", new, "--name", f"Client {new}")
            state["clients"].append(new)
        elif roll < 0.25:
            result = practice("sell", client, rng.choice(["five", "one"]))
        elif roll < 0.35:  # a reference: new, the same sale again (unchanged), or another sale under it (refused)
            result = practice("sell", client, rng.choice(["five", "one"]), "--ref", f"shop-{rng.randint(1, 12)}")
        elif roll < 0.65:
            day = rng.randint(1, 28)
            result = practice("book", client, "massage", f"2026-12-{day:02d}T{rng.choice([9, 11, 15])}:00", "--format", "json")
            if result.exit_code == 0:
                state["bookings"].append(json.loads(result.stdout)["id"])
        elif roll < 0.85 and state["bookings"]:
            booking = rng.choice(state["bookings"])
            action = rng.choice(["cancel", "attend", "no-show"])
            result = practice(action, booking, now="2026-12-30T09:00")
        elif roll < 0.95:
            result = practice("client", "edit", client, "--email", f"{client}{rng.randint(1, 99)}@example.com")
        else:
            owned = json.loads(practice("balance", client, "--format", "json").stdout)
            if not owned:
                continue
            result = practice("code", "reset", rng.choice(owned)["id"])
        assert result.exit_code in (0, 1, 2), (result.stdout, result.stderr)


def damage(data_dir: Path, rng: random.Random) -> str:
    views = sorted(p for p in (data_dir / "views").rglob("*") if p.is_file() and p.name != "checkpoint.json")
    kind = rng.choice(["flip", "flip", "delete", "stray", "journal", "none"])
    if kind == "flip":
        path = rng.choice(views)
        data = bytearray(path.read_bytes())
        spots = [i for i, b in enumerate(data) if chr(b).isalnum()]
        if path.name == "index.json":
            # Its numbers only: an index whose "format" key is damaged reads as
            # views of the first format, which every command rebuilds (no problem left).
            spots = [i for i in spots if chr(data[i]).isdigit()]
        spot = rng.choice(spots)
        data[spot] = ord("x") if data[spot] != ord("x") else ord("y")
        path.write_bytes(bytes(data))
        return f"flip {path.relative_to(data_dir)}"
    if kind == "delete":
        path = rng.choice(views)
        path.unlink()
        return f"delete {path.relative_to(data_dir)}"
    if kind == "stray":
        (data_dir / "views" / "clients" / "zz-stray.json").write_bytes(b"{}\n")
        return "stray"
    if kind == "journal":
        journal = data_dir / "journal.jsonl"
        lines = journal.read_bytes().splitlines(keepends=True)
        number = rng.randrange(1, len(lines))
        lines[number] = lines[number].replace(b'"actor":"tester"', b'"actor":"testex"')
        journal.write_bytes(b"".join(lines))
        return f"journal line {number + 1}"
    return "none"


@pytest.mark.parametrize("seed", range(8))
def test_agrees_with_the_full_check_on_random_scenarios(shop, data_dir: Path, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    state = {"clients": ["ana", "bob"], "bookings": ["ana.b1", "bob.b1"]}
    play(shop, rng, 12, state)
    assert problem_files(shop) == []  # full: no checkpoint yet
    for _ in range(2):
        play(shop, rng, rng.randint(0, 10), state)
        assert problem_files(shop) == []
        assert problem_files(shop, "--full") == []
        checkpoint = json.loads(checkpoint_file(data_dir).read_bytes())
        assert checkpoint["seq"] == events_in(data_dir)
    play(shop, rng, rng.randint(0, 8), state)
    copy = tmp_path / "copy"
    shutil.copytree(data_dir, copy)
    what = damage(data_dir, rng)
    incremental = problem_files(shop)
    full = problem_files(shop, "--full")
    assert incremental == full, what
    if what != "none":
        assert full, what
    # The same views, rebuilt from the journal in the copy, pass both.
    before = {k: v for k, v in view_files(copy).items() if k != "checkpoint.json"}
    rebuilt = inproc(copy, "check", "--rebuild")
    assert rebuilt.returncode == 0
    assert {k: v for k, v in view_files(copy).items() if k != "checkpoint.json"} == before
    assert inproc(copy, "check").stdout == incremental_line(0, events_in(copy))


@pytest.mark.parametrize("point", ["journal-written", "shard-written", "view-written", "before-index"])
def test_a_write_killed_after_the_checkpoint_is_repaired_then_checked_incrementally(shop, data_dir: Path, point: str) -> None:
    assert checked(shop)[0] == 0
    n = events_in(data_dir)
    killed = run(data_dir, "sell", "ana", "one", env={"SESSIONPACK_TEST_CRASH_AT": point})
    assert killed.returncode == -signal.SIGKILL
    # check never repairs and this is no damage: the views lag the journal,
    # check folds the missing event in memory, proves it, and says so.
    before = tree_hash(data_dir)
    assert checked(shop) == (0, f"No problems found (replayed all {n + 1} events: some recorded events are not yet in the view files)\n"
                                "note: 1 recorded event(s) are not yet in the view files (a command was interrupted after "
                                "recording them); checked in memory, and the next command that records something writes them\n")
    assert shop("balance", "ana").exit_code == 0  # reads: repairs nothing
    assert tree_hash(data_dir) == before
    assert shop("client", "add", "carol", "--name", "Carol").exit_code == 0  # writes: repairs first
    assert checked(shop) == (0, incremental_line(2, n))


def test_a_catalog_problem_does_not_cost_the_checkpoint(shop, data_dir: Path) -> None:
    assert checked(shop)[0] == 0
    (data_dir / "packages" / "bad.toml").write_text("name = \n", encoding="utf-8")
    found = problems(shop)
    assert len(found) == 1 and found[0].startswith("packages/bad.toml:1: ")
    assert shop("client", "add", "carol", "--name", "Carol").exit_code == 0
    assert problems(shop) == found  # the views were still checked, incrementally, and the checkpoint moved on
    (data_dir / "packages" / "bad.toml").unlink()
    assert checked(shop) == (0, incremental_line(0, events_in(data_dir)))


def test_a_checkpoint_that_cannot_be_written_is_a_warning(shop, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sessionpack.storage import checkpoint

    def refuse(self, root):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint.Checkpoint, "save", refuse)
    result = shop("check")
    assert (result.exit_code, result.stdout) == (0, f"No problems found (replayed all {events_in(data_dir)} events: no checkpoint from an earlier check)\n")
    assert result.stderr == ("warning: could not write the checkpoint of this check (no space left on the device); "
                             "the next check replays the whole journal again\n")


@pytest.mark.parametrize("xdg", [None, "", "  ", "/tmp/somewhere", "relative/dir", "~/x", "/a b/ç"])
def test_the_cache_directory_is_where_platformdirs_puts_it(monkeypatch: pytest.MonkeyPatch, xdg: str | None) -> None:
    from platformdirs import user_cache_dir

    from sessionpack.storage.layout import cache_dir

    monkeypatch.delenv("SESSIONPACK_CACHE_DIR", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert cache_dir() == user_cache_dir("sessionpack", appauthor=False)
