"""storage/encoding.py: a commit's parts encoded once give the bytes json.dumps gives of the whole."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from sessionpack.jsontext import canonical as dumps
from sessionpack.storage.encoding import Parts


def canonical(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


scalars = st.none() | st.booleans() | st.integers() | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                      max_leaves=20)


@given(values)
def test_dumps_is_canonical_json(obj: object) -> None:
    assert dumps(obj) == canonical(obj)
    assert Parts().dumps(obj) == canonical(obj)


@given(st.dictionaries(st.text(), values, max_size=4), st.dictionaries(st.text(), values, max_size=4), st.text())
def test_known_parts_and_shared_terms_are_spliced_byte_for_byte(terms: dict, other: dict, text: str) -> None:
    event = {"type": "sold", "terms": terms, "note": text, "seq": 3}
    package = {"id": "ana.p1", "terms": terms, "sale": other}
    view = {"id": "ana", "events": [{"type": "client-added"}, event], "packages": {"ana.p1": package}, "x": [text, other]}
    parts = Parts()
    assert parts.text(event) == canonical(event)
    assert parts.text(package) == canonical(package)
    assert parts.dumps(view) == canonical(view)
    assert parts.dumps(["2026-11-20", "ana", "ana.p1", package], 1) == canonical(["2026-11-20", "ana", "ana.p1", package])


@given(st.lists(st.dictionaries(st.text(max_size=3), values, max_size=3), min_size=1, max_size=3), st.integers(min_value=1, max_value=40),
       st.text())
def test_a_view_of_many_packages_is_spliced_byte_for_byte(terms: list[dict], count: int, text: str) -> None:
    """Many parts, put in the text out of their order (ids sort as text:
    ana.p10 before ana.p2), each once, with text that looks like anything."""
    parts = Parts()
    events = [{"type": "sold", "terms": terms[n % len(terms)], "note": text, "seq": n} for n in range(1, count + 1)]
    packages = {f"ana.p{n}": {"id": f"ana.p{n}", "terms": terms[n % len(terms)], "note": text} for n in range(1, count + 1)}
    for event in events[::2]:
        parts.text(event)  # some events known before the view is encoded, some not
    view = {"id": "ana", "events": events, "packages": packages, "x": text}
    assert parts.dumps(view) == canonical(view)
    assert parts.dumps(view) == canonical(view)  # again, every part known now
