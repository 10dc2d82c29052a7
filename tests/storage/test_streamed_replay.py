"""The streamed full replay (storage/replay.py) makes, byte for byte, the
files the replay before it made, and names the same first problem.

The reference below is that earlier replay, kept here as it was: every
client's view folded in memory, line by line, each event encoded once. On
a generated practice (bench/generate.py) the streamed replay, in one process
or shared between two (the scan split in halves, the clients in runs), must
give the same file names, bytes, order, journal position and digest; a
rebuild after deleting every view must leave exactly those files; and on a
damaged journal (a line that is not JSON, a seq out of place, an event that
does not fit, an unknown type, an incomplete or unfinished end, in either
half) it must report exactly what the reference reports. A rebuild writes
only the files that differ and changes nothing when the journal does not
fold. No timing here: bench/run.py measures speed and memory.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import pytest

from sessionpack.domain import ledger
from sessionpack.errors import FileProblem
from sessionpack.storage import checkpoint, inventory, journal, layout, replay as streamed, report_shards, shards, verify
from sessionpack.storage.fsio import open_binary
from sessionpack.storage.small_views import SMALL_VIEWS
from sessionpack.storage.store import Store, encode_view, load_settings
from storage_util import run
from tree import tree_hash

GENERATOR = Path(__file__).resolve().parents[2] / "bench" / "generate.py"
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_MARK = "\x00events-reference\x00"
_MARK_JSON = json.dumps(_MARK).encode("ascii")


# ---------------------------------------------------------------- the reference


class Reference:
    """The replay as it was: every client's view in memory, line by line."""

    def __init__(self) -> None:
        self.clients: dict[str, dict[str, Any]] = {}
        self.events: dict[str, list[bytes]] = {}
        self.package_events: dict[str, list[dict[str, Any]]] = {}
        self.small = {entry.name: entry.empty() for entry in SMALL_VIEWS}
        self.offset = 0
        self.seq = 0
        self.digest = checkpoint.Digest()

    def apply(self, event: dict[str, Any]) -> None:
        if event["type"] == "undone":
            self._apply_undone(event)
            return
        applied = []
        for client_id in event.get("clients", []):
            view = self.clients.get(client_id)
            if view is None:
                view = self.clients[client_id] = ledger.empty_client_view(client_id)
                self.events[client_id] = []
            if event["seq"] <= view["seq"]:
                continue
            ledger.dispatch(view, event)
            view["seq"] = event["seq"]
            applied.append(client_id)
        for entry in SMALL_VIEWS:
            if entry.concerns(event):
                entry.fold(self.small[entry.name], event)
        encoded = _ENCODE(event).encode("utf-8")
        for client_id in applied:
            self.events[client_id].append(encoded)
        if event["type"] in report_shards.EVENT_TYPES:
            for client_id in applied:
                self.package_events.setdefault(client_id, []).append(event)

    def _apply_undone(self, event: dict[str, Any]) -> None:
        from sessionpack.domain.undo import sold_counts
        from sessionpack.storage.small_views import fold_undo

        views = {}
        for client_id in event.get("clients", []):
            view = self.clients.get(client_id)
            if view is None:
                view = self.clients[client_id] = ledger.empty_client_view(client_id)
                self.events[client_id] = []
            view["events"] = [json.loads(raw) for raw in self.events[client_id]]
            views[client_id] = view
        sold_before = {c: sold_counts(v) for c, v in views.items()}
        for client_id, view in views.items():
            ledger.apply_to_client(view, event)
        fold_undo(lambda name: self.small[name], event, sold_before, views)
        encoded = _ENCODE(event).encode("utf-8")
        for client_id, view in views.items():
            view["events"] = []
            self.events[client_id].append(encoded)

    def files(self) -> Iterator[tuple[str, bytes]]:
        builder = shards.Builder()
        for client_id in sorted(self.clients, key=lambda c: c + ".json"):
            view = self.clients.pop(client_id)
            events = self.events.pop(client_id)
            undone = set(view.get("undone", ()))
            view["events"] = [e for e in self.package_events.pop(client_id, []) if e.get("seq") not in undone]
            builder.add(view)
            view["events"] = _MARK
            yield os.path.join(layout.CLIENT_VIEWS, f"{client_id}.json"), encode_view(view).replace(_MARK_JSON, b"[" + b",".join(events) + b"]", 1)
        rest = builder.files()
        files = dict.fromkeys(inventory.FOLDERS, 0)  # how many files each shard folder holds
        for name in rest:
            files[next(key for key, (folder, _) in inventory.FOLDERS.items() if os.path.dirname(name) == folder)] += 1
        for name, view in self.small.items():
            if view["seq"]:
                rest[name] = encode_view(view)
        rest[layout.INDEX] = encode_view({"format": ledger.VIEW_FORMAT, "offset": self.offset, "seq": self.seq, "files": files})
        for name in sorted(rest):
            yield name, rest[name]


