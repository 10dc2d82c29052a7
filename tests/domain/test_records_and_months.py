"""Two pieces written to keep heavy modules off the start-up, held to what
they replace: month arithmetic (``dateutil``'s ``relativedelta``) and
immutable records (``dataclasses`` with ``frozen=True``)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, strategies as st

from sessionpack.domain.expiry import ExpiryRule, add_months, parse_expiry_option
from sessionpack.domain.records import FrozenInstanceError, field, record, replace


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), st.integers(min_value=0, max_value=12 * 9999))
def test_add_months_is_relativedelta(start: date, months: int) -> None:
    try:
        want: object = start + relativedelta(months=months)
    except (ValueError, OverflowError) as err:
        want = type(err)
    try:
        got: object = add_months(start, months)
    except (ValueError, OverflowError) as err:
        got = type(err)
    assert got == want


def test_month_ends_are_clamped() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 31), 2) == date(2026, 3, 31)
    assert add_months(date(2100, 1, 29), 1) == date(2100, 2, 28)
    assert add_months(date(2000, 1, 29), 1) == date(2000, 2, 29)


@record
class Point:
    """A record for the test."""

    x: int
    y: int = 0
    tags: tuple = field(default_factory=tuple)


@dataclasses.dataclass(frozen=True)
class DataPoint:
    x: int
    y: int = 0
    tags: tuple = dataclasses.field(default_factory=tuple)


@given(st.integers(), st.integers(), st.lists(st.text(max_size=3), max_size=3))
def test_a_record_behaves_as_a_frozen_dataclass(x: int, y: int, tags: list[str]) -> None:
    made, twin = Point(x, y=y, tags=tuple(tags)), DataPoint(x, y=y, tags=tuple(tags))
    assert repr(made).replace("Point", "P") == repr(twin).replace("DataPoint", "P")
    assert made == Point(x, y, tuple(tags)) and hash(made) == hash(Point(x, y, tuple(tags)))
    assert hash(made) == hash(twin)  # the hash of the fields in order, as dataclasses makes it
    assert made != Point(x + 1, y, tuple(tags)) and made != twin
    assert replace(made, y=y + 1) == Point(x, y + 1, tuple(tags))
    assert replace(twin, y=y + 1) == DataPoint(x, y + 1, tuple(tags))


def test_a_record_cannot_change() -> None:
    point = Point(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del point.y  # type: ignore[misc]
    assert (point.x, point.y, point.tags) == (1, 0, ())
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, 2, (), 4)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, z=3)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        replace(point, z=3)


def test_post_init_checks_still_run() -> None:
    with pytest.raises(ValueError):
        ExpiryRule("weekly")
    assert parse_expiry_option("2 months") == ExpiryRule("from-purchase", 2, "months")
    assert parse_expiry_option("2 months") is parse_expiry_option("2 months")  # read once, then remembered


@given(st.text(max_size=40))
def test_folded_text_is_the_same_on_the_ascii_shortcut(text: str) -> None:
    import unicodedata

    from sessionpack.domain.text import folded

    decomposed = unicodedata.normalize("NFKD", text)
    assert folded(text) == "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@given(st.lists(st.text(max_size=20), max_size=12))
def test_folding_many_texts_at_once_folds_each(texts: list[str]) -> None:
    from sessionpack.domain.text import folded, folded_all

    assert folded_all(texts) == [folded(text) for text in texts]


def test_an_assignable_record_with_field_options_is_what_a_dataclass_is() -> None:
    @record(frozen=False)
    class Mine:
        a: int
        b: list = field(default_factory=list)
        c: str | None = field(default=None, repr=False)
        d: object = field(default=None, compare=False)

    @dataclasses.dataclass
    class Theirs:
        a: int
        b: list = dataclasses.field(default_factory=list)
        c: str | None = dataclasses.field(default=None, repr=False)
        d: object = dataclasses.field(default=None, compare=False)

    for args, kwargs in (((1,), {}), ((1, [2]), {"c": "x"}), ((), {"a": 3, "d": "ignored"})):
        mine, theirs = Mine(*args, **kwargs), Theirs(*args, **kwargs)
        assert repr(mine).replace(Mine.__qualname__, "X") == repr(theirs).replace(Theirs.__qualname__, "X")
        assert (mine.a, mine.b, mine.c, mine.d) == (theirs.a, theirs.b, theirs.c, theirs.d)
    assert Mine(1, d="x") == Mine(1, d="y") and Mine(1) != Mine(2) and Mine(1).b is not Mine(1).b
    assert Mine.__hash__ is None and Theirs.__hash__ is None
    changed = Mine(1)
    changed.a = 5
    assert changed.a == 5 and Mine.c is None


def test_a_class_of_many_records_keeps_its_behaviour_once_its_init_is_written_out() -> None:
    from sessionpack.domain.records import MADE_FROM

    seen: list[int] = []

    @record
    class Counted:
        x: int
        y: int = 0
        tags: list = field(default_factory=list)

        def __post_init__(self) -> None:
            seen.append(self.x)

    made = [Counted(n, y=n + 1) for n in range(MADE_FROM + 2)]
    generic, written = made[0], made[-1]
    assert (generic.x, generic.y, written.x, written.y) == (0, 1, MADE_FROM + 1, MADE_FROM + 2)
    assert seen == list(range(MADE_FROM + 2))  # __post_init__ ran for every one
    assert written.tags == [] and written.tags is not made[-2].tags  # a new default each time
    assert Counted(3) == Counted(3, 0, []) and repr(Counted(3)) == "test_a_class_of_many_records_keeps_its_behaviour_once_its_init_is_written_out.<locals>.Counted(x=3, y=0, tags=[])"
    with pytest.raises(FrozenInstanceError):
        written.x = 1  # type: ignore[misc]
    for wrong in (lambda: Counted(), lambda: Counted(1, 2, [], 4), lambda: Counted(1, z=3), lambda: Counted(1, x=2)):
        with pytest.raises(TypeError):
            wrong()
