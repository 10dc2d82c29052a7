"""``balance --code`` for people and for programs: on a real terminal the
balance columns of ``balance`` fitted to its width, then the sessions booked
on the package; in CSV and TSV, documented columns with one value each
(docs/formats.md), never a list flattened into one cell.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from proc_util import project_env, run_on_pty

EXAMPLE = Path(__file__).resolve().parents[2] / "data-example"
NOW = "2026-03-02T09:00"


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the example practice, and a fresh access code for bruno.p1."""
    copy = tmp_path_factory.mktemp("code") / "practice"
    shutil.copytree(EXAMPLE, copy)
    code, out = run_on_pty([sys.executable, "-m", "sessionpack", "--data-dir", str(copy), "--now", NOW, "--no-hooks",
                            "code", "reset", "bruno.p1", "--format", "json"], project_env(), columns=200)
    assert code == 0, out
    return copy, json.loads(out.decode("utf-8"))["code"]


def on_terminal(coded: tuple[Path, str], columns: int, *extra: str) -> str:
    root, code = coded
    status, out = run_on_pty([sys.executable, "-m", "sessionpack", "--data-dir", str(root), "--now", NOW,
                              "balance", "--code", code, *extra], project_env({"NO_COLOR": "1"}), columns=columns, rows=200)
    text = out.decode("utf-8").replace("\r\n", "\n")
    assert status == 0, text
    return text


def test_80_columns(coded) -> None:  # type: ignore[no-untyped-def]
    assert on_terminal(coded, 80) == (
        "bruno.p1 (10 physiotherapy sessions) at 2026-03-02 09:00\n"
        "item   left  booked  valid      status\n"
        "─────  ────  ──────  ─────────  ──────\n"
        "count  1/10  3       to 14 Apr  active\n"
        "\n"
        "Booked, not yet marked\n"
        "when              service                minutes  draws\n"
        "────────────────  ─────────────────────  ───────  ───────\n"
        "Wed 25 Feb 18:00  Physiotherapy session  45       1 count\n"
        "Wed 4 Mar 18:00   Physiotherapy session  45       1 count\n"
        "Thu 5 Mar 18:00   Physiotherapy session  45       1 count\n")


def test_wide_adds_the_figures(coded) -> None:  # type: ignore[no-untyped-def]
    lines = on_terminal(coded, 120, "--wide").splitlines()
    assert lines[1].split() == ["item", "left", "booked", "valid", "status", "total", "used", "scheduled", "taken", "out",
                                "remaining"]
    assert lines[3] == "count  1/10  3       to 14 Apr  active  10     4 + 2 forfeited  3          0          1"


def test_a_narrow_terminal_cuts_no_date_and_no_amount(coded) -> None:  # type: ignore[no-untyped-def]
    text = on_terminal(coded, 36, "--wide")
    assert all(len(line) <= 36 for line in text.splitlines()), text
    assert text.startswith("bruno.p1 (10 physiotherapy sessions)\nat 2026-03-02 09:00\nitem count\n")
    for whole in ("to 14 Apr", "4 + 2 forfeited", "1/10", "Wed 25 Feb 18:00", "Thu 5 Mar 18:00", "1 count",
                  "service: Physiotherapy session"):
        assert whole in text, whole


def test_csv_and_tsv_rows(coded) -> None:  # type: ignore[no-untyped-def]
    root, code = coded
    from typer.testing import CliRunner

    from sessionpack.cli.app import app

    out = CliRunner().invoke(app, ["--data-dir", str(root), "--now", NOW, "balance", "--code", code, "--format", "csv"])
    assert (out.exit_code, out.stderr) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [(r["row"], r["item"], r["remaining"], r["start"]) for r in rows] == [
        ("balance", "count", "1", ""),
        ("session", "count", "", "2026-02-25T18:00:00+00:00"),
        ("session", "count", "", "2026-03-04T18:00:00+00:00"),
        ("session", "count", "", "2026-03-05T18:00:00+00:00"),
    ]
    assert rows[0] == {"row": "balance", "id": "bruno.p1", "package": "physio-10", "name": "10 physiotherapy sessions",
                       "item": "count", "total": "10", "adjusted": "0", "used": "4", "forfeited": "2", "scheduled": "3",
                       "transferred": "0", "voided": "0", "expired": "0", "remaining": "1", "expires": "2026-04-14",
                       "starts_at_first_use": "no", "status": "active", "start": "", "service": "", "service_name": "",
                       "duration": "", "amount": ""}
    assert rows[1]["service"] == "physio" and rows[1]["service_name"] == "Physiotherapy session"
    assert (rows[1]["duration"], rows[1]["amount"]) == ("45", "1")
    tsv = CliRunner().invoke(app, ["--data-dir", str(root), "--now", NOW, "balance", "--code", code, "--format", "tsv"])
    assert tsv.exit_code == 0
    assert [line.split("\t") for line in tsv.stdout.splitlines()] == [
        [cell for cell in line.split(",")] for line in out.stdout.splitlines()]
    assert "bruno@" not in out.stdout and "Bruno" not in out.stdout