def reference_replay(root: Path, end: int | None = None) -> tuple[Reference, list[str]]:
    problems: list[str] = []
    replayed = Reference()
    unfinished = 0
    with open_binary(str(root / layout.JOURNAL)) as handle:
        first = handle.readline()
        try:
            journal.check_header(first, layout.JOURNAL)
        except FileProblem as err:
            return replayed, [str(err)]
        replayed.offset = len(first)
        replayed.digest.update(first)
        line = 1
        for raw in handle:
            if end is not None and replayed.offset >= end:
                break
            line += 1
            if not raw.endswith(b"\n"):
                problems.append(f"{layout.JOURNAL}:{line}: is an incomplete last line; run any other sessionpack command to move it aside")
                break
            try:
                event = journal.parse_line(raw, line, layout.JOURNAL, replayed.seq + 1)
                replayed.apply(event)
            except FileProblem as err:
                problems.append(str(err))
                break
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                problems.append(streamed.does_not_fit(line, raw, err))
                break
            replayed.seq += 1
            replayed.offset += len(raw)
            replayed.digest.update(raw)
            if event.get("more") is True:
                unfinished = unfinished or line
            else:
                unfinished = 0
        else:
            if unfinished:
                problems.append(
                    f"{layout.JOURNAL}:{unfinished}: the last command's events end unfinished (its write was interrupted); "
                    "run any other sessionpack command to move them aside"
                )
    return replayed, problems


# ---------------------------------------------------------------- a generated practice


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate_replay", GENERATOR)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("generated") / "practice"
    module.generate(str(out), 0.004, quiet=True)  # 40 clients, some 2,200 events
    return out


