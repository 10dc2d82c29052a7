"""A table fitted to a terminal's width, for people.

The rule: an id, a date or an amount is never cut. Each column is either
*kept* (its cells are printed whole: ids, dates, amounts, numbers) or
*text* (names, descriptions: they wrap at spaces; text in Chinese, Japanese
or Korean at any of its characters; a word longer than a line is broken).
In order:

1. every column at its natural width, when the table fits;
2. else the text columns wrap, sharing the width the kept columns leave
   (each at least ``MIN_TEXT`` columns, and never narrower than its longest
   word);
3. else, when even that does not fit, the text moves to a detail line
   under each row, indented and wrapped to the terminal's width, and the
   row keeps only its kept columns;
4. else, when the kept columns alone are wider than the terminal (a report
   of many amounts on a narrow terminal), each row is a block: its first
   cell, then one ``header  value`` line per other column (a kept value
   too long to sit beside its header goes whole on the line under it).

Columns are separated by two spaces; the header is underlined, with
``─`` where the terminal shows UTF-8, else ``-`` (and the detail line's
parts are separated by `` · ``, else `` | ``).
"""

from __future__ import annotations

from .output import display_width

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Sequence

MIN_TEXT = 16
GAP = "  "
MARKS = {True: ("─", " · "), False: ("-", " | ")}  # (underline, detail separator), by whether the terminal shows UTF-8


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` display columns, broken at spaces
    and between the characters of Chinese, Japanese or Korean text (a word
    longer than a line is broken inside)."""
    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            if not word:
                continue
            for number, piece in enumerate(_units(word)):
                candidate = (f"{line} {piece}" if number == 0 else line + piece) if line else piece
                if display_width(candidate) <= width:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                while display_width(piece) > width:
                    cut = _cut(piece, width)
                    lines.append(piece[:cut])
                    piece = piece[cut:]
                line = piece
        lines.append(line)
    return lines or [""]


def _units(word: str) -> list[str]:
    """The parts of a word a line may break between: each wide character
    (Chinese, Japanese, Korean text has no spaces and breaks at any of
    them) and each run of other characters, combining marks with the
    character they mark; a word of narrow characters is one part."""
    if word.isascii():
        return [word]
    from unicodedata import combining, east_asian_width

    units: list[str] = []
    run = False  # whether the last unit is a run of narrow characters
    for ch in word:
        wide = east_asian_width(ch) in "WF"
        if units and (combining(ch) or (run and not wide)):
            units[-1] += ch
        else:
            units.append(ch)
            run = not wide
    return units


def _longest_unit(cell: str) -> int:
    """The widest part of ``cell`` that wrapping never breaks (``_units``)."""
    return max([display_width(unit) for word in cell.split() for unit in _units(word)] + [1])


def _cut(word: str, width: int) -> int:
    used = 0
    for index, ch in enumerate(word):
        used += display_width(ch)
        if used > width:
            return max(1, index)
    return len(word)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def fitted_lines(head: Sequence[str], body: Sequence[Sequence[str]], keep: Sequence[bool], width: int,
                 bold: bool = False, utf8: bool | None = None) -> list[str]:
    """The header, its underline and the rows, fitted to ``width`` columns;
    ``utf8``: whether the terminal shows UTF-8 (default: what standard
    output is, ``output.Screen``), else the lines are drawn with ASCII."""
    if utf8 is None:
        from .output import screen

        utf8 = screen().utf8
    rule, separator = MARKS[utf8]
    count = len(head)
    natural = [max([display_width(head[i])] + [display_width(line) for cells in body for line in cells[i].split("\n")])
               for i in range(count)]
    gaps = len(GAP) * (count - 1)
    text_columns = [i for i in range(count) if not keep[i]]
    if sum(natural) + gaps <= width:
        return _render(head, body, natural, [True] * count, bold, rule)
    if not text_columns:
        return _blocks(head, body, keep, width, bold)
    kept = [i for i in range(count) if keep[i]]
    kept_width = sum(natural[i] for i in kept) + len(GAP) * max(0, len(kept) - 1)
    if kept_width > width:
        return _blocks(head, body, keep, width, bold)
    kept_width = sum(natural[i] for i in kept) + gaps
    room = width - kept_width
    if room >= MIN_TEXT * len(text_columns):
        widths = _share(natural, text_columns, room)
        longest = {i: max(_longest_unit(cells[i]) for cells in body) if body else 1 for i in text_columns}
        if all(widths[i] >= min(natural[i], longest[i]) for i in text_columns):  # no word broken
            return _render(head, body, widths, list(keep), bold, rule)
    return _with_details(head, body, keep, natural, width, bold, rule, separator)


def _share(natural: list[int], text_columns: list[int], room: int) -> list[int]:
    """Widths for the text columns: what they need, shrunk in proportion to
    fit ``room``, none under MIN_TEXT."""
    widths = list(natural)
    need = sum(natural[i] for i in text_columns)
    for i in text_columns:
        widths[i] = max(MIN_TEXT, natural[i] * room // max(1, need))
    while sum(widths[i] for i in text_columns) > room:  # rounding: take from the widest
        widest = max(text_columns, key=lambda i: widths[i])
        if widths[widest] <= MIN_TEXT:
            break
        widths[widest] -= 1
    return widths


def _render(head: Sequence[str], body: Sequence[Sequence[str]], widths: list[int], whole: list[bool], bold: bool,
            rule: str) -> list[str]:
    lines = [_line([head[i] for i in range(len(head))], widths, bold)]
    lines.append(GAP.join(rule * w for w in widths).rstrip())
    for cells in body:
        columns = [cells[i].split("\n") if whole[i] else wrap(cells[i], widths[i]) for i in range(len(cells))]
        for row in range(max(len(c) for c in columns)):
            lines.append(_line([c[row] if row < len(c) else "" for c in columns], widths, False))
    return lines


def _line(cells: Sequence[str], widths: Sequence[int], bold: bool) -> str:
    text = GAP.join(_pad(cell, w) for cell, w in zip(cells, widths)).rstrip()
    return f"\x1b[1m{text}\x1b[0m" if bold and text else text


def _with_details(head: Sequence[str], body: Sequence[Sequence[str]], keep: Sequence[bool], natural: list[int],
                  width: int, bold: bool, rule: str, separator: str) -> list[str]:
    """Kept columns in the row; each text column on a detail line under it."""
    kept = [i for i in range(len(head)) if keep[i]]
    lines = _render([head[i] for i in kept], [[cells[i] for i in kept] for cells in body[:0]], [natural[i] for i in kept],
                    [True] * len(kept), bold, rule)
    for cells in body:
        lines.extend(_render([""] * len(kept), [[cells[i] for i in kept]], [natural[i] for i in kept], [True] * len(kept),
                             False, rule)[2:])
        details = [f"{head[i]}: {cells[i]}" if head[i] else cells[i] for i in range(len(head)) if not keep[i] and cells[i]]
        if details:
            lines.extend("    " + part for part in wrap(separator.join(details), width - 4))
    return lines


def _blocks(head: Sequence[str], body: Sequence[Sequence[str]], keep: Sequence[bool], width: int, bold: bool) -> list[str]:
    """One block per row: the first cell (bold), then ``header  value`` lines;
    a kept value (an id, a date, an amount) whole, text wrapped at spaces
    when it is longer than the line."""
    label = max(display_width(h) for h in head[1:]) if len(head) > 1 else 0
    lines: list[str] = []
    for number, cells in enumerate(body):
        if number:
            lines.append("")
        first = f"{head[0]} {cells[0]}" if head[0] else cells[0]
        lines.append(f"\x1b[1m{first}\x1b[0m" if bold else first)
        for header, cell, whole in zip(head[1:], cells[1:], keep[1:]):
            if not cell:
                continue
            room = width - label - 4
            if whole and display_width(cell) > room:  # a long id beside its label would pass the width: under it
                lines.append(f"  {header}")
                lines.extend(f"    {part}" for part in cell.split("\n"))
                continue
            fits = whole or display_width(cell) <= room
            parts = cell.split("\n") if fits else wrap(cell, max(12, room))
            for index, part in enumerate(parts):
                lines.append(f"  {_pad(header if index == 0 else '', label)}  {part}".rstrip())
    return lines
