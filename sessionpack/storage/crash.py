"""Named crash and failure points for the storage tests.

With ``SESSIONPACK_TEST_CRASH_AT=NAME`` in the environment the process kills
itself (SIGKILL: no cleanup, like a power cut) when it reaches that point.
Points: ``journal-partial`` (half of the command's journal bytes written),
``journal-written`` (journal fsynced, no view written), ``shard-written``
(after the first shard of views/open or views/codes), ``view-written``
(after the first client view), ``small-view-written`` (after the first
whole-practice view such as ``views/sold.json``), ``before-index`` (all
views, not the index); ``catalog-staged`` (a catalog change recorded in
the journal, its file not yet moved into place);
and ``notice-delivered`` (``notify``: a notice delivered, its outcome not
recorded yet); ``views-staged`` (a commit shared with a second process,
``shared_fold``: the journal appended, every client view's new file
written to ``views/clients/.staged``, none renamed into place yet).

With ``SESSIONPACK_TEST_SHARE_FROM=N`` a commit of N client views or more is
shared with a second process on any machine (``share_from``), so that a
test's file of a few dozen rows meets the points of that path.

With ``SESSIONPACK_TEST_FAIL_AT=NAME`` a write fails there as on a full disk
(OSError ENOSPC), read when the point is reached: ``views`` (after the
journal commit, before the first view file), ``index`` (every view file
but the index written) and ``staging`` (a shared commit's second process,
after the first client view file it writes to ``views/clients/.staged``).
"""

from __future__ import annotations

import errno
import os

_POINT = os.environ.get("SESSIONPACK_TEST_CRASH_AT", "")


def crash_point(name: str) -> None:
    if _POINT == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def wants(name: str) -> bool:
    return _POINT == name


def fail_point(name: str) -> None:
    if os.environ.get("SESSIONPACK_TEST_FAIL_AT") == name:
        raise OSError(errno.ENOSPC, "No space left on device")


def share_from() -> int | None:
    """``SESSIONPACK_TEST_SHARE_FROM`` as a number, else None."""
    value = os.environ.get("SESSIONPACK_TEST_SHARE_FROM", "")
    return int(value) if value.isdigit() else None
