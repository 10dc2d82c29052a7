"""Records with documented fields, without ``dataclasses``.

``@record`` on a class with annotated fields (in order, defaults as class
attributes or ``field(...)``) gives what ``@dataclass(frozen=True)`` gives
the project's records: an ``__init__`` taking the fields by position or
name, ``__post_init__`` when defined, ``__repr__``, ``__eq__`` and
``__hash__`` over the fields in order, and no assignment after creation
(``FrozenInstanceError``). ``@record(frozen=False)`` is ``@dataclass``:
fields may be assigned, and like a dataclass it is then unhashable.
``field(default=..., default_factory=..., compare=..., repr=...)`` means
what it means to a dataclass. ``replace(obj, **changes)`` makes a changed
copy (also of a dataclass).

Why not ``dataclasses``: it imports ``inspect`` (and with it ``ast``,
``dis``, ``tokenize``...), which costs every command that reads a client
view, books or sells more than the reading itself; the records of those
paths (settings, expiry rules, services, packages, restrictions, sessions,
sale requests and their problems) need only this.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, TypeVar

    T = TypeVar("T")


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record."""


_MISSING = object()


class _Field:
    __slots__ = ("default", "factory", "compare", "repr")

    def __init__(self, default: Any, factory: Any, compare: bool, repr: bool) -> None:  # noqa: A002 - dataclasses' name
        self.default = default
        self.factory = factory
        self.compare = compare
        self.repr = repr


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] | Any = _MISSING,
          compare: bool = True, repr: bool = True) -> Any:  # noqa: A002 - dataclasses' name
    """A field with options: a default, or a default made anew for each
    record; left out of ``==`` (``compare=False``) or of ``repr``."""
    if default is not _MISSING and default_factory is not _MISSING:
        raise ValueError("cannot give both default and default_factory")
    return _Field(default, default_factory, compare, repr)


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def record(cls: type[T] | None = None, *, frozen: bool = True) -> Any:
    """Make ``cls`` a record of its annotated fields (``frozen=False``: assignable)."""
    if cls is None:
        return lambda later: record(later, frozen=frozen)
    names = tuple(name for name, kind in cls.__dict__.get("__annotations__", {}).items()
                  if not str(kind).startswith(("ClassVar", "typing.ClassVar")))
    defaults: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    compared, shown = list(names), list(names)
    for name in names:
        value = cls.__dict__.get(name, _MISSING)
        if isinstance(value, _Field):
            delattr(cls, name)
            if value.factory is not _MISSING:
                factories[name] = value.factory
            elif value.default is not _MISSING:
                defaults[name] = value.default
                setattr(cls, name, value.default)  # (as a dataclass leaves it on the class)
            if not value.compare:
                compared.remove(name)
            if not value.repr:
                shown.remove(name)
        elif value is not _MISSING:
            defaults[name] = value
    post_init = getattr(cls, "__post_init__", None)
    set_field = object.__setattr__
    calls = 0

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == MADE_FROM:  # many records of this class: write out its __init__ (see _made_init)
            made = _made_init(cls, names, defaults, factories, post_init)
            if made is not None:
                cls.__init__ = made  # type: ignore[misc]
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
            elif name in factories:
                value = factories[name]()
            else:
                raise TypeError(f"{cls.__name__}() missing field {name!r}")
            set_field(self, name, value)
        if post_init is not None:
            post_init(self)

    def __repr__(self: Any) -> str:
        return f"{cls.__qualname__}(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in shown) + ")"

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return tuple(getattr(self, name) for name in compared) == tuple(getattr(other, name) for name in compared)

    def __hash__(self: Any) -> int:
        return hash(tuple(getattr(self, name) for name in compared))

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = __init__  # type: ignore[misc]
    cls.__repr__ = __repr__  # type: ignore[assignment]
    cls.__eq__ = __eq__  # type: ignore[assignment]
    if frozen:
        cls.__hash__ = __hash__  # type: ignore[assignment]
        cls.__setattr__ = _frozen_setattr  # type: ignore[assignment]
        cls.__delattr__ = _frozen_delattr  # type: ignore[assignment]
    else:
        cls.__hash__ = None  # type: ignore[assignment]  # (a dataclass with eq and not frozen)
    cls.__record_fields__ = names  # type: ignore[attr-defined]
    return cls


MADE_FROM = 64  # records of one class made before its __init__ is written out


def _made_init(cls: type, names: tuple[str, ...], defaults: dict[str, Any], factories: dict[str, Callable[[], Any]],
               post_init: Any) -> Any:
    """The ``__init__`` of the fields written out (as ``dataclasses`` does),
    some times quicker than the loop over them: a file of 10,000 sales makes
    tens of thousands of records. Made only for a class of which many
    records are made (writing it out costs more than a few records). None
    when the fields cannot be written as parameters (a field without a
    default after one with), to keep the loop."""
    params, body, seen_default = [], [], False
    scope: dict[str, Any] = {"_set": object.__setattr__, "_MISSING": _MISSING, "_post": post_init}
    for number, name in enumerate(names):
        if not name.isidentifier() or name == "self" or name.startswith("_"):
            return None
        if name in defaults:
            scope[f"_d{number}"] = defaults[name]
            params.append(f"{name}=_d{number}")
            body.append(f"    _set(self, {name!r}, {name})")
            seen_default = True
        elif name in factories:
            scope[f"_f{number}"] = factories[name]
            params.append(f"{name}=_MISSING")
            body.append(f"    _set(self, {name!r}, _f{number}() if {name} is _MISSING else {name})")
            seen_default = True
        elif seen_default:
            return None
        else:
            params.append(name)
            body.append(f"    _set(self, {name!r}, {name})")
    if post_init is not None:
        body.append("    _post(self)")
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    if not params:
        source = "def __init__(self):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, scope)  # noqa: S102 - our own field names, checked above
    made = scope["__init__"]
    made.__qualname__ = f"{cls.__qualname__}.__init__"
    return made


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
