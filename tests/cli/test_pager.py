"""Long output goes through a pager on a terminal, as git does; never in a pipe."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from proc_util import project_env, run_on_pty

EXAMPLE = Path(__file__).resolve().parents[2] / "data-example"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    copy = tmp_path / "data-example"
    shutil.copytree(EXAMPLE, copy)
    return copy


def on_terminal(example: Path, *args: str, rows: int = 10, **env: str) -> tuple[int, str]:
    full = project_env({"SESSIONPACK_NOW": "2026-03-02T09:00", "NO_COLOR": "1", **env})
    for name in [k for k in ("SESSIONPACK_PAGER", "PAGER") if k not in env]:
        full.pop(name, None)
    code, out = run_on_pty([sys.executable, "-m", "sessionpack", "--data-dir", str(example), *args], full, rows=rows)
    return code, out.decode().replace("\r\n", "\n")


def test_output_taller_than_the_terminal_goes_through_the_pager(example: Path, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    code, seen = on_terminal(example, "history", "bruno", SESSIONPACK_PAGER=f"cat > {paged}")
    assert code == 0 and seen == ""
    assert paged.read_text().startswith("History of bruno\n") and len(paged.read_text().splitlines()) > 10
    # PAGER is used when SESSIONPACK_PAGER is not set; SESSIONPACK_PAGER wins over it.
    other = tmp_path / "other.txt"
    on_terminal(example, "history", "bruno", PAGER=f"cat > {other}")
    assert other.read_text() == paged.read_text()
    on_terminal(example, "history", "bruno", PAGER=f"cat > {tmp_path / 'not.txt'}", SESSIONPACK_PAGER=f"cat > {paged}")
    assert not (tmp_path / "not.txt").exists()


def test_no_pager_for_what_fits_or_when_asked(example: Path, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    code, seen = on_terminal(example, "client", "list", rows=40, SESSIONPACK_PAGER=f"cat > {paged}")
    assert code == 0 and seen.startswith("Clients\n") and not paged.exists()
    code, seen = on_terminal(example, "--no-pager", "history", "bruno", SESSIONPACK_PAGER=f"cat > {paged}")
    assert code == 0 and seen.startswith("History of bruno\n") and not paged.exists()
    code, seen = on_terminal(example, "history", "bruno", SESSIONPACK_PAGER="")
    assert seen.startswith("History of bruno\n")


def test_a_pager_that_cannot_run_still_shows_everything(example: Path) -> None:
    code, seen = on_terminal(example, "history", "bruno", SESSIONPACK_PAGER="no-such-pager-here")
    assert code == 0 and "History of bruno\n" in seen and "bruno.b1" in seen


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_no_escape_codes_with_no_color_or_a_dumb_terminal(example: Path, env: dict) -> None:
    full = project_env({"SESSIONPACK_NOW": "2026-03-02T09:00", "SESSIONPACK_PAGER": "", **env})
    if "NO_COLOR" not in env:
        full.pop("NO_COLOR", None)
    code, out = run_on_pty([sys.executable, "-m", "sessionpack", "--data-dir", str(example), "balance"], full)
    assert code == 0 and b"\x1b" not in out and b"bruno.p1" in out
    full.pop("NO_COLOR", None)
    full["TERM"] = "xterm-256color"
    code, out = run_on_pty([sys.executable, "-m", "sessionpack", "--data-dir", str(example), "balance"], full)
    assert b"\x1b[1m" in out  # a terminal that takes them gets a bold header


def test_piped_output_is_never_paged(example: Path, tmp_path: Path) -> None:
    import subprocess

    paged = tmp_path / "paged.txt"
    env = project_env({"SESSIONPACK_NOW": "2026-03-02T09:00", "SESSIONPACK_PAGER": f"cat > {paged}"})
    done = subprocess.run([sys.executable, "-m", "sessionpack", "--data-dir", str(example), "history", "bruno"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout.startswith("History of bruno\n") and not paged.exists()
