"""The benchmark's generator (bench/generate.py) at a tiny scale: its data
directory is a real one that ``sessionpack check`` accepts. No timing here:
speed is measured by bench/run.py, never asserted by a test."""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime
from pathlib import Path

from storage_util import run

GENERATOR = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_generated_practice_passes_check(tmp_path: Path) -> None:
    generate = load_generator()
    out = tmp_path / "practice"
    meta = generate.generate(str(out), 0.002, quiet=True)  # 20 clients: one whole 20-client cycle
    assert (meta["clients"], meta["packages"], meta["bookings"]) == (20, 80, 500)
    stats = meta["stats"]
    assert stats["attended"] and stats["no-show"] and stats["cancelled"] and stats["late"]
    assert stats["drawn"] < stats["booked"]  # some sessions at the regular fee

    result = run(out, "check", now=generate.NOW.strftime("%Y-%m-%dT%H:%M"))
    assert (result.returncode, result.stderr) == (0, ""), result.stdout + result.stderr
    assert result.stdout == "No problems found\n"
    # Every client package has an access code in the index; the open ones are in views/open.
    codes = [json.loads(p.read_bytes())["codes"] for p in (out / "views" / "codes").glob("*.json")]
    assert sum(len(c) for c in codes) == meta["packages"]
    assert list((out / "views" / "open").glob("*.jsonl"))

    # Every kind of the mix was sold, and the journal's times never go back.
    kinds = set()
    last = None
    with open(out / "journal.jsonl", "rb") as handle:
        handle.readline()
        for raw in handle:
            event = json.loads(raw)
            if event["type"] == "sold":
                kinds.add(event["terms"]["id"])
            at = datetime.fromisoformat(event["at"])
            assert last is None or at >= last
            last = at
    assert len(kinds) >= 6


def test_generator_is_deterministic(tmp_path: Path) -> None:
    generate = load_generator()
    generate.generate(str(tmp_path / "a"), 0.0005, quiet=True)
    generate.generate(str(tmp_path / "b"), 0.0005, quiet=True)
    assert (tmp_path / "a" / "journal.jsonl").read_bytes() == (tmp_path / "b" / "journal.jsonl").read_bytes()
