"""Rendering rows: a Rich table on a terminal, plain aligned text when piped,
JSON/CSV/TSV written directly.

Machine formats never pass through Rich (it would wrap them). On a terminal,
user text is always given to Rich as ``Text`` so a name like ``[bold]x``
prints as typed. When standard output is not a terminal, ``table`` is
written as plain text in the same columns and Rich is not imported at all.

User text is shown, never obeyed: control characters (which only a
hand-edited file can hold; they are refused where text is typed) are written
as escapes such as ``\x1b`` in tables, lines and messages; JSON escapes them
too. CSV and TSV cells are safe to open in a spreadsheet: a cell that begins
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return and is not a
number gets a leading ``'`` (OWASP's advice against CSV injection), so ids,
numbers, amounts and dates are never altered.
"""

from __future__ import annotations

import json
import re
import sys
from decimal import Decimal
from enum import Enum

from ..domain.text import shown

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable, Sequence


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


_JSON_C1 = "[\x7f-\x9f]"  # json.dumps escapes C0, not DEL and C1 (patterns compiled on first use)


def json_text(data: Any, indent: int | None = 2) -> str:
    text = json.dumps(_plain(data), ensure_ascii=False, indent=indent)
    if re.search(_JSON_C1, text):
        text = re.sub(_JSON_C1, lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


def write_json(data: Any) -> None:
    sys.stdout.write(json_text(data) + "\n")


def _cell(value: Any) -> str:
    if type(value) is str:  # most cells: nothing to convert
        return value
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    return str(value)


_NUMBER_RE = r"[+-]?(\d+(\.\d*)?|\.\d+)\Z"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a
    leading ``'``; numbers (``-5.00``, ``+3``) are left as they are."""
    if cell.startswith(FORMULA_START) and not re.match(_NUMBER_RE, cell):
        return "'" + cell
    return cell


def delimited_cell(value: Any, tsv: bool) -> str:
    """One CSV or TSV cell: control characters escaped (line breaks kept in
    CSV, which quotes them; TSV has no quoting, so a tab or line break in a
    value becomes a space), then made spreadsheet safe."""
    cell = spreadsheet_safe(_cell(value))
    if tsv:
        if "\t" in cell or "\n" in cell or "\r" in cell:
            cell = cell.replace("\r\n", " ").replace("\t", " ").replace("\n", " ").replace("\r", " ")
        return shown(cell)
    return shown(cell.replace("\r\n", "\n"), keep="\n\t")


def write_delimited(columns: Sequence[str], rows: Iterable[dict[str, Any]], delimiter: str) -> None:
    import csv

    tsv = delimiter == "\t"
    writer = csv.writer(sys.stdout, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([delimited_cell(row.get(col), tsv) for col in columns])


def console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    terminal = sys.stdout.isatty()
    return Console(file=sys.stdout, highlight=False, markup=False, emoji=False, soft_wrap=False, width=None if terminal else 200)


def _terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream: not a terminal
        return False


def write_table(columns: Sequence[str], rows: Iterable[dict[str, Any]], title: str | None = None, headers: Sequence[str] | None = None) -> None:
    """A table: drawn by Rich on a terminal, plain aligned text otherwise."""
    head = [header.replace("_", " ") for header in headers or columns]
    body = [[shown(_cell(row.get(col))) for col in columns] for row in rows]
    title = shown(title) if title else title
    if _terminal():
        write_rich_table(head, body, title)
    else:
        write_plain_table(head, body, title)


def write_rich_table(head: Sequence[str], body: Iterable[Sequence[str]], title: str | None = None) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, title_justify="left", show_lines=False)
    for header in head:
        table.add_column(Text(header))
    for cells in body:
        table.add_row(*(Text(cell) for cell in cells))
    console().print(table)


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide East Asian characters take
    two, combining marks none (what Rich counts too)."""
    if text.isascii():
        return len(text)
    from unicodedata import combining, east_asian_width

    return sum(0 if combining(ch) else 2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def _one_line(text: str) -> str:
    return " ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text


def plain_table_lines(head: Sequence[str], body: Iterable[Sequence[str]], title: str | None = None) -> list[str]:
    """The title (if any), the header and one line per row, columns padded to
    their widest cell and separated by two spaces. Cells are never wrapped,
    cut or interpreted; a line break inside a cell becomes a space so each
    row stays one line. Trailing spaces are dropped."""
    rows = [[_one_line(cell) for cell in cells] for cells in [head, *body]]
    widths = [max(display_width(cells[i]) for cells in rows) for i in range(len(head))]
    lines = [_one_line(title)] if title else []
    for cells in rows:
        padded = [cell + " " * (w - display_width(cell)) for cell, w in zip(cells, widths)]
        lines.append("  ".join(padded).rstrip())
    return lines


def write_plain_table(head: Sequence[str], body: Iterable[Sequence[str]], title: str | None = None) -> None:
    sys.stdout.write("".join(line + "\n" for line in plain_table_lines(head, body, title)))


def emit(fmt: Format, columns: Sequence[str], rows: list[dict[str, Any]], *, title: str | None = None, data: Any = None, empty: str = "") -> None:
    """Print rows in the chosen format; ``data`` overrides what JSON shows."""
    if fmt is Format.json:
        write_json(rows if data is None else data)
    elif fmt is Format.csv:
        write_delimited(columns, rows, ",")
    elif fmt is Format.tsv:
        write_delimited(columns, rows, "\t")
    elif not rows and empty:
        say(empty)
    else:
        write_table(columns, rows, title)


def emit_record(fmt: Format, record: dict[str, Any], lines: Sequence[str] = ()) -> None:
    """One object: JSON as is; CSV/TSV as one row; table as 'key  value' lines."""
    if fmt is Format.json:
        write_json(record)
    elif fmt in (Format.csv, Format.tsv):
        columns = list(record)
        write_delimited(columns, [record], "," if fmt is Format.csv else "\t")
    elif lines:
        for line in lines:
            say(line)
    else:
        width = max((len(k) for k in record), default=0)
        for key, value in record.items():
            say(f"{key.replace('_', ' '):<{width}}  {_cell(value)}")


def say(text: str) -> None:
    sys.stdout.write(shown(text, keep="\n") + "\n")


def warn(text: str) -> None:
    sys.stderr.write(f"warning: {shown(text)}\n")
