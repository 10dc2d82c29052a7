"""Hooks (rule 16 of docs/rules.md): ``hooks/EVENT`` runs after that event is recorded.

The hook gets the event as one JSON object on stdin, with the state of the
client package it is about after the event (``package_state``: status,
expiry, remaining, scheduled, free, used, total, and "n of N" for
sessions). Besides the recorded events, three moments have hooks of their
own: ``used-up`` (an attendance, no-show or late cancel used the last of a
package), ``low-balance`` (an event left a balance at or below its
"running low" limit) and ``expiring`` (``notify`` found an expiring notice
due).

Limits, so that a hook can never hold a command up or outlive it:

- one time budget for all the hooks of one command (``[hooks]
  time_budget``, 30 s by default); hooks whose turn comes after it ran out
  are not run, and say so;
- each hook runs in its own process group: when it overruns, the whole
  group is killed, and whatever it leaves running when it exits is killed
  too (a hook that must start something lasting hands it to a queue);
- its standard output goes nowhere and its standard error to a file, so a
  child that keeps either open cannot make the command wait;
- its environment is only PATH (with the directory of this Python added at
  the end, so ``sessionpack`` is found), HOME, LANG, TZ (the practice's
  time zone), ``SESSIONPACK_EVENT``, ``SESSIONPACK_DATA_DIR`` and
  ``SESSIONPACK_NOW`` (the command's clock);
- ``sessionpack --no-hooks ...`` runs none, and neither does a sessionpack
  a hook runs (``run_by_a_hook``): hooks never set each other off.

A missing or non-executable file is no hook. A hook that fails, overruns or
cannot start is reported as a warning; the event stays recorded -- a hook
can never undo it.
"""

from __future__ import annotations

import json
import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable, Iterator, Mapping

from ..domain import balances
from . import hook_exists, present_hooks

DERIVED = ("used-up", "low-balance", "expiring")


# -- processes ---------------------------------------------------------------------


def _kill_group(pgid: int) -> None:
    try:
        import signal

        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _exited(pid: int, timeout: float) -> bool:
    """Wait until the child ``pid`` has exited, without reaping it (so its
    process group cannot be reused before it is killed)."""
    if hasattr(os, "pidfd_open"):
        import select

        try:
            fd = os.pidfd_open(pid)
        except OSError:
            fd = -1
        if fd >= 0:
            try:
                poller = select.poll()
                poller.register(fd, select.POLLIN)
                return bool(poller.poll(max(0, int(timeout * 1000))))
            finally:
                os.close(fd)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
        except ChildProcessError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)


def wait_or_kill(proc: Any, timeout: float, kill_leftovers: bool = False) -> bool:
    """Wait for a child started in its own session (``start_new_session``);
    past ``timeout`` kill its whole process group. With ``kill_leftovers``,
    also kill what it left running when it exited in time. True when it
    finished in time."""
    finished = _exited(proc.pid, timeout)
    if not finished or kill_leftovers:
        _kill_group(proc.pid)
    proc.wait()
    return finished


def run_by_a_hook() -> bool:
    """This sessionpack was started by a hook (``SESSIONPACK_EVENT`` is set,
    as ``hook_env`` sets it): it runs no hooks of its own. A hook that runs
    sessionpack could otherwise set off its own hook again, for ever, and
    the hooks of that inner command would run in process groups of their
    own, which the time budget of the command that ran the first hook
    never reaches: they could outlive it."""
    return bool(os.environ.get("SESSIONPACK_EVENT"))


def hook_env(root: str, event_type: str, now: str, timezone: str) -> dict[str, str]:
    path = os.environ.get("PATH") or os.defpath
    here = os.path.dirname(os.path.abspath(sys.executable))
    if here not in path.split(os.pathsep):
        path = path + os.pathsep + here
    home = os.environ.get("HOME") or os.path.expanduser("~")
    return {"PATH": path, "HOME": home, "LANG": os.environ.get("LANG") or "C.UTF-8", "TZ": timezone,
            "SESSIONPACK_EVENT": event_type, "SESSIONPACK_DATA_DIR": root, "SESSIONPACK_NOW": now}


STDERR_TAIL = 8192  # bytes of a failed hook's standard error read, from its end
LINE_LIMIT = 300  # characters of its last line quoted in the warning


def last_line(stream: Any) -> str:
    """The last non-empty line a hook wrote to standard error (the file
    ``stream``), as a warning quotes it: whole up to ``LINE_LIMIT``
    characters, then cut (``...``), control characters escaped. Only the
    last ``STDERR_TAIL`` bytes are read, however much the hook wrote: the
    last line is what says why it failed (a line longer than that is
    quoted from where the part read begins, after ``...``)."""
    from ..domain.text import shown

    size = stream.seek(0, os.SEEK_END)
    start = max(0, size - STDERR_TAIL)
    cut_at_start = False  # the first line read may be the end of a longer one
    if start > 0:
        stream.seek(start - 1)
        cut_at_start = stream.read(1) != b"\n"
    stream.seek(start)
    lines = stream.read(STDERR_TAIL).decode("utf-8", "replace").splitlines()
    for number in range(len(lines) - 1, -1, -1):
        line = lines[number].strip()
        if not line:
            continue
        if number == 0 and cut_at_start:
            line = "..." + line
        text = shown(line)
        return text if len(text) <= LINE_LIMIT else text[: LINE_LIMIT - 3] + "..."
    return ""


