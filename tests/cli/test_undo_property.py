"""Undo, as a property: for any sequence of commands, undoing the last k of
them (newest first) leaves balances and statements byte for byte as if they
had never run (rule 18 of docs/rules.md)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Runner

NOW = "2026-11-20T09:00:00"
SETUP = (
    ("init", "--currency", "EUR", "--timezone", "Europe/Lisbon"),
    ("service", "add", "massage", "--name", "Massage", "--duration", "60", "--price", "90"),
    ("package", "create", "five", "--name", "Five", "--service", "massage=5", "--price", "400", "--expires", "1 year"),
    ("package", "create", "credit", "--name", "Credit", "--pool", "money=300", "--price", "270"),
    ("client", "add", "ana", "--name", "Ana"),
    ("client", "add", "bruno", "--name", "Bruno"),
)
CLIENTS = st.sampled_from(["ana", "bruno"])
DAYS = st.integers(min_value=1, max_value=20)
PACKAGE_IDS = st.sampled_from(["ana.p1", "ana.p2", "bruno.p1", "bruno.p2"])
BOOKING_IDS = st.sampled_from(["ana.b1", "ana.b2", "bruno.b1", "bruno.b2"])
OPS = st.one_of(
    st.tuples(st.just("sell"), CLIENTS, st.sampled_from(["five", "credit"])),
    st.builds(lambda c, d: ("book", c, "massage", f"2026-12-{d:02d}T10:00"), CLIENTS, DAYS),
    st.builds(lambda b: ("cancel", b), BOOKING_IDS),
    st.builds(lambda b: ("attend", b), BOOKING_IDS),
    st.builds(lambda b: ("no-show", b), BOOKING_IDS),
    st.builds(lambda p, n: ("adjust", p, "--sessions", f"+{n}", "--reason", "goodwill"), PACKAGE_IDS, st.integers(1, 3)),
    st.builds(lambda p: ("pay", p, "10"), PACKAGE_IDS),
    st.builds(lambda p, c: ("transfer", p, c, "--sessions", "1", "--reason", "gift"), PACKAGE_IDS, CLIENTS),
    st.builds(lambda p: ("refund", p, "--full", "--reason", "moving", "--yes"), PACKAGE_IDS),
)


def practice(root: Path) -> Runner:
    runner = Runner(root)
    for args in SETUP:
        assert runner(*args, now=NOW).exit_code == 0, args
    return runner


def read(runner: Runner) -> dict[str, str]:
    out = {}
    for args in (("balance", "--all", "--format", "json"), ("statement", "ana", "--format", "json"),
                 ("statement", "bruno", "--format", "json")):
        out[" ".join(args)] = runner(*args, now="2026-12-31T20:00:00").stdout
    return out


def run_all(runner: Runner, ops: list[tuple[str, ...]]) -> list[tuple[tuple[str, ...], str]]:
    """Run the ops (late enough that sessions can be marked); (op, command id) of those recorded."""
    ids = []
    for op in ops:
        when = "2026-12-21T09:00:00" if op[0] in ("attend", "no-show") else NOW
        before = len((runner.data_dir / "journal.jsonl").read_bytes().splitlines())
        result = runner(*op, now=when)
        assert result.exit_code in (0, 1, 2), (op, result.stderr)
        lines = (runner.data_dir / "journal.jsonl").read_bytes().splitlines()
        if len(lines) > before:
            assert result.exit_code == 0
            ids.append((op, json.loads(lines[before])["command"]))
    return ids


@settings(max_examples=int(os.environ.get("SESSIONPACK_UNDO_EXAMPLES", "20")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(OPS, min_size=1, max_size=8), k=st.integers(min_value=1, max_value=8))
def test_undoing_the_last_k_commands_is_as_if_they_never_ran(ops: list[tuple[str, ...]], k: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        full = practice(Path(tmp) / "full")
        ran = run_all(full, ops)
        k = min(k, len(ran))
        if not k:
            return
        for _, command in reversed(ran[-k:]):
            result = full("undo", command, "--reason", "taken back", "--force", now=NOW)
            assert result.exit_code == 0, (command, result.stdout, result.stderr)
        short = practice(Path(tmp) / "short")
        assert [command for _, command in run_all(short, [op for op, _ in ran[:-k]])] == [c for _, c in ran[:-k]]
        assert read(full) == read(short)
        assert full("check", "--full", now=NOW).stdout == "No problems found\n"
