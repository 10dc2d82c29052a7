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
        if len(positional) >= len(arguments):
            return None
        waiting = arguments[len(positional)]
    if not waiting.get("complete"):
        return None
    return waiting, root


def _zsh_escape(text: str) -> str:
    return text.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`").replace(":", r"\\:")


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
    values = [v for v in _import(param["complete"])(ctx=Context(root), incomplete=incomplete) if v.startswith(incomplete)]
    if shell == "bash":
        out = "\n".join(values)
    elif shell == "zsh":
        out = "_arguments '*: :((" + "\n".join(f'"{_zsh_escape(v)}"' for v in values) + "))'" if values else "_files"
    else:
        fish_action = os.environ.get("_TYPER_COMPLETE_FISH_ACTION", "")
        if fish_action == "is-args":
            raise SystemExit(0 if values else 1)
        out = "\n".join(values) if fish_action == "get-args" and values else ""
    sys.stdout.write(out + "\n")
    sys.stdout.flush()
    raise SystemExit(0)
