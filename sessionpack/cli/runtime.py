"""What every command needs at run time, without the command-line framework.

The global options, opening the store, and the one error boundary. Typer
(``cli/app.py``) and the quick path of the hot commands (``cli/fast.py``)
both end here: they parse the command line differently, then call the same
command functions, which use only this module.

Exit codes: 0 ok, 1 refused by a rule, 2 bad usage or input, 3 data
directory problem, 75 temporary (retry later), 70 internal error (a bug).
"""

from __future__ import annotations

import os
import sys

from ..errors import InputError, SessionpackError
from .declare import Option

REPORT_IT = "Run again with SESSIONPACK_DEBUG=1 to see the details, and report it"  # (after an internal error)


def _debugging() -> bool:
    """``SESSIONPACK_DEBUG=1``: an internal error is raised with its traceback."""
    return os.environ.get("SESSIONPACK_DEBUG") == "1"

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any, Callable, TypeVar

    F = TypeVar("F", bound=Callable[..., Any])


def one_line(text: str) -> str:
    """One line for stderr, control characters written as escapes."""
    from ..domain.text import shown

    return shown(" ".join(text.split()))


class Globals:
    """The global options of this run (set by the root command), and what a
    write command's ``--dry-run`` and ``--yes`` say (set by its boundary)."""

    __slots__ = ("data_dir", "now", "actor", "no_pager", "no_hooks", "dry_run", "yes", "confirmed")

    def __init__(self, data_dir: str | None = None, now: str | None = None, actor: str | None = None,
                 no_pager: bool = False, no_hooks: bool = False) -> None:
        self.data_dir = data_dir
        self.now = now
        self.actor = actor
        self.no_pager = no_pager
        self.no_hooks = no_hooks
        self.dry_run = False  # --dry-run of a write command
        self.yes = False  # --yes of a write command: what would ask goes ahead
        self.confirmed: list[str] | None = None  # what the person agreed to on the terminal (cli/confirm.py)


GLOBALS = Globals()


def version_callback(value: bool) -> None:
    if value:
        from .. import __version__

        sys.stdout.write(f"sessionpack {__version__}\n")
        raise SystemExit(0)


def main_options(
    data_dir: str | None = Option(None, "--data-dir", envvar="SESSIONPACK_DATA_DIR", help="The data directory (default: the platform's user data directory).", show_envvar=True),
    now: str | None = Option(None, "--now", envvar="SESSIONPACK_NOW", help="Fix the clock: an ISO date or date-time (practice time zone if none given).", show_envvar=True),
    actor: str | None = Option(None, "--actor", envvar="SESSIONPACK_ACTOR", help="Who is acting, recorded on every event (default: the OS user).", show_envvar=True),
    no_pager: bool = Option(False, "--no-pager", help="Never send long output through a pager (SESSIONPACK_PAGER, PAGER, else less -FRX)."),
    no_hooks: bool = Option(False, "--no-hooks", envvar="SESSIONPACK_NO_HOOKS", help="Run no hooks after recording events.", show_envvar=True),
    version: bool = Option(False, "--version", callback=version_callback, is_eager=True, help="Print the version and exit."),
) -> None:
    """The root command's options (declared once; Typer and the quick path both read this)."""
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


def parse_now(text: str | None, tz: Any) -> datetime:
    """``--now``: ISO date-time or date; naive values are in the practice
    zone. A bad value is named as it was given: ``SESSIONPACK_NOW`` when it
    is that variable's (``--now`` on the command line takes its place, so
    the two are the same only when the value came from it, or both say the
    same), else ``--now``."""
    if not text:
        from datetime import datetime

        return datetime.now(tz)
    from ..domain.datetimes import parse_datetime

    what = "SESSIONPACK_NOW" if text == os.environ.get("SESSIONPACK_NOW") else "--now"
    return parse_datetime(text, what, tz, example="2026-12-01T09:00", date_alone=True, seconds=True)


def open_store():  # type: ignore[no-untyped-def]
    """The data directory named by the global options, checked and opened."""
    from ..storage.store import Store, load_settings

    root = data_dir()
    if os.path.exists(root) and not os.path.isdir(root):  # (load_settings would say it does not exist)
        from ..errors import DataDirError

        raise DataDirError(f"{root} is a file, not a data directory; point --data-dir / SESSIONPACK_DATA_DIR at "
                           "your data directory, or create one elsewhere with 'sessionpack init'")
    settings = load_settings(root)
    return Store(root, settings, parse_now(GLOBALS.now, settings.tz), current_actor())


def _framework_exit(err: BaseException) -> bool:
    """An exit raised by the command-line framework (Typer's ``Exit``), which
    passes through the boundary untouched."""
    return type(err).__name__ == "Exit" and type(err).__module__.startswith("typer")


