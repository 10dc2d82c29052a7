"""Lazy registration: ``sessionpack CMD`` imports only CMD's module (the
``COMMANDS`` table), while help, completion and unknown commands see all."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
import subprocess
import sys

import pytest
import typer

from sessionpack.cli import app as app_module
from sessionpack.cli.app import COMMANDS, app

CLI = "sessionpack.cli."

# Runs ``python -m sessionpack ARGS`` in a fresh interpreter, then reports on
# stderr's last line which modules it imported (those the interpreter, the
# probe itself and an editable install's finder had loaded before are left out).
PROBE = (
    "import json, runpy, sys\n"
    "before = set(sys.modules)\n"
    "sys.argv = ['sessionpack'] + sys.argv[1:]\n"
    "try:\n"
    "    runpy.run_module('sessionpack', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "sys.stdout.flush()\n"
    "sys.stderr.write('\\n' + json.dumps(sorted(set(sys.modules) - before)) + '\\n')\n"
)


def run_probe(*args: str, env: dict[str, str] | None = None) -> tuple[str, set[str]]:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, **(env or {})))
    *_, last = result.stderr.splitlines()
    return result.stdout, set(json.loads(last))


def command_modules(modules: set[str]) -> set[str]:
    return {name[len(CLI):] for name in modules if name.startswith(CLI) and name.endswith("_cmds")}


def registered() -> dict[str, str]:
    """Top-level command name -> the module that registered it."""
    typer.main.get_command(app)  # built in-process: every module is imported
    found = {}
    for info in app.registered_commands:
        name = info.name or typer.main.get_command_name(info.callback.__name__)
        found[name] = info.callback.__module__
    for info in app.registered_groups:
        modules = [m for m, mod in sys.modules.items() if m.startswith(CLI) and info.typer_instance in vars(mod).values()]
        found[info.name] = modules[0] if len(modules) == 1 else f"? {modules}"
    return found


def test_every_commands_entry_is_defined_by_its_module() -> None:
    found = registered()
    for name, module in COMMANDS.items():
        importlib.import_module(CLI + module)
        assert found.get(name) == CLI + module, f"COMMANDS[{name!r}] = {module!r}, but it is defined in {found.get(name)}"


def test_every_top_level_command_is_in_commands() -> None:
    assert sorted(registered()) == sorted(COMMANDS)


def test_help_lists_every_command_in_the_table_order(sp) -> None:  # type: ignore[no-untyped-def]
    piped, in_process = sp.proc("--help", now=None), sp.cli.invoke(app, ["--help"])
    assert (piped.returncode, in_process.exit_code) == (0, 0)
    for text in (piped.stdout, in_process.stdout):
        lines = text.split("Commands:\n", 1)[1].splitlines()
        listed = [line.split()[0] for line in lines if line.startswith("  ") and not line.startswith("   ")]
        assert listed[: len(COMMANDS)] == list(COMMANDS)


@pytest.fixture
def sold(practice, data_dir):  # type: ignore[no-untyped-def]
    (data_dir / "packages" / "five.toml").write_text(
        'name = "5 massages"\nexpiry = "3 months"\n[contents.sessions]\nmassage = 5\n[payment]\nprice = "400"\n', encoding="utf-8")
    assert practice("sell", "ana", "five").exit_code == 0
    return practice


HOT = [
    ("balance", "ana"),
    ("history", "ana", "--format", "json"),
    ("book", "ana", "massage", "2026-11-27T10:00"),
    ("sell", "ana", "five"),
]


@pytest.mark.parametrize("args, allowed", [
    (HOT[0], {"balance_cmds"}),
    (HOT[1], {"balance_cmds"}),
    (HOT[2], {"book_cmds"}),
    (HOT[3], {"sell_cmds"}),
])
def test_a_command_imports_only_its_own_module(sold, data_dir, args, allowed) -> None:  # type: ignore[no-untyped-def]
    out, modules = run_probe(f"--data-dir={data_dir}", "--now", "2026-11-20T09:00", *args)
    assert out, "the command printed nothing"
    assert COMMANDS[args[0]] in command_modules(modules)
    assert command_modules(modules) <= allowed, f"{args[0]} imported {sorted(command_modules(modules) - allowed)}"
    assert not {"rich", "pydantic"} & modules


# What the quick path of the hot commands keeps off their start-up (each of
# these costs more than the command's own work; see bench/README.md): the
# command-line framework, the stdlib that dataclasses, typing and the TOML
# reader bring (the TOML files are read through cache/parsed.json once a
# command has recorded something), the month arithmetic of dateutil, the
# hashing of access codes, processes, paths and the rest, and the bulk JSON
# engine (jsontext.engage), whose import alone costs more than a hot command.
NEVER_ON_THE_HOT_PATH = {
    "typer", "click", "rich", "pydantic", "shellingham", "platformdirs", "msgspec",
    "inspect", "dataclasses", "typing", "ast", "dis", "tokenize", "tomllib", "dateutil", "calendar", "locale",
    "subprocess", "pathlib", "shutil", "tempfile", "argparse", "textwrap", "email", "smtplib", "csv", "getpass",
    "signal", "threading", "secrets", "random", "hmac", "pickle",
}
NOT_FOR_READS = {"hashlib", "base64", "copy", "contextvars"}


def stdlib_roots(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize("args", HOT)
def test_the_hot_commands_import_none_of_the_heavy_modules(sold, data_dir, args) -> None:  # type: ignore[no-untyped-def]
    # One recorded command first: it leaves the TOML memo every later command reads.
    assert sold("book", "ana", "massage", "2026-11-26T10:00").exit_code == 0
    out, modules = run_probe(f"--data-dir={data_dir}", "--now", "2026-11-20T09:00", *args)
    assert out, "the command printed nothing"
    heavy = NEVER_ON_THE_HOT_PATH | (NOT_FOR_READS if args[0] in ("balance", "history") else set())
    assert not stdlib_roots(modules) & heavy, sorted(stdlib_roots(modules) & heavy)
    assert "sessionpack.cli.app" not in modules  # (the Typer application)


@pytest.mark.parametrize("args", [("balance", "--help"), ("history", "-h"), ("book", "--help"), ("sell", "--help")])
def test_the_help_of_a_hot_command_imports_no_framework(args) -> None:  # type: ignore[no-untyped-def]
    out, modules = run_probe(*args)
    assert out.startswith(f"Usage: sessionpack {args[0]} ")
    assert not stdlib_roots(modules) & (NEVER_ON_THE_HOT_PATH - {"textwrap"}), sorted(stdlib_roots(modules) & NEVER_ON_THE_HOT_PATH)
    assert not {name for name in modules if name.startswith(("sessionpack.storage", "sessionpack.domain", "sessionpack.reports"))}
    assert not command_modules(modules)


@pytest.mark.parametrize("cache", ["given", "the platform's"])
def test_completing_an_id_reads_no_framework_nor_the_store(sold, data_dir, tmp_path, cache) -> None:  # type: ignore[no-untyped-def]
    env = {"_SESSIONPACK_COMPLETE": "complete_bash", "COMP_WORDS": f"sessionpack --data-dir {data_dir} balance a", "COMP_CWORD": "4"}
    if cache != "given":  # no SESSIONPACK_CACHE_DIR: the memo of names goes where platformdirs would say
        env.update(SESSIONPACK_CACHE_DIR="", XDG_CACHE_HOME=str(tmp_path / "xdg"))
    for _ in range(2):  # the memo of names made, then read
        out, modules = run_probe(env=env)
        assert out.split() == ["ana"]
        assert not stdlib_roots(modules) & NEVER_ON_THE_HOT_PATH, sorted(stdlib_roots(modules) & NEVER_ON_THE_HOT_PATH)
        assert "sessionpack.storage.store" not in modules and not command_modules(modules)
        assert "sessionpack.domain.ledger" not in modules
    if cache != "given":
        assert len(list((tmp_path / "xdg" / "sessionpack" / "names").glob("*.txt"))) == 1


def test_global_options_from_the_environment_and_as_separate_words(sold, data_dir) -> None:  # type: ignore[no-untyped-def]
    out, modules = run_probe("--actor", "someone", "balance", "ana", "--format", "csv",
                             env={"SESSIONPACK_DATA_DIR": str(data_dir), "SESSIONPACK_NOW": "2026-11-20T09:00"})
    assert out.startswith("client,id,package,")
    assert command_modules(modules) <= {"balance_cmds", "client_cmds", "book_cmds"}


@pytest.mark.parametrize("args", [("--help",), (), ("--version",)])
def test_help_and_no_command(args) -> None:  # type: ignore[no-untyped-def]
    out, modules = run_probe(*args)
    if args == ("--version",):
        assert out.startswith("sessionpack ") and not command_modules(modules)
    else:
        assert "Commands:" in out
        assert command_modules(modules) == set(COMMANDS.values())


def test_an_unknown_command_is_refused_with_a_suggestion(sp) -> None:  # type: ignore[no-untyped-def]
    result = sp.proc("balanse", "ana")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "error: No such command 'balanse'. Did you mean 'balance'?; see 'sessionpack --help'\n"


def test_completion_lists_every_command() -> None:
    env = {"_SESSIONPACK_COMPLETE": "complete_bash", "COMP_WORDS": "sessionpack ", "COMP_CWORD": "1"}
    out, modules = run_probe(env=env)
    assert out.split() == list(COMMANDS)
    env.update(COMP_WORDS="sessionpack client ", COMP_CWORD="2")
    out, modules = run_probe(env=env)
    assert "add" in out.split() and "list" in out.split()
    assert command_modules(modules) == {"client_cmds"}


def test_in_process_get_command_has_every_command() -> None:
    assert set(typer.main.get_command(app).commands) == set(COMMANDS)  # type: ignore[attr-defined]
    assert app_module.Group.load_all_when_built is True


# (sharing is needed: which shared packages a client may use depends on its links.)
RULES = "sessionpack.domain."
CORRECTION_RULES = {RULES + name for name in ("links", "refunds", "adjustments", "pauses", "transfers")}


@pytest.mark.parametrize("args", [("balance", "ana"), ("book", "ana", "massage", "2026-11-27T10:00")])
def test_rule_modules_and_their_words_load_only_when_an_event_needs_them(sold, data_dir, args) -> None:  # type: ignore[no-untyped-def]
    _, modules = run_probe(f"--data-dir={data_dir}", "--now", "2026-11-20T09:00", *args)
    assert not CORRECTION_RULES & modules, sorted(CORRECTION_RULES & modules)
    assert not {name for name in modules if name.startswith("sessionpack.reports.") and name.endswith("_text")}


# Run by the console script's own route (``sessionpack.cli.entry.main``, no
# runpy), with modules the hot commands must not import made unimportable
# (an import of one fails the command): the development venv's editable
# install loads some of them before any command runs, so "not loaded
# afterwards" could not tell. Reports the modules loaded and the project's
# patterns compiled.
BLOCKING_PROBE = (
    "import sys\n"
    "blocked = sys.argv[1].split(',')\n"
    "saved = {name: sys.modules.pop(name, None) for name in blocked}\n"
    "sys.modules.update({name: None for name in blocked})\n"
    "before = set(sys.modules)\n"
    "sys.argv = ['sessionpack'] + sys.argv[2:]\n"
    "from sessionpack.cli.entry import main\n"
    "code = 0\n"
    "try:\n"
    "    main()\n"
    "except SystemExit as stop:\n"
    "    code = stop.code or 0\n"
    "except Exception as err:\n"
    "    code = f'{type(err).__name__}: {err}'\n"
    "loaded = sorted(set(sys.modules) - before)\n"
    "compiled = sorted(f'{name}.{attr}' for name, module in list(sys.modules.items()) if name.startswith('sessionpack') and module\n"
    "                  for attr, value in vars(module).items() if type(value).__name__ == 'LazyPattern' and value._compiled is not None)\n"
    "for name in blocked:\n"
    "    if name in sys.modules and sys.modules[name] is None:\n"
    "        del sys.modules[name]\n"
    "sys.modules.update({name: module for name, module in saved.items() if module is not None})\n"
    "sys.stdout.flush()\n"
    "import json\n"
    "sys.stderr.write('\\n' + json.dumps([code, loaded, compiled]) + '\\n')\n"
)

# Kept off the four hot commands (each costs a hot command more than a
# part of its work; see bench/README.md): contextlib (the store's
# transactions use storage/contexts.py), the importlib package (handler
# modules come in through __import__), copy (history folds the recorded
# events as they are, one booking plans on the views as read), base64 and
# binascii (access codes are written in base 32 directly), unicodedata (only
# slugify needs it), re and json (their text is read and written by
# sessionpack.jsontext, the launcher is the project's own script, and the
# patterns they need are checked without one), and the project's modules for
# what these commands did not do: run a hook, ask for confirmation, report a
# problem of a sale, share a package, value a sale that is only folded.
BLOCKED = ("contextlib", "importlib", "copy", "base64", "binascii", "unicodedata")
TEXT_MODULES = ("re", "json")  # (JSON output with its indent is json's own work)
OFF_THE_HOT_PATH = {"sessionpack.notify.hooks", "sessionpack.cli.confirm", "sessionpack.actions.problems", "sessionpack.domain.sharing"}
# A command that only reads looks for no hook, and values no sale it folds.
NOT_FOR_READS = {"sessionpack.notify", "sessionpack.domain.valuation"}
# The project's patterns each may compile (the rest answer without one:
# ids, printable text, shares of a credit, expiry rules).
MAY_COMPILE = {
    "balance": set(),
    "history": set(),
    "book": set(),
    "sell": set(),
}


@pytest.mark.parametrize("args", [*HOT, ("history", "ana")])
def test_the_hot_commands_import_neither_blocked_modules_nor_what_they_do_not_do(sold, data_dir, args) -> None:  # type: ignore[no-untyped-def]
    assert sold("book", "ana", "massage", "2026-11-26T10:00").exit_code == 0
    blocked = BLOCKED + (() if "json" in args else TEXT_MODULES)
    result = subprocess.run([sys.executable, "-c", BLOCKING_PROBE, ",".join(blocked), f"--data-dir={data_dir}",
                             "--now", "2026-11-20T09:00", *args], capture_output=True, text=True, timeout=60)
    *said, last = result.stderr.splitlines()
    code, loaded, compiled = json.loads(last)
    assert (code, [line for line in said if line]) == (0, [])
    assert result.stdout
    assert not set(loaded) & OFF_THE_HOT_PATH, sorted(set(loaded) & OFF_THE_HOT_PATH)
    if args[0] in ("balance", "history"):
        assert not set(loaded) & NOT_FOR_READS, sorted(set(loaded) & NOT_FOR_READS)
    assert set(compiled) <= MAY_COMPILE[args[0]], sorted(set(compiled) - MAY_COMPILE[args[0]])


def test_the_blocking_probe_sees_a_blocked_import(sold, data_dir) -> None:
    # The same probe, blocking a module the command needs: the command fails.
    result = subprocess.run([sys.executable, "-c", BLOCKING_PROBE, "decimal", f"--data-dir={data_dir}", "--now", "2026-11-20T09:00",
                             "balance", "ana"], capture_output=True, text=True, timeout=60)
    code, loaded, compiled = json.loads(result.stderr.splitlines()[-1])
    assert code == "ModuleNotFoundError: import of decimal halted; None in sys.modules"


def test_the_installed_script_imports_neither_re_nor_json(sold, data_dir) -> None:  # type: ignore[no-untyped-def]
    # The script pyproject.toml installs (not a generated entry point, which
    # imports re), run as the interpreter runs a script, re and json blocked.
    script = Path(__file__).resolve().parents[2] / "bin" / "sessionpack"
    probe = ("import sys\n"
             "sys.modules.update(re=None, json=None)\n"
             "sys.argv = sys.argv[1:]\n"
             "with open(sys.argv[0], encoding='utf-8') as handle:\n"
             "    code = compile(handle.read(), sys.argv[0], 'exec')\n"
             "exec(code, {'__name__': '__main__', '__file__': sys.argv[0]})\n")
    result = subprocess.run([sys.executable, "-c", probe, str(script), f"--data-dir={data_dir}", "--now", "2026-11-20T09:00",
                             "balance", "ana"], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (0, "")
    assert "ana.p1  5 massages  massage  5/5" in result.stdout
    assert script.read_text(encoding="utf-8").startswith("#!/usr/bin/env python3\n")


GC_PROBE = (
    "import gc, sys\n"
    "sys.argv = ['sessionpack'] + sys.argv[1:]\n"
    "from sessionpack.cli.entry import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "sys.stdout.flush()\n"
    "sys.stderr.write(f'\\n{gc.isenabled()} {gc.get_freeze_count() > 0}\\n')\n"
)


@pytest.mark.parametrize("args, quick", [(("balance", "ana"), True), (("sell", "ana", "five"), True),
                                         (("client", "list"), False), (("client", "show", "ana"), False)])
def test_the_quick_path_runs_without_the_cyclic_collector(sold, data_dir, args, quick) -> None:  # type: ignore[no-untyped-def]
    # The quick path turns the collector off and freezes what it made for the
    # exit; a command it leaves to Typer runs with the collector on.
    result = subprocess.run([sys.executable, "-c", GC_PROBE, f"--data-dir={data_dir}", "--now", "2026-11-20T09:00", *args],
                            capture_output=True, text=True, timeout=60)
    assert result.stdout
    assert result.stderr.splitlines()[-1] == ("False True" if quick else "True False")


def test_completing_an_id_imports_neither_re_nor_json(sold, data_dir) -> None:  # type: ignore[no-untyped-def]
    env = dict(os.environ, _SESSIONPACK_COMPLETE="complete_bash", COMP_WORDS=f"sessionpack --data-dir {data_dir} balance a",
               COMP_CWORD="4")
    for _ in range(2):  # the memo of names made, then read
        result = subprocess.run([sys.executable, "-c", BLOCKING_PROBE, ",".join(BLOCKED + TEXT_MODULES)], capture_output=True,
                                text=True, timeout=60, env=env)
        *said, last = result.stderr.splitlines()
        code, loaded, compiled = json.loads(last)
        assert (code, [line for line in said if line], result.stdout.split()) == (0, [], ["ana"])
        assert compiled == []
