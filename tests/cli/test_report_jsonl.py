"""Every report takes --format jsonl: its rows, one JSON object per line,
the same objects as the ``rows`` of --format json (docs/formats.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sessionpack.cli.app import app

EXAMPLE = Path(__file__).resolve().parents[2] / "data-example"
REPORTS = [
    ("report", "bookings"),
    ("report", "bookings", "--unmarked"),
    ("report", "sales", "--from", "2026-01-01", "--to", "2026-03-31"),
    ("report", "usage", "--from", "2026-02-01", "--to", "2026-02-28"),
    ("report", "outstanding"),
    ("report", "expiring"),
    ("report", "liability", "--from", "2026-01-01", "--to", "2026-03-31"),
    ("report", "liability", "--as-of", "2026-02-28"),
]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("jsonl") / "practice"
    shutil.copytree(EXAMPLE, copy)
    return copy


@pytest.mark.parametrize("args", REPORTS, ids=" ".join)
def test_jsonl_is_the_rows_of_json(example: Path, args: tuple[str, ...]) -> None:
    def run(fmt: str) -> str:
        result = CliRunner().invoke(app, ["--data-dir", str(example), "--now", "2026-03-02T09:00", *args, "--format", fmt])
        assert (result.exit_code, result.stderr) == (0, "")
        return result.stdout

    rows = json.loads(run("json"))["rows"]
    lines = run("jsonl").splitlines()
    assert rows and [json.loads(line) for line in lines] == rows
    assert all(line.startswith("{") and line.endswith("}") for line in lines)
