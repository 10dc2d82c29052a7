"""storage/batchio.py: many files replaced with one flush; a failure leaves no temporary file and names the file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sessionpack.errors import DataDirError
from sessionpack.storage.batchio import BATCH_FROM, write_groups, write_many


def test_a_batch_replaces_every_file_in_order(tmp_path: Path) -> None:
    first = [(str(tmp_path / "a" / f"{n:03d}.json"), f"a{n}\n".encode()) for n in range(BATCH_FROM * 3)]
    second = [(str(tmp_path / "b" / f"{n:03d}.json"), f"b{n}\n".encode()) for n in range(5)]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "000.json").write_bytes(b"old\n")
    write_groups([(iter(first), "shard-written"), (iter(second), "view-written")])
    for path, data in first + second:
        assert Path(path).read_bytes() == data
        assert os.stat(path).st_mode & 0o777 == 0o600
    assert sorted(os.listdir(tmp_path / "a")) == [f"{n:03d}.json" for n in range(BATCH_FROM * 3)]  # no temporary file left


def test_a_file_that_cannot_be_written_stops_the_batch_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "000.json").write_bytes(b"old\n")
    items = [(str(tmp_path / "a" / f"{n:03d}.json"), b"new\n") for n in range(BATCH_FROM * 2)]
    items[BATCH_FROM + 3] = (str(tmp_path / "missing" / "x.json"), b"new\n")  # its folder does not exist
    with pytest.raises(DataDirError) as caught:
        write_many(iter(items), "view-written")
    assert "missing/x.json" in str(caught.value) and "nothing was changed" in str(caught.value)
    assert os.listdir(tmp_path / "a") == ["000.json"]  # every temporary file removed, no file replaced
    assert (tmp_path / "a" / "000.json").read_bytes() == b"old\n"


def test_a_link_among_the_files_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "elsewhere").write_bytes(b"keep\n")
    os.symlink(tmp_path / "elsewhere", tmp_path / "a" / "040.json")
    items = [(str(tmp_path / "a" / f"{n:03d}.json"), b"new\n") for n in range(BATCH_FROM * 2)]
    with pytest.raises(DataDirError, match="symbolic link"):
        write_many(iter(items), "view-written")
    assert os.listdir(tmp_path / "a") == ["040.json"]
    assert (tmp_path / "elsewhere").read_bytes() == b"keep\n"


def test_a_failure_while_making_the_bytes_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()

    def items():  # type: ignore[no-untyped-def]
        for n in range(BATCH_FROM * 4):
            if n == BATCH_FROM * 3:
                raise ValueError("the bytes of a view could not be made")
            yield str(tmp_path / "a" / f"{n:03d}.json"), b"new\n"

    with pytest.raises(ValueError):
        write_many(items(), "view-written")
    assert os.listdir(tmp_path / "a") == []


def test_a_few_files_are_flushed_together_and_replaced_in_their_groups_order(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Fewer than BATCH_FROM files: flushed from several threads at once,
    then renamed group by group; every file holds its new bytes and no
    temporary file is left."""
    for folder in ("a", "b", "c"):
        (tmp_path / folder).mkdir()
    first = [(str(tmp_path / "a" / "1.json"), b"a1\n"), (str(tmp_path / "b" / "2.json"), b"b2\n")]
    second = [(str(tmp_path / "c" / "3.json"), b"c3\n")]
    (tmp_path / "a" / "1.json").write_bytes(b"old\n")
    write_groups([(iter(first), "shard-written"), (iter(second), "view-written"), (iter([]), "small-view-written")])
    assert [(tmp_path / p).read_bytes() for p in ("a/1.json", "b/2.json", "c/3.json")] == [b"a1\n", b"b2\n", b"c3\n"]
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["1.json", "2.json", "3.json"]


