"""What a client's view keeps of an undo (domain.undo.kept_in_view): only
that client, and only the seqs of its own events, whatever the undo names;
kept again it stays the same (a view folded again from its own events is
the same view)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, strategies as st

from sessionpack.domain import ledger, undo

SEQS = st.lists(st.integers(min_value=1, max_value=400), max_size=40)


@given(own=st.lists(st.integers(min_value=1, max_value=400), unique=True, max_size=30).map(sorted),
       targets=st.lists(st.tuples(st.sampled_from(["c1", "c7", "c9"]), SEQS), min_size=1, max_size=3),
       others=st.lists(st.sampled_from(["bea", "cid", "dan"]), max_size=3))
def test_a_view_keeps_its_own_share_of_an_undo(own: list[int], targets: list[tuple[str, list[int]]], others: list[str]) -> None:
    view: dict[str, Any] = {"id": "ana", "events": [{"seq": seq, "type": "paid"} for seq in own]}
    event = {"type": "undone", "seq": 401, "command": "c401", "clients": ["ana", *others], "reason": "r",
             "undo": [{"command": command, "seqs": seqs, "what": "x"} for command, seqs in targets]}
    kept = ledger.kept(view, event)
    assert kept["clients"] == ["ana"] and {k: v for k, v in kept.items() if k not in ("clients", "undo")} == \
        {k: v for k, v in event.items() if k not in ("clients", "undo")}
    assert kept["undo"] == [{"command": command, "seqs": [seq for seq in own if seq in seqs], "what": "x"}
                            for command, seqs in targets]
    assert ledger.kept(view, kept) == kept  # kept again: the same
    assert event["clients"] == ["ana", *others] and [t["seqs"] for t in event["undo"]] == [s for _, s in targets]  # untouched
    assert ledger.kept(view, {"type": "paid", "seq": 402}) == {"type": "paid", "seq": 402}


def test_the_set_of_a_list_of_seqs_is_made_once_and_follows_the_list() -> None:
    seqs = list(range(1, 20001))
    first = undo._seq_set(seqs)
    assert undo._seq_set(seqs) is first  # the same list: the same set
    other = list(seqs)
    assert undo._seq_set(other) == first and undo._seq_set(other) is not first  # another list: its own set
    assert undo.own_share([5, 20000, 20001], seqs) == [5, 20000]
