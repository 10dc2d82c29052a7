"""The rules behind the fixes of sharing, transfers, codes and hooks, pure:
when a package is ``transferred`` rather than ``used up`` (and the sale
lines agree), what a code holder's refusals say, and the line a failed
hook's warning quotes."""

from __future__ import annotations

import tempfile

import pytest

from sessionpack.domain import balances
from sessionpack.domain.bookings import check_clock
from sessionpack.domain.guards import SessionRefused
from sessionpack.notify.hooks import LINE_LIMIT, STDERR_TAIL, last_line
from sessionpack.storage.report_shards import sale_state, status_at

from practice_data import TZ, at
from test_adjust_pause_transfer import NOW, World, by, offer


def _attend(w: World, bid: str) -> None:
    w.record({"type": "attended", "clients": [bid.split(".b")[0]], "booking": bid, "package": "ana.p1"})


def _both(w: World, cp: str = "ana.p1") -> tuple[str, str]:
    """The status ``balance`` gives, and the one the report's sale lines give."""
    pkg = w.pkg(cp)
    return balances.status(pkg, NOW, TZ), status_at(sale_state(pkg), NOW.astimezone(TZ).date().isoformat())


def test_given_away_then_used_up_by_the_owner_is_used_up() -> None:
    w = World()
    cp = w.sell(offer())
    for day in range(20, 24):
        w.book(f"2027-01-{day}T10:00")
    w.transfer(cp, amount=1)  # the last free session
    assert _both(w) == ("active", "active")
    for n in range(1, 5):
        _attend(w, f"ana.b{n}")
    assert _both(w) == ("used up", "used up")
    assert "emptied_by_transfer" not in w.pkg(cp)


def test_emptied_by_a_transfer_is_transferred_until_the_owner_draws_on_it_again() -> None:
    w = World()
    cp = w.sell(offer())
    w.book("2027-01-20T10:00")
    _attend(w, "ana.b1")
    w.transfer(cp, kind=None)  # the 4 left, nothing booked
    assert _both(w) == ("transferred", "transferred")
    assert w.pkg(cp)["emptied_by_transfer"] == ["ana.b1"]
    w.adjust(cp, by(1))
    assert _both(w) == ("active", "active")
    w.book("2027-01-21T10:00")
    _attend(w, "ana.b2")
    assert _both(w) == ("used up", "used up")


def test_a_later_transfer_that_does_not_empty_it_forgets_the_earlier_one() -> None:
    w = World()
    cp = w.sell(offer())
    w.transfer(cp, kind=None)
    w.adjust(cp, by(2))
    w.transfer(cp, amount=1)  # one left
    assert "emptied_by_transfer" not in w.pkg(cp)
    w.book("2027-01-21T10:00")
    _attend(w, "ana.b1")
    assert _both(w) == ("used up", "used up")


def test_a_code_holder_s_clock_refusal_gives_dates_not_bookings() -> None:
    w = World()
    cp = w.sell(offer(expiry="1 month from first use"))
    w.book("2027-03-01T10:00")
    pkg = w.pkg(cp)
    with pytest.raises(SessionRefused) as err:
        check_clock(pkg, at("2027-01-20T10:00").date(), "ana.b9", force=False, private=True)
    assert str(err.value) == ("a session on 2027-01-20 starts ana.p1's clock then: it would expire on 2027-02-20, "
                              "before sessions booked on it on 2027-03-01; choose a later time")
    with pytest.raises(SessionRefused) as err:
        check_clock(pkg, at("2027-01-20T10:00").date(), "ana.b9", force=False)
    assert "ana.b1 on 2027-03-01" in str(err.value)


def test_a_code_holder_is_not_told_who_received_an_unlimited_balance() -> None:
    w = World()
    cp = w.sell(offer(contents={"pool": "unlimited"}))
    w.transfer(cp, kind=None)
    day = at("2027-01-20T10:00").date()
    assert balances.blocked(w.pkg(cp), day, "unlimited") == "its unlimited use was transferred to bruno.p1"
    assert balances.blocked(w.pkg(cp), day, "unlimited", private=True) == "its unlimited use was transferred"


def _stderr(data: bytes) -> str:
    with tempfile.TemporaryFile() as stream:
        stream.write(data)
        return last_line(stream)


@pytest.mark.parametrize(("data", "said"), [
    (b"", ""),
    (b"\n\n  \n", ""),
    (b"one\ntwo\n", "two"),
    (b"".join(b"sending reminder batch %d\n" % n for n in range(1000)) + b"fatal: SMTP login refused\n\n", "fatal: SMTP login refused"),
    (b"a\x1b[31mred\n", "a\\x1b[31mred"),
    (b"y" * (STDERR_TAIL - 1) + b"\nlast\n", "last"),
    (b"\n" + b"z" * (STDERR_TAIL - 1), "z" * (LINE_LIMIT - 3) + "..."),  # starts on a line break: read whole
    (b"x" * (STDERR_TAIL * 3), "..." + "x" * (LINE_LIMIT - 6) + "..."),  # longer than what is read
])
def test_the_line_a_failed_hook_is_quoted_by(data: bytes, said: str) -> None:
    assert _stderr(data) == said

