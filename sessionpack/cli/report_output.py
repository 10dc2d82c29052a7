"""Drawing report tables: ids, dates and amounts are never cut.

On a terminal a report is fitted to its width by ``fit``, like every table:
id, date and amount columns are printed whole, text columns (names,
services, details) wrap, and a table too wide even so is written as one
block per row. Piped, the plain layout of ``output`` is used.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from itertools import repeat
from types import NoneType
from typing import Any, Sequence

from ..domain.text import shown
from .output import _cell, _one_line, _terminal, plain_table_lines


def _fast_cell(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value if value.isprintable() else shown(value)  # stored text: no terminal escapes
    if kind is Decimal:
        return format(value, "f")
    if kind is int:
        return str(value)
    return _cell(value)


def column_cells(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    """The cells of each column, column by column (a long report is mostly
    columns of plain texts, checked for control characters in one pass)."""
    out = []
    for col in columns:
        values = list(map(dict.get, rows, repeat(col)))
        kinds = set(map(type, values))
        if NoneType in kinds:
            values = ["" if v is None else v for v in values]
            kinds.discard(NoneType)
            kinds.add(str)
        if kinds <= {str}:
            out.append(values if "".join(values).isprintable() else list(map(_fast_cell, values)))
        elif kinds <= {int}:
            out.append(list(map(str, values)))
        elif kinds <= {str, int} and "".join([v for v in values if v.__class__ is str]).isprintable():
            out.append([v if v.__class__ is str else str(v) for v in values])  # numbers, and the blanks of total rows
        elif kinds <= {str, Decimal, int} and "".join([v for v in values if v.__class__ is str]).isprintable():
            out.append([v if v.__class__ is str else _fast_cell(v) for v in values])
        else:
            out.append(list(map(_fast_cell, values)))
    return out


def plain_text(head: Sequence[str], columns: Sequence[Sequence[str]], title: str | None) -> str:
    """The text of ``output.plain_table_lines`` (each line ended), quicker
    for long reports: the cells are padded column by column, and the lines
    made are that function's when the text is ASCII and has no line break
    but those ending lines (else that function makes them). ``columns``:
    the cells of each column."""
    padded = []  # each column with its head, padded to its widest cell and two spaces (the last one not padded)
    for title_of, column in zip(head[:-1], columns[:-1]):
        width = max(len(title_of), max(map(len, column), default=0)) + 2
        padded.append([title_of.ljust(width), *map(str.ljust, column, repeat(width))])
    padded.append([head[-1], *columns[-1]] if columns else [head[-1]])
    lines = list(map("".join, zip(*padded)))
    text = "\n".join(map(str.rstrip, lines)) + "\n"
    if text.isascii() and "\r" not in text and text.count("\n") == len(lines):
        return f"{_one_line(title)}\n{text}" if title else text
    return "".join(line + "\n" for line in plain_table_lines(head, [list(row) for row in zip(*columns)], title))


def write_report_table(columns: Sequence[str], rows: Sequence[dict[str, Any]], title: str | None,
                       wrap: Sequence[str] = (), width: int | None = None, stream: Any = None,
                       wide: Sequence[str] = ()) -> None:
    """A report table; ``wrap``: the text columns that may wrap on a terminal
    (every other column is an id, a date or an amount: printed whole);
    ``wide``: the columns shown only with --wide (a table for people shows
    fewer; CSV, TSV and JSON have them all)."""
    from . import output

    if wide and not output.WIDE:
        columns = [c for c in columns if c not in wide]
    out = stream or sys.stdout
    head = [c.replace("_", " ") for c in columns]
    by_column = column_cells(columns, rows)
    terminal = stream is not None or _terminal()
    if not terminal:
        out.write(plain_text(head, by_column, title))
        return
    body = [list(row) for row in zip(*by_column)] if rows else []
    from .fit import fitted_lines
    from .output import screen

    seen = screen()
    keep = [c not in wrap for c in columns]
    lines = ([title] if title else []) + fitted_lines(head, body, keep, width or seen.width, bold=seen.styles and stream is None)
    out.write("".join(line + "\n" for line in lines))
