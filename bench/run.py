#!/usr/bin/env python3
"""Time sessionpack against the the speed targets targets, in one run.

    .venv/bin/python bench/run.py              # from the repository root

Generates the reference practice (scale 1) and a tenth of it (scale 0.1)
into bench/out/ when they are missing, then times, as medians over
``--repeat`` runs after one warm-up run:

- B0: ``python3 -c pass`` with the interpreter sessionpack runs on;
- one-client commands: ``balance CLIENT``, ``history CLIENT``,
  ``book CLIENT SERVICE WHEN`` and ``sell CLIENT PACKAGE`` (the writes run
  on a scratch copy of the data directory, each run on a client no other
  run touched, so the runs are alike); their output goes to /dev/null, as
  in a script, so tables are plain text; ``history CLIENT`` is also timed
  on a pseudo-terminal (Rich draws the table there), for reference;
- whole-practice commands: ``balance`` (the full listing) and ``check``;
  every report (``report bookings`` for a week and ``--unmarked``,
  ``sales`` and ``usage`` for a month, ``outstanding``, ``expiring``,
  ``liability`` by month and by package over a year and ``--as-of``) and a
  ``statement`` of a heavy client;
- ``notify``: on a scratch copy delivering JSON lines to /dev/null, the
  first sweep over the whole history (timed once, reported apart), then a
  day's ``notify --dry-run`` and ``notify`` on each following day, the run
  after yesterday's (the target applies to these); and ``notify --dry-run``
  on the untouched practice, which lists every expiry of ten years;
- ``sell --csv`` of 10,000 rows (new clients, half of them imported
  balances; one commit, checked in the journal), the same file again (every
  row unchanged), its ``--dry-run``, and ``client add --csv`` of 10,000
  clients; with ``--bulk-existing`` also one sale for each existing client;
- ``hledger -f FILE bal`` on the same events written as a ledger, when
  hledger is installed or installable with apt-get.

Each line shows the median wall time, its ratio to B0, the peak resident
memory of the process (``wait4`` rusage of that child alone) and PASS/FAIL
against the target. Only the project's own code and public tools are used.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
BIN = os.path.dirname(os.path.abspath(sys.executable))
# The console script when the project is installed in this environment (what a
# user runs), else ``python -m sessionpack`` from the repository root.
_SCRIPT = os.path.join(BIN, "sessionpack")
SESSIONPACK = [_SCRIPT] if os.path.exists(_SCRIPT) else [sys.executable, "-m", "sessionpack"]
MIB = 1024 * 1024

ONE_CLIENT_FACTOR = 5.0  # x B0
SCALE_TOLERANCE = 0.10  # scale 1 within 10% of scale 0.1
WHOLE_SECONDS = 1.0
WHOLE_MIB = 250
CSV_SECONDS = 3.0


# ---------------------------------------------------------------- running


def clean_env(bytecode_cache: bool = True) -> dict[str, str]:
    """The environment of every timed process.

    With ``bytecode_cache`` (the default, as on a user's machine, where pip
    writes .pyc files), compiled modules are cached under bench/out/pycache
    (PYTHONPYCACHEPREFIX), so the source tree gets no __pycache__ and a
    PYTHONDONTWRITEBYTECODE=1 in the caller's environment does not make
    every run recompile sessionpack from source.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESSIONPACK_")}
    env["COLUMNS"] = "200"
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(OUT, "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
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
                                stdout=slave if tty else subprocess.DEVNULL, stderr=err, env=env or ENV, cwd=ROOT)
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


