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
