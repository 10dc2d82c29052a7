"""Drawing report tables: ids, dates and amounts are never cut.

On a terminal a report is fitted to its width by ``fit``, like every table:
id, date and amount columns are printed whole, text columns (names,
services, details) wrap, and a table too wide even so is written as one
block per row. Piped, the plain layout of ``output`` is used.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any, Sequence

from ..domain.text import shown
from .output import _cell, _terminal, plain_table_lines


def _fast_cell(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value if value.isprintable() else shown(value)  # stored text: no terminal escapes
    if kind is Decimal:
        return format(value, "f")
    if kind is int:
        return str(value)
    return _cell(value)


def cells(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [[_fast_cell(row.get(col)) for col in columns] for row in rows]


def plain_lines(head: Sequence[str], body: Sequence[Sequence[str]], title: str | None) -> list[str]:
    """``output.plain_table_lines``, quicker for long reports: the same text
    when every cell is ASCII on one line (else that function is used)."""
    if not all(cell.isascii() and "\n" not in cell and "\r" not in cell for row in body for cell in row) or not all(h.isascii() for h in head):
        return plain_table_lines(head, body, title)
    widths = [len(h) for h in head]
    for row in body:
        for i, cell in enumerate(row):
            if len(cell) > widths[i]:
                widths[i] = len(cell)
    last = len(head) - 1
    out = [title] if title else []
    for row in (head, *body):
        out.append("  ".join(cell.ljust(widths[i]) if i < last else cell for i, cell in enumerate(row)).rstrip())
    return out


def write_report_table(columns: Sequence[str], rows: Sequence[dict[str, Any]], title: str | None,
                       wrap: Sequence[str] = (), width: int | None = None, stream: Any = None) -> None:
    """A report table; ``wrap``: the text columns that may wrap on a terminal
    (every other column is an id, a date or an amount: printed whole)."""
    out = stream or sys.stdout
    head = [c.replace("_", " ") for c in columns]
    body = cells(columns, rows)
    terminal = stream is not None or _terminal()
    if not terminal:
        out.write("".join(line + "\n" for line in plain_lines(head, body, title)))
        return
    from .fit import fitted_lines
    from .output import screen

    seen = screen()
    keep = [c not in wrap for c in columns]
    lines = ([title] if title else []) + fitted_lines(head, body, keep, width or seen.width, bold=seen.styles and stream is None)
    out.write("".join(line + "\n" for line in lines))
