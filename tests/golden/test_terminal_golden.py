"""What a person sees on a real terminal: every table fits 80 and 120
columns without cutting an id, a date or an amount, and the 80-column
output of the main commands is pinned in golden files (NAME.80.out, on
data-example/ at a fixed --now, with NO_COLOR).

Refresh them, after a deliberate change, as the other golden files:

    SESSIONPACK_REFRESH_GOLDEN=1 .venv/bin/python -m pytest -q tests/golden
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from proc_util import project_env, run_on_pty

HERE = Path(__file__).parent
EXAMPLE = HERE.parent.parent / "data-example"
NOW = "2026-03-02T09:00"
REFRESH = os.environ.get("SESSIONPACK_REFRESH_GOLDEN") == "1"

SCREENS = {
    "balance": ("balance",),
    "balance-bruno": ("balance", "bruno"),
    "history-bruno": ("history", "bruno"),
    "client-list": ("client", "list"),
    "client-show-bruno": ("client", "show", "bruno"),
    "package-list": ("package", "list", "--all"),
    "service-list": ("service", "list"),
    "report-bookings": ("report", "bookings"),
    "report-sales": ("report", "sales", "--from", "2026-01-01", "--to", "2026-03-31"),
    "report-usage": ("report", "usage", "--from", "2026-02-01", "--to", "2026-02-28"),
    "report-outstanding": ("report", "outstanding"),
    "report-liability": ("report", "liability", "--from", "2026-01-01", "--to", "2026-03-31"),
    "statement-bruno": ("statement", "bruno"),
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("terminal") / "data-example"
    shutil.copytree(EXAMPLE, copy)
    return copy


def screen(example: Path, args: tuple[str, ...], columns: int) -> str:
    env = project_env({"NO_COLOR": "1", "SESSIONPACK_NOW": NOW})
    code, out = run_on_pty([sys.executable, "-m", "sessionpack", "--data-dir", str(example), *args], env, columns=columns, rows=500)
    text = out.decode("utf-8").replace("\r\n", "\n")
    assert code == 0, text
    return text


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_80_columns(name: str, example: Path) -> None:
    text = screen(example, SCREENS[name], 80)
    assert "\x1b" not in text  # NO_COLOR: not even bold
    for line in text.splitlines():
        assert len(line) <= 80, line
    golden = HERE / f"{name}.80.out"
    if REFRESH:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["balance", "history-bruno", "report-sales", "statement-bruno"])
def test_120_columns_fit_and_keep_every_id(name: str, example: Path) -> None:
    text = ANSI.sub("", screen(example, SCREENS[name], 120))
    for line in text.splitlines():
        assert len(line) <= 120, line
    narrow = (HERE / f"{name}.80.out").read_text(encoding="utf-8")
    ids = set(re.findall(r"\b[a-z]+\.[pb][0-9]+\b", narrow)) | set(re.findall(r"\b[0-9]+\.[0-9]{2}\b", narrow))
    assert ids and all(token in text for token in ids)  # the same ids and amounts, whole, at any width


LONG = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"  # an id of 64 characters, the longest there is


@pytest.mark.parametrize("args", [("client", "show", LONG), ("report", "liability", "--as-of", "2026-03-02"),
                                  ("balance", LONG), ("history", LONG), ("statement", LONG), ("report", "sales")], ids=" ".join)
def test_the_longest_id_fits_80_columns_whole(tmp_path: Path, args: tuple[str, ...]) -> None:
    from typer.testing import CliRunner

    from sessionpack.cli.app import app

    copy = tmp_path / "data-example"
    shutil.copytree(EXAMPLE, copy)
    for step in (("client", "add", LONG, "--name", "Long id person"), ("sell", LONG, "physio-10")):
        assert CliRunner().invoke(app, ["--data-dir", str(copy), "--now", NOW, *step]).exit_code == 0
    text = screen(copy, args, 80)
    for line in text.splitlines():
        assert len(line) <= 80, line
    assert LONG in text  # whole, on a line of its own if need be
