"""Commands read from the end of the journal (storage/commands.py): each
command's events oldest first, a long one (a file of sales) as a short
one, whichever way it is read, and the same events json reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Runner
from sessionpack import jsontext
from sessionpack.storage import commands, layout


@pytest.fixture
def long_command(practice: Runner, data_dir: Path, tmp_path: Path) -> Path:
    ok = practice("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400")
    assert ok.exit_code == 0
    sales = tmp_path / "sales.csv"
    rows = commands.LONG_COMMAND  # a client added and a sale each: twice as many events
    sales.write_text("client,name,package,ref\n" + "".join(f"c{n},Client {n},five,r{n}\n" for n in range(rows)))
    result = practice("sell", "--csv", str(sales), "--create-clients")
    assert result.exit_code == 0, result.stderr
    assert practice("sell", "ana", "five").exit_code == 0
    return data_dir


@pytest.mark.parametrize("engaged", [False, True])
def test_a_long_command_is_read_oldest_first_either_way(long_command: Path, engaged: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsontext, "_fast_encode", jsontext._fast_encode)  # (the engine as it was, after the test)
    monkeypatch.setattr(jsontext, "_fast_decode", jsontext._fast_decode)
    jsontext.disengage()
    if engaged:
        jsontext.engage()
    journal = long_command / layout.JOURNAL
    lines = [json.loads(line) for line in journal.read_bytes().splitlines()[1:]]
    end = journal.stat().st_size
    found = list(commands.backwards(str(long_command), end))
    assert found[0] == lines[-1:]  # the last sale, one event
    assert found[1] == lines[-1 - 2 * commands.LONG_COMMAND:-1]  # the file of sales: every event, oldest first
    assert [e["seq"] for group in reversed(found) for e in group] == [e["seq"] for e in lines]
    middle = lines[-1 - commands.LONG_COMMAND]["seq"]
    assert commands.command_at(str(long_command), middle, end) == found[1]
    assert commands.command_id(found[1]) == f"c{found[1][0]['seq']}"
    assert jsontext.engaged()  # a long command is read by the bulk engine
