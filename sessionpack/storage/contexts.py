"""``contextmanager``, as ``contextlib`` makes it, for the store's transactions.

Every command opens the store through a generator-based context manager
(``Store.reading``, ``Store.writing``); importing ``contextlib`` for it
cost each one about a millisecond, more than reading a client's balance.
This is the same protocol -- the generator's one ``yield`` is the body of
the ``with``; an exception in the body is thrown into the generator at the
``yield``; the same RuntimeErrors for a generator that does not yield once
or does not stop -- with only what the store uses (no decorator use as a
function decorator, no async).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Iterator


class _GeneratorContext:
    __slots__ = ("gen",)

    def __init__(self, gen: Iterator[Any]) -> None:
        self.gen = gen

    def __enter__(self) -> Any:
        try:
            return next(self.gen)
        except StopIteration:
            raise RuntimeError("generator didn't yield") from None

    def __exit__(self, typ: Any, value: Any, traceback: Any) -> bool:
        if typ is None:
            try:
                next(self.gen)
            except StopIteration:
                return False
            raise RuntimeError("generator didn't stop")
        if value is None:
            value = typ()
        try:
            self.gen.throw(typ, value, traceback)  # type: ignore[attr-defined]
        except StopIteration as exc:
            return exc is not value  # the generator caught the exception: suppressed
        except RuntimeError as exc:
            if exc is value:
                exc.__traceback__ = traceback
                return False
            if isinstance(value, StopIteration) and exc.__cause__ is value:
                value.__traceback__ = traceback
                return False
            raise
        except BaseException as exc:
            if exc is not value:
                raise
            exc.__traceback__ = traceback
            return False
        raise RuntimeError("generator didn't stop after throw()")


def contextmanager(fn: Callable[..., Iterator[Any]]) -> Callable[..., _GeneratorContext]:
    """``contextlib.contextmanager`` for a generator function yielding once."""

    def helper(*args: Any, **kwargs: Any) -> _GeneratorContext:
        return _GeneratorContext(fn(*args, **kwargs))

    helper.__name__ = fn.__name__
    helper.__qualname__ = fn.__qualname__
    helper.__doc__ = fn.__doc__
    helper.__wrapped__ = fn  # type: ignore[attr-defined]
    return helper
