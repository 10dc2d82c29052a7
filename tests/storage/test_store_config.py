"""Hand-edited TOML gone wrong, and data directories that are missing or not ours."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from storage_util import cli, inproc, run, snapshot

SERVICE_SYNTAX_ERROR = 'name = "Massage 60"\nduration = 60\nprice = = "90"\n'
SERVICE_BAD_VALUE = 'name = "Massage 60"\nprice = "90"\nduration = "abc"\n'


def problems(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["problem"] for row in json.loads(result.stdout)]


# -- services/ID.toml --------------------------------------------------------------


def test_service_file_with_a_syntax_error(practice, data_dir: Path) -> None:
    (data_dir / "services" / "massage.toml").write_text(SERVICE_SYNTAX_ERROR)
    before = snapshot(data_dir)
    result = run(data_dir, "service", "list")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: services/massage.toml:3: TOML syntax error: ")
    assert result.stderr.endswith("; fix the line and run the command again\n")
    assert result.stderr.count("\n") == 1
    checked = inproc(data_dir, "check", "--format", "json")
    assert checked.returncode == 3
    (problem,) = problems(checked)
    assert problem.startswith("services/massage.toml:3: TOML syntax error: ")
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("tail", ['note = """never closed\n', 'tags = ["a",'])
def test_a_syntax_error_at_the_end_of_a_file_names_its_last_line(practice, data_dir: Path, tail: str) -> None:
    """The TOML reader says "at end of document" with no line: the message
    names the file's last line, where the reader stopped."""
    path = data_dir / "services" / "massage.toml"
    text = path.read_text() + tail
    path.write_text(text)
    last = len(text.splitlines())
    result = run(data_dir, "service", "list")
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: services/massage.toml:{last}: TOML syntax error: ")
    assert "(at the end of the file); fix the line and run the command again\n" in result.stderr


def test_service_file_with_a_bad_value(practice, data_dir: Path) -> None:
    (data_dir / "services" / "massage.toml").write_text(SERVICE_BAD_VALUE)
    before = snapshot(data_dir)
    result = run(data_dir, "service", "list")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "error: services/massage.toml:3: duration: duration must be whole minutes, e.g. 60, not 'abc'; "
        "fix it and run the command again\n"
    )
    assert snapshot(data_dir) == before


def test_check_lists_every_bad_catalog_file_at_once(practice, data_dir: Path) -> None:
    (data_dir / "services" / "massage.toml").write_text(SERVICE_BAD_VALUE)
    (data_dir / "services" / "thai.toml").write_text(SERVICE_SYNTAX_ERROR)
    before = snapshot(data_dir)
    checked = inproc(data_dir, "check", "--format", "json")
    assert checked.returncode == 3
    found = problems(checked)
    assert [p.split(": ")[0] for p in found] == ["services/massage.toml:3", "services/thai.toml:3"]
    assert snapshot(data_dir) == before


# -- settings.toml --------------------------------------------------------------------


def test_settings_with_a_syntax_error(practice, data_dir: Path) -> None:
    settings = data_dir / "settings.toml"
    lines = settings.read_text().splitlines(keepends=True)
    assert lines[4].startswith("name = ")
    lines[4] = 'name = "Studio Test\n'  # unterminated string on line 5
    settings.write_text("".join(lines))
    before = snapshot(data_dir)
    for args in (["client", "list"], ["client", "add", "bob", "--name", "Bob"], ["check"]):
        result = cli(data_dir, *args)
        assert result.returncode == 3, args
        assert result.stderr.startswith("error: settings.toml:5: TOML syntax error: "), args
        assert result.stderr.endswith("; fix the line and run the command again\n"), args
    assert snapshot(data_dir) == before


def test_settings_with_a_bad_value(practice, data_dir: Path) -> None:
    settings = data_dir / "settings.toml"
    text = settings.read_text()
    settings.write_text(text.replace('timezone = "Europe/Lisbon"', 'timezone = "Mars/Olympus"', 1))
    before = snapshot(data_dir)
    result = run(data_dir, "client", "add", "bob", "--name", "Bob")
    assert result.returncode == 3
    assert result.stderr.startswith("error: settings.toml:7: practice.timezone: unknown time zone 'Mars/Olympus'")
    assert result.stderr.endswith("; fix it and run the command again\n")
    assert snapshot(data_dir) == before


# -- missing, empty and foreign directories ----------------------------------------------


@pytest.mark.parametrize("args", [("client", "list"), ("client", "add", "ana", "--name", "Ana")])
def test_missing_directory(sp, data_dir: Path, args: tuple[str, ...]) -> None:
    result = run(data_dir, *args)
    assert result.returncode == 3
    assert result.stderr == (
        f"error: data directory {data_dir} does not exist; create it with 'sessionpack init' "
        "or point --data-dir / SESSIONPACK_DATA_DIR at yours\n"
    )
    assert not data_dir.exists()  # never created as a side effect


@pytest.mark.parametrize("args", [("client", "list"), ("client", "add", "ana", "--name", "Ana"), ("check",)])
def test_empty_directory_is_not_an_empty_practice(sp, data_dir: Path, args: tuple[str, ...]) -> None:
    data_dir.mkdir()
    result = cli(data_dir, *args)
    assert result.returncode == 3
    assert result.stderr == (
        f"error: {data_dir} is not a sessionpack data directory (no settings.toml); create one with 'sessionpack init' "
        "or point --data-dir / SESSIONPACK_DATA_DIR at yours\n"
    )
    assert os.listdir(data_dir) == []


def test_init_refuses_a_foreign_non_empty_directory(sp, data_dir: Path) -> None:
    data_dir.mkdir()
    os.chmod(data_dir, 0o755)
    (data_dir / "notes.txt").write_text("mine\n")
    before = snapshot(data_dir)
    result = run(data_dir, "init")
    assert result.returncode == 3
    assert result.stderr == (
        f"error: {data_dir} is not empty and is not a sessionpack data directory; choose an empty or new directory\n"
    )
    assert snapshot(data_dir) == before
    assert os.stat(data_dir).st_mode & 0o777 == 0o755  # not even its mode changed


def test_init_refuses_a_file(sp, data_dir: Path) -> None:
    data_dir.write_text("a file\n")
    result = run(data_dir, "init")
    assert result.returncode == 3
    assert result.stderr == f"error: {data_dir} exists and is not a directory; choose another --data-dir\n"
    assert data_dir.read_text() == "a file\n"


def test_init_twice_changes_nothing(practice, data_dir: Path) -> None:
    before = snapshot(data_dir)
    result = run(data_dir, "init")
    assert result.returncode == 1
    assert result.stderr == f"error: {data_dir} is already a sessionpack data directory; nothing was changed\n"
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("bad_id", ["../settings", "Ana", "a/b", ".hidden", "x--y"])
def test_ids_are_checked_before_they_become_paths(practice, data_dir: Path, bad_id: str) -> None:
    before = snapshot(data_dir)
    for args in (["client", "add", bad_id, "--name", "X"], ["client", "show", bad_id]):
        result = inproc(data_dir, *args)
        assert result.returncode == 2, args
        assert f"client id {bad_id!r} is not valid" in result.stderr, args
    assert snapshot(data_dir) == before
