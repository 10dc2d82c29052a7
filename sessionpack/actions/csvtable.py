"""A CSV file read into rows, strictly, with every problem and its line.

What is read:

- UTF-8, with or without a byte-order mark; LF or CRLF line ends (a lone
  CR too); fields quoted with ``"`` may hold commas, quotes (doubled) and
  line breaks. A line break inside a cell is read as LF whichever way the
  file ends its lines (CRLF or a lone CR becomes LF), so the same file
  saved by another system records the same text. Bytes that are not UTF-8
  are reported in the cell that holds them, with its line; UTF-16 is
  recognised by its mark (or, without one, by the zero bytes of its first
  line's ASCII names) and refused.
- The first line names the columns. Names are matched without regard to
  case or surrounding spaces. An unknown name, a name given twice, an
  empty name or a missing required column is refused, naming the known
  columns. A header whose names are separated by ``;`` or tabs (what
  spreadsheets write in many locales) is refused with one line saying so.
- Each later record is one row. Its line is the line it starts on (the
  header is line 1), so a problem points where an editor shows the row. A
  blank line, or a row whose cells are all empty, is skipped. A row with
  more cells than the header is refused (a comma in a value needs quotes);
  one with fewer has its missing cells empty.
- Cells keep their text; the action trims surrounding spaces and an empty
  cell means "not given".
- At most ``MAX_ROWS`` rows and ``MAX_CELL`` characters in a cell: a larger
  file is refused and should be split.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Callable

from ..domain.text import spreadsheet_read
from .problems import Problem

MAX_ROWS = 100_000
MAX_CELL = 100_000  # characters
BOM = b"\xef\xbb\xbf"


@dataclass
class Row:
    """One record: the line it starts on and its non-empty cells by column."""

    line: int
    cells: dict[str, str]


@dataclass
class Table:
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _bad_bytes(cell: str) -> str | None:
    """The first byte of ``cell`` that was not UTF-8 (decoded with
    surrogateescape), as '0xE9', or None."""
    for ch in cell:
        if "\udc80" <= ch <= "\udcff":
            return f"0x{ord(ch) - 0xDC00:02X}"
    return None


def _utf16_unmarked(data: bytes) -> bool:
    """UTF-16 without its mark: every other byte of the first line is zero
    (ASCII column names), where a UTF-8 text has no zero byte at all."""
    head = data[:64]
    return len(head) >= 4 and (head[0::2].count(0) == len(head[0::2]) or head[1::2].count(0) == len(head[1::2]))


def _lf(cell: str) -> str:
    """A cell's line breaks as LF: the reader keeps a quoted cell's CRLF (or
    lone CR) as the file has it, and what is recorded must not depend on
    how the file ends its lines."""
    return cell.replace("\r\n", "\n").replace("\r", "\n")


def _separated_by(record: list[str]) -> str | None:
    """How the names of a header line read as one cell are separated, when
    by ``;`` (a spreadsheet's CSV in a locale whose decimal mark is a comma)
    or tabs (a TSV file), in the words of a message; else None."""
    if len(record) == 1:
        for mark, words in ((";", "';'"), ("\t", "tabs")):
            if mark in record[0]:
                return words
    return None


def _not_utf8(line: int, column: str | None, byte: str) -> Problem:
    return Problem(line, column, f"holds the byte {byte}, which is not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in a spreadsheet)")


def read_table(data: bytes, *, known: Callable[[str], bool], required: tuple[str, ...], known_text: str,
               unknown_hint: Callable[[str], str | None] = lambda name: None) -> Table:
    """Rows of a CSV file (bytes), with every problem found.

    ``known(name)`` says whether a column name is accepted; ``known_text``
    lists them for a message; ``unknown_hint(name)`` may say why a name is
    refused (for example, an option it needs).
    """
    import csv

    table = Table()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_unmarked(data):
        table.problems.append(Problem(1, None, "is UTF-16 text; save it as UTF-8 (CSV UTF-8 in a spreadsheet)"))
        return table
    if data.startswith(BOM):
        data = data[len(BOM):]
    text = data.decode("utf-8", "surrogateescape")
    suspicious = _bad_bytes(text) is not None
    carriage = "\r" in text  # (a CRLF or CR file: line breaks inside quoted cells are made LF)
    csv.field_size_limit(MAX_CELL + 1)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            reason = str(err)
            if "field larger than field limit" in reason:
                reason = f"a cell is longer than {MAX_CELL:,} characters"
            table.problems.append(Problem(start, None, f"cannot be read as CSV ({reason}); check the quotes on this row "
                                                       '(a quote inside a quoted cell is written twice: "")'))
            return table
        line, start = start, reader.line_num + 1
        if header is None:
            if not record or all(not cell.strip() for cell in record):
                table.problems.append(Problem(1, None, f"is empty; the first line names the columns, e.g. {known_text}"))
                return table
            separator = _separated_by(record)
            if separator is not None:
                table.problems.append(Problem(1, None, f"has its columns separated by {separator}, not commas; save the file "
                                                       "as CSV with commas between the columns (in a spreadsheet: "
                                                       "CSV UTF-8 with ',' as the field delimiter)"))
                return table
            header = table.columns = _header(record, table, known, required, known_text, unknown_hint, suspicious)
            if table.problems:
                return table
            continue
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            table.problems.append(Problem(line, None, f"has {len(record)} cells but the header names {len(header)} columns; "
                                                      "put a value that holds a comma in double quotes"))
            continue
        cells = {}
        for name, cell in zip(header, record):
            if carriage and "\r" in cell:
                cell = _lf(cell)
            if suspicious:
                byte = _bad_bytes(cell)
                if byte is not None:
                    table.problems.append(_not_utf8(line, name, byte))
                    continue
            if cell.strip():
                cells[name] = spreadsheet_read(cell) if cell[0] == "'" else cell
        table.rows.append(Row(line, cells))
        if len(table.rows) > MAX_ROWS:
            table.problems.append(Problem(line, None, f"is past the limit of {MAX_ROWS:,} rows in one file; split the file and run each part"))
            return table
    if header is None:
        table.problems.append(Problem(1, None, f"is empty; the first line names the columns, e.g. {known_text}"))
    return table


def _header(record: list[str], table: Table, known: Callable[[str], bool], required: tuple[str, ...], known_text: str,
            unknown_hint: Callable[[str], str | None], suspicious: bool) -> list[str]:
    names: list[str] = []
    for number, raw in enumerate(record, start=1):
        name = raw.strip().lower()
        byte = _bad_bytes(raw) if suspicious else None
        if byte is not None:
            table.problems.append(_not_utf8(1, None, byte))
        elif not name:
            table.problems.append(Problem(1, None, f"column {number} has no name; name it ({known_text}) or remove it"))
        elif name in names:
            table.problems.append(Problem(1, name, "is named twice; keep one column of each name"))
        elif not known(name):
            hint = unknown_hint(name)
            table.problems.append(Problem(1, name, hint or f"is not a known column; the columns are: {known_text}"))
        names.append(name)
    for name in required:
        if name not in names:
            table.problems.append(Problem(1, None, f"has no {name} column; the first line must name at least {', '.join(required)}"))
    return names
