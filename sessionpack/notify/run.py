"""``notify``: the expiry sweep, then every notice due, sent exactly once.

One run:

1. takes ``notify.lock`` (two runs never deliver at once; other commands
   are not blocked by it);
2. under the data directory's exclusive lock, reads what it judges -- the
   open client packages (``views/open``), the packages named by events
   recorded since the last run (the journal's tail after the position kept
   in ``views/outbox.json``, to see what became used up; for an ``undo``,
   the packages named by what it took back) -- and commits, in
   one commit, the ``expired`` events and, for every notice due, a
   ``notice-pending`` (or ``notice-suppressed``) event per recipient. A
   first sweep over years of history is committed in batches of clients;
3. then, without the lock, delivers each pending notice (those left by an
   earlier run first), and commits ``notice-sent`` or ``notice-failed``
   with the reply before delivering the next one. A pending notice is
   judged once more just before delivery: if the package was cancelled,
   refunded or transferred since, the recipient opted out, or what it
   says has gone by (the package expired, a nearer "expires soon" notice
   is due), it is recorded as suppressed instead.

A run killed between delivering a notice and recording it leaves that one
notice pending: the next run delivers it again, with the same Message-ID.
A temporary failure stops the run (exit 75) with the rest still pending.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Iterator, Mapping

from ..domain import ledger, notices
from ..domain.expiry import local_date
from ..errors import InputError, RuleError, SessionpackError, TemporaryError
from ..storage import journal, layout, shards
from ..storage.crash import crash_point
from ..storage.fsio import read_bytes
from .compose import Composer, Report, copies_of, report_events

CHUNK = 250  # clients per commit when a first sweep records expiries of many
MARK_AFTER = 1000  # events since the last run after which the position is recorded anyway
OWN_TYPES = frozenset({"expired", "notices-checked", *notices.NOTICE_EVENTS})


class Stopped(SessionpackError):
    """A run that stopped part way: the error, with what was done before it."""

    def __init__(self, error: SessionpackError, report: Report) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code
        self.report = report


# -- what a run reads ------------------------------------------------------------------


def _open_lines(root: str) -> Iterator[tuple[str, bytes]]:
    for name in sorted(shards.existing(root)):
        if name.startswith(layout.OPEN + os.sep):
            for line in read_bytes(os.path.join(root, name)).splitlines():
                yield name, line


def _is_past(line: bytes, today: bytes) -> bool:
    return not line.startswith(b"[null,") and line[2:12] < today


def _decode(name: str, number: int, line: bytes) -> dict[str, Any]:
    from .. import jsontext

    try:
        return jsontext.loads(line)[3]
    except (ValueError, TypeError, IndexError):
        raise shards.FileProblem(name, number, "is damaged", shards.DAMAGED_FIX) from None


@dataclass
class Gathered:
    packages: dict[str, dict[str, Any]]  # client package id -> record
    touched: frozenset[str]  # named by events since the last run
    tail_events: int  # events since the last run (not notify's own)
    first_run: bool
    everything: bool  # every open package judged (first run, or other rules than the last run's)


def tail(store: Any, outbox: Mapping[str, Any]) -> tuple[set[str], list[dict[str, Any]], int, bool]:
    """(packages named by events after the last run's position, the
    ``undone`` events among them, how many such events, whether this is the
    first run). An undo names no package: ``gather`` finds the packages it
    changed in its clients' histories (``notices.undone_packages``)."""
    checked = outbox.get("checked")
    if not checked:
        return set(), [], 0, True
    named: set[str] = set()
    undos: list[dict[str, Any]] = []
    count = 0
    path = store.path(layout.JOURNAL)
    for event in journal.read_events(path, layout.JOURNAL, checked["offset"], checked["seq"] + 1):
        if event["type"] in OWN_TYPES:
            continue
        count += 1
        named.update(notices.packages_named(event))
        if event["type"] == "undone":
            undos.append(event)
    return named, undos, count, False


