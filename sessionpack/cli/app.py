"""The Typer application: the root command, its help, usage errors, exit codes.

The global options, the error boundary and opening the store live in
``cli/runtime.py`` (no Typer there), re-exported here for the command
modules. ``sessionpack`` starts in ``cli/entry.py``, which runs the hot
commands without importing Typer when it can (``cli/fast.py``) and this
application otherwise.

Exit codes: 0 ok, 1 refused by a rule, 2 bad usage or input, 3 data
directory problem, 75 temporary (retry later), 70 internal error (a bug).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from . import declare
from .runtime import (  # noqa: F401 - what command modules import from here
    GLOBALS,
    Globals,
    boundary,
    current_actor,
    data_dir,
    drain_warnings,
    main_options,
    one_line as _one_line,
    open_store,
    os_user,
    parse_now,
    store,
    version_callback,
    writer,
)

EXIT_CODES = """\b
Exit codes: 0 ok, 1 refused by a rule, 2 bad usage or input,
3 data directory problem, 75 temporary (retry later), 70 internal error."""


class Group(TyperGroup):
    """The root command: turns usage errors into one line on stderr with exit
    code 2, and imports the command modules only when they are needed.

    Built in-process (tests, ``typer.main.get_command(app)``), it imports every
    command module at once, as if they had always been registered. Under
    ``main()`` (the ``sessionpack`` script, ``python -m sessionpack``) it
    imports only the module of the command being run (``COMMANDS``), after
    the global options have been parsed; help, shell completion and an
    unknown command import them all, so they list every command.
    """

    load_all_when_built = True  # main() turns this off

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if Group.load_all_when_built:
            self.load(None)

    def load(self, name: Optional[str]) -> None:
        """Import the module of command ``name`` and add that command; with
        ``name`` None or not in ``COMMANDS``, import every module and add
        every command."""
        known = name in COMMANDS
        register(COMMANDS[name] if known else None)

        def wanted(info: Any) -> bool:
            found = _top_level_name(info)
            if found is None:  # a group without a name: typer lists its commands at the top
                return not known
            return found not in self.commands and (not known or found == name)

        commands = [info for info in app.registered_commands if wanted(info)]
        groups = [info for info in app.registered_groups if wanted(info)]
        if commands or groups:
            self.commands.update(_click_commands(commands, groups))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            self.load(cmd_name)
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """The command to run and its words, a day counted back (``-7d``,
        ``-1d 10:00``) among them read as the argument it is, not as an
        option (``dates_as_arguments``)."""
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not hasattr(command, "commands") and not ctx.resilient_parsing:  # (a group's words name its commands)
            rest = dates_as_arguments(command, rest)
        return name, command, rest

    def list_commands(self, ctx: Any) -> list[str]:
        """Every command, in the order of ``COMMANDS`` (others after them)."""
        self.load(None)
        order = {name: i for i, name in enumerate(COMMANDS)}
        return sorted(self.commands, key=lambda name: order.get(name, len(order)))

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a Ctrl-C is ``error: aborted`` (exit 1) as on the
        quick path (``fast.execute``), where Typer would exit 130 without a
        word, or a warning and exit 0 once the command recorded something
        (running it again would record it twice)."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            from .runtime import recorded_when_interrupted

            if recorded_when_interrupted():
                return 0
            sys.stderr.write("error: aborted\n")
            return 1

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[no-untyped-def,override]
        try:
            rv = super().main(args=args, prog_name="sessionpack", complete_var=complete_var, standalone_mode=False, **extra)
        except Exception as err:  # typer's bundled click errors, matched by shape
            if type(err).__name__ == "NoArgsIsHelpError":
                # A group run without a command: show its help, as --help does.
                sys.stdout.write(err.format_message() + "\n")  # type: ignore[attr-defined]
                if standalone_mode:
                    sys.exit(0)
                raise
            if hasattr(err, "format_message") and hasattr(err, "exit_code"):
                ctx = getattr(err, "ctx", None)
                where = ctx.command_path if ctx is not None else "sessionpack"
                message = _one_line(err.format_message()).rstrip(".")
                sys.stderr.write(f"error: {message}; see '{where} --help'\n")
                code = 2 if err.exit_code in (1, 2) else err.exit_code
                if standalone_mode:
                    sys.exit(code)
                raise
            if type(err).__name__ == "Abort":
                sys.stderr.write("error: aborted\n")
                if standalone_mode:
                    sys.exit(1)
            raise
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv


app = typer.Typer(
    cls=Group,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help="Sell prepaid session packages and always know, exactly, what each client has left.\n\n" + EXIT_CODES,
    epilog="Example: sessionpack --data-dir ~/practice balance ana",
)


app.callback()(declare.for_typer(main_options))


# Which module (in sessionpack.cli) defines each top-level command or group.
# A new command is added here and in its module.
COMMANDS = {
    "init": "setup_cmds", "check": "setup_cmds",
    "service": "catalog_cmds", "client": "client_cmds", "package": "package_cmds",
    "sell": "sell_cmds", "assign": "sell_cmds", "pay": "sell_cmds",
    "book": "book_cmds", "cancel": "book_cmds", "attend": "book_cmds", "no-show": "book_cmds", "move": "move_cmds",
    "balance": "balance_cmds", "history": "balance_cmds",
    "link": "link_cmds", "unlink": "link_cmds", "refund": "refund_cmds",
    "adjust": "adjust_cmds", "pause": "adjust_cmds", "resume": "adjust_cmds", "transfer": "adjust_cmds",
    "share": "share_cmds", "unshare": "share_cmds", "code": "code_cmds",
    "report": "report_cmds", "statement": "report_cmds",
    "notify": "notify_cmds",
    "log": "undo_cmds", "undo": "undo_cmds",
}


def register(module: Optional[str] = None) -> None:
    """Import one command module, or all of them (each adds its commands to ``app``)."""
    import importlib

    for name in [module] if module else sorted(set(COMMANDS.values())):
        importlib.import_module(f"{__package__}.{name}")
    declare.attach(app)  # the commands of modules declared without importing Typer (cli/declare.py)


def _top_level_name(info: Any) -> Optional[str]:
    """The name typer gives a registered command (from its function when not
    given) or group; None for a group added without a name."""
    if isinstance(info.name, str) and info.name:
        return info.name
    if isinstance(info, typer.models.CommandInfo) and info.callback is not None:
        return typer.main.get_command_name(info.callback.__name__)
    return None


def dates_as_arguments(command: Any, args: list[str]) -> list[str]:
    """``args`` of ``command`` with every day counted back that is not an
    option's value (``pause ana.p1 -7d today``, ``book ana massage "-1d
    10:00"``) taken as an argument: the options and their values first, then
    ``--`` and the arguments in their order, which the parser reads as the
    same command line. Unchanged when there is no such day; an option that
    lacks its value ends the line, so that the parser says so."""
    from ..domain.datetimes import dash_day

    if not any(dash_day(arg) for arg in args):
        return args
    takes: dict[str, int] = {}
    for param in getattr(command, "params", ()):
        if param.param_type_name == "option" and not param.is_flag and not param.count:
            takes.update((opt, param.nargs) for opt in param.opts)
    options: list[str] = []
    arguments: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            arguments.extend(args[i + 1:])
            break
        if arg[:1] != "-" or len(arg) == 1 or dash_day(arg):
            arguments.append(arg)
            i += 1
            continue
        values = takes.get(arg, 0)  # (0 too for --option=value, which holds its value)
        options.extend(args[i:i + 1 + values])
        if i + values >= len(args):
            return options
        i += 1 + values
    if not any(dash_day(arg) for arg in arguments):
        return args
    return [*options, "--", *arguments]


def _no_options() -> None:
    """A stand-in root: makes typer build a group around the commands given."""


def _click_commands(commands: list[Any], groups: list[Any]) -> dict[str, Any]:
    """Typer's click commands for some of ``app``'s registrations, built as
    ``typer.main.get_command(app)`` builds them, without building the rest."""
    part = typer.Typer(add_completion=False, rich_markup_mode=app.rich_markup_mode, pretty_exceptions_short=app.pretty_exceptions_short)
    part.registered_commands = list(commands)
    part.registered_groups = list(groups)
    part.callback()(_no_options)
    built = dict(typer.main.get_command(part).commands)  # type: ignore[attr-defined]
    if "_SESSIONPACK_COMPLETE" in os.environ:  # completion of ids: only when the shell asks
        from .complete import attach

        for name, command in built.items():
            attach(command, name if getattr(command, "commands", None) else None)
    return built


def run() -> None:
    """Run the Typer application, importing only the invoked command's module."""
    Group.load_all_when_built = False
    app(prog_name="sessionpack")


def main() -> None:
    """The ``sessionpack`` script (see ``cli/entry.py``)."""
    from .entry import main as entry_main

    entry_main()
