"""Shell completion of ids for the hot commands, without importing Typer.

The quick path's part of Typer's completion protocol (the
``_SESSIONPACK_COMPLETE`` variable the scripts in ``completions/`` set):
``complete_bash``, ``complete_zsh`` and ``complete_fish``, when the word
being completed is the value of an argument or option that has a
completion function (``cli/complete.py``) and the words before it are
plain. It finds the parameter the way Typer does (an option waiting for
its value, else the first argument without one), calls the same function,
and prints the answer in Typer's format for that shell. Anything else
(command names, option names, ``--``, ``=``, quotes in the words, another
shell) is answered by Typer.
"""

from __future__ import annotations

import os
import sys

from .fast import _NotMine, _import, _options, _read, _value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_SHLEX_SPACE = " \t\r\n"


def split_words(text: str) -> list[str] | None:
    """``text`` split as Typer's completion splits it (``shlex``), when it
    has no quote, backslash or unusual space; else None."""
    if "'" in text or '"' in text or "\\" in text:
        return None
    if any(ch.isspace() and ch not in _SHLEX_SPACE for ch in text):
        return None
    return text.split()


def completion_args(shell: str) -> tuple[list[str], str] | None:
    """(the complete words after the program name, the word being completed)."""
    if shell == "bash":
        words = split_words(os.environ.get("COMP_WORDS", ""))
        try:
            cword = int(os.environ["COMP_CWORD"])
        except (KeyError, ValueError):
            return None
        if words is None:
            return None
        return words[1:cword], (words[cword] if 0 <= cword < len(words) else "")
    line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
    words = split_words(line)
    if words is None:
        return None
    args = words[1:]
    if args and not line.endswith(" "):
        return args[:-1], args[-1]
    return args, ""


class Context:
    """What a completion function reads of Typer's context: the root's values."""

    __slots__ = ("params",)

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params

    def find_root(self) -> "Context":
        return self


def resolve(args: list[str], incomplete: str, table: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(the parameter whose value is being completed, the root's values), or None."""
    if "--" in args or "=" in incomplete or any("=" in arg for arg in args) or incomplete[:1] == "-":
        return None
    root_params = table["root"]["params"]
    root_given: dict[str, Any] = {}
    try:
        start, _ = _read(args, 0, _options(root_params), root_given, None, [])
        if start >= len(args):
            return None  # the command's name: Typer lists the commands
        spec = table["commands"].get(args[start])
        if spec is None:
            return None
        options = _options(spec["params"])
        waiting = options.get(args[-1]) if len(args) > start + 1 else None
        if waiting is not None and waiting["flag"]:
            waiting = None
        words = args[:-1] if waiting is not None else args
        positional: list[str] = []
        _, wants_help = _read(words, start + 1, options, {}, positional, table["help_options"])
        if wants_help:
            return None
        root = {p["name"]: _value(p, root_given) for p in root_params if p["exposed"]}
    except _NotMine:
        return None
    if waiting is None:
        arguments = [p for p in spec["params"] if "opts" not in p]
        if arguments and arguments[0].get("variadic"):
            waiting = arguments[0]  # it takes every word, so it always waits for one more
        elif len(positional) >= len(arguments):
            return None
        else:
            waiting = arguments[len(positional)]
    if not waiting.get("complete"):
        return None
    return waiting, root


def _zsh_escape(text: str) -> str:
    return text.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`").replace(":", r"\\:")


def _console_width() -> int:
    """The narrowest width Rich could wrap at here (each terminal among
    standard input, output and error, ``COLUMNS``, Typer's
    ``TERMINAL_WIDTH``, else 80)."""
    widths = [80]
    for fd in (0, 1, 2):
        try:
            widths.append(os.get_terminal_size(fd).columns)
        except (OSError, ValueError):
            pass
    for name in ("COLUMNS", "TERMINAL_WIDTH"):
        text = os.environ.get(name, "")
        if text.isdigit():
            widths.append(int(text))
    return min(widths)


def _shown_as_is(raw: str, shown: str, width: int) -> bool:
    """Whether Typer writes the help ``shown`` (made from ``raw``) as it is:
    it renders the help of a zsh or fish candidate as Rich markup (brackets,
    emoji codes between colons) wrapped at the console's width, so anything
    that could change there is left to Typer."""
    if "[" in raw or "]" in raw or "\\" in raw or raw.count(":") > 1 or not raw.isprintable():
        return False
    if raw != raw.strip() or "  " in raw:
        return False
    cells = len(shown) if shown.isascii() else 2 * len(shown)
    return cells < width - 1


def complete(table: dict[str, Any] | None = None) -> None:
    """Answer the completion request and exit, when the quick path can; else return."""
    instruction = os.environ.get("_SESSIONPACK_COMPLETE", "")
    action, _, shell = instruction.partition("_")
    if action != "complete" or shell not in ("bash", "zsh", "fish"):
        return
    if table is None:
        from .fast_table import TABLE as table
    found = completion_args(shell)
    if found is None:
        return
    args, incomplete = found
    target = resolve(args, incomplete, table)
    if target is None:
        return
    param, root = target
    from .complete import COMPLETERS

    pairs = COMPLETERS[param["complete"]](Context(root), incomplete)
    if shell == "bash":
        out = "\n".join(value for value, _ in pairs)
    elif shell == "zsh":
        width = _console_width()
        if any(text and not _shown_as_is(text, _zsh_escape(text), width) for _, text in pairs):
            return
        lines = [f'"{_zsh_escape(value)}":"{_zsh_escape(text)}"' if text else f'"{_zsh_escape(value)}"' for value, text in pairs]
        out = "_arguments '*: :((" + "\n".join(lines) + "))'" if lines else "_files"
    else:
        width = _console_width()
        if any(text and not _shown_as_is(text, text, width) for _, text in pairs):
            return
        fish_action = os.environ.get("_TYPER_COMPLETE_FISH_ACTION", "")
        if fish_action == "is-args":
            raise SystemExit(0 if pairs else 1)
        lines = [f"{value}\t{text}" if text else value for value, text in pairs]
        out = "\n".join(lines) if fish_action == "get-args" and lines else ""
    sys.stdout.write(out + "\n")
    sys.stdout.flush()
    raise SystemExit(0)