def gather(tx: Any, today: date, rules: notices.Rules, owners: Iterable[str] | None = None) -> Gathered:
    """The packages to judge.

    Only events change whether a package is low or used up; only the date
    changes whether its expiry or an expiring notice is due. So a run reads
    the packages named by events since the last run, and of the other open
    packages decodes only those whose last valid day (the first field of
    their line in ``views/open``) is past or within the expiring window.
    The first run, and a run whose low limits or kinds differ from the last
    run's, judge every open package. With ``owners``: only theirs, read
    from their views (a batch of a first sweep).
    """
    store = tx.store
    outbox = store.load_small(layout.OUTBOX)
    touched, undos, count, first = tail(store, outbox)
    wanted_owners = None if owners is None else set(owners)
    for undo in undos:
        for client in undo.get("clients") or ():
            if wanted_owners is None or client in wanted_owners:
                touched.update(notices.undone_packages(undo, (tx.client(client) or {}).get("events", ())))
    everything = first or (outbox.get("checked") or {}).get("rules") != notices.judged_by(rules)
    packages: dict[str, dict[str, Any]] = {}
    if owners is None:
        ahead = max(rules.expiring_days) if "expiring" in rules.kinds else 0
        horizon = (today + timedelta(days=min(ahead, (date.max - today).days))).isoformat().encode("ascii")
        numbers: dict[str, int] = {}
        store.count_folder("open")
        for name, line in _open_lines(store.root):
            numbers[name] = numbers.get(name, 0) + 1
            _, cp = shards.line_key(line, name, numbers[name])
            cp_id = cp.decode("utf-8")
            if everything or cp_id in touched or (not line.startswith(b"[null,") and line[2:12] <= horizon):
                packages[cp_id] = _decode(name, numbers[name], line)
    else:
        for owner in owners:
            view = tx.client(owner)
            for _, _, cp_id, pkg in ledger.open_rows(view or {"id": owner, "packages": {}}):
                packages[cp_id] = pkg
    for cp_id in sorted(touched - set(packages)):
        owner = cp_id.rsplit(".p", 1)[0]
        if wanted_owners is not None and owner not in wanted_owners:
            continue
        view = tx.client(owner)
        pkg = (view or {}).get("packages", {}).get(cp_id)
        if pkg is not None and not pkg.get("expired_at") and pkg.get("status", "active") not in ("cancelled", "refunded"):
            packages[cp_id] = pkg
    return Gathered(packages, frozenset(touched), count, first, everything)


def past_owners(root: str, today: str) -> list[str]:
    """Owners of open packages whose last day is before ``today`` (read
    without decoding the packages), shard by shard, so that a batch of them
    rewrites few shards."""
    want = today.encode("ascii")
    found: dict[str, None] = {}
    for name, line in _open_lines(root):
        if _is_past(line, want):
            found.setdefault(shards.line_key(line, name)[0].decode("utf-8"))
    return list(found)


def _order(cp_id: str) -> tuple[str, int]:
    owner, number = cp_id.rsplit(".p", 1)
    return owner, int(number)


# -- the run -------------------------------------------------------------------------------


def notice_rules(settings: Any) -> notices.Rules:
    return notices.Rules.from_settings(settings.notices, enabled=settings.delivery["method"] != "none")


def check_setup(settings: Any) -> None:
    """What sending needs, checked before anything is recorded."""
    method = settings.delivery["method"]
    if method in ("smtp", "sendmail") and not settings.notices["from"]:
        raise InputError(f"settings.toml: [notices] from is needed to send mail with method {method!r}; "
                         "add e.g. from = \"Studio Lima <studio@example.com>\"")
    if method == "sendmail":
        import shutil

        program = settings.delivery["program"]
        if shutil.which(program) is None:  # (as the run would start it: a path, or a name on PATH)
            raise InputError(f"the sendmail program {program} could not run (not found, or not executable); "
                             "set [delivery] program in settings.toml")


def plan_in(tx: Any, composer: Composer, owners: list[str] | None) -> tuple[list[dict[str, Any]], list[tuple[notices.Due, Any]], Gathered]:
    store = tx.store
    rules = notice_rules(store.settings)
    found = gather(tx, local_date(store.now, store.settings.tz), rules, owners)
    ordered = [found.packages[cp] for cp in sorted(found.packages, key=_order)]
    plan = notices.plan(ordered, rules, store.now, store.settings.tz, found.touched)
    events, decided = composer.events(tx, plan, found.packages)
    return events, decided, found


