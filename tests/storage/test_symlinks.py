"""No write lands outside the data directory through a symbolic link."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from storage_util import assert_check_clean, inproc, run
from tree import tree_hash


def link_message(path: Path) -> str:
    return (f"error: {path} is a symbolic link; sessionpack never reads or writes through a link inside its data "
            "directory: put the file itself there (nothing was changed)\n")


def test_planted_temporary_file_links_are_never_followed(practice, data_dir: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    clients = data_dir / "views" / "clients"
    # Links at every name a temporary file of an older version could take, and a few more.
    for pid in range(1, 400):
        for folder, name in ((clients, "ana.json"), (data_dir / "views", "index.json"), (data_dir / "views", "directory.json")):
            os.symlink(victim, folder / f".{name}.{pid}.tmp")
    result = run(data_dir, "client", "edit", "ana", "--phone", "+351 912 345 678")
    assert (result.returncode, result.stderr) == (0, "")
    assert victim.read_text() == "precious\n"
    assert inproc(data_dir, "client", "show", "ana", "--format", "json").stdout.count("+351 912 345 678") == 1


def test_leftover_temporary_files_are_removed_by_the_next_writer(practice, data_dir: Path, tmp_path: Path) -> None:
    import signal

    killed = run(data_dir, "client", "add", "bob", "--name", "Bob", env={"SESSIONPACK_TEST_CRASH_AT": "view-written"})
    assert killed.returncode == -signal.SIGKILL
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    leftovers = [data_dir / "views" / "clients" / ".bob.json.4242.0123456789abcdef.tmp", data_dir / "views" / ".index.json.77.tmp",
                 data_dir / "services" / ".massage.toml.99.fedcba9876543210.tmp"]
    leftovers[0].write_bytes(b"{half")
    os.symlink(victim, leftovers[1])
    leftovers[2].write_bytes(b"name = ")
    keep = data_dir / "views" / "clients" / ".notes.tmp"  # not a name sessionpack makes: left alone
    keep.write_bytes(b"mine")
    before = tree_hash(data_dir)
    assert inproc(data_dir, "client", "list").returncode == 0
    assert tree_hash(data_dir) == before  # a reader removes nothing
    assert run(data_dir, "client", "add", "carol", "--name", "Carol").returncode == 0
    assert [p.exists() or p.is_symlink() for p in leftovers] == [False, False, False]
    assert keep.read_bytes() == b"mine" and victim.read_text() == "precious\n"


@pytest.mark.parametrize("name", ["journal.jsonl", "settings.toml", "views/index.json", "views/clients/ana.json",
                                  "views/directory.json", "packages/five.toml", "services/massage.toml", "views", "views/clients"])
def test_a_file_of_the_data_directory_that_is_a_link_is_refused(practice, data_dir: Path, tmp_path: Path, name: str) -> None:
    (data_dir / "packages" / "five.toml").write_text('name = "5 massages"\n[contents]\nsessions = { massage = 5 }\n[payment]\nprice = "400"\n')
    target = data_dir / name
    elsewhere = tmp_path / "elsewhere" / Path(name).name
    elsewhere.parent.mkdir()
    os.rename(target, elsewhere)
    os.symlink(elsewhere, target)
    outside = tree_hash(elsewhere.parent)
    before = tree_hash(data_dir)
    everyone = name in ("journal.jsonl", "settings.toml", "views/index.json", "views", "views/clients")
    commands = [("client", "show", "ana"), ("sell", "ana", "five")] + [("client", "add", "bob", "--name", "Bob")] * everyone
    if name.startswith(("packages", "services")):
        commands = [("sell", "ana", "five"), ("package", "list")]
    for args in commands:
        result = inproc(data_dir, *args)
        assert (result.returncode, result.stdout) == (3, ""), (args, result.stdout, result.stderr)
        assert result.stderr == link_message(target), args
    checked = inproc(data_dir, "check")
    assert checked.returncode == 3
    assert str(target) in checked.stdout + checked.stderr
    assert tree_hash(data_dir) == before
    assert tree_hash(elsewhere.parent) == outside
    # Put back, all is well.
    target.unlink()
    os.rename(elsewhere, target)
    assert_check_clean(data_dir)


def test_init_makes_missing_parents_private(sp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "a" / "b" / "practice"
    old = os.umask(0)
    try:
        result = inproc(root, "init", "--name", "Studio", "--currency", "EUR", "--timezone", "Europe/Lisbon")
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    for folder in (tmp_path / "a", tmp_path / "a" / "b", root):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
