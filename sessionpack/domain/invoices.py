"""Invoice numbers given by hand: one invoice is one client's, on one day.

A sale takes the next number of the practice's series unless ``--invoice``
(or an ``invoice`` cell) gives one. A number given by hand may name an
invoice that already has lines: another package sold to the same client on
the same day goes on the same invoice. The same number for another client,
or on another day, would make two invoices of one number, and is refused,
naming the sale that holds it (a conflict: exit 1); within one file of
sales, two rows that disagree so are a mistake in the file (exit 2).

The practice-wide index (``views/invoices``) maps each number to the client
packages sold under it and their sale dates. An imported balance's number
is the other system's and a transfer's package was not sold: neither is in
the index, and a number they carry may still be given here.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable


def holder_elsewhere(client: str, day: str, holders: Iterable[list[Any]]) -> list[Any] | None:
    """The first [client, client package, {"date": ...}] recorded under the
    number for another client or on another day, or None."""
    for holder in holders:
        if holder[0] != client or holder[2].get("date") != day:
            return holder
    return None


def recorded_elsewhere(invoice: str, holder: list[Any]) -> str:
    client, cp_id, fields = holder
    return (f"invoice {invoice!r} is already {client}'s, for {cp_id} sold on {fields.get('date')}; one invoice is for one "
            "client on one day: give another number, or leave it out for the next number of the series")


def in_file_elsewhere(invoice: str, line: int | None) -> str:
    return (f"invoice {invoice!r} is also on line {line} for another client or day; one invoice is for one client on one "
            "day: give each its own number, or leave the cell empty for the next number of the series")


__all__ = ["holder_elsewhere", "in_file_elsewhere", "recorded_elsewhere"]