def dry_run(store: Any, retry: list[str]) -> Report:
    """What a real run would record and send now; writes nothing. Notices
    still pending and those given to ``--retry`` are judged as a run judges
    them (``_retries``, then ``why_not_now`` just before delivery)."""
    check_setup(store.settings)
    retry = unique(retry)
    composer = Composer(store)
    report = Report()
    with store.reading() as tx:
        events, _, _ = plan_in(tx, composer, None)
        outbox = store.load_small(layout.OUTBOX)
        again = _retries(tx, composer, retry)
        report_events(report, events, composer, dry_run=True)
        for entry in sorted(outbox["pending"].values(), key=lambda e: e["seq"]):
            _would_deliver(report, tx, entry, "resend")
        for entry in again:
            _would_deliver(report, tx, entry, "retry")
    if store.settings.delivery["method"] == "none":
        report.notes.append('notices are off: [delivery] method is "none" in settings.toml (set smtp, sendmail or jsonl)')
    return report


def _would_deliver(report: Report, tx: Any, entry: Mapping[str, Any], action: str) -> None:
    why = why_not_now(tx, entry)
    if why:
        report.add("suppress", entry["client_package"], entry["kind"], entry["recipient"], "", why, entry["key"])
    else:
        report.add(action, entry["client_package"], entry["kind"], entry["recipient"], entry["to"], entry["message"]["subject"], entry["key"])


def unique(keys: Iterable[str]) -> list[str]:
    """``--retry`` keys, each once (a key given twice is one notice to send again)."""
    return list(dict.fromkeys(keys))


def why_not_now(tx: Any, entry: Mapping[str, Any]) -> str | None:
    """Why the pending notice ``entry`` must not be delivered now, or None:
    the one judgement of a run just before each delivery (the notice is then
    recorded as suppressed), and of a dry run for what a run would do."""
    owner = entry["client_package"].rsplit(".p", 1)[0]
    owner_view = tx.client(owner)
    recipient_view = owner_view if entry["recipient"] == owner else tx.client(entry["recipient"])
    why = notices.still_wanted(entry, owner_view, recipient_view)
    if why is None:
        store = tx.store
        pkg = owner_view["packages"][entry["client_package"]]  # (still_wanted found it)
        why = notices.outdated(entry, pkg, notice_rules(store.settings), local_date(store.now, store.settings.tz))
    return why


