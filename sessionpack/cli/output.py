"""Rendering rows: a Rich table on a terminal, plain aligned text when piped,
JSON/CSV/TSV written directly.

Machine formats are written directly. On a terminal, a table is fitted to
its width (``fit``: ids, dates and amounts whole, text wrapped or moved to
a detail line), with a bold header unless ``NO_COLOR`` is set or ``TERM`` is
``dumb``; when standard output is not a terminal, ``table`` is written as
plain text in the same columns, never wrapped or cut. User text is never
read as markup: a name like ``[bold]x`` prints as typed.

User text is shown, never obeyed: control and invisible characters (which
only a hand-edited file can hold; they are refused where text is typed) are
written as escapes such as ``\x1b`` or ``\u200b`` in tables, lines and
messages; JSON escapes them too. The tabs and line breaks notes and
descriptions may hold are shown as spacing and as lines under the first.
CSV and TSV cells are safe to open in a spreadsheet: a cell that begins
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return and is not a
number gets a leading ``'`` (OWASP's advice against CSV injection), so ids,
numbers, amounts and dates are never altered.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from enum import Enum

from .. import jsontext
from ..domain.text import shown, shown_lines, spreadsheet_safe  # (the rule lives with its inverse, for files read back)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable, Sequence


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"


class Col:
    """A column of a table for people.

    ``keep``: its cells (ids, dates, amounts) are never wrapped or cut; a
    column not marked either way is kept whole when every cell looks like
    one (``id_like``), else it is text, which wraps.
    ``wide``: shown only with ``--wide`` (CSV, TSV and JSON always have
    every column).
    """

    __slots__ = ("key", "header", "keep", "wide")

    def __init__(self, key: str, header: str | None = None, keep: bool | None = None, wide: bool = False) -> None:
        self.key = key
        self.header = header if header is not None else key.replace("_", " ")
        self.keep = keep
        self.wide = wide


def _cols(columns: Sequence[Any]) -> list[Col]:
    return [c if isinstance(c, Col) else Col(c) for c in columns]


def column_keys(columns: Sequence[Any]) -> list[str]:
    """Every column's key, wide ones included (the CSV, TSV and JSON columns)."""
    return [c.key for c in _cols(columns)]


class Screen:
    """What standard output is: a terminal (its width and height, whether it
    takes colour and bold, whether it shows UTF-8) or not. Decided once per
    command, before any output is captured for the pager."""

    def __init__(self) -> None:
        try:
            self.terminal = sys.stdout.isatty()
        except (AttributeError, ValueError):  # a closed or unusual stream: not a terminal
            self.terminal = False
        import os

        try:
            size = os.get_terminal_size(sys.stdout.fileno()) if self.terminal else os.terminal_size((80, 24))
        except (OSError, ValueError, AttributeError):  # a terminal we cannot measure: the usual size
            size = os.terminal_size((80, 24))
        # A terminal that reports no size (0 x 0: some containers, serial consoles) has the usual one too.
        self.width = _env_int("COLUMNS", size.columns or 80)
        self.height = _env_int("LINES", size.lines or 24)
        self.styles = styles_allowed()
        self.encoding = getattr(sys.stdout, "encoding", None) or "utf-8"  # (a text buffer has none: it takes any text)
        self.utf8 = shows_utf8(sys.stdout)  # else tables are drawn with ASCII (``fit``)


def dumb_terminal() -> bool:
    """``TERM=dumb``: a terminal that can neither move its cursor nor show
    styles (Emacs's shell, some consoles): no bold, no pager, no progress bar."""
    import os

    return os.environ.get("TERM", "") == "dumb"


def styles_allowed() -> bool:
    """Whether a terminal may get colour and bold: not with ``NO_COLOR``
    (no-color.org: set and not empty) nor on a dumb terminal."""
    import os

    return not os.environ.get("NO_COLOR") and not dumb_terminal()


def shows_utf8(stream: Any) -> bool:
    """Whether ``stream`` shows UTF-8: it writes UTF-8 and the locale (the
    first of ``LC_ALL``, ``LC_CTYPE`` and ``LANG`` that is set, what the
    terminal and the pager go by) names it. Not so in the C locale, nor in a
    Latin-1 one, nor with ``PYTHONIOENCODING=ascii``: there a table is drawn
    with ASCII, and characters the output cannot encode are written as
    escapes (``streams.Guarded``)."""
    import os

    if not _names_utf8(getattr(stream, "encoding", None) or "utf-8"):  # (a text buffer has no encoding: any text)
        return False
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = os.environ.get(name, "").partition("@")[0]  # en_US.UTF-8, C.utf8, UTF-8 (macOS), pt_PT.ISO-8859-1, C
        if value:
            return _names_utf8(value.rpartition(".")[2])
    return False  # no locale at all: C


def _names_utf8(encoding: str) -> bool:
    return encoding.lower().replace("-", "").replace("_", "") == "utf8"


