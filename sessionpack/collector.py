"""The cyclic garbage collector held off while a command makes many objects
and no cycles (``paused``).

Python frees an object as soon as nothing refers to it; the cyclic
collector is there only for objects that refer to each other in a loop.
It runs every few hundred new container objects and, every so often,
walks everything the process holds. A file of sales, a long report and a
full replay make millions of small dicts and lists, none of them in a
loop, while holding large structures (the rows of the file; every
client's place in the journal and the report lines made so far): the
collector found nothing to free and took a sixth of a file of sales and
a tenth of a full replay walking them again and again.
"""

from __future__ import annotations

import gc


class paused:  # noqa: N801 - used as a function: ``with paused():``
    """The collector off inside the block (and back on after it, if it was on)."""

    __slots__ = ("enabled",)

    def __enter__(self) -> None:
        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            gc.enable()