def _retry_entry(outbox: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    if key in outbox["failed"]:
        return outbox["failed"][key]
    if key in outbox["pending"]:
        raise RuleError(f"notice {key} is still pending, not failed: 'sessionpack notify' delivers it")
    raise InputError(f"no failed notice {key!r}; 'sessionpack notify --failed' lists the failed ones")


def failed(store: Any) -> list[dict[str, Any]]:
    with store.reading():
        outbox = store.load_small(layout.OUTBOX)
    return [dict(entry) for _, entry in sorted(outbox["failed"].items(), key=lambda item: item[1]["seq"])]


class NotifyLock:
    """``notify.lock``: one delivering run at a time (other commands never wait for it)."""

    def __init__(self, root: str) -> None:
        self.path = os.path.join(root, layout.NOTIFY_LOCK)
        self.fd: int | None = None

    def __enter__(self) -> "NotifyLock":
        import fcntl

        from ..storage.fsio import disk_error, open_file

        try:  # never through a symbolic link, like every file of the data directory
            fd = open_file(self.path, os.O_RDWR | os.O_CREAT)
        except OSError as err:
            raise disk_error(self.path, err) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise TemporaryError("another 'sessionpack notify' is running on this data directory; "
                                 "try again when it has finished") from None
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _fresh(store: Any) -> Any:
    """A store for one batch: same directory, clock, actor and hooks, its own
    memory (a first sweep must not hold every client's view at once)."""
    from ..storage.store import Store

    batch = Store(store.root, store.settings, store.now, store.actor)
    batch.after_commit = store.after_commit
    return batch


def run(store: Any, retry: list[str]) -> Report:
    """A real run (see the module's docstring)."""
    check_setup(store.settings)
    retry = unique(retry)
    composer = Composer(store)
    report = Report()
    if store.settings.delivery["method"] == "none":
        report.notes.append('notices are off: [delivery] method is "none" in settings.toml (set smtp, sendmail or jsonl)')
    from . import delivery

    method = store.settings.delivery["method"]
    # The set-up (password, loopback-only plain text) is checked before anything is recorded.
    sender = delivery.transport(store.settings.delivery, composer.sender) if method != "none" else None
    with NotifyLock(store.root):
        if retry:
            with store.reading():
                outbox = store.load_small(layout.OUTBOX)
                for key in retry:
                    _retry_entry(outbox, key)
        try:
            _record(store, composer, report, retry)
            _deliver(store, sender, report)
        except SessionpackError as err:
            raise Stopped(err, report) from None
    return report


def _record(store: Any, composer: Composer, report: Report, retry: list[str]) -> None:
    """Step 2: the expiries and the notices due, committed."""
    owners: list[str] | None = None
    while True:
        batch = _fresh(store)
        with batch.writing() as tx:
            if owners is None:
                batch.count_folder("open")
                owners = past_owners(store.root, local_date(store.now, store.settings.tz).isoformat())
            final = len(owners) <= CHUNK
            if not final:  # a first sweep over years of history: a batch of clients at a time
                chunk, owners = owners[:CHUNK], owners[CHUNK:]
                events, decided, _ = plan_in(tx, composer, chunk)
                tx.commit(events)
                report_events(report, events, composer, dry_run=False)
            else:
                events, decided, found = plan_in(tx, composer, None)
                events += _retries(tx, composer, retry)
                if events or found.everything or found.tail_events >= MARK_AFTER:
                    start = tx.index
                    events.append(notices.checked_event(start["seq"], start["offset"], local_date(store.now, store.settings.tz),
                                                        notice_rules(store.settings)))
                tx.commit(events)
                report_events(report, events, composer, dry_run=False)
        store.warnings.extend(batch.warnings)
        _expiring_hooks(store, decided, tx.committed)
        if final:
            return


def _retries(tx: Any, composer: Composer, retry: list[str]) -> list[dict[str, Any]]:
    """``--retry KEY``: the failed notice, pending again (worded anew, to the
    recipient's address now)."""
    out = []
    outbox = tx.store.load_small(layout.OUTBOX)
    for key in retry:
        entry = _retry_entry(outbox, key)
        pending = outbox_pending_of(tx, entry)
        owner_view = tx.client(entry["client_package"].rsplit(".p", 1)[0])
        pkg = (owner_view or {}).get("packages", {}).get(entry["client_package"])
        if owner_view is None or pkg is None:
            raise RuleError(f"notice {key} is about {entry['client_package']}, which is no longer recorded")
        due = notices.Due(pending["kind"], pending["base"], pkg["id"], pkg["owner"], pending.get("facts") or {})
        others = {other: tx.client(other) for other in copies_of(owner_view)}
        chosen = [r for r in notices.recipients(owner_view, others, due.kind) if r.client == entry["recipient"]]
        if not chosen:
            raise RuleError(f"{entry['recipient']} no longer receives {key}: the link with the notices permission ended")
        recipient = chosen[0]
        if recipient.suppressed:
            raise RuleError(f"notice {key} cannot be sent again: {recipient.suppressed}")
        out.append(composer.pending(due, pkg, owner_view["client"], recipient))
    return out


def outbox_pending_of(tx: Any, entry: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``notice-pending`` event a failed notice came from (its kind, base
    key and facts), found in the owner's history."""
    owner = entry["client_package"].rsplit(".p", 1)[0]
    view = tx.client(owner) or {"events": []}
    for event in reversed(view["events"]):
        if event["type"] == "notice-pending" and event["key"] == entry["key"]:
            return event
    raise RuleError(f"the notice {entry['key']} is not in {owner}'s history; run 'sessionpack check'")


def _expiring_hooks(store: Any, decided: list[tuple[notices.Due, Any]], committed: list[dict[str, Any]]) -> None:
    from .hooks import HookRunner, package_state

    runner = getattr(store.after_commit, "runner", store.after_commit)  # (CommandHooks: the runner it makes)
    if not isinstance(runner, HookRunner) or not runner.enabled:
        return
    seq_of = {event["key"]: event for event in committed if event["type"] in ("notice-pending", "notice-suppressed")}
    payloads = []
    for due, pkg in decided:
        if due.kind != "expiring" or due.key not in seq_of:
            continue
        event = seq_of[due.key]
        payloads.append({"type": "expiring", "seq": event["seq"], "at": event["at"], "actor": event["actor"],
                         "clients": [due.owner], "client_package": due.client_package, "key": due.key, **due.facts,
                         "package_state": package_state(pkg, store.now, store.settings.tz)})
    if payloads:
        store.warnings.extend(runner.run(store.root, payloads))


def _still_pending(report: Report, entries: list[Mapping[str, Any]]) -> None:
    """The notices a stopped run leaves pending: one row each, ``not sent
    yet`` (a notice recorded by this run already has its row: it says so)."""
    for item in entries:
        report.outcome("pending", item, "not sent yet")


def _deliver(store: Any, sender: Any, report: Report) -> None:
    """Step 3: each pending notice delivered, then its outcome committed."""
    with store.reading():
        queue = sorted(store.load_small(layout.OUTBOX)["pending"].values(), key=lambda e: e["seq"])
    if not queue:
        return
    if sender is None:
        report.notes.append(f'{len(queue)} notice(s) stay pending: [delivery] method is "none" in settings.toml')
        return
    outcome_event: dict[str, Any] | None = None
    position = 0
    batch = _fresh(store)  # one for the deliveries: the outbox stays in memory between them
    batch.defer_views()  # each outcome is durable in the journal at once; the views are written once, at the end
    left_at: tuple[int, int] | None = None  # the journal position our last transaction left
    try:
        while True:
            entry = None
            with batch.writing() as tx:
                if left_at is not None and (tx.index["seq"], tx.index["offset"]) != left_at:
                    stale = True  # another command recorded something while the lock was free
                else:
                    stale = False
                    events = [outcome_event] if outcome_event else []
                    current = batch.load_small(layout.OUTBOX)["pending"]
                    while position < len(queue):
                        candidate = queue[position]
                        position += 1
                        if candidate["key"] not in current:
                            continue  # settled since it was listed
                        why = why_not_now(tx, candidate)
                        if why:
                            events.append(notices.late_suppressed_event(candidate, why))
                            report.outcome("suppressed", candidate, why)
                            continue
                        entry = candidate
                        break
                    if events:
                        tx.commit(events)
                left_at = (tx.index["seq"], tx.index["offset"])
            store.warnings.extend(batch.warnings)
            batch.warnings.clear()
            if stale:  # its views and shards in memory may be older than the files: read them again
                batch = _fresh(store)
                batch.defer_views()
                left_at = None
                continue
            outcome_event = None
            if entry is None:
                return
            try:
                outcome = sender.deliver(entry)
            except SessionpackError:
                _still_pending(report, queue[position - 1:])
                raise
            crash_point("notice-delivered")
            if outcome.kind == "temporary":
                left = queue[position - 1:]
                _still_pending(report, left)
                raise TemporaryError(f"{outcome.reply}; {len(left)} notice(s) stay pending: the next 'sessionpack notify' "
                                     "delivers them (exit 75: try again later)")
            kind = "sent" if outcome.kind == "sent" else "failed"
            outcome_event = notices.outcome_event(entry, kind, outcome.reply, sender.via)
            report.outcome(kind, entry, outcome.reply)
            if kind == "failed":
                store.warnings.append(f"notice {entry['key']} to {entry['to']} failed: {outcome.reply}; fix what the reply says "
                                      f"and send it again with 'sessionpack notify --retry {entry['key']}'")
    finally:
        sender.close()
        batch.write_deferred_views()
        store.warnings.extend(batch.warnings)
