"""Golden files: each report and statement on data-example/ at a fixed --now,
compared byte for byte with tests/golden/NAME.out.

After a deliberate change of a report's output, refresh them with

    SESSIONPACK_REFRESH_GOLDEN=1 .venv/bin/python -m pytest -q tests/golden

and review the diff (``git diff tests/golden``) before committing it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sessionpack.cli.app import app

HERE = Path(__file__).parent
EXAMPLE = HERE.parent.parent / "data-example"
NOW = "2026-03-02T09:00"
REFRESH = os.environ.get("SESSIONPACK_REFRESH_GOLDEN") == "1"  # read before the fixtures clear SESSIONPACK_* variables

CASES = {
    "bookings": ("report", "bookings"),
    "bookings-unmarked": ("report", "bookings", "--unmarked"),
    "bookings-json": ("report", "bookings", "--from", "2026-02-16", "--to", "2026-02-22", "--format", "json"),
    "sales": ("report", "sales", "--from", "2026-01-01", "--to", "2026-03-31"),
    "sales-csv": ("report", "sales", "--from", "2026-01-01", "--to", "2026-03-31", "--format", "csv"),
    "usage": ("report", "usage", "--from", "2026-01-01", "--to", "2026-02-28"),
    "usage-json": ("report", "usage", "--from", "2026-02-01", "--to", "2026-02-28", "--format", "json"),
    "outstanding": ("report", "outstanding"),
    "outstanding-json": ("report", "outstanding", "--format", "json"),
    "expiring": ("report", "expiring", "--within", "60"),
    "liability-month": ("report", "liability", "--from", "2026-01-01", "--to", "2026-03-31"),
    "liability-month-json": ("report", "liability", "--from", "2026-01-01", "--to", "2026-03-31", "--format", "json"),
    "liability-package": ("report", "liability", "--from", "2026-01-01", "--to", "2026-03-31", "--by", "package"),
    "liability-client": ("report", "liability", "--from", "2026-01-01", "--to", "2026-03-31", "--by", "client"),
    "liability-service": ("report", "liability", "--from", "2026-01-01", "--to", "2026-03-31", "--by", "service", "--format", "csv"),
    "liability-as-of": ("report", "liability", "--as-of", "2026-02-28"),
    "statement-ana": ("statement", "ana"),
    "statement-bruno-text": ("statement", "bruno", "--format", "text"),
    "statement-carla-md": ("statement", "carla", "--format", "md"),
    "statement-eva-json": ("statement", "eva", "--format", "json"),
    "statement-bruno-period-csv": ("statement", "bruno", "--package", "bruno.p1", "--from", "2026-02-01", "--to", "2026-02-28", "--format", "csv"),
    "statement-diogo": ("statement", "diogo"),
}


def _tree(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("golden") / "data-example"
    shutil.copytree(EXAMPLE, copy)
    return copy


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, example: Path) -> None:
    before = _tree(example)
    result = CliRunner().invoke(app, ["--data-dir", str(example), "--now", NOW, *CASES[name]])
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    golden = HERE / f"{name}.out"
    if REFRESH:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")
    assert _tree(example) == before  # a report only reads


def test_the_same_data_and_clock_give_the_same_statement_bytes(example: Path) -> None:
    runs = [CliRunner().invoke(app, ["--data-dir", str(example), "--now", NOW, "statement", "carla", "--format", fmt]).stdout
            for fmt in ("text", "md", "text", "md")]
    assert runs[0] == runs[2] and runs[1] == runs[3]
