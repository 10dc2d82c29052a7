"""Files of the data directory in a state no command left them in: a folder
or a named pipe where a file should be, a lock file or a whole directory
that cannot be written, a hand-edited index, day file or TOML memo, a
``--data-dir`` that is a file. Each is one line naming the file and what to
do (exit 3), or, for what cannot be written, commands that only read go
on; never an internal error (exit 70), never a wait, never a changed byte.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
import tomli_w

from sessionpack.storage import layout
from storage_util import run
from tree import tree_hash

FIVE = {"name": "5 massages", "expiry": "3 months", "contents": {"sessions": {"massage": 5}}, "payment": {"price": "400"}}
REBUILD = "rebuild the views with 'sessionpack check --rebuild'"


@pytest.fixture
def shop(practice, data_dir: Path):  # type: ignore[no-untyped-def]
    """The practice with a sale (2026-11-20) and a booking (2026-11-24) for ana."""
    (data_dir / "packages" / "five.toml").write_text(tomli_w.dumps(FIVE), encoding="utf-8")
    assert practice("sell", "ana", "five").exit_code == 0
    assert practice("book", "ana", "massage", "2026-11-24T10:00").exit_code == 0
    return practice


# -- a folder or a pipe where a file should be -----------------------------------------

IN_THE_WAY = [layout.LOCK, layout.JOURNAL, layout.INDEX, "views/clients/ana.json", layout.DIRECTORY]


@pytest.mark.parametrize("name", IN_THE_WAY)
def test_a_folder_where_a_file_should_be_is_named(shop, data_dir: Path, name: str) -> None:
    target = data_dir / name
    target.unlink()
    target.mkdir()
    before = tree_hash(data_dir)
    said = f"error: {target} is a folder, not a file; move it away (nothing was changed)\n"
    if name == layout.DIRECTORY:  # (what reads it: a new client, check)
        commands = [("check",), ("client", "add", "bea", "--name", "Bea")]
    else:
        commands = [("check",), ("balance", "ana"), ("book", "ana", "massage", "2026-11-25T10:00")]
    for args in commands:
        result = shop(*args)
        assert (result.exit_code, result.stderr) == (3, said), (args, result.output)
    assert tree_hash(data_dir) == before


@pytest.mark.parametrize("name", [layout.INDEX, layout.JOURNAL, layout.LOCK, "views/clients/ana.json"])
def test_a_named_pipe_where_a_file_should_be_is_named_without_waiting(shop, data_dir: Path, name: str) -> None:
    target = data_dir / name
    target.unlink()
    os.mkfifo(target)
    said = f"error: {target} is a named pipe (FIFO), not a file; move it away (nothing was changed)\n"
    for args in (("balance", "ana"), ("book", "ana", "massage", "2026-11-25T10:00")):
        result = run(data_dir, *args, timeout=30)  # (a pipe opened to be read would wait for a writer for ever)
        assert (result.returncode, result.stderr) == (3, said), args


def test_a_data_dir_that_is_a_file_is_named_as_such(tmp_path: Path, sp) -> None:  # type: ignore[no-untyped-def]
    sp.data_dir.write_text("not a folder")
    result = sp("balance")
    assert (result.exit_code, result.stderr) == (3, (
        f"error: {sp.data_dir} is a file, not a data directory; point --data-dir / SESSIONPACK_DATA_DIR at your "
        "data directory, or create one elsewhere with 'sessionpack init'\n"))


# -- a lock file or a directory that cannot be written ------------------------------------

def _lock_opened_for_writing_fails(monkeypatch: pytest.MonkeyPatch, lock: Path, code: int) -> list[int]:
    """Opening ``lock`` for writing fails with ``code`` (as for a read-only
    mount, a lock file of mode 0400, an immutable one), whoever runs the
    test; the flags of every open of it are noted."""
    real_open = os.open
    seen: list[int] = []

    def opening(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(path) == str(lock):
            seen.append(flags)
            if flags & (os.O_WRONLY | os.O_RDWR):
                raise OSError(code, os.strerror(code), os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", opening)
    return seen


@pytest.mark.parametrize("code", [errno.EACCES, errno.EPERM])
def test_readers_take_the_shared_lock_on_a_lock_file_they_may_only_read(shop, data_dir: Path,
                                                                         monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    lock = data_dir / layout.LOCK
    before = tree_hash(data_dir)
    seen = _lock_opened_for_writing_fails(monkeypatch, lock, code)
    for args in (("balance", "ana"), ("balance",), ("history", "ana"), ("log",), ("check",), ("report", "sales")):
        result = shop(*args)
        assert (result.exit_code, result.stderr) == (0, ""), (args, result.output)
    assert seen and all(flags & (os.O_WRONLY | os.O_RDWR) == 0 for flags in seen)  # read-only, every time
    booked = shop("book", "ana", "massage", "2026-11-25T10:00")
    assert (booked.exit_code, booked.stderr) == (3, (
        f"error: cannot open the lock file {lock} for writing: {os.strerror(code)}; a command that records something "
        "needs to: let the user who runs sessionpack write it (chmod u+rw; an immutable file: chattr -i) and run the "
        "command again (nothing was changed)\n"))
    assert tree_hash(data_dir) == before


def test_a_read_only_file_system_is_read_and_a_writer_is_told(shop, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree_hash(data_dir)
    _lock_opened_for_writing_fails(monkeypatch, data_dir / layout.LOCK, errno.EROFS)
    assert shop("balance", "ana").exit_code == 0
    booked = shop("book", "ana", "massage", "2026-11-25T10:00")
    assert (booked.exit_code, booked.stderr) == (3, (
        f"error: the data directory {data_dir} is on a read-only file system: commands that only read work there, "
        "a command that records something needs it mounted read-write (nothing was changed)\n"))
    assert tree_hash(data_dir) == before


# -- views/index.json edited by hand ---------------------------------------------------------

@pytest.mark.parametrize("edit", [{"offset": -5}, {"offset": True}, {"seq": -1}, {"seq": False}, {"offset": 1.5},
                                  {"format": True}, {"format": "9"}, {"offset": "12"}])
def test_an_index_edited_by_hand_is_damaged(shop, data_dir: Path, edit: dict) -> None:
    index = data_dir / layout.INDEX
    index.write_text(json.dumps({**json.loads(index.read_bytes()), **edit}))
    before = tree_hash(data_dir)
    said = f"error: views/index.json:1: is damaged; {REBUILD}\n"
    for args in (("balance", "ana"), ("book", "ana", "massage", "2026-11-25T10:00")):
        result = shop(*args)
        assert (result.exit_code, result.stderr) == (3, said), (args, edit)
    assert tree_hash(data_dir) == before
    checked = shop("check")
    assert checked.exit_code == 3 and "views/index.json:1:" in checked.stdout and "sold.json" not in checked.stdout


# -- views/days edited by hand ----------------------------------------------------------------

DAY = "views/days/2026-11-24.jsonl"  # the booking's day
SALE_DAY = "views/days/2026-11-20.jsonl"


def _edit_line(path: Path, kind: str, new: str) -> int:
    """Replace the first line of ``kind`` in a day file; its line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith(f'["{kind}",'))
    lines[number] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number + 1


