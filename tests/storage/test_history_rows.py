"""history_rows computes each package's balance once where it can (after an
event, and again before the next one) and folds the events without copying
them; the rows are those of the plain fold that computed every balance
twice on copies, kept here as the reference (undone commands included), and
the view it reads is left as it was."""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from sessionpack.domain.ledger import apply_to_client, empty_client_view
from sessionpack.domain.undo import undone_by_seq
from sessionpack.reports import balances as report


def _package_of(event: Mapping[str, Any], view: Mapping[str, Any]) -> str | None:
    named = report._packages_named(event)
    mine = [cp for cp in named if cp in view["packages"]]
    return (mine or named or [None])[0]

GENERATOR = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def plain_history_rows(view: Mapping[str, Any], cp_id: str | None = None) -> list[dict[str, Any]]:
    working = empty_client_view(view["id"])
    undone = undone_by_seq(view["events"]) if view.get("undone") or any(e["type"] == "undone" for e in view["events"]) else {}
    reasons = {e["command"]: e.get("reason") for e in view["events"] if e["type"] == "undone"}
    rows = []
    for event in view["events"]:
        if event["type"] == "undone":  # folds the client again: any package may change
            named = [cp_id] if cp_id else sorted(working["packages"])
        else:
            named = [cp_id] if cp_id else report._packages_named(event)
        before_all = {cp: report._remaining(working, cp) for cp in named}
        apply_to_client(working, copy.deepcopy(event))  # keeps the events an undo folds again from
        if event["type"] == "undone":
            moved = [cp for cp in named if report._remaining(working, cp) != before_all[cp]]
            target = cp_id or (moved[0] if moved else None)
            if cp_id is not None and cp_id not in moved:
                continue
        else:
            target = cp_id or _package_of(event, working)
            if cp_id is not None and cp_id not in report._packages_named(event):
                continue
        before = before_all.get(target, {}) if target else {}
        after = report._remaining(working, target)
        rows.append({
            "seq": event["seq"],
            "at": event["at"],
            "actor": event["actor"],
            "type": event["type"],
            "command": event.get("command"),
            "booking": report._booking_of(event),
            "what": report.describe_event(event) + (f" (undone by {undone[event['seq']]}: {reasons.get(undone[event['seq']])})"
                                             if event["seq"] in undone else ""),
            "undone_by": undone.get(event["seq"]),
            "why": event.get("reason") or (event["booking"].get("why") if isinstance(event.get("booking"), Mapping) else "") or "",
            "package": target or "",
            "change": report._fmt(report._delta(before, after), signed=True),
            "balance": report._fmt(after),
            "_change": report._delta(before, after),
            "_after": after,
        })
    return rows


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The client views of a generated practice (40 clients, every kind of
    package), with undone commands: a sale, a booking and an undo undone."""
    import json

    spec = importlib.util.spec_from_file_location("bench_generate_history", GENERATOR)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("generated") / "practice"
    module.generate(str(out), 0.004, quiet=True)
    return [json.loads(path.read_bytes()) for path in sorted((out / "views" / "clients").glob("*.json"))]


def test_the_rows_of_every_client_and_package_are_those_of_the_plain_fold(views: list[dict[str, Any]]) -> None:
    assert len(views) == 40
    for view in views:
        read = copy.deepcopy(view)
        assert report.history_rows(view) == plain_history_rows(view), view["id"]
        for cp_id in sorted(view["packages"]):
            assert report.history_rows(view, cp_id) == plain_history_rows(view, cp_id), cp_id
        assert view == read, f"history_rows changed the view of {view['id']}"


def test_undone_commands_read_as_the_plain_fold_reads_them(practice, data_dir: Path) -> None:
    import json

    for args in (("package", "create", "five", "--name", "5 massages", "--service", "massage=5", "--price", "400"),
                 ("sell", "ana", "five"), ("sell", "ana", "five"), ("book", "ana", "massage", "2026-11-05T10:00"),
                 ("book", "ana", "massage", "2026-11-06T10:00"), ("undo", "--last", "--reason", "typed twice", "--yes")):
        assert practice(*args, now="2026-11-01T09:00").exit_code == 0, args
    for args in (("attend", "ana.b1"), ("undo", "--last", "--reason", "not yet", "--yes"), ("undo", "--last", "--reason", "it was", "--yes")):
        assert practice(*args, now="2026-11-22T09:00").exit_code == 0, args
    view = json.loads((data_dir / "views" / "clients" / "ana.json").read_bytes())
    assert sum(e["type"] == "undone" for e in view["events"]) == 3
    read = copy.deepcopy(view)
    assert report.history_rows(view) == plain_history_rows(view)
    assert view == read
    for cp_id in sorted(view["packages"]):
        assert report.history_rows(view, cp_id) == plain_history_rows(view, cp_id), cp_id
