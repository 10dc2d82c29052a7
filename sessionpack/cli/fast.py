"""The quick path: run a hot command without importing Typer.

Importing Typer takes longer than all the work of ``balance CLIENT``. The
commands declared with ``cli/declare.py`` (balance, history, book, sell
and their neighbours) are importable without it, and their command line
is described by ``cli/fast_table.py``, which ``cli/fast_build.py``
generates from what Typer builds out of those same declarations. When a
command line is plain, this module reads it with that table the way
Typer's parser does and calls the command function Typer would call, with
the same values; it prints the help of those commands, and completes ids
in bash, zsh and fish, the same way.

Whatever it is not sure about goes to Typer, untouched: an unknown
command or option, a missing or invalid value, an option repeated where
it cannot be, ``--version``, the root's help, anything after which Typer
would print an error. So every error message and exit code is Typer's own;
``tests/cli/test_quick_path.py`` runs every documented form both ways and
compares the values, the output and the exit codes.

``SESSIONPACK_QUICK=0`` turns the quick path off (every command through
Typer), for comparison.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Parsed:
    """A command line the quick path can run: the command's table entry,
    the root's values, the command's values, and whether help was asked."""

    __slots__ = ("name", "spec", "root", "values", "help")

    def __init__(self, name: str, spec: dict[str, Any], root: dict[str, Any], values: dict[str, Any], wants_help: bool) -> None:
        self.name = name
        self.spec = spec
        self.root = root
        self.values = values
        self.help = wants_help


class _NotMine(Exception):
    """This command line is left to Typer."""


def _import(path: str) -> Any:
    module, _, name = path.partition(":")
    found: Any = __import__(module, fromlist=["_"])
    for part in name.split("."):
        found = getattr(found, part)
    return found


def _options(params: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {opt: p for p in params if "opts" in p for opt in p["opts"]}


def _read(args: list[str], start: int, options: dict[str, dict[str, Any]], given: dict[str, Any],
          positional: list[str] | None, help_options: list[str]) -> tuple[int, bool]:
    """Read options from ``args[start:]`` as Typer's parser does, into
    ``given`` (name -> raw value, or a list for a repeatable option).
    Without ``positional`` (the root), stop at the first word that is not an
    option; else collect such words there. Returns (where it stopped,
    whether a help option was seen)."""
    i, wants_help = start, False
    while i < len(args):
        arg = args[i]
        if arg == "--":
            if positional is None:
                raise _NotMine
            positional.extend(args[i + 1:])
            return len(args), wants_help
        if arg[:1] != "-" or len(arg) == 1:
            if positional is None:
                return i, wants_help
            positional.append(arg)
            i += 1
            continue
        name, eq, value = arg.partition("=")
        param = options.get(name)
        if param is None:
            if arg in help_options and positional is not None:
                wants_help = True
                i += 1
                continue
            raise _NotMine  # unknown option, combined short options, root help...
        if param["callback"] or not param["exposed"]:
            raise _NotMine  # --version, --install-completion...
        if param["flag"]:
            if eq:
                raise _NotMine  # a flag takes no value: Typer's error
            given[param["name"]] = True
        else:
            if not eq:
                i += 1
                if i >= len(args):
                    raise _NotMine  # "requires an argument": Typer's error
                value = args[i]
            if param["multiple"]:
                given.setdefault(param["name"], []).append(value)
            else:
                given[param["name"]] = value
        i += 1
    return i, wants_help


def _cast(param: dict[str, Any], value: Any) -> Any:
    """Click's conversion of one value by the parameter's type."""
    kind = param["type"]
    if kind == "str":
        return str(value)
    if kind == "bool":
        if value is True or value is False:
            return value
        raise _NotMine  # text for a boolean (an environment variable): left to Typer
    if kind == "choice":
        text = str(value)
        if text not in param["choices"]:
            raise _NotMine
        return text
    if kind == "func":
        try:
            return _import(param["func"])(value)
        except Exception:  # noqa: BLE001 - Typer reports it
            raise _NotMine from None
    raise _NotMine


def _value(param: dict[str, Any], given: dict[str, Any]) -> Any:
    """What Typer hands the command for ``param``."""
    name = param["name"]
    value = given.get(name)
    if value is None and param.get("envvar"):
        value = os.environ.get(param["envvar"]) or None
        if value is not None and (param.get("multiple") or param["type"] != "str"):
            raise _NotMine
    if value is None:
        value = param["default"]
    if value is None:
        value = () if param.get("multiple") else None
    elif param.get("multiple"):
        value = tuple(_cast(param, v) for v in value)
    else:
        value = _cast(param, value)
    if param["required"] and (value is None or value == ()):
        raise _NotMine  # "Missing argument": Typer's error
    convert = param["convert"]
    if convert is None:
        return value
    if "enum" in convert:
        return None if value is None else getattr(_import(convert["enum"]), convert["members"][value])
    if convert["list"]:
        return convert["empty"] if value == () else list(value)
    return value


def parse(args: list[str], table: dict[str, Any] | None = None) -> Parsed | None:
    """The quick path's reading of a command line, or None: Typer's to read."""
    if table is None:
        from .fast_table import TABLE as table
    try:
        root_params = table["root"]["params"]
        root_given: dict[str, Any] = {}
        start, _ = _read(args, 0, _options(root_params), root_given, None, [])
        if start >= len(args):
            return None  # no command: Typer shows the root's help
        name = args[start]
        spec = table["commands"].get(name)
        if spec is None:
            return None
        params = spec["params"]
        given: dict[str, Any] = {}
        positional: list[str] = []
        _, wants_help = _read(args, start + 1, _options(params), given, positional, table["help_options"])
        root = {p["name"]: _value(p, root_given) for p in root_params if p["exposed"]}
        if wants_help:
            return Parsed(name, spec, root, {}, True)
        arguments = [p for p in params if "opts" not in p]
        if arguments and arguments[0].get("variadic"):  # the one argument, taking every word (BOOKING...)
            if positional:
                given[arguments[0]["name"]] = positional
        else:
            if len(positional) > len(arguments):
                return None  # "Got unexpected extra argument": Typer's error
            for param, value in zip(arguments, positional):
                given[param["name"]] = value
        values = {p["name"]: _value(p, given) for p in params if p["exposed"]}
    except _NotMine:
        return None
    return Parsed(name, spec, root, values, False)


def show_help(parsed: Parsed, table: dict[str, Any] | None = None) -> str:
    from .fast_help import HELP
    from .helptext import help_width, render

    if table is None:
        from .fast_table import TABLE as table
    return render(HELP[parsed.name], help_width(table["max_content_width"]))


def execute(parsed: Parsed) -> int:
    """Run the parsed command line as Typer would; the exit code."""
    from .runtime import main_options

    main_options(**parsed.root)
    if parsed.help:
        sys.stdout.write(show_help(parsed))
        sys.stdout.flush()
        return 0
    function = getattr(__import__(parsed.spec["module"], fromlist=["_"]), parsed.spec["function"])
    try:
        result = function(**parsed.values)
    except (EOFError, KeyboardInterrupt) as stopped:
        sys.stderr.write("\n")
        from .runtime import recorded_when_interrupted

        if isinstance(stopped, KeyboardInterrupt) and recorded_when_interrupted():
            return 0  # it finished recording: running it again would record it twice
        sys.stderr.write("error: aborted\n")
        return 1
    return result if isinstance(result, int) else 0


def run(args: list[str]) -> None:
    """Run ``args`` and exit, when the quick path can; else return."""
    if os.environ.get("SESSIONPACK_QUICK") == "0":
        return
    if os.environ.get("_SESSIONPACK_COMPLETE"):
        from .fast_complete import complete

        complete()  # exits when it could answer
        return
    parsed = parse(args)
    if parsed is not None:
        code = execute(parsed)
        import gc

        gc.freeze()  # (the exit's collection would walk everything made, for nothing: see entry.main)
        raise SystemExit(code)