# -- package state -----------------------------------------------------------------------


def package_state(pkg: Mapping[str, Any], now: Any, tz: Any) -> dict[str, Any]:
    """What hooks see of a client package: status, expiry and per balance
    key remaining, scheduled, free (left to book: the same number as
    remaining, which never counts what is booked), used and total."""
    rows = balances.balance(pkg)
    last_day = balances.expiry(pkg)
    state: dict[str, Any] = {
        "client_package": pkg["id"], "owner": pkg["owner"], "package": pkg["package"], "name": pkg["terms"]["name"],
        "status": balances.status(pkg, now, tz), "expires": last_day.isoformat() if last_day else None,
        "remaining": {}, "scheduled": {}, "free": {}, "used": {}, "total": {}, "sessions": {},
    }
    for key, row in rows.items():
        unlimited = row["total"] == balances.UNLIMITED
        total = balances.UNLIMITED if unlimited else row["total"] + row["adjusted"] - row["transferred"] - row["voided"]
        used = row["used"] + row["forfeited"]
        state["remaining"][key] = balances.plain(row["remaining"])
        state["free"][key] = balances.plain(row["remaining"])
        state["scheduled"][key] = balances.plain(row["scheduled"])
        state["used"][key] = balances.plain(used)
        state["total"][key] = balances.plain(total)
        if key not in ("minutes", "money", "unlimited") and not unlimited:
            state["sessions"][key] = f"{used} of {total}"
    if len(state["sessions"]) == 1:
        state["n_of_N"] = next(iter(state["sessions"].values()))
    return state


def _packages(event: Mapping[str, Any]) -> list[str]:
    from ..domain.notices import packages_named

    return packages_named(event)