@pytest.mark.parametrize("how", ["empty list", "flat booking", "empty sale", "empty draw", "nested"])
def test_a_day_line_of_any_shape_is_named(shop, data_dir: Path, how: str) -> None:
    day, sale_day = data_dir / DAY, data_dir / SALE_DAY
    if how == "empty list":
        with open(day, "a", encoding="utf-8") as handle:
            handle.write("[]\n")
        where, number = DAY, len(day.read_text().splitlines())
        commands = [("report", "bookings", "--from", "2026-11-24", "--to", "2026-11-24"),
                    ("report", "usage", "--from", "2026-11-24", "--to", "2026-11-24"),
                    ("book", "ana", "massage", "2026-11-24T15:00")]
    elif how == "flat booking":
        number = _edit_line(day, "b", '["b","ana","ana.b1",null,1,2,3,4,5,6,7]')
        where, commands = DAY, [("book", "ana", "massage", "2026-11-24T10:00"), ("report", "bookings")]
    elif how == "empty sale":
        number = _edit_line(sale_day, "s", '["s","ana","ana.p1",{}]')
        where, commands = SALE_DAY, [("report", "sales")]
    elif how == "empty draw":
        number = _edit_line(day, "d", '["d","ana","ana.b1",{}]')
        where, commands = DAY, [("report", "usage")]
    else:
        day.write_text("[" * 100_000 + "]" * 100_000 + "\n")
        where, number = DAY, 1
        commands = [("report", "bookings"), ("book", "ana", "massage", "2026-11-24T15:00")]
    before = tree_hash(data_dir)
    for args in commands:
        result = shop(*args)
        assert (result.exit_code, result.stderr) == (3, f"error: {where}:{number}: is damaged; {REBUILD}\n"), (args, result.output)
    assert tree_hash(data_dir) == before