# The options the boundary adds to a command: (parameter, Option arguments).
WIDE = ("wide", (False, "--wide"), {"help": "Tables: show every column (CSV, TSV and JSON always have them all)."})
DRY_RUN = ("dry_run", (False, "--dry-run"), {"help": "Check everything and print what would be recorded; record nothing."})
YES = ("yes", (False, "--yes", "-y"), {"help": "Go ahead without asking for confirmation (needed without a terminal)."})


def parameter_names(fn: Callable[..., Any]) -> tuple[str, ...]:
    """The names of ``fn``'s parameters, read from its code (no ``inspect``)."""
    code = fn.__code__
    return code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]


def with_options(fn: Callable[..., Any], added: list[tuple[str, Any]]) -> Any:
    """``fn``'s signature with keyword parameters ``(name, default)`` added (booleans)."""
    import inspect

    signature = inspect.signature(fn)
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=bool, default=default) for name, default in added]
    return signature.replace(parameters=[*signature.parameters.values(), *extra])


def writer(fn: F) -> F:
    """``boundary`` for a command that records: it also takes ``--dry-run``
    (everything checked and printed as a real run would, nothing written)
    and ``--yes`` (what would ask for confirmation goes ahead)."""
    fn._writes = True  # type: ignore[attr-defined]
    return boundary(fn)


def boundary(fn: F) -> F:
    """The one error boundary: a typed error becomes one line and its exit code.

    Every command that prints data (it has a ``fmt`` parameter) also takes
    ``--wide``, and every command that records (``writer``) ``--dry-run`` and
    ``--yes``: the wrapper takes them and sets ``output.WIDE`` and
    ``GLOBALS``. Typer reads them from the wrapper's signature, made here
    when Typer is already loaded and otherwise by ``declare.for_typer``
    (``added_options``), so the quick path imports neither Typer nor
    ``inspect``. Output on a terminal goes through a pager when it is taller
    than the terminal.
    """
    import functools

    names = parameter_names(fn)
    tables = "fmt" in names and "wide" not in names
    writes = getattr(fn, "_writes", False)
    own_dry_run = "dry_run" in names  # the command reads it too (say, to leave out an access code)
    own_yes = "yes" in names

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..storage.fsio import hold_interrupts_at_commit, release_interrupts
        from . import output
        from .output import warn

        global RECORDED
        RECORDED = 0
        output.reset_screen()
        hold_interrupts_at_commit()  # a Ctrl-C once the journal append began waits for the output (storage/fsio.py)
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
            sys.stdout.flush()  # (a failure to write shows here, not as the interpreter exits)
            return result
        except SessionpackError as err:
            sys.stdout.flush()
            sys.stderr.write(f"error: {_after_recording(one_line(str(err)))}\n")
            raise SystemExit(err.exit_code) from None
        except BrokenPipeError:
            raise SystemExit(0) from None
        except Exception as err:
            from .streams import OutputError

            if isinstance(err, OutputError):
                _output_failed(err)
            if _framework_exit(err):
                raise
            if _debugging():
                raise
            damage = _damaged_view()
            if damage is not None:  # damaged data, not a bug
                sys.stdout.flush()
                sys.stderr.write(f"error: {one_line(str(damage))}\n")
                raise SystemExit(damage.exit_code) from None
            sys.stderr.write(
                f"error: internal error ({type(err).__name__}); nothing more was changed. {REPORT_IT}\n"
            )
            raise SystemExit(70) from None
        finally:
            count = _recorded()
            if captured is not None:
                sys.stdout = real
                page(captured.getvalue(), paging)
            for text in drain_warnings():
                warn(text)
            _interrupted_after(*release_interrupts(), count)

    added = []
    if tables:  # every command that prints data also takes --wide
        added.append(WIDE)
    if writes and not own_dry_run:
        added.append(DRY_RUN)
    if writes and not own_yes:
        added.append(YES)
    if added:
        wrapper.added_options = added  # type: ignore[attr-defined]
        typer = sys.modules.get("typer")
        if typer is not None:
            wrapper.__signature__ = with_options(fn, [(name, typer.Option(*args, **kwargs)) for name, args, kwargs in added])  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _after_recording(text: str) -> str:
    """An error of a command that recorded something before it (``notify``
    commits each delivery's outcome; a full disk may stop it after
    hundreds): "nothing was changed" is true only of the step that failed,
    so the line says what stays recorded instead."""
    count = _recorded()
    if not count:
        return text
    for said in (" (nothing was changed)", "; nothing was changed", " nothing was changed"):
        text = text.replace(said, "")
    return (f"{text.rstrip('.; ')}; the {count} event(s) this command recorded before that stay recorded "
            "(see 'sessionpack log')")


