"""Immutable records with documented fields, without ``dataclasses``.

``@record`` on a class with annotated fields (in order, defaults as class
attributes or ``field(default_factory=...)``) gives what
``@dataclass(frozen=True)`` gives the domain's records: an ``__init__``
taking the fields by position or name, ``__post_init__`` when defined,
``__repr__``, ``__eq__`` and ``__hash__`` over the fields in order, and no
assignment after creation (``FrozenInstanceError``). ``replace(obj,
**changes)`` makes a changed copy (also of a dataclass).

Why not ``dataclasses``: it imports ``inspect`` (and with it ``ast``,
``dis``, ``tokenize``...), which costs every command that reads a client
view more than the reading itself; the records of the hot path (settings,
expiry rules, services, packages, restrictions, sessions) need only this.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, TypeVar

    T = TypeVar("T")


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a record."""


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], Any]) -> Any:
    """A field whose default is made anew for each record."""
    return _Factory(default_factory)


_MISSING = object()


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def record(cls: type[T]) -> type[T]:
    """Make ``cls`` an immutable record of its annotated fields."""
    names = tuple(name for name, kind in cls.__dict__.get("__annotations__", {}).items()
                  if not str(kind).startswith(("ClassVar", "typing.ClassVar")))
    defaults: dict[str, Any] = {}
    for name in names:
        value = cls.__dict__.get(name, _MISSING)
        if isinstance(value, _Factory):
            defaults[name] = value
            delattr(cls, name)
        elif value is not _MISSING:
            defaults[name] = value
    post_init = getattr(cls, "__post_init__", None)
    set_field = object.__setattr__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}() takes {len(names)} fields, {len(args)} given")
        values = dict(zip(names, args))
        for name, value in kwargs.items():
            if name not in names or name in values:
                raise TypeError(f"{cls.__name__}() got an unexpected or repeated field {name!r}")
            values[name] = value
        for name in names:
            if name in values:
                value = values[name]
            elif name in defaults:
                value = defaults[name]
                if isinstance(value, _Factory):
                    value = value.make()
            else:
                raise TypeError(f"{cls.__name__}() missing field {name!r}")
            set_field(self, name, value)
        if post_init is not None:
            post_init(self)

    def __repr__(self: Any) -> str:
        return f"{cls.__qualname__}(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in names) + ")"

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return tuple(getattr(self, name) for name in names) == tuple(getattr(other, name) for name in names)

    def __hash__(self: Any) -> int:
        return hash(tuple(getattr(self, name) for name in names))

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = __init__  # type: ignore[misc]
    cls.__repr__ = __repr__  # type: ignore[assignment]
    cls.__eq__ = __eq__  # type: ignore[assignment]
    cls.__hash__ = __hash__  # type: ignore[assignment]
    cls.__setattr__ = _frozen_setattr  # type: ignore[assignment]
    cls.__delattr__ = _frozen_delattr  # type: ignore[assignment]
    cls.__record_fields__ = names  # type: ignore[attr-defined]
    return cls


def replace(obj: T, **changes: Any) -> T:
    """A copy of record ``obj`` with some fields changed (``dataclasses.replace``)."""
    names = getattr(type(obj), "__record_fields__", None)
    if names is None:
        import dataclasses

        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    for name in changes:
        if name not in names:
            raise TypeError(f"{type(obj).__name__} has no field {name!r}")
    return type(obj)(**{name: changes[name] if name in changes else getattr(obj, name) for name in names})
