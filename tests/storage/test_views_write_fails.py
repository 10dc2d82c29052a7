"""A command whose events are committed never says it failed.

The views are written after the journal commit; when that write fails (a
full disk, a file-size limit, a permission), the command still exits 0 and
prints what it recorded, exactly as on a healthy disk, with one warning.
``SESSIONPACK_TEST_FAIL_AT`` makes the view writes fail as a full disk
would; the tmpfs test at the end does it with a real full disk (as root).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

from tree import tree_hash
from storage_util import assert_check_clean, inproc, project_env

NOW = "2026-11-20T09:00:00"
WARNING = ("warning: recorded, but the views could not be updated (no space left on the device); "
           "the next command that records something brings them up to date from the journal\n")
CODE_RE = re.compile(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){7}\b")  # an access code, shown once

FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}

SETUP = [
    ("init", "--name", "Studio", "--currency", "EUR", "--timezone", "Europe/Lisbon"),
    ("service", "add", "massage", "--name", "Massage 60", "--duration", "60", "--price", "90"),
    ("client", "add", "ana", "--name", "Ana Lima", "--email", "ana@example.com"),
    ("client", "add", "bruno", "--name", "Bruno Reis"),
    ("client", "add", "leo", "--name", "Leo Lima"),
    ("client", "relate", "leo", "ana", "--as", "child", "--can", "use-packages"),
    ("sell", "ana", "five", "--ref", "shop-1"),
    ("sell", "bruno", "five", "--unpaid"),
    ("book", "ana", "massage", "2026-11-25T10:00"),
    ("book", "ana", "massage", "2026-11-26T10:00"),
    ("book", "bruno", "massage", "2026-11-27T10:00", "--no-package"),
]
LATER = "2026-11-25T12:00:00"

# (command, clock): every command that records events.
CASES = [
    (("client", "add", "zoe", "--name", "Zoe"), NOW),
    (("client", "edit", "ana", "--phone", "+351 912 345 678"), NOW),
    (("client", "relate", "bruno", "ana", "--as", "sibling", "--can", "use-packages"), NOW),
    (("client", "unrelate", "leo", "ana", "--reason", "moved"), NOW),
    (("sell", "ana", "five", "--ref", "shop-2"), NOW),
    (("sell", "ana", "five", "--ref", "shop-2", "--format", "json"), NOW),
    (("assign", "leo", "five", "--price", "0"), NOW),
    (("pay", "bruno.p1", "100", "--method", "card"), NOW),
    (("pay", "bruno.b1", "90"), NOW),
    (("book", "ana", "massage", "2026-11-28T10:00"), NOW),
    (("book", "ana", "massage", "2026-12-01T10:00", "--repeat", "weekly", "--count", "3", "--format", "json"), NOW),
    (("cancel", "ana.b2"), NOW),
    (("attend", "ana.b1"), LATER),
    (("no-show", "ana.b1"), LATER),
    (("link", "bruno.b1", "bruno.p1"), NOW),
    (("unlink", "ana.b2"), NOW),
    (("adjust", "ana.p1", "--sessions", "+1", "--reason", "goodwill"), NOW),
    (("adjust", "ana.p1", "--sessions", "+1", "--reason", "goodwill", "--format", "json"), NOW),
    (("pause", "ana.p1", "2026-12-10", "2026-12-20", "--reason", "travelling"), NOW),
    (("refund", "--yes", "ana.p1", "--full", "--reason", "moving away"), NOW),
    (("refund", "--yes", "ana.p1", "--amount", "50", "--reason", "goodwill", "--format", "json"), NOW),
    (("cancel", "--yes", "ana.p1", "--reason", "sold by mistake"), NOW),
    (("transfer", "ana.p1", "bruno", "--sessions", "1", "--reason", "gift"), NOW),
    (("share", "ana.p1", "leo"), NOW),
    (("code", "reset", "ana.p1", "--reason", "lost"), NOW),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template") / "practice"
    for args in SETUP[:1]:
        assert inproc(root, *args).returncode == 0
    (root / "packages" / "five.toml").write_text(tomli_w.dumps(FIVE), encoding="utf-8")
    for args in SETUP[1:]:
        result = inproc(root, *args)
        assert result.returncode == 0, (args, result.stderr)
    return root


def masked(text: str) -> str:
    return CODE_RE.sub("CODE", text)


def pair(template: Path, tmp_path: Path) -> tuple[Path, Path]:
    healthy, failing = tmp_path / "healthy", tmp_path / "failing"
    shutil.copytree(template, healthy)
    shutil.copytree(template, failing)
    return healthy, failing


@pytest.mark.parametrize("point", ["views", "index"])
@pytest.mark.parametrize("args, now", CASES, ids=[" ".join(a[:2]) + (" json" if "json" in a else "") for a, _ in CASES])
def test_output_is_what_a_healthy_disk_gives(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str,
                                             args: tuple[str, ...], now: str) -> None:
    healthy, failing = pair(template, tmp_path)
    good = inproc(healthy, *args, now=now)
    assert (good.returncode, good.stderr) == (0, ""), good.stderr
    monkeypatch.setenv("SESSIONPACK_TEST_FAIL_AT", point)
    bad = inproc(failing, *args, now=now)
    monkeypatch.delenv("SESSIONPACK_TEST_FAIL_AT")
    assert (bad.returncode, bad.stderr) == (0, WARNING)
    assert masked(bad.stdout) == masked(good.stdout)
    if args[0] in ("sell", "assign"):
        assert CODE_RE.search(bad.stdout), "a sale still shows its access code"
    # Recorded: a reader sees it (folded in memory), and the next writer repairs the views.
    clients = sorted(p.stem for p in (healthy / "views" / "clients").iterdir())
    for client in clients:
        seen = [inproc(root, "balance", client, "--format", "json", now=now).stdout for root in (healthy, failing)]
        assert seen[0] == seen[1], client
    assert inproc(failing, "client", "add", "zed", "--name", "Zed", now=now).returncode == 0
    assert_check_clean(failing)


def test_a_sale_re_run_with_its_reference_after_a_failed_view_write_is_unchanged(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "practice"
    shutil.copytree(template, root)
    monkeypatch.setenv("SESSIONPACK_TEST_FAIL_AT", "views")
    first = inproc(root, "sell", "ana", "five", "--ref", "shop-9", "--format", "json")
    assert (first.returncode, first.stderr) == (0, WARNING)
    monkeypatch.delenv("SESSIONPACK_TEST_FAIL_AT")
    for _ in range(2):  # the re-run sees the sale folded in memory, records nothing and so changes nothing
        before = tree_hash(root)
        again = inproc(root, "sell", "ana", "five", "--ref", "shop-9", "--format", "json")
        assert again.returncode == 0
        assert json.loads(again.stdout) == {**json.loads(first.stdout), "unchanged": True, "code": None}
        assert tree_hash(root) == before
    assert [e["type"] for e in map(json.loads, (root / "journal.jsonl").read_bytes().splitlines()[1:])].count("sold") == 3
    assert inproc(root, "client", "add", "zed", "--name", "Zed").returncode == 0  # the next command that records repairs them
    assert_check_clean(root)


# -- a real full disk ------------------------------------------------------------------------


def _can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.mark.skipif(not _can_mount(), reason="mounting a small tmpfs to fill needs root")
def test_a_sale_on_a_really_full_disk(template: Path, tmp_path: Path) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"tmpfs could not be mounted here: {done.stderr.decode().strip()}")
    try:
        root = mount / "practice"
        shutil.copytree(template, root)
        healthy = tmp_path / "healthy"
        shutil.copytree(template, healthy)
        filler = mount / "filler"
        filler.mkdir()
        number = 0
        while True:  # fill the disk with 4 KiB files ...
            try:
                (filler / f"{number}").write_bytes(b"x" * 4096)
            except OSError:
                break
            number += 1
        (filler / "0").unlink()  # ... then free one: the journal line fits, the views do not
        (filler / "1").unlink()
        env = project_env({"SESSIONPACK_NOW": NOW})
        argv = [sys.executable, "-m", "sessionpack"]
        full = subprocess.run(argv + ["--data-dir", str(root), "sell", "ana", "five", "--ref", "shop-3"], capture_output=True, text=True, env=env)
        good = subprocess.run(argv + ["--data-dir", str(healthy), "sell", "ana", "five", "--ref", "shop-3"], capture_output=True, text=True, env=env)
        assert good.returncode == 0
        assert full.returncode == 0, full.stderr
        assert full.stderr.startswith("warning: recorded, but the views could not be updated (no space left on the device)")
        assert masked(full.stdout) == masked(good.stdout)
        for number in range(2, 400):  # room again
            try:
                (filler / f"{number}").unlink()
            except FileNotFoundError:
                pass
        again = subprocess.run(argv + ["--data-dir", str(root), "sell", "ana", "five", "--ref", "shop-3", "--format", "json"],
                               capture_output=True, text=True, env=env)
        assert again.returncode == 0 and json.loads(again.stdout)["unchanged"] is True
        assert subprocess.run(argv + ["--data-dir", str(root), "client", "add", "zed", "--name", "Zed"], env=env).returncode == 0
        assert_check_clean(root)
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
