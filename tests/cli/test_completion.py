"""Shell completion offers ids: clients (and names), packages, client
packages, bookings (those to come first) and services, in bash, zsh and fish."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_util import ok
from proc_util import project_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    for args in (("client", "add", "bea", "--name", "Beatriz Gonçalves"), ("client", "add", "bruno", "--name", "Bruno Reis"),
                 ("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400"),
                 ("package", "create", "credit", "--name", "Credit", "--pool", "money=300", "--price", "300"),
                 ("sell", "ana", "five"), ("sell", "ana", "credit"),
                 ("book", "ana", "massage", "2026-12-08T10:00"), ("book", "ana", "massage", "2026-12-01T10:00"),
                 ("book", "ana", "thai", "2026-11-10T10:00", "--no-package")):
        ok(practice(*args, now="2026-11-01T09:00"))
    return practice


def ask(data_dir: Path, shell: str, words: str) -> list[str]:
    """The candidates sessionpack gives a shell's completion script for ``words``."""
    env = project_env({"SESSIONPACK_DATA_DIR": str(data_dir), "SESSIONPACK_NOW": "2026-11-20T09:00",
                       "_SESSIONPACK_COMPLETE": f"complete_{shell}"})
    argv = [sys.executable, "-m", "sessionpack"]
    if shell == "bash":
        parts = words.split(" ")
        env.update(COMP_WORDS=words, COMP_CWORD=str(len(parts) - 1))
    else:
        env["_TYPER_COMPLETE_ARGS"] = words
        if shell == "fish":
            env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60).stdout
    if shell == "zsh":  # _arguments '*: :(("ana":"Ana Lima" ...))'
        inner = out.split("((", 1)[1].rsplit("))", 1)[0] if "((" in out else ""
        return [item.split('":"')[0].strip('"') for item in inner.split("\n")] if inner else []
    if shell == "fish":  # value<TAB>help per line
        return [line.split("\t")[0] for line in out.splitlines() if line]
    return [line for line in out.splitlines() if line]


CASES = [
    ("sessionpack balance b", ["bea", "bruno"]),
    ("sessionpack balance gon", ["bea"]),  # by name, accents ignored
    ("sessionpack history ana.p", ["ana.p1", "ana.p2"]),
    ("sessionpack cancel ana.b", ["ana.b2", "ana.b1", "ana.b3"]),  # to come (soonest first), then the rest
    ("sessionpack sell ana ", ["credit", "five"]),
    ("sessionpack book ana ", ["massage", "thai"]),
    ("sessionpack adjust an", ["ana.p1", "ana.p2"]),
    ("sessionpack client show br", ["bruno"]),
    ("sessionpack package show f", ["five"]),
    ("sessionpack service show m", ["massage"]),
    ("sessionpack book ana massage 2026-12-02T10:00 --package ana.p", ["ana.p1", "ana.p2"]),
]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize("words, expected", CASES, ids=[c[0].split(" ", 1)[1] for c in CASES])
def test_completion_offers_ids(shop, data_dir: Path, shell: str, words: str, expected: list[str]) -> None:
    assert ask(data_dir, shell, words) == expected


def test_the_bash_script_completes_ids_in_a_real_bash(shop, data_dir: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "sessionpack"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m sessionpack \"$@\"\n")
    shim.chmod(0o755)
    env = project_env({"SESSIONPACK_DATA_DIR": str(data_dir), "SESSIONPACK_NOW": "2026-11-20T09:00",
                       "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    script = (f"source {ROOT / 'completions' / 'sessionpack.bash'}; COMP_WORDS=(sessionpack cancel ana.b); COMP_CWORD=2; "
              "_sessionpack_completion sessionpack; printf '%s\\n' \"${COMPREPLY[@]}\"")
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout.split() == ["ana.b2", "ana.b1", "ana.b3"], done.stderr


def test_the_scripts_in_completions_are_the_ones_sessionpack_makes() -> None:
    for shell in ("bash", "zsh", "fish"):
        env = project_env({"_SESSIONPACK_COMPLETE": f"source_{shell}"})
        made = subprocess.run([sys.executable, "-m", "sessionpack"], capture_output=True, text=True, env=env, timeout=60).stdout
        made = made.replace(f"{sys.executable} -m sessionpack", "sessionpack")
        assert (ROOT / "completions" / f"sessionpack.{shell}").read_text() == made, shell


def test_client_names_are_read_from_a_memo_in_the_cache_directory(shop, practice, data_dir: Path) -> None:
    from tree import tree_hash

    before = tree_hash(data_dir)
    assert ask(data_dir, "bash", "sessionpack balance b") == ["bea", "bruno"]
    assert tree_hash(data_dir) == before  # nothing written in the data directory
    [memo] = (Path(os.environ["SESSIONPACK_CACHE_DIR"]) / "names").glob("*.txt")
    head, *lines = memo.read_text(encoding="utf-8").splitlines()
    assert head.startswith(f"sessionpack names 1\t{os.path.realpath(data_dir)}\t")
    assert lines[1:] == ["bea\tBeatriz Gonçalves\tbeatriz goncalves", "bruno\tBruno Reis\tbruno reis"]
    # While the directory view is the file the memo was made from, the memo is what is read.
    memo.write_text(f"{head}\nzed\tZed Zed\tzed zed\n", encoding="utf-8")
    assert ask(data_dir, "bash", "sessionpack balance z") == ["zed"]
    # A client added since changes the directory view: the memo is made again.
    ok(practice("client", "add", "bia", "--name", "Bia Lopes"))
    assert ask(data_dir, "bash", "sessionpack balance b") == ["bea", "bia", "bruno"]
    assert ask(data_dir, "bash", "sessionpack balance z") == []
    # A damaged memo is made again too.
    memo.write_text("sessionpack names 1\tnot this", encoding="utf-8")
    assert ask(data_dir, "bash", "sessionpack balance gon") == ["bea"]
    assert memo.read_text(encoding="utf-8").splitlines()[0] != "sessionpack names 1\tnot this"