def measure(make_argv: Callable[[int], list[str]], repeat: int, warmup: int = 1, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Median wall time and peak RSS over ``repeat`` runs (after ``warmup``)."""
    for r in range(warmup):
        if run_once(make_argv(-1 - r), env=env)[0] > SLOW:
            repeat = min(repeat, SLOW_RUNS)
    walls, rss, cpus = [], [], []
    for r in range(repeat):
        wall, peak, cpu = run_once(make_argv(r), env=env)
        walls.append(wall)
        rss.append(peak)
        cpus.append(cpu)
    return {"median": statistics.median(walls), "min": min(walls), "max": max(walls), "rss": max(rss),
            "cpu": statistics.median(cpus), "runs": len(walls), "samples": list(zip(walls, rss, cpus))}


def summarise(samples: list[tuple[float, int, float]]) -> dict[str, Any]:
    walls = [x[0] for x in samples]
    return {"median": statistics.median(walls), "min": min(walls), "max": max(walls), "rss": max(x[1] for x in samples),
            "cpu": statistics.median(x[2] for x in samples), "runs": len(samples), "samples": samples}


B0_ARGV = [sys.executable, "-c", "pass"]


def measure_interleaved(makers: dict[Any, Callable[[int], list[str]]], repeat: int, env: dict[str, str] | None = None,
                        b0: bool = True, tty: tuple[Any, ...] = ()) -> dict[Any, dict[str, Any]]:
    """Like ``measure`` for several variants at once, their runs alternating
    (A B A B ...), so that load from other work falls on all of them alike.
    The variants named in ``tty`` write to a pseudo-terminal."""
    if b0:
        makers = dict(makers, B0=lambda r: B0_ARGV)  # B0 runs alongside, into B0_SAMPLES
    for key, make_argv in makers.items():
        run_once(make_argv(-1), env=env, tty=key in tty)
    runs: dict[Any, list[tuple[float, int, float]]] = {key: [] for key in makers}
    for r in range(repeat):
        for key, make_argv in makers.items():
            runs[key].append(run_once(make_argv(r), env=env, tty=key in tty))
    B0_SAMPLES.extend(runs.pop("B0", []))
    return {key: summarise(rs) for key, rs in runs.items()}


B0_SAMPLES: list[tuple[float, int, float]] = []


def sp(data: str, *args: str) -> list[str]:
    return [*SESSIONPACK, "--data-dir", data, "--now", NOW, "--actor", "bench", *args]


def help_text(*args: str) -> str:
    proc = subprocess.run([*SESSIONPACK, *args, "--help"], capture_output=True, text=True, env=ENV)
    return proc.stdout


def has_command(name: str) -> bool:
    lines = help_text().splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip().startswith("Commands"))
    except StopIteration:
        return False
    return any(line.split()[:1] == [name] for line in lines[start + 1:])


# ---------------------------------------------------------------- data


def dataset(scale: float) -> str:
    path = os.path.join(OUT, f"scale-{scale:g}")
    if not os.path.isdir(path):
        print(f"generating scale {scale:g} into {os.path.relpath(path, ROOT)} ...", flush=True)
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), "--scale", f"{scale:g}", "--out", path], check=True, cwd=ROOT)
    return path


def meta(scale: float) -> dict[str, Any]:
    try:
        with open(os.path.join(OUT, f"scale-{scale:g}.meta.json"), encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {}


def scratch_copy(src: str) -> str:
    """A copy for write commands: files hard-linked, the journal really copied.

    Every file of a data directory but the journal is only ever replaced by
    rename (``fsio.atomic_write``) or created anew, never written in place,
    so links are safe; the journal is appended to, so it gets its own copy.
    """
    dst = src + ".scratch"
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
    """The time stamp and 'more' mark of each event after ``offset``. Only
    these are kept: the events of a file of 10,000 sales held whole made
    this process some 200 MiB, and a child forked from it then reports that
    much as its own peak (Linux carries the peak over fork and exec)."""
    with open(os.path.join(data, "journal.jsonl"), "rb") as handle:
        handle.seek(offset)
        out = []
        for line in handle:
            event = json.loads(line)
            out.append({"at": event["at"], "more": event.get("more", False)})
        return out


def one_commit(events: list[dict[str, Any]]) -> bool:
    """All the events of one command: one time stamp, every one but the last marked 'more'."""
    return bool(events) and len({e["at"] for e in events}) == 1 and all(e.get("more") for e in events[:-1]) and not events[-1].get("more")


def bulk(data: str, scale: float, runs: int, existing: bool) -> dict[str, dict[str, Any]]:
    """``sell --csv`` and ``client add --csv`` of 10,000 rows, each real run on
    a fresh scratch copy; its re-run (every row unchanged) on the same copy;
    ``--dry-run`` on the data itself (it writes nothing)."""
    files = bulk_files(data, scale)
    samples: dict[str, list[tuple[float, int, float]]] = {"sell": [], "rerun": [], "dry": [], "clients": []}
    notes: dict[str, str] = {}
    out: dict[str, dict[str, Any]] = {}
    try:
        for _ in range(runs):
            scratch = scratch_copy(data)
            try:
                offset = os.path.getsize(os.path.join(scratch, "journal.jsonl"))
                samples["sell"].append(run_once(sp(scratch, "sell", "--csv", files["moving"], "--create-clients")))
                events = journal_tail(scratch, offset)
                notes["sell"] = (f"one commit of {len(events):,} events" if one_commit(events) else "NOT one commit")
                offset = os.path.getsize(os.path.join(scratch, "journal.jsonl"))
                samples["rerun"].append(run_once(sp(scratch, "sell", "--csv", files["moving"], "--create-clients")))
                notes["rerun"] = "nothing recorded" if not journal_tail(scratch, offset) else "RECORDED SOMETHING"
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            scratch = scratch_copy(data)
            try:
                samples["clients"].append(run_once(sp(scratch, "client", "add", "--csv", files["clients"])))
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            samples["dry"].append(run_once(sp(data, "sell", "--csv", files["moving"], "--create-clients", "--dry-run")))
    except Failed as err:
        return {"error": {"error": str(err)}}
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
            handle.write(text + '\n[delivery]\nmethod = "jsonl"\n')
        out["first"] = summarise([run_once(sp(scratch, "notify", "--quiet"))])
        after_first = os.path.getsize(os.path.join(scratch, "journal.jsonl"))
        clients = generate.sample_clients(scale, generate.TYPICAL, 3 * (repeat + 1))
        dry, real = [], []
        for day in range(1, repeat + 2):
            when = (generate.NOW + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M")
            for n, client in enumerate(clients[3 * (day - 1): 3 * day]):
                start = (generate.NOW + timedelta(days=day + 3, hours=n)).strftime("%Y-%m-%dT%H:%M")
                subprocess.run([*SESSIONPACK, "--data-dir", scratch, "--now", when, "--actor", "bench", "book", client, "massage-60", start,
                                "--allow-overlap"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
            at = [*SESSIONPACK, "--data-dir", scratch, "--now", when, "--actor", "bench"]
            d = run_once([*at, "notify", "--dry-run"])
            r = run_once([*at, "notify", "--quiet"])
            if day > 1:
                dry.append(d)
                real.append(r)
        out["dry"], out["run"] = summarise(dry), summarise(real)
        # After the sweep and a few days of notices: the expiring report, whose
        # notice column reads the outbox and the owners' histories.
        at = [*SESSIONPACK, "--data-dir", scratch, "--now", when, "--actor", "bench"]
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
    versions = subprocess.run([sys.executable, "-c", "import importlib.metadata as m; print(m.version('typer'), m.version('rich'), m.version('pydantic') if any(d.metadata['Name']=='pydantic' for d in m.distributions()) else '-')"],
                              capture_output=True, text=True).stdout.split()
    return {
        "nproc": str(os.cpu_count()), "cpu": cpu, "memory": mem, "python": platform.python_version(),
        "typer": versions[0] if versions else "?", "rich": versions[1] if len(versions) > 1 else "?",
        "pydantic": versions[2] if len(versions) > 2 else "?", "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


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
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        self.rows.append((scale, label, f"{m['median'] * 1000:.0f} ms", f"{m['median'] / self.b0:.1f}", f"{m['cpu'] * 1000:.0f} ms",
                          f"{m['rss'] / MIB:.0f}", target, (verdict + (" " + note if note else "")).strip()))
        self.results.append({"scale": scale, "command": label, "median_s": round(m["median"], 4), "min_s": round(m["min"], 4),
                             "max_s": round(m["max"], 4), "cpu_s": round(m["cpu"], 4), "x_b0": round(m["median"] / self.b0, 2), "peak_mib": round(m["rss"] / MIB, 1),
                             "target": target, "result": verdict, "note": note,
                             "samples_s": [round(x[0], 4) for x in m.get("samples", [])]})

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time sessionpack against the the speed targets targets.")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per command (median; default 7)")
    parser.add_argument("--scales", default="1,0.1", help="comma-separated; the first is the reference (default 1,0.1)")
    parser.add_argument("--hledger-repeat", type=int, default=3, help="timed runs of hledger bal (default 3)")
    parser.add_argument("--no-hledger", action="store_true", help="skip the hledger comparison")
    parser.add_argument("--no-install", action="store_true", help="do not try to apt-get install hledger")
    parser.add_argument("--bulk-only", action="store_true", help="time only the CSV commands (sell --csv, client add --csv)")
    parser.add_argument("--bulk-existing", action="store_true",
                        help="also time sell --csv of one row per existing client (slow: rewrites every client's view)")
    args = parser.parse_args(argv)
    scales = [float(s) for s in args.scales.split(",")]
    repeat = max(1, args.repeat)

    info = machine()
    print(f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']}; Python {info['python']}, "
          f"typer {info['typer']}, rich {info['rich']}, pydantic {info['pydantic']}; load average {info['load']}")
    print(f"medians of {repeat} runs after 1 warm-up; --now {NOW}; other work on this machine makes the numbers noisy")
    print(f"sessionpack runs as: {' '.join(SESSIONPACK)}")
    paths = {s: dataset(s) for s in scales}
    for s in scales:
        m = meta(s)
        if m:
            print(f"scale {s:g}: {m['clients']} clients, {m['packages']} client packages, {m['bookings']} bookings, "
                  f"{m['stats']['events']} events, journal {m['stats']['journal_bytes'] / MIB:.0f} MiB (generated in {m['seconds']['total']} s)")

    # B0 is sampled here and again alongside every one-client measurement;
    # its median over all samples is the B0 of the run.
    startup = measure_interleaved({
        "python -c 'import sessionpack.cli.app'": lambda r: [sys.executable, "-c", "import sessionpack.cli.app"],
        "sessionpack --help": lambda r: [*SESSIONPACK, "--help"],
        "python3 -S -c pass (no site-packages)": lambda r: [sys.executable, "-S", "-c", "pass"],
    }, max(repeat, 11))

    notify = has_command("notify")
    csv_bulk = "--csv" in help_text("sell")
    one_client: dict[tuple[float, str], dict[str, Any]] = {}
    whole: dict[tuple[float, str], dict[str, Any]] = {}
    reference = scales[0]
    # One-client commands: every scale's runs alternate, on the same clients
    # (client i has the same history at every scale). Writes go to scratch
    # copies, each run on a client no other run touched.
    usable = []
    heavy: dict[float, list[str]] = {}
    for s in scales:
        heavy[s] = generate.sample_clients(s, generate.HEAVY, 2 * repeat + 3)
        if len(heavy[s]) < 2 * repeat + 3:
            print(f"scale {s:g} has too few clients for the one-client runs; skipped")
        else:
            usable.append(s)
    if usable and not args.bulk_only:
        client = heavy[usable[0]][0]
        booked = heavy[usable[0]][1: repeat + 2]
        sold = heavy[usable[0]][repeat + 2: 2 * repeat + 3]
        for cmd, args_of in (("balance", lambda r: ["balance", client]), ("history", lambda r: ["history", client])):
            for s, m in measure_interleaved({s: (lambda r, s=s, f=args_of: sp(paths[s], *f(r))) for s in usable}, repeat).items():
                one_client[(s, cmd)] = m
        if reference in usable:
            one_client[(reference, "balance-nocache")] = measure_interleaved(
                {0: lambda r: sp(paths[reference], "balance", client)}, repeat, env=clean_env(bytecode_cache=False), b0=False)[0]
            one_client[(reference, "history-tty")] = measure_interleaved(
                {"tty": lambda r: sp(paths[reference], "history", client)}, repeat, tty=("tty",))["tty"]
        scratch = {s: scratch_copy(paths[s]) for s in usable}
        try:
            # Every run books the same hour for another client: --allow-overlap, so that
            # each still reads the calendar around it (rule 21 of docs/rules.md) and records.
            for cmd, args_of in (("book", lambda r: ["book", booked[r], "massage-60", "2026-11-27T10:00", "--allow-overlap"]),
                                 ("sell", lambda r: ["sell", sold[r], "five-massages"])):
                for s, m in measure_interleaved({s: (lambda r, s=s, f=args_of: sp(scratch[s], *f(r))) for s in usable}, repeat).items():
                    one_client[(s, cmd)] = m
        finally:
            for path in scratch.values():
                shutil.rmtree(path, ignore_errors=True)
    bulk_runs: dict[float, dict[str, dict[str, Any]]] = {}
    for s in scales:
        data = paths[s]
        if csv_bulk:
            bulk_runs[s] = bulk(data, s, min(repeat, 3), args.bulk_existing and s == reference)
        if args.bulk_only:
            continue
        whole[(s, "balance")] = attempt(lambda: measure(lambda r: sp(data, "balance"), repeat))
        whole[(s, "check")] = attempt(lambda: measure(lambda r: sp(data, "check"), repeat))
        if notify:
            whole[(s, "notify --dry-run before the first sweep")] = attempt(lambda: measure(lambda r: sp(data, "notify", "--dry-run"), min(repeat, 3)))
            days = notify_days(data, s, repeat)
            if "error" in days:
                print(f"notify days failed: {days['error']}", flush=True)
                whole[(s, "notify --dry-run")] = whole[(s, "notify")] = days
            else:
                whole[(s, "notify first sweep")] = days["first"]
                whole[(s, "notify --dry-run")] = days["dry"]
                whole[(s, "notify")] = days["run"]
                whole[(s, "report expiring, after notify's sweep")] = days["expiring"]
                print(f"notify, scale {s:g}: about {days['notices_per_day']:.0f} notices sent a day after the first sweep", flush=True)
        for label, report_args in reports_to_time(s):
            whole[(s, label)] = attempt(lambda a=report_args: measure(lambda r: sp(data, *a), repeat))

    b0 = summarise(B0_SAMPLES)
    table = Table(b0["median"])
    table.add("-", "B0: python3 -c pass", b0, "", None, f"({b0['runs']} runs)")
    for name, m in startup.items():
        table.add("-", name, m, "(for reference)" if "-S" in name else "(start-up)", None)
    for s in scales:
        label = f"{s:g}"
        if (s, "balance-nocache") in one_client:
            table.add(label, "balance CLIENT, no .pyc (recompiled each run)", one_client[(s, "balance-nocache")], "(for reference)", None)
        if (s, "history-tty") in one_client:
            table.add(label, "history CLIENT on a terminal (Rich table)", one_client[(s, "history-tty")], "(for reference)", None)
        for cmd in ("balance", "history", "book", "sell"):
            m = one_client.get((s, cmd))
            if m is None:
                continue
            argv = {"balance": "balance CLIENT", "history": "history CLIENT", "book": "book CLIENT SERVICE WHEN", "sell": "sell CLIENT PACKAGE"}[cmd]
            fast = m["median"] <= ONE_CLIENT_FACTOR * b0["median"]
            if s == reference and len(scales) > 1 and (scales[1], cmd) in one_client:
                small = one_client[(scales[1], cmd)]["median"]
                flat = abs(m["median"] - small) <= SCALE_TOLERANCE * small
                note = (f"(x B0 {'ok' if fast else 'over'}; {(m['median'] / small - 1) * 100:+.0f}% vs {scales[1]:g} "
                        f"{'ok' if flat else 'over'})")
                table.add(label, argv, m, "<= 5 x B0, within 10% of 0.1", fast and flat, note)
            else:
                table.add(label, argv, m, "<= 5 x B0", fast)
        for cmd, argv in (("balance", "balance (all clients)"), ("check", "check"),
                          ("notify --dry-run", "notify --dry-run, a day after the last run"),
                          ("notify", "notify (JSON lines), a day after the last run"),
                          ("report expiring, after notify's sweep", "report expiring, after notify's sweep")):
            m = whole.get((s, cmd))
            if cmd.startswith("notify") and not notify:
                table.add(label, argv, None, "<= 1 s, <= 250 MiB", None, "notify: not built yet")
                continue
            if m is None:
                continue
            if "error" in m:
                table.add(label, argv, None, "<= 1 s, <= 250 MiB", None, f"error: {m['error']}")
                continue
            ok = m["median"] <= WHOLE_SECONDS and m["rss"] <= WHOLE_MIB * MIB
            notes = [] if s == reference else ["(reference is scale 1)"]
            if m["runs"] < repeat:
                notes.append(f"({m['runs']} runs)")
            table.add(label, argv, m, "<= 1 s, <= 250 MiB", ok, " ".join(notes))
        for cmd, _ in reports_to_time(s):
            m = whole.get((s, cmd))
            if m is None:
                continue
            if "error" in m:
                table.add(label, cmd, None, "<= 1 s, <= 250 MiB", None, f"error: {m['error']}")
                continue
            ok = m["median"] <= WHOLE_SECONDS and m["rss"] <= WHOLE_MIB * MIB
            table.add(label, cmd, m, "<= 1 s, <= 250 MiB", ok, "" if s == reference else "(reference is scale 1)")
        for cmd, argv in (("notify first sweep", "notify: the first sweep over the whole history"),
                          ("notify --dry-run before the first sweep", "notify --dry-run before the first sweep")):
            m = whole.get((s, cmd))
            if m is not None and "error" not in m:
                table.add(label, argv, m, "(reported apart)", None, f"({m['runs']} run{'s' if m['runs'] > 1 else ''})")
            elif m is not None:
                table.add(label, argv, None, "(reported apart)", None, f"error: {m['error']}")
        if not csv_bulk:
            table.add(label, "sell --csv (10,000 rows)", None, "<= 3 s, one commit", None, "sell --csv: not built yet")
        for key, m in bulk_runs.get(s, {}).items():
            name = BULK_LABELS.get(key, "sell --csv (10,000 rows)")
            target = "<= 3 s, one commit" if key in ("sell", "existing") else "<= 3 s"
            if "error" in m:
                table.add(label, name, None, target, None, f"error: {m['error']}")
                continue
            fine = m["median"] <= CSV_SECONDS and not m.get("note", "").startswith(("NOT", "RECORDED"))
            notes = [m.get("note", "")] + ([f"({m['runs']} run{'s' if m['runs'] != 1 else ''})"])
            table.add(label, name, m, target, fine, " ".join(n for n in notes if n))

    if not csv_bulk:
        print("sell --csv: not built yet")
    if not notify:
        print("notify: not built yet")

    if not args.no_hledger:
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
    shown = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(ROOT + os.sep) else sys.executable
    print(f"B0 = {b0['median'] * 1000:.1f} ms ({shown} -c pass); load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(table.render())
    os.makedirs(OUT, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    with open(os.path.join(OUT, f"results-{stamp}.json"), "w", encoding="utf-8") as handle:
        json.dump({"machine": info, "repeat": repeat, "b0_s": b0["median"], "rows": table.results}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
