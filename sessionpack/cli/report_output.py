"""Drawing report tables: ids, dates and amounts are never cut.

On a terminal a report is a Rich table whose id, date and amount columns
never wrap or shrink; only text columns (names, services, details) may
wrap. When even that does not fit the terminal's width, the table is
written plain (as when piped): long lines, which the terminal wraps, but
nothing cut. Piped, the plain layout of ``output`` is used.
"""

from __future__ import annotations

import shutil
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


def fits(head: Sequence[str], body: Sequence[Sequence[str]], wrap: Sequence[bool], width: int) -> bool:
    """Whether a boxed table fits ``width`` with only ``wrap`` columns narrowed (to 8)."""
    need = 1
    for i, header in enumerate(head):
        widest = max([len(header)] + [len(row[i]) for row in body])
        need += (min(widest, 8) if wrap[i] else widest) + 3
    return need <= width


def write_report_table(columns: Sequence[str], rows: Sequence[dict[str, Any]], title: str | None,
                       wrap: Sequence[str] = (), width: int | None = None, stream: Any = None) -> None:
    """A report table; ``wrap``: the text columns that may wrap on a terminal."""
    out = stream or sys.stdout
    head = [c.replace("_", " ") for c in columns]
    body = cells(columns, rows)
    terminal = stream is not None or _terminal()
    if not terminal:
        out.write("".join(line + "\n" for line in plain_lines(head, body, title)))
        return
    width = width or shutil.get_terminal_size((80, 24)).columns
    wrapping = [c in wrap for c in columns]
    if not fits(head, body, wrapping, width):
        out.write("".join(line + "\n" for line in plain_lines(head, body, title)))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, title_justify="left")
    for i, header in enumerate(head):
        widest = max([len(header)] + [len(row[i]) for row in body])
        if wrapping[i]:
            table.add_column(Text(header), overflow="fold")
        else:
            table.add_column(Text(header), no_wrap=True, min_width=widest)
    for row in body:
        table.add_row(*(Text(cell) for cell in row))
    Console(file=out, width=width, highlight=False, markup=False, emoji=False, soft_wrap=False,
            force_terminal=stream is None).print(table)
