"""A commit's work on thousands of client views, shared with a second process.

What a client view changes in the shards (``shards.contribution``) and its
file's bytes depend on that view alone. A commit of a few clients works
them out here, one after the other. A commit of thousands (a file of ten
thousand sales, each to a new client) spent most of its time there, on one
of the machine's processors: from ``SHARE_FROM`` client views, on a machine
with two processors or more, a forked copy of this process works out the
later part of them and sends back their contributions and their views'
bytes, while this process works out the first part and puts each into the
shards as it goes. The worker's answers are then put in, in the same order
as one process would: the shard files come out the same byte for byte,
and so do the views (a view's bytes are a function of the view).

The worker only reads what it was forked with and writes nothing but its
answer to a pipe. If no process can be made, or it ends without an answer
(killed, say), this process does its part itself; an error it met is raised here, as if met
here (and the commit is refused before anything is written, as it would
be with one process).
"""

from __future__ import annotations

import os

from . import shards
from .crash import crash_point, share_from
from .forked import WorkerLost, collect, fork

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable

    from .encoding import Parts

    # One client view's work: (client id, its view, its index entries before the commit, its records before it).
    Item = tuple[str, dict[str, Any], Any, dict[str, Any]]

SHARE_FROM = 2000  # client views in one commit from which a second process takes a part of the work
OWN_SHARE = 0.52  # the part this process works out (a view costs the worker its bytes too, and the copy of what it touches)
STAGING_SHARE = 0.6  # ... when the worker also writes every view's file


def processes(count: int) -> int:
    """1, or 2 for a commit of ``count`` client views on a machine that can share it
    (the storage tests share from fewer, on any machine: ``crash.share_from``)."""
    forced = share_from()
    if forced is not None:
        return 2 if count >= forced and hasattr(os, "fork") else 1
    if count < SHARE_FROM or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return 1
    return 2


def _work(items: list[Item], split: int, parts: Parts | None, encode: Callable[[dict[str, Any], Parts | None], bytes],
          stage: tuple[str, Callable[[str], str]] | None) -> tuple[list[Any], Any]:
    """The worker's part: the contributions of the views from ``split`` on,
    and either their bytes or, with ``stage`` (folder, path of a client's
    view), every view's bytes written to a temporary file there (the
    collector off: its objects are the parent's, and a collection would
    copy them)."""
    import gc

    gc.disable()
    contributions = [shards.contribution(view, before, reports, parts) for _, view, before, reports in items[split:]]
    if stage is None:
        return contributions, [encode(view, parts) for _, view, _, _ in items[split:]]
    from .batchio import stage as stage_files

    folder, path_of = stage
    return contributions, stage_files(((client_id, path_of(client_id), encode(view, parts)) for client_id, view, _, _ in items), folder)


def apply_all(items: list[Item], changes: shards.Changes, parts: Parts | None,
              encode: Callable[[dict[str, Any], Parts | None], bytes],
              stage: tuple[str, Callable[[str], str]] | None = None) -> dict[str, Any]:
    """Put the contribution of every view into ``changes``, in order; returns
    what the worker made of the views' files, by client: their bytes, or
    with ``stage`` (a folder for temporary files, the path of a client's
    view: a commit that will write them) each view written to a temporary
    file (``batchio.Staged``), to be renamed into place with the others.
    A view not there is encoded when written."""
    if processes(len(items)) == 1:
        for _, view, before, reports in items:
            changes.apply(shards.contribution(view, before, reports, parts))
        return {}
    split = max(1, int(len(items) * (STAGING_SHARE if stage else OWN_SHARE)))
    if stage is not None:
        from .batchio import drop_stage

        drop_stage(stage[0])  # (what a killed command left there)
    # The first view here, before the fork: what its work imports is then
    # imported for the worker too (an import is never begun in two processes).
    _, view, before, reports = items[0]
    changes.apply(shards.contribution(view, before, reports, parts))
    try:
        worker = fork(lambda: _work(items, split, parts, encode, stage))
    except OSError:  # no process to be had (memory, a process limit): this one does it all
        for _, view, before, reports in items[1:]:
            changes.apply(shards.contribution(view, before, reports, parts))
        return {}
    try:
        for _, view, before, reports in items[1:split]:
            changes.apply(shards.contribution(view, before, reports, parts))
    finally:
        try:
            answers = collect(worker)
        except WorkerLost:
            answers = None
    if answers is None:  # the worker is gone: its part is done here
        for _, view, before, reports in items[split:]:
            changes.apply(shards.contribution(view, before, reports, parts))
        return {}
    contributions, made = answers
    if stage is not None:
        crash_point("views-staged")
    for change in contributions:
        changes.apply(change)
    if stage is None:
        return {client_id: data for (client_id, *_), data in zip(items[split:], made)}
    from .batchio import Staged

    return {client_id: Staged(temp) for client_id, temp in made.items()}