# -- cache/parsed.json edited by hand ------------------------------------------------------------

def test_a_memo_edited_by_hand_never_changes_a_sale(shop, data_dir: Path) -> None:
    from sessionpack.storage import parsed

    memo = data_dir / layout.PARSED
    record = json.loads(memo.read_bytes())
    entry = record["files"]["packages/five.toml"]
    assert entry["text"] == (data_dir / "packages" / "five.toml").read_text(encoding="utf-8")
    entry["data"]["payment"]["price"] = "4.00"  # what the file does not say; its text left as it is
    memo.write_text(json.dumps(record))
    parsed._MEMOS.clear()  # (as a new process: it reads the memo from the file)
    sold = shop("sell", "ana", "five", "--format", "json")
    assert sold.exit_code == 0, sold.output
    assert json.loads(sold.stdout)["total"] == "400.00"
    last = json.loads((data_dir / layout.JOURNAL).read_bytes().splitlines()[-1])
    assert last["type"] == "sold" and last["terms"]["payment"]["price"] == "400.00"
    assert json.loads(memo.read_bytes())["files"]["packages/five.toml"]["data"] == FIVE  # made anew from the file


def test_a_memo_entry_is_used_only_with_its_check(shop, data_dir: Path) -> None:
    from sessionpack.storage import parsed

    text = (data_dir / "settings.toml").read_text(encoding="utf-8")
    entry = json.loads((data_dir / layout.PARSED).read_bytes())["files"]["settings.toml"]
    assert entry["check"] == parsed.digest(text, entry["data"])
    parsed._MEMOS.clear()
    assert parsed.lookup(str(data_dir), "settings.toml", text) == entry["data"]
    for forged in ({**entry, "check": "0"}, {k: v for k, v in entry.items() if k != "check"},
                   {**entry, "data": {**entry["data"], "format": 2}}):
        parsed._MEMOS[str(data_dir)] = {"settings.toml": forged}
        assert parsed.lookup(str(data_dir), "settings.toml", text) is None
    parsed._MEMOS.clear()


# -- an internal error is not blamed on a sound view -------------------------------------


def test_an_internal_error_after_a_sale_is_not_called_a_damaged_sold_view(shop, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The sold view gains its "invoice" key with the first sale; a command that
    # read it and then met an internal error called it damaged (exit 3).
    assert '"invoice":"000001"' in (data_dir / layout.SOLD).read_text(encoding="utf-8")

    def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr("sessionpack.domain.sales.sell", explode)
    before = tree_hash(data_dir)
    result = shop("sell", "ana", "five")
    assert (result.exit_code, result.stderr) == (70, "error: internal error (RuntimeError); nothing more was changed. "
                                                     "Run again with SESSIONPACK_DEBUG=1 to see the details, and report it\n")
    assert tree_hash(data_dir) == before
