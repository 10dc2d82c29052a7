"""The Typer application: global options, one error boundary, exit codes.

Exit codes: 0 ok, 1 refused by a rule, 2 bad usage or input, 3 data
directory problem, 75 temporary (retry later), 70 internal error (a bug).
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Optional, TypeVar

import typer
from typer.core import TyperGroup

from ..errors import InputError, SessionpackError

EXIT_CODES = """\b
Exit codes: 0 ok, 1 refused by a rule, 2 bad usage or input,
3 data directory problem, 75 temporary (retry later), 70 internal error."""

F = TypeVar("F", bound=Callable[..., Any])


def _one_line(text: str) -> str:
    """One line for stderr, control characters written as escapes."""
    from ..domain.text import shown

    return shown(" ".join(text.split()))


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

    def list_commands(self, ctx: Any) -> list[str]:
        """Every command, in the order of ``COMMANDS`` (others after them)."""
        self.load(None)
        order = {name: i for i, name in enumerate(COMMANDS)}
        return sorted(self.commands, key=lambda name: order.get(name, len(order)))

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


@dataclass
class Globals:
    data_dir: Optional[str] = None
    now: Optional[str] = None
    actor: Optional[str] = None
    no_pager: bool = False
    no_hooks: bool = False
    dry_run: bool = False  # --dry-run of a write command
    yes: bool = False  # --yes of a write command: what would ask goes ahead
    confirmed: Optional[list[str]] = None  # what the person agreed to on the terminal (cli/confirm.py)


GLOBALS = Globals()


def version_callback(value: bool) -> None:
    if value:
        from .. import __version__

        sys.stdout.write(f"sessionpack {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def main_options(
    data_dir: Optional[str] = typer.Option(None, "--data-dir", envvar="SESSIONPACK_DATA_DIR", help="The data directory (default: the platform's user data directory).", show_envvar=True),
    now: Optional[str] = typer.Option(None, "--now", envvar="SESSIONPACK_NOW", help="Fix the clock: an ISO date or date-time (practice time zone if none given).", show_envvar=True),
    actor: Optional[str] = typer.Option(None, "--actor", envvar="SESSIONPACK_ACTOR", help="Who is acting, recorded on every event (default: the OS user).", show_envvar=True),
    no_pager: bool = typer.Option(False, "--no-pager", help="Never send long output through a pager (SESSIONPACK_PAGER, PAGER, else less -FRX)."),
    no_hooks: bool = typer.Option(False, "--no-hooks", envvar="SESSIONPACK_NO_HOOKS", help="Run no hooks after recording events.", show_envvar=True),
    version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True, help="Print the version and exit."),
) -> None:
    GLOBALS.data_dir = data_dir
    GLOBALS.now = now
    GLOBALS.actor = actor
    GLOBALS.no_pager = no_pager
    GLOBALS.no_hooks = no_hooks
    GLOBALS.dry_run = GLOBALS.yes = False
    GLOBALS.confirmed = None


def data_dir() -> str:
    from ..storage.layout import resolve_data_dir

    return resolve_data_dir(GLOBALS.data_dir)


def os_user() -> str:
    """The OS user, as ``getpass.getuser()`` finds it (the LOGNAME, USER,
    LNAME or USERNAME variable, else the password database), without
    importing getpass, which imports termios on every run."""
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        user = os.environ.get(name)
        if user:
            return user
    import pwd

    return pwd.getpwuid(os.getuid())[0]


def current_actor() -> str:
    actor = GLOBALS.actor
    if actor is None:
        try:
            actor = os_user()
        except (KeyError, OSError):
            actor = f"uid-{os.getuid()}"
    actor = actor.strip()
    from ..domain.text import has_control

    if not actor or len(actor) > 100 or has_control(actor):
        raise InputError("--actor must be a name of one line, at most 100 characters")
    return actor


def parse_now(text: Optional[str], tz: Any) -> datetime:
    """``--now``: ISO date-time or date; naive values are in the practice zone."""
    if not text:
        return datetime.now(tz)
    from ..domain.datetimes import parse_datetime

    return parse_datetime(text, "--now", tz, example="2026-12-01T09:00", date_alone=True)


def open_store():  # type: ignore[no-untyped-def]
    """The data directory named by the global options, checked and opened."""
    from ..storage.store import Store, load_settings

    root = data_dir()
    settings = load_settings(root)
    return Store(root, settings, parse_now(GLOBALS.now, settings.tz), current_actor())


def writer(fn: F) -> F:
    """``boundary`` for a command that records: it also takes ``--dry-run``
    (everything checked and printed as a real run would, nothing written)
    and ``--yes`` (what would ask for confirmation goes ahead)."""
    fn._writes = True  # type: ignore[attr-defined]
    return boundary(fn)


def boundary(fn: F) -> F:
    """The one error boundary: a typed error becomes one line and its exit code."""

    import inspect

    signature = inspect.signature(fn)
    tables = "fmt" in signature.parameters and "wide" not in signature.parameters
    writes = getattr(fn, "_writes", False)
    own_dry_run = "dry_run" in signature.parameters  # the command reads it too (say, to leave out an access code)
    own_yes = "yes" in signature.parameters

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from . import output
        from .output import warn

        output.reset_screen()
        if tables:
            output.WIDE = bool(kwargs.pop("wide", False))
        if writes:
            GLOBALS.dry_run = bool(kwargs.get("dry_run") if own_dry_run else kwargs.pop("dry_run", False))
            GLOBALS.yes = bool(kwargs.get("yes") if own_yes else kwargs.pop("yes", False))
        paging = pager_command() if output.screen().terminal else None
        real, captured = sys.stdout, None
        if paging:
            import io

            captured = sys.stdout = io.StringIO()
        try:
            if writes:
                result = _with_confirmation(fn, args, kwargs)
            else:
                result = fn(*args, **kwargs)
            if writes and GLOBALS.dry_run:
                warn("dry run: nothing was recorded")
            return result
        except SessionpackError as err:
            sys.stdout.flush()
            sys.stderr.write(f"error: {_one_line(str(err))}\n")
            raise typer.Exit(err.exit_code) from None
        except typer.Exit:
            raise
        except BrokenPipeError:
            raise typer.Exit(0) from None
        except Exception as err:
            if os.environ.get("SESSIONPACK_DEBUG") == "1":
                raise
            damage = _damaged_view()
            if damage is not None:  # damaged data, not a bug
                sys.stdout.flush()
                sys.stderr.write(f"error: {_one_line(str(damage))}\n")
                raise typer.Exit(damage.exit_code) from None
            sys.stderr.write(
                f"error: internal error ({type(err).__name__}); nothing more was changed. "
                "Run again with SESSIONPACK_DEBUG=1 to see the details, and report it\n"
            )
            raise typer.Exit(70) from None
        finally:
            if captured is not None:
                sys.stdout = real
                page(captured.getvalue(), paging)
            for text in drain_warnings():
                warn(text)

    added = []
    if tables:  # every command that prints data also takes --wide
        added.append(inspect.Parameter("wide", inspect.Parameter.KEYWORD_ONLY, annotation=bool, default=typer.Option(
            False, "--wide", help="Tables: show every column (CSV, TSV and JSON always have them all).")))
    if writes and not own_dry_run:
        added.append(inspect.Parameter("dry_run", inspect.Parameter.KEYWORD_ONLY, annotation=bool, default=typer.Option(
            False, "--dry-run", help="Check everything and print what would be recorded; record nothing.")))
    if writes and not own_yes:
        added.append(inspect.Parameter("yes", inspect.Parameter.KEYWORD_ONLY, annotation=bool, default=typer.Option(
            False, "--yes", "-y", help="Go ahead without asking for confirmation (needed without a terminal).")))
    if added:
        params = [p for p in signature.parameters.values()]
        wrapper.__signature__ = signature.replace(parameters=params + added)  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _with_confirmation(fn: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    """Run a write command; when it asks (``confirm.NeedsConfirmation``,
    raised before anything is recorded), ask on the terminal and, on yes,
    run it again with the answer remembered."""
    from .confirm import NeedsConfirmation, ask

    try:
        return fn(*args, **kwargs)
    except NeedsConfirmation as needed:
        for opened in _OPEN_STORES:
            opened.warnings.clear()  # the first run recorded nothing; its warnings come again
        if not ask(needed):
            sys.stderr.write("error: not confirmed; nothing was recorded\n")
            raise typer.Exit(1) from None
        GLOBALS.confirmed = [needed.action, *needed.lines]
        return fn(*args, **kwargs)


def pager_command() -> Optional[str]:
    """The pager long output goes through on a terminal, or None: ``--no-pager``
    or ``SESSIONPACK_PAGER=`` (empty) or ``cat`` turn it off; else
    ``SESSIONPACK_PAGER``, ``PAGER``, then ``less -FRX``."""
    if GLOBALS.no_pager:
        return None
    for name in ("SESSIONPACK_PAGER", "PAGER"):
        if name in os.environ:
            command = os.environ[name].strip()
            return None if command in ("", "cat") else command
    return "less -FRX"


def page(text: str, command: str) -> None:
    """``text`` on the terminal: through the pager when it is taller than the
    terminal, as git and gh do; directly when it fits or the pager cannot run."""
    from .output import screen

    if text.count("\n") < screen().height:
        sys.stdout.write(text)
        return
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    try:
        pager = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        sys.stdout.write(text)
        return
    try:
        pager.communicate(text.encode("utf-8", "replace"))
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    if pager.returncode == 127:  # the shell did not find it
        sys.stdout.write(text)


_OPEN_STORES: list[Any] = []


def store() -> Any:
    """Open the store for this command and remember it for its warnings."""
    from ..notify.hooks import HookRunner

    opened = open_store()
    opened.dry_run = GLOBALS.dry_run
    opened.after_commit = None if GLOBALS.dry_run else HookRunner(opened, enabled=not GLOBALS.no_hooks)
    _OPEN_STORES.append(opened)
    return opened


def _damaged_view() -> Any:
    """After an unexpected error: the damaged view behind it, if any."""
    from ..storage.diagnose import damaged_view

    for opened in _OPEN_STORES:
        try:
            found = damaged_view(opened)
        except Exception:  # noqa: BLE001 - a failing diagnosis must not hide the first error
            return None
        if found is not None:
            return found
    return None


def drain_warnings() -> list[str]:
    texts: list[str] = []
    while _OPEN_STORES:
        texts.extend(_OPEN_STORES.pop().warnings)
    return texts


# Which module (in sessionpack.cli) defines each top-level command or group.
# A new command is added here and in its module.
COMMANDS = {
    "init": "setup_cmds", "check": "setup_cmds",
    "service": "catalog_cmds", "client": "client_cmds", "package": "package_cmds",
    "sell": "sell_cmds", "assign": "sell_cmds", "pay": "sell_cmds",
    "book": "book_cmds", "cancel": "book_cmds", "attend": "book_cmds", "no-show": "book_cmds",
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


def _top_level_name(info: Any) -> Optional[str]:
    """The name typer gives a registered command (from its function when not
    given) or group; None for a group added without a name."""
    if isinstance(info.name, str) and info.name:
        return info.name
    if isinstance(info, typer.models.CommandInfo) and info.callback is not None:
        return typer.main.get_command_name(info.callback.__name__)
    return None


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


def main() -> None:
    """The ``sessionpack`` script: imports only the invoked command's module."""
    Group.load_all_when_built = False
    app(prog_name="sessionpack")
