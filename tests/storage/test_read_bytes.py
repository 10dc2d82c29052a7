"""``fsio.read_bytes``: the whole file, read with plain system calls."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionpack.errors import DataDirError
from sessionpack.storage import fsio


@given(st.binary(max_size=5000))
@settings(max_examples=60)
def test_it_reads_the_whole_file(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("r") / "f"
    path.write_bytes(data)
    assert fsio.read_bytes(str(path)) == data


def test_a_file_that_grows_after_its_size_was_taken_is_read_to_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    real_fstat = os.fstat

    def grown(fd: int) -> os.stat_result:  # the size as it was before a writer appended
        found = real_fstat(fd)
        with open(path, "ab") as handle:
            handle.write(b"x" * 3_000_000)
        return os.stat_result((found.st_mode, found.st_ino, found.st_dev, found.st_nlink, found.st_uid, found.st_gid,
                               10, found.st_atime, found.st_mtime, found.st_ctime))

    monkeypatch.setattr(fsio.os, "fstat", grown)
    assert fsio.read_bytes(str(path)) == b"0123456789" + b"x" * 3_000_000


def test_a_read_that_stops_short_is_taken_on_to_the_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"a" * 100_000)
    real_read = os.read
    monkeypatch.setattr(fsio.os, "read", lambda fd, n: real_read(fd, min(n, 4096)))  # as a read over 2 GiB stops short
    assert fsio.read_bytes(str(path)) == b"a" * 100_000


def test_a_missing_file_a_link_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        fsio.read_bytes(str(tmp_path / "missing"))
    (tmp_path / "target").write_bytes(b"secret")
    os.symlink(tmp_path / "target", tmp_path / "link")
    with pytest.raises(DataDirError, match="is a symbolic link"):
        fsio.read_bytes(str(tmp_path / "link"))
    with pytest.raises(IsADirectoryError):
        fsio.read_bytes(str(tmp_path))
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(50):
        with pytest.raises(IsADirectoryError):
            fsio.read_bytes(str(tmp_path))
        fsio.read_bytes(str(tmp_path / "target"))
    assert len(os.listdir("/proc/self/fd")) == before  # every descriptor closed