class HookRunner:
    """The hooks of one command: called by the store after each commit
    (``store.after_commit``), with one time budget for all of them."""

    def __init__(self, store: Any, enabled: bool = True) -> None:
        self.store = store
        self.enabled = enabled and not run_by_a_hook()
        self.deadline: float | None = None

    @property
    def budget(self) -> float:
        return float(self.store.settings.hooks["time_budget"])

    def exists(self, root: str, name: str) -> bool:
        return hook_exists(root, name)

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def __call__(self, root: str, events: list[dict[str, Any]]) -> list[str]:
        if not self.enabled:
            return []
        present = present_hooks(root, events)
        if not present:
            return []
        return self.run(root, self._payloads(events, present))

    def _payloads(self, events: list[dict[str, Any]], present: set[str]) -> Iterator[dict[str, Any]]:
        """Each recorded event whose hook exists, with its package's state after
        it, and the used-up and low-balance moments it made -- computed only
        when its turn comes (and the budget is not used up)."""
        replays: dict[str, Replay] = {}
        seqs = {e["seq"] for e in events}
        transitions = bool(present & {"used-up", "low-balance"})
        for event in events:
            named = _packages(event)
            if event["type"] not in present and not (transitions and named):
                continue
            if self.out_of_time():
                if event["type"] in present:
                    yield event  # run() counts it as skipped
                continue
            states: dict[str, dict[str, Any]] = {}
            for cp in named:
                owner = cp.rsplit(".p", 1)[0]
                if owner not in replays:
                    replays[owner] = Replay(self.store, owner, seqs, transitions, events)
                found = replays[owner].after(event["seq"], cp)
                if found is not None:
                    states[cp] = found
            if event["type"] in present:
                payload = dict(event)
                if states:
                    payload["package_state"] = states[next(cp for cp in named if cp in states)]
                    if len(states) > 1:
                        payload["package_states"] = states
                yield payload
            for cp in named:
                owner = cp.rsplit(".p", 1)[0]
                for moment in replays[owner].moments(event["seq"], cp):
                    if moment["type"] in present:
                        yield moment

    def run(self, root: str, payloads: Iterable[dict[str, Any]]) -> list[str]:
        """Run the hook of each payload in order, within the time budget."""
        warnings: list[str] = []
        if not self.enabled:
            return warnings
        skipped: list[str] = []
        for payload in payloads:
            name = payload["type"]
            if not self.exists(root, name):
                continue
            if self.deadline is None:
                self.deadline = time.monotonic() + self.budget
            left = self.deadline - time.monotonic()
            if left <= 0:
                skipped.append(f"{name} (event {payload.get('seq')})")
                continue
            problem = self._run_one(root, name, payload, left)
            if problem:
                warnings.append(problem)
        if skipped:
            shown = ", ".join(skipped[:3]) + (f" and {len(skipped) - 3} more" if len(skipped) > 3 else "")
            warnings.append(f"hooks not run because this command's hook time budget of {self.budget:g} s ([hooks] time_budget "
                            f"in settings.toml) was used up: {shown}; the events stay recorded")
        return warnings

    def _run_one(self, root: str, name: str, payload: Mapping[str, Any], left: float) -> str | None:
        import subprocess
        import tempfile

        store = self.store
        seq = payload.get("seq")
        where = f"hooks/{name}"
        env = hook_env(root, name, store.now.isoformat(), store.settings.timezone)
        with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stderr:
            stdin.write(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8"))
            stdin.seek(0)
            try:
                proc = subprocess.Popen([os.path.join(root, "hooks", name)], stdin=stdin, stdout=subprocess.DEVNULL,
                                        stderr=stderr, cwd=root, env=env, start_new_session=True, close_fds=True)
            except OSError as err:
                return f"{where} could not run ({err.strerror}); event {seq} stays recorded"
            finished = wait_or_kill(proc, left, kill_leftovers=True)
            if not finished:
                return (f"{where} was stopped when this command's hook time budget of {self.budget:g} s ran out "
                        f"([hooks] time_budget in settings.toml); event {seq} stays recorded")
            if proc.returncode != 0:
                said = last_line(stderr)
                detail = f": {said}" if said else ""
                if proc.returncode < 0:  # ended by a signal, not an exit status
                    import signal

                    number = -proc.returncode
                    try:
                        name = signal.Signals(number).name
                    except ValueError:
                        name = f"signal {number}"
                    return f"{where} was killed by signal {number} ({name}){detail}; event {seq} stays recorded"
                return f"{where} failed with exit {proc.returncode}{detail}; event {seq} stays recorded"
        return None


class Replay:
    """One owner's packages folded again from their history, to know each
    package's state after each of this command's events (and, for the
    used-up and low-balance hooks, what each event changed)."""

    def __init__(self, store: Any, owner: str, seqs: set[int], transitions: bool,
                 events: list[dict[str, Any]] = ()) -> None:
        """``events``: the command's events; those the owner's view file does
        not hold yet (views written later, as ``notify`` does) are folded on."""
        import copy

        from ..domain.ledger import apply_to_client, empty_client_view
        from ..domain.notices import Rules, low_items

        now, tz = store.now, store.settings.tz
        rules = Rules.from_settings(store.settings.notices)
        self.states: dict[tuple[int, str], dict[str, Any]] = {}
        self.found: dict[tuple[int, str], list[dict[str, Any]]] = {}
        view = store.load_client_view(owner) or {"events": [], "seq": 0}
        history = list(view["events"]) + [e for e in events if e["seq"] > view.get("seq", 0) and owner in e.get("clients", ())]
        if not history:
            return
        working = empty_client_view(owner)
        for recorded in history:
            named = [cp for cp in _packages(recorded) if cp.rsplit(".p", 1)[0] == owner] if recorded["seq"] in seqs else []
            before: dict[str, Any] = {}
            if transitions:
                for cp in named:
                    pkg = working["packages"].get(cp)
                    before[cp] = (balances.status(pkg, now, tz), set(low_items(pkg, rules))) if pkg else None
            # as a view folds its events, keeping them: an undo folds the
            # client again from the events before it
            apply_to_client(working, copy.deepcopy(recorded))
            for cp in named:
                pkg = working["packages"].get(cp)
                if pkg is None:
                    continue
                state = package_state(pkg, now, tz)
                self.states[(recorded["seq"], cp)] = state
                if transitions:
                    self.found[(recorded["seq"], cp)] = _moments(recorded, pkg, state, before.get(cp), rules)

    def after(self, seq: int, cp: str) -> dict[str, Any] | None:
        return self.states.get((seq, cp))

    def moments(self, seq: int, cp: str) -> list[dict[str, Any]]:
        return self.found.get((seq, cp), [])


def _moments(event: Mapping[str, Any], pkg: Mapping[str, Any], state: Mapping[str, Any], before: Any, rules: Any) -> list[dict[str, Any]]:
    """The used-up and low-balance moments one event made for one package."""
    from ..domain.notices import low_items

    out: list[dict[str, Any]] = []
    was_status, was_low = before if before else ("", set())
    base = {"seq": event["seq"], "at": event.get("at"), "actor": event.get("actor"), "clients": [pkg["owner"]],
            "client_package": pkg["id"], "cause": event["type"]}
    if event.get("booking") and isinstance(event["booking"], str):
        base["booking"] = event["booking"]
    if (event["type"] in ("attended", "no-show", "cancelled") and state["status"] == "used up" and was_status != "used up"):
        out.append({"type": "used-up", **base, "package_state": dict(state)})
    for item, (free, limit) in sorted(low_items(pkg, rules).items()):
        if item not in was_low and state["status"] in ("active", "paused"):
            out.append({"type": "low-balance", **base, "item": item, "free": balances.plain(free),
                        "limit": balances.plain(limit), "package_state": dict(state)})
    return out
