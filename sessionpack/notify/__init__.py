"""Notices and their delivery, and hooks run after recorded events."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# The moments a commit can make besides its events (``hooks``): their hooks
# are looked for after every commit.
MOMENTS = ("used-up", "low-balance")


def hook_exists(root: str, name: str) -> bool:
    """Whether ``hooks/NAME`` is a hook: an executable file."""
    path = os.path.join(root, "hooks", name)
    return os.path.isfile(path) and os.access(path, os.X_OK)


def present_hooks(root: str, events: list[dict[str, Any]]) -> set[str]:
    """The hooks a commit of ``events`` may run that exist."""
    if not os.path.isdir(os.path.join(root, "hooks")):
        return set()
    return {name for name in {e["type"] for e in events} | set(MOMENTS) if hook_exists(root, name)}
