"""Typer declarations that do not import Typer until Typer is wanted.

A command module declares its commands with Typer's own calls, taken from
here instead of from ``typer``::

    from .declare import Argument, Option, command

    @command("balance")
    @boundary
    def balance_cmd(client: str | None = Argument(None, metavar="[CLIENT]"), ...):

``Option(...)`` and ``Argument(...)`` take exactly the arguments of
``typer.Option`` and ``typer.Argument`` and remember them; ``command(...)``
takes those of ``app.command`` and remembers the function. When Typer builds
the command line (``cli/app.py``), ``attach`` makes the real Typer objects
from what was remembered, so Typer sees the declarations it always saw.

Why: importing Typer costs more than the whole work of ``balance CLIENT``.
A module declared this way can be imported without Typer, and the quick
path of the hot commands (``cli/fast.py``, driven by ``cli/fast_table.py``,
which is generated from these same declarations through Typer) calls its
functions directly. Every option, default and help text is still written
once, here, in Typer's terms.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable


class Declared:
    """A remembered ``typer.Option(...)`` or ``typer.Argument(...)`` call."""

    __slots__ = ("kind", "args", "kwargs", "_built")

    def __init__(self, kind: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.kind = kind
        self.args = args
        self.kwargs = kwargs
        self._built: Any = None

    def build(self) -> Any:
        """The Typer object (made once)."""
        if self._built is None:
            import typer

            self._built = getattr(typer, self.kind)(*self.args, **self.kwargs)
        return self._built

    def __repr__(self) -> str:
        parts = [stable_repr(a) for a in self.args] + [f"{k}={stable_repr(v)}" for k, v in sorted(self.kwargs.items())]
        return f"{self.kind}({', '.join(parts)})"


def stable_repr(value: Any) -> str:
    """``repr``, but a function is named by its module and name (no address)."""
    if callable(value) and hasattr(value, "__qualname__") and not isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    return repr(value)


def _declared(kind: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The remembered call, or Typer's own object when Typer is loaded already
    (so a module declared with Typer may share an option of these modules)."""
    import sys

    typer = sys.modules.get("typer")
    if typer is not None:
        return getattr(typer, kind)(*args, **kwargs)
    return Declared(kind, args, kwargs)


def Option(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 - Typer's name
    return _declared("Option", args, kwargs)


def Argument(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 - Typer's name
    return _declared("Argument", args, kwargs)


class Command:
    """A remembered ``app.command(name, **kwargs)`` of function ``fn``."""

    __slots__ = ("name", "kwargs", "fn", "attached")

    def __init__(self, name: str | None, kwargs: dict[str, Any], fn: Callable[..., Any]) -> None:
        self.name = name
        self.kwargs = kwargs
        self.fn = fn
        self.attached = False


DECLARED: list[Command] = []


def command(name: str | None = None, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``app.command(name, **kwargs)``, remembered until Typer is built."""

    def remember(fn: Callable[..., Any]) -> Callable[..., Any]:
        DECLARED.append(Command(name, kwargs, fn))
        return fn

    return remember


def for_typer(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as Typer must see it: a wrapper whose signature holds the real
    Typer objects where ``fn``'s defaults hold remembered ones."""
    import functools
    import inspect

    signature = inspect.signature(fn)
    added = [(name, Option(*args, **kwargs)) for name, args, kwargs in getattr(fn, "added_options", ())
             if name not in signature.parameters]
    if added:  # what the error boundary adds (--wide, --dry-run, --yes), when it could not tell Typer itself
        from .runtime import with_options

        signature = with_options(fn, added)
    parameters = [p.replace(default=p.default.build()) if isinstance(p.default, Declared) else p
                  for p in signature.parameters.values()]

    module, name = fn.__module__, fn.__name__

    @functools.wraps(fn)
    def typer_callback(*args: Any, **kwargs: Any) -> Any:
        # Looked up at each call, as the quick path looks it up: both call
        # whatever the module holds under that name.
        import sys

        return getattr(sys.modules[module], name, fn)(*args, **kwargs)

    typer_callback.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return typer_callback


def attach(app: Any) -> None:
    """Register on ``app`` every remembered command not registered yet."""
    for declared in DECLARED:
        if not declared.attached:
            declared.attached = True
            app.command(declared.name, **declared.kwargs)(for_typer(declared.fn))
