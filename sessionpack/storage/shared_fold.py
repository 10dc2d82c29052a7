"""A commit's work on thousands of client views, shared with a second process.

What a client view changes in the shards (``shards.contribution``) and its
file's bytes depend on that view alone. A commit of a few clients works
them out here, one after the other. A commit of thousands (a file of ten
thousand sales, each to a new client) spent most of its time there, on one
of the machine's processors: from ``SHARE_FROM`` client views, on a machine
with two processors or more, a forked copy of this process works out the
later part of the contributions while this process works out the first
part and puts each into the shards as it goes. The worker's are then put
in, in the same order as one process would: the shard files come out the
same byte for byte, and so do the views (a view's bytes are a function of
the view).

A commit that goes on to write its views (``stage``): the worker hands
over its contributions as soon as they are made (``forked.fork_parts``:
through a file, so it never waits to be read), then writes every client
view's file to a temporary file in ``layout.STAGED``, while this process
puts the shards together and appends the journal. The views are then
written as usual (``batchio.write_groups``), the staged files renamed into
place in their turn (``Staging.files``). Otherwise (the shards of a dry
run, worked out when read) the worker sends back its contributions and
the bytes of its part of the views.

The worker only reads what it was forked with, and writes nothing but its
answer and those temporary files. If no process can be made, or it ends
without an answer (killed, say), this process does its part itself and
writes every view as one process would; an error it met before the commit
is raised here, as if met here (and the commit is refused before anything
is written, as it would be with one process). The stage folder goes when
the commit ends (``Folded.end_staging``), or with the next command that
records something after a kill.
"""

from __future__ import annotations

import os

from . import shards
from .crash import crash_point, share_from
from .forked import PartsWorker, WorkerLost, collect, fork, fork_parts

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


def _work(items: list[Item], split: int, parts: Parts | None,
          encode: Callable[[dict[str, Any], Parts | None], bytes]) -> tuple[list[Any], list[bytes]]:
    """The worker's part: the contributions of the views from ``split`` on,
    and their bytes (the collector off: its objects are the parent's, and a
    collection would copy them)."""
    import gc

    gc.disable()
    contributions = [shards.contribution(view, before, reports, parts) for _, view, before, reports in items[split:]]
    return contributions, [encode(view, parts) for _, view, _, _ in items[split:]]


def _work_staged(items: list[Item], split: int, parts: Parts | None, encode: Callable[[dict[str, Any], Parts | None], bytes],
                 stage: tuple[str, Callable[[str], str]], hand_over: Callable[[Any], None]) -> dict[str, str]:
    """The worker's part of a commit that writes its views: it hands over
    the contributions of the views from ``split`` on as soon as they are
    made, then writes every view's file to the stage folder; returns
    client -> temporary file (``batchio.stage``)."""
    import gc

    from .batchio import stage as stage_files

    gc.disable()
    folder, path_of = stage
    os.mkdir(folder, 0o700)
    hand_over([shards.contribution(view, before, reports, parts) for _, view, before, reports in items[split:]])
    return stage_files(((client_id, path_of(client_id), encode(view, parts)) for client_id, view, _, _ in items), folder)


class Staging:
    """The views' files a worker is writing (``apply_all`` with a stage):
    ``files`` waits for them; ``end`` stops it if they are not wanted."""

    __slots__ = ("worker",)

    def __init__(self, worker: Any) -> None:
        self.worker = worker

    def files(self) -> dict[str, Any]:
        """Client -> ``batchio.Staged``, for the views the worker wrote (none
        if it failed or was lost: they are then written as by one process)."""
        from .batchio import Staged

        try:
            made = self.worker.receive()
        except BaseException:  # noqa: BLE001 - whatever stopped it (the commit is recorded), the views are written here instead
            return {}
        finally:
            self.worker.end()
        crash_point("views-staged")
        return {client_id: Staged(temp) for client_id, temp in made.items()}

    def end(self) -> None:
        self.worker.end(kill=True)


def apply_all(items: list[Item], changes: shards.Changes, parts: Parts | None,
              encode: Callable[[dict[str, Any], Parts | None], bytes],
              stage: tuple[str, Callable[[str], str]] | None = None) -> dict[str, Any] | Staging:
    """Put the contribution of every view into ``changes``, in order; returns
    what the worker made of the views' files: their bytes by client, or,
    with ``stage`` (a folder for temporary files, the path of a client's
    view: a commit that will write them), the ``Staging`` of their files,
    written while this process goes on. A view it did not make is encoded
    when written."""
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
        if stage is None:
            worker: Any = fork(lambda: _work(items, split, parts, encode))
        else:
            worker = fork_parts(lambda hand_over: _work_staged(items, split, parts, encode, stage, hand_over), stage[0])
    except OSError:  # no process to be had (memory, a process limit): this one does it all
        for _, view, before, reports in items[1:]:
            changes.apply(shards.contribution(view, before, reports, parts))
        return {}
    if stage is not None:
        return _apply_staged(items, split, changes, parts, worker)
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
    for change in contributions:
        changes.apply(change)
    return {client_id: data for (client_id, *_), data in zip(items[split:], made)}


def _apply_staged(items: list[Item], split: int, changes: shards.Changes, parts: Parts | None, worker: PartsWorker) -> dict[str, Any] | Staging:
    """``apply_all``'s part here when the worker also writes the views' files."""
    done = False
    try:
        for _, view, before, reports in items[1:split]:
            changes.apply(shards.contribution(view, before, reports, parts))
        try:
            contributions = worker.receive()
        except (WorkerLost, OSError):
            contributions = None
        done = True
    finally:
        if not done:  # (an error here: the worker's files are not wanted)
            worker.end(kill=True)
    if contributions is None:  # the worker is gone: its part is done here, and every view written as by one process
        for _, view, before, reports in items[split:]:
            changes.apply(shards.contribution(view, before, reports, parts))
        return {}
    try:
        for change in contributions:
            changes.apply(change)
    except BaseException:
        worker.end(kill=True)
        raise
    return Staging(worker)
