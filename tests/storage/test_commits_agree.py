"""Whatever commands made a practice, its views are what a rebuild from the
journal makes, byte for byte, and check --full finds nothing after each.

A commit changes the views from the records it read back from their files
(keys sorted) and the events it made (keys in the order the code and the
catalog files wrote them); a rebuild folds the journal (keys sorted, events
in order). Derived lines that followed the order of a record's keys came
out differently (views format 7). Random commands over a catalog whose keys
are out of alphabetical order, on several seeds, find such differences."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import tomli_w

from tree import tree_hash

CATALOG = {
    # keys out of alphabetical order on purpose: a commit holds them in this order, the journal sorted
    "mix": {"name": "Mix", "expiry": "2 months", "contents": {"sessions": {"thai": 2, "massage": 3}}, "payment": {"price": "400"},
            "policies": {"no_show": "forfeit"}},
    "pool": {"name": "Pool", "expiry": "3 months", "contents": {"pool": "count", "amount": 6, "services": ["thai", "massage"]},
             "payment": {"price": "450"}},
    "minutes": {"name": "Minutes", "expiry": "6 months", "contents": {"pool": "minutes", "amount": 300}, "payment": {"price": "300"}},
    "credit": {"name": "Credit", "contents": {"pool": "money", "amount": "300"}, "payment": {"price": "270"}},
}
CLIENTS = ("ana", "bob", "cid")
SERVICES = ("massage", "thai")


def _step(rng: random.Random, day: int, state: dict) -> tuple[str, tuple[str, ...]]:
    now = f"2026-{9 + day // 28:02d}-{day % 28 + 1:02d}T09:00"
    cps, bids = state["cps"], state["bids"]
    kind = rng.choice(["sell", "sell", "book", "book", "book", "attend", "attend", "no-show", "cancel", "adjust", "transfer",
                       "pause", "refund", "notify", "move", "share", "unshare", "link", "unlink", "pay", "undo"])
    if kind == "sell" or not cps:
        return now, ("sell", rng.choice(CLIENTS), rng.choice(list(CATALOG)), "--paid", "100")
    cp = rng.choice(cps)
    if kind == "book" or not bids:
        when = f"2026-{9 + (day + 2) // 28:02d}-{(day + 2) % 28 + 1:02d}T{rng.choice(['10', '12', '15'])}:00"
        return now, ("book", rng.choice(CLIENTS), rng.choice(SERVICES), when, "--allow-overlap")
    bid = rng.choice(bids)
    if kind == "attend":
        return now, ("attend", bid, "--force")
    if kind == "no-show":
        return now, ("no-show", bid, "--force")
    if kind == "cancel":
        return now, ("cancel", bid, "--yes")
    if kind == "move":
        return now, ("move", bid, f"2026-{9 + (day + 3) // 28:02d}-{(day + 3) % 28 + 1:02d}T11:00", "--allow-overlap", "--yes")
    what = {"mix": ("--sessions", "1", "--service", rng.choice(SERVICES)), "pool": ("--sessions", "1"),
            "minutes": ("--minutes", "30"), "credit": ("--money", "20")}[state["kind"][cp]]
    if kind == "adjust":
        sign = rng.choice(["+", "-"])
        return now, ("adjust", cp, what[0], sign + what[1], *what[2:], "--reason", "r")
    if kind == "transfer":
        return now, ("transfer", cp, rng.choice([c for c in CLIENTS if not cp.startswith(c + ".")]), *what, "--reason", "r", "--yes")
    if kind == "pause":
        return now, ("pause", cp, now[:10], f"2026-{9 + (day + 4) // 28:02d}-{(day + 4) % 28 + 1:02d}", "--reason", "r")
    if kind == "refund":
        return now, ("refund", cp, "--pro-rata", "--reason", "r", "--yes")
    if kind in ("share", "unshare"):
        return now, (kind, cp, rng.choice([c for c in CLIENTS if not cp.startswith(c + ".")]))
    if kind == "link":
        own = [c for c in cps if c.split(".")[0] == bid.split(".")[0]]
        return now, ("link", bid, rng.choice(own or cps))
    if kind == "unlink":
        return now, ("unlink", bid, "--reason", "r")
    if kind == "pay":
        return now, ("pay", rng.choice([cp, bid]), "10", "--method", "cash")
    if kind == "undo":
        return now, ("undo", "--last", "--reason", "r", "--yes")
    return now, ("notify", "--quiet")


@pytest.mark.parametrize("seed", range(8))
def test_views_made_by_commits_are_what_a_rebuild_makes(practice, data_dir: Path, seed: int) -> None:
    for pid, body in CATALOG.items():
        (data_dir / "packages" / f"{pid}.toml").write_text(tomli_w.dumps(body), encoding="utf-8")
    for cid in ("bob", "cid"):
        assert practice("client", "add", cid, "--name", cid.title()).exit_code == 0
    for one in CLIENTS:  # each may use the others' packages, once shared
        for other in CLIENTS:
            if one != other:
                assert practice("client", "relate", one, other, "--as", "other", "--can", "use-packages").exit_code == 0
    rng = random.Random(seed)
    state: dict = {"cps": [], "bids": [], "kind": {}}
    done = []
    for day in range(80):
        now, args = _step(rng, day, state)
        result = practice(*args, "--format", "json", now=now) if args[0] != "notify" else practice(*args, now=now)
        done.append((now, args, result.exit_code))
        if result.exit_code == 0 and args[0] in ("sell", "transfer"):
            out = json.loads(result.stdout)
            rows = out if isinstance(out, list) else [out]
            for row in rows:
                for key in ("client_package", "id", "to"):
                    if isinstance(row, dict) and isinstance(row.get(key), str) and ".p" in row[key]:
                        state["cps"].append(row[key])
                        state["kind"][row[key]] = args[2] if args[0] == "sell" else state["kind"][args[1]]
        if result.exit_code == 0 and args[0] == "book":
            out = json.loads(result.stdout)
            rows = out if isinstance(out, list) else [out]
            for row in rows:
                for key in ("booking", "id"):
                    if isinstance(row, dict) and isinstance(row.get(key), str) and ".b" in row[key]:
                        state["bids"].append(row[key])
        full = practice("check", "--full", now=now)
        assert (full.exit_code, full.stdout) == (0, "No problems found\n"), (done[-3:], full.stdout)
    assert sum(1 for _, _, code in done if code == 0) > 15, done
    recorded = {args[0] for _, args, code in done if code == 0}
    assert {"sell", "book"} <= recorded and len(recorded) >= 8, sorted(recorded)  # (the seeds between them record every kind but link)
    made = tree_hash(data_dir / "views")
    assert practice("check", "--rebuild").exit_code == 0
    assert tree_hash(data_dir / "views") == made