@pytest.fixture
def practice_copy(generated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "practice"
    shutil.copytree(generated, copy)
    return copy


def store_of(root: Path) -> Store:
    settings = load_settings(str(root))
    return Store(str(root), settings, datetime(2026, 11, 20, 9, tzinfo=settings.tz), "tester")


def on_disk(root: Path) -> Any:
    """``current`` for ``visit_files``: a view file as the data directory has it."""

    def current(name: str) -> bytes | None:
        try:
            return (root / name).read_bytes()
        except FileNotFoundError:
            return None

    return current


def streamed_files(root: Path, workers: int, current: Any = None) -> tuple[streamed.Replayed, list[tuple[str, bytes]]]:
    replayed = streamed.Replayed(str(root / layout.JOURNAL))
    replayed.scan(None, workers)
    if replayed.problems:
        replayed.fold_all()
        return replayed, []
    files = replayed.visit_files(lambda name, data: data, workers, current)
    return replayed, ([] if replayed.problems else files)


@pytest.mark.parametrize("against_disk", [False, True])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_the_same_files_byte_for_byte_as_the_replay_before(generated: Path, workers: int, against_disk: bool) -> None:
    """Also when the client views are first made from the journal's bytes
    and compared with the files on disk (what check and rebuild do)."""
    reference, problems = reference_replay(generated)
    assert problems == []
    expected = list(reference.files())
    replayed, files = streamed_files(generated, workers, on_disk(generated) if against_disk else None)
    assert replayed.problems == []
    assert [name for name, _ in files] == [name for name, _ in expected]
    for (name, data), (_, want) in zip(files, expected):
        assert data == want, name
    assert (replayed.offset, replayed.seq, replayed.digest.hexdigest()) == (reference.offset, reference.seq, reference.digest.hexdigest())
    assert len(files) > 40 and any(name.startswith(layout.OPEN) for name, _ in files) and any(name.startswith(layout.CODES) for name, _ in files)
    for folder in report_shards.FOLDERS:  # the report views are among them
        assert any(name.startswith(folder + os.sep) for name, _ in files), folder


EXAMPLE = Path(__file__).resolve().parents[2] / "data-example"


def test_the_example_practice_is_rebuilt_into_the_files_it_ships(tmp_path: Path) -> None:
    """data-example's views were written by the replay before this one
    (every shard kind: open packages, codes, references, report views)."""
    copy = tmp_path / "example"
    shutil.copytree(EXAMPLE, copy)
    shipped = {str(p.relative_to(copy)): p.read_bytes() for p in (copy / layout.VIEWS).rglob("*") if p.is_file()}
    assert any(name.startswith(layout.REFS) for name in shipped) and any(name.startswith(report_shards.DAYS) for name in shipped)
    replayed, files = streamed_files(copy, 1)
    assert replayed.problems == [] and dict(files) == shipped
    shutil.rmtree(copy / layout.VIEWS)
    (copy / layout.VIEWS).mkdir(mode=0o700)
    rebuilt = run(copy, "check", "--rebuild")
    assert (rebuilt.returncode, rebuilt.stderr) == (0, ""), rebuilt.stderr
    assert {str(p.relative_to(copy)): p.read_bytes() for p in (copy / layout.VIEWS).rglob("*") if p.is_file()} == shipped


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_rebuild_after_deleting_every_view_leaves_those_files(practice_copy: Path, monkeypatch: pytest.MonkeyPatch, workers: str) -> None:
    expected = dict(reference_replay(practice_copy)[0].files())
    shutil.rmtree(practice_copy / layout.VIEWS)
    (practice_copy / layout.VIEWS).mkdir(mode=0o700)
    monkeypatch.setenv("SESSIONPACK_REPLAY_WORKERS", workers)
    rebuilt = run(practice_copy, "check", "--rebuild", env={"SESSIONPACK_REPLAY_WORKERS": workers})
    assert (rebuilt.returncode, rebuilt.stderr) == (0, ""), rebuilt.stderr
    assert rebuilt.stdout == f"Rebuilt {len(expected)} view files from the journal\n"
    on_disk = {str(p.relative_to(practice_copy)): p.read_bytes() for p in (practice_copy / layout.VIEWS).rglob("*") if p.is_file()}
    assert on_disk == expected
    assert run(practice_copy, "check", "--full").stdout == "No problems found\n"


def test_a_rebuild_writes_only_the_files_that_differ(practice_copy: Path) -> None:
    clients = sorted((practice_copy / layout.CLIENT_VIEWS).iterdir())
    damaged, intact = clients[3], clients[4]
    damaged.write_bytes(damaged.read_bytes().replace(b'"seq":', b'"seq": ', 1))
    before = {p: os.stat(p).st_ino for p in (damaged, intact)}
    assert run(practice_copy, "check", "--rebuild").returncode == 0
    assert os.stat(intact).st_ino == before[intact]  # the same file, never rewritten
    assert os.stat(damaged).st_ino != before[damaged]
    assert run(practice_copy, "check", "--full").stdout == "No problems found\n"
    assert not [p for p in (practice_copy / layout.VIEWS).iterdir() if p.name.startswith(".")]  # no staging left


@pytest.fixture
def undone_practice(practice, data_dir: Path) -> Path:
    """Undone commands early and late in the journal: a client's adding, a
    sale (the sales count moves), a booking, an undo undone (a redo), and
    many commands after the first ones, so that they fall in the first half
    of a split scan and the last ones in the second."""
    now = "2026-10-01T09:00"
    steps = [("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400"),
             ("package", "create", "credit", "--name", "Credit", "--pool", "money=300", "--price", "270"),
             ("client", "add", "bea", "--name", "Beatriz"), ("sell", "bea", "five"), ("sell", "ana", "five"),
             ("undo", "--last", "--reason", "wrong client", "--yes"), ("sell", "ana", "credit"),
             ("book", "ana", "massage", "2026-11-25T10:00"), ("undo", "--last", "--reason", "no", "--yes"),
             ("undo", "--last", "--reason", "yes after all", "--yes"), ("client", "add", "cid", "--name", "Cid"),
             ("undo", "--last", "--reason", "not a client", "--yes")]
    for n in range(8):
        steps += [("client", "add", f"c{n}", "--name", f"Client {n}"), ("sell", f"c{n}", "five"),
                  ("book", f"c{n}", "massage", f"2026-10-{n + 2:02d}T10:00")]
    for args in steps:
        assert practice(*args, now=now).exit_code == 0, args
    later = [("attend", f"c{n}.b1") for n in range(8)]
    later += [("sell", "bea", "credit"), ("undo", "--last", "--reason", "late one", "--yes"), ("sell", "c3", "credit"),
              ("undo", "--last", "--reason", "and another", "--yes")]
    for args in later:
        assert practice(*args, now="2026-11-22T09:00").exit_code == 0, args
    return data_dir


def test_undone_commands_give_the_same_files_as_the_replay_before(undone_practice: Path) -> None:
    reference, problems = reference_replay(undone_practice)
    assert problems == []
    expected = list(reference.files())
    lines = lines_of(undone_practice)
    undos = [i for i, raw in enumerate(lines) if i and json.loads(raw)["type"] == "undone"]
    assert min(undos) < half(lines) < max(undos)  # in both halves of a split scan
    on_disk = {str(p.relative_to(undone_practice)): p.read_bytes() for p in (undone_practice / layout.VIEWS).rglob("*") if p.is_file()}
    for workers in (1, 2):
        for current in (None, on_disk_of(undone_practice)):
            replayed, files = streamed_files(undone_practice, workers, current)
            assert replayed.problems == []
            assert files == expected, workers
            assert dict(files) == on_disk  # what the commands themselves wrote


on_disk_of = on_disk


def spaced(raw: bytes) -> bytes:
    """The same event, written with spaces and its keys in another order:
    what a hand edit of the journal could leave (a commit never does)."""
    event = json.loads(raw)
    return (json.dumps(dict(reversed(list(event.items()))), ensure_ascii=False) + "\n").encode("utf-8")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_journal_line_written_otherwise_still_gives_the_files_of_the_replay_before(practice_copy: Path, workers: int) -> None:
    """Where a client's events are taken as the journal has them and the
    file so made is not the one on disk, the client is folded again with
    its events encoded: the files are those of the replay before, whatever
    is on disk, and check and rebuild tell and do what they did."""
    lines = lines_of(practice_copy)
    picked = [i for i, raw in enumerate(lines) if i and json.loads(raw)["type"] in ("booked", "sold")][:6]
    for i in picked:
        lines[i] = spaced(lines[i])
    write_lines(practice_copy, lines)
    expected = list(reference_replay(practice_copy)[0].files())
    for current in (None, on_disk(practice_copy)):
        replayed, files = streamed_files(practice_copy, workers, current)
        assert replayed.problems == [] and files == expected
    env = {"SESSIONPACK_REPLAY_WORKERS": str(workers)}
    (practice_copy / layout.INDEX).write_bytes(dict(expected)[layout.INDEX])  # (the journal is longer now)
    assert run(practice_copy, "check", "--full", env=env).stdout == "No problems found\n"
    touched = sorted({name for i in picked for name in json.loads(lines[i])["clients"]})
    view = practice_copy / layout.CLIENT_VIEWS / f"{touched[0]}.json"
    view.write_bytes(view.read_bytes().replace(b'"seq":', b'"seq": ', 1))
    checked = run(practice_copy, "check", "--full", env=env)
    assert (checked.returncode, checked.stdout) == (3, f"problem\nviews/clients/{touched[0]}.json:1: differs from what the journal implies; "
                                                       "run 'sessionpack check --rebuild'\n")
    shutil.rmtree(practice_copy / layout.VIEWS)
    (practice_copy / layout.VIEWS).mkdir(mode=0o700)
    assert run(practice_copy, "check", "--rebuild", env=env).returncode == 0
    assert {str(p.relative_to(practice_copy)): p.read_bytes() for p in (practice_copy / layout.VIEWS).rglob("*") if p.is_file()} \
        == dict(expected)


# Numbers json reads and writes its own way (a fraction or an exponent,
# NaN, Infinity, integers past 64 bits), put into events by hand: the bulk
# JSON engine (jsontext.engage, as check and rebuild engage it) writes
# them as json does (msgspec alone would write 1e-05 as 0.00001, NaN as null).
EXOTIC = (  # what msgspec reads itself, and what it leaves to json (NaN, Infinity, 1e400)
    b', "x": [1e-05, 1E5, 1e+16, 1.5e300, -0.0, 0.1, 123456789012345678901234567890, '
    b'"\\u2028\\u00e9\\ud83d\\ude00", {"b": 1, "a": 2.50}]}',
    b', "x": [1e-05, 1e400, NaN, -Infinity]}',
)


@pytest.mark.parametrize("workers", [1, 2])
def test_numbers_of_every_kind_put_in_by_hand_are_written_back_as_json_writes_them(practice_copy: Path, workers: int) -> None:
    from sessionpack import jsontext

    lines = lines_of(practice_copy)
    picked = [i for i, raw in enumerate(lines) if i and json.loads(raw)["type"] in ("booked", "sold", "client-added")][:10]
    for n, i in enumerate(picked):
        lines[i] = lines[i].rstrip(b"\n")[:-1] + EXOTIC[n % 2] + b"\n"
    write_lines(practice_copy, lines)
    expected = list(reference_replay(practice_copy)[0].files())
    written = b"".join(data for name, data in expected if name.startswith(layout.CLIENT_VIEWS))
    assert b'"x":[1e-05,100000.0,1e+16,1.5e+300,-0.0,0.1,123456789012345678901234567890,' \
           b'"\xe2\x80\xa8\xc3\xa9\xf0\x9f\x98\x80",{"a":2.5,"b":1}]' in written
    assert b'"x":[1e-05,Infinity,NaN,-Infinity]' in written
    was = jsontext.engaged()
    jsontext.engage()
    try:
        for current in (None, on_disk(practice_copy)):
            replayed, files = streamed_files(practice_copy, workers, current)
            assert replayed.problems == [] and files == expected
    finally:
        (jsontext.engage if was else jsontext.disengage)()
    env = {"SESSIONPACK_REPLAY_WORKERS": str(workers)}
    shutil.rmtree(practice_copy / layout.VIEWS)
    (practice_copy / layout.VIEWS).mkdir(mode=0o700)
    rebuilt = run(practice_copy, "check", "--rebuild", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert {str(p.relative_to(practice_copy)): p.read_bytes() for p in (practice_copy / layout.VIEWS).rglob("*") if p.is_file()} \
        == dict(expected)
    assert run(practice_copy, "check", "--full", env=env).stdout == "No problems found\n"


# ---------------------------------------------------------------- damage: the same first problem


def lines_of(root: Path) -> list[bytes]:
    return (root / layout.JOURNAL).read_bytes().splitlines(keepends=True)


def write_lines(root: Path, lines: list[bytes]) -> None:
    (root / layout.JOURNAL).write_bytes(b"".join(lines))


def line_of_type(lines: list[bytes], kind: str, after: int = 1) -> int:
    return next(i for i, raw in enumerate(lines) if i >= after and json.loads(raw).get("type") == kind)


def half(lines: list[bytes]) -> int:
    """The index of the first line of the second half the scan splits at."""
    size = sum(map(len, lines))
    middle, done = len(lines[0]) + (size - len(lines[0])) // 2, 0
    for i, raw in enumerate(lines):
        if done > middle:
            return i
        done += len(raw)
    return len(lines) - 1


def not_json(lines: list[bytes], i: int) -> None:
    lines[i] = b"[" + lines[i][1:]


def wrong_seq(lines: list[bytes], i: int) -> None:
    event = json.loads(lines[i])
    event["seq"] += 5
    lines[i] = journal.encode(event)


def misfit(lines: list[bytes], i: int) -> None:
    event = json.loads(lines[i])
    event["client_package"] = event["client_package"] + "99"  # a payment on a package that does not exist
    lines[i] = journal.encode(event)


def unknown_type(lines: list[bytes], i: int) -> None:
    event = json.loads(lines[i])
    event["type"] = "teleported"
    lines[i] = journal.encode(event)


def edit_of_nobody(lines: list[bytes], i: int) -> None:  # fits neither the client's view nor the directory
    event = json.loads(lines[i])
    lines[i] = journal.encode({"actor": "x", "at": event["at"], "changes": {"name": "X"}, "clients": ["nobody-at-all"],
                               "seq": event["seq"], "type": "client-edited"})


def not_clients(lines: list[bytes], i: int) -> None:
    event = json.loads(lines[i])
    event["clients"] = 7
    lines[i] = journal.encode(event)


def damage_cases(lines: list[bytes]) -> dict[str, Any]:
    h = half(lines)
    paid = [i for i, raw in enumerate(lines) if i and json.loads(raw)["type"] == "paid"]
    early = next(i for i in paid if i < h // 2)
    late = next(i for i in paid if i > h + 10)
    return {
        "not JSON, first half": [(not_json, 40)],
        "not JSON, second half": [(not_json, h + 7)],
        "seq out of place at the split": [(wrong_seq, h)],
        "seq out of place after it": [(wrong_seq, h + 3)],
        "misfit, first half": [(misfit, early)],
        "misfit, second half": [(misfit, late)],
        "misfit before a broken line": [(misfit, early), (not_json, late)],
        "broken line before a misfit": [(not_json, early), (misfit, late)],
        "misfit in each half": [(misfit, late), (misfit, early)],
        "unknown type": [(unknown_type, late)],
        "fits neither view nor directory": [(edit_of_nobody, h + 2)],
        "clients not a list": [(not_clients, h + 4)],
    }


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("case", ["not JSON, first half", "not JSON, second half", "seq out of place at the split",
                                  "seq out of place after it", "misfit, first half", "misfit, second half",
                                  "misfit before a broken line", "broken line before a misfit", "misfit in each half",
                                  "unknown type", "fits neither view nor directory", "clients not a list"])
def test_damage_is_named_as_the_replay_before_named_it(practice_copy: Path, workers: int, case: str) -> None:
    lines = lines_of(practice_copy)
    for damage, index in damage_cases(lines)[case]:
        damage(lines, index)
    write_lines(practice_copy, lines)
    _, want = reference_replay(practice_copy)
    assert len(want) == 1
    replayed, files = streamed_files(practice_copy, workers)
    assert (replayed.problems, files) == (want, [])


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("end", ["incomplete", "unfinished", "unfinished across the split", "header"])
def test_a_damaged_end_or_header_is_named_as_before(practice_copy: Path, workers: int, end: str) -> None:
    lines = lines_of(practice_copy)
    if end == "incomplete":
        lines[-1] = lines[-1].rstrip(b"\n")
    elif end == "header":
        lines[0] = b'{"journal":"other"}\n'
    else:
        first = half(lines) - 1 if end == "unfinished across the split" else len(lines) - 2
        for i in range(first, len(lines)):
            event = json.loads(lines[i])
            event["more"] = True
            lines[i] = journal.encode(event)
    write_lines(practice_copy, lines)
    _, want = reference_replay(practice_copy)
    replayed, files = streamed_files(practice_copy, workers)
    assert replayed.problems == want and want and files == []


def test_a_rebuild_of_a_journal_that_does_not_fold_changes_nothing(practice_copy: Path) -> None:
    lines = lines_of(practice_copy)
    misfit(lines, line_of_type(lines, "paid", after=len(lines) // 2))
    write_lines(practice_copy, lines)
    before = tree_hash(practice_copy)
    count, problems = verify.rebuild(store_of(practice_copy))
    assert count == 0 and len(problems) == 1 and "does not fit the events before it" in problems[0]
    assert tree_hash(practice_copy) == before


def test_a_killed_rebuild_leaves_its_staging_to_the_next(practice_copy: Path) -> None:
    staging = practice_copy / layout.VIEWS / (verify.STAGING_PREFIX + "0123456789abcdef")
    staging.mkdir()
    (staging / "1.json").write_bytes(b"{}")
    assert run(practice_copy, "check", "--rebuild").returncode == 0
    assert not staging.exists()


def test_the_collector_is_held_off_while_the_replay_folds_and_back_on_after(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    seen: set[bool] = set()
    dispatch = ledger.dispatch

    def watched(view: dict[str, Any], event: dict[str, Any]) -> None:
        seen.add(gc.isenabled())
        dispatch(view, event)

    parse, head_fits, after_batch = streamed._parse, streamed._head_fits, streamed._unfinished_after
    batches: list[int] = []

    def watched_parse(*args: Any) -> dict[str, Any]:
        seen.add(gc.isenabled())
        return parse(*args)

    def watched_head(*args: Any) -> bool:  # (the scan's reading of a line with the bulk engine)
        seen.add(gc.isenabled())
        return head_fits(*args)

    def watched_batch(*args: Any) -> int:  # (the scan's reading of a batch of lines with the bulk engine)
        seen.add(gc.isenabled())
        batches.append(len(args[0]))
        return after_batch(*args)

    monkeypatch.setattr(ledger, "dispatch", watched)
    monkeypatch.setattr(streamed, "_unfinished_after", watched_batch)
    monkeypatch.setattr(streamed, "_parse", watched_parse)
    monkeypatch.setattr(streamed, "_head_fits", watched_head)
    assert gc.isenabled()
    replayed = streamed.Replayed(str(generated / layout.JOURNAL))
    replayed.scan(None, 1)
    assert seen == {False} and gc.isenabled() and sum(batches) == replayed.seq  # every line read in batches
    files = replayed.visit_files(lambda name, data: seen.add(gc.isenabled()) or data, 1)
    assert replayed.problems == [] and len(files) > 40
    assert seen == {False} and gc.isenabled()
    replayed.fold_all()
    assert seen == {False} and gc.isenabled()
