"""``check``: replay the journal, compare with the views, list problems.

Like a ledger validator it returns every problem at once, each with file
and line, instead of stopping at the first. ``rebuild`` writes the views
the journal implies, byte for byte what the commands would have written.

The full replay (``storage/replay.py``) streams the journal: it scans it
once, then folds and encodes one client's view at a time. ``run_check``
is what ``sessionpack check`` runs: the full replay, or the incremental
check (``incremental``) against the checkpoint of the last clean check
(``checkpoint``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable

from .. import jsontext
from ..domain import ledger
from ..errors import SessionpackError
from . import checkpoint, journal, layout, shards
from .catalog import load_packages, load_services
from .fsio import atomic_write, make_dir, read_bytes, remove_leftovers
from .replay import Replayed, client_name as _client_name, does_not_fit, replay, workers  # noqa: F401 - (also imported from here)
from .small_views import NAMES as SMALL_NAMES
from .store import Store, encode_view, view_failure

REBUILDING = {"format": 0, "offset": 0, "rebuilding": True, "seq": 0}


def existing_views(root: str) -> set[str]:
    """Every view file present (relative paths; the checkpoint is not a view)."""
    found = set()
    for name in (layout.INDEX, *SMALL_NAMES):
        if os.path.exists(os.path.join(root, name)):
            found.add(name)
    client_dir = os.path.join(root, layout.CLIENT_VIEWS)
    if os.path.isdir(client_dir):
        for name in os.listdir(client_dir):
            if name.endswith(".json") and not name.startswith("."):
                found.add(os.path.join(layout.CLIENT_VIEWS, name))
    return found | shards.existing(root)


def catalog_problems(store: Store) -> list[str]:
    """What is wrong with settings.toml and the catalog files, each file
    said once: a file that cannot be read is one problem, and the packages
    naming a service in it are not called wrong for that."""
    problems: list[str] = []
    services: dict[str, Any] = {}
    packages: dict[str, Any] = {}
    unreadable: set[str] = set()
    try:
        services = load_services(store.root, store.settings.currency, problems=problems, unreadable=unreadable)
    except SessionpackError as err:
        problems.append(str(err))
    from ..domain.money import ZERO
    from ..domain.services import Service

    known = {**{sid: Service(sid, sid, 1, ZERO) for sid in unreadable}, **services}  # (stand-ins: said already)
    try:
        packages = load_packages(store.root, store.settings.currency, known, problems=problems)
    except SessionpackError as err:
        problems.append(str(err))
    problems.extend(_sold_problems(store, services, packages, unreadable))
    currency = _currency_problem(store)
    if currency:
        problems.append(currency)
    zone = _zone_problem(store)
    if zone:
        problems.append(zone)
    from . import parsed

    for name in parsed.wrong_entries(store.root):
        problems.append(f"{layout.PARSED}: records another reading of {name} than its text has (edited by hand); "
                        "run 'sessionpack check --rebuild', which makes it anew")
    return problems


def _sold_problems(store: Store, services: dict[str, Any], packages: dict[str, Any], unreadable: set[str]) -> list[str]:
    """What was sold (views/sold.json) and lost from the catalog by hand: a
    sold package whose file is gone (its id would be free for another offer,
    which would inherit its sales), and a service that sold packages name,
    gone or marked deleted (rules 13 and 27: it is deactivated, never
    deleted). The client packages keep their terms either way; the view
    itself is compared with the journal by the rest of the check."""
    from ..domain.services import kept_for_sales

    try:
        sold = store.load_sold()
    except SessionpackError:
        return []  # (missing or damaged: the comparison of the views names it)
    found = []
    for package_id, times in sorted(sold.get("packages", {}).items()):
        if package_id not in packages and not os.path.exists(layout.package_path(store.root, package_id)):
            found.append(f"{layout.PACKAGES}/{package_id}.toml: is missing, but package '{package_id}' was sold "
                         f"{times} time{'' if times == 1 else 's'}; put the file back from a backup (a package that "
                         "was sold is deactivated, never removed)")
    for service_id, times in sorted(sold.get("services", {}).items()):
        kept = kept_for_sales(service_id, times)
        if not kept or service_id in unreadable:
            continue
        display = f"{layout.SERVICES}/{service_id}.toml"
        service = services.get(service_id)
        if service is None and not os.path.exists(layout.service_path(store.root, service_id)):
            found.append(f"{display}: is missing, but {kept.replace(' cannot be deleted', ' must stay')}; put the "
                         "file back from a backup (to stop booking it, deactivate it)")
        elif service is not None and service.deleted:
            found.append(f"{_located(store, display, 'deleted')}: {kept}; remove 'deleted = true' "
                         f"(to stop booking it, deactivate it with 'sessionpack service deactivate {service_id}')")
    return found


def _located(store: Store, relative: str, key: str) -> str:
    """'settings.toml:7: practice.timezone': a file of the data directory, the
    line of ``key`` in it when it can be found, and the key."""
    from .tomlfile import locate_key

    try:
        line = locate_key(read_bytes(store.path(relative)).decode("utf-8"), key)
    except (OSError, UnicodeDecodeError):
        line = None
    return f"{relative}{f':{line}' if line else ''}: {key}"


CURRENCY_MARK = b'"currency":"'  # in a sale's terms, as every sold event records them


def recorded_currency(path: str) -> str | None:
    """The currency of the first sale the journal records (read up to it,
    a mebibyte at a time), or None when it records none."""
    from .fsio import open_binary

    try:
        handle = open_binary(path)
    except FileNotFoundError:
        return None
    with handle:
        tail = b""
        while True:
            chunk = handle.read(1 << 20)
            if not chunk:
                return None
            data = tail + chunk
            at = data.find(CURRENCY_MARK)
            if at >= 0 and at + len(CURRENCY_MARK) + 4 <= len(data):
                code = data[at + len(CURRENCY_MARK): at + len(CURRENCY_MARK) + 4]
                return code[:3].decode("ascii", "replace") if code[3:] == b'"' else None
            tail = data[-(len(CURRENCY_MARK) + 4):] if at < 0 else data[at:]


def _currency_problem(store: Store) -> str | None:
    """settings.toml's currency against the one recorded sales are in: a
    practice keeps one currency, and recorded amounts are never converted
    (a currency changed by hand would re-label them, and round them to the
    new one's decimals)."""
    recorded = recorded_currency(store.path(layout.JOURNAL))
    if recorded is None or recorded == store.settings.currency:
        return None
    return (f"{_located(store, layout.SETTINGS, 'practice.currency')}: is {store.settings.currency}, but the "
            f"journal records sales in {recorded}; set currency = \"{recorded}\" again (a practice keeps one currency, "
            "and recorded amounts are never converted)")


def _zone_problem(store: Store) -> str | None:
    """settings.toml's time zone against the one the journal records in:
    every event's time is written in the practice's zone, so the last one
    recorded tells, by its offset, whether the zone was changed by hand
    since. A practice keeps one zone: the dates it recorded (sales, draws,
    the day files of the agenda) are local dates there, and read in another
    zone the agenda would miss sessions and the calendar allow overlaps."""
    from datetime import datetime

    from .journal import line_ending_at, torn_extent

    path = store.path(layout.JOURNAL)
    try:
        found = line_ending_at(path, torn_extent(path)[0])
        event = jsontext.loads(found[1]) if found is not None and found[0] > 0 else None
        at = datetime.fromisoformat(event["at"]) if isinstance(event, dict) else None
    except (OSError, ValueError, TypeError, KeyError):
        return None  # (a damaged or missing journal is named by the rest of the check)
    if at is None or at.tzinfo is None:
        return None
    local = at.astimezone(store.settings.tz)
    if local.utcoffset() == at.utcoffset():
        return None
    seq = event.get("seq")
    where = f" (line {seq + 1})" if isinstance(seq, int) else ""
    return (f"{_located(store, layout.SETTINGS, 'practice.timezone')}: is {store.settings.timezone}, "
            f"{local.isoformat(timespec='minutes')} there, but the journal's last event{where} was recorded at "
            f"{at.isoformat(timespec='minutes')}; set timezone back to the zone the practice records in (a practice "
            "keeps one time zone: the dates it recorded are local dates there)")


def _read_once(read: Callable[[str], bytes | None]) -> tuple[Callable[[str], bytes | None], Callable[[str], bytes | None]]:
    """(``current``, ``again``) over ``read``: the replay asks ``current`` for
    a client view file before it makes it, then the visit reads the same file
    with ``again``, which hands over what ``current`` read last instead of
    reading it twice (the client views of a large practice are hundreds of
    megabytes)."""
    seen: dict[str, bytes | None] = {}

    def current(name: str) -> bytes | None:
        seen.clear()
        data = seen[name] = read(name)
        return data

    def again(name: str) -> bytes | None:
        return seen.pop(name) if name in seen else read(name)

    return current, again


def full_check(store: Store, end: int | None = None) -> tuple[list[str], checkpoint.Checkpoint | None]:
    """Replay the journal (to ``end``) and compare every view file with what
    it implies; the view files are seen as the store sees them
    (``Store.view_bytes``: with the events a read folded in memory).

    Returns the problems, and when there is none, the checkpoint they prove.
    """
    replayed = replay(store, end)
    if replayed.problems:
        replayed.fold_all()  # an earlier event that does not fit is the one to report
        return replayed.problems, None
    present = existing_views(store.root)
    fresh = store.fresh_view_names()
    for name, exists in fresh.items():
        (present.add if exists else present.discard)(name)

    current, read = _read_once(store.view_bytes)

    def compare(name: str, expected: bytes) -> Any:
        actual = read(name)
        if actual is None:
            return f"{name}: missing; run 'sessionpack check --rebuild'"
        if actual != expected:
            return edited_line(store.root, name, actual, expected) or \
                f"{name}:{first_difference(actual, expected)}: differs from what the journal implies; run 'sessionpack check --rebuild'"
        if name != layout.INDEX and name not in fresh:
            return checkpoint.stat_key(os.stat(store.path(name))) + [checkpoint.digest_of(expected)], \
                (expected.decode("utf-8") if name in SMALL_NAMES else None)
        return None

    found: list[tuple[str, str]] = []
    recorded = checkpoint.Checkpoint.start(replayed)
    for name, outcome in replayed.visit_files(compare, workers(os.path.getsize(replayed.path)), current):
        present.discard(name)
        if isinstance(outcome, str):
            found.append((name, outcome))
        elif outcome is not None:
            _record(recorded, name, *outcome)
    if replayed.problems:  # an event that does not fit: the files compared so far mean nothing
        return replayed.problems, None
    for name in present:
        found.append((name, f"{name}: no event in the journal makes this view; run 'sessionpack check --rebuild'"))
    problems = [text for _, text in sorted(found)]
    return problems, (None if problems else recorded)


def edited_line(root: str, name: str, actual: bytes, expected: bytes) -> str | None:
    """The problem when client view ``name`` differs from what the journal
    implies (``expected``) because a journal line was changed: the view
    keeps a copy of each event that touched the client, encoded as the
    journal line was written, and one of them is not the journal's event of
    that seq while the view is what its own copies make and the journal
    was changed after the view was written (so the view was not changed:
    the journal was). None when that is not so (then the view is the file
    that differs)."""
    if os.path.dirname(name) != layout.CLIENT_VIEWS:
        return None
    try:
        if os.stat(os.path.join(root, layout.JOURNAL)).st_mtime_ns <= os.stat(os.path.join(root, name)).st_mtime_ns:
            return None  # (the view was written, or edited, after the journal last changed)
        view, implied = jsontext.loads(actual), jsontext.loads(expected)
        journal_events = {e["seq"]: e for e in implied["events"] if e.get("type") != "undone"}
        changed = [e["seq"] for e in view["events"] if e.get("type") != "undone" and e["seq"] in journal_events
                   and jsontext.canonical_bytes(e) != jsontext.canonical_bytes(journal_events[e["seq"]])]
        if not changed:
            return None
        again = ledger.empty_client_view(view["id"])
        for event in view["events"]:
            ledger.apply_to_client(again, event)
        if encode_view(again) != actual:
            return None  # (the view does not follow from its own copies: it is the one changed)
    except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError, IndexError, RecursionError,
            SessionpackError, OSError):
        return None
    seq = min(changed)
    return (f"{layout.JOURNAL}:{seq + 1}: differs from what {name} recorded of event {seq}: the journal line was "
            f"changed; restore the journal from a backup (or, if the change was meant, delete {name} and run "
            "'sessionpack check --rebuild', which then takes the line as it is)")