def _interrupted_after(caught: int | None, appended: bool, count: int) -> None:
    """An interrupt (Ctrl-C, SIGTERM) that came once the command had begun
    to record was held until its output was written (``storage/fsio.py``):
    the command finished, and its exit code is the one it would have had
    (0 when it succeeded), so a script does not run it again; one line says
    so. ``recorded_when_interrupted`` answers for a second interrupt, which
    stops the command at once, and for one that comes later still."""
    global RECORDED
    RECORDED = count or int(appended)
    if caught is None or not RECORDED:
        return  # (nothing recorded: the journal write failed and said so)
    import signal

    name = "Ctrl-C" if caught == signal.SIGINT else signal.Signals(caught).name
    sys.stderr.write(f"warning: interrupted ({name}) after this command recorded its {RECORDED} event(s); it finished "
                     "and they stay recorded (see 'sessionpack log')\n")


RECORDED = 0  # events the last command recorded (for an interrupt that comes after its boundary)


def recorded_when_interrupted() -> bool:
    """For the front end that caught an interrupt after a command: whether
    that command recorded something. If so it says so (the command
    finished: exit 0 is right); else the caller reports the abort."""
    if not RECORDED and not _recorded():
        return False
    sys.stderr.write("warning: interrupted after this command recorded its events; they stay recorded "
                     "(see 'sessionpack log')\n")
    return True


def _recorded() -> int:
    """Events this command has recorded so far (in every store it opened)."""
    return sum(opened.recorded for opened in _OPEN_STORES)


def _output_failed(err: Any) -> None:
    """Standard output could not be written (``cli/streams.py``): one line, and
    exit 0 when something is recorded (running it again would record it
    twice), else 75."""
    if _recorded():
        sys.stderr.write(f"warning: recorded, but standard output could not be written ({err.reason()}); "
                         "see 'sessionpack log' for what was recorded\n")
        raise SystemExit(0) from None
    sys.stderr.write(f"error: standard output could not be written ({err.reason()}); nothing was changed\n")
    raise SystemExit(75) from None


def _with_confirmation(fn: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    """Run a write command; when it asks (``confirm.NeedsConfirmation``,
    raised before anything is recorded), ask on the terminal and, on yes,
    run it again with the answer remembered."""
    try:
        return fn(*args, **kwargs)
    except Exception as needed:
        # Only ``confirm.confirm`` asks: a command that did not load it never asked.
        asking = sys.modules.get(f"{__package__}.confirm")
        if asking is None or not isinstance(needed, asking.NeedsConfirmation):
            raise
        for opened in _OPEN_STORES:
            opened.warnings.clear()  # the first run recorded nothing; its warnings come again
        if not asking.ask(needed):
            sys.stderr.write("error: not confirmed; nothing was recorded\n")
            raise SystemExit(1) from None
        GLOBALS.confirmed = [needed.action, *needed.lines]
        return fn(*args, **kwargs)


def pager_command() -> str | None:
    """The pager long output goes through on a terminal, or None: ``--no-pager``
    or ``SESSIONPACK_PAGER=`` (empty) or ``cat`` turn it off, and a dumb
    terminal (``TERM=dumb``: Emacs's shell, some consoles), which cannot run
    one, has none; else ``SESSIONPACK_PAGER``, ``PAGER``, then ``less -FRX``."""
    from .output import dumb_terminal

    if GLOBALS.no_pager or dumb_terminal():
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
        pager.communicate(text.encode(getattr(sys.stdout, "encoding", None) or "utf-8", "backslashreplace"))  # (as written directly)
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    if pager.returncode == 127:  # the shell did not find it
        sys.stdout.write(text)


class CommandHooks:
    """``store.after_commit`` of a command: its ``notify.hooks.HookRunner`` (one
    time budget for all its hooks), made when a commit has a hook to run, so
    a command that only reads, or records events no hook waits for, never
    imports the hooks."""

    __slots__ = ("store", "enabled", "_runner")

    def __init__(self, store: Any, enabled: bool = True) -> None:
        self.store = store
        self.enabled = enabled
        self._runner: Any = None

    @property
    def runner(self) -> Any:
        if self._runner is None:
            from ..notify.hooks import HookRunner

            self._runner = HookRunner(self.store, enabled=self.enabled)
        return self._runner

    def __call__(self, root: str, events: list[dict[str, Any]]) -> list[str]:
        from ..notify import present_hooks

        if not self.enabled or not present_hooks(root, events):
            return []
        try:
            return self.runner(root, events)  # type: ignore[no-any-return]
        except SessionpackError:
            raise
        except Exception as err:  # noqa: BLE001 - the events are recorded: say so, never "internal error" (exit 70)
            if _debugging():
                raise
            first, last = events[0]["seq"], events[-1]["seq"]
            where = f"event {first} stays" if first == last else f"events {first}-{last} stay"
            return [f"the hooks of this command could not run (internal error: {type(err).__name__}); {where} recorded. {REPORT_IT}"]


_OPEN_STORES: list[Any] = []


def store() -> Any:
    """Open the store for this command and remember it for its warnings."""
    opened = open_store()
    opened.dry_run = GLOBALS.dry_run
    opened.after_commit = None if GLOBALS.dry_run else CommandHooks(opened, enabled=not GLOBALS.no_hooks)
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
