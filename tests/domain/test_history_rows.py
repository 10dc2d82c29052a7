"""history_rows computes each package's balance once where it can (after an
event, and again before the next one); the rows are those of the plain
fold that computed every balance twice, kept here as the reference."""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from sessionpack.domain.ledger import dispatch, empty_client_view
from sessionpack.reports import balances as report

GENERATOR = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def plain_history_rows(view: Mapping[str, Any], cp_id: str | None = None) -> list[dict[str, Any]]:
    working = empty_client_view(view["id"])
    rows = []
    for event in view["events"]:
        named = [cp_id] if cp_id else report._packages_named(event)
        before_all = {cp: report._remaining(working, cp) for cp in named}
        dispatch(working, copy.deepcopy(event))
        target = cp_id or report._package_of(event, working)
        before = before_all.get(target, {}) if target else {}
        if cp_id is not None and not report._touches(event, cp_id):
            continue
        after = report._remaining(working, target)
        rows.append({
            "seq": event["seq"], "at": event["at"], "actor": event["actor"], "type": event["type"], "command": event.get("command"),
            "booking": report._booking_of(event), "what": report.describe_event(event),
            "why": event.get("reason") or (event["booking"].get("why") if isinstance(event.get("booking"), Mapping) else "") or "",
            "package": target or "", "change": report._fmt(report._delta(before, after), signed=True),
            "balance": report._fmt(after), "_change": report._delta(before, after), "_after": after,
        })
    return rows


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The client views of a generated practice (40 clients, every kind of package)."""
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
        assert report.history_rows(view) == plain_history_rows(view), view["id"]
        for cp_id in sorted(view["packages"]):
            assert report.history_rows(view, cp_id) == plain_history_rows(view, cp_id), cp_id