def _record(recorded: checkpoint.Checkpoint, name: str, entry: list[Any], text: str | None) -> None:
    """``Checkpoint.add_file`` from what a (possibly worker) visit found."""
    recorded.files[name] = entry
    if text is not None:
        recorded.small[name] = text


def check(store: Store) -> list[str]:
    """All problems a full replay finds, as 'file:line: what; fix' lines (empty: all well)."""
    return catalog_problems(store) + full_check(store)[0]


def first_difference(actual: bytes, expected: bytes) -> int:
    for line, (a, b) in enumerate(zip(actual.splitlines(), expected.splitlines()), start=1):
        if a != b:
            return line
    return 1


def views_beyond(store: Store, seq: int) -> int:
    """The last event the views record when it is beyond ``seq`` (the last
    event of the journal), else 0: the views then hold events the journal
    lost. The index tells; when it cannot, the client views are read."""
    try:
        index = jsontext.loads(read_bytes(store.path(layout.INDEX)))
        if isinstance(index, dict) and isinstance(index.get("seq"), int) and not index.get("rebuilding"):
            return index["seq"] if index["seq"] > seq else 0
    except (FileNotFoundError, ValueError, RecursionError):
        pass
    last = 0
    for name in sorted(existing_views(store.root)):
        if os.path.dirname(name) == layout.CLIENT_VIEWS:
            try:
                view_seq = jsontext.loads(read_bytes(store.path(name))).get("seq")
            except (ValueError, AttributeError, RecursionError):
                continue
            if isinstance(view_seq, int) and view_seq > last:
                last = view_seq
    return last if last > seq else 0


