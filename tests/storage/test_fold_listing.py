"""A commit naming many clients lists the client views' folder once
(``Store._client_files``) instead of looking for each client's file: the
files it writes are byte for byte those of looking for each, and a view
that is a link is still refused."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
import tomli_w

from sessionpack.storage import store as store_module
from storage_util import inproc, view_files

FIRST, SECOND = 70, 100  # the second file names 40 clients of the first and 60 new ones


def _csv(path: Path, numbers: range, tag: str) -> Path:
    lines = ["client,package,ref,name,email"]
    lines += [f"c{n},five,{tag}-{n},Client {n},c{n}@example.com" for n in numbers]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def recorded(practice, data_dir: Path, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    five = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}
    (data_dir / "packages" / "five.toml").write_text(tomli_w.dumps(five), encoding="utf-8")
    done = inproc(data_dir, "sell", "--csv", str(_csv(tmp_path / "first.csv", range(FIRST), "a")), "--create-clients")
    assert done.returncode == 0, done.stderr
    return _csv(tmp_path / "second.csv", range(FIRST - 40, FIRST + 60), "b")


def _same_codes(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The same random bytes in each run (access codes, temporary names)."""
    count = [0]

    def urandom(size: int) -> bytes:
        count[0] += 1
        out = b""
        while len(out) < size:
            out += hashlib.sha256(f"{count[0]}-{len(out)}".encode()).digest()
        return out[:size]

    monkeypatch.setattr(os, "urandom", urandom)


def test_a_commit_of_many_clients_writes_what_looking_for_each_client_writes(recorded: Path, data_dir: Path, tmp_path: Path,
                                                                              monkeypatch) -> None:  # type: ignore[no-untyped-def]
    listed, looked = tmp_path / "listed", tmp_path / "looked"
    shutil.copytree(data_dir, listed, symlinks=True)
    shutil.copytree(data_dir, looked, symlinks=True)
    real = store_module.Store._client_files
    seen: list[object] = []

    def spy(self, events):  # type: ignore[no-untyped-def]
        found = real(self, events)
        seen.append(found)
        return found

    _same_codes(monkeypatch)
    monkeypatch.setattr(store_module.Store, "_client_files", spy)
    one = inproc(listed, "sell", "--csv", str(recorded), "--create-clients")
    assert one.returncode == 0, one.stderr
    assert any(isinstance(found, set) and "c30.json" in found and "c99.json" not in found for found in seen)

    _same_codes(monkeypatch)
    monkeypatch.setattr(store_module.Store, "_client_files", lambda self, events: None)
    other = inproc(looked, "sell", "--csv", str(recorded), "--create-clients")
    assert other.returncode == 0, other.stderr

    assert one.stdout == other.stdout
    assert (listed / "journal.jsonl").read_bytes() == (looked / "journal.jsonl").read_bytes()
    files = view_files(listed)
    assert files == view_files(looked)
    assert b'"c30.p2"' in files[os.path.join("clients", "c30.json")]  # a recorded client's view was read: its second package
    assert b'"c99.p1"' in files[os.path.join("clients", "c99.json")]


def test_a_client_view_that_is_a_link_is_refused_in_a_commit_of_many_clients(recorded: Path, data_dir: Path,
                                                                            tmp_path: Path) -> None:
    view = data_dir / "views" / "clients" / "c35.json"
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(view.read_bytes())
    view.unlink()
    view.symlink_to(elsewhere)
    journal = (data_dir / "journal.jsonl").read_bytes()
    result = inproc(data_dir, "sell", "--csv", str(recorded), "--create-clients")
    assert result.returncode == 3, result.stderr
    assert "c35.json is a symbolic link" in result.stderr
    assert (data_dir / "journal.jsonl").read_bytes() == journal
