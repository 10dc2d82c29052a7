"""Helpers shared by the CLI tests: catalog packages, the journal, and word-for-word results.

Refusals are checked word for word, with their exit code, and by comparing
the journal's and views' bytes before and after.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tomli_w


def write_package(data_dir: Path, pid: str, data: dict[str, Any], **changes: Any) -> None:
    """A catalog package, as a person would write DATA/packages/ID.toml: ``data`` with top-level ``changes``."""
    body = dict(data)
    body.update(changes)
    (data_dir / "packages" / f"{pid}.toml").write_text(tomli_w.dumps(body), encoding="utf-8")


def journal(data_dir: Path) -> bytes:
    return (data_dir / "journal.jsonl").read_bytes()


def events(data_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in journal(data_dir).splitlines()[1:]]


def ok(result) -> str:  # type: ignore[no-untyped-def]
    assert (result.exit_code, result.stderr) == (0, ""), (result.stdout, result.stderr)
    return result.stdout


def ok_json(result) -> Any:  # type: ignore[no-untyped-def]
    return json.loads(ok(result))


def run(sp, *args: str, now: str | None = None):  # type: ignore[no-untyped-def]
    """``sp(*args)`` at ``now``, or at the runner's default time when ``now`` is not given."""
    return sp(*args, now=now) if now else sp(*args)


def refused(sp, data_dir: Path, args: tuple[str, ...], code: int, message: str, now: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """The command exits ``code`` with exactly ``message`` and writes nothing."""
    before = journal(data_dir)
    views = {p: p.read_bytes() for p in (data_dir / "views").rglob("*.json")}
    result = run(sp, *args, now=now)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", f"error: {message}\n")
    assert journal(data_dir) == before
    assert {p: p.read_bytes() for p in (data_dir / "views").rglob("*.json")} == views


def clean(sp) -> None:  # type: ignore[no-untyped-def]
    """'sessionpack check' finds no problem."""
    assert ok(sp("check")) == "No problems found\n"


def balance(sp, client: str = "ana", now: str | None = None) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return ok_json(run(sp, "balance", client, "--format", "json", now=now))


def balance_of(sp, client: str, cp: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    [summary] = [s for s in balance(sp, client) if s["id"] == cp]
    return summary


def history_of(sp, target: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return ok_json(sp("history", target, "--format", "json"))


DRY_RUN_NOTE = "warning: dry run: nothing was recorded\n"


def dry_ok(result) -> str:  # type: ignore[no-untyped-def]
    """A dry run that went well: exit 0, and only the dry-run note on stderr."""
    assert (result.exit_code, result.stderr) == (0, DRY_RUN_NOTE), (result.stdout, result.stderr)
    return result.stdout


def dry_ok_json(result) -> Any:  # type: ignore[no-untyped-def]
    return json.loads(dry_ok(result))
