"""What the CSV commands share: reading the file, printing rows and
problems, and a progress bar for large files on a terminal."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from ..domain.text import shown
from ..errors import InputError
from .output import Format, dumb_terminal, emit, shows_utf8, styles_allowed

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Iterator, NoReturn, Sequence

PROGRESS_FROM = 300  # rows: smaller files finish before a bar would be read


def read_input(path: str) -> tuple[bytes, str]:
    """The bytes of FILE, or of standard input for '-', and the name problems use."""
    if path == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    try:
        with open(path, "rb") as handle:
            return handle.read(), path
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory; give a CSV file") from None
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}; check the file") from None


def emit_rows(fmt: Format, columns: Sequence[str], rows: list[dict[str, Any]], title: str) -> None:
    """One row per input line (JSON lines: one object a line)."""
    emit(fmt, columns, rows, title=title, data=rows)


def leave_for_exit(rows: int) -> None:
    """After a file of many rows, what the command made stays until the
    process exits (the store holds the views it recorded): take it out of
    the cyclic collector's sight (``gc.freeze``), so the collection the
    interpreter makes as it exits does not walk it all again (a third of a
    second for 10,000 rows). A small file leaves the collector as it is."""
    if rows >= PROGRESS_FROM:
        import gc

        gc.freeze()


def refuse_with_template(given: list[tuple[str, bool]], example: str) -> None:
    """--csv-template only prints a CSV file to fill in: an option given with
    it would be silently ignored (``--format json`` would still print CSV,
    ``--csv FILE`` would read nothing), so it is refused, naming the first
    (``given``: (option, whether given); ``example``: the command as it is
    meant to be run)."""
    for option, present in given:
        if present:
            raise InputError(f"--csv-template only prints the columns to fill in, as CSV; give it without {option}, "
                             f"e.g. '{example}'")


def warn_alikes(opened: Any, rows: list[Any], source: str, then: str) -> None:
    """A warning for each client a file adds whose name or email another
    client has (``actions.clients.look_alikes``), naming its line; ``then``
    says what to do if it is the same person."""
    if not rows:
        return
    from ..actions.clients import look_alikes
    from .output import warn

    for row, text in look_alikes(opened.load_directory()["clients"], rows):
        warn(f"{source}:{row.line}: {text}; is {row.id} the same person? ({then})")


def refuse(problems: Any) -> NoReturn:
    """Print every problem of a file (``actions.problems.ProblemsFound``),
    one line each, then raise it: its own line and exit code follow."""
    from .runtime import one_line

    sys.stdout.flush()
    sys.stderr.write("".join(one_line(line) + "\n" for line in problems.lines))  # (a column's name is the file's text)
    raise problems


@contextmanager
def progress(total: int, source: str) -> Iterator[Callable[[int], None] | None]:
    """A Rich progress bar on standard error while ``total`` rows of
    ``source`` are checked, then recorded, when standard error is a terminal
    and the file is large; otherwise nothing (None). The file's name is
    shown as typed, its control characters escaped (never read as markup);
    no colour with ``NO_COLOR``, ASCII where the terminal does not show
    UTF-8, and no bar at all on a dumb terminal, which cannot move its
    cursor."""
    try:
        terminal = sys.stderr.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if total < PROGRESS_FROM or not terminal or dumb_terminal():
        yield None
        return
    import os

    what = f"checking {shown(os.path.basename(source) or source)}"
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    class AsciiConsole(Console):
        """Rich draws with ASCII when its output's encoding is not UTF-8;
        so it does when the terminal does not show UTF-8 (the C locale)."""

        @property
        def encoding(self) -> str:
            return "ascii"

    console = (Console if shows_utf8(sys.stderr) else AsciiConsole)(
        file=sys.stderr, highlight=False, markup=False, color_system="auto" if styles_allowed() else None)
    bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True)
    with bar:
        task = bar.add_task(what, total=total)
        step = max(1, total // 200)

        def advance(done: int) -> None:
            if done == total:
                bar.update(task, completed=done, description=f"{what}: done, recording")
            elif done % step == 0:
                bar.update(task, completed=done)

        yield advance
