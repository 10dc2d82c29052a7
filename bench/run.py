#!/usr/bin/env python3
"""Time sessionpack against the speed targets, in one run.

    .venv/bin/python bench/run.py              # from the repository root

First it installs the project the way a user would (``pip install`` of the
project's own files into a throwaway, regular, non-editable venv under
bench/out/, removed at the end): B0 is that venv's ``python -c pass`` and
every command runs through that venv's ``sessionpack`` script. An editable
install, like the development venv, adds an import finder to every Python
start-up and would flatter every ratio. ``python -c pass`` of the
interpreter the venv is made from, and of the system's ``/usr/bin/python3``,
are timed too, for reference.

It generates the reference practice (scale 1) and a tenth of it (scale 0.1)
into bench/out/ when they are missing, then times, as medians over
``--repeat`` runs after one warm-up run (``--only GROUPS`` for some of
them):

- B0 (sampled alongside every one-client measurement);
- the help of a command and the shell completion of ids;
- one-client commands: ``balance CLIENT``, ``history CLIENT``,
  ``book CLIENT SERVICE WHEN`` and ``sell CLIENT PACKAGE`` (the writes on a
  scratch copy, each run on a client no other run touched); their output
  goes to /dev/null, as in a script; for reference also through Typer
  (``SESSIONPACK_QUICK=0``) and ``history`` on a pseudo-terminal;
- whole-practice commands: ``balance`` (the full listing), ``check`` (the
  incremental one), ``check --full`` and ``check --rebuild``; every report
  (``report bookings`` for a week and ``--unmarked``, ``sales`` and
  ``usage`` for a month, ``outstanding``, ``expiring``, ``liability`` by
  month and by package over a year and ``--as-of``) and a ``statement`` of
  a heavy client;
- ``notify``: on a scratch copy delivering JSON lines to /dev/null, the
  first sweep over the whole history (timed once, reported apart), then a
  day's ``notify --dry-run`` and ``notify`` on each following day, the run
  after yesterday's (the target applies to these); and ``notify --dry-run``
  on the untouched practice, which lists every expiry of ten years;
- ``sell --csv`` of 10,000 rows (new clients, half of them imported
  balances; one commit, checked in the journal), the same file again (every
  row unchanged), ``undo --last`` of it ("wrong file") and the same file
  sold again after that undo (reported apart, with the size of the client
  views it leaves), its ``--dry-run``, and ``client add --csv`` of 10,000
  clients; with ``--bulk-existing`` also one sale for each existing client;
- ``hledger -f FILE bal`` on the same events written as a ledger, when
  hledger is installed or installable with apt-get.

Each line shows the median wall time, its ratio to B0, the CPU time, the
peak resident memory of the process (``wait4`` rusage: of the process and
of the largest of its children) and PASS/FAIL against the target.
``--profile`` also prints, for each hot command, where its start-up goes
(``python -X importtime``, the smallest of several runs).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

import generate  # noqa: E402

NOW = generate.NOW.strftime("%Y-%m-%dT%H:%M")
MIB = 1024 * 1024

# Targets (ratios to B0 measured in the same run; seconds and MiB).
READ_FACTOR = 4.0  # balance CLIENT, history CLIENT (piped)
WRITE_FACTOR = 5.0  # book, sell
HELP_FACTOR = 4.0  # --help of a command
COMPLETE_FACTOR = 3.0  # shell completion of ids
SCALE_TOLERANCE = 0.10  # one-client commands: scale 1 within 10% of scale 0.1
WHOLE_SECONDS = 1.0
WHOLE_MIB = 250
REPLAY_SECONDS = 10.0  # check --full, check --rebuild
REPLAY_MIB = 500
CSV_SECONDS = 3.0


# ---------------------------------------------------------------- the throwaway install


class Install:
    """The project installed with pip into a throwaway venv, as a user would."""

    def __init__(self, keep: bool = False) -> None:
        self.keep = keep
        self.root = tempfile.mkdtemp(prefix="install-", dir=OUT)
        self.venv = os.path.join(self.root, "venv")
        self.python = os.path.join(self.venv, "bin", "python")
        self.script = os.path.join(self.venv, "bin", "sessionpack")

    def make(self) -> None:
        """``python -m venv`` then ``pip install`` of a copy of the project's files
        (so no build leftovers land in the working tree)."""
        source = os.path.join(self.root, "source")
        os.makedirs(source)
        shutil.copytree(os.path.join(ROOT, "sessionpack"), os.path.join(source, "sessionpack"),
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(os.path.join(ROOT, name), source)
        shutil.copytree(os.path.join(ROOT, "bin"), os.path.join(source, "bin"))  # the command itself (script-files)
        base = getattr(sys, "_base_executable", sys.executable)
        started = time.perf_counter()
        subprocess.run([base, "-m", "venv", self.venv], check=True)
        done = subprocess.run([self.python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", source],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit("could not install the project with pip into a throwaway venv (see above)")
        print(f"installed with pip into a throwaway venv ({os.path.relpath(self.venv, ROOT)}, from {base}) "
              f"in {time.perf_counter() - started:.0f} s", flush=True)

    def versions(self) -> dict[str, str]:
        code = ("import importlib.metadata as m, json; "
                "print(json.dumps({n: m.version(n) for n in ('sessionpack', 'typer', 'rich')}))")
        return json.loads(subprocess.run([self.python, "-c", code], capture_output=True, text=True, check=True).stdout)

    def remove(self) -> None:
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)


INSTALL: Install | None = None


def sessionpack() -> list[str]:
    assert INSTALL is not None
    return [INSTALL.script]


def b0_argv() -> list[str]:
    assert INSTALL is not None
    return [INSTALL.python, "-c", "pass"]


# ---------------------------------------------------------------- running


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of every timed process: the user's, without sessionpack's
    variables, with Python's bytecode cache as pip left it (no
    PYTHONDONTWRITEBYTECODE or PYTHONPYCACHEPREFIX), a checkpoint cache of
    its own, and ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SESSIONPACK_") and k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "PYTHONPATH")}
    env["COLUMNS"] = "200"
    env["SESSIONPACK_CACHE_DIR"] = os.path.join(OUT, "cache")
    env.update(extra)
    return env


ENV = clean_env()


class Failed(Exception):
    pass


def run_once(argv: list[str], stdin: bytes | None = None, env: dict[str, str] | None = None,
             tty: bool = False) -> tuple[float, int, float]:
    """(wall seconds, peak RSS bytes, CPU seconds) of one process; Failed on a non-zero exit.

    Standard output goes to /dev/null (not a terminal: tables are plain text),
    or with ``tty`` to a pseudo-terminal, read and thrown away as it comes,
    so the process draws its tables as on a person's terminal.
    """
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as inp:
        if stdin is not None:
            inp.write(stdin)
            inp.seek(0)
        reader = None
        if tty:
            import pty
            import threading

            master, slave = pty.openpty()
            reader = threading.Thread(target=_drain, args=(master,), daemon=True)
            reader.start()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=inp if stdin is not None else subprocess.DEVNULL,
                                stdout=slave if tty else subprocess.DEVNULL, stderr=err, env=env or ENV, cwd=OUT)
        if tty:
            os.close(slave)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if reader is not None:
            reader.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            text = err.read().decode("utf-8", "replace").strip().splitlines()
            raise Failed(f"exit {proc.returncode}: {' '.join(argv[-4:])}: {text[-1] if text else ''}")
    return wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime  # Linux: ru_maxrss is in KiB


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:  # EIO once the process has exited and closed the terminal
        pass
    finally:
        os.close(fd)


SLOW = 5.0  # a command whose warm-up takes longer gets at most SLOW_RUNS timed runs
SLOW_RUNS = 3


def summarise(samples: list[tuple[float, int, float]]) -> dict[str, Any]:
    walls = [x[0] for x in samples]
    return {"median": statistics.median(walls), "min": min(walls), "max": max(walls), "rss": max(x[1] for x in samples),
            "cpu": statistics.median(x[2] for x in samples), "runs": len(samples), "samples": samples}


def measure(make_argv: Callable[[int], list[str]], repeat: int, warmup: int = 1, env: dict[str, str] | None = None,
            prepare: Callable[[], None] | None = None) -> dict[str, Any]:
    """Median wall time and peak RSS over ``repeat`` runs (after ``warmup``);
    ``prepare`` runs before each run, untimed."""
    for r in range(warmup):
        if prepare:
            prepare()
        if run_once(make_argv(-1 - r), env=env)[0] > SLOW:
            repeat = min(repeat, SLOW_RUNS)
    samples = []
    for r in range(repeat):
        if prepare:
            prepare()
        samples.append(run_once(make_argv(r), env=env))
    return summarise(samples)


def measure_interleaved(makers: dict[Any, Callable[[int], list[str]]], repeat: int, env: dict[str, str] | None = None,
                        b0: bool = True, tty: tuple[Any, ...] = (), envs: dict[Any, dict[str, str]] | None = None) -> dict[Any, dict[str, Any]]:
    """Like ``measure`` for several variants at once, their runs alternating
    (A B A B ...), so that load from other work falls on all of them alike.
    The variants named in ``tty`` write to a pseudo-terminal; ``envs`` gives
    some variants an environment of their own."""
    envs = envs or {}
    if b0:
        makers = dict(makers, B0=lambda r: b0_argv())  # B0 runs alongside, into B0_SAMPLES
    for key, make_argv in makers.items():
        run_once(make_argv(-1), env=envs.get(key, env), tty=key in tty)
    runs: dict[Any, list[tuple[float, int, float]]] = {key: [] for key in makers}
    for r in range(repeat):
        for key, make_argv in makers.items():
            runs[key].append(run_once(make_argv(r), env=envs.get(key, env), tty=key in tty))
    B0_SAMPLES.extend(runs.pop("B0", []))
    return {key: summarise(rs) for key, rs in runs.items()}


B0_SAMPLES: list[tuple[float, int, float]] = []


def sp(data: str, *args: str) -> list[str]:
    return [*sessionpack(), "--data-dir", data, "--now", NOW, "--actor", "bench", *args]


def help_text(*args: str) -> str:
    proc = subprocess.run([*sessionpack(), *args, "--help"], capture_output=True, text=True, env=ENV)
    return proc.stdout


def has_command(name: str) -> bool:
    lines = help_text().splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip().startswith("Commands"))
    except StopIteration:
        return False
    return any(line.split()[:1] == [name] for line in lines[start + 1:])


def completion(data: str, words: str) -> tuple[list[str], dict[str, str]]:
    """The argv and environment of a bash completion request for ``words``."""
    env = clean_env(_SESSIONPACK_COMPLETE="complete_bash", COMP_WORDS=f"sessionpack --data-dir {data} {words}",
                    COMP_CWORD=str(len(words.split()) + 2))
    return sessionpack(), env


# ---------------------------------------------------------------- data


def dataset(scale: float) -> str:
    path = os.path.join(OUT, f"scale-{scale:g}")
    if not os.path.isdir(path):
        print(f"generating scale {scale:g} into {os.path.relpath(path, ROOT)} ...", flush=True)
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), "--scale", f"{scale:g}", "--out", path], check=True, cwd=ROOT)
    if not os.path.exists(os.path.join(path, "cache", "parsed.json")):
        # A practice in use has the memo of its TOML files, left by the first
        # command that recorded something (data generated by older code lacks it).
        assert INSTALL is not None
        subprocess.run([INSTALL.python, "-c", f"from sessionpack.storage.parsed import make; make({path!r})"], check=True, cwd=OUT)
        print(f"scale {scale:g}: made the memo of its TOML files (cache/parsed.json), as a recording command would")
    return path


def meta(scale: float) -> dict[str, Any]:
    try:
        with open(os.path.join(OUT, f"scale-{scale:g}.meta.json"), encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {}


def scratch_copy(src: str, name: str = "scratch") -> str:
    """A copy for write commands (``src.NAME``): files hard-linked, the
    journal really copied.

    Every file of a data directory but the journal is only ever replaced by
    rename (``fsio.atomic_write``) or created anew, never written in place,
    so links are safe; the journal is appended to, so it gets its own copy.
    """
    dst = f"{src}.{name}"
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst, copy_function=os.link)
    journal = os.path.join(dst, "journal.jsonl")
    os.unlink(journal)
    shutil.copy2(os.path.join(src, "journal.jsonl"), journal)
    # Its own lock file: a linked one is the original's inode, so a command on
    # the copy would wait for (or block) a command on the original.
    lock = os.path.join(dst, "lock")
    os.unlink(lock)
    os.close(os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    # Write the copy out now: otherwise the first timed fsync of the journal
    # pays for flushing the whole copy (hundreds of MiB at scale 1).
    fd = os.open(journal, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.sync()
    return dst


def ledger_file(data: str) -> str:
    """The journal's events as an hledger journal (one account per client package)."""
    path = data + ".ledger"
    journal = os.path.join(data, "journal.jsonl")
    if os.path.exists(path) and os.path.getmtime(path) >= os.path.getmtime(journal):
        return path
    units = {"count": "SESSION", "minutes": "MIN", "money": "EUR", "unlimited": "VISIT"}
    draws: dict[str, tuple[str, str, Any]] = {}  # booking -> (account, unit, amount)
    out = []
    with open(journal, "rb") as handle:
        handle.readline()
        for raw in handle:
            e = json.loads(raw)
            kind, day = e["type"], e["at"][:10]
            if kind == "sold":
                cp = e["client_package"]
                owner, number = cp.rsplit(".", 1)
                contents = e["terms"]["contents"]
                if "sessions" in contents:
                    amount, unit = sum(int(n) for n in contents["sessions"].values() if n != "unlimited"), "SESSION"
                else:
                    unit = units[contents["pool"]]
                    amount = contents.get("amount") or 0
                out.append(f"{day} sold {cp} {e['terms']['id']}\n    clients:{owner}:{number}  {amount} {unit}\n    sold:{e['terms']['id']}\n\n")
            elif kind == "booked":
                b = e["booking"]
                if b.get("draw"):
                    owner, number = b["package"].rsplit(".", 1)
                    key = b["draw"]["key"]
                    unit = units.get(key, "SESSION")
                    account = f"clients:{owner}:{number}"
                    draws[b["id"]] = (account, unit, b["draw"]["amount"])
                    out.append(f"{day} booked {b['id']}\n    {account}  -{b['draw']['amount']} {unit}\n    scheduled:{owner}\n\n")
            elif kind in ("attended", "no-show", "cancelled") and e["booking"] in draws:
                account, unit, amount = draws[e["booking"]]
                owner = account.split(":")[1]
                outcome = e.get("outcome")
                if kind == "attended":
                    out.append(f"{day} attended {e['booking']}\n    used:{owner}  {amount} {unit}\n    scheduled:{owner}\n\n")
                elif outcome == "return":
                    out.append(f"{day} {kind} {e['booking']} returned\n    {account}  {amount} {unit}\n    scheduled:{owner}\n\n")
                elif outcome == "charge":
                    back = f"{float(amount) - float(e['kept']):.2f}"
                    out.append(f"{day} {kind} {e['booking']} charged\n    {account}  {back} {unit}\n    forfeited:{owner}  {e['kept']} {unit}\n    scheduled:{owner}\n\n")
                else:
                    out.append(f"{day} {kind} {e['booking']} forfeited\n    forfeited:{owner}  {amount} {unit}\n    scheduled:{owner}\n\n")
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        handle.writelines(out)
    os.replace(path + ".tmp", path)
    return path


