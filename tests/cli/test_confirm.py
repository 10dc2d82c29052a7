"""Confirmation of the destructive (rule 18 of docs/rules.md): asked on a real
terminal, refused without one unless --yes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cli_util import events, ok, refused
from proc_util import project_env, run_on_pty
from test_undo import LATER, shop  # noqa: F401 - the fixture
from tree import tree_hash


def on_terminal(data_dir: Path, answer: str, *args: str) -> tuple[int, str]:
    argv = [sys.executable, "-m", "sessionpack", "--data-dir", str(data_dir), "--now", LATER, *args]
    code, out = run_on_pty(argv, project_env({"NO_COLOR": "1", "SESSIONPACK_PAGER": ""}), stdin_text=answer)
    return code, out.decode("utf-8").replace("\r\n", "\n")


ASKING = [
    (("cancel", "ana.p1", "--reason", "sold by mistake"), "This will cancel ana.p1:\n  cancelled ana.p1 (no refund)"),
    (("refund", "ana.p2", "--full", "--reason", "moving"), "This will refund ana.p2:\n  refunded ana.p2"),
    (("transfer", "ana.p2", "bruno", "--all", "--reason", "moving"), "This will transfer all of ana.p2 to bruno:\n  "),
    (("cancel", "ana.b2", "ana.b3"), "This will cancel 2 sessions:\n  "),
]


@pytest.mark.parametrize("args, asked", ASKING, ids=[a[0] for a, _ in ASKING])
def test_a_terminal_is_asked_and_no_records_nothing(shop, data_dir: Path, args: tuple[str, ...], asked: str) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    before = tree_hash(data_dir)
    code, out = on_terminal(data_dir, "n\n", *args)
    assert code == 1, out
    assert asked in out and "Go ahead? [y/N] " in out
    assert out.endswith("error: not confirmed; nothing was recorded\n")
    assert tree_hash(data_dir) == before


@pytest.mark.parametrize("args, asked", ASKING, ids=[a[0] for a, _ in ASKING])
def test_yes_on_the_terminal_records_it(shop, data_dir: Path, args: tuple[str, ...], asked: str) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    count = len(events(data_dir))
    code, out = on_terminal(data_dir, "y\n", *args)
    assert code == 0, out
    assert asked in out
    assert len(events(data_dir)) > count


@pytest.mark.parametrize("args, asked", ASKING, ids=[a[0] for a, _ in ASKING])
def test_without_a_terminal_it_needs_yes(shop, data_dir: Path, args: tuple[str, ...], asked: str) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    action = asked.split(":")[0].removeprefix("This will ")
    refused(shop, data_dir, args, 2, f"{action} asks for confirmation and there is no terminal to ask on; "
            "add --yes to go ahead (or --dry-run to see what it would do)", now=LATER)
    piped = shop.proc(*args, now=LATER, input="y\n")  # an answer on a pipe is not a person's
    assert piped.returncode == 2
    count = len(events(data_dir))
    ok(shop(*args, "--yes", now=LATER))
    assert len(events(data_dir)) > count


def test_a_cascade_shows_every_command_it_would_undo(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    sale = next(e["command"] for e in events(data_dir) if e["type"] == "sold" and e["client_package"] == "ana.p1")
    before = tree_hash(data_dir)
    code, out = on_terminal(data_dir, "no\n", "undo", sale, "--cascade", "--reason", "sold twice")
    assert code == 1, out
    assert "This will undo 4 commands:\n" in out and f"  {sale}: sold five as ana.p1" in out
    assert tree_hash(data_dir) == before
    code, out = on_terminal(data_dir, "yes\n", "undo", sale, "--cascade", "--reason", "sold twice")
    assert code == 0, out
    assert f"Undid {sale}: sold five as ana.p1" in out


def test_what_needs_no_confirmation_is_not_asked(shop, data_dir: Path) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    code, out = on_terminal(data_dir, "", "transfer", "ana.p1", "bruno", "--sessions", "1", "--reason", "gift")
    assert code == 0, out
    assert "Go ahead" not in out