STAGING_PREFIX = ".rebuild-"


def rebuild(store: Store) -> tuple[int, list[str]]:
    """Write every view from the journal; remove views no event makes.

    Refused when the views hold events the journal does not (it lost them):
    a rebuild would drop them; ``restore_journal`` puts them back first.

    First every view file is made and compared with the one on disk; only
    the files that differ are written, to a staging folder in ``views/``,
    so a journal that turns out not to fold changes nothing. Then the index
    is marked as being rebuilt (format 0), the new files are moved into
    place, stale views are removed, everything is flushed to the disk at
    once, and the index is written for real last: a rebuild cut short is
    simply done again by the next command, like the upgrade of views of an
    older format. A checkpoint is written when the journal is large enough
    for ``check`` to use one.
    """
    import shutil

    replayed, keep, size = _replay_to_rebuild(store)
    if replayed.problems:
        return 0, replayed.problems
    make_dir(store.path(layout.VIEWS))
    for name in os.listdir(store.path(layout.VIEWS)):
        if name.startswith(STAGING_PREFIX):  # left by a rebuild that was killed
            shutil.rmtree(store.path(layout.VIEWS, name), ignore_errors=True)
    staging = store.path(layout.VIEWS, STAGING_PREFIX + os.urandom(8).hex())
    make_dir(staging)
    try:
        count, index, changed, recorded = _stage(store, replayed, staging)
        if replayed.problems:
            return 0, replayed.problems
        refused = _drops_events(store, replayed)
        if refused:
            return 0, [refused]
        if size > keep:
            store.move_torn_aside(keep)  # (only now that the journal was compared with the views)
        _finish_catalog(store, keep)
        stale = _stale(store, recorded)
        checkpoint.forget(store.root)
        try:
            os.unlink(store.path(layout.LEGACY_CHECKPOINT))
        except FileNotFoundError:
            pass
        atomic_write(store.path(layout.INDEX), encode_view(REBUILDING))
        made: set[str] = set()
        for name, temp in changed.items():
            folder = os.path.dirname(name)
            if folder not in made:
                make_dir(store.path(folder))
                made.add(folder)
            os.replace(temp, store.path(name))
        for name in stale:
            os.unlink(store.path(name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    from . import parsed

    parsed.make(store.root)  # the memo of the TOML files, anew (a hand-edited one is replaced)
    for folder in layout.VIEW_DIRS:
        remove_leftovers(store.path(folder))
    _flush(store, changed, stale)
    atomic_write(store.path(layout.INDEX), index)  # last: it says the views are complete
    if checkpoint.worth_keeping(replayed.offset):
        _save(store, recorded)
    return count, []


def _finish_catalog(store: Store, keep: int) -> None:
    """Finish the catalog changes of the events the old index had not
    passed (``Store.finish_catalog``), before the new index passes them."""
    for folder in (layout.SERVICES, layout.PACKAGES):
        remove_leftovers(store.path(folder))  # (a command killed before moving its file into place)
    try:
        index = store._read_index()
        if index.get("rebuilding") or index["offset"] >= keep:
            return
        events = list(journal.read_events(store.path(layout.JOURNAL), layout.JOURNAL, index["offset"], index["seq"] + 1, keep))
    except SessionpackError:
        return  # (an index that cannot say where the views stopped: no tail to finish)
    store.finish_catalog(events)


def _replay_to_rebuild(store: Store) -> tuple[Replayed, int, int]:
    """The replay a rebuild makes its files from, its ``problems`` settled:
    (replayed, the end of the journal's complete commands, its size)."""
    keep, size = journal.torn_extent(store.path(layout.JOURNAL))
    replayed = replay(store, keep)
    if replayed.problems:
        replayed.fold_all()
    return replayed, keep, size


def _stale(store: Store, recorded: checkpoint.Checkpoint) -> set[str]:
    """The view files on disk that no event makes (the index aside)."""
    return existing_views(store.root) - set(recorded.files) - {layout.INDEX}


def _drops_events(store: Store, replayed: Replayed) -> str | None:
    """Why a rebuild is refused: the views hold events the journal lost."""
    beyond = views_beyond(store, replayed.seq)
    if not beyond:
        return None
    return (f"{layout.JOURNAL} ends at event {replayed.seq} but the views record events up to {beyond}: a rebuild "
            f"would drop events {replayed.seq + 1} to {beyond} from the views. Restore the journal from a backup, or "
            "put back the copies the client views keep with 'sessionpack check --restore-journal'")


def rebuild_dry_run(store: Store) -> tuple[str, list[str]]:
    """What ``rebuild`` would do, writing nothing: (the line that says it,
    the problems that would stop it)."""
    replayed, keep, size = _replay_to_rebuild(store)
    if replayed.problems:
        return "", replayed.problems
    count, index, changed, recorded = _stage(store, replayed, None)
    if replayed.problems:
        return "", replayed.problems
    refused = _drops_events(store, replayed)
    if refused:
        return "", [refused]
    stale = _stale(store, recorded)
    try:
        index_differs = read_bytes(store.path(layout.INDEX)) != index
    except FileNotFoundError:
        index_differs = True
    written = len(changed) + index_differs
    if not written and not stale and size == keep:
        return f"The {count} view files already are what the journal implies: a rebuild would change nothing", []
    said = (f"A rebuild would make {count} view files from the journal: {written} to write (they differ from the "
            f"files on disk, or are missing), {len(stale)} to remove (no event makes them)")
    if size > keep:
        said += f"; the {size - keep} bytes of an interrupted command at the end of the journal would be moved to torn/"
    return said, []


FSYNC_EACH_BELOW = 64  # files; more are flushed with one sync of the system


def _flush(store: Store, changed: dict[str, str], stale: set[str]) -> None:
    """Every moved file and removal on the disk, before the index says the
    views are complete: a few files one by one, many at once."""
    from .fsio import fsync_dir, open_file

    if not changed and not stale:
        return
    if len(changed) + len(stale) >= FSYNC_EACH_BELOW:
        os.sync()
        return
    for name in changed:
        fd = open_file(store.path(name), os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    for folder in sorted({os.path.dirname(name) for name in (*changed, *stale)}):
        fsync_dir(store.path(folder))


def _stage(store: Store, replayed: Replayed, staging: str | None) -> tuple[int, bytes, dict[str, str], checkpoint.Checkpoint]:
    """Make every view file; write those that differ from the disk to
    ``staging``. (count of files, the index's bytes, {name: staged file},
    the checkpoint of every file but the index.) Without ``staging`` (a
    dry run) nothing is written: the files that differ are named, with no
    staged file, and the checkpoint is not one to keep."""
    from .fsio import FILE_MODE, open_file

    def on_disk(name: str) -> bytes | None:
        try:
            return read_bytes(store.path(name))
        except (FileNotFoundError, NotADirectoryError):
            return None

    current, read = _read_once(on_disk)

    def stage(name: str, data: bytes) -> Any:
        if name == layout.INDEX:
            return data
        path = store.path(name)
        text = data.decode("utf-8") if name in SMALL_NAMES else None
        actual = read(name)
        if actual == data:
            return None, checkpoint.stat_key(os.stat(path)) + [checkpoint.digest_of(data)], text
        edited = edited_line(store.root, name, actual, data) if actual is not None else None
        if edited is not None:
            return edited  # (a changed journal line is never taken into the views unasked)
        if staging is None:
            return "", [], text
        temp = os.path.join(staging, name.replace(os.sep, "__"))
        fd = open_file(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        return temp, checkpoint.stat_key(os.stat(temp)) + [checkpoint.digest_of(data)], text

    recorded = checkpoint.Checkpoint.start(replayed)
    changed: dict[str, str] = {}
    count = 0
    index = b""
    edited: list[str] = []
    for name, outcome in replayed.visit_files(stage, workers(os.path.getsize(replayed.path)), current):
        count += 1
        if name == layout.INDEX:
            index = outcome
            continue
        if isinstance(outcome, str):
            edited.append(outcome)
            continue
        temp, entry, text = outcome
        if temp is not None:
            changed[name] = temp
        _record(recorded, name, entry, text)
    if edited and not replayed.problems:
        replayed.problems = sorted(set(edited))  # (the rebuild is refused, as for an event that does not fit)
    return count, index, changed, recorded


@dataclass
class CheckResult:
    problems: list[str]
    incremental: bool  # True: against the checkpoint; False: the whole journal replayed
    events: int  # events checked (incremental) or replayed (full)
    since_seq: int  # incremental: the seq of the checkpoint
    fallback: str | None  # full check where an incremental one was wanted: why
    notes: list[str] = field(default_factory=list)  # states that are not damage (a repair the next write does)


def run_check(store: Store, full: bool = False) -> CheckResult:
    """``sessionpack check``: incremental when a checkpoint allows it, else full.

    Under the shared lock, writing nothing in the data directory. What a
    crash leaves behind is not damage and is reported as a note, with exit
    0: a torn last command (the next command that records something moves it aside)
    and events recorded in the journal that the views lack (they are folded
    in memory here and checked like the rest; the next command that records something
    puts them into the view files). A journal shorter than the views is
    damage. A check that finds all in order leaves, when the journal is
    large enough (``checkpoint.worth_keeping``), a checkpoint for the next
    one in the cache directory (the catalog is checked apart, in full,
    every time).
    """
    problems = catalog_problems(store)
    notes: list[str] = []
    keep, size = journal.torn_extent(store.path(layout.JOURNAL))
    if size > keep:
        notes.append(f"the journal ends in {size - keep} bytes of a command that was interrupted while writing them "
                     "and was not recorded; the next command that records something moves them to torn/")
    try:
        index: dict[str, Any] | None = store._read_index()
    except SessionpackError:
        index = None  # missing or damaged: the comparison below names it
    if index is not None and index["offset"] > keep and not index.get("rebuilding"):
        if not store.journal_edited(index, keep):
            return CheckResult(problems + [str(store.shorter_journal(index, keep))], False, 0, 0, None, notes)
        index = None  # (no event lost, a line changed: the full comparison names it)
    if index is not None and index.get("format") != ledger.VIEW_FORMAT:
        replayed = replay(store, keep)
        replayed.fold_all()
        found = replayed.problems
        if not found:
            notes.append(str(store._outdated(index)).replace("; a command that only reads never writes, so run", "; run"))
        return CheckResult(problems + found, False, replayed.seq, 0, None, notes)
    pending = index is not None and index["offset"] < keep
    if pending:
        try:
            store._catch_up_in_memory(index)  # type: ignore[arg-type]
        except SessionpackError:
            pending = False  # the journal changed before its tail: the full comparison names what differs
    if pending:
        notes.append(f"{store.pending_events} recorded event(s) are not yet in the view files (a command was "
                     "interrupted after recording them); checked in memory, and the next command that records "
                     "something writes them")
    reason = "some recorded events are not yet in the view files" if pending and not full and checkpoint.worth_keeping(keep) else None
    if not full and not pending and checkpoint.worth_keeping(keep):
        from .incremental import Incremental, incremental

        outcome = incremental(store, keep)
        if isinstance(outcome, Incremental):
            if not outcome.problems and outcome.changed:  # (catalog problems are not the views')
                _save(store, outcome.checkpoint)
            return CheckResult(problems + outcome.problems, True, outcome.events, outcome.since_seq, None, notes)
        reason = outcome
    found, recorded = full_check(store, keep)
    problems.extend(found)
    if recorded is not None and not pending and checkpoint.worth_keeping(recorded.offset):
        _save(store, recorded)
    return CheckResult(problems, False, recorded.seq if recorded else 0, 0, reason, notes)


def _save(store: Store, record: checkpoint.Checkpoint) -> None:
    """Write the checkpoint; failing to is no problem of the data, only slower next time."""
    try:
        record.save(store.root)
    except (SessionpackError, OSError) as err:
        store.warnings.append(f"could not write the checkpoint of this check ({view_failure(err)}); "
                              "the next check replays the whole journal again")


__all__ = ["check", "rebuild", "rebuild_dry_run", "replay", "run_check", "CheckResult"]