def test_an_fsync_that_fails_in_a_thread_fails_the_batch_and_leaves_the_old_files(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import errno

    from sessionpack.storage import batchio

    (tmp_path / "a").mkdir()
    items = [(str(tmp_path / "a" / f"{n}.json"), b"new\n") for n in range(5)]
    for path, _ in items:
        Path(path).write_bytes(b"old\n")
    real = batchio._fsync

    def failing(path: str) -> None:
        if path.endswith(".tmp") and "3.json" in path:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path)

    monkeypatch.setattr(batchio, "_fsync", failing)
    with pytest.raises(DataDirError):
        write_many(iter(items), "view-written")
    assert [Path(path).read_bytes() for path, _ in items] == [b"old\n"] * 5
    assert sorted(os.listdir(tmp_path / "a")) == [f"{n}.json" for n in range(5)]


def test_temporary_names_of_a_batch_are_those_of_a_single_write(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A batch names its temporary files as ``fsio.temp_name`` does (so
    ``remove_leftovers`` knows them): beside the file, in its absolute
    folder, each with its own random part, even past the 64 read at once."""
    from sessionpack.storage import batchio
    from sessionpack.storage.fsio import is_leftover, temp_name

    monkeypatch.chdir(tmp_path)
    temps = batchio._Temps()
    names = []
    for n in range(200):
        path = os.path.join("a", f"{n}.json")
        folder, base = temps.folder(path)
        assert (folder, base) == (str(tmp_path / "a"), f"{n}.json")
        names.append(temps.name(folder, base))
    single = temp_name(os.path.join("a", "0.json"))
    assert os.path.dirname(single) == os.path.dirname(names[0])
    for n, name in enumerate(names):
        assert is_leftover(os.path.basename(name)), name
        assert os.path.basename(name).startswith(f".{n}.json.{os.getpid()}.")
        assert len(os.path.basename(name)) == len(os.path.basename(temp_name(os.path.join("a", f"{n}.json"))))
    assert len({name.rsplit(".", 2)[1] for name in names}) == 200  # no random part twice


def test_a_link_met_after_its_folder_was_listed_is_refused(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Past LIST_FROM files into one folder, the folder is listed once: a
    new file is then known to be no link without a look at it, and a file
    that is there (a link here) is still looked at and refused."""
    from sessionpack.storage import batchio

    (tmp_path / "a").mkdir()
    (tmp_path / "elsewhere").write_bytes(b"keep\n")
    os.symlink(tmp_path / "elsewhere", tmp_path / "a" / "150.json")
    (tmp_path / "a" / "151.json").write_bytes(b"old\n")
    looked: list[str] = []
    real = batchio.refuse_link

    def counting(path: str) -> None:
        looked.append(os.path.basename(path))
        real(path)

    monkeypatch.setattr(batchio, "refuse_link", counting)
    items = [(str(tmp_path / "a" / f"{n:03d}.json"), b"new\n") for n in range(200)]
    with pytest.raises(DataDirError, match="symbolic link"):
        write_many(iter(items), "view-written")
    assert looked == [f"{n:03d}.json" for n in range(batchio.LIST_FROM - 1)] + ["150.json"]
    assert sorted(os.listdir(tmp_path / "a")) == ["150.json", "151.json"]  # nothing written, no temporary file left
    assert (tmp_path / "elsewhere").read_bytes() == b"keep\n"

    looked.clear()
    del items[150]
    write_many(iter(items), "view-written")  # without the link: written, the file that was there looked at
    assert looked == [f"{n:03d}.json" for n in range(batchio.LIST_FROM - 1)] + ["151.json"]
    assert all(Path(path).read_bytes() == b"new\n" for path, _ in items)


def test_a_folder_much_larger_than_the_batch_is_not_listed(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sessionpack.storage import batchio

    temps = batchio._Temps()
    huge = os.stat_result((0,) * 6 + (10 ** 9,) + (0,) * 3)  # a folder of some 25 million names
    with monkeypatch.context() as patched:
        patched.setattr(batchio.os, "stat", lambda path: huge)
        patched.setattr(batchio.os, "listdir", lambda path: pytest.fail("listed"))
        answers = [temps.may_be_link(str(tmp_path), f"{n}.json") for n in range(500)]
    assert all(answers)
