"""Shared fixtures: every test runs isolated from the user's environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import typer.testing
from typer.main import get_command

from sessionpack.cli.app import app

NOW = "2026-11-20T09:00:00"

_BUILT: dict[int, tuple[object, object]] = {}


def _get_command_once(typer_app):  # type: ignore[no-untyped-def]
    """Typer's ``get_command``, made once per application and test process.

    Building every command of the application takes longer than most
    commands run (about 60 ms), and the suite runs thousands of commands
    in-process. What it builds does not change between runs: a command
    declared through ``cli/declare.py`` looks its function up when called
    (so a test may still replace it), and the others are fixed when their
    module is imported."""
    known = _BUILT.get(id(typer_app))
    if known is None or known[0] is not typer_app:
        known = _BUILT[id(typer_app)] = (typer_app, get_command(typer_app))
    return known[1]


typer.testing._get_command = _get_command_once  # what typer's CliRunner.invoke builds the command with


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("SESSIONPACK_"):
            monkeypatch.delenv(name)
    for name in ("PAGER", "LESS", "NO_COLOR"):  # the user's pager and colour choices are not the tests'
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("SESSIONPACK_ACTOR", "tester")
    monkeypatch.setenv("SESSIONPACK_LOCK_TIMEOUT", "5")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.setenv("SESSIONPACK_CACHE_DIR", str(tmp_path / "cache"))


class Runner:
    """Run the CLI in-process (CliRunner) or as a real subprocess."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.cli = CliRunner()

    def __call__(self, *args: str, now: str | None = NOW, input: str | None = None):  # type: ignore[no-untyped-def]
        argv = ["--data-dir", str(self.data_dir)]
        if now:
            argv += ["--now", now]
        return self.cli.invoke(app, argv + list(args), input=input)

    def proc(self, *args: str, now: str | None = NOW, env: dict | None = None, timeout: float = 60, input: str | None = None):  # type: ignore[no-untyped-def]
        argv = [sys.executable, "-m", "sessionpack", "--data-dir", str(self.data_dir)]
        if now:
            argv += ["--now", now]
        full_env = dict(os.environ)
        full_env.update(env or {})
        return subprocess.run(argv + list(args), capture_output=True, text=True, env=full_env, timeout=timeout, input=input)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "practice"


EXAMPLE = Path(__file__).resolve().parent.parent / "data-example"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of data-example/ to change freely (a test file may keep its own)."""
    copy = tmp_path / "practice"
    shutil.copytree(EXAMPLE, copy)
    return copy


@pytest.fixture
def sp(data_dir: Path) -> Runner:
    """A runner over an uninitialised data directory."""
    return Runner(data_dir)


@pytest.fixture
def practice(sp: Runner) -> Runner:
    """A runner over an initialised practice (EUR, Europe/Lisbon) with two services and a client."""
    for args in (
        ("init", "--name", "Studio Test", "--currency", "EUR", "--timezone", "Europe/Lisbon"),
        ("service", "add", "massage", "--name", "Massage 60", "--duration", "60", "--price", "90"),
        ("service", "add", "thai", "--name", "Thai massage", "--duration", "90", "--price", "120", "--tax", "23"),
        ("client", "add", "ana", "--name", "Ana Lima", "--email", "ana@example.com"),
    ):
        result = sp(*args)
        assert result.exit_code == 0, (args, result.output, result.stderr)
    return sp