def for_output(text: str, json: bool = False) -> str:
    """``text`` as standard output (``Screen.encoding``) can take it: as it
    is in UTF-8, else with each character the encoding lacks as an escape
    (``streams.encodable``; JSON's own in a JSON document), before a table
    is aligned or a document written."""
    encoding = screen().encoding
    if _names_utf8(encoding):
        return text
    from .streams import encodable

    return encodable(text, encoding, json)


def _env_int(name: str, default: int) -> int:
    import os

    text = os.environ.get(name, "")
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 10000 else default


_SCREEN: Screen | None = None
WIDE = False  # --wide: every column in tables


def screen() -> Screen:
    global _SCREEN
    if _SCREEN is None:
        _SCREEN = Screen()
    return _SCREEN


def reset_screen() -> None:
    """Forget what standard output was (each command decides anew)."""
    global _SCREEN, WIDE
    _SCREEN = None
    WIDE = False


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


_JSON_ESCAPES: dict[int, str] = {}  # json escapes C0; the rest of text.HIDDEN (DEL, C1, U+200B, U+202E...) is escaped here


def _json_escapes() -> dict[int, str]:
    """Each character of ``text.HIDDEN`` that json writes as it is, to its
    JSON escape (past U+FFFF, as its two surrogates: ``\\udb40\\udc41``)."""
    if not _JSON_ESCAPES:
        from ..domain.text import hidden_codes
        from .streams import json_escape

        _JSON_ESCAPES.update((code, json_escape(code)) for code in hidden_codes() if code >= 0x7F)
    return _JSON_ESCAPES


def json_text(data: Any, indent: int | None = 2) -> str:
    if indent is None:  # a JSON line
        text = jsontext.dumps(_plain(data))
    else:
        import json

        text = json.dumps(_plain(data), ensure_ascii=False, indent=indent)
    return json_escaped(text)


def json_escaped(text: str) -> str:
    """JSON text with the characters of ``text.HIDDEN`` that ``json`` writes
    as they are (DEL, C1, U+200B, U+202E...) written as escapes."""
    return text if text.isascii() else text.translate(_json_escapes())


def write_json(data: Any) -> None:
    sys.stdout.write(for_output(json_text(data) + "\n", json=True))


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
    """CSV (quoted where a cell needs it) or TSV (never quoted: its cells
    hold no tab or line break, so each is written as it is)."""
    tsv = delimiter == "\t"
    rows = rows if isinstance(rows, list) else list(rows)
    columns, rows = _unnested(columns, rows)
    if tsv:
        write = sys.stdout.write
        write("\t".join(delimited_cell(col, True) for col in columns) + "\n")
        for row in rows:
            write("\t".join([delimited_cell(row.get(col), True) for col in columns]) + "\n")
        return
    import csv

    writer = csv.writer(sys.stdout, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([delimited_cell(row.get(col), False) for col in columns])


def _nested(value: Any) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value))


