"""Every command and sub-command has help with an example (sqlite-utils' test_docs)."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from sessionpack.cli.app import app


def _walk(command, path: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if not getattr(sub, "hidden", False):
            yield from _walk(sub, path + (name,))


COMMANDS = [path for path, _ in _walk(typer.main.get_command(app))]


def test_the_walk_finds_the_core_commands() -> None:
    for path in [("init",), ("check",), ("service",), ("service", "add"), ("service", "list"), ("service", "show"),
                 ("service", "edit"), ("service", "deactivate"), ("client",), ("client", "add"), ("client", "list"),
                 ("client", "show"), ("client", "edit")]:
        assert path in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "sessionpack")
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith(f"Usage: {' '.join(('sessionpack',) + path)} ")
    assert "Example" in result.stdout, f"'sessionpack {' '.join(path)} --help' shows no example"


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "sessionpack")
def test_every_help_fits_80_columns(path: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    """Help is read on a terminal of 80 columns: no line is longer, examples
    included (they are never wrapped, so a long one is broken by hand with
    a trailing backslash). The other tests run at 200 columns, where a long
    example went unnoticed."""
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert [line for line in result.stdout.splitlines() if len(line) > 80] == []


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "sessionpack")
def test_short_help_option(path: tuple[str, ...]) -> None:
    long = CliRunner().invoke(app, [*path, "--help"])
    short = CliRunner().invoke(app, [*path, "-h"])
    assert (short.exit_code, short.stdout) == (0, long.stdout)


def test_top_level_help_lists_the_exit_codes() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert (
        "Exit codes: 0 ok, 1 refused by a rule, 2 bad usage or input, "
        "3 data directory problem, 75 temporary (retry later), 70 internal error."
    ) in text
    for option in ("--data-dir", "--now", "--actor", "--version", "SESSIONPACK_DATA_DIR", "SESSIONPACK_NOW", "SESSIONPACK_ACTOR"):
        assert option in result.stdout
