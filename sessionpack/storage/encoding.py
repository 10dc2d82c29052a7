"""Encoding the views and events of one commit, each shared part once.

The files of the data directory are canonical JSON (sorted keys, no
spaces, UTF-8 as is: ``journal.encode``, ``store.encode_view``,
``shards.canonical``). A commit holds the same objects in several of
them: a ``sold`` event is a journal line and an item of its client view's
history; a client package is in its view and on its line of the open
shard; and the terms of a package sold to many clients in one file are
one object shared by all those events and packages. ``Parts`` encodes
each such object once and splices its text wherever it is met again:
the bytes are those ``jsontext.canonical`` (``json.dumps``) would make of
the whole.

A ``Parts`` lives for one commit only: it knows objects by identity and
holds them while it lives (so an id is never reused), and the objects
must not change while it is used (a commit's events and the views they
made do not change between the fold and the writes).
"""

from __future__ import annotations

import os

from .. import jsontext

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Stands for a part while its container is encoded: unguessable (made anew by
# each process), so no text of a view can hold it.
_MARK = f"\x00part-{os.urandom(8).hex()}-"  # (not secrets: a sale imports neither it nor random)
_MARK_JSON = jsontext.dumps(_MARK)[:-1]  # '"\u0000part-...-' (the number and closing quote follow)
SHARED_KEYS = frozenset({"terms"})  # values under these keys are worth keeping: many objects share them
HOLDER_KEYS = frozenset({"events", "packages"})  # a view's containers of parts (its history, its client packages)
_CONTAINERS = (dict, list)


class Parts:
    """Texts of objects already encoded in this commit, by identity."""

    __slots__ = ("_texts",)

    def __init__(self) -> None:
        self._texts: dict[int, tuple[Any, str]] = {}

    def text(self, obj: Any) -> str:
        """The JSON text of ``obj``, kept for its next uses."""
        known = self._texts.get(id(obj))
        if known is not None:
            return known[1]
        text = self.dumps(obj)
        self._texts[id(obj)] = (obj, text)
        return text

    def dumps(self, obj: Any, depth: int = 2) -> str:
        """``jsontext.canonical(obj)``, with the parts known (and the shared values met)
        spliced in rather than encoded again: the items of ``obj``, and with
        ``depth`` 2 those of its values under ``HOLDER_KEYS``."""
        parts: list[str] = []
        swapped = self._swap(obj, parts, depth)
        text = jsontext.canonical(swapped)
        if not parts:
            return text
        # Each mark is in the text once: the text is cut at the marks and
        # each part put in its place in one pass (a part put in is never
        # read again; a replace per part read the whole text each time,
        # and a view of thousands of packages took seconds).
        pieces = text.split(_MARK_JSON)
        out = [pieces[0]]
        for piece in pieces[1:]:
            number, _, rest = piece.partition('"')
            out.append(parts[int(number)])
            out.append(rest)
        return "".join(out)

    def _swap(self, obj: Any, parts: list[str], depth: int) -> Any:
        """``obj`` with its known parts replaced by marks (copies only where
        one was): a list's items; a dict's values under ``SHARED_KEYS``,
        and with ``depth`` 2 the items of its values under ``HOLDER_KEYS``."""
        out: Any = None
        if type(obj) is dict:
            for key in SHARED_KEYS:
                value = obj.get(key)
                if type(value) in _CONTAINERS:
                    if out is None:
                        out = dict(obj)
                    out[key] = f"{_MARK}{len(parts)}"
                    parts.append(self.text(value))
            if depth > 1:
                for key in HOLDER_KEYS:
                    value = obj.get(key)
                    if type(value) in _CONTAINERS:
                        new = self._swap_known(value, parts)
                        if new is not value:
                            if out is None:
                                out = dict(obj)
                            out[key] = new
        elif type(obj) is list:
            return self._swap_known(obj, parts)
        return obj if out is None else out

    def _swap_known(self, obj: list[Any] | dict[str, Any], parts: list[str]) -> Any:
        """A list or dict with those of its items that are known parts
        replaced by marks (a copy only where one was)."""
        out: Any = None
        texts = self._texts
        for key, value in (enumerate(obj) if type(obj) is list else obj.items()):
            known = texts.get(id(value)) if type(value) in _CONTAINERS else None
            if known is not None:
                if out is None:
                    out = type(obj)(obj)
                out[key] = f"{_MARK}{len(parts)}"
                parts.append(known[1])
        return obj if out is None else out