def attempt(timed: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A measurement, or {"error": ...} when the command fails (the run goes on:
    e.g. ``check`` finds problems in data generated by older code)."""
    try:
        return timed()
    except Failed as err:
        print(f"failed: {err}", flush=True)
        return {"error": str(err)}


BULK_ROWS = 10_000


def bulk_files(data: str, scale: float) -> dict[str, str]:
    """The CSV files of the bulk runs (written next to the data, once).

    - ``moving``: 10,000 clients brought from another system, one row each
      (``--create-clients``): every other row a sale here (five-massages),
      the others an imported balance of physio-10 (what was left, the
      original sale date);
    - ``clients``: the same 10,000 clients for ``client add --csv``;
    - ``existing``: one five-massages sale for each of the practice's own
      clients (10,000 rows at scale 1).
    """
    n = generate.counts(scale)["clients"]
    paths = {name: f"{data}.bulk-{name}.csv" for name in ("moving", "clients", "existing")}
    with open(paths["moving"], "w", encoding="utf-8") as handle:
        handle.write("client,package,ref,date,remaining,name,email\n")
        for i in range(BULK_ROWS):
            if i % 2:
                handle.write(f"moved-{i},physio-10,bench-move-{i},2026-09-01,{1 + i % 9},Moved Client {i},moved{i}@example.com\n")
            else:
                handle.write(f"moved-{i},five-massages,bench-move-{i},,,Moved Client {i},moved{i}@example.com\n")
    with open(paths["clients"], "w", encoding="utf-8") as handle:
        handle.write("id,name,email\n")
        handle.writelines(f"moved-{i},Moved Client {i},moved{i}@example.com\n" for i in range(BULK_ROWS))
    with open(paths["existing"], "w", encoding="utf-8") as handle:
        handle.write("client,package,ref\n")
        handle.writelines(f"{generate.client_id(i % n)},five-massages,bench-{i}\n" for i in range(BULK_ROWS))
    return paths


def journal_tail(data: str, offset: int) -> list[dict[str, Any]]:
    """The time stamp, 'more' mark, type and number of clients named of each event after ``offset``. Only
    these are kept: the events of a file of 10,000 sales held whole made
    this process some 200 MiB, and a child forked from it then reports that
    much as its own peak (Linux carries the peak over fork and exec)."""
    with open(os.path.join(data, "journal.jsonl"), "rb") as handle:
        handle.seek(offset)
        out = []
        for line in handle:
            event = json.loads(line)
            out.append({"at": event["at"], "more": event.get("more", False), "type": event.get("type"),
                        "clients": len(event.get("clients", []))})
        return out


def tree_bytes(folder: str) -> int:
    """The bytes of the files under ``folder``."""
    return sum(os.path.getsize(os.path.join(top, name)) for top, _, names in os.walk(folder) for name in names)


def one_commit(events: list[dict[str, Any]]) -> bool:
    """All the events of one command: one time stamp, every one but the last marked 'more'."""
    return bool(events) and len({e["at"] for e in events}) == 1 and all(e.get("more") for e in events[:-1]) and not events[-1].get("more")


def bulk(data: str, scale: float, runs: int, existing: bool) -> dict[str, dict[str, Any]]:
    """``sell --csv`` and ``client add --csv`` of 10,000 rows, each real run on
    a fresh scratch copy; its re-run (every row unchanged) on the same copy;
    ``--dry-run`` on the data itself (it writes nothing)."""
    files = bulk_files(data, scale)
    samples: dict[str, list[tuple[float, int, float]]] = {"sell": [], "rerun": [], "undo": [], "again": [], "dry": [], "clients": []}
    notes: dict[str, str] = {}
    out: dict[str, dict[str, Any]] = {}
    # The scratch copies are deleted at the end, not after each run: ext4
    # passes over the inodes freed in the last minutes when it makes new
    # ones, so a run right after deleting the last copy's 20,000 new files
    # spent up to 2 s more in the kernel than one on a file system at rest.
    made: list[str] = []
    try:
        # Every file of sales first, each on its own fresh copy, one after the
        # other, then the files of clients: the undo and the sales again,
        # last, rewrite 10,000 client views each and so free tens of
        # thousands of inodes, and a run making 10,000 files after that
        # spent seconds more in the kernel.
        # One more copy for a warm-up run (untimed), as every other group has
        # one: the first run after a pause spent 0.5-1.4 s more in the kernel
        # than the runs right after it, reading nothing from the disk (the
        # memory it touches first, on this virtual machine).
        copies = []
        for run in range(runs + 1):
            copies.append(scratch_copy(data, f"scratch-sell-{run}"))
            made.append(copies[-1])
        client_copies = []
        for run in range(runs):
            client_copies.append(scratch_copy(data, f"scratch-clients-{run}"))
            made.append(client_copies[-1])
        run_once(sp(copies.pop(0), "sell", "--csv", files["moving"], "--create-clients"))
        for scratch in copies:
            offset = os.path.getsize(os.path.join(scratch, "journal.jsonl"))
            samples["sell"].append(run_once(sp(scratch, "sell", "--csv", files["moving"], "--create-clients")))
            events = journal_tail(scratch, offset)
            notes["sell"] = (f"one commit of {len(events):,} events" if one_commit(events) else "NOT one commit")
        for scratch in copies:
            offset = os.path.getsize(os.path.join(scratch, "journal.jsonl"))
            samples["rerun"].append(run_once(sp(scratch, "sell", "--csv", files["moving"], "--create-clients")))
            notes["rerun"] = "nothing recorded" if not journal_tail(scratch, offset) else "RECORDED SOMETHING"
            samples["dry"].append(run_once(sp(data, "sell", "--csv", files["moving"], "--create-clients", "--dry-run")))
        for scratch in client_copies:
            samples["clients"].append(run_once(sp(scratch, "client", "add", "--csv", files["clients"])))
        for scratch in copies:
            # "Wrong file": the whole file taken back in one undo, then sold again.
            offset = os.path.getsize(os.path.join(scratch, "journal.jsonl"))
            samples["undo"].append(run_once(sp(scratch, "undo", "--last", "--reason", "wrong file", "--yes")))
            events = journal_tail(scratch, offset)
            notes["undo"] = (f"one event naming {events[0]['clients']:,} clients" if len(events) == 1 and
                             events[0]["type"] == "undone" else "NOT one undo")
            offset = os.path.getsize(os.path.join(scratch, "journal.jsonl"))
            samples["again"].append(run_once(sp(scratch, "sell", "--csv", files["moving"], "--create-clients")))
            events = journal_tail(scratch, offset)
            notes["again"] = (f"one commit of {len(events):,} events" if one_commit(events) else "NOT one commit")
            notes["again"] += f"; client views {tree_bytes(os.path.join(scratch, 'views', 'clients')) / 2**20:,.0f} MiB"
    except Failed as err:
        return {"error": {"error": str(err)}}
    finally:
        for scratch in made:
            shutil.rmtree(scratch, ignore_errors=True)
    for key, rows in samples.items():
        if rows:
            out[key] = dict(summarise(rows), note=notes.get(key, ""))
    if existing:
        scratch = scratch_copy(data)
        try:
            offset = os.path.getsize(os.path.join(scratch, "journal.jsonl"))
            out["existing"] = dict(summarise([run_once(sp(scratch, "sell", "--csv", files["existing"]))]))
            events = journal_tail(scratch, offset)
            out["existing"]["note"] = f"one commit of {len(events):,} events" if one_commit(events) else "NOT one commit"
        except Failed as err:
            out["existing"] = {"error": str(err)}
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return out


BULK_LABELS = {
    "sell": "sell --csv: 10,000 rows, new clients (half imported)",
    "rerun": "sell --csv again: 10,000 rows unchanged",
    "undo": "undo --last of that file (10,000 new clients)",
    "again": "sell --csv of the same file after its undo",
    "dry": "sell --csv --dry-run: 10,000 rows",
    "clients": "client add --csv: 10,000 clients",
    "existing": "sell --csv: 10,000 rows, one per existing client",
}


def notify_days(data: str, scale: float, repeat: int) -> dict[str, Any]:
    """``notify`` on a scratch copy with JSON-lines delivery (to /dev/null):
    the first sweep over the whole history at --now (timed once), then one
    run a day after it, each "the run after yesterday's": a day's
    ``notify --dry-run`` and ``notify``, with a few bookings recorded in
    between (untimed) so that every run has a day's events to look at. The
    first day after the sweep is a warm-up."""
    from datetime import timedelta

    scratch = scratch_copy(data)
    out: dict[str, Any] = {}
    try:
        # A new file, not an append: the copy's files are hard links to the originals.
        settings = os.path.join(scratch, "settings.toml")
        with open(settings, encoding="utf-8") as handle:
            text = handle.read()
        os.unlink(settings)
        with open(settings, "w", encoding="utf-8") as handle:
            if re.search(r'(?m)^\[delivery\]', text):  # init writes the table, with method = "none"
                text = re.sub(r'(?m)^(\[delivery\][^\n]*\n(?:[^\[\n][^\n]*\n|\n)*?)method = "[a-z]*"', r'\1method = "jsonl"', text, count=1)
            else:
                text += '\n[delivery]\nmethod = "jsonl"\n'
            handle.write(text)
        out["first"] = summarise([run_once(sp(scratch, "notify", "--quiet"))])
        after_first = os.path.getsize(os.path.join(scratch, "journal.jsonl"))
        clients = generate.sample_clients(scale, generate.TYPICAL, 3 * (repeat + 1))
        dry, real = [], []
        for day in range(1, repeat + 2):
            when = (generate.NOW + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M")
            for n, client in enumerate(clients[3 * (day - 1): 3 * day]):
                start = (generate.NOW + timedelta(days=day + 3, hours=n)).strftime("%Y-%m-%dT%H:%M")
                subprocess.run([*sessionpack(), "--data-dir", scratch, "--now", when, "--actor", "bench", "book", client, "massage-60", start,
                                "--allow-overlap"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
            at = [*sessionpack(), "--data-dir", scratch, "--now", when, "--actor", "bench"]
            d = run_once([*at, "notify", "--dry-run"])
            r = run_once([*at, "notify", "--quiet"])
            if day > 1:
                dry.append(d)
                real.append(r)
        out["dry"], out["run"] = summarise(dry), summarise(real)
        # After the sweep and a few days of notices: the expiring report, whose
        # notice column reads the outbox and the owners' histories.
        at = [*sessionpack(), "--data-dir", scratch, "--now", when, "--actor", "bench"]
        out["expiring"] = summarise([run_once([*at, "report", "expiring"]) for _ in range(repeat)])
        with open(os.path.join(scratch, "journal.jsonl"), "rb") as handle:
            handle.seek(after_first)
            sent = sum(1 for line in handle if b'"type":"notice-sent"' in line)
        out["notices_per_day"] = sent / (repeat + 1)
    except Failed as err:
        out["error"] = str(err)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return out


def hledger() -> str | None:
    """hledger on PATH, else one try at installing the Debian package."""
    found = shutil.which("hledger")
    if found:
        return found
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("hledger is not on PATH; trying 'apt-get install -y hledger' once ...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        subprocess.run(["apt-get", "install", "-y", "hledger"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        return shutil.which("hledger")
    return None


# ---------------------------------------------------------------- the machine


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "?")
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kib = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
            mem = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    assert INSTALL is not None
    versions = INSTALL.versions()
    python = subprocess.run([INSTALL.python, "-c", "import platform; print(platform.python_version())"],
                            capture_output=True, text=True).stdout.strip()
    return {
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"), "nproc": str(os.cpu_count()), "cpu": cpu, "memory": mem,
        "os": f"{platform.system()} {platform.release()}", "python": python or platform.python_version(),
        "sessionpack": versions.get("sessionpack", "?"), "typer": versions.get("typer", "?"), "rich": versions.get("rich", "?"),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# ---------------------------------------------------------------- the import profile


def import_profile(argv: list[str], env: dict[str, str], runs: int = 5) -> list[tuple[int, int, str]]:
    """(cumulative us, self us, module) of the top-level imports of ``argv``
    (a ``sessionpack`` command), the smallest of ``runs`` runs of
    ``python -X importtime`` each, largest first."""
    import re

    assert INSTALL is not None
    best: dict[str, tuple[int, int]] = {}
    order: list[str] = []
    for _ in range(runs):
        done = subprocess.run([INSTALL.python, "-X", "importtime", *argv], capture_output=True, text=True, env=env, cwd=OUT)
        for line in done.stderr.splitlines():
            found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)$", line)
            if not found or len(found.group(3)) > 2:
                continue
            name = ("  " if found.group(3) else "") + found.group(4)
            own, cumulative = int(found.group(1)), int(found.group(2))
            if name not in best:
                order.append(name)
                best[name] = (cumulative, own)
            else:
                best[name] = (min(best[name][0], cumulative), min(best[name][1], own))
    return [(best[name][0], best[name][1], name) for name in order]


def print_profile(label: str, argv: list[str], env: dict[str, str], b0_ms: float) -> None:
    rows = import_profile(argv, env)
    top = [row for row in rows if not row[2].startswith(" ")]
    total = sum(row[0] for row in top)
    print(f"\nimport profile of {label} (python -X importtime, smallest of 5 runs; B0 {b0_ms:.1f} ms):")
    print(f"  all imports after start-up: {total / 1000:.1f} ms ({total / 1000 / b0_ms:.2f} x B0)")
    for cumulative, own, name in sorted(rows, key=lambda r: -r[0])[:14]:
        print(f"  {cumulative / 1000:6.1f} ms  {name.strip()}{'  (inside the one above it)' if name.startswith(' ') else ''}")


# ---------------------------------------------------------------- the run


class Table:
    def __init__(self, b0: float) -> None:
        self.b0 = b0
        self.rows: list[tuple[str, ...]] = []
        self.results: list[dict[str, Any]] = []

    def add(self, scale: str, label: str, m: dict[str, Any] | None, target: str, ok: bool | None, note: str = "") -> None:
        if m is None:
            self.rows.append((scale, label, "-", "-", "-", "-", target, note or "n/a"))
            self.results.append({"scale": scale, "command": label, "target": target, "result": note or "n/a"})
            return
        if "error" in m:
            self.rows.append((scale, label, "-", "-", "-", "-", target, f"error: {m['error']}"))
            self.results.append({"scale": scale, "command": label, "target": target, "result": "error", "note": m["error"]})
            return
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        self.rows.append((scale, label, f"{m['median'] * 1000:.0f} ms", f"{m['median'] / self.b0:.1f}", f"{m['cpu'] * 1000:.0f} ms",
                          f"{m['rss'] / MIB:.0f}", target, (verdict + (" " + note if note else "")).strip()))
        self.results.append({"scale": scale, "command": label, "median_s": round(m["median"], 4), "min_s": round(m["min"], 4),
                             "max_s": round(m["max"], 4), "cpu_s": round(m["cpu"], 4), "x_b0": round(m["median"] / self.b0, 2), "peak_mib": round(m["rss"] / MIB, 1),
                             "target": target, "result": verdict, "note": note,
                             "samples_s": [round(x[0], 4) for x in m.get("samples", [])]})

    def ratio(self, scale: str, label: str, m: dict[str, Any], factor: float, small: dict[str, Any] | None = None) -> None:
        """A row with a target of ``factor`` x B0 (and, given the same command
        on the smaller data, within SCALE_TOLERANCE of it)."""
        fast = m["median"] <= factor * self.b0
        target = f"<= {factor:g} x B0"
        if small is None:
            self.add(scale, label, m, target, fast)
            return
        flat = abs(m["median"] - small["median"]) <= SCALE_TOLERANCE * small["median"]
        note = f"(x B0 {'ok' if fast else 'over'}; {(m['median'] / small['median'] - 1) * 100:+.0f}% vs the tenth {'ok' if flat else 'over'})"
        self.add(scale, label, m, target + ", within 10% of the tenth", fast and flat, note)

    def limit(self, scale: str, label: str, m: dict[str, Any], seconds: float, mib: int, note: str = "") -> None:
        target = f"<= {seconds:g} s, <= {mib} MiB"
        if "error" in m:
            self.add(scale, label, m, target, None)
            return
        self.add(scale, label, m, target, m["median"] <= seconds and m["rss"] <= mib * MIB, note)

    def render(self) -> str:
        head = ("scale", "command", "median", "x B0", "CPU", "peak MiB", "target", "result")
        widths = [max(len(r[i]) for r in [head, *self.rows]) for i in range(len(head))]
        line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
        sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
        return "\n".join([line(head), sep, *(line(r) for r in self.rows)])


def reports_to_time(scale: float) -> list[tuple[str, list[str]]]:
    """(label, arguments) of the reports and the statement timed: a week of
    the agenda, a month of sales and usage, a year of liability by month
    (the last complete year before --now), and the others as they come."""
    client = generate.sample_clients(scale, generate.HEAVY, 1)
    found = [
        ("report bookings (a week)", ["report", "bookings"]),
        ("report bookings --unmarked", ["report", "bookings", "--unmarked"]),
        ("report sales (a month)", ["report", "sales", "--from", "2026-10-01", "--to", "2026-10-31"]),
        ("report usage (a month)", ["report", "usage", "--from", "2026-10-01", "--to", "2026-10-31"]),
        ("report outstanding", ["report", "outstanding"]),
        ("report expiring", ["report", "expiring"]),
        ("report liability --by month (a year)", ["report", "liability", "--by", "month", "--from", "2025-11-01", "--to", "2026-10-31"]),
        ("report liability --by package (a year)", ["report", "liability", "--by", "package", "--from", "2025-11-01", "--to", "2026-10-31"]),
        ("report liability --as-of", ["report", "liability", "--as-of", "2026-10-31"]),
    ]
    if client:
        found.append(("statement CLIENT", ["statement", client[0]]))
    return found if has_command("report") else []


GROUPS = ("startup", "one-client", "whole", "notify", "reports", "bulk", "replay", "hledger")


# One-client commands: (key, label, the arguments for run r, whether it writes, target factor).
# Their runs alternate between the scales; the writes run on scratch copies,
# each run on a client no other run touched.
def one_client_rows(client: str, booked: list[str], sold: list[str]) -> list[tuple[str, str, Callable[[int], list[str]], bool, float]]:
    return [
        ("balance", "balance CLIENT", lambda r: ["balance", client], False, READ_FACTOR),
        ("history", "history CLIENT", lambda r: ["history", client], False, READ_FACTOR),
        # Every run books the same hour for another client: --allow-overlap, so that
        # each still reads the calendar around it (rule 21 of docs/rules.md) and records.
        ("book", "book CLIENT SERVICE WHEN", lambda r: ["book", booked[r], "massage-60", "2026-11-27T10:00", "--allow-overlap"], True,
         WRITE_FACTOR),
        ("sell", "sell CLIENT PACKAGE", lambda r: ["sell", sold[r], "five-massages"], True, WRITE_FACTOR),
    ]


def main(argv: list[str] | None = None) -> int:
    global INSTALL
    parser = argparse.ArgumentParser(description="Time sessionpack against its speed targets.")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per command (median; default 7)")
    parser.add_argument("--scales", default="1,0.1", help="comma-separated; the first is the reference (default 1,0.1)")
    parser.add_argument("--replay-repeat", type=int, default=3, help="timed runs of check --full and check --rebuild (default 3)")
    parser.add_argument("--hledger-repeat", type=int, default=3, help="timed runs of hledger bal (default 3)")
    parser.add_argument("--no-hledger", action="store_true", help="skip the hledger comparison")
    parser.add_argument("--no-install", action="store_true", help="do not try to apt-get install hledger")
    parser.add_argument("--no-replay", action="store_true", help="skip check --full and check --rebuild")
    parser.add_argument("--profile", action="store_true", help="print where the start-up of each hot command goes")
    parser.add_argument("--keep-venv", action="store_true", help="keep the throwaway venv (printed) after the run")
    parser.add_argument("--bulk-only", action="store_true", help="time only the CSV commands (sell --csv, client add --csv)")
    parser.add_argument("--only", default="", metavar="GROUPS",
                        help="time only these groups, comma-separated: " + ", ".join(GROUPS) + " (default: all)")
    parser.add_argument("--bulk-existing", action="store_true",
                        help="also time sell --csv of one row per existing client (slow: rewrites every client's view)")
    args = parser.parse_args(argv)
    args.groups = set(GROUPS) if not args.only else {g.strip() for g in args.only.split(",")}
    if args.bulk_only:
        args.groups = {"bulk"}
    unknown = args.groups - set(GROUPS)
    if unknown:
        parser.error(f"--only: unknown group(s) {', '.join(sorted(unknown))}; use {', '.join(GROUPS)}")
    if args.no_replay:
        args.groups.discard("replay")
    if args.no_hledger:
        args.groups.discard("hledger")
    scales = [float(s) for s in args.scales.split(",")]
    repeat = max(1, args.repeat)
    os.makedirs(OUT, exist_ok=True)
    INSTALL = Install(keep=args.keep_venv)
    try:
        INSTALL.make()
        return run_bench(args, scales, repeat)
    finally:
        INSTALL.remove()


def run_bench(args: Any, scales: list[float], repeat: int) -> int:
    assert INSTALL is not None
    info = machine()
    print(f"{info['date']}; machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']}, {info['os']}; Python {info['python']}, "
          f"sessionpack {info['sessionpack']}, typer {info['typer']}, rich {info['rich']}; load average {info['load']}")
    print(f"medians of {repeat} runs after 1 warm-up; --now {NOW}; other work on this machine makes the numbers noisy")
    print(f"sessionpack runs as: {os.path.relpath(INSTALL.script, ROOT)} (regular install); B0 = {os.path.relpath(INSTALL.python, ROOT)} -c pass")
    paths = {s: dataset(s) for s in scales}
    for s in scales:
        m = meta(s)
        if m:
            print(f"scale {s:g}: {m['clients']} clients, {m['packages']} client packages, {m['bookings']} bookings, "
                  f"{m['stats']['events']} events, journal {m['stats']['journal_bytes'] / MIB:.0f} MiB")
    reference = scales[0]
    data = paths[reference]

    # Start-up: B0 is sampled here and again alongside every one-client
    # measurement; its median over all samples is the B0 of the run.
    base = getattr(sys, "_base_executable", sys.executable)  # the interpreter the throwaway venv is made from
    system = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else None
    heavy_client = generate.sample_clients(reference, generate.HEAVY, 1)[0]
    prefix = heavy_client[: len(heavy_client) - 3]
    complete_argv, complete_env = completion(data, f"balance {prefix}")
    package_argv, package_env = completion(data, f"history {heavy_client}.p")
    startup_rows = {
        "python3 -c pass (the interpreter itself, no venv; for reference)": (lambda r: [base, "-c", "pass"], None, None),
        "/usr/bin/python3 -c pass (the system's; for reference)": (lambda r: [system, "-c", "pass"], None, None),
        "sessionpack --help (Typer, for reference)": (lambda r: [*sessionpack(), "--help"], None, None),
        "sessionpack balance --help": (lambda r: [*sessionpack(), "balance", "--help"], None, HELP_FACTOR),
        "sessionpack book --help": (lambda r: [*sessionpack(), "book", "--help"], None, HELP_FACTOR),
        "completion of a client id (bash)": (lambda r: complete_argv, complete_env, COMPLETE_FACTOR),
        "completion of a client package id (bash)": (lambda r: package_argv, package_env, COMPLETE_FACTOR),
    }
    if system is None:
        del startup_rows["/usr/bin/python3 -c pass (the system's; for reference)"]
    if "startup" not in args.groups:
        startup_rows = {k: v for k, v in startup_rows.items() if "-c pass" in k}
    startup = measure_interleaved({k: v[0] for k, v in startup_rows.items()}, max(repeat, 11),
                                  envs={k: v[1] for k, v in startup_rows.items() if v[1] is not None})

    notify = has_command("notify")
    csv_bulk = "--csv" in help_text("sell")
    one_client: dict[tuple[float, str], dict[str, Any]] = {}
    whole: dict[tuple[float, str], dict[str, Any]] = {}
    usable = []
    heavy: dict[float, list[str]] = {}
    for s in scales:
        heavy[s] = generate.sample_clients(s, generate.HEAVY, 2 * repeat + 3)
        if len(heavy[s]) < 2 * repeat + 3:
            print(f"scale {s:g} has too few clients for the one-client runs; skipped")
        else:
            usable.append(s)
    rows: list[tuple[str, str, Callable[[int], list[str]], bool, float]] = []
    if usable and "one-client" in args.groups:
        client = heavy[usable[0]][0]
        rows = one_client_rows(client, heavy[usable[0]][1: repeat + 2], heavy[usable[0]][repeat + 2: 2 * repeat + 3])
        scratch = {s: scratch_copy(paths[s]) for s in usable}
        try:
            for key, _, args_of, writes, _ in rows:
                where = scratch if writes else paths
                for s, m in measure_interleaved({s: (lambda r, s=s, f=args_of: sp(where[s], *f(r))) for s in usable}, repeat).items():
                    one_client[(s, key)] = m
        finally:
            for path in scratch.values():
                shutil.rmtree(path, ignore_errors=True)
        if reference in usable:
            typer_env = clean_env(SESSIONPACK_QUICK="0")
            one_client[(reference, "balance-typer")] = measure_interleaved(
                {0: lambda r: sp(data, "balance", client)}, repeat, env=typer_env, b0=False)[0]
            one_client[(reference, "history-tty")] = measure_interleaved(
                {"tty": lambda r: sp(data, "history", client)}, repeat, tty=("tty",))["tty"]
    bulk_runs: dict[float, dict[str, dict[str, Any]]] = {}
    for s in scales:
        here = paths[s]
        if csv_bulk and "bulk" in args.groups:
            bulk_runs[s] = bulk(here, s, min(repeat, 3), args.bulk_existing and s == reference)
        if "whole" in args.groups:
            whole[(s, "balance")] = attempt(lambda: measure(lambda r: sp(here, "balance"), repeat))
            whole[(s, "check")] = attempt(lambda: measure(lambda r: sp(here, "check"), repeat))
        if notify and "notify" in args.groups:
            whole[(s, "notify --dry-run before the first sweep")] = attempt(lambda: measure(lambda r: sp(here, "notify", "--dry-run"), min(repeat, 3)))
            days = notify_days(here, s, repeat)
            if "error" in days:
                print(f"notify days failed: {days['error']}", flush=True)
                whole[(s, "notify --dry-run")] = whole[(s, "notify")] = days
            else:
                whole[(s, "notify first sweep")] = days["first"]
                whole[(s, "notify --dry-run")] = days["dry"]
                whole[(s, "notify")] = days["run"]
                whole[(s, "report expiring, after notify's sweep")] = days["expiring"]
                print(f"notify, scale {s:g}: about {days['notices_per_day']:.0f} notices sent a day after the first sweep", flush=True)
        for label, report_args in (reports_to_time(s) if "reports" in args.groups else []):
            whole[(s, label)] = attempt(lambda a=report_args: measure(lambda r: sp(here, *a), repeat))
    replay: dict[str, dict[str, Any]] = {}
    if "replay" in args.groups:
        runs = max(1, args.replay_repeat)
        replay["check --full"] = attempt(lambda: measure(lambda r: sp(data, "check", "--full"), runs, warmup=0))
        replay["check --full, one process"] = attempt(lambda: measure(
            lambda r: sp(data, "check", "--full"), runs, warmup=0, env=clean_env(SESSIONPACK_REPLAY_WORKERS="1")))
        copy = data + ".rebuild"
        replay["check --rebuild"] = attempt(lambda: measure(
            lambda r: sp(copy, "check", "--rebuild"), runs, warmup=0, prepare=lambda: _fresh_copy(data, copy)))
        replay["check --rebuild, every view deleted first"] = attempt(lambda: measure(
            lambda r: sp(copy, "check", "--rebuild"), 1, warmup=0, prepare=lambda: _fresh_copy(data, copy, views=False)))
        shutil.rmtree(copy, ignore_errors=True)

    b0 = summarise(B0_SAMPLES)
    table = Table(b0["median"])
    table.add("-", "B0: python -c pass (regular install)", b0, "", None, f"({b0['runs']} runs)")
    for name, m in startup.items():
        factor = startup_rows[name][2]
        if factor is None:
            table.add("-", name, m, "(for reference)", None)
        else:
            table.ratio("1" if "completion" in name else "-", name, m, factor)
    for s in scales:
        label = f"{s:g}"
        small = scales[1] if s == reference and len(scales) > 1 else None
        for key, text, _, _, factor in rows:
            m = one_client.get((s, key))
            if m is not None:
                table.ratio(label, text, m, factor, one_client.get((small, key)) if small is not None else None)
        if (s, "balance-typer") in one_client:
            table.add(label, "balance CLIENT through Typer (SESSIONPACK_QUICK=0)", one_client[(s, "balance-typer")], "(for reference)", None)
        if (s, "history-tty") in one_client:
            table.add(label, "history CLIENT on a terminal (Rich table)", one_client[(s, "history-tty")], "(for reference)", None)
        for key, text in (("balance", "balance (all clients)"), ("check", "check (incremental)"),
                          ("notify --dry-run", "notify --dry-run, a day after the last run"),
                          ("notify", "notify (JSON lines), a day after the last run"),
                          ("report expiring, after notify's sweep", "report expiring, after notify's sweep")):
            if key.startswith("notify") and not notify:
                table.add(label, text, None, f"<= {WHOLE_SECONDS:g} s, <= {WHOLE_MIB} MiB", None, "notify: not built yet")
                continue
            m = whole.get((s, key))
            if m is not None:
                table.limit(label, text, m, WHOLE_SECONDS, WHOLE_MIB, "" if s == reference else "(reference is scale 1)")
        for key, _ in reports_to_time(s):
            m = whole.get((s, key))
            if m is not None:
                table.limit(label, key, m, WHOLE_SECONDS, WHOLE_MIB, "" if s == reference else "(reference is scale 1)")
        for key, text in (("notify first sweep", "notify: the first sweep over the whole history"),
                          ("notify --dry-run before the first sweep", "notify --dry-run before the first sweep")):
            m = whole.get((s, key))
            if m is not None and "error" not in m:
                table.add(label, text, m, "(reported apart)", None, f"({m['runs']} run{'s' if m['runs'] > 1 else ''})")
            elif m is not None:
                table.add(label, text, None, "(reported apart)", None, f"error: {m['error']}")
        if not csv_bulk:
            table.add(label, "sell --csv (10,000 rows)", None, f"<= {CSV_SECONDS:g} s, one commit", None, "sell --csv: not built yet")
        for key, m in bulk_runs.get(s, {}).items():
            name = BULK_LABELS.get(key, "sell --csv (10,000 rows)")
            target = f"<= {CSV_SECONDS:g} s, one commit" if key in ("sell", "existing") else f"<= {CSV_SECONDS:g} s"
            if key in ("undo", "again"):
                target = "(reported apart)"
            if "error" in m:
                table.add(label, name, None, target, None, f"error: {m['error']}")
                continue
            if key in ("undo", "again"):
                bad = m.get("note", "").startswith("NOT")
                table.add(label, name, m, target, False if bad else None, f"{m.get('note', '')} ({m['runs']} run{'s' if m['runs'] != 1 else ''})")
                continue
            fine = m["median"] <= CSV_SECONDS and not m.get("note", "").startswith(("NOT", "RECORDED"))
            notes = [m.get("note", "")] + ([f"({m['runs']} run{'s' if m['runs'] != 1 else ''})"])
            table.add(label, name, m, target, fine, " ".join(n for n in notes if n))
        if s == reference:
            for name, m in replay.items():
                if "," in name:
                    table.add(label, name, m, "(for reference)", None)
                else:
                    table.limit(label, name, m, REPLAY_SECONDS, REPLAY_MIB, f"({m.get('runs', 0)} runs)" if "runs" in m else "")

    if not csv_bulk:
        print("sell --csv: not built yet")
    if not notify:
        print("notify: not built yet")

    if "hledger" in args.groups:
        exe = hledger() if not args.no_install else shutil.which("hledger")
        if exe is None:
            print("hledger: not on PATH and not installable here; comparison skipped")
        else:
            version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
            for s in scales:
                if "median" not in whole.get((s, "balance"), {}):
                    continue
                started = time.perf_counter()
                path = ledger_file(paths[s])
                made = time.perf_counter() - started
                size = os.path.getsize(path) / MIB
                try:
                    m = measure(lambda r: [exe, "-f", path, "bal"], max(1, args.hledger_repeat), warmup=0)
                except Failed as err:
                    print(f"hledger failed on scale {s:g}: {err}")
                    continue
                ours = whole[(s, "balance")]["median"]
                table.add(f"{s:g}", f"hledger -f LEDGER bal ({size:.0f} MiB)", m, "(comparison)", None,
                          f"ours/hledger = {ours / m['median']:.3f}")
                print(f"hledger ({version}), scale {s:g}: ledger written in {made:.1f} s; our full balance listing takes "
                      f"{ours / m['median']:.3f} x hledger's bal time")

    print()
    print(f"B0 = {b0['median'] * 1000:.1f} ms ({os.path.relpath(INSTALL.python, ROOT)} -c pass, regular install); "
          f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(table.render())
    if args.profile:
        client = heavy[reference][0] if reference in usable else heavy_client
        for label, argv_ in (("balance CLIENT", sp(data, "balance", client)), ("history CLIENT", sp(data, "history", client)),
                             ("book --help", [*sessionpack(), "book", "--help"])):
            print_profile(label, argv_, ENV, b0["median"] * 1000)
        print_profile("completion of a client id", complete_argv, complete_env, b0["median"] * 1000)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    with open(os.path.join(OUT, f"results-{stamp}.json"), "w", encoding="utf-8") as handle:
        json.dump({"machine": info, "repeat": repeat, "b0_s": b0["median"], "rows": table.results}, handle, indent=2)
    return 0


def _fresh_copy(src: str, dst: str, views: bool = True) -> None:
    """``dst``: a copy of the practice ``src`` (files hard-linked; the views
    are only ever replaced, never written in place), or without its views."""
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst, copy_function=os.link, ignore=None if views else shutil.ignore_patterns("clients", "open", "codes", "*.json"))
    if not views:
        for folder in ("views", os.path.join("views", "clients")):
            os.makedirs(os.path.join(dst, folder), mode=0o700, exist_ok=True)
    os.sync()


if __name__ == "__main__":
    sys.exit(main())
