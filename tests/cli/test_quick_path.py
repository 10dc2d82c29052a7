"""The quick path (cli/fast.py) reads every command line exactly as Typer does.

For the hot commands it runs without importing Typer, from a table made out
of the same declarations (cli/fast_build.py -> cli/fast_table.py). These
tests hold it to Typer: the table is the one the declarations make today;
for every documented form, and for arbitrary command lines (Hypothesis),
whatever the quick path accepts gives the command function exactly the
values Typer gives it, and whatever Typer refuses the quick path leaves to
Typer (so errors and exit codes are Typer's own); the help of each command
is Typer's at every width; completion answers are Typer's in bash, zsh and
fish. End to end, real processes print the same and exit the same with the
quick path on and off (SESSIONPACK_QUICK=0).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from sessionpack.cli import fast, fast_build, runtime
from sessionpack.cli.app import app
from sessionpack.cli.fast_complete import split_words
from sessionpack.cli.fast_help import HELP
from sessionpack.cli.fast_table import TABLE
from sessionpack.cli.helptext import render

COMMANDS = TABLE["commands"]
HOT = ("balance", "history", "book", "sell")


def test_the_table_is_what_the_declarations_make_today() -> None:
    for path, text in fast_build.sources(fast_build.build()).items():
        with open(path, encoding="utf-8") as handle:
            assert handle.read() == text, f"{path} is out of date: run 'python -m sessionpack.cli.fast_build'"


def test_the_hot_commands_are_in_the_table() -> None:
    assert set(HOT) <= set(COMMANDS)
    assert TABLE["skipped"] == {}
    for name, spec in COMMANDS.items():
        module = importlib.import_module(spec["module"])
        assert callable(getattr(module, spec["function"])), name


# ---------------------------------------------------------------- values


def typer_reading(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> tuple[int, str, dict | None, dict]:
    """(exit code, output, the values Typer hands the command function or
    None, the global options it set) for ``args``, run in-process by Typer."""
    captured: dict = {}
    called = []
    for spec in COMMANDS.values():
        module = importlib.import_module(spec["module"])

        def record(__name=spec["function"], **values):  # type: ignore[no-untyped-def]
            called.append(__name)
            captured.update(values)

        monkeypatch.setattr(module, spec["function"], record)
    runtime.GLOBALS.data_dir = runtime.GLOBALS.now = runtime.GLOBALS.actor = "unset"
    runtime.GLOBALS.no_pager = runtime.GLOBALS.no_hooks = "unset"  # type: ignore[assignment]
    result = CliRunner().invoke(app, args)
    root = {name: getattr(runtime.GLOBALS, name) for name in ("data_dir", "now", "actor", "no_pager", "no_hooks")}
    return result.exit_code, result.output, (captured if called else None), root


def quick_reading(args: list[str]) -> fast.Parsed | None:
    return fast.parse(args)


def assert_same_reading(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    parsed = quick_reading(args)
    code, output, values, root = typer_reading(monkeypatch, args)
    if parsed is None:
        return  # left to Typer: whatever it does is Typer's own
    if parsed.help:
        assert code == 0 and values is None, (args, code, output)
        # (Click's test runner fixes the width at 80 columns.)
        assert output == render(HELP[parsed.name], 80), args
        return
    assert code == 0, (args, code, output)
    assert values == parsed.values, args
    assert root == {k: parsed.root[k] for k in root}, args


DATA = "/nonexistent/practice"
GLOBAL_FORMS = [[], ["--data-dir", DATA], [f"--data-dir={DATA}"], ["--now", "2026-11-20T09:00", "--actor", "marta"],
                ["--actor=", "--now="], ["--data-dir", DATA, "--data-dir", DATA + "2"], ["--no-pager", "--no-hooks"]]
DOCUMENTED = [
    ["balance", "ana"], ["balance"], ["balance", "--format", "csv"], ["balance", "--code", "K7QF-3MZP-AAAA", "--format", "json"],
    ["balance", "ana", "--all"], ["balance", "--all", "--format=tsv"], ["balance", "--format", "json", "ana"],
    ["history", "ana"], ["history", "ana.p1", "--format", "json"], ["history", "--format", "csv", "ana.p2"],
    ["book", "ana", "massage", "2026-12-01T10:00"],
    ["book", "ana", "massage", "2026-12-01T10:00", "--repeat", "weekly", "--count", "6"],
    ["book", "ana", "massage", "2026-12-01T10:00", "--no-package", "--format", "json"],
    ["book", "--code", "K7QF-3MZP-AAAA", "massage", "2026-12-01T10:00", "--format", "json"],
    ["book", "ana", "massage", "2026-12-01T10:00", "--duration", "45", "--provider", "marta", "--package", "ana.p1"],
    ["book", "ana", "massage", "2026-12-01T10:00", "--require-package", "--repeat", "every 2 weeks", "--until", "2027-01-31"],
    ["book", "ana"], ["book", "--duration", "+30", "ana", "massage", "2026-12-01T10:00"],
    ["sell", "ana", "five-massages"], ["sell", "ana", "five-massages", "--unpaid", "--ref", "shop-1042", "--format", "json"],
    ["sell", "carla", "family-10", "--share", "diogo"], ["sell", "carla", "family-10", "--share", "diogo", "--share=eva"],
    ["sell", "ana", "five", "--price", "80", "--paid", "40", "--invoice", "A-7", "--date", "2026-11-02"],
    ["assign", "ana", "sauna-week", "--price", "0"], ["pay", "ana.p1", "200", "--method", "card"], ["pay", "ana.b3", "90"],
    ["cancel", "ana.b3"], ["cancel", "ana.b4", "--return", "--reason", "snowstorm"],
    ["cancel", "ana.p1", "--reason", "sold by mistake", "--cancel-bookings"], ["attend", "ana.b3"],
    ["no-show", "ana.b3", "--forfeit", "--reason", "third no-show"],
    ["balance", "--help"], ["history", "-h"], ["book", "ana", "--help"], ["sell", "--help", "ana"],
    ["book", "--", "-ana", "massage", "2026-12-01T10:00"], ["sell", "ana", "five", "--ref", "--odd"],
    ["history", "ana", "--format", "json", "--format", "csv"], ["balance", ""],
    ["balance", "--expiring", "30", "--tag", "vip"], ["balance", "--status", "expired", "--format", "json"],
    ["balance", "--status", "active", "--status=paused", "--wide"], ["balance", "ana", "--format", "jsonl"],
    ["history", "ana", "--wide"], ["history", "ana.p1", "--format=jsonl"], ["book", "ana", "massage", "fri 10:00", "--wide"],
    ["sell", "ana", "five-massages", "--note", "gift", "--dry-run"], ["sell", "--csv-template"], ["sell", "--csv", "sales.csv", "--dry-run"],
    ["sell", "--csv", "-", "--create-clients", "--format", "jsonl"], ["assign", "--csv", "gifts.csv", "--hooks"],
    ["sell", "ana"], ["cancel", "ana.b3", "--wide", "--format", "csv"],
    ["book", "ana", "massage", "2026-12-01T10:00", "--dry-run"], ["cancel", "ana.p1", "--reason", "sold twice", "--yes"],
    ["cancel", "ana.p1", "-y", "--reason", "x", "--cancel-bookings"], ["pay", "ana.p1", "10", "--dry-run", "--format", "json"],
    ["attend", "ana.b3", "--dry-run", "--yes"], ["no-show", "ana.b3", "--forfeit", "--reason", "late", "-y"],
    ["attend", "ana.b3", "ana.b4", "bea.b1"], ["cancel", "ana.b3", "--reason", "ill", "ana.b4"], ["attend", "--client", "ana", "--date", "today"],
    ["cancel", "--client", "ana", "--date", "2026-12-01", "--reason", "ill"], ["attend"], ["attend", "--", "ana.b3", "--odd"],
    ["book", "ana", "massage", "2026-12-01T10:00", "--allow-overlap", "--force"],
]


@pytest.mark.parametrize("globals_", GLOBAL_FORMS)
@pytest.mark.parametrize("args", DOCUMENTED)
def test_documented_forms_read_as_typer_reads_them(monkeypatch: pytest.MonkeyPatch, globals_: list[str], args: list[str]) -> None:
    full = globals_ + args
    assert quick_reading(full) is not None, f"the quick path should take {full}"
    assert_same_reading(monkeypatch, full)


REFUSED = [
    ["balance", "--bogus"], ["sell", "ana", "five", "extra"], ["balance", "ana", "extra"], ["balance", "--expiring", "x"],
    ["balance", "--wide=1"], ["sell", "--csv"], ["balance", "--format", "xml"], ["balance", "--all=yes"],
    ["book", "ana", "massage", "2026-12-01T10:00", "--duration", "abc"], ["book", "ana", "massage", "2026-12-01T10:00", "--duration"],
    ["book", "ana", "massage", "2026-12-01T10:00", "--count", "٣"], ["--version"], ["--help"], ["-h"], [], ["balanse", "ana"],
    ["sell", "ana", "five", "--share"], ["history"], ["balance", "-x"], ["balance", "-hx"], ["balance", "--help=yes"],
    ["--bogus", "balance"], ["--data-dir"], ["balance", "--data-dir", DATA, "ana"], ["--install-completion"],
    ["history", "ana", "--format"],
]


@pytest.mark.parametrize("args", REFUSED)
def test_what_typer_refuses_or_answers_otherwise_is_left_to_typer(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    assert quick_reading(args) is None
    code, _, values, _ = typer_reading(monkeypatch, args)
    assert code != 0 or values is None  # an error, or help, the version, completion: no command run


@pytest.mark.parametrize("args", [["--", "balance", "ana"], ["client", "list"], ["check"], ["code", "reset", "ana.p1"]])
def test_what_the_quick_path_does_not_know_is_left_to_typer(args: list[str]) -> None:
    assert quick_reading(args) is None  # (a rare form at the root, or a command declared with Typer itself)


def test_environment_variables_are_read_as_typer_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSIONPACK_DATA_DIR", DATA)
    monkeypatch.setenv("SESSIONPACK_NOW", "2026-11-20")
    monkeypatch.setenv("SESSIONPACK_ACTOR", "")  # empty: as if unset
    for args in (["balance", "ana"], ["--data-dir", "/else", "--actor", "x", "balance"]):
        assert quick_reading(args) is not None
        assert_same_reading(monkeypatch, args)


TOKENS = ["ana", "ana.p1", "ana.b3", "massage", "2026-12-01T10:00", "five", "", "x", "-", "--", "-5", "3", "+3", "json", "csv",
          "table", "xml", "weekly", "--odd", "=", "a=b", "-h", "--help", "--format", "--format=json", "--format=", "--all", "--all=1",
          "--code", "--duration", "--duration=45", "--count", "--repeat", "--until", "--package", "--no-package", "--share",
          "--share=bo", "--unpaid", "--ref", "--price", "--return", "--forfeit", "--reason", "--method", "--data-dir", "--now",
          "--actor", "--version", "-x", "-hh", "--wide", "--status", "expired", "--expiring", "--tag", "--csv", "--dry-run", "--note",
          "jsonl", "--csv-template", "--create-clients", "--hooks", "--yes", "-y", "-yh", "--client", "--date", "--allow-overlap",
          "--force"]
ROOTS = ["--data-dir", DATA, "--now", "2026-11-20", "--actor", "m", f"--data-dir={DATA}", "--version", "-h", "--", "x", "--no-pager",
         "--no-hooks"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(roots=st.lists(st.sampled_from(ROOTS), max_size=3), command=st.sampled_from(sorted(COMMANDS) + ["client", "nope"]),
       rest=st.lists(st.sampled_from(TOKENS), max_size=7))
def test_any_command_line_the_quick_path_takes_typer_reads_the_same(monkeypatch: pytest.MonkeyPatch, roots: list[str],
                                                                      command: str, rest: list[str]) -> None:
    assert_same_reading(monkeypatch, roots + [command] + rest)


# ---------------------------------------------------------------- help


def typer_help(name: str) -> str:
    """What ``sessionpack NAME --help`` prints through Typer, at this terminal's width."""
    import typer

    root = typer.main.get_command(app)
    root_ctx = root.make_context("sessionpack", [], resilient_parsing=True)
    ctx = root.commands[name].make_context(name, [], parent=root_ctx, resilient_parsing=True)  # type: ignore[attr-defined]
    return ctx.get_help() + "\n"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_is_typers_at_every_width(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.delenv("LINES", raising=False)
    for columns in [1, 20, 49, 50, 51, 52, 60, 79, 80, 81, 99, 100, 101, 102, 103, 150]:
        monkeypatch.setenv("COLUMNS", str(columns))
        parsed = quick_reading([name, "--help"])
        assert parsed is not None and parsed.help
        assert fast.show_help(parsed) == typer_help(name), (name, columns)


@pytest.mark.parametrize("columns", range(50, 103))
def test_the_booking_help_at_each_width_typer_can_use(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    assert fast.show_help(quick_reading(["book", "-h"])) == typer_help("book")  # type: ignore[arg-type]


@pytest.mark.parametrize("columns", ["72", "120", ""])
def test_help_printed_by_real_processes_is_the_same(tmp_path: Path, columns: str) -> None:
    env = {"COLUMNS": columns} if columns else {}
    for name in HOT:
        assert sessionpack(tmp_path, [name, "--help"], quick=True, env=env) == sessionpack(tmp_path, [name, "--help"], quick=False, env=env)


# ---------------------------------------------------------------- end to end


def sessionpack(data_dir: Path, args: list[str], quick: bool, env: dict | None = None) -> tuple[int, str, str]:
    full_env = dict(os.environ, **(env or {}))
    if not quick:
        full_env["SESSIONPACK_QUICK"] = "0"
    done = subprocess.run([sys.executable, "-m", "sessionpack", *args], capture_output=True, text=True, env=full_env, timeout=60)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def shop(practice, data_dir):  # type: ignore[no-untyped-def]
    (data_dir / "packages" / "five.toml").write_text(
        'name = "5 massages"\nexpiry = "3 months"\n[contents.sessions]\nmassage = 5\n[payment]\nprice = "400"\n', encoding="utf-8")
    for args in (("client", "add", "bob", "--name", "Bob"), ("sell", "ana", "five"), ("sell", "ana", "five", "--unpaid"),
                 ("book", "ana", "massage", "2026-11-27T10:00"), ("book", "ana", "thai", "2026-11-28T10:00")):
        assert practice(*args).exit_code == 0, args
    return practice


END_TO_END = [
    ["balance", "ana"], ["balance"], ["balance", "ana", "--format", "json"], ["history", "ana", "--format", "csv"],
    ["history", "ana.p1"], ["balance", "nobody"], ["history", "Bad_Id"], ["balance", "--bogus"], ["sell", "ana"],
    ["book", "ana", "massage", "2026-11-30T25:00"], ["book", "ana", "massage", "2026-12-01T10:00", "--duration", "abc"],
    ["balance", "--format", "xml"], ["balanse"], ["--version"], ["balance", "--help"], ["book", "-h"],
    ["sell", "ana", "nothing-such"], ["cancel", "ana.b99"], ["book", "ana", "massage", "2026-12-02T10:00", "--format", "json"],
    ["sell", "bob", "five", "--ref", "r-1", "--format", "json"], ["sell", "bob", "five", "--ref", "r-1"],
    ["pay", "ana.p2", "100"], ["attend", "ana.b1"],
]


def test_real_processes_answer_the_same_with_the_quick_path_on_and_off(shop, data_dir: Path, tmp_path: Path) -> None:
    import shutil

    twin = tmp_path / "twin"
    shutil.copytree(data_dir, twin)
    for args in END_TO_END:
        now = ["--now", "2026-11-20T09:00"]
        quick = sessionpack(data_dir, ["--data-dir", str(data_dir), *now, *args], quick=True)
        typer_ = sessionpack(twin, ["--data-dir", str(twin), *now, *args], quick=False)
        assert _unrandom(quick, data_dir) == _unrandom(typer_, twin), args


def _unrandom(answer: tuple[int, str, str], root: Path) -> tuple[int, str, str]:
    """The answer with the data directory's path and fresh access codes blanked."""
    import re

    code, out, err = answer
    out, err = out.replace(str(root), "DATA"), err.replace(str(root), "DATA")
    out = re.sub(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}", "CODE", out)
    return code, out, err


# ---------------------------------------------------------------- completion


COMPLETIONS = [
    ("bash", "sessionpack balance ", None), ("bash", "sessionpack balance a", None), ("bash", "sessionpack balance z", None),
    ("bash", "sessionpack history ana.", None), ("bash", "sessionpack history ana.p", None), ("bash", "sessionpack history an", None),
    ("bash", "sessionpack book ana ", None), ("bash", "sessionpack book ana mas", None), ("bash", "sessionpack book ana massage 2026 --package ", None),
    ("bash", "sessionpack book ana massage 2026-12-01T10:00 --package ana.", None), ("bash", "sessionpack sell bob ", None),
    ("bash", "sessionpack sell bob five --share ", None), ("bash", "sessionpack cancel ana.", None), ("bash", "sessionpack attend ana.b", None),
    ("bash", "sessionpack pay ana.", None), ("bash", "sessionpack --now 2026-11-20 balance b", None), ("bash", "sessionpack balance --fo", None),
    ("bash", "sessionpack bal", None), ("bash", "sessionpack book ana --duration 30 ", None), ("bash", "sessionpack balance ana ", None),
    ("bash", "sessionpack balance ", 1), ("bash", "sessionpack balance --format=", None), ("bash", "sessionpack book ana 'mas", None),
    ("bash", "sessionpack attend ana.b1 ana.", None), ("bash", "sessionpack cancel ana.b1 --reason x ana.b", None),
    ("zsh", "sessionpack balance ", None), ("zsh", "sessionpack history ana.", None), ("zsh", "sessionpack balance zz", None),
    ("zsh", "sessionpack sell bob fi", None), ("fish", "sessionpack balance a", "get-args"), ("fish", "sessionpack balance a", "is-args"),
    ("fish", "sessionpack balance zz", "is-args"), ("fish", "sessionpack history ana.", "get-args"), ("fish", "sessionpack balance zz", "get-args"),
]


@pytest.mark.parametrize("shell, words, extra", COMPLETIONS)
def test_completion_answers_as_typer_does(shop, data_dir: Path, shell: str, words: str, extra) -> None:  # type: ignore[no-untyped-def]
    env = {"_SESSIONPACK_COMPLETE": f"complete_{shell}", "SESSIONPACK_DATA_DIR": str(data_dir)}
    if shell == "bash":
        split = words.split()
        env.update(COMP_WORDS=words, COMP_CWORD=str(len(split) if words.endswith(" ") else len(split) - 1))
        if extra is not None:  # the cursor on an earlier word
            env["COMP_CWORD"] = str(extra)
    else:
        env["_TYPER_COMPLETE_ARGS"] = words
        if extra is not None:
            env["_TYPER_COMPLETE_FISH_ACTION"] = extra
    quick = sessionpack(data_dir, [], quick=True, env=env)
    typer_ = sessionpack(data_dir, [], quick=False, env=env)
    assert quick == typer_, words


def test_words_are_split_as_typers_completion_splits_them() -> None:
    import shlex

    for text in ["a b  c", "sessionpack balance ", " x\ty\nz", "sessionpack --data-dir /p balance ana.p1"]:
        lexer = shlex.shlex(text, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        assert split_words(text) == list(lexer)
    assert split_words("book 'a b'") is None and split_words('a "b') is None and split_words("a\\ b") is None
    assert split_words("a\u00a0b") is None  # a space shlex does not split on
