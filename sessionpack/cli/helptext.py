"""Laying out a command's help the way Typer does, without importing it.

The quick path (``cli/fast.py``) prints the help of a hot command from the
steps Typer's help formatter took for it (recorded in
``cli/fast_table.py`` by ``cli/fast_build.py``: write the usage, a heading,
a paragraph, a definition list...). Those steps are replayed here at the
width of this terminal, with the same wrapping rules as the formatter
Typer bundles (Click's ``HelpFormatter`` and ``wrap_text``), so the text is
the same at every width: ``tests/cli/test_quick_path.py`` compares it with
Typer's at every width Typer can use (50 to 98 columns).
"""

from __future__ import annotations

import os
import re
import sys

_ANSI_RE = r"\033\[[;?0-9]*[a-zA-Z]"

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Sequence


def term_len(text: str) -> int:
    return len(re.sub(_ANSI_RE, "", text)) if "\033" in text else len(text)


def terminal_columns() -> int:
    """Columns of the terminal, found as ``shutil.get_terminal_size()`` finds
    them: ``COLUMNS``, else the size of standard output, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    try:
        lines = int(os.environ["LINES"])
    except (KeyError, ValueError):
        lines = 0
    if columns <= 0 or lines <= 0:
        try:
            size = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            size = os.terminal_size((80, 24))
        if columns <= 0:
            columns = size.columns or 80
    return columns


def help_width(max_width: int) -> int:
    """The width Typer's help formatter uses with ``max_content_width``."""
    return max(min(terminal_columns(), max_width) - 2, 50)


_WRAPPER: Any = None


def _wrapper(width: int, initial_indent: str, subsequent_indent: str) -> Any:
    global _WRAPPER
    if _WRAPPER is None:
        _WRAPPER = _wrapper_class()
    return _WRAPPER(width, initial_indent=initial_indent, subsequent_indent=subsequent_indent, replace_whitespace=False)


def _wrapper_class() -> Any:
    """Click's ``TextWrapper``: a long word is cut to the space left."""
    import textwrap

    class Wrapper(textwrap.TextWrapper):
        def _handle_long_word(self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int) -> None:
            space_left = max(width - cur_len, 1)
            last = reversed_chunks[-1]
            cur_line.append(last[:space_left])
            reversed_chunks[-1] = last[space_left:]

        def indent_only(self, text: str) -> str:
            return "\n".join(f"{self.initial_indent if i == 0 else self.subsequent_indent}{line}"
                             for i, line in enumerate(text.splitlines()))

    return Wrapper


def wrap_text(text: str, width: int = 78, initial_indent: str = "", subsequent_indent: str = "",
              preserve_paragraphs: bool = False) -> str:
    text = text.expandtabs()
    wrapper = _wrapper(width, initial_indent, subsequent_indent)
    if not preserve_paragraphs:
        return wrapper.fill(text)
    paragraphs: list[tuple[int, bool, str]] = []
    buf: list[str] = []
    indent: int | None = None

    def flush() -> None:
        if not buf:
            return
        if buf[0].strip() == "\b":
            paragraphs.append((indent or 0, True, "\n".join(buf[1:])))
        else:
            paragraphs.append((indent or 0, False, " ".join(buf)))
        del buf[:]

    for line in text.splitlines():
        if not line:
            flush()
            indent = None
        else:
            if indent is None:
                orig_len = term_len(line)
                line = line.lstrip()
                indent = orig_len - term_len(line)
            buf.append(line)
    flush()
    out = []
    first, rest = wrapper.initial_indent, wrapper.subsequent_indent
    for extra, raw, part in paragraphs:
        wrapper.initial_indent, wrapper.subsequent_indent = first + " " * extra, rest + " " * extra
        out.append(wrapper.indent_only(part) if raw else wrapper.fill(part))
    return "\n\n".join(out)


class Formatter:
    """The steps of a help page, written at ``width`` columns."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.current_indent = 0
        self.buffer: list[str] = []

    def write(self, string: str) -> None:
        self.buffer.append(string)

    def indent(self) -> None:
        self.current_indent += 2

    def dedent(self) -> None:
        self.current_indent -= 2

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = "Usage: "
        usage_prefix = f"{prefix:>{self.current_indent}}{prog} "
        text_width = self.width - self.current_indent
        if text_width >= term_len(usage_prefix) + 20:
            indent = " " * term_len(usage_prefix)
            self.write(wrap_text(args, text_width, initial_indent=usage_prefix, subsequent_indent=indent))
        else:
            self.write(usage_prefix)
            self.write("\n")
            indent = " " * (max(self.current_indent, term_len(prefix)) + 4)
            self.write(wrap_text(args, text_width, initial_indent=indent, subsequent_indent=indent))
        self.write("\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}:\n")

    def write_paragraph(self) -> None:
        if self.buffer:
            self.write("\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write(wrap_text(text, self.width, initial_indent=indent, subsequent_indent=indent, preserve_paragraphs=True))
        self.write("\n")

    def write_dl(self, rows: Sequence[Sequence[str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [tuple(row) for row in rows]
        widths: dict[int, int] = {}
        for row in rows:
            for idx, col in enumerate(row):
                widths[idx] = max(widths.get(idx, 0), term_len(col))
        if len(widths) != 2:
            raise TypeError("Expected two columns for definition list")
        first_col = min(widths[0], col_max) + col_spacing
        for row in rows:
            first, second = (row + ("", ""))[:2]
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if term_len(first) <= first_col - col_spacing:
                self.write(" " * (first_col - term_len(first)))
            else:
                self.write("\n")
                self.write(" " * (first_col + self.current_indent))
            text_width = max(self.width - first_col - 2, 10)
            lines = wrap_text(second, text_width, preserve_paragraphs=True).splitlines()
            if lines:
                self.write(f"{lines[0]}\n")
                for line in lines[1:]:
                    self.write(f"{'':>{first_col + self.current_indent}}{line}\n")
            else:
                self.write("\n")

    def getvalue(self) -> str:
        return "".join(self.buffer)


def render(steps: Sequence[Sequence[Any]], width: int) -> str:
    """The help page the recorded ``steps`` make at ``width`` columns, as
    Typer prints it (trailing line breaks cut, one added)."""
    formatter = Formatter(width)
    for name, *args in steps:
        getattr(formatter, name)(*args)
    return formatter.getvalue().rstrip("\n") + "\n"