def _unnested(columns: Sequence[str], rows: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns holding mappings (or lists of them) become one column per key
    (``draw.key``, ``draw.amount``), as ``flat_record`` names them."""
    nested = {c for c in columns if any(_nested(row.get(c)) for row in rows)}
    if not nested:
        return list(columns), rows
    flat = [flat_record(row) for row in rows]
    out: list[str] = []
    for column in columns:
        if column not in nested:
            out.append(column)
            continue
        seen: dict[str, None] = {}
        for row in flat:
            for key in row:
                if key == column or key.startswith(column + "."):
                    seen.setdefault(key, None)
        out.extend(seen)
    return out, flat


def _terminal() -> bool:
    return screen().terminal


def write_table(columns: Sequence[Any], rows: Iterable[dict[str, Any]], title: str | None = None, headers: Sequence[str] | None = None) -> None:
    """A table: drawn by Rich on a terminal (fit to its width: ids, dates and
    amounts whole, text wrapped), plain aligned text otherwise. Columns
    marked ``wide`` only with ``--wide``."""
    cols = _cols(columns)
    if headers:
        for col, header in zip(cols, headers):
            col.header = header.replace("_", " ")
    cols = [c for c in cols if WIDE or not c.wide]
    head = [c.header for c in cols]
    body = [[shown(_cell(row.get(c.key)), keep="\n") for c in cols] for row in rows]
    title = shown(title) if title else title
    if not _names_utf8(screen().encoding):  # escapes for what the output cannot encode, before the columns are aligned
        head, body = [for_output(h) for h in head], [[for_output(cell) for cell in cells] for cells in body]
        title = for_output(title) if title else title
    if _terminal():
        keep = [c.keep if c.keep is not None else all(id_like(cells[i]) for cells in body) for i, c in enumerate(cols)]
        write_terminal_table(head, body, title, keep)
    else:
        write_plain_table(head, body, title)


ID_LIKE_UP_TO = 64  # characters: the longest id (domain/ids.py) or invoice number (domain/sales.py)


def id_like(cell: str) -> bool:
    """Whether a cell of a column not marked either way reads as an id, a
    date, an amount or a code, which a table never cuts: one ASCII word of
    at most ``ID_LIKE_UP_TO`` characters. A name in Chinese or Japanese (no
    spaces), or a word longer than any id, is text: it wraps."""
    return cell.isascii() and len(cell) <= ID_LIKE_UP_TO and " " not in cell and "\n" not in cell


def write_terminal_table(head: Sequence[str], body: Sequence[Sequence[str]], title: str | None, keep: Sequence[bool]) -> None:
    """A table fitted to the terminal's width (``fit``): ids, dates and amounts whole, text wrapped."""
    from .fit import fitted_lines

    seen = screen()
    lines = ([title] if title else []) + fitted_lines(head, body, keep, seen.width, bold=seen.styles)
    sys.stdout.write("".join(line + "\n" for line in lines))


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


def write_jsonl(items: Iterable[Any]) -> None:
    """One JSON object per line (``--format jsonl``)."""
    for item in items:
        sys.stdout.write(for_output(json_text(item, indent=None) + "\n", json=True))


def emit(fmt: Format, columns: Sequence[Any], rows: list[dict[str, Any]], *, title: str | None = None, data: Any = None,
         empty: str = "", table: Sequence[Any] | None = None) -> None:
    """Print rows in the chosen format; ``data`` overrides what JSON (and,
    when it is a list, JSON lines) shows; ``table``, the columns a table for
    people shows (default ``columns``, the documented CSV and TSV columns)."""
    if fmt is Format.json:
        write_json(rows if data is None else data)
    elif fmt is Format.jsonl:
        write_jsonl(data if isinstance(data, list) else rows if data is None else [data])
    elif fmt is Format.csv:
        write_delimited(column_keys(columns), rows, ",")
    elif fmt is Format.tsv:
        write_delimited(column_keys(columns), rows, "\t")
    elif not rows and empty:
        say(empty)
    else:
        write_table(table or columns, rows, title)


def emit_record(fmt: Format, record: dict[str, Any], lines: Sequence[str] = ()) -> None:
    """One object: JSON as is (JSON lines: one line); CSV/TSV as one row; table
    as 'key  value' lines, without trailing spaces (as a piped table)."""
    if fmt is Format.json:
        write_json(record)
    elif fmt is Format.jsonl:
        write_jsonl([record])
    elif fmt in (Format.csv, Format.tsv):
        flat = flat_record(record)
        write_delimited(list(flat), [flat], "," if fmt is Format.csv else "\t")
    elif lines:
        for line in lines:
            say(line)
    else:
        width = max((len(k) for k in record), default=0)
        for key, value in record.items():
            # An empty value leaves no padding behind: lines carry no trailing spaces.
            line = hanging(f"{key.replace('_', ' '):<{width}}  ", _cell(value))
            say("\n".join(part.rstrip(" ") for part in line.split("\n")))


def hanging(lead: str, value: str) -> str:
    """``lead`` (a label) then ``value``; text of several lines (notes, a
    description) has each line after the first indented under the first,
    and its tabs shown as spacing (``text.shown_lines``)."""
    if "\n" not in value and "\t" not in value:
        return lead + value
    return lead + ("\n" + " " * display_width(lead)).join(shown_lines(value))


def flat_record(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """One CSV row of a record with nested values, never flattened into
    text: a mapping gives a column per key (``remaining.count``), a list one
    per item (``bookings.1.id``), a list of plain values one cell of them
    separated by spaces (``shared_with``); an empty mapping or list, an
    empty cell."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat_record(value, name + ".") if value else {name: ""})
        elif isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
            for number, item in enumerate(value, start=1):
                out.update(flat_record(item, f"{name}.{number}.") if isinstance(item, dict) else {f"{name}.{number}": item})
        elif isinstance(value, list):
            out[name] = " ".join(str(item) for item in value)
        else:
            out[name] = value
    return out


def say(text: str) -> None:
    sys.stdout.write(shown(text, keep="\n") + "\n")


def say_fitted(text: str) -> None:
    """``say``, wrapped at spaces to the terminal's width on a terminal (a
    page's heading or a note); piped, one line as it is."""
    seen = screen()
    text = shown(text, keep="\n")
    if not seen.terminal or all(display_width(line) <= seen.width for line in text.split("\n")):
        sys.stdout.write(text + "\n")
        return
    from .fit import wrap

    sys.stdout.write("".join(line + "\n" for line in wrap(text, seen.width)))


def warn(text: str) -> None:
    sys.stderr.write(f"warning: {shown(text)}\n")


class bulk_work:  # noqa: N801 - used as a function: ``with bulk_work():``
    """A command about to handle a whole file or a whole practice: tens of
    thousands of rows, lines, views. The cyclic garbage collector is off
    meanwhile (``collector.paused``), and JSON is read and written by the
    bulk engine (``jsontext.engage``), whose import is nothing beside that
    much work."""

    def __enter__(self) -> None:
        from .. import jsontext
        from ..collector import paused

        jsontext.engage()
        self._paused = paused()
        self._paused.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._paused.__exit__(*exc)
