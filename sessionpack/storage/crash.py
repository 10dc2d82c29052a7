"""Named crash points for the storage tests.

With ``SESSIONPACK_TEST_CRASH_AT=NAME`` in the environment the process kills
itself (SIGKILL: no cleanup, like a power cut) when it reaches that point.
Points: ``journal-partial`` (half of the command's journal bytes written),
``journal-written`` (journal fsynced, no view written), ``shard-written``
(after the first shard of views/open or views/codes), ``view-written``
(after the first client view), ``before-index`` (all views, not the index);
and ``notice-delivered`` (``notify``: a notice delivered, its outcome not
recorded yet).
"""

from __future__ import annotations

import os
import signal

_POINT = os.environ.get("SESSIONPACK_TEST_CRASH_AT", "")


def crash_point(name: str) -> None:
    if _POINT == name:
        os.kill(os.getpid(), signal.SIGKILL)


def wants(name: str) -> bool:
    return _POINT == name
