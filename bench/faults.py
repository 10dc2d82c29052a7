#!/usr/bin/env python3
"""The fault matrix: what sessionpack's reliability claims rest on, as figures.

    .venv/bin/python bench/faults.py                  # from the repository root
    .venv/bin/python bench/faults.py --quick          # a small slice (seconds)

It builds a throwaway practice under a temporary directory and runs, with
real processes:

1. concurrency: N writers for T seconds, each in a loop of real
   ``sessionpack`` processes that sell, book (racing for the last sessions of
   one shared package) and add clients, while readers list balances; then it
   counts lost acknowledged commands (a command that printed its id whose
   event is not in the journal or not in the views), overbooked packages
   (more drawn than held) and ``check`` problems;
2. kills: writers killed with SIGKILL at random moments (K kills, two
   writers at a time), then the same counts; and files of 400 sales to new
   clients, each on a fresh copy and shared with a second process (which
   writes the views' files meanwhile), killed at random moments: a file
   recorded in part, a staging folder left after the next writer, or a
   ``check --full`` problem is counted;
3. full disks: a view write failing after the journal commit (a 2 MiB tmpfs
   filled to the brim when run as root, else the injected failure of the
   test suite) must exit 0 with the right output; a journal write that does
   not fit (tmpfs, else the file-size limit) must be refused with exit 3 and
   change nothing;
4. fuzzing: the property tests of every parser and of every option, file
   and view, run with ``--fuzz`` examples per test (pytest, hypothesis);
5. user text: terminal escapes, spreadsheet formulas and symbolic links
   (their tests, run through pytest);
6. a torn tail: 100 MiB of garbage with no newline after the journal's last
   line, the seconds a reader takes to see it and a writer to move it aside.

It prints one table with the date, the machine and the command, and saves
the figures in ``bench/out/faults-*.json``. Nothing here is timed against a
target: the figures are counts, and the wall time of each part for
reference.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
NOW = "2026-11-20T09:00"
SHARED_SESSIONS = 5


def env(extra: dict[str, str] | None = None) -> dict[str, str]:
    found = {k: v for k, v in os.environ.items() if not k.startswith("SESSIONPACK_")}
    found["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, found.get("PYTHONPATH", "")) if p)
    found["SESSIONPACK_NOW"] = NOW
    found["SESSIONPACK_LOCK_TIMEOUT"] = "120"
    found["SESSIONPACK_CACHE_DIR"] = os.path.join(tempfile.gettempdir(), "sessionpack-faults-cache")
    found.update(extra or {})
    return found


def sp(root: str, *args: str, extra: dict[str, str] | None = None, timeout: float = 300,
       preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sessionpack", "--data-dir", root, *args], capture_output=True, text=True,
                          env=env(extra), timeout=timeout, preexec_fn=preexec)


def must(result: subprocess.CompletedProcess[str]) -> str:
    if result.returncode != 0:
        raise SystemExit(f"setup failed: {result.args[-6:]}: {result.stderr.strip()}")
    return result.stdout


def make_practice(root: str, clients: int) -> None:
    must(sp(root, "init", "--name", "Fault Studio", "--currency", "EUR", "--timezone", "Europe/Lisbon"))
    must(sp(root, "service", "add", "massage", "--name", "Massage 60", "--duration", "60", "--price", "90"))
    must(sp(root, "package", "create", "ten", "--name", "10 massages", "--service", "massage=10", "--price", "800"))
    must(sp(root, "package", "create", "few", "--name", f"{SHARED_SESSIONS} massages", "--service",
            f"massage={SHARED_SESSIONS}", "--price", "400"))
    must(sp(root, "client", "add", "race", "--name", "Race Client"))
    must(sp(root, "sell", "race", "few"))
    for number in range(clients):
        must(sp(root, "client", "add", f"c{number}", "--name", f"Client {number}"))


# -- what the data directory holds -------------------------------------------------------------


def journal_events(root: str) -> list[dict[str, Any]]:
    with open(os.path.join(root, "journal.jsonl"), "rb") as handle:
        lines = handle.read().splitlines()
    events = []
    for line in lines[1:]:
        try:
            events.append(json.loads(line))
        except ValueError:
            break  # a torn tail: not recorded
    return events


def recorded_ids(root: str) -> set[str]:
    """Every client package, booking and client the journal records."""
    found: set[str] = set()
    for event in journal_events(root):
        for key in ("client_package", "booking"):
            if isinstance(event.get(key), str):
                found.add(event[key])
        if isinstance(event.get("booking"), dict) and isinstance(event["booking"].get("id"), str):
            found.add(event["booking"]["id"])
        if event.get("type") == "client-added":
            found.add(event["client"]["id"])
    return found


def audit(root: str, acknowledged: set[str]) -> dict[str, int]:
    """Lost acknowledged commands, overbooked packages and check problems,
    after one writer brings the views up to date."""
    sp(root, "client", "add", f"audit-{random.randrange(10**9)}", "--name", "Audit")  # a writer: repairs first
    in_journal = recorded_ids(root)
    seen_by_views = set()
    listed = json.loads(sp(root, "client", "list", "--format", "json").stdout or "[]")
    clients = [row["id"] for row in listed]
    overbooked = 0
    for client in clients:
        shown = sp(root, "balance", client, "--format", "json")
        for row in json.loads(shown.stdout or "[]"):
            seen_by_views.add(row["id"])
            for value in (row.get("remaining") or {}).values():
                if isinstance(value, int) and value < 0:
                    overbooked += 1
        history = sp(root, "history", client, "--format", "json")
        for row in json.loads(history.stdout or "[]"):
            for key in ("booking", "client_package"):
                if isinstance(row.get(key), str):
                    seen_by_views.add(row[key])
        seen_by_views.add(client)
    lost_journal = len(acknowledged - in_journal)
    lost_views = len({a for a in acknowledged if ".b" not in a} - seen_by_views)
    checked = sp(root, "check", "--full", "--format", "json")
    problems = len(json.loads(checked.stdout or "[]")) if checked.stdout.strip().startswith("[") else 1
    race = json.loads(sp(root, "balance", "race", "--format", "json").stdout)[0]
    drawn = SHARED_SESSIONS - race["remaining"]["massage"]
    return {"lost": lost_journal + lost_views, "overbooked": overbooked + (drawn > SHARED_SESSIONS),
            "check_problems": problems if checked.returncode else 0}


# -- 1. concurrency ----------------------------------------------------------------------------------

ID_RE = re.compile(r'"id": "([a-z0-9.-]+)"')


def writer_command(worker: int, step: int, clients: int) -> list[str]:
    kind = step % 4
    client = f"c{(worker * 7 + step) % clients}"
    hour = 8 + (step % 10)
    day = 1 + (worker * 31 + step) % 28
    if kind == 0:
        return ["sell", client, "ten", "--format", "json"]
    if kind == 1:
        return ["book", "race", "massage", f"2027-0{1 + worker % 9}-{day:02d}T{hour:02d}:{(step * 7) % 60:02d}",
                "--require-package", "--allow-overlap", "--format", "json"]
    if kind == 2:
        return ["client", "add", f"w{worker}-{step}-{random.randrange(10**6)}", "--name", f"Writer {worker}", "--format", "json"]
    return ["book", client, "massage", f"2027-1{worker % 3}-{day:02d}T{hour:02d}:00", "--allow-overlap", "--format", "json"]


def acknowledged_ids(args: list[str], stdout: str) -> set[str]:
    if args[0] == "client":
        return {args[2]} if stdout.strip() else set()
    return set(ID_RE.findall(stdout))


def concurrency(root: str, writers: int, seconds: float, clients: int) -> dict[str, Any]:
    acknowledged: set[str] = set()
    counts = {"commands": 0, "acknowledged": 0, "refused": 0, "internal_errors": 0, "reads": 0}
    guard = threading.Lock()
    stop = time.monotonic() + seconds

    def work(worker: int) -> None:
        step = 0
        while time.monotonic() < stop:
            args = writer_command(worker, step, clients)
            step += 1
            result = sp(root, *_known(args))
            with guard:
                counts["commands"] += 1
                if result.returncode == 0:
                    counts["acknowledged"] += 1
                    acknowledged.update(acknowledged_ids(args, result.stdout))
                elif result.returncode == 70:
                    counts["internal_errors"] += 1
                else:
                    counts["refused"] += 1

    def read() -> None:
        while time.monotonic() < stop:
            result = sp(root, "balance", "race", "--format", "json")
            with guard:
                counts["reads"] += 1
                if result.returncode == 70:
                    counts["internal_errors"] += 1

    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)] + [threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {**counts, **audit(root, acknowledged)}


def _known(args: list[str]) -> list[str]:
    """Drop options this version does not have (the matrix runs on older versions too)."""
    return [a for a in args if a != "--allow-overlap" or _HAS_ALLOW_OVERLAP]


_HAS_ALLOW_OVERLAP = False


# -- 2. kills ------------------------------------------------------------------------------------------


def kills(root: str, count: int, clients: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    acknowledged: set[str] = set()
    counts = {"kills": 0, "finished_first": 0, "internal_errors": 0}
    # Kill anywhere from start-up to the end of a typical command, so that
    # kills land in the commit and view writes as well as before them.
    durations = []
    for number in range(3):
        started = time.monotonic()
        sp(root, "sell", f"c{number}", "ten")
        durations.append(time.monotonic() - started)
    typical = sorted(durations)[1]
    step = 0
    while counts["kills"] < count:
        batch = []
        for worker in range(2):
            args = writer_command(worker, step, clients)
            step += 1
            proc = subprocess.Popen([sys.executable, "-m", "sessionpack", "--data-dir", root, *_known(args)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
            batch.append((args, proc, rng.uniform(0.3 * typical, 1.3 * typical)))
        start = time.monotonic()
        for args, proc, delay in batch:
            time.sleep(max(0.0, start + delay - time.monotonic()))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                counts["kills"] += 1
            out, _ = proc.communicate()
            if proc.returncode == 0:
                counts["finished_first"] += 1
                acknowledged.update(acknowledged_ids(args, out))
            elif proc.returncode == 70:
                counts["internal_errors"] += 1
    return {**counts, **audit(root, acknowledged)}


# -- 2b. a file of sales, killed ---------------------------------------------------------------------------

FILE_ROWS = 400
# From this many client views a commit is shared with a second process on any
# machine, which writes the views' files while the command works out the
# shards (storage/shared_fold.py): the kills land on that path too.
FILE_SHARE = {"SESSIONPACK_TEST_SHARE_FROM": "100"}


def file_kills(root: str, template: str, scratch: str, count: int, seed: int = 11) -> dict[str, Any]:
    """A file of sales to new clients, each run on a fresh copy of the
    practice and killed with SIGKILL at a random moment; then the next
    writer, and the counts: a file recorded in part, a staging folder left
    behind, ``check --full`` problems."""
    rng = random.Random(seed)
    sales = os.path.join(scratch, "file-kills.csv")
    with open(sales, "w", encoding="utf-8") as handle:
        handle.write("client,package,ref,name\n")
        handle.writelines(f"f{i},ten,file-{i},File Client {i}\n" for i in range(FILE_ROWS))
    counts = {"kills": 0, "finished_first": 0, "internal_errors": 0, "recorded_whole": 0, "recorded_in_part": 0,
              "staging_left": 0, "lost": 0, "check_problems": 0}
    args = [sys.executable, "-m", "sessionpack", "--data-dir"]
    started = time.monotonic()  # (the file once, whole, on the part's own copy: how long it takes)
    must(sp(root, "sell", "--csv", sales, "--create-clients", extra=FILE_SHARE))
    typical = time.monotonic() - started
    for number in range(count):
        root = os.path.join(scratch, f"file-kills-{number + 1}")
        shutil.copytree(template, root)
        proc = subprocess.Popen([*args, root, "sell", "--csv", sales, "--create-clients"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env(FILE_SHARE))
        time.sleep(rng.uniform(0.05 * typical, typical))  # (the first run, timed above, is the slowest: nothing cached)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            counts["kills"] += 1
        proc.communicate()
        finished = proc.returncode == 0
        counts["finished_first"] += finished
        counts["internal_errors"] += proc.returncode == 70
        sp(root, "client", "add", "after", "--name", "After")  # the next writer: repairs first
        sold = sum(1 for event in journal_events(root) if event.get("type") == "sold" and event["client_package"].startswith("f"))
        counts["recorded_whole"] += sold == FILE_ROWS  # (killed after its journal append, or not killed)
        counts["recorded_in_part"] += sold not in (0, FILE_ROWS)
        counts["lost"] += finished and sold != FILE_ROWS
        counts["staging_left"] += os.path.lexists(os.path.join(root, "views", "clients", ".staged"))
        checked = sp(root, "check", "--full", "--format", "json")
        counts["check_problems"] += checked.returncode != 0
        shutil.rmtree(root)
    return counts


# -- 3. full disks ---------------------------------------------------------------------------------------


def _can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


def _fill(folder: str) -> list[str]:
    os.makedirs(folder, exist_ok=True)
    made = []
    number = 0
    while True:
        path = os.path.join(folder, str(number))
        try:
            with open(path, "wb") as handle:
                handle.write(b"x" * 4096)
        except OSError:
            break
        made.append(path)
        number += 1
    return made


def full_disk(template: str, runs: int) -> dict[str, Any]:
    counts = {"method": "tmpfs 2 MiB" if _can_mount() else "injected failure / file-size limit",
              "after_commit_runs": 0, "after_commit_right": 0, "before_commit_runs": 0, "before_commit_right": 0}
    for number in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            mount = os.path.join(scratch, "disk")
            os.mkdir(mount)
            mounted = _can_mount() and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount],
                                                      capture_output=True).returncode == 0
            try:
                root = os.path.join(mount, "practice")
                shutil.copytree(template, root)
                # After the commit: the journal line fits, the views do not.
                if mounted:
                    filler = _fill(os.path.join(mount, "filler"))
                    for path in filler[:2]:
                        os.unlink(path)
                    result = sp(root, "sell", "c0", "ten", "--ref", f"full-{number}", "--format", "json")
                    for path in filler[2:]:
                        os.unlink(path)
                else:
                    result = sp(root, "sell", "c0", "ten", "--ref", f"full-{number}", "--format", "json",
                                extra={"SESSIONPACK_TEST_FAIL_AT": "views"})
                counts["after_commit_runs"] += 1
                recorded = f"full-{number}" in json.dumps(journal_events(root))
                again = sp(root, "sell", "c0", "ten", "--ref", f"full-{number}", "--format", "json")
                right = (result.returncode == 0 and recorded and '"code"' in result.stdout
                         and json.loads(again.stdout).get("unchanged") is True and "recorded, but the views" in result.stderr)
                if right or (mounted and result.returncode == 3 and not recorded):  # the journal itself did not fit
                    counts["after_commit_right"] += 1
                # Before the commit: the command's journal write (a series of
                # 100 sessions, larger than the free end of the journal's last
                # page) does not fit; nothing changes.
                before = _tree(root)
                # Daily, so that every session is within a year of the clock (rule 21 of docs/rules.md).
                series = ("book", "c1", "massage", "2026-12-07T10:00", "--repeat", "daily", "--count", "100", "--no-package")
                if mounted:
                    filler = _fill(os.path.join(mount, "filler2"))
                    result = sp(root, *series)
                    for path in filler:
                        os.unlink(path)
                else:
                    size = os.path.getsize(os.path.join(root, "journal.jsonl"))
                    result = sp(root, *series, preexec=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size)))
                counts["before_commit_runs"] += 1
                if result.returncode == 3 and result.stdout == "" and _tree(root) == before:
                    counts["before_commit_right"] += 1
            finally:
                if mounted:
                    subprocess.run(["umount", mount], capture_output=True)
    return counts


def _tree(root: str) -> dict[str, bytes]:
    found = {}
    for here, _, files in os.walk(root):
        for name in files:
            path = os.path.join(here, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, root)] = handle.read()
    return found


# -- a torn tail of garbage ----------------------------------------------------------------------------


def torn_tail(root: str, mib: int) -> dict[str, Any]:
    """``mib`` MiB of garbage with no newline after the journal's last line:
    the seconds a reader takes to see it (and leave it) and a writer to move
    it aside."""
    with open(os.path.join(root, "journal.jsonl"), "ab") as handle:
        block = bytes(random.Random(1).getrandbits(8) for _ in range(1 << 16)).replace(b"\n", b" ")
        for _ in range(mib * 16):
            handle.write(block)
    started = time.monotonic()
    read = sp(root, "balance", "race", "--format", "json")
    read_seconds = time.monotonic() - started
    started = time.monotonic()
    write = sp(root, "client", "add", "after-torn", "--name", "After")
    write_seconds = time.monotonic() - started
    moved = os.listdir(os.path.join(root, "torn"))
    return {"garbage_mib": mib, "reader_exit": read.returncode, "reader_seconds": round(read_seconds, 2),
            "writer_exit": write.returncode, "writer_seconds": round(write_seconds, 2), "moved_aside": len(moved),
            "internal_errors": int(70 in (read.returncode, write.returncode))}


# -- 4, 5. the property and safety tests, run big -------------------------------------------------------


def pytest_part(paths: list[str], examples: int) -> dict[str, Any]:
    extra = {"SESSIONPACK_FUZZ_EXAMPLES": str(examples)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *paths], capture_output=True,
                            text=True, env={**os.environ, **extra}, cwd=ROOT)
    last = (result.stdout.strip().splitlines() or [""])[-1]
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", last)) else 0
    failed = int(m.group(1)) if (m := re.search(r"(\d+) failed", last)) else 0
    return {"tests_passed": passed, "tests_failed": failed, "examples_per_test": examples, "summary": last}


# -- the table ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The fault matrix (see the module docstring).")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--file-kills", type=int, default=20, help=f"files of {FILE_ROWS} sales killed (2b)")
    parser.add_argument("--disk-runs", type=int, default=5)
    parser.add_argument("--fuzz", type=int, default=50, help="hypothesis examples per property test (suite: 10)")
    parser.add_argument("--torn-mib", type=int, default=100, help="MiB of garbage after the journal's last line")
    parser.add_argument("--quick", action="store_true", help="3 writers, 3 s, 10 kills, 3 file kills, 1 disk run, fuzz 10, 4 MiB torn")
    args = parser.parse_args(argv)
    if args.quick:
        args.writers, args.seconds, args.kills, args.file_kills, args.disk_runs, args.fuzz, args.torn_mib = 3, 3.0, 10, 3, 1, 10, 4
    global _HAS_ALLOW_OVERLAP
    _HAS_ALLOW_OVERLAP = "--allow-overlap" in subprocess.run([sys.executable, "-m", "sessionpack", "book", "--help"],
                                                             capture_output=True, text=True, env=env()).stdout
    results = run_matrix(args.writers, args.seconds, args.kills, args.disk_runs, args.fuzz, torn_mib=args.torn_mib,
                         file_kill_count=args.file_kills)
    print_table(results, " ".join([os.path.relpath(sys.executable, ROOT), "bench/faults.py", *(argv or sys.argv[1:])]))
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f"faults-{datetime.now():%Y%m%dT%H%M%S}.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2)
    bad = any(part.get(key) for part in results["parts"].values() for key in ("lost", "overbooked", "check_problems",
                                                                              "internal_errors", "tests_failed",
                                                                              "recorded_in_part", "staging_left"))
    return 1 if bad else 0


def run_matrix(writers: int, seconds: float, kill_count: int, disk_runs: int, fuzz: int, tests: bool = True,
               clients: int = 12, torn_mib: int = 100, file_kill_count: int = 20) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        template = os.path.join(scratch, "template")
        make_practice(template, clients=clients)
        for name, run in (("concurrency", lambda root: concurrency(root, writers, seconds, clients)),
                          ("kills", lambda root: kills(root, kill_count, clients)),
                          ("file kills", lambda root: file_kills(root, template, scratch, file_kill_count)),
                          ("full disk", lambda root: full_disk(template, disk_runs)),
                          ("torn tail", lambda root: torn_tail(root, torn_mib))):
            root = os.path.join(scratch, name.replace(" ", "-"))
            shutil.copytree(template, root)
            started = time.monotonic()
            parts[name] = run(root)
            parts[name]["seconds"] = round(time.monotonic() - started, 1)
    if tests:
        for name, paths in (("fuzz", ["tests/domain/test_parsers_never_crash.py", "tests/cli/test_fuzz_cli.py"]),
                            ("user text", ["tests/cli/test_user_text_safety.py", "tests/storage/test_symlinks.py"])):
            started = time.monotonic()
            parts[name] = pytest_part(paths, fuzz if name == "fuzz" else 10)
            parts[name]["seconds"] = round(time.monotonic() - started, 1)
    return {"date": datetime.now().isoformat(timespec="seconds"), "machine": machine(),
            "settings": {"writers": writers, "seconds": seconds, "kills": kill_count, "file_kills": file_kill_count,
                         "disk_runs": disk_runs, "fuzz": fuzz},
            "parts": parts}


def machine() -> str:
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{'root' if hasattr(os, 'geteuid') and os.geteuid() == 0 else 'not root'}")


def print_table(results: dict[str, Any], command: str) -> None:
    print(f"sessionpack fault matrix, {results['date']}")
    print(f"machine: {results['machine']}")
    print(f"command: {command}")
    print()
    rows = [("part", "figures", "seconds")]
    for name, part in results["parts"].items():
        figures = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in part.items() if k not in ("seconds", "summary"))
        rows.append((name, figures, str(part.get("seconds", ""))))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
