"""storage.contexts.contextmanager behaves as contextlib's for the store's
transactions: what the body raises reaches the generator at its yield,
cleanup runs, suppression and the misuse errors are contextlib's."""

from __future__ import annotations

import contextlib

import pytest

from sessionpack.storage import contexts

BUILDERS = [contextlib.contextmanager, contexts.contextmanager]


def run(build, body_raises: BaseException | None, gen_kind: str) -> tuple[list[str], str]:  # type: ignore[no-untyped-def]
    log: list[str] = []

    def gen():  # type: ignore[no-untyped-def]
        log.append("enter")
        if gen_kind == "no-yield":
            return
        try:
            yield "tx"
        except KeyError:
            log.append("caught KeyError")
            if gen_kind == "suppress":
                return
            raise
        finally:
            log.append("cleanup")
        log.append("after")
        if gen_kind == "two-yields":
            yield "again"

    scoped = build(gen)
    try:
        with scoped() as tx:
            log.append(f"body {tx}")
            if body_raises is not None:
                raise body_raises
    except BaseException as err:  # noqa: BLE001 - compared
        return log, f"{type(err).__name__}: {err}"
    return log, "ok"


@pytest.mark.parametrize("body_raises", [None, KeyError("k"), ValueError("v"), SystemExit(3), StopIteration("s"), RuntimeError("r")])
@pytest.mark.parametrize("gen_kind", ["plain", "suppress", "no-yield", "two-yields"])
def test_the_same_as_contextlib(body_raises: BaseException | None, gen_kind: str) -> None:
    expected, ours = (run(build, body_raises, gen_kind) for build in BUILDERS)
    assert ours == expected


def test_the_exception_raised_is_the_one_the_body_raised() -> None:
    @contexts.contextmanager
    def gen():  # type: ignore[no-untyped-def]
        yield

    error = ValueError("the same object")
    with pytest.raises(ValueError) as caught:
        with gen():
            raise error
    assert caught.value is error
