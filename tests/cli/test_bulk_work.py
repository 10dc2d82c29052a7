"""The commands that handle a whole file or a whole practice run as bulk
work (cli/output.bulk_work): the bulk JSON engine engaged and the cyclic
collector held off while they work, and the collector back on after."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from sessionpack import jsontext
from sessionpack.cli import output
from sessionpack.cli.output import bulk_work


@pytest.fixture
def engine_as_it_was() -> Any:
    was = jsontext.engaged()
    yield
    (jsontext.engage if was else jsontext.disengage)()


def test_bulk_work_engages_the_engine_and_holds_the_collector_off(engine_as_it_was: None) -> None:
    jsontext.disengage()
    assert gc.isenabled()
    with bulk_work():
        assert jsontext.engaged() and not gc.isenabled()
    assert jsontext.engaged() and gc.isenabled()
    with pytest.raises(ZeroDivisionError), bulk_work():
        1 / 0
    assert gc.isenabled()


@pytest.mark.parametrize("args", [
    ("sell", "--csv", "{sales}"),
    ("sell", "--csv", "{sales}", "--dry-run"),
    ("client", "add", "--csv", "{clients}"),
    ("report", "outstanding"),
    ("report", "liability"),
    ("report", "liability", "--as-of", "2026-11-20"),
    ("notify", "--dry-run"),
    ("notify",),
], ids=" ".join)
def test_a_command_of_a_whole_file_or_practice_works_as_bulk_work(practice, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                                 engine_as_it_was: None, args: tuple[str, ...]) -> None:
    assert practice("package", "create", "five", "--name", "Five massages", "--service", "massage=5", "--price", "400").exit_code == 0
    sales = tmp_path / "sales.csv"
    sales.write_text("client,package,ref\nana,five,shop-1\n", encoding="utf-8")
    clients = tmp_path / "clients.csv"
    clients.write_text("id,name,email\nbea,Bea Reis,bea@example.com\n", encoding="utf-8")
    seen: list[tuple[bool, bool]] = []
    enter = bulk_work.__enter__

    def watched(self: Any) -> None:
        enter(self)
        seen.append((jsontext.engaged(), gc.isenabled()))

    monkeypatch.setattr(output.bulk_work, "__enter__", watched)
    jsontext.disengage()
    result = practice(*(a.format(sales=sales, clients=clients) for a in args))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert seen == [(True, False)]
    assert gc.isenabled()
