"""Reading a CSV file (``actions.csvtable``) and the look-alike rule of the
clients a file adds (``actions.clients.look_alikes``), pure: no files, no
terminal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessionpack.actions.clients import ClientRow, look_alikes
from sessionpack.actions.csvtable import read_table
from sessionpack.actions.problems import Problem
from sessionpack.domain.clients import add_client

COLUMNS = ("id", "name", "notes")


def table(data: bytes):  # type: ignore[no-untyped-def]
    return read_table(data, known=lambda name: name in COLUMNS, required=("name",), known_text=", ".join(COLUMNS))


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
def test_line_ends_never_change_a_cell(end: bytes) -> None:
    data = end.join([b"id,name,notes", b'zz,Zed Zulu,"line1' + end + b"line2" + end + b'line3"', b"yy,Yan,one", b""])
    read = table(b"\xef\xbb\xbf" + data)
    assert read.problems == []
    assert [(row.line, row.cells) for row in read.rows] == [
        (2, {"id": "zz", "name": "Zed Zulu", "notes": "line1\nline2\nline3"}), (5, {"id": "yy", "name": "Yan", "notes": "one"})]


def test_a_file_of_mixed_line_ends_reads_each_break_as_lf() -> None:
    read = table(b'id,name,notes\r\nzz,Zed,"a\r\nb\rc\nd"\n')
    assert [row.cells["notes"] for row in read.rows] == ["a\nb\nc\nd"]


@pytest.mark.parametrize("header, mark", [(b"id;name;notes", "';'"), (b"name;", "';'"), (b"id\tname", "tabs")])
def test_columns_separated_by_another_mark_are_one_problem(header: bytes, mark: str) -> None:
    read = table(header + b"\r\nzz;Zed;x\r\n")
    assert read.problems == [Problem(1, None, f"has its columns separated by {mark}, not commas; save the file as CSV with "
                                              "commas between the columns (in a spreadsheet: CSV UTF-8 with ',' as the field delimiter)")]
    assert read.rows == []


def test_a_semicolon_in_a_header_of_several_columns_is_an_unknown_name() -> None:
    read = table(b"name,a;b\nZed,x\n")
    assert [p.text("f.csv") for p in read.problems] == ["f.csv:1:a;b: is not a known column; the columns are: id, name, notes"]


def _new(line: int, client_id: str, name: str, email: str = "") -> ClientRow:
    event = add_client(client_id, {"name": name, "email": email})
    return ClientRow(line, client_id, "created", name, event)


def test_look_alikes_of_new_clients() -> None:
    directory = {"ana": {"name": "Ana Lima", "email": "ana@example.com", "tags": []},
                 "ana-l": {"name": "Ana Lima", "email": "", "tags": []}}  # (recorded by this very plan: left out)
    rows = [_new(2, "ana-l", "Ana Lima"), _new(3, "zed", "Zed Zulu", "ANA@example.com"), _new(4, "zed-2", "zéd ZULU")]
    assert [(row.line, text) for row, text in look_alikes(directory, rows)] == [
        (2, "ana already has the name 'Ana Lima'"), (3, "ana already has the email ana@example.com"),
        (4, "zed already has the name 'Zed Zulu'")]
    assert look_alikes(directory, []) == []


@given(st.text(max_size=40))
def test_a_cell_made_spreadsheet_safe_reads_back_as_it_was(text: str) -> None:
    """spreadsheet_read undoes spreadsheet_safe for any text, and changes a
    cell only when it starts with the ' that spreadsheet_safe puts."""
    from sessionpack.domain.text import spreadsheet_read, spreadsheet_safe

    assert spreadsheet_read(spreadsheet_safe(text)) == text
    read = spreadsheet_read(text)
    assert read == text or (text.startswith("'") and read == text[1:])
